"""What /leave tells other people goes through the outbox, queued with the change it tells
of: a recipient's chat that fails for a while, or a bot that dies between saving the request
and sending, still delivers the message once; a recipient who blocked the bot is marked
unreachable and the other secretaries are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.delivery import OutboxSender
from bot.core.models import Member, OutboxMessage
from bot.core.turn import Turn
from devkit.sample import SamplePerson, seed_people
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_ZHAO, SECRETARY, zh
from tests.leave.test_buttons import request_leave

ZHAO = CADRE_ZHAO.telegram_user_id
ZHANG = SECRETARY.telegram_user_id
WU = SamplePerson(1101, "吴副书记", ("secretary",))
REASON = "家中有事"


def cards(world, chat_id: int) -> list:  # type: ignore[no-untyped-def]
    return [m for m in world.emu.chat(chat_id).messages if REASON in (m.text or "")]


async def leave_rows(world) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    async with world.svc.transaction() as session:
        found = await session.execute(
            select(OutboxMessage.key, OutboxMessage.chat_id, OutboxMessage.status).where(
                OutboxMessage.job == "leave"
            )
        )
        return [tuple(r) for r in found.all()]


async def settle(world) -> None:  # type: ignore[no-untyped-def]
    """Let any drain under way end, then send everything due an hour later."""
    await world.scheduler.sender.drain()
    world.clock.advance(timedelta(hours=1))
    await world.scheduler.sender.drain()


async def test_a_failing_secretary_chat_still_gets_the_request_once(world) -> None:
    world.scheduler.sender.backoff = 0.01
    zhao = Tapper(world, ZHAO)
    kind = await zhao.say("/leave")
    await zhao.press(kind, zh("🏖 Leave (请假)"))
    await zhao.say("11-25")
    confirm = await zhao.say(REASON)
    # Every try the Bot API layer makes for one send (the first and its two retries) fails.
    world.emu.faults.inject(method="sendMessage", kind="502", count=3)
    world.emu.faults.inject(method="sendMessage", kind="429", count=1, retry_after=1)
    await zhao.press(confirm, zh("✅ Send to the secretary"))
    card = await world.user(ZHANG).reply(timeout=30)
    assert REASON in card.text and card.buttons
    await settle(world)
    assert len(cards(world, ZHANG)) == 1
    assert [(chat, status) for _, chat, status in await leave_rows(world)] == [(ZHANG, "sent")]
    # The buttons are the secretary's: the decision reaches the cadre the same way.
    world.emu.faults.inject(method="sendMessage", kind="502", count=3)
    await Tapper(world, ZHANG).press(card, zh("✅ Approve"))
    told = await world.user(ZHAO).reply(timeout=30)
    assert SECRETARY.name in told.text
    await settle(world)
    assert sum(SECRETARY.name in (m.text or "") for m in world.emu.chat(ZHAO).messages) == 1


async def test_a_bot_that_dies_after_saving_sends_the_request_after_the_restart(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def dies(self: Turn) -> None:
        """The process is killed once the request is saved, before it sends anything more."""

    monkeypatch.setattr(Turn, "send_queued", dies)
    await request_leave(world)
    assert cards(world, ZHANG) == []
    assert [(chat, status) for _, chat, status in await leave_rows(world)] == [(ZHANG, "pending")]
    restarted = OutboxSender(world.svc.sessions, world.app.bot, world.clock, "restarted")
    await restarted.drain()
    await restarted.drain()
    assert len(cards(world, ZHANG)) == 1
    assert cards(world, ZHANG)[0].buttons


async def test_a_secretary_who_blocked_the_bot_is_marked_and_the_other_told(world) -> None:
    async with world.svc.transaction() as session:
        world.member_ids.update(await seed_people(session, world.clock.now(), [WU]))
    world.emu.add_user(WU.telegram_user_id, WU.name)
    world.emu.block(ZHANG)
    await request_leave(world)
    await world.user(WU.telegram_user_id).reply(timeout=30)
    await settle(world)
    wu = [m.text or "" for m in world.emu.chat(WU.telegram_user_id).messages]
    assert sum(REASON in t for t in wu) == 1
    assert sum(SECRETARY.name in t and "屏蔽" in t for t in wu) == 1
    async with world.svc.transaction() as session:
        zhang = await session.get(Member, world.member_ids[ZHANG])
        assert zhang is not None and zhang.unreachable
    statuses = {chat: status for _, chat, status in await leave_rows(world)}
    assert statuses == {ZHANG: "failed", WU.telegram_user_id: "sent"}
