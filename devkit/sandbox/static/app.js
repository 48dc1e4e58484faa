// The sandbox page. Every text from the bot is put into the DOM as text nodes built from
// Telegram entities; no string is ever parsed as HTML.
"use strict";

const WEEKDAYS = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const SAFE_URL = /^(https?:|tg:)/i;

const S = {
  state: null,
  cursor: 0,
  epoch: 0,
  me: null,          // telegram id of the person the page acts as
  view: "private",   // "private" or "group"
  seen: {},          // chat key -> highest message id seen while that chat was open
  answered: {},      // chat id -> last callback answer id shown
  menu: null,        // "commands" | "attach" | null
  atBottom: undefined, // whether the reader is at the newest message (kept there while so)
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// --- API ---------------------------------------------------------------------------------

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  const payload = await response.json().catch(() => ({ ok: false, error: response.statusText }));
  if (!payload.ok) {
    toast("出错了：" + (payload.error || response.status));
    throw new Error(payload.error || String(response.status));
  }
  return payload.result;
}

async function poll() {
  for (;;) {
    try {
      const response = await fetch(`/api/events?after=${S.cursor}&timeout=25`);
      if (!response.ok) throw new Error(String(response.status));
      $("offline").hidden = true;
      apply(await response.json());
    } catch (error) {
      $("offline").hidden = false;
      // Back off before reconnecting (the demo process may have been restarted).
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }
}

// --- state -------------------------------------------------------------------------------

function person(id) {
  return S.state.people.find((p) => p.id === id);
}

function currentChat() {
  if (!S.state) return null;
  return S.view === "group" ? S.state.group.chat : person(S.me).chat;
}

function chatKey(chatId) {
  return S.view === "group" ? `g${chatId}` : `p${chatId}`;
}

function apply(state) {
  const reset = S.state && state.epoch !== S.epoch;
  const first = !S.state || reset;
  S.state = state;
  S.cursor = state.cursor;
  S.epoch = state.epoch;
  if (first) {
    S.seen = {};
    S.answered = {};
    for (const p of state.people) {
      S.seen[`p${p.id}`] = lastId(p.chat);
      if (p.chat.callback_answer) S.answered[p.id] = p.chat.callback_answer.id;
    }
    S.seen[`g${state.group.id}`] = lastId(state.group.chat);
    if (reset) $("messages").replaceChildren();
  }
  if (S.me === null || !person(S.me)) {
    const fromHash = Number(new URLSearchParams(location.hash.slice(1)).get("as"));
    S.me = person(fromHash) ? fromHash : state.people[0].id;
  }
  showAnswers();
  render();
}

function lastId(chat) {
  return chat.messages.reduce((max, m) => Math.max(max, m.id), 0);
}

function showAnswers() {
  for (const p of S.state.people) {
    const answer = p.chat.callback_answer;
    if (!answer || S.answered[p.id] === answer.id) continue;
    S.answered[p.id] = answer.id;
    if (p.id !== S.me || !answer.text) continue;
    if (answer.alert) {
      $("alert-text").textContent = answer.text;
      if (!$("alert-dialog").open) $("alert-dialog").showModal();
    } else {
      toast(answer.text);
    }
  }
}

// --- rendering ---------------------------------------------------------------------------

function render() {
  renderClock();
  renderPeople();
  renderChat();
  document.body.dataset.cursor = String(S.cursor);
  document.body.dataset.ready = "1";
}

function formatTime(iso, withDate) {
  // The server sends township-local ISO times; show them as they are written.
  const [d, t] = iso.split("T");
  const [, month, day] = d.split("-");
  const hhmm = t.slice(0, 5);
  return withDate ? `${Number(month)}月${Number(day)}日 ${hhmm}` : hhmm;
}

function weekdayOf(iso) {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  const js = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return WEEKDAYS[js === 0 ? 7 : js];
}

function renderClock() {
  const clock = S.state.clock;
  $("clock-now").textContent =
    `${clock.now.slice(0, 4)}年${formatTime(clock.now, true).replace(" ", " " + weekdayOf(clock.now) + " ")}`;
  for (const button of document.querySelectorAll("[data-clock]")) {
    const target = clock.targets[button.dataset.clock];
    if (target) button.title = `到 ${formatTime(target, true)} ${weekdayOf(target)}`;
  }
}

function initialOf(name) {
  return Array.from(name || "?")[0];
}

function avatarColor(id) {
  const colors = ["#2563eb", "#0891b2", "#059669", "#d97706", "#7c3aed", "#db2777", "#475569"];
  return colors[Math.abs(id) % colors.length];
}

function roleChips(p) {
  const chips = p.roles.map((role, i) =>
    el("span", { class: `role role-${role}`, dataset: { role } }, p.role_labels[i] || role));
  if (p.roles.length && !p.active) chips.push(el("span", { class: "role role-inactive" }, "已停用"));
  return chips;
}

function unread(chat, key) {
  const seen = S.seen[key] || 0;
  return chat.messages.filter((m) => m.from_bot && m.id > seen && !m.deleted).length;
}

function renderPeople() {
  const list = $("people");
  list.replaceChildren(
    ...S.state.people.map((p) => {
      const selected = S.view === "private" && p.id === S.me;
      const count = selected ? 0 : unread(p.chat, `p${p.id}`);
      const avatar = el("span", { class: "avatar" }, initialOf(p.name));
      avatar.style.background = avatarColor(p.id);
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "person",
            "aria-current": selected ? "true" : "false",
            dataset: { person: String(p.id), testid: `person-${p.id}` },
            onclick: () => choose(p.id, "private"),
          },
          avatar,
          el(
            "span",
            { class: "person-main" },
            el("div", { class: "person-name" }, p.name),
            p.roles.length
              ? el("div", { class: "roles" }, roleChips(p))
              : el("div", { class: "person-note" }, p.note || "未注册"),
          ),
          count ? el("span", { class: "badge", dataset: { testid: "unread" } }, count) : null,
        ),
      );
    }),
  );
  const group = S.state.group;
  const inGroup = S.view === "group";
  const count = inGroup ? 0 : unread(group.chat, `g${group.id}`);
  $("groups").replaceChildren(
    el(
      "li",
      {},
      el(
        "button",
        {
          type: "button",
          class: "person",
          "aria-current": inGroup ? "true" : "false",
          dataset: { testid: "group" },
          onclick: () => choose(S.me, "group"),
        },
        el("span", { class: "avatar group" }, "群"),
        el(
          "span",
          { class: "person-main" },
          el("div", { class: "person-name" }, group.title),
          el("div", { class: "person-note" }, `以 ${person(S.me).name} 的身份`),
        ),
        count ? el("span", { class: "badge" }, count) : null,
      ),
    ),
  );
}

