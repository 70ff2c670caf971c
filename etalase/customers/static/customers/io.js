// Customer import and export: refuse a file that is too large before it is sent, show that an upload
// is under way (a 20 MB file takes a while on mobile data), and export the list with the filters it
// shows now. Loaded with <script defer>; no inline scripts.
(function () {
  "use strict";

  function checkSize(input) {
    var limit = parseInt(input.dataset.maxBytes || "0", 10);
    var file = input.files && input.files[0];
    var message = "";
    if (limit && file && file.size > limit) {
      message = input.dataset.tooLarge || "Too large";
    }
    input.setCustomValidity(message);
    return !message;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) {
      if (!checkSize(input)) { input.reportValidity(); }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-upload-form]")) { return; }
    var input = form.querySelector("input[type=file][data-max-bytes]");
    if (input && !checkSize(input)) {
      event.preventDefault();
      input.reportValidity();
      return;
    }
    var button = form.querySelector("[data-busy-label]");
    if (button) {
      button.dataset.idleLabel = button.textContent;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = button.dataset.busyLabel;
    }
  });

  // The customer list filters itself in place and keeps its filters in the address bar: an export
  // link takes them from there when it is clicked (the page number is not a filter).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-export-link]");
    if (!link) { return; }
    var target = new URL(link.href, window.location.href);
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    target.search = params.toString();
    link.href = target.toString();
  });

  // Back from another page with the browser's cache: make the button usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-upload-form] [data-busy-label][disabled]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      if (button.dataset.idleLabel) { button.textContent = button.dataset.idleLabel; }
    });
  });
})();
