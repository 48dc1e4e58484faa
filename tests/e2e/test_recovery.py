"""Recovery in seconds: a standby that takes over after a `kill -9` sends at once, not at its
timer's next tick; a send loop that fails puts its claims back at once; a standby's /health
answer is not logged as an error."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.core.db.engine import is_sqlite, session_factory
from bot.core.delivery import OutboxSender
from bot.core.models import OutboxMessage
from bot.core.outbox import Outgoing, enqueue
from devkit.sample import PEOPLE
from tests.e2e.helpers import CADRE_LI, ask1
from tests.e2e.reliability import record_counts
from tests.processes import (
    assert_no_secrets,
    free_port,
    logs,
    seed,
    start_instance,
    stop,
    wait_health,
    write_config,
)

NOTICE = "【恢复测试】"
LEASE_SECONDS = 5
RENEW_SECONDS = 1.0


def notices(emulator) -> Counter[str]:
    return Counter(
        m.text
        for p in PEOPLE
        for m in emulator.chat(p.telegram_user_id).messages
        if m.text and m.text.startswith(NOTICE)
    )


def fan_out(per_person: int) -> list[Outgoing]:
    return [
        Outgoing(
            key=f"recovery:{p.telegram_user_id}:{i}",
            job="recovery_test",
            chat_id=p.telegram_user_id,
            text=f"{NOTICE} {p.name} {i}/{per_person}",
        )
        for i in range(1, per_person + 1)
        for p in PEOPLE
    ]


async def statuses(sessions) -> Counter[str]:
    async with sessions() as session:
        return Counter(
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.job == "recovery_test")
            )
        )


@pytest.mark.e2e
async def test_standby_resumes_the_fan_out_within_the_lease_after_kill_9(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    sessions = session_factory(engine)
    await seed(emulator, engine, database_url, PEOPLE)
    api = emulator.base_url.removesuffix("/bot")
    ports = free_port(), free_port()
    # The active instance's timer ticks every second, so it starts the fan-out as soon as it
    # is queued; the standby's only once an hour, so only the work it runs on becoming active
    # can resume sending within the bound.
    for i, (port, tick) in enumerate(zip(ports, (1, 3600), strict=True)):
        write_config(
            tmp_path / f"instance{i}.toml",
            database_url,
            api=api,
            health_port=port,
            lease_seconds=LEASE_SECONDS,
            renew_seconds=RENEW_SECONDS,
            tick_seconds=tick,
            scheduler="send_batch = 1",
        )
    procs = []
    try:
        procs.append(await start_instance(tmp_path / "instance0.toml", tmp_path / "instance0.log"))
        await wait_health(ports[0], "active")
        procs.append(await start_instance(tmp_path / "instance1.toml", tmp_path / "instance1.log"))
        await wait_health(ports[1], "standby")

        items = fan_out(per_person=6)
        async with sessions() as session, session.begin():
            assert await enqueue(session, items, datetime.now(UTC)) == len(items)
        bot = emulator.bot()
        started = await bot.events_signal.wait_for(
            lambda: sum(notices(emulator).values()) >= 9 or None, 30
        )
        assert started, notices(emulator)
        # The next send reaches Telegram but its answer never comes back: the process dies
        # with that message sent and not recorded, the one message that may go out twice.
        emulator.faults.inject("sendMessage", "timeout", 1)
        hung = await bot.events_signal.wait_for(
            lambda: emulator.stats.faults_injected["timeout"] or None, 30
        )
        assert hung
        loop = asyncio.get_running_loop()
        procs[0].send_signal(signal.SIGKILL)
        killed_at = loop.time()
        await procs[0].wait()
        at_kill = sum(notices(emulator).values())
        in_flight = (await statuses(sessions))["sending"]
        assert in_flight == 1  # send_batch = 1

        bound = LEASE_SECONDS + 10
        resumed = await bot.events_signal.wait_for(
            lambda: sum(notices(emulator).values()) > at_kill or None, bound + 30
        )
        takeover = loop.time() - killed_at
        assert resumed, "the standby never resumed sending"
        assert takeover <= bound, f"sending resumed {takeover:.1f} s after the kill"
        texts = {i.text for i in items}
        done = await bot.events_signal.wait_for(lambda: set(notices(emulator)) == texts or None, 60)
        assert done, notices(emulator)
        assert (await wait_health(ports[1], "active"))["database"] == "ok"
    finally:
        await stop(procs)
    seen = notices(emulator)
    assert set(seen) == {i.text for i in items}  # nothing lost
    twice = sum(n - 1 for n in seen.values())
    assert twice <= in_flight and max(seen.values()) <= 2
    assert await statuses(sessions) == {"sent": len(items)}
    standby_log = logs(tmp_path / "instance1.log")
    # The standby answered its health probes with 503 while it stood by, and said nothing
    # about them at error level.
    assert "instance" in standby_log and "now active" in standby_log
    assert not [line for line in standby_log.splitlines() if " ERROR " in line]
    assert_no_secrets(standby_log + logs(tmp_path / "instance0.log"))
    record_counts(
        "takeover",
        {
            "fan_out_messages": len(items),
            "delivered_before_kill": at_kill,
            "in_flight_at_kill": in_flight,
            "sent_twice": twice,
            "lost": 0,
            "takeover_bound_seconds": bound,
        },
    )


class _FlakySessions:
    """A session factory whose next `fail` sessions cannot be opened (connections cut)."""

    def __init__(self, sessions: Any) -> None:
        self.sessions = sessions
        self.fail = 0

    def __call__(self) -> Any:
        if self.fail > 0:
            self.fail -= 1
            raise OperationalError("SELECT 1", {}, ConnectionResetError("connection cut"))
        return self.sessions()


async def _queue(world, per_person: int) -> list[Outgoing]:
    items = fan_out(per_person)
    async with world.svc.transaction() as session:
        await enqueue(session, items, world.clock.now())
    return items


@pytest.mark.parametrize("outage", [1, 10**6], ids=["one-cut", "down-for-a-while"])
async def test_a_failing_send_loop_puts_its_claims_back_at_once(world, outage: int) -> None:
    items = await _queue(world, per_person=3)
    flaky = _FlakySessions(world.svc.sessions)
    sender = OutboxSender(flaky, world.app.bot, world.clock, "flaky", batch=4)

    def cut_after_first(_row: OutboxMessage) -> None:
        if sender.stats.sent == 1:
            flaky.fail = outage

    sender.on_sent = cut_after_first
    with pytest.raises(OperationalError):
        await sender.drain()
    if outage == 1:  # back already: nothing stays claimed
        assert (await statuses(world.svc.sessions))["sending"] == 0
    flaky.fail = 0
    sender.on_sent = None
    # Same instant: nothing waits for a claim to run out, and what went out is not sent again.
    await sender.drain()
    seen = notices(world.emu)
    assert set(seen) == {i.text for i in items} and set(seen.values()) == {1}
    assert await statuses(world.svc.sessions) == {"sent": len(items)}


async def test_a_dropped_connection_costs_a_retry_not_an_apology(world, database_url) -> None:
    """Connections are not pinged before use: the server cutting them all (a restart, a
    proxy's idle timeout) is found by the next update's first statement, which runs again on
    a new connection; the user gets the answer, not "the database is not reachable"."""
    if is_sqlite(database_url):
        pytest.skip("SQLite has no connections to drop")
    user = CADRE_LI.telegram_user_id
    assert "/visit" in (await ask1(world, user, "/help")).text
    url = make_url(database_url)
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database="postgres"
    )
    try:
        cut = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.database,
        )
    finally:
        await admin.close()
    assert cut >= 1
    answer = await ask1(world, user, "/help")
    assert "/visit" in answer.text