function renderChat() {
  const chat = currentChat();
  const me = person(S.me);
  const box = $("messages");
  const nearBottom = S.atBottom !== false && isAtBottom(box);
  const avatar = $("chat-avatar");
  if (S.view === "group") {
    avatar.className = "avatar group";
    avatar.textContent = "群";
    $("chat-name").textContent = S.state.group.title;
    $("chat-sub").textContent = `${S.state.township.name} · 以 ${me.name} 的身份发言 · 机器人只收到命令`;
  } else {
    avatar.className = "avatar bot";
    avatar.textContent = "助";
    $("chat-name").textContent = `${me.name} ↔ ${S.state.bot.name}`;
    const roles = me.role_labels.join("、");
    $("chat-sub").textContent = roles
      ? `${me.name}（${roles}）与机器人 @${S.state.bot.username} 的私聊`
      : `${me.name}：${me.note || "未注册"}`;
  }
  const key = chatKey(chat.id);
  const previous = box.dataset.chat;
  box.dataset.chat = key;
  if (previous !== key) box.replaceChildren();

  const wanted = [];
  let lastDay = null;
  for (const m of chat.messages) {
    const day = m.date.slice(0, 10);
    if (day !== lastDay) {
      wanted.push({ key: `day-${day}`, build: () =>
        el("div", { class: "day" }, `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日 ${weekdayOf(m.date)}`) });
      lastDay = day;
    }
    wanted.push({ key: `m-${m.id}-${m.version}-${m.deleted ? 1 : 0}`, build: () => renderMessage(m, chat) });
  }
  if (!chat.messages.length) {
    wanted.push({ key: "empty", build: () => el("div", { class: "empty" }, emptyText(me)) });
  }
  // Keyed update: unchanged messages keep their nodes; edited ones are replaced in place.
  const existing = new Map(Array.from(box.children).map((node) => [node.dataset.key, node]));
  let cursor = box.firstChild;
  for (const item of wanted) {
    let node = existing.get(item.key);
    if (node) existing.delete(item.key);
    else {
      node = item.build();
      node.dataset.key = item.key;
    }
    if (node !== cursor) box.insertBefore(node, cursor);
    else cursor = cursor.nextSibling;
  }
  for (const node of existing.values()) node.remove();

  const newest = lastId(chat);
  const grew = newest > (S.seen[key] || 0);
  S.seen[key] = Math.max(S.seen[key] || 0, newest);
  if (previous !== key || nearBottom || (grew && lastMineIsNewest(chat))) {
    box.scrollTop = box.scrollHeight;
  }
  S.atBottom = isAtBottom(box);
  renderReplyKeyboard(chat);
  renderMenus(chat);
}

function isAtBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function fitComposer() {
  const input = $("input");
  input.style.height = "auto";
  const height = Math.min(input.scrollHeight + 2, 160);
  input.style.height = `${height}px`;
  input.style.overflowY = input.scrollHeight + 2 > 160 ? "auto" : "hidden";
}

function lastMineIsNewest(chat) {
  const last = chat.messages[chat.messages.length - 1];
  return last && !last.from_bot && last.from_id === S.me;
}

function emptyText(me) {
  if (S.view === "group") return "群里还没有消息。机器人在这里发布例会议程和红黑榜。";
  if (me.roles.length) return `以 ${me.name} 的身份开始：发送 /start 或 /help。`;
  return `${me.name} 还不是成员。让书记用 /invite 生成邀请链接，再以 ${me.name} 的身份打开它。`;
}

function renderMessage(m, chat) {
  const mine = !m.from_bot && m.from_id === S.me;
  const node = el("div", {
    class: `msg ${mine ? "mine" : "theirs"}${m.deleted ? " deleted" : ""}` +
      (m.buttons && m.buttons.length ? " has-kb" : ""),
    dataset: { msg: String(m.id), from: m.from_bot ? "bot" : "user", version: String(m.version) },
  });
  if (!mine && (S.view === "group" || !m.from_bot)) {
    node.append(el("div", { class: "sender" }, m.from_bot ? S.state.bot.name : m.from_name));
  }
  const bubble = el("div", { class: "bubble" });
  if (m.deleted) {
    bubble.append(el("div", { class: "text" }, "（消息已删除）"));
    node.append(bubble);
    return node;
  }
  if (m.file) bubble.append(renderFile(m.file));
  if (m.location) {
    bubble.append(
      el("div", { class: "location", dataset: { testid: "location" } },
        el("span", { class: "location-pin" }, "📍"),
        el("span", {}, el("div", {}, m.location.label),
          el("small", {}, `${m.location.lat.toFixed(5)}, ${m.location.lon.toFixed(5)}`))));
  }
  if (m.text) bubble.append(renderText(m.text, m.entities || [], m.from_bot));
  bubble.append(el("div", { class: "meta" }, (m.edited ? "已编辑 · " : "") + formatTime(m.date, false)));
  node.append(bubble);
  if (m.buttons && m.buttons.length) node.append(renderInlineKeyboard(m, chat));
  return node;
}

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function renderFile(file) {
  if (file.kind === "photo") {
    return el("a", { href: file.url, target: "_blank", rel: "noopener" },
      el("img", { class: "photo", src: file.url, alt: "照片", loading: "lazy", dataset: { testid: "photo" } }));
  }
  const isSheet = /sheet|excel|\.xlsx?$/i.test(file.mime + file.name);
  const isPage = /html/i.test(file.mime);
  const icon = isSheet ? "📊" : isPage ? "🖨️" : "📄";
  const links = [el("a", { href: `${file.url}?download=1`, download: file.name, dataset: { testid: "download" } }, "下载")];
  if (isPage || /pdf|^image\//.test(file.mime)) {
    links.unshift(el("a", { href: file.url, target: "_blank", rel: "noopener" }, "打开"));
  }
  return el("div", { class: "file", dataset: { testid: "document" } },
    el("span", { class: "file-icon" }, icon),
    el("span", {}, el("div", { class: "file-name" }, file.name),
      el("div", { class: "file-links" }, el("span", { class: "muted" }, fileSize(file.size)), links)));
}

