"""The stored updates' queries (PostgreSQL): stored once, one holder per key, claims that
expire, the handled mark that fences a second handler."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db.engine import is_sqlite, session_factory
from bot.core.inbound import (
    claim,
    mark_done,
    pending,
    prune,
    release_if_idle,
    renew,
    store,
)
from bot.core.models import AuditEntry, InboundUpdate
from bot.core.work import AlreadyHandled, FirstCommit, commit_pending, unit_of_work

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=10)


@pytest.fixture(autouse=True)
def postgresql_only(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip('several active instances (active = "all") need PostgreSQL')


def message(update_id: int, user: int, text: str = "hi") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "x"},
            "text": text,
        },
    }


async def test_a_redelivered_update_is_stored_once(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        assert await store(session, [message(1, 7), message(2, 7)], NOW) == 2
    async with sessions() as session, session.begin():
        assert await store(session, [message(2, 7), message(3, 8)], NOW) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)) == 3
        assert [u for u, _ in (await pending(session, [7]))[7]] == [1, 2]


async def test_a_key_has_one_holder_until_its_claim_expires(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await store(session, [message(i, 100 + i % 10) for i in range(1, 41)], NOW)

    async def claim_as(holder: str, now: datetime) -> list[int]:
        async with sessions() as session, session.begin():
            return await claim(session, holder, now, TTL, limit=7)

    # Claims at the same moment skip each other's rows instead of taking the same keys.
    a, b = await asyncio.gather(claim_as("a", NOW), claim_as("b", NOW))
    assert len(a) == 7 and not set(a) & set(b)
    rest = await claim_as("c", NOW)
    assert set(a) | set(b) | set(rest) == set(range(100, 110))
    assert await claim_as("c", NOW) == []

    # "a" renews its claims, "b" does not: only b's keys go to another holder on expiry.
    later = NOW + TTL - timedelta(seconds=1)
    async with sessions() as session, session.begin():
        assert await renew(session, "a", [*a, b[0]], later, TTL) == set(a)
    after = NOW + TTL + timedelta(seconds=1)
    assert set(await claim_as("d", after)) == set(b) | set(rest)

    # A key is released only when it has nothing pending; released, it is not claimed until
    # a new update comes.
    key = a[0]
    async with sessions() as session, session.begin():
        assert not await release_if_idle(session, "a", key)
        for update_id, _ in (await pending(session, [key]))[key]:
            assert await mark_done(session, update_id, "a", later)
        assert not await release_if_idle(session, "b", key)  # not b's
        assert await release_if_idle(session, "a", key)
    assert await claim_as("e", after) == []
    async with sessions() as session, session.begin():
        await store(session, [message(100, key)], after)
    assert await claim_as("e", after) == [key]


async def test_an_update_counts_once_whoever_handles_it(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await store(session, [message(5, 7)], NOW)

    def first_commit(holder: str) -> FirstCommit:
        async def mark(session: Any) -> None:
            if not await mark_done(session, 5, holder, NOW):
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
        await store(session, [message(6, 7)], NOW)
        assert await prune(session, NOW + timedelta(seconds=1)) == 1
        assert await pending(session, [7, 8]) == {7: [(6, message(6, 7))]}


async def pending_count(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        count = await session.scalar(
            select(func.count()).select_from(InboundUpdate).where(InboundUpdate.done_at.is_(None))
        )
    return int(count or 0)
