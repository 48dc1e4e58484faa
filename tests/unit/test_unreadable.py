"""Updates python-telegram-bot cannot read (bot/core/unreadable.py): the bot as it is built
(`telegram_builder`), on both HTTP clients, against the emulator's getUpdates."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.app import telegram_builder
from bot.core.config import parse_settings
from bot.core.unreadable import UnreadableUpdate, UpdatesBot, read_update
from devkit.emulator import BotApiEmulator

TOKEN = "7000000001:UNREADABLE-token-for-the-emulator"
USER = 1001
CLIENTS = ["aiohttp", "httpx"]
SECRET_TEXT = "村口水井的投票"
PRIVATE = {"id": USER, "type": "private", "first_name": "李"}
SENDER = {"id": USER, "is_bot": False, "first_name": "李"}
GROUP = {"id": -100500, "type": "supergroup", "title": "镇工作群"}
# A poll without fields PTB 22 requires (an older Bot API version).
OLD_POLL = {"id": "1", "question": SECRET_TEXT, "options": [], "total_voter_count": 0}


def message(message_id: int, chat: dict[str, Any] = PRIVATE, **fields: Any) -> dict[str, Any]:
    return {"message_id": message_id, "date": 0, "chat": chat, "from": SENDER, **fields}


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    emulator.add_user(USER, "李")
    yield emulator
    await emulator.stop()


async def bot_for(emu: BotApiEmulator, kind: str) -> UpdatesBot:
    settings = parse_settings(
        {
            "telegram": {
                "token": TOKEN,
                "api_base_url": emu.base_url.removesuffix("/bot"),
                "http_client": kind,
            }
        }
    )
    bot = telegram_builder(settings).build().bot
    assert isinstance(bot, UpdatesBot)
    await bot.initialize()
    return bot


@pytest.mark.parametrize("kind", CLIENTS)
async def test_an_answer_the_library_can_read_is_read_once(
    emu: BotApiEmulator, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The common case costs nothing extra: each update is read once, by the library."""
    reads: list[int] = []
    read = Update.de_json.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Update], data: dict[str, Any], bot: Any = None) -> Update:
        reads.append(data["update_id"])
        result: Update = read(cls, data, bot)
        return result

    monkeypatch.setattr(Update, "de_json", classmethod(counted))
    state = emu.bot(TOKEN)
    for i in range(1, 5):
        emu.push_update(state, "message", message(i, text=f"第{i}条"))
    bot = await bot_for(emu, kind)
    try:
        updates = await bot.get_updates(timeout=0)
    finally:
        await bot.shutdown()
    assert [u.message.text for u in updates if u.message] == ["第1条", "第2条", "第3条", "第4条"]
    assert sorted(reads) == [u.update_id for u in updates]


@pytest.mark.parametrize("kind", CLIENTS)
async def test_an_update_the_library_cannot_read_is_skipped_alone(
    emu: BotApiEmulator, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The others of its answer are handed on; it becomes an `UnreadableUpdate` (its id moves
    the offset on), logged by id, kind and error type, never by its contents."""
    state = emu.bot(TOKEN)
    emu.push_update(state, "message", message(1, text="你好"))
    emu.push_update(state, "message", message(2, poll=OLD_POLL))
    emu.push_update(state, "edited_message", message(3, chat=GROUP, poll=OLD_POLL))
    emu.push_update(state, "message", message(4, text="再见"))
    bot = await bot_for(emu, kind)
    try:
        with caplog.at_level(logging.INFO):
            updates = await bot.get_updates(timeout=0)
        again = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    finally:
        await bot.shutdown()
    assert [u.update_id for u in updates] == [1, 2, 3, 4]
    assert updates[0].message is not None and updates[0].message.text == "你好"
    assert updates[3].message is not None and updates[3].message.text == "再见"
    private, group = updates[1], updates[2]
    assert isinstance(private, UnreadableUpdate) and isinstance(group, UnreadableUpdate)
    assert private.message is None and private.effective_user is None
    assert private.unreadable.user_id == USER and private.unreadable.kinds == ("message",)
    assert private.unreadable.private and not group.unreadable.private
    assert again == ()
    logged = caplog.text
    assert "update 2 (message) cannot be read (TypeError): skipped" in logged
    assert "update 3 (edited_message) cannot be read" in logged
    assert SECRET_TEXT not in logged and "Error while parsing updates" not in logged
    assert SECRET_TEXT not in repr(private)
    assert private.to_dict()["message"]["poll"]["question"] == SECRET_TEXT  # stored as it came


def test_who_an_unreadable_update_may_answer() -> None:
    """Its sender is told in their private chat only; a press, through its query."""
    query = {"id": "q1", "from": SENDER, "chat_instance": "1", "data": "x"}
    cases = {
        "message": (message(1, poll=OLD_POLL), (USER, True, None)),
        "edited_message": (message(1, poll=OLD_POLL), (USER, True, None)),
        "callback_query": ({**query, "message": message(1, poll=OLD_POLL)}, (USER, True, "q1")),
    }
    for kind, (payload, expected) in cases.items():
        update = read_update({"update_id": 7, kind: payload}, None)
        assert isinstance(update, UnreadableUpdate)
        facts = update.unreadable
        assert (facts.user_id, facts.private, facts.callback_query_id) == expected, kind
    for kind, payload, sender in [
        ("message", message(1, chat=GROUP, poll=OLD_POLL), USER),
        ("callback_query", {**query, "message": message(1, chat=GROUP, poll=OLD_POLL)}, USER),
        ("channel_post", {"message_id": 1, "date": 0, "chat": GROUP, "poll": OLD_POLL}, None),
    ]:
        update = read_update({"update_id": 7, kind: payload}, None)
        assert isinstance(update, UnreadableUpdate)
        assert update.unreadable.user_id == sender and not update.unreadable.private, kind
    with pytest.raises(TypeError):
        read_update({"message": message(1, poll=OLD_POLL)}, None)  # not an update at all
