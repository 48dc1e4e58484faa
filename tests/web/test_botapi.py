"""The server speaks the Bot API with the emulator's rules, and keeps everything in the
database: a restart loses nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from bot.core.models import WebMessage, WebUpdate
from devkit.sample import GROUP_CHAT_ID, PEOPLE
from tests.conftest import TOKEN
from tests.web.conftest import WebWorld

SECRETARY = PEOPLE[0]


async def call(web: WebWorld, method: str, token: str = TOKEN, **params: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as http:
        return await http.post(f"/bot{token}/{method}", json=params)


async def test_the_bot_answers_a_member_on_the_web_channel(web: WebWorld) -> None:
    browser = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    assert browser.chat_ids() == [SECRETARY.telegram_user_id, GROUP_CHAT_ID]
    assert (await browser.say(SECRETARY.telegram_user_id, "/help")).status_code == 200
    messages = await browser.wait_messages(SECRETARY.telegram_user_id, 2)
    assert messages[0]["text"] == "/help" and not messages[0]["from_bot"]
    assert messages[1]["from_bot"] and messages[1]["text"]
    # The bot's default command menu (setMyCommands at start), shown by the page.
    me = (await browser.http.get("/api/me")).json()
    assert [c["command"] for c in me["chats"][0]["commands"]] == ["start"]


async def test_the_same_rules_as_the_emulator(web: WebWorld) -> None:
    chat = SECRETARY.telegram_user_id
    await web.browser_of(chat, SECRETARY.name)
    too_long = await call(web, "sendMessage", chat_id=chat, text="长" * 4097)
    assert too_long.status_code == 400
    assert too_long.json()["description"] == "Bad Request: message is too long"
    markup = {"inline_keyboard": [[{"text": "按钮", "callback_data": "x" * 65}]]}
    data = await call(web, "sendMessage", chat_id=chat, text="好", reply_markup=markup)
    assert data.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
    html = await call(
        web, "sendMessage", chat_id=chat, text="<script>1</script>", parse_mode="HTML"
    )
    assert html.status_code == 400 and "can't parse entities" in html.json()["description"]
    assert (await call(web, "getMe", token="1:wrong")).status_code == 401
    ok = await call(web, "sendMessage", chat_id=chat, text="长" * 4096)
    assert ok.status_code == 200 and ok.json()["ok"] is True


async def test_messages_and_updates_survive_a_restart(web: WebWorld) -> None:
    chat = SECRETARY.telegram_user_id
    browser = await web.browser_of(chat, SECRETARY.name)
    await browser.say(chat, "/help")
    before = await browser.wait_messages(chat, 2)
    await web.server.stop()
    await web.server.start(port=web.server.port)
    after = (await browser.messages(chat))["messages"]
    assert [m["text"] for m in after][:2] == [m["text"] for m in before][:2]
    async with web.svc.transaction() as session:
        stored = await session.scalar(select(func.count()).select_from(WebMessage))
        pending = await session.scalar(select(func.count()).select_from(WebUpdate))
    assert stored is not None and stored >= 2
    # The bot confirmed the update it handled (getUpdates offset): nothing is left to repeat.
    assert pending == 0


async def test_a_failing_method_never_logs_the_token(
    web: WebWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.web import methods

    async def broken(call: methods.Call) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(methods.METHODS, "getchat", broken)
    answer = await call(web, "getChat", chat_id=SECRETARY.telegram_user_id)
    assert answer.status_code == 500
    assert "request to the web channel failed" in caplog.text
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


async def test_a_message_sent_again_with_its_key_is_posted_once(web: WebWorld) -> None:
    browser = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    chat = SECRETARY.telegram_user_id
    body = {"text": "网络不好时发的", "key": "3f6c0b1e-probe-0001"}
    first = await browser.http.post(f"/api/chats/{chat}/messages", json=body)
    again = await browser.http.post(f"/api/chats/{chat}/messages", json=body)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = await web.browser_of(PEOPLE[1].telegram_user_id, PEOPLE[1].name)
    theirs = await other.http.post(f"/api/chats/{PEOPLE[1].telegram_user_id}/messages", json=body)
    assert theirs.status_code == 200  # a key is the sender's own
    mine = [m for m in (await browser.messages(chat))["messages"] if not m["from_bot"]]
    assert [m["text"] for m in mine].count("网络不好时发的") == 1
    too_long = await browser.http.post(f"/api/chats/{chat}/messages", json={"text": "长" * 4097})
    assert too_long.status_code == 400 and too_long.json()["limit"] == 4096
    assert (await browser.say(chat, "x" * 4096)).status_code == 200
