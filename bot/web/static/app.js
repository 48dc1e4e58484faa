"use strict";
// The web chat: the member's private chat with the bot and their township group. Text is
// put in the page as text nodes only (Telegram entities become elements), never as HTML.

const SAFE_URL = /^https?:\/\//i;
const state = { me: null, chat: null, version: "", generation: 0, pending: [], flushing: false };
const TEXT_LIMIT = 4096;
const $ = (id) => document.getElementById(id);

// The page's own words, in the member's language (the bot's messages come translated).
const TEXTS = {
  zh: {
    privateChat: "与助手私聊", spoiler: "点击显示", bytes: (n) => `${n} 字节`, photo: "图片", edited: "已编辑",
    empty: "还没有消息。点击 ☰ 查看可用的命令。", shareLocation: "📍 发送我的位置",
    addDevice: "📱 在另一台设备登录", mobile: "🔔 提醒用手机号", signOut: "退出本设备的登录",
    linkFailed: "暂时无法生成链接，请稍后再试。",
    deviceLink: (m) => `在另一台设备的浏览器中打开以下链接即可登录（${m} 分钟内有效，只能使用一次）：`,
    close: "关闭",
    mobilePrompt: "不在本页时，新消息会通过乡镇工作群的群机器人 @ 您。请填写您愿意提供的手机号（留空表示不提供）：",
    mobileBad: "手机号格式不正确，请填写 11 位手机号。", saved: "已保存。", mobileRemoved: "已删除手机号。",
    signOutConfirm: "退出后，需要新的邀请链接或在其他已登录设备上生成链接才能再次登录。确定退出吗？",
    pending: "等待发送…", tooLong: (n, limit) => `消息过长（${n} 字），每条最多 ${limit} 字，请分几条发送。`,
    retrying: "消息暂未发送，稍后会自动重试。", stale: "页面已过期，请刷新页面后再发送。",
    notSent: "这条消息未能发送，已放回输入框。", pressOffline: "网络不通，按钮未能生效，请稍后再按。",
    buttonGone: "此按钮已失效。", noGeo: "此浏览器无法提供位置。", locationFailed: "位置未能发送，请稍后再试。",
    geoDenied: "未能获取位置。请在浏览器设置中允许本页使用位置，或直接选择村庄。",
    tooLarge: "文件过大，无法发送。", fileFailed: "文件未能发送，请稍后再试。",
    offline: "当前处于离线状态，恢复网络后会自动更新。",
    signedOut: "您尚未登录。请打开乡镇书记发给您的邀请链接，在此设备登录。",
    menuButton: "命令菜单", file: "发送文件", composer: "输入消息", composerHint: "回车发送，Shift+回车换行", send: "发送",
  },
  en: {
    privateChat: "Chat with the assistant", spoiler: "Tap to show", bytes: (n) => `${n} bytes`, photo: "Photo", edited: "edited",
    empty: "No messages yet. Tap ☰ to see the commands.", shareLocation: "📍 Send my location",
    addDevice: "📱 Sign in on another device", mobile: "🔔 Mobile number for reminders", signOut: "Sign out on this device",
    linkFailed: "The link could not be made right now; please try again later.",
    deviceLink: (m) => `Open this link in the other device's browser to sign in (valid ${m} minutes, once):`,
    close: "Close",
    mobilePrompt: "While you are away from this page, the township group's robot @mentions you about new messages. The mobile number you choose to give (empty: none):",
    mobileBad: "That is not a mobile number: 11 digits, please.", saved: "Saved.", mobileRemoved: "Mobile number removed.",
    signOutConfirm: "After signing out you need a new invitation, or a link from another signed-in device, to sign in again. Sign out?",
    pending: "waiting to send…", tooLong: (n, limit) => `The message is too long (${n} characters; at most ${limit}). Please send it in parts.`,
    retrying: "Not sent yet; the page will try again.", stale: "The page is out of date; reload it, then send again.",
    notSent: "This message could not be sent; it is back in the box.", pressOffline: "No network: the button did nothing. Press it again later.",
    buttonGone: "This button no longer works.", noGeo: "This browser cannot give a location.", locationFailed: "The location could not be sent; please try again later.",
    geoDenied: "No location: allow this page to use the location in the browser's settings, or choose the village.",
    tooLarge: "The file is too large to send.", fileFailed: "The file could not be sent; please try again later.",
    offline: "You are offline; the page updates once the network is back.",
    signedOut: "You are not signed in. Open the invitation link your township secretary sent you to sign in on this device.",
    menuButton: "Commands", file: "Send a file", composer: "Message", composerHint: "Enter sends, Shift+Enter starts a new line", send: "Send",
  },
};
let T = TEXTS.zh;
function t(key, ...args) {
  const value = T[key];
  return typeof value === "function" ? value(...args) : value;
}

