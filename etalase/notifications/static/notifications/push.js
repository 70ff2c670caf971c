// Web push opt-in for this device: asks permission, subscribes with the server's VAPID public key,
// and posts the subscription; or unsubscribes. Used on the notification settings page.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) { return; }
  var status = box.querySelector("[data-push-status]");
  var enable = box.querySelector("[data-push-enable]");
  var disable = box.querySelector("[data-push-disable]");

  function say(key) { status.textContent = box.dataset[key] || ""; }
  function showState(subscribed) { enable.hidden = subscribed; disable.hidden = !subscribed; say(subscribed ? "onText" : "offText"); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (error) { return ""; }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response; });
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    enable.hidden = true;
    say("unsupportedText");
    return;
  }

  function registration() { return navigator.serviceWorker.ready; }

  registration().then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (subscription) { showState(Boolean(subscription)); })
    .catch(function () { showState(false); });

  enable.addEventListener("click", function () {
    enable.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("deniedText"); throw new Error("denied"); }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey) });
    }).then(function (subscription) {
      return post(box.dataset.subscribeUrl, subscription.toJSON());
    }).then(function () { showState(true); })
      .catch(function (error) { if (error.message !== "denied") { say("errorText"); } })
      .finally(function () { enable.disabled = false; });
  });

  disable.addEventListener("click", function () {
    disable.disabled = true;
    registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) { return null; }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () { return post(box.dataset.unsubscribeUrl, { endpoint: endpoint }); });
      })
      .then(function () { showState(false); })
      .catch(function () { say("errorText"); })
      .finally(function () { disable.disabled = false; });
  });
})();
