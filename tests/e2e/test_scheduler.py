"""The scheduler and the durable outbox, travelling through weeks with the injected clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.core.db.engine import create_engine, is_sqlite, session_factory
from bot.core.db.leases import acquire_lease
from bot.core.delivery import OutboxSender
from bot.core.models import JobRun, Member, OutboxMessage
from bot.core.outbox import Outgoing, enqueue
from devkit.sample import ADMIN, PEOPLE
from jobs.context import JobContext
from jobs.registry import JOBS
from jobs.scheduler import LEASE_NAME, Scheduler
from tests.conftest import SHANGHAI
from tests.e2e.helpers import CADRE_LI, SECRETARY

CADRES = [p for p in PEOPLE if "cadre" in p.roles]
# The window-open reminder's own words (the last call shares its title).
OPEN_TITLE = "本周工作报告现已开放填报"


def bot_messages(world, chat_id: int) -> list:
    return [m for m in world.emu.chat(chat_id).messages if not m.deleted]


def report_open_count(world, chat_id: int) -> int:
    return sum(OPEN_TITLE in (m.text or "") for m in bot_messages(world, chat_id))


async def test_normal_week_reminds_each_cadre_once_at_the_window(world) -> None:
    await world.scheduler.tick()  # the scheduler first sees the township on Monday 09:00
    await world.scheduler.travel(datetime(2026, 11, 26, 11, 59, tzinfo=SHANGHAI))
    assert all(report_open_count(world, c.telegram_user_id) == 0 for c in CADRES)
    await world.scheduler.travel(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    for cadre in CADRES:
        assert report_open_count(world, cadre.telegram_user_id) == 1, cadre.name
        text = next(
            m.text for m in bot_messages(world, cadre.telegram_user_id) if OPEN_TITLE in m.text
        )
        assert cadre.name in text and "11月27日（周五）18:00" in text
    assert report_open_count(world, SECRETARY.telegram_user_id) == 0
    # More ticks, and the rest of the week: still exactly one each.
    await world.scheduler.travel(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    assert all(report_open_count(world, c.telegram_user_id) == 1 for c in CADRES)
    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(JobRun)))
    runs = Counter((r.township_id, r.job, r.period) for r in rows)
    assert all(n == 1 for n in runs.values())
    assert ("report_open", "2026-W48", "done") in {(r.job, r.period, r.outcome) for r in rows}


class _StallsAfter:
    """A bot whose sends after the first `n` hang until cancelled (a process about to die)."""

    def __init__(self, bot: Any, n: int) -> None:
        self._bot, self._left = bot, n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        if self._left <= 0:
            await asyncio.Event().wait()
        self._left -= 1
        return await self._bot.send_message(*args, **kwargs)


async def test_crash_in_the_middle_of_a_fan_out_then_restart(world) -> None:
    await world.scheduler.tick()
    await world.scheduler.travel(datetime(2026, 11, 26, 11, 59, tzinfo=SHANGHAI))
    world.clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    await world.scheduler.run_due(world.clock.now())  # queued, nothing sent yet

    # The process dies after two messages went out; the third it had claimed never reaches
    # Telegram (without the stall, whether it did would depend on timing).
    stalling = _StallsAfter(world.app.bot, 2)
    crashing = OutboxSender(world.svc.sessions, stalling, world.clock, "doomed", batch=2)
    task = asyncio.current_task

    def crash_after_two(_row: OutboxMessage) -> None:
        if crashing.stats.sent == 2:
            runner.cancel()

    crashing.on_sent = crash_after_two
    runner = asyncio.create_task(crashing.drain())
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    assert task is not None
    delivered = sum(report_open_count(world, c.telegram_user_id) for c in CADRES)
    assert delivered == 2

    # The replacement instance picks up what the dead one had claimed once the claim expires.
    world.clock.advance(timedelta(minutes=3))
    survivor = Scheduler(
        world.svc,
        OutboxSender(world.svc.sessions, world.app.bot, world.clock, "survivor"),
        JOBS,
        instance="survivor",
    )
    await survivor.sender.drain()
    for cadre in CADRES:
        assert report_open_count(world, cadre.telegram_user_id) == 1, cadre.name
    async with world.svc.transaction() as session:
        statuses = Counter(
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.job == "report_open")
            )
        )
    assert statuses == {"sent": len(CADRES)}


async def test_two_instances_one_scheduler_no_duplicates(world) -> None:
    second = Scheduler(
        world.svc,
        OutboxSender(world.svc.sessions, world.app.bot, world.clock, "second"),
        JOBS,
        instance="second",
    )
    world.clock.set(datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI))
    await asyncio.gather(world.scheduler.tick(), second.tick())
    world.clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    await asyncio.gather(world.scheduler.tick(), second.tick(), world.scheduler.tick())
    assert [report_open_count(world, c.telegram_user_id) for c in CADRES] == [1] * len(CADRES)
    holders = {await world.scheduler.holds_lease(), await second.holds_lease()}
    assert holders == {True, False}


async def test_standby_takes_over_when_the_holder_dies(world) -> None:
    standby = Scheduler(
        world.svc,
        OutboxSender(world.svc.sessions, world.app.bot, world.clock, "standby"),
        JOBS,
        instance="standby",
    )
    await world.scheduler.tick()
    assert await world.scheduler.holds_lease() and not await standby.holds_lease()
    # The holder's last renewal has run out (it was killed): the standby has the lease.
    async with world.svc.transaction() as session:
        await acquire_lease(session, LEASE_NAME, world.scheduler.instance, timedelta(0))
    assert await standby.holds_lease()
    world.clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    await standby.tick()
    assert all(report_open_count(world, c.telegram_user_id) == 1 for c in CADRES)


async def test_a_skewed_instance_clock_neither_takes_nor_loses_the_lease(world) -> None:
    """The lease runs out by the database's clock: an instance whose clock runs 10 minutes
    ahead does not take a live lease, and the holder's own clock (here a week behind the
    database's) does not make its lease look run out to the others."""
    ahead = Scheduler(
        replace(world.svc, clock=ManualClock(world.clock.now() + timedelta(minutes=10))),
        OutboxSender(world.svc.sessions, world.app.bot, world.clock, "ahead"),
        JOBS,
        instance="ahead",
    )
    assert await world.scheduler.holds_lease()
    assert not await ahead.holds_lease()
    assert await world.scheduler.holds_lease()


