"""The database goes away while cadres are in the middle of things: they are told the bot
cannot save right now (never a false success), the bot recovers by itself when the database
is back, and nothing it confirmed is lost.

PostgreSQL: the test database stops accepting connections (ALLOW_CONNECTIONS false) and every
open connection to it is terminated, from an admin connection to the `postgres` database.
SQLite: another process holds the write lock (BEGIN EXCLUSIVE), as a long maintenance script
would; the bot's writes give up after its busy timeout."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.core.db.engine import create_engine, is_sqlite
from bot.core.models import FieldVisit, WeeklyReport
from tests.e2e.cadre_helpers import Tapper, at, log_visit
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, zh
from tests.e2e.reliability import PatientUser, labels, record_counts

LI = CADRE_LI.telegram_user_id
WANG = CADRE_WANG.telegram_user_id
DOWN = zh(
    "Sorry, I cannot save anything right now because the database is not reachable. "
    "Nothing from your last message was saved. Please try again in a few minutes."
)
SUCCESSES = (
    zh("✅ Visit logged."),
    zh("Notes added."),
    zh("✅ Report submitted on time. You can still change it until the deadline."),
)


@pytest.fixture
async def engine(engine, database_url: str) -> AsyncIterator[Any]:
    """On SQLite, a short busy timeout so a locked database is reported quickly."""
    if not is_sqlite(database_url):
        yield engine
        return
    short = create_engine(database_url, sqlite_busy_timeout=0.3)
    yield short
    await short.dispose()


@asynccontextmanager
async def database_down(database_url: str) -> AsyncIterator[None]:
    url = make_url(database_url)
    if is_sqlite(database_url):
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    name = url.database
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database="postgres"
    )
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


async def visit_card(world: Any, user_id: int, village: str) -> Any:
    tap = Tapper(world, user_id)
    card = await tap.press(await tap.say("/visit"), village)
    return await tap.press(card, "⬜ 听取民意")


async def test_users_are_told_the_truth_and_the_bot_recovers(world, database_url: str) -> None:
    world.clock.set(at(26, 15))  # Thursday afternoon: the report window is open
    confirmed, _ = await log_visit(world, LI, "沙河子村")
    assert zh("✅ Visit logged.") in confirmed.text
    await log_visit(world, WANG, "西坡村")  # so that his report has its digest
    card = await visit_card(world, LI, "东岭村")
    wang = PatientUser(world, WANG, wait=15)
    preview = (await wang.say("/report", lambda m: "✏️ 问题与需求" in labels(m))).message
    li = PatientUser(world, LI, wait=15)
    told = 0
    async with database_down(database_url):
        # A save, a typed note and a report submission while the database is away.
        got = await li.press(card, zh("✅ Save"), lambda m: DOWN in m.text)
        assert (got.kind, got.text) == ("alert", DOWN), got
        told += 1
        got = await li.say("走访了三户困难户", lambda m: DOWN in m.text or "备注" in m.text)
        assert got.message is not None and got.message.text == DOWN, got
        told += 1
        got = await wang.press(preview, zh("✅ Submit"), lambda m: DOWN in m.text)
        assert (got.kind, got.text) == ("alert", DOWN), got
        told += 1
    # Back without a restart: the same card saves now, once.
    got = await li.press(card, zh("✅ Save"), lambda m: zh("✅ Visit logged.") in m.text)
    assert got.kind == "edit", got
    got = await wang.say("/report", lambda m: zh("✅ Submit") in labels(m))
    got = await wang.press(got.message, zh("✅ Submit"), lambda m: SUCCESSES[2] in m.text)
    assert got.kind == "edit", got
    shown = [m.text for uid in (LI, WANG) for m in world.user(uid).history]
    async with world.svc.transaction() as session:
        visits = await session.scalar(
            select(func.count(FieldVisit.id)).where(FieldVisit.member_id == world.member_ids[LI])
        )
        report = await session.scalar(
            select(WeeklyReport).where(WeeklyReport.member_id == world.member_ids[WANG])
        )
    assert visits == 2 and report.revision == 1
    # No success was claimed during the outage: exactly the successes after it.
    assert sum(zh("✅ Visit logged.") in t for t in shown) == 3
    assert sum(SUCCESSES[2] in t for t in shown) == 1
    assert not any(zh("Notes added.") in t for t in shown)
    record_counts(
        "database_outage",
        {
            "backend": "sqlite" if is_sqlite(database_url) else "postgresql",
            "actions_during_outage": 3,
            "told_cannot_save": told,
            "false_successes": 0,
            "confirmed_before_and_after": 4,
            "losses": 0,
        },
    )
