"""Sends with an idempotency key: the township's server (and the emulator when asked to, both
through `bot.web.botapi.core`) performs a key once and answers a repeat with the first answer,
so an outbox send whose answer was lost is not delivered twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from telegram import Bot
from telegram.error import TimedOut

from bot.core.db.engine import session_factory
from bot.core.delivery import OutboxSender
from bot.core.models import OutboxMessage, WebChat, WebMessage, WebSend, WebUser
from bot.core.outbox import Outgoing, enqueue
from bot.core.telegram_request import (
    IDEMPOTENCY_HEADER,
    AiohttpRequest,
    RetryingAiohttpRequest,
    keyed,
)
from bot.web.botapi.core import KEEP_ANSWERS
from devkit.emulator import BotApiEmulator
from tests.conftest import TOKEN
from tests.web.conftest import USER, Township


class LosesTheFirstAnswer(RetryingAiohttpRequest):
    """The first send reaches the server and is performed; its answer never comes back."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        answer = await super().do_request(url, *args, **kwargs)
        if url.endswith("/sendMessage") and not self.lost:
            self.lost += 1
            raise TimedOut("the answer was lost")
        return answer


@pytest.fixture
async def member(township: Township) -> int:
    async with township.server.web.transaction() as session:
        session.add(WebUser(id=USER, first_name="吴", created_at=township.clock.now()))
        session.add(WebChat(id=USER, type="private", title=None, last_message_id=0))
    return USER


async def bot_messages(township: Township) -> list[WebMessage]:
    async with township.server.web.transaction() as session:
        found = await session.scalars(
            select(WebMessage).where(WebMessage.chat_id == USER, WebMessage.from_bot)
        )
        return list(found)


async def post(township: Township, method: str, key: str | None, **params: Any) -> Any:
    headers = {} if key is None else {IDEMPOTENCY_HEADER: key}
    async with httpx.AsyncClient(base_url=township.server.url, timeout=30) as http:
        response = await http.post(f"/bot{TOKEN}/{method}", json=params, headers=headers)
    return response.status_code, response.json()


@pytest.fixture
async def lossy_bot(township: Township) -> AsyncIterator[tuple[Bot, LosesTheFirstAnswer]]:
    request = LosesTheFirstAnswer()
    bot = Bot(TOKEN, base_url=f"{township.server.url}/bot", request=request)
    async with bot:
        yield bot, request


async def test_an_outbox_send_whose_answer_was_lost_arrives_once(
    township: Township, member: int, lossy_bot: tuple[Bot, LosesTheFirstAnswer]
) -> None:
    bot, request = lossy_bot
    sessions = session_factory(township.engine)
    async with sessions.begin() as session:
        items = [Outgoing("agenda-1", "agenda", member, "周一例会")]
        await enqueue(session, items, township.clock.now())
    sender = OutboxSender(sessions, bot, township.clock, "test", backoff=0)
    await sender.drain()
    assert request.lost == 1 and sender.stats.retried == 1
    [message] = await bot_messages(township)
    assert message.data["text"] == "周一例会"
    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None and row.status == "sent"
    assert row.telegram_message_id == message.message_id


async def test_repeats_get_the_first_answer_and_other_keys_send_again(
    township: Township, member: int
) -> None:
    asked = {"chat_id": member, "text": "请交周报"}
    first, *repeats = await asyncio.gather(
        *(post(township, "sendMessage", "outbox-7", **asked) for _ in range(3))
    )
    assert first[0] == 200 and all(r == first for r in repeats)
    other = await post(township, "sendMessage", "outbox-8", **asked)
    unkeyed = await post(township, "sendMessage", None, **asked)
    numbers = [m.message_id for m in await bot_messages(township)]
    assert sorted(numbers) == sorted(a[1]["result"]["message_id"] for a in (first, other, unkeyed))
    assert len(set(numbers)) == 3


async def test_a_refused_send_leaves_its_key_free(township: Township, member: int) -> None:
    refused = await post(township, "sendMessage", "outbox-9", chat_id=member, text="")
    assert refused[0] == 400
    sent = await post(township, "sendMessage", "outbox-9", chat_id=member, text="再试")
    assert sent[0] == 200 and sent[1]["result"]["text"] == "再试"


async def test_a_key_names_one_method_and_is_well_formed(township: Township, member: int) -> None:
    await post(township, "sendMessage", "outbox-10", chat_id=member, text="一")
    other = await post(township, "sendChatAction", "outbox-10", chat_id=member, action="typing")
    assert other == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: idempotency key was used with another method",
        },
    )
    malformed = await post(township, "sendMessage", "a b", chat_id=member, text="二")
    assert malformed[1]["description"] == "Bad Request: wrong idempotency key"
    assert len(await bot_messages(township)) == 1


async def test_answers_are_kept_a_week(township: Township, member: int) -> None:
    await post(township, "sendMessage", "outbox-1", chat_id=member, text="一")
    township.clock.advance(KEEP_ANSWERS + timedelta(hours=1))
    await post(township, "sendMessage", "outbox-2", chat_id=member, text="二")
    async with township.server.web.transaction() as session:
        kept = list(await session.scalars(select(WebSend.key)))
        total = await session.scalar(select(func.count()).select_from(WebSend))
    assert kept == ["outbox-2"] and total == 1


@pytest.mark.parametrize("keeps", [False, True])
async def test_the_emulator_keeps_answers_only_when_asked(keeps: bool) -> None:
    """Telegram ignores the header (so does the emulator by default); asked to, the emulator
    answers a repeated key as the township's server does."""
    async with BotApiEmulator(keeps_answers=keeps) as emu:
        emu.add_bot(TOKEN)
        emu.add_user(USER, "吴")
        emu.faults.inject("sendMessage", "timeout")  # performed, answered too late
        async with Bot(TOKEN, base_url=emu.base_url, request=AiohttpRequest()) as bot:
            with keyed("outbox-1"):
                with pytest.raises(TimedOut):
                    await bot.send_message(USER, "周一例会", read_timeout=0.3)
                again = await bot.send_message(USER, "周一例会")
        sent = emu.chat(USER).messages
    assert [m.text for m in sent] == ["周一例会"] * (1 if keeps else 2)
    assert again.message_id == sent[-1].message_id