async def test_a_skewed_instance_clock_takes_no_live_outbox_claim(world) -> None:
    async with world.svc.transaction() as session:
        await enqueue(
            session,
            [
                Outgoing(key=f"t:{c.name}", job="test", chat_id=c.telegram_user_id, text="你好")
                for c in CADRES
            ],
            world.clock.now(),
        )
    claimed = await world.scheduler.sender.claim()
    assert claimed
    ahead = OutboxSender(
        world.svc.sessions,
        world.app.bot,
        ManualClock(world.clock.now() + timedelta(minutes=10)),
        "ahead",
    )
    assert await ahead.claim() == []


async def test_catch_up_within_grace_and_missed_beyond_it(world) -> None:
    await world.scheduler.tick()
    # Down from Wednesday to Thursday 13:00: the 12:00 reminder is 1 h late, within the grace.
    world.clock.set(datetime(2026, 11, 26, 13, 0, tzinfo=SHANGHAI))
    await world.scheduler.tick()
    assert all(report_open_count(world, c.telegram_user_id) == 1 for c in CADRES)
    # Down again until Saturday: the Friday deadline summary and last calls are missed.
    world.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI))
    await world.scheduler.tick()
    async with world.svc.transaction() as session:
        runs = {(r.job, r.outcome) for r in await session.scalars(select(JobRun))}
    assert ("field_nudge", "missed") in runs  # Wednesday 15:00, more than 3 h before 13:00
    assert ("report_deadline", "missed") in runs
    assert ("report_open", "done") in runs
    # The admins are told about each missed job, once (visible, never silently lost).
    await world.scheduler.tick()
    missed = [
        m.text for m in bot_messages(world, ADMIN.telegram_user_id) if "已记录为错过" in m.text
    ]
    shz_deadline = [t for t in missed if "report_deadline" in t and "沙河子镇" in t]
    assert len(shz_deadline) == 1 and "2026-11-27 18:00" in shz_deadline[0]
    assert not any("report_open" in t and "沙河子镇" in t for t in missed)


async def test_429_and_5xx_still_deliver_exactly_once(world) -> None:
    world.emu.faults.inject(method="sendMessage", kind="500", count=2)
    world.emu.faults.inject(method="sendMessage", kind="502", count=1)
    world.emu.faults.inject(method="sendMessage", kind="429", count=2, retry_after=1)
    world.scheduler.sender.backoff = 0.01
    await world.scheduler.tick()
    await world.scheduler.travel(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    await world.scheduler.sender.drain()
    assert [report_open_count(world, c.telegram_user_id) for c in CADRES] == [1] * len(CADRES)
    assert world.emu.stats.faults_injected["500"] == 2
    assert world.emu.stats.responses_429 >= 2


async def test_blocked_user_is_marked_unreachable_and_secretary_told(world) -> None:
    world.emu.block(CADRE_LI.telegram_user_id)
    await world.scheduler.tick()
    await world.scheduler.travel(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    async with world.svc.transaction() as session:
        li = await session.get(Member, world.member_ids[CADRE_LI.telegram_user_id])
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.chat_id == CADRE_LI.telegram_user_id)
        )
    assert li.unreachable is True
    assert row.status == "failed" and row.last_error.startswith("forbidden")
    notice = bot_messages(world, SECRETARY.telegram_user_id)[-1]
    assert CADRE_LI.name in notice.text and "屏蔽" in notice.text
    # Others were not held up.
    assert all(report_open_count(world, c.telegram_user_id) == 1 for c in CADRES if c != CADRE_LI)
    # Writing to the bot again makes the member reachable.
    world.emu.unblock(CADRE_LI.telegram_user_id)
    await world.user(CADRE_LI.telegram_user_id).send("/help")
    await world.user(CADRE_LI.telegram_user_id).reply(timeout=10)
    async with world.svc.transaction() as session:
        assert (
            await session.get(Member, world.member_ids[CADRE_LI.telegram_user_id])
        ).unreachable is False


