// Etalase shell: service worker, install prompt, offline banner. No inline scripts anywhere.
(function () {
  "use strict";
  var script = document.currentScript;
  var swUrl = script && script.dataset.sw;
  if ("serviceWorker" in navigator && swUrl) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(swUrl, { scope: "/" }).catch(function () {});
    });
  }

  var deferredPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferredPrompt = event;
    document.querySelectorAll("[data-install]").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-install]");
    if (!button || !deferredPrompt) { return; }
    deferredPrompt.prompt();
    deferredPrompt.userChoice.finally(function () {
      deferredPrompt = null;
      button.hidden = true;
    });
  });

  function showConnection() {
    var banner = document.querySelector("[data-offline-banner]");
    if (banner) { banner.hidden = navigator.onLine; }
  }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  document.addEventListener("DOMContentLoaded", showConnection);

  // "Use my current location" fills the latitude/longitude fields of the storefront form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-locate]");
    if (!button) { return; }
    var form = button.closest("form");
    var status = form.querySelector("[data-locate-status]");
    if (!navigator.geolocation) { status.textContent = button.dataset.locateError; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
      form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
      status.textContent = "✓";
    }, function () { status.textContent = button.dataset.locateError; }, { timeout: 10000 });
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  // Discover: "Shops near me" sends the phone's location with the search, nearest shops first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-near-me]");
    if (!button) { return; }
    var form = button.closest("form");
    var status = form.querySelector("[data-near-status]");
    if (!navigator.geolocation) { status.textContent = button.dataset.nearError; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("[data-near-lat]").value = position.coords.latitude.toFixed(4);
      form.querySelector("[data-near-lng]").value = position.coords.longitude.toFixed(4);
      form.submit();
    }, function () { status.textContent = button.dataset.nearError; }, { timeout: 10000, maximumAge: 600000 });
  });

  // Forms that ask for confirmation carry data-confirm="question".
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
