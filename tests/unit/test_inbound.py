"""The stored updates' queries (PostgreSQL): stored once, one holder per key, claims that
expire by the database's clock, the handled mark that fences a second handler, and the
notifications that wake only a key's holder."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import ManualClock
from bot.core.db.engine import is_sqlite, session_factory
from bot.core.inbound import (
    CHANNEL,
    Sharing,
    claim,
    mark_done,
    notified,
    pending,
    prune,
    release_if_idle,
    renew,
    store,
)
from bot.core.models import AuditEntry, InboundUpdate, UpdateKey
from bot.core.work import AlreadyHandled, FirstCommit, commit_pending, unit_of_work
from tests.updates import private_message as message

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=10)
SHARING: dict[str, Any] = {"claim_seconds": 10, "retention": timedelta(hours=1), "affinity": 10}


def fake_app(engine: AsyncEngine, now: datetime) -> Any:
    """What Sharing reads of an application to claim keys: the services (with the instance's
    own clock) and the update processor."""
    svc = SimpleNamespace(engine=engine, clock=ManualClock(now))
    return SimpleNamespace(bot_data={"services": svc}, update_processor=None)


@pytest.fixture(autouse=True)
def postgresql_only(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip('several active instances (active = "all") need PostgreSQL')


async def test_a_redelivered_update_is_stored_once(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        assert await store(session, [message(1, 7), message(2, 7)]) == 2
    async with sessions() as session, session.begin():
        assert await store(session, [message(2, 7), message(3, 8)]) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)) == 3
        assert [u for u, _ in (await pending(session, [7]))[7]] == [1, 2]


async def test_a_key_has_one_holder_until_its_claim_expires(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await store(session, [message(i, 100 + i % 10) for i in range(1, 41)])

    async def claim_as(holder: str) -> list[int]:
        async with sessions() as session, session.begin():
            return await claim(session, holder, TTL, limit=7)

    # Claims at the same moment skip each other's rows instead of taking the same keys.
    a, b = await asyncio.gather(claim_as("a"), claim_as("b"))
    assert len(a) == 7 and not set(a) & set(b)
    rest = await claim_as("c")
    assert set(a) | set(b) | set(rest) == set(range(100, 110))
    assert await claim_as("c") == []

    # "a" renews its claims; b's last renewal ran out (it stopped renewing): only b's keys go
    # to another holder, c's are still live.
    async with sessions() as session, session.begin():
        assert await renew(session, "a", [*a, b[0]], TTL) == set(a)
        assert await renew(session, "b", b, timedelta(0)) == set(b)
    assert set(await claim_as("d")) == set(b)

    # A key is released only when it has nothing pending; released, it is not claimed until
    # a new update comes.
    key = a[0]
    async with sessions() as session, session.begin():
        assert not await release_if_idle(session, "a", key)
        for update_id, _ in (await pending(session, [key]))[key]:
            assert await mark_done(session, update_id, "a")
        assert not await release_if_idle(session, "b", key)  # not b's
        assert await release_if_idle(session, "a", key)
    assert await claim_as("e") == []
    async with sessions() as session, session.begin():
        await store(session, [message(100, key)])
    assert await claim_as("e") == [key]


async def test_a_claim_lasts_by_the_database_clock_whatever_the_instances_clocks(
    engine: AsyncEngine,
) -> None:
    """An instance whose clock runs 10 minutes ahead of the claim's holder takes no live
    claim of it."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await store(session, [message(1, 7), message(2, 8)])
    ahead = Sharing(fake_app(engine, NOW + timedelta(minutes=10)), "ahead", **SHARING)
    async with sessions() as session, session.begin():
        assert await claim(session, "behind", TTL) == [7, 8]
    await ahead._claim()
    async with sessions() as session:
        holders = set(await session.scalars(select(UpdateKey.holder)))
    assert holders == {"behind"}
    async with sessions() as session, session.begin():
        assert await renew(session, "behind", [7, 8], TTL) == {7, 8}
    assert not ahead._keys


async def test_a_stored_update_notifies_its_keys_live_holder_only(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    heard: list[str] = []
    async with engine.connect() as listening:
        raw = await listening.get_raw_connection()
        await raw.driver_connection.add_listener(CHANNEL, lambda *args: heard.append(args[3]))
        async with sessions() as session, session.begin():
            await store(session, [message(1, 7), message(2, 8)])
        async with sessions() as session, session.begin():
            assert await claim(session, "a", TTL) == [7, 8]
            assert await renew(session, "a", [8], timedelta(0)) == {8}  # a stopped renewing 8
        async with sessions() as session, session.begin():
            await store(session, [message(3, 7), message(4, 8), message(5, 9)])
        async with sessions() as session, session.begin():
            assert await store(session, [message(5, 9)]) == 0  # a redelivery wakes nobody
        await raw.driver_connection.fetchval("SELECT 1")  # what was sent has arrived
    assert heard[0] == " 7,8"
    assert sorted(notified(n) for n in heard[1:]) == [("", [8, 9]), ("a", [7])]


async def test_an_update_counts_once_whoever_handles_it(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await store(session, [message(5, 7)])

    def first_commit(holder: str) -> FirstCommit:
        async def mark(session: Any) -> None:
            if not await mark_done(session, 5, holder):
                raise AlreadyHandled

        return FirstCommit(sessions, mark)

    async def handle(holder: str) -> None:
        """Write an audit row, then commit as before a Bot API call."""
        async with unit_of_work(first_commit(holder)) as work:
            work.session(sessions).add(
                AuditEntry(at=NOW, action=f"handled by {holder}", entity="test")
            )
            await commit_pending()

    await handle("a")
    with pytest.raises(AlreadyHandled):
        await handle("b")
    async with sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
        row = await session.get(InboundUpdate, 5)
    assert actions == ["handled by a"]
    assert row is not None and row.done_by == "a"
    assert await pending_count(engine) == 0

    # Handled updates go after the retention; pending ones stay.
    async with sessions() as session, session.begin():
        await store(session, [message(6, 7)])
        assert await prune(session, timedelta(hours=1)) == 0
        assert await prune(session, timedelta(0)) == 1
        assert await pending(session, [7, 8]) == {7: [(6, message(6, 7))]}


async def pending_count(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        count = await session.scalar(
            select(func.count()).select_from(InboundUpdate).where(InboundUpdate.done_at.is_(None))
        )
    return int(count or 0)
