// The offline shell: the page's own files are kept; anything else needs the network.
importScripts("/static/push-sw.js");
const SHELL = "township-shell-v1";
const FILES = ["/", "/static/app.css", "/static/app.js", "/static/push.js", "/static/offline.html", "/static/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/join/")) return;
  event.respondWith(
    fetch(event.request).catch(() =>
      caches.match(event.request).then((hit) => hit || caches.match("/static/offline.html")))
  );
});
