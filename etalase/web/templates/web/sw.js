{% load static %}// Etalase service worker: caches the app shell, serves the offline page when the network is gone.
const CACHE = "etalase-shell-{{ version }}";
const OFFLINE_URL = "{% url 'web:offline' %}";
const SHELL = [
  OFFLINE_URL,
  "{% static 'web/etalase.css' %}",
  "{% static 'web/app.js' %}",
  "{% static 'web/icons/icon.svg' %}",
  "{% static 'web/icons/sprite.svg' %}",
  "{% static 'web/icons/icon-192.png' %}",
  "{% static 'django_htmx/htmx-2.min.js' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // Pages: always fresh from the network; the offline page when there is none.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (url.pathname.startsWith("{{ static_prefix }}")) {
    // Static files: the cached copy first, refreshed in the background.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then((cached) => {
          const network = fetch(request).then((response) => {
            if (response.ok) { cache.put(request, response.clone()); }
            return response;
          }).catch(() => cached);
          return cached || network;
        })
      )
    );
  }
});

// Web push: show the notification; a tap focuses an Etalase window on its page, or opens one.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Etalase", {
    body: data.body || "",
    icon: data.icon || "{% static 'web/icons/icon-192.png' %}",
    badge: "{% static 'web/icons/icon-192.png' %}",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: data.priority === "high",
    data: { url: data.url || "/notifications/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/notifications/", self.location.origin);
  if (target.origin !== self.location.origin) { return; }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).origin === target.origin && "navigate" in client) {
          return client.focus().then(() => client.navigate(target.href));
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
