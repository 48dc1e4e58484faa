"use strict";
// The service worker's side of Web Push: the server sends only a short "new messages" notice
// and the chat's address; a tap opens the chat (this server's, whatever a payload says).

function chatUrl(url) {
  try {
    const target = new URL(url, self.location.origin);
    if (target.origin === self.location.origin) return target.href;
  } catch (error) { /* not a URL */ }
  return self.location.origin + "/";
}

self.showReminder = (data) => {
  const title = typeof data.title === "string" && data.title ? data.title.slice(0, 64) : "乡镇工作助手";
  const body = typeof data.body === "string" ? data.body.slice(0, 200) : "您有新的消息。";
  return self.registration.showNotification(title, {
    body,
    icon: "/static/icon.svg",
    tag: "township-new-messages",
    renotify: true,
    data: { url: chatUrl(data.url) },
  });
};

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(self.showReminder(data || {}));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = chatUrl((event.notification.data || {}).url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      return open ? open.focus() : self.clients.openWindow(url);
    })
  );
});
