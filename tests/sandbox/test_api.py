"""The sandbox's JSON API against the real bot, without a browser."""

from __future__ import annotations

import struct
from datetime import datetime
from typing import Any

import httpx
import pytest

from bot.core.clock import CLOCK_MOVED_HOOK
from devkit.sample import GROUP_CHAT_ID, GROUP_TITLE
from devkit.sandbox import Sandbox, SandboxServer, generated_photo
from devkit.sandbox.server import STATIC_DIR
from tests.conftest import SHANGHAI, START
from tests.sandbox.conftest import bot_messages, chat_of, post, state_when

SECRETARY, CADRE, MEDIATOR, NEWCOMER = 1001, 1002, 1006, 3001


async def test_page_and_assets_are_local_and_utf8(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert '<meta charset="utf-8">' in page.text and "乡镇工作助手" in page.text
    for name in ("app.js", "app.css"):
        asset = await client.get(f"/static/{name}")
        assert asset.status_code == 200 and "charset=utf-8" in asset.headers["content-type"]
    assert (await client.get("/static/..%2Fserver.py")).status_code == 404
    # No CDN, web font or remote script anywhere in the page's files.
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        for needle in ('src="http', 'href="http', "url(http", "@import", "@font-face", "//cdn"):
            assert needle not in text, (path.name, needle)
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, (path.name, sink)
    css = (STATIC_DIR / "app.css").read_text(encoding="utf-8")
    # Chinese first, then an emoji font (no emoji drawn as boxes), then the generic family.
    [stack] = [line for line in css.splitlines() if line.startswith("body {")]
    fonts = [
        '"Noto Sans CJK SC"',
        '"PingFang SC"',
        '"Microsoft YaHei"',
        '"Noto Color Emoji"',
        '"Apple Color Emoji"',
        '"Segoe UI Emoji"',
        "sans-serif",
    ]
    places = [stack.find(font) for font in fonts]
    assert -1 not in places and places == sorted(places), stack


async def test_state_lists_the_sample_township(client: httpx.AsyncClient) -> None:
    state = (await client.get("/api/state")).json()
    people = {p["id"]: p for p in state["people"]}
    assert people[SECRETARY]["name"] == "张明远"
    assert people[SECRETARY]["role_labels"] == ["书记"]
    assert people[CADRE]["role_labels"] == ["干部"]
    assert set(people[MEDIATOR]["role_labels"]) == {"干部", "调解员"}
    assert people[NEWCOMER]["roles"] == [] and people[NEWCOMER]["note"]
    assert state["group"]["id"] == GROUP_CHAT_ID and state["group"]["title"] == GROUP_TITLE
    assert state["clock"]["now"] == START.isoformat()
    assert state["clock"]["targets"]["deadline"] == "2026-11-27T18:00:00+08:00"
    assert state["clock"]["targets"]["meeting"] == "2026-11-30T08:00:00+08:00"
    places = {p["name"]: p for p in state["places"]}
    assert places["沙河子村"]["lat"] == pytest.approx(33.8650)
    assert "南沟村" not in places  # no coordinates configured
    assert "elsewhere" in places


async def test_send_then_long_poll_sees_the_reply(client: httpx.AsyncClient) -> None:
    sent = await post(client, "/api/send", user=CADRE, text="/help")
    state = await state_when(client, sent["cursor"] - 1, lambda s: bot_messages(s, CADRE))
    [mine] = [m for m in chat_of(state, CADRE)["messages"] if not m["from_bot"]]
    assert mine["text"] == "/help" and mine["from_id"] == CADRE
    [reply] = bot_messages(state, CADRE)
    assert "李春华" in reply["text"] and "/help" in reply["text"]
    assert {"type": "bold", "offset": 0, "length": len("李春华，您好")} in reply["entities"]
    assert reply["date"] == START.isoformat()


async def test_press_edits_the_message_in_place(client: httpx.AsyncClient) -> None:
    sent = await post(client, "/api/send", user=CADRE, text="/lang")
    state = await state_when(client, sent["cursor"], lambda s: bot_messages(s, CADRE))
    [picker] = bot_messages(state, CADRE)
    assert picker["text"] == "请选择语言："
    [[chinese, _english]] = picker["buttons"]
    assert chinese["text"] == "简体中文"
    pressed = await post(
        client, "/api/press", user=CADRE, chat=CADRE, message_id=picker["id"], data=chinese["data"]
    )
    state = await state_when(
        client, pressed["cursor"], lambda s: bot_messages(s, CADRE)[0]["version"] > 0
    )
    [edited] = bot_messages(state, CADRE)
    assert edited["id"] == picker["id"] and edited["edited"]
    assert edited["text"] == "语言已切换为简体中文。" and edited["buttons"] == []
    # The button is gone now: pressing it again is refused, nothing is sent.
    again = await client.post(
        "/api/press",
        json={"user": CADRE, "chat": CADRE, "message_id": picker["id"], "data": chinese["data"]},
    )
    assert again.status_code == 400 and "no longer" in again.json()["error"]


async def test_location_and_photo(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    await post(client, "/api/location", user=CADRE, village="沙河子村")
    await post(client, "/api/location", user=CADRE, village="elsewhere")
    await post(client, "/api/location", user=CADRE, lat=33.879, lon=110.0105)
    last = await post(client, "/api/photo", user=CADRE, caption="走访照片")
    state = (await client.get("/api/state")).json()
    assert state["cursor"] >= last["cursor"]
    mine = [m for m in chat_of(state, CADRE)["messages"] if not m["from_bot"]]
    labels = [m["location"]["label"] for m in mine if "location" in m]
    assert labels == ["沙河子村附近", "不在任何村的范围内", "东岭村附近"]
    [photo] = [m for m in mine if m["file"]]
    assert photo["text"] == "走访照片" and photo["file"]["kind"] == "photo"
    image = await client.get(photo["file"]["url"])
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", image.content[16:24]) == (160, 120)
    # The bot received real updates (it answers every message it cannot place).
    await state_when(client, last["cursor"], lambda s: len(bot_messages(s, CADRE)) >= 4)
    bad = await client.post("/api/location", json={"user": CADRE, "village": "火星村"})
    assert bad.status_code == 400


async def test_documents_photos_and_group_posts_from_the_bot(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Whatever a feature sends shows up: XLSX, printable HTML, photos, group posts."""
    assert sandbox.app is not None
    bot = sandbox.app.bot
    await bot.send_document(SECRETARY, b"PK\x03\x04xlsx", filename="周报-第48周.xlsx")
    await bot.send_document(
        SECRETARY, "<!doctype html><h1>例会议程</h1>".encode(), filename="议程.html"
    )
    await bot.send_photo(SECRETARY, generated_photo(3), caption="现场")
    await bot.send_message(GROUP_CHAT_ID, "<b>本周例会议程</b>\n1. 周五交账情况")
    state = (await client.get("/api/state")).json()
    xlsx, page, photo = (m["file"] for m in bot_messages(state, SECRETARY))
    assert xlsx["name"] == "周报-第48周.xlsx"
    download = await client.get(xlsx["url"], params={"download": "1"})
    assert download.content == b"PK\x03\x04xlsx"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%91%A8%E6%8A%A5" in download.headers["content-disposition"]
    html = await client.get(page["url"])
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.headers["content-disposition"].startswith("inline;")
    assert html.headers["content-security-policy"].startswith("sandbox;")
    assert photo["kind"] == "photo"
    assert (await client.get(photo["url"])).content.startswith(b"\x89PNG")
    [post_] = state["group"]["chat"]["messages"]
    assert post_["text"].startswith("本周例会议程")
    assert post_["entities"][0] == {"type": "bold", "offset": 0, "length": 6}
    assert (await client.get("/files/nope")).status_code == 404


async def test_reply_keyboard_with_a_location_request(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

    assert sandbox.app is not None
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 发送当前位置", request_location=True)], ["跳过"]],
        one_time_keyboard=True,
        input_field_placeholder="走访地点",
    )
    await sandbox.app.bot.send_message(CADRE, "请发送走访地点：", reply_markup=keyboard)
    state = (await client.get("/api/state")).json()
    shown = chat_of(state, CADRE)["reply_keyboard"]
    assert shown == {
        "rows": [
            [{"text": "📍 发送当前位置", "request_location": True}],
            [{"text": "跳过", "request_location": False}],
        ],
        "placeholder": "走访地点",
    }
    await post(client, "/api/location", user=CADRE, village="东岭村")
    state = (await client.get("/api/state")).json()
    assert chat_of(state, CADRE)["reply_keyboard"] is None  # one-time: used once, hidden
    await sandbox.app.bot.send_message(CADRE, "继续", reply_markup=ReplyKeyboardMarkup([["好"]]))
    await post(client, "/api/send", user=CADRE, text="好")
    state = (await client.get("/api/state")).json()
    assert chat_of(state, CADRE)["reply_keyboard"]["rows"] == [
        [{"text": "好", "request_location": False}]
    ]
    await sandbox.app.bot.send_message(CADRE, "完成", reply_markup=ReplyKeyboardRemove())
    state = (await client.get("/api/state")).json()
    assert chat_of(state, CADRE)["reply_keyboard"] is None


async def test_group_chat_messages(client: httpx.AsyncClient) -> None:
    await post(client, "/api/send", user=CADRE, text="大家好", chat=GROUP_CHAT_ID)
    state = (await client.get("/api/state")).json()
    [message] = state["group"]["chat"]["messages"]
    assert message["from_name"] == "李春华" and message["text"] == "大家好"
    assert chat_of(state, CADRE)["messages"] == []
    other = await client.post("/api/send", json={"user": CADRE, "text": "x", "chat": -42})
    assert other.status_code == 400


async def test_clock_moves_bot_and_emulator_and_calls_the_hook(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    assert sandbox.app is not None
    calls: list[tuple[datetime, datetime]] = []

    async def on_clock_moved(previous: datetime, now: datetime) -> None:
        calls.append((previous, now))
        # A scheduler would send what became due; the page shows it like any message.
        await sandbox.app.bot.send_message(GROUP_CHAT_ID, "📋 周一例会议程")  # type: ignore[union-attr]

    sandbox.app.bot_data[CLOCK_MOVED_HOOK] = on_clock_moved
    moved = await post(client, "/api/clock", action="deadline")
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)
    assert moved["result"] == friday.isoformat()
    assert sandbox.svc.clock.now() == friday and sandbox.emu.now() == int(friday.timestamp())
    moved = await post(client, "/api/clock", action="meeting")
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    assert moved["result"] == monday.isoformat()
    await post(client, "/api/clock", action="hour")
    await post(client, "/api/clock", action="day")
    assert sandbox.clock.now() == datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    assert calls[0] == (START, friday) and calls[1] == (friday, monday) and len(calls) == 4
    state = (await client.get("/api/state")).json()
    assert state["clock"]["now"] == "2026-12-01T09:00:00+08:00"
    assert len(state["group"]["chat"]["messages"]) == 4
    # Messages carry the moved time.
    sent = await post(client, "/api/send", user=CADRE, text="/help")
    state = await state_when(client, sent["cursor"], lambda s: bot_messages(s, CADRE))
    assert bot_messages(state, CADRE)[0]["date"] == "2026-12-01T09:00:00+08:00"
    assert (await client.post("/api/clock", json={"action": "back"})).status_code == 400


async def test_a_failing_hook_does_not_undo_the_move(sandbox: Sandbox) -> None:
    assert sandbox.app is not None

    async def broken(previous: datetime, now: datetime) -> None:
        raise RuntimeError("scheduler bug")

    sandbox.app.bot_data[CLOCK_MOVED_HOOK] = broken
    target = await sandbox.move_clock("hour")
    assert sandbox.clock.now() == target


async def test_reset_rebuilds_database_history_and_clock(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sent = await post(client, "/api/send", user=SECRETARY, text="/invite cadre")
    state = await state_when(client, sent["cursor"], lambda s: bot_messages(s, SECRETARY))
    token = bot_messages(state, SECRETARY)[0]["text"].split("start=")[1].split()[0]
    await post(client, "/api/send", user=NEWCOMER, text=f"/start {token}")
    await post(client, "/api/clock", action="deadline")
    before = (await client.get("/api/state")).json()
    old_app = sandbox.app

    # A long poll waiting across the reset wakes up with the new world.
    waiting = client.get("/api/events", params={"after": before["cursor"] + 1000, "timeout": 5})
    reset = await post(client, "/api/reset")
    assert reset["result"] == before["epoch"] + 1
    state = (await client.get("/api/state")).json()
    assert state["epoch"] == before["epoch"] + 1 and state["cursor"] > before["cursor"]
    assert all(p["chat"]["messages"] == [] for p in state["people"])
    assert state["group"]["chat"]["messages"] == []
    assert state["clock"]["now"] == START.isoformat()
    assert sandbox.app is not old_app
    people = {p["id"]: p for p in state["people"]}
    assert people[CADRE]["role_labels"] == ["干部"] and people[NEWCOMER]["roles"] == []
    assert (await waiting).status_code == 200
    # The new bot answers, and the old invitation is gone with the old database.
    sent = await post(client, "/api/send", user=NEWCOMER, text=f"/start {token}")
    state = await state_when(client, sent["cursor"], lambda s: bot_messages(s, NEWCOMER))
    assert "邀请" in bot_messages(state, NEWCOMER)[0]["text"]


async def test_bad_requests_are_refused(client: httpx.AsyncClient, server: SandboxServer) -> None:
    async def status(path: str, **kwargs: Any) -> int:
        return (await client.post(path, **kwargs)).status_code

    assert await status("/api/send", json={"user": 4242, "text": "hi"}) == 400
    assert await status("/api/send", json={"user": CADRE, "text": "   "}) == 400
    assert await status("/api/send", json={"user": CADRE}) == 400
    assert await status("/api/send", json={"user": "x", "text": "hi"}) == 400
    assert await status("/api/send", data={"user": CADRE, "text": "hi"}) == 415
    assert await status("/api/send", content=b"[1]", headers=_json()) == 400
    assert await status("/api/clock", json={"action": "back"}) == 400
    assert await status("/api/press", json={"user": CADRE, "chat": CADRE, "message_id": 99}) == 400
    press = {"user": CADRE, "chat": CADRE, "message_id": 99, "data": "x"}
    assert await status("/api/press", json=press) == 400
    assert (await client.get("/api/nothing")).status_code == 404
    assert (await client.get("/api/events", params={"after": "x"})).status_code == 400
    # DNS rebinding: a request naming another host is refused.
    rebound = await client.get("/api/state", headers={"Host": f"evil.example:{server.port}"})
    assert rebound.status_code == 403
    # Nothing reached the bot.
    state = (await client.get("/api/state")).json()
    assert chat_of(state, CADRE)["messages"] == []


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def test_generated_photos_are_valid_pngs() -> None:
    first, second = generated_photo(1), generated_photo(2)
    assert first.startswith(b"\x89PNG") and first != second
    assert struct.unpack(">II", first[16:24]) == (160, 120)
