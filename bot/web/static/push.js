"use strict";
// Reminders through Web Push: permission is asked only when the member taps the button; the
// subscription is bound on the server to this signed-in device. Where the browser's push
// service cannot be reached (Chrome's in mainland China), the township's group robot still
// nudges the member.
(() => {
  const ZH = { on: "开启提醒", off: "关闭提醒", done: "提醒已开启。", stopped: "提醒已关闭。",
    denied: "浏览器未允许通知。可在浏览器设置中允许本页发送通知。",
    failed: "此浏览器暂时无法开启推送提醒，请留意工作群机器人的提醒。" };
  const EN = { on: "Turn on reminders", off: "Turn off reminders", done: "Reminders are on.",
    stopped: "Reminders are off.",
    denied: "The browser did not allow notifications; allow them in its settings.",
    failed: "This browser cannot receive push reminders; watch the work group's robot." };
  // The page's language (app.js sets it from the member's, and says when it changes).
  let TEXT = ZH;
  function pickLanguage() { TEXT = (document.documentElement.lang || "zh").startsWith("zh") ? ZH : EN; }
  pickLanguage();
  let csrf = null;
  let key = null;

  function say(text) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    setTimeout(() => { box.hidden = true; }, 5000);
  }

  function keyBytes(text) {
    const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function change(method, body) {
    if (csrf === null) {
      const me = await fetch("/api/me", { credentials: "same-origin" });
      if (!me.ok) return false;
      csrf = (await me.json()).csrf;
    }
    const response = await fetch("/api/push", {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    return response.ok;
  }

  async function turnOn(button) {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") { say(TEXT.denied); return; }
    try {
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(key),
      });
      if (!(await change("POST", subscription.toJSON()))) throw new Error("refused");
    } catch (error) {
      say(TEXT.failed);
      return;
    }
    button.dataset.on = "true";
    button.textContent = TEXT.off;
    say(TEXT.done);
  }

  async function turnOff(button) {
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) await subscription.unsubscribe().catch(() => {});
    await change("DELETE");
    button.dataset.on = "false";
    button.textContent = TEXT.on;
    say(TEXT.stopped);
  }

  async function start() {
    if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) return;
    const response = await fetch("/api/push", { credentials: "same-origin" });
    if (!response.ok) return;
    const state = await response.json();
    if (!state.available) return;
    key = state.key;
    let on = state.subscribed && Notification.permission === "granted";
    if (!state.subscribed && Notification.permission === "granted") {
      // Subscribed before on this browser (say, signed in again): bind it to this session.
      const registration = await navigator.serviceWorker.getRegistration();
      const existing = registration && await registration.pushManager.getSubscription();
      on = Boolean(existing) && await change("POST", existing.toJSON());
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "tab";
    button.id = "push-button";
    button.dataset.testid = "push-button";
    button.dataset.on = String(on);
    button.textContent = on ? TEXT.off : TEXT.on;
    document.addEventListener("township-language", () => {
      pickLanguage();
      button.textContent = button.dataset.on === "true" ? TEXT.off : TEXT.on;
    });
    button.addEventListener("click", () => {
      button.disabled = true;
      const action = button.dataset.on === "true" ? turnOff : turnOn;
      action(button).finally(() => { button.disabled = false; });
    });
    const bar = document.querySelector(".topbar");
    if (bar) bar.append(button);
  }

  start().catch(() => {});
})();