// The language of the page's own words: the member's (remembered for the next start, so the
// shell and push.js start in it).
function useLanguage(language) {
  const en = language === "en";
  T = en ? TEXTS.en : TEXTS.zh;
  document.documentElement.lang = en ? "en" : "zh-CN";
  try { localStorage.setItem("township-language", en ? "en" : "zh_CN"); } catch (error) { /* not kept */ }
  $("offline").textContent = t("offline");
  $("signed-out").textContent = t("signedOut");
  for (const id of ["menu-button"]) { $(id).title = t("menuButton"); $(id).setAttribute("aria-label", t("menuButton")); }
  $("file").setAttribute("aria-label", t("file"));
  $("file").parentElement.title = t("file");
  $("text").placeholder = t("composer");
  $("text").setAttribute("aria-label", t("composer"));
  $("text").title = t("composerHint");
  $("send").textContent = t("send");
  document.dispatchEvent(new CustomEvent("township-language"));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const headers = options.headers || {};
  if (options.method && options.method !== "GET" && state.me) headers["X-CSRF-Token"] = state.me.csrf;
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options, headers });
  } catch (error) {
    offline(true);
    throw error;
  }
  offline(false);
  if (response.status === 401) {
    signedOut();
    throw new Error("signed out");
  }
  return response;
}

function offline(yes) { $("offline").hidden = !yes; }

// Signed out (here, on another device, or by the secretary): nothing of the member's stays on
// the page.
function signedOut() {
  state.generation += 1;
  state.pending = [];
  try { localStorage.removeItem(pendingKey()); } catch (error) { /* storage unavailable */ }
  for (const id of ["messages", "tabs", "reply-keyboard", "menu", "device-link"]) $(id).replaceChildren();
  $("device-link").hidden = true;
  $("menu").hidden = true;
  $("text").value = "";
  $("signed-out").hidden = false;
  $("compose").hidden = true;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

function renderTabs() {
  const tabs = $("tabs");
  tabs.replaceChildren();
  for (const chat of state.me.chats) {
    const label = chat.type === "private" ? t("privateChat") : chat.title;
    tabs.append(el("button", {
      type: "button",
      class: chat.id === state.chat.id ? "tab active" : "tab",
      dataset: { testid: "tab", chat: String(chat.id) },
      onclick: () => choose(chat),
    }, label));
  }
}

function choose(chat) {
  state.chat = chat;
  state.version = "";
  state.generation += 1;
  $("messages").replaceChildren();
  renderTabs();
  renderMenu();
  poll(state.generation);
}

function renderText(text, entities) {
  const root = el("div", { class: "text", dataset: { testid: "text" } });
  const sorted = (entities || []).filter((e) => e.length > 0)
    .slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(root, text || "", sorted, 0, (text || "").length);
  return root;
}

function build(parent, text, entities, start, end) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const e = entities[i];
    const eStart = Math.max(e.offset, pos);
    const eEnd = Math.min(e.offset + e.length, end);
    let j = i + 1;
    const inner = [];
    while (j < entities.length && entities[j].offset < e.offset + e.length) { inner.push(entities[j]); j += 1; }
    if (eStart >= eEnd) { i = j; continue; }
    if (eStart > pos) parent.append(text.slice(pos, eStart));
    const node = entityNode(e, text.slice(eStart, eEnd));
    build(node, text, inner, eStart, eEnd);
    parent.append(node);
    pos = eEnd;
    i = j;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

function entityNode(e, inner) {
  switch (e.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const span = el("span", { class: "spoiler", title: t("spoiler") });
      span.addEventListener("click", () => span.classList.add("shown"));
      return span;
    }
    case "text_link": return link(e.url || "");
    case "url": return link(inner);
    default: return el("span");
  }
}

