"""A drain in which two sends fail at once (an error the sender does not expect, not an
answer from Telegram): the drain fails, every failure is taken up (asyncio reports no
"Task exception was never retrieved"), and both messages go out at the next drain."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.delivery import OutboxSender
from bot.core.models import OutboxMessage
from bot.core.outbox import Outgoing, enqueue
from tests.e2e.helpers import CADRE_LI, SECRETARY

CHATS = (SECRETARY.telegram_user_id, CADRE_LI.telegram_user_id)


class _Broken:
    """A bot whose first send to each chat fails with an unexpected error."""

    def __init__(self, bot: Any) -> None:
        self._bot = bot
        self.failed: set[int] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)

    async def send_message(self, chat_id: int, *args: Any, **kwargs: Any) -> Any:
        if chat_id not in self.failed:
            self.failed.add(chat_id)
            raise RuntimeError("broken")
        return await self._bot.send_message(chat_id, *args, **kwargs)


async def test_two_failures_in_one_batch_are_all_taken_up_and_sent_later(world) -> None:
    async with world.svc.transaction() as session:
        items = [
            Outgoing(key=f"t:broken:{chat}", job="test", chat_id=chat, text="通知")
            for chat in CHATS
        ]
        await enqueue(session, items, world.clock.now())
    unretrieved: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: unretrieved.append(context))
    try:
        broken = _Broken(world.app.bot)
        sender = OutboxSender(world.svc.sessions, broken, world.clock, "broken")
        with pytest.raises(RuntimeError):
            await sender.drain()
        assert broken.failed == set(CHATS)  # both failed, in the same batch
        gc.collect()  # a task whose exception nobody took is reported when it is collected
        assert [c.get("message") for c in unretrieved] == []
    finally:
        loop.set_exception_handler(None)
    async with world.svc.transaction() as session:
        statuses = await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.job == "test")
        )
        assert sorted(statuses) == ["pending", "pending"]
    await sender.drain()
    for chat in CHATS:
        assert [m.text for m in world.emu.chat(chat).messages] == ["通知"]
