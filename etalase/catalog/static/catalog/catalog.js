// Catalog pages: share a shop or a product, and count the photos of a swipeable gallery.
// Loaded with <script defer>; no inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return Promise.reject(new Error("no clipboard"));
  }

  function showFallback(button, url) {
    // Without the Web Share API or the clipboard, show the link ready to be copied by hand.
    var field = button.parentElement.querySelector("[data-share-fallback]");
    if (!field) { return; }
    field.value = url;
    field.hidden = false;
    field.focus();
    field.select();
  }

  function say(button, text) {
    var status = button.parentElement.querySelector("[data-share-status]");
    if (status) { status.textContent = text || ""; }
  }

  // The shop learns that something was shared (an activity), whichever way it left the phone.
  function record(button, channel) {
    if (!button.dataset.shareRecord || !window.fetch) { return; }
    var body = new FormData();
    body.append("channel", channel);
    if (button.dataset.shareProduct) { body.append("what", "product"); body.append("product_id", button.dataset.shareProduct); }
    else if (button.dataset.shareSlug) { body.append("what", "business"); body.append("slug", button.dataset.shareSlug); }
    else { return; }
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    var headers = { "X-Requested-With": "fetch" };
    var shell = document.body.getAttribute("hx-headers");
    try { headers["X-CSRFToken"] = JSON.parse(shell)["X-CSRFToken"]; } catch (ignored) {
      if (token) { headers["X-CSRFToken"] = token.value; }
    }
    fetch(button.dataset.shareRecord, { method: "POST", body: body, headers: headers, credentials: "same-origin" }).catch(function () {});
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-share]");
    if (!button) { return; }
    var url = button.dataset.shareUrl || window.location.href;
    var data = { title: button.dataset.shareTitle || document.title, text: button.dataset.shareText || "", url: url };
    if (navigator.share) {
      navigator.share(data).then(function () { record(button, "native"); }, function (error) {
        if (error && error.name === "AbortError") { return; }
        copyText(url).then(function () { record(button, "copy"); say(button, button.dataset.shareCopied); }, function () { showFallback(button, url); });
      });
      return;
    }
    copyText(url).then(function () { record(button, "copy"); say(button, button.dataset.shareCopied); }, function () { showFallback(button, url); });
  });

  function setUpGallery(gallery) {
    var counter = document.querySelector("[data-gallery-count='" + gallery.id + "']");
    var slides = gallery.querySelectorAll("[data-slide]");
    if (!counter || slides.length < 2 || !("IntersectionObserver" in window)) { return; }
    var template = counter.dataset.template || "%(n)s / %(total)s";
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          var n = Number(entry.target.dataset.slide) + 1;
          counter.textContent = template.replace("%(n)s", n).replace("%(total)s", slides.length);
        }
      });
    }, { root: gallery, threshold: 0.6 });
    slides.forEach(function (slide) { observer.observe(slide); });
  }

  function ready() {
    document.querySelectorAll("[data-gallery]").forEach(setUpGallery);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