function link(url) {
  if (!SAFE_URL.test(url)) return el("span");
  return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
}

function fileSize(bytes) {
  if (!bytes) return "";
  if (bytes < 1024) return t("bytes", bytes);
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function renderMessage(m) {
  const box = el("article", { class: m.from_bot ? "message bot" : "message mine", dataset: { testid: "message", id: String(m.id) } });
  if (m.photo) {
    box.append(el("img", { src: `/api/files/${encodeURIComponent(m.photo.file_id)}`, alt: t("photo"), class: "photo" }));
  }
  if (m.document) {
    const a = el("a", { href: `/api/files/${encodeURIComponent(m.document.file_id)}`, download: "", class: "file", dataset: { testid: "document" } });
    a.append(el("span", { class: "file-name" }, m.document.name), el("span", { class: "muted" }, ` ${fileSize(m.document.size)}`));
    box.append(a);
  }
  if (m.location) {
    box.append(el("div", { class: "location", dataset: { testid: "location" } },
      `📍 ${m.location.latitude.toFixed(5)}, ${m.location.longitude.toFixed(5)}`));
  }
  if (m.text) box.append(renderText(m.text, m.entities));
  if (m.edited) box.append(el("span", { class: "muted edited" }, t("edited")));
  for (const row of m.buttons || []) {
    const line = el("div", { class: "buttons" });
    for (const b of row) {
      if (b.url && SAFE_URL.test(b.url)) {
        line.append(el("a", { class: "button", href: b.url, target: "_blank", rel: "noopener noreferrer" }, b.text));
      } else if (b.data) {
        line.append(el("button", { type: "button", class: "button", dataset: { testid: "button" }, onclick: (event) => press(m.id, b.data, event.currentTarget) }, b.text));
      }
    }
    box.append(line);
  }
  return box;
}

function renderMessages(payload) {
  const list = $("messages");
  const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  list.replaceChildren(...payload.messages.map(renderMessage));
  if (!payload.messages.length && !waiting().length) list.append(el("p", { class: "muted empty" }, t("empty")));
  renderPending();
  const keyboard = $("reply-keyboard");
  keyboard.replaceChildren();
  for (const row of payload.keyboard || []) {
    const line = el("div", { class: "buttons" });
    for (const b of row) {
      const act = b.location ? shareLocation : () => send(b.text);
      line.append(el("button", { type: "button", class: "button", dataset: { testid: "reply-button" }, onclick: act }, b.text));
    }
    keyboard.append(line);
  }
  if (atEnd) list.scrollTop = list.scrollHeight;
}

function renderMenu() {
  const menu = $("menu");
  menu.replaceChildren();
  for (const c of state.chat.commands || []) {
    menu.append(el("li", {}, el("button", { type: "button", dataset: { testid: "command" }, onclick: () => { menu.hidden = true; send(`/${c.command}`); } },
      el("b", {}, `/${c.command}`), ` ${c.description}`)));
  }
  menu.append(el("li", { class: "separator" }, el("button", { type: "button", dataset: { testid: "share-location" }, onclick: () => { menu.hidden = true; shareLocation(); } }, t("shareLocation"))));
  menu.append(el("li", {}, el("button", { type: "button", dataset: { testid: "add-device" }, onclick: () => { menu.hidden = true; addDevice(); } }, t("addDevice"))));
  menu.append(el("li", {}, el("button", { type: "button", dataset: { testid: "mobile" }, onclick: () => { menu.hidden = true; setMobile(); } }, t("mobile"))));
  menu.append(el("li", {}, el("button", { type: "button", dataset: { testid: "sign-out" }, onclick: () => { menu.hidden = true; signOut(); } }, t("signOut"))));
}

async function addDevice() {
  const response = await api("/api/devices/link", { method: "POST" });
  if (!response.ok) { toast(t("linkFailed")); return; }
  const { link, minutes } = await response.json();
  const box = $("device-link");
  box.replaceChildren(
    el("p", {}, t("deviceLink", minutes)),
    el("p", { class: "link", dataset: { testid: "device-link" } }, link),
    el("button", { type: "button", class: "button", onclick: () => { box.hidden = true; } }, t("close")),
  );
  box.hidden = false;
}

async function setMobile() {
  const current = state.me.user.mobile || "";
  const value = window.prompt(t("mobilePrompt"), current);
  if (value === null) return;
  const response = await api("/api/me/mobile", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ mobile: value.trim() }),
  });
  if (!response.ok) { toast(t("mobileBad")); return; }
  state.me.user.mobile = value.trim() || null;
  toast(value.trim() ? t("saved") : t("mobileRemoved"));
}

