// Etalase engagement: share buttons (the phone's share menu, else copy the link), recorded as a
// SHARED activity. Buttons stay hidden without JavaScript. No inline scripts anywhere.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function record(button, channel) {
    var body = new FormData();
    body.append("what", button.dataset.what || "product");
    if (button.dataset.what === "business") { body.append("slug", button.dataset.slug || ""); }
    else { body.append("product_id", button.dataset.id || ""); }
    body.append("channel", channel);
    fetch(button.dataset.endpoint, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).catch(function () {});
  }

  function flash(button, text) {
    var label = button.textContent;
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }

  function enable(root) {
    root.querySelectorAll("[data-engage-share][hidden]").forEach(function (button) {
      if (navigator.share || (navigator.clipboard && window.isSecureContext)) { button.hidden = false; }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-engage-share]");
    if (!button) { return; }
    var url = new URL(button.dataset.url || "", window.location.href).href;
    if (navigator.share) {
      navigator.share({ title: button.dataset.title || document.title, url: url })
        .then(function () { record(button, "native"); })
        .catch(function () {});
      return;
    }
    navigator.clipboard.writeText(url).then(function () {
      record(button, "copy");
      flash(button, button.dataset.copied || "✓");
    }).catch(function () {});
  });

  document.addEventListener("DOMContentLoaded", function () { enable(document); });
  document.addEventListener("htmx:afterSettle", function () { enable(document); });
})();
