// Etalase live notifications: one EventSource per page of a signed-in person. Updates every unread
// badge ([data-unread-badge] / [data-unread-count]), on the notification centre puts new
// notifications at the top of the list ([data-notification-list]) without a reload, and tells the
// page of each one ("etalase:notification" on the body). The browser reconnects by itself and
// sends Last-Event-ID, so nothing is lost or repeated.
(function () {
  "use strict";
  if (window.etalaseLive || !("EventSource" in window)) { return; }
  var script = document.currentScript;
  var streamUrl = script && script.dataset.stream;
  if (!streamUrl) { return; }
  window.etalaseLive = true;
  var url = streamUrl + (script.dataset.lastId ? "?last_event_id=" + encodeURIComponent(script.dataset.lastId) : "");

  function showUnread(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (node) { node.textContent = String(count); });
    document.querySelectorAll("[data-unread-badge]").forEach(function (node) { node.hidden = !count; });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function addToList(item) {
    var list = document.querySelector("[data-notification-list]");
    if (!list) { return; }
    (item.replaces || []).forEach(function (id) {
      var old = list.querySelector('[data-notification-id="' + id + '"]');
      if (old) { old.remove(); }
    });
    if (list.querySelector('[data-notification-id="' + item.id + '"]')) { return; }
    var li = element("li", "notification is-new" + (item.read ? "" : " is-unread") + (item.priority === "high" ? " is-urgent" : ""));
    li.dataset.notificationId = String(item.id);
    var link = element("a", "notification-link");
    link.href = item.url;
    var title = element("span", "notification-title");
    if (!item.read) { title.appendChild(element("span", "visually-hidden", (list.dataset.unreadLabel || "") + " ")); }
    if (item.priority === "high") {
      title.appendChild(element("span", "badge badge-warn", list.dataset.urgentLabel || "!"));
      title.appendChild(document.createTextNode(" "));
    }
    title.appendChild(document.createTextNode(item.title));
    link.appendChild(title);
    if (item.body) { link.appendChild(element("span", "notification-body", item.body)); }
    var meta = element("span", "notification-meta", item.business ? item.business + " · " : "");
    var time = element("time", "", list.dataset.nowLabel || "");
    if (item.created_at) { time.setAttribute("datetime", item.created_at); }
    meta.appendChild(time);
    link.appendChild(meta);
    li.appendChild(link);
    list.insertBefore(li, list.firstChild);
    var empty = document.querySelector("[data-notification-empty]");
    if (empty) { empty.hidden = true; }
  }

  // Other pages react too: each new notification is announced on the body as an
  // "etalase:notification" event (its detail is the notification), e.g. the orders list reloads.
  function announce(item) {
    var event;
    try { event = new CustomEvent("etalase:notification", { detail: item }); } catch (error) { return; }
    document.body.dispatchEvent(event);
  }

  var source = new EventSource(url);
  source.addEventListener("notification", function (event) {
    var item;
    try { item = JSON.parse(event.data); } catch (error) { return; /* a malformed event is skipped */ }
    addToList(item);
    announce(item);
  });
  source.addEventListener("unread", function (event) {
    try { showUnread(JSON.parse(event.data).unread); } catch (error) { /* ignore */ }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