async function signOut() {
  if (!window.confirm(t("signOutConfirm"))) return;
  await api("/api/signout", { method: "POST" });
  signedOut();
}

async function poll(generation) {
  while (generation === state.generation) {
    try {
      const query = new URLSearchParams({ known: state.version, wait: state.version ? "20" : "0" });
      const response = await api(`/api/chats/${state.chat.id}/messages?${query}`);
      if (generation !== state.generation) return;
      if (!response.ok) { await pause(3000); continue; }
      const payload = await response.json();
      const changed = payload.version !== state.version;
      if (changed || !state.version) renderMessages(payload);
      if (changed && state.version) refreshMe();
      state.version = payload.version;
      if (state.pending.length) flush();
    } catch (error) {
      if (!$("signed-out").hidden) return;
      await pause(3000);
    }
  }
}

// What the bot changes by a message (a registration confirmed, a role, the language, a
// township joined or left) shows at once: the tabs and the command menu are read again.
async function refreshMe() {
  state.asked = (state.asked || 0) + 1;
  const asked = state.asked;
  let response;
  try { response = await api("/api/me"); } catch (error) { return; }
  if (!response.ok) return;
  const me = await response.json();
  // Only the newest answer counts: an older one may arrive after it.
  if (asked !== state.asked || !state.me || me.user.id !== state.me.user.id) return;
  state.me = me;
  if (me.language !== (T === TEXTS.en ? "en" : "zh_CN")) useLanguage(me.language);
  const current = me.chats.find((c) => c.id === state.chat.id);
  if (!current) { choose(me.chats[0]); return; }
  state.chat = current;
  renderTabs();
  renderMenu();
}

