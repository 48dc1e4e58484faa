"use strict";
// Demo mode of the web chat (`township-bot demo`, `make run` without a token): a bar to act
// as anyone of the sample township, move the bot's clock and start afresh. The chat itself is
// app.js's. Loaded only by the demo's page; it talks to the demo's own endpoints.

(() => {
  const WEEKDAYS = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"];
  const CLOCK = [
    ["deadline", "到周报截止"],
    ["meeting", "到周一例会"],
    ["hour", "+1 小时"],
    ["day", "+1 天"],
  ];
  const JSON_HEADERS = { "Content-Type": "application/json", "X-CSRF-Token": "demo" };
  // Folded, the bar is one slim line (who the page acts as, the time), so that a phone's
  // screen goes to the chat; the choice is kept across reloads.
  const FOLDED_KEY = "township-demo-bar-folded";

  function node(tag, attrs, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
      else element.setAttribute(key, value);
    }
    for (const child of children) element.append(child);
    return element;
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST", credentials: "same-origin", headers: JSON_HEADERS, body: JSON.stringify(body),
    });
    return response.ok;
  }

  function when(iso, weekday) {
    const [date, time] = iso.split("T");
    const [, month, day] = date.split("-");
    return `${Number(month)}月${Number(day)}日 ${WEEKDAYS[weekday] || ""} ${time.slice(0, 5)}`;
  }

  async function actAs(person) {
    if (await post("/api/demo/act", { person })) window.location.reload();
  }

  let state = null;

  function folded() {
    try { return window.localStorage.getItem(FOLDED_KEY) === "1"; } catch { return false; }
  }

  function setFolded(value) {
    try { window.localStorage.setItem(FOLDED_KEY, value ? "1" : "0"); } catch { /* private mode */ }
    render();
  }

  function render() {
    const bar = document.getElementById("demo-bar");
    const isFolded = folded();
    bar.classList.toggle("folded", isFolded);
    const acting = state.people.find((p) => p.id === state.acting);
    const toggle = node("button", {
      type: "button", class: "demo-toggle", "data-testid": "demo-toggle",
      "aria-expanded": String(!isFolded), title: isFolded ? "展开演示栏" : "收起演示栏",
      onclick: () => setFolded(!isFolded),
    }, isFolded ? "演示 ▸" : "演示 ▾");
    const summary = node("span", { class: "demo-summary", "data-testid": "demo-summary" },
      `${acting ? acting.name : ""} · ${when(state.clock.now, state.clock.weekday)}`);
    const people = node("select", { id: "demo-person", "data-testid": "demo-person", title: "以谁的身份使用", onchange: (e) => actAs(Number(e.target.value)) });
    for (const person of state.people) {
      const roles = person.role_labels.length ? person.role_labels.join("、") : person.note;
      const option = node("option", { value: String(person.id) }, `${person.name}（${roles}）`);
      if (person.id === state.acting) option.selected = true;
      people.append(option);
    }
    const clock = node("span", { class: "demo-clock", "data-testid": "demo-clock" }, `时间：${when(state.clock.now, state.clock.weekday)}`);
    const moves = CLOCK.map(([action, label]) => node("button", {
      type: "button", class: "demo-button", "data-testid": `clock-${action}`,
      onclick: async () => { if (await post("/api/clock", { action })) await refresh(); },
    }, label));
    const places = node("select", { "data-testid": "demo-place", title: "发送位置" },
      node("option", { value: "" }, "发送位置…"),
      ...state.places.map((p) => node("option", { value: p.name }, p.label)));
    places.addEventListener("change", async () => {
      const village = places.value;
      places.value = "";
      if (village) await post("/api/location", { user: state.acting, village });
    });
    const reset = node("button", {
      type: "button", class: "demo-button", "data-testid": "demo-reset", title: "重建演示数据并清空所有聊天",
      onclick: async () => { if (await post("/api/reset", {})) window.location.reload(); },
    }, "重置演示");
    bar.replaceChildren(toggle, summary, people, clock, ...moves, places, reset);
  }

  async function refresh() {
    const response = await fetch("/api/demo", { credentials: "same-origin" });
    if (!response.ok) return;
    state = await response.json();
    render();
  }

  // An invitation link opens on the newcomer's phone: the demo acts as them and starts it.
  async function openInvitation(event) {
    const link = event.target.closest("a[href]");
    if (!link || !state) return;
    const found = /[?&]start=([A-Za-z0-9_-]+)/.exec(link.getAttribute("href"));
    if (!found) return;
    event.preventDefault();
    const person = state.newcomer;
    if (await post("/api/demo/act", { person })) {
      await post("/api/send", { user: person, text: `/start ${found[1]}` });
      window.location.reload();
    }
  }

  function start() {
    const stylesheet = node("link", { rel: "stylesheet", href: "/static/demo.css" });
    document.head.append(stylesheet);
    const bar = node("section", { id: "demo-bar", class: "demo-bar", "data-testid": "demo-bar" });
    document.querySelector(".topbar").after(bar);
    document.getElementById("messages").addEventListener("click", openInvitation);
    refresh();
  }

  start();
})();
