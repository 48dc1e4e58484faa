"""A visit log's `problems_solved` always equals its problems: kept by create and edit, and
filled in by migration 0008 for the logs written before it."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.core.config import parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import session_factory
from bot.core.db.migrate import downgrade, upgrade
from bot.core.models import FieldVisit, Member, Township, Village, VisitProblem
from bot.visits import queries as visit_db
from devkit.sample import sample_config

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 18)
NOW = datetime.combine(DAY, time(18), TZ)


async def _member_and_village(session, url: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    settings = parse_settings(sample_config("7000000002:COUNT", "http://127.0.0.1:9", url), "t")
    await member_db.sync_townships(session, settings)
    township = await session.scalar(select(Township).order_by(Township.id))
    village = await session.scalar(select(Village).where(Village.township_id == township.id))
    member = Member(
        telegram_user_id=40_000_001,
        display_name="计数",
        language="zh_CN",
        active=True,
        unreachable=False,
        created_at=NOW,
    )
    session.add(member)
    await session.flush()
    return member.id, township.id, village.id


async def _counts(session) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """(visit id, problems_solved, problems rows) per visit log."""
    rows = await session.execute(
        select(
            FieldVisit.id,
            FieldVisit.problems_solved,
            select(func.count(VisitProblem.id))
            .where(VisitProblem.visit_id == FieldVisit.id)
            .scalar_subquery(),
        ).order_by(FieldVisit.id)
    )
    return [tuple(row) for row in rows]


async def test_create_and_edit_keep_the_count(engine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        member_id, township_id, village_id = await _member_and_village(session, str(engine.url))
        draft = visit_db.VisitDraft(
            village_id=village_id, visit_date=DAY, problems=("修路", "通水")
        )
        first = await visit_db.create_visit(
            session, member_id=member_id, township_id=township_id, draft=draft, today=DAY, now=NOW
        )
        plain = visit_db.VisitDraft(village_id=village_id, visit_date=DAY)
        second = await visit_db.create_visit(
            session, member_id=member_id, township_id=township_id, draft=plain, today=DAY, now=NOW
        )
    async with sessions() as session:
        assert await _counts(session) == [(first, 2, 2), (second, 0, 0)]

    async with sessions() as session, session.begin():
        for visit_id, problems in ((first, ()), (second, ("调解", "帮办", "宣传"))):
            changed = visit_db.VisitDraft(village_id=village_id, visit_date=DAY, problems=problems)
            assert await visit_db.update_visit(
                session, visit_id, member_id=member_id, draft=changed, today=DAY, now=NOW
            )
    async with sessions() as session:
        assert await _counts(session) == [(first, 0, 0), (second, 3, 3)]


async def test_migration_0008_counts_the_problems_of_existing_logs(engine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        member_id, township_id, village_id = await _member_and_village(session, str(engine.url))
        for problems in (("一",), (), ("一", "二", "三")):
            draft = visit_db.VisitDraft(village_id=village_id, visit_date=DAY, problems=problems)
            await visit_db.create_visit(
                session,
                member_id=member_id,
                township_id=township_id,
                draft=draft,
                today=DAY,
                now=NOW,
            )
        await session.execute(update(FieldVisit).values(problems_solved=7))  # to be recounted

    try:
        await downgrade(engine, "0007")  # the column goes, the problems stay
    finally:
        await upgrade(engine)
    async with sessions() as session:
        counts = await _counts(session)
    assert [(solved, rows) for _, solved, rows in counts] == [(1, 1), (0, 0), (3, 3)]


async def test_after_a_migration_foreign_keys_are_enforced_again(engine) -> None:
    await downgrade(engine, "0007")
    await upgrade(engine)
    with pytest.raises(IntegrityError):
        async with session_factory(engine)() as session, session.begin():
            session.add(Village(township_id=987654, name="nowhere"))
