"""Update ids in the order updates become visible: getUpdates never gives an update while
one with a smaller id may still appear, or the bot's next offset would delete it unseen."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.core.db.engine import is_sqlite, session_factory
from bot.web import store
from tests.conftest import START
from tests.web.conftest import Township


async def wait_blocked_or_done(township: Township, task: asyncio.Task[None]) -> None:
    """Until `task` has finished or waits for a lock held by another transaction of this
    database (looked at again until it is reached). pg_stat_activity, not pg_locks: a row
    lock is on a transaction id, which pg_locks files under no database. Each look is its
    own transaction: within one, PostgreSQL answers from the first look's snapshot."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with township.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(600):
            if task.done() or await connection.scalar(waiting):
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the second writer neither finished nor waited")


async def test_an_update_waits_for_the_one_numbered_before_it(
    township: Township, database_url: str
) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite has one writer at a time")
    sessions = session_factory(township.engine)

    async def says(words: str) -> None:
        async with sessions.begin() as session:
            await store.push_update(session, "message", {"text": words}, START)

    first = sessions()
    async with first.begin():
        await store.push_update(first, "message", {"text": "一"}, START)
        second = asyncio.create_task(says("二"))
        await wait_blocked_or_done(township, second)
        seen = (await township.call("getUpdates", timeout=0)).json()["result"]
        assert seen == []  # "二" may not be seen before "一" commits
    await first.close()
    await second
    seen = (await township.call("getUpdates", timeout=0)).json()["result"]
    assert [u["message"]["text"] for u in seen] == ["一", "二"]
    assert seen[0]["update_id"] < seen[1]["update_id"]