// Telegram entities -> DOM. Offsets are UTF-16 code units, like JavaScript strings.
function renderText(text, entities, fromBot) {
  const root = el("div", { class: "text", dataset: { testid: "text" } });
  const sorted = entities
    .filter((e) => e.length > 0)
    .slice()
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(root, text, sorted, 0, text.length, fromBot);
  return root;
}

function build(parent, text, entities, start, end, fromBot) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const e = entities[i];
    const eStart = Math.max(e.offset, pos);
    const eEnd = Math.min(e.offset + e.length, end);
    let j = i + 1;
    const inner = [];
    while (j < entities.length && entities[j].offset < e.offset + e.length) {
      inner.push(entities[j]);
      j += 1;
    }
    if (eStart >= eEnd) { i = j; continue; }
    if (eStart > pos) plain(parent, text.slice(pos, eStart), fromBot);
    const node = entityNode(e, text.slice(eStart, eEnd));
    build(node, text, inner, eStart, eEnd, fromBot && e.type !== "text_link" && e.type !== "code" && e.type !== "pre");
    parent.append(node);
    pos = eEnd;
    i = j;
  }
  if (pos < end) plain(parent, text.slice(pos, end), fromBot);
}

function entityNode(e, inner) {
  switch (e.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const span = el("span", { class: "spoiler", title: "点击显示" });
      span.addEventListener("click", () => span.classList.add("shown"));
      return span;
    }
    case "text_link": return link(e.url || "", inner);
    case "url": return link(inner, inner);
    case "bot_command": return commandLink(inner);
    default: return el("span");
  }
}

function link(url, label) {
  if (!SAFE_URL.test(url)) return el("span");
  const deep = deepLink(url);
  if (deep !== null) {
    return el("a", { href: "#", title: "以某人的身份打开", onclick: (ev) => { ev.preventDefault(); openDeepLink(deep); } });
  }
  return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
}