async def test_bad_request_is_recorded_with_the_reason(world) -> None:
    async with world.svc.transaction() as session:
        await enqueue(
            session,
            [Outgoing(key="t:bad", job="test", chat_id=-100999, text="to nowhere")],
            world.clock.now(),
        )
    await world.scheduler.sender.drain()
    async with world.svc.transaction() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == "t:bad"))
    assert row.status == "failed" and "chat not found" in row.last_error.lower()


async def test_long_messages_are_split_and_keys_are_unique(world) -> None:
    text = "\n".join(f"第{i}行 " + "事" * 90 for i in range(100))
    item = Outgoing(key="t:long", job="test", chat_id=SECRETARY.telegram_user_id, text=text)
    async with world.svc.transaction() as session:
        first = await enqueue(session, [item], world.clock.now())
        again = await enqueue(session, [item], world.clock.now())
    assert first >= 3 and again == 0
    await world.scheduler.sender.drain()
    parts = bot_messages(world, SECRETARY.telegram_user_id)
    assert len(parts) == first
    assert "".join(p.text.replace("\n", "") for p in parts) == text.replace("\n", "")


async def test_year_beyond_the_calendar_warns_the_admin_once(world) -> None:
    world.clock.set(datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI))
    await world.scheduler.tick()
    await world.scheduler.travel(datetime(2027, 1, 8, 19, 0, tzinfo=SHANGHAI))
    warnings = [m for m in bot_messages(world, ADMIN.telegram_user_id) if "2027" in m.text]
    assert len(warnings) == 1 and "[calendar]" in warnings[0].text
    # The 2027 week still gets its Friday (Mon-Fri fallback) reminder, once.
    assert all(report_open_count(world, c.telegram_user_id) == 2 for c in CADRES)


async def test_a_job_at_work_leaves_the_database_free_to_write(world, database_url) -> None:
    """On SQLite the first write takes the one write lock: a job drawing its charts for
    seconds must not hold it, or every send to the web channel's server waits that long."""
    if not is_sqlite(database_url):
        pytest.skip("PostgreSQL writers do not wait for each other's tables")
    impatient = create_engine(database_url, sqlite_busy_timeout=0.01)
    wrote: list[int] = []

    async def report_open_writing_meanwhile(ctx: JobContext) -> list[Outgoing]:
        async with session_factory(impatient).begin() as other:
            note = Outgoing(f"meanwhile-{len(wrote)}", "test", SECRETARY.telegram_user_id, "…")
            wrote.append(await enqueue(other, [note], world.clock.now()))
        return await JOBS["report_open"](ctx)

    scheduler = Scheduler(
        world.svc,
        OutboxSender(world.svc.sessions, world.app.bot, world.clock, "charts"),
        {**JOBS, "report_open": report_open_writing_meanwhile},
        instance="charts",
    )
    try:
        await scheduler.tick()
        await scheduler.travel(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    finally:
        await impatient.dispose()
    assert wrote and set(wrote) == {1}  # one per township
    assert [report_open_count(world, c.telegram_user_id) for c in CADRES] == [1] * len(CADRES)


async def test_a_flood_wait_of_an_hour_reschedules_the_outbox_without_holding_it(world) -> None:
    """A server asks for 3600 s: the drain ends at once (it does not hold its claims for the
    hour), no message is sent during the pause, and each stays pending for after it."""
    world.emu.faults.inject(method="sendMessage", kind="429", count=1, retry_after=3600)
    await world.scheduler.tick()
    thursday = datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)
    # An upper bound far above the run's time, not a timing: the old limiter held an hour.
    await asyncio.wait_for(world.scheduler.travel(thursday), 60)
    await asyncio.wait_for(world.scheduler.sender.drain(), 60)
    async with world.svc.transaction() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.job == "report_open"))
        )
    assert rows and {r.status for r in rows} == {"pending"}
    assert world.emu.stats.responses_429 == 1
    assert [report_open_count(world, c.telegram_user_id) for c in CADRES] == [0] * len(CADRES)