function pause(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

// Typed messages wait in the page (and in the browser's storage, for a reload) until the
// server has them: offline, they go when the network is back; each carries its own key, so
// sending one again after a lost answer does not post it twice.
function pendingKey() { return state.me ? `township-pending-${state.me.user.id}` : "township-pending"; }

function savePending() {
  try { localStorage.setItem(pendingKey(), JSON.stringify(state.pending)); } catch (error) { /* kept in memory only */ }
}

function loadPending() {
  try { state.pending = JSON.parse(localStorage.getItem(pendingKey()) || "[]"); } catch (error) { state.pending = []; }
}

function waiting() { return state.chat ? state.pending.filter((p) => p.chat === state.chat.id) : []; }

function renderPending() {
  const list = $("messages");
  for (const old of list.querySelectorAll(".pending")) old.remove();
  for (const p of waiting()) {
    list.append(el("article", { class: "message mine pending", dataset: { testid: "pending" } },
      el("div", { class: "text" }, p.text), el("span", { class: "muted edited" }, t("pending"))));
  }
  list.scrollTop = list.scrollHeight;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function send(text) {
  if (text.length > TEXT_LIMIT) {
    toast(t("tooLong", text.length, TEXT_LIMIT));
    return false;
  }
  state.pending.push({ key: newKey(), chat: state.chat.id, text });
  savePending();
  renderPending();
  flush();
  return true;
}

function retryLater() {
  clearTimeout(retryLater.timer);
  retryLater.timer = setTimeout(flush, 3000);
}

async function flush() {
  if (state.flushing) return;
  state.flushing = true;
  try {
    while (state.pending.length) {
      const p = state.pending[0];
      let response;
      try {
        response = await api(`/api/chats/${p.chat}/messages`, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: p.text, key: p.key }),
        });
      } catch (error) {
        // Offline, or the server restarting: it stays, and is tried again shortly (and at
        // once when the browser says it is back online).
        if ($("signed-out").hidden) retryLater();
        return;
      }
      if (!response.ok && ![400, 403, 404].includes(response.status)) {
        toast(t("retrying"));
        retryLater();
        return;
      }
      state.pending.shift();
      savePending();
      if (!response.ok) {
        toast(response.status === 403 ? t("stale") : t("notSent"));
        if (!$("text").value) $("text").value = p.text;
      }
      renderPending();
    }
  } finally {
    state.flushing = false;
  }
}

async function press(messageId, data, button) {
  if (button.disabled) return;  // a second press of the same button before the bot answered
  button.disabled = true;
  try {
    await answerPress(messageId, data);
  } catch (error) {
    if ($("signed-out").hidden) toast(t("pressOffline"));
  } finally {
    button.disabled = false;
  }
}

async function answerPress(messageId, data) {
  const response = await api(`/api/chats/${state.chat.id}/press`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ message_id: messageId, data }),
  });
  if (!response.ok) { toast(t("buttonGone")); return; }
  const { query } = await response.json();
  const answer = await (await api(`/api/answers/${query}?wait=10`)).json();
  if (answer.answer && answer.answer.text) {
    if (answer.answer.show_alert) window.alert(answer.answer.text); else toast(answer.answer.text);
  }
}

function shareLocation() {
  if (!navigator.geolocation) { toast(t("noGeo")); return; }
  navigator.geolocation.getCurrentPosition(async (position) => {
    const { latitude, longitude } = position.coords;
    const response = await api(`/api/chats/${state.chat.id}/location`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ latitude, longitude }),
    });
    if (!response.ok) toast(t("locationFailed"));
  }, () => toast(t("geoDenied")), { enableHighAccuracy: true, timeout: 15000 });
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file);
  const response = await api(`/api/chats/${state.chat.id}/files`, { method: "POST", body: form });
  if (response.status === 413) toast(t("tooLarge"));
  else if (!response.ok) toast(t("fileFailed"));
}

function wire() {
  const text = $("text");
  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    if (send(value)) text.value = "";
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("compose").requestSubmit();
    }
  });
  $("menu-button").addEventListener("click", () => {
    $("menu").hidden = !$("menu").hidden;
    $("menu-button").setAttribute("aria-expanded", String(!$("menu").hidden));
  });
  $("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (file) upload(file);
  });
  window.addEventListener("online", () => { offline(false); flush(); });
  window.addEventListener("offline", () => offline(true));
}

async function main() {
  wire();
  let remembered = "zh_CN";
  try { remembered = localStorage.getItem("township-language") || "zh_CN"; } catch (error) { /* none */ }
  useLanguage(remembered);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  let response;
  try { response = await api("/api/me"); } catch (error) { return; }
  state.me = await response.json();
  useLanguage(state.me.language);
  loadPending();
  choose(state.me.chats[0]);
}

main();