function deepLink(url) {
  // https://t.me/<this bot>?start=PAYLOAD -> PAYLOAD ("" without one); null for other links.
  try {
    const parsed = new URL(url);
    const bot = S.state.bot.username.toLowerCase();
    if (!/^(t\.me|telegram\.me)$/i.test(parsed.hostname)) return null;
    if (parsed.pathname.replace(/\//g, "").toLowerCase() !== bot) return null;
    return parsed.searchParams.get("start") || "";
  } catch (error) {
    return null;
  }
}

function commandLink(command) {
  return el("a", { href: "#", class: "cmd", onclick: (ev) => { ev.preventDefault(); sendText(command); } });
}

const AUTO = /(https?:\/\/[^\s<>"'，。；）)]+)|((?:^|(?<=[\s(（：:]))\/[a-zA-Z][a-zA-Z0-9_]{0,31}(?![\w/]))/g;

// Plain text with Telegram's automatic entities: links and /commands are clickable.
function plain(parent, text, fromBot) {
  if (!fromBot) {
    parent.append(document.createTextNode(text));
    return;
  }
  let pos = 0;
  for (const match of text.matchAll(AUTO)) {
    if (match.index > pos) parent.append(document.createTextNode(text.slice(pos, match.index)));
    const token = match[0];
    const node = match[1] ? link(token, token) : commandLink(token);
    node.append(document.createTextNode(token));
    parent.append(node);
    pos = match.index + token.length;
  }
  if (pos < text.length) parent.append(document.createTextNode(text.slice(pos)));
}

function renderInlineKeyboard(m, chat) {
  return el("div", { class: "ikb", dataset: { testid: "inline-keyboard" } },
    m.buttons.map((row) => el("div", { class: "ikb-row" }, row.map((b) => {
      if (b.data !== undefined) {
        return el("button", {
          type: "button",
          dataset: { callback: b.data },
          onclick: async (ev) => {
            const button = ev.currentTarget;
            button.disabled = true;
            try {
              await api("/api/press", { user: S.me, chat: chat.id, message_id: m.id, data: b.data });
            } finally {
              button.disabled = false;
            }
          },
        }, b.text);
      }
      if (b.url && SAFE_URL.test(b.url)) {
        const node = link(b.url, b.text);
        node.append(document.createTextNode(b.text + " ↗"));
        return node;
      }
      return el("button", { type: "button", disabled: true }, b.text);
    }))));
}

function renderReplyKeyboard(chat) {
  const box = $("reply-keyboard");
  const keyboard = S.view === "private" ? chat.reply_keyboard : null;
  if (!keyboard) {
    box.hidden = true;
    box.replaceChildren();
    $("input").placeholder = "输入消息或 /命令";
    return;
  }
  box.hidden = false;
  $("input").placeholder = keyboard.placeholder || "输入消息或 /命令";
  box.replaceChildren(...keyboard.rows.map((row) => el("div", { class: "row" }, row.map((b) =>
    el("button", {
      type: "button",
      dataset: { testid: "reply-button" },
      onclick: () => (b.request_location ? openLocation() : sendText(b.text)),
    }, b.request_location ? `📍 ${b.text}` : b.text)))));
}

function renderMenus(chat) {
  const commands = S.view === "private" ? chat.commands : [];
  $("commands-btn").hidden = !commands.length;
  $("attach-btn").hidden = S.view !== "private";
  $("command-menu").hidden = S.menu !== "commands" || !commands.length;
  $("attach-menu").hidden = S.menu !== "attach" || S.view !== "private";
  $("command-menu").replaceChildren(...commands.map((c) => el("button", {
    type: "button",
    onclick: () => { S.menu = null; sendText(`/${c.command}`); },
  }, el("span", { class: "cmd-name" }, `/${c.command}`), el("span", { class: "cmd-desc" }, c.description))));
}

// --- actions -----------------------------------------------------------------------------

function choose(id, view) {
  S.me = id;
  S.view = view;
  S.menu = null;
  $("toast").hidden = true;  // a button answer belongs to the person who pressed
  history.replaceState(null, "", `#as=${id}`);
  setDrawer(false);
  render();
  $("input").focus({ preventScroll: true });
}

async function sendText(text) {
  const value = text.trim();
  if (!value) return;
  S.menu = null;
  const chat = S.view === "group" ? S.state.group.id : undefined;
  await api("/api/send", { user: S.me, text: value, chat });
}

function openLocation() {
  S.menu = null;
  renderMenus(currentChat());
  const box = $("location-choices");
  box.replaceChildren(...S.state.places.map((place) => el("button", {
    value: place.name,
    dataset: { village: place.name },
  }, place.label, el("small", {}, place.radius_m ? `半径 ${place.radius_m} 米内` : "不在任何村"))));
  openDialog("location-dialog");
}

function openDeepLink(payload) {
  const box = $("link-choices");
  box.replaceChildren(...S.state.people.map((p) => el("button", {
    value: String(p.id),
    dataset: { person: String(p.id) },
  }, p.name, el("small", {}, p.role_labels.join("、") || p.note || "未注册"))));
  const dialog = $("link-dialog");
  dialog.dataset.payload = payload;
  openDialog("link-dialog");
}

function openDialog(id) {
  const dialog = $(id);
  dialog.returnValue = "";  // Escape keeps the old value otherwise
  dialog.showModal();
}

function toast(text) {
  const node = $("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 3500);
}

function setDrawer(open) {
  $("app").classList.toggle("drawer-open", open);
  $("drawer-toggle").setAttribute("aria-expanded", String(open));
}

function wire() {
  for (const button of document.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close("cancel"));
  }
  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("input");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    fitComposer();
    try {
      await sendText(text);
    } catch (error) {
      input.value = text;
      fitComposer();
    }
  });
  // As Telegram Desktop: Enter sends, Shift+Enter breaks the line (and Enter that confirms
  // an input method's candidate is left to the input method).
  $("input").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || ev.shiftKey || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    $("composer").requestSubmit();
  });
  $("input").addEventListener("input", fitComposer);
  // The chat stays at its newest message while the reader is there, whatever grows: an
  // edited card, a picture that loads, a taller composer or a reply keyboard.
  const box = $("messages");
  box.addEventListener("scroll", () => { S.atBottom = isAtBottom(box); }, { passive: true });
  const keepBottom = () => { if (S.atBottom) box.scrollTop = box.scrollHeight; };
  new ResizeObserver(keepBottom).observe(box);
  box.addEventListener("load", keepBottom, true);
  $("commands-btn").addEventListener("click", () => {
    S.menu = S.menu === "commands" ? null : "commands";
    renderMenus(currentChat());
  });
  $("attach-btn").addEventListener("click", () => {
    S.menu = S.menu === "attach" ? null : "attach";
    renderMenus(currentChat());
  });
  $("attach-location").addEventListener("click", openLocation);
  $("attach-photo").addEventListener("click", () => {
    S.menu = null;
    renderMenus(currentChat());
    $("photo-caption").value = "";
    openDialog("photo-dialog");
  });
  $("location-dialog").addEventListener("close", () => {
    const value = $("location-dialog").returnValue;
    if (value && value !== "cancel") api("/api/location", { user: S.me, village: value });
  });
  $("photo-dialog").addEventListener("close", () => {
    if ($("photo-dialog").returnValue === "send") {
      api("/api/photo", { user: S.me, caption: $("photo-caption").value });
    }
  });
  $("link-dialog").addEventListener("close", () => {
    const value = $("link-dialog").returnValue;
    if (!value || value === "cancel") return;
    const id = Number(value);
    choose(id, "private");
    const payload = $("link-dialog").dataset.payload;
    api("/api/send", { user: id, text: payload ? `/start ${payload}` : "/start" });
  });
  for (const button of document.querySelectorAll("[data-clock]")) {
    button.addEventListener("click", async () => {
      const all = document.querySelectorAll("[data-clock]");
      all.forEach((b) => { b.disabled = true; });
      try {
        await api("/api/clock", { action: button.dataset.clock });
      } finally {
        all.forEach((b) => { b.disabled = false; });
      }
    });
  }
  $("reset").addEventListener("click", () => {
    $("clock-controls").open = false;
    openDialog("reset-dialog");
  });
  $("reset-dialog").addEventListener("close", () => {
    if ($("reset-dialog").returnValue === "reset") api("/api/reset", {});
  });
  $("drawer-toggle").addEventListener("click", () =>
    setDrawer(!$("app").classList.contains("drawer-open")));
  $("scrim").addEventListener("click", () => setDrawer(false));
}

async function main() {
  wire();
  const response = await fetch("/api/state");
  apply(await response.json());
  poll();
}

main();
