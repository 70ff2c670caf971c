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

  // A notification shows when its act happened: an act processed late says "2 hours ago", in the
  // page's language, rather than "just now" (under a minute keeps the page's own "just now").
  function since(when) {
    var moment = Date.parse(when || "");
    if (isNaN(moment) || !window.Intl || !Intl.RelativeTimeFormat) { return ""; }
    var seconds = (moment - Date.now()) / 1000;
    if (seconds > -60) { return ""; }
    var words = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto" });
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (-seconds >= units[i][1]) { return words.format(Math.round(seconds / units[i][1]), units[i][0]); }
    }
    return "";
  }

  // The list is sorted by the acts' times: a late act goes before the first item older than it.
  function laterThan(list, when) {
    var moment = Date.parse(when || "");
    if (isNaN(moment)) { return list.firstChild; }
    var items = list.querySelectorAll("[data-notification-id]");
    for (var i = 0; i < items.length; i++) {
      var time = items[i].querySelector("time[datetime]");
      var other = time ? Date.parse(time.getAttribute("datetime")) : NaN;
      if (!isNaN(other) && other <= moment) { return items[i]; }
    }
    return items.length ? null : list.firstChild;
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
    var when = item.occurred_at || item.created_at;
    var time = element("time", "", since(when) || list.dataset.nowLabel || "");
    if (when) { time.setAttribute("datetime", when); }
    meta.appendChild(time);
    link.appendChild(meta);
    li.appendChild(link);
    list.insertBefore(li, laterThan(list, when));
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
