"""The cadre weeks summed in SQL (`bot.week.facts.period_cadre_weeks`) are exactly the
straightforward definition (`tests.reference_weeks.cadre_weeks_straight`: each week judged
visit by visit, from the first full week after joining), on varied data: holidays
and 调休 workdays (national and configured), leave and official duty (approved, pending,
rejected, whole weeks), reports on time, late, exactly at the deadline, drafts and missing
ones, several and backfilled and deleted visits, visits in another township, members joining
mid-period and inactive ones."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.core.config import parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import session_factory
from bot.core.models import (
    DisputeCase,
    FieldVisit,
    LeaveRequest,
    Member,
    MemberRole,
    Township,
    Village,
    VillageAssignment,
    VisitProblem,
    WeeklyReport,
)
from bot.lists.facts import database_facts, members_for_lists, period_as_of
from bot.lists.periods import latest_complete
from bot.lists.queries import compute_snapshot
from bot.lists.rules import MemberCaseFacts, Period
from bot.week import facts as week_facts
from bot.week.schedule import week_rules
from bot.week.weeks import weeks_in_range
from devkit.sample import sample_config
from tests.reference_weeks import cadre_weeks_straight

TZ = ZoneInfo("Asia/Shanghai")
# 2026: National Day holidays Oct 1-7 (a week with no report due on a normal Friday),
# configured extra holiday and extra workday too.
FIRST, LAST = date(2026, 8, 31), date(2026, 11, 22)
EXTRA_HOLIDAY, EXTRA_WORKDAY = date(2026, 9, 18), date(2026, 11, 14)


def _settings(url: str, holidays: tuple[date, ...] = (EXTRA_HOLIDAY,)):  # type: ignore[no-untyped-def]
    config = sample_config("7000000001:FACTS", "http://127.0.0.1:9", url)
    config["townships"] = [
        {
            "code": code,
            "name": f"{code}镇",
            "villages": [{"name": f"{code}{v}村"} for v in "一二三"],
        }
        for code in ("TA", "TB")
    ]
    config["calendar"] = {"extra_holidays": list(holidays), "extra_workdays": [EXTRA_WORKDAY]}
    return parse_settings(config, "test")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


async def _seed(session, settings, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    await member_db.sync_townships(session, settings)
    townships = {t.code: t.id for t in await session.scalars(select(Township))}
    villages: dict[int, list[int]] = {}
    for township_id, village_id in await session.execute(select(Village.township_id, Village.id)):
        villages.setdefault(township_id, []).append(village_id)
    rules = week_rules(settings, "TA")
    weeks = weeks_in_range(FIRST, LAST)
    for i in range(36):
        home = townships["TA"] if i % 6 else townships["TB"]
        joined = FIRST - timedelta(days=30)
        if i % 5 == 1:  # joined during the data, on some day of a week
            joined = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))
        member = Member(
            telegram_user_id=30_000_000 + i,
            display_name=f"成员{i:02d}",
            language="zh_CN",
            active=i % 11 != 3,
            unreachable=False,
            created_at=_at(joined, rng.choice((0, 9, 23))),
        )
        session.add(member)
        await session.flush()
        roles = {"cadre"} if i % 9 else {"secretary"}
        if i % 7 == 2:
            roles.add("secretary")
        for role in sorted(roles):
            session.add(MemberRole(member_id=member.id, township_id=home, role=role))
        if i % 8 == 5:  # a cadre of both townships
            other = townships["TB"] if home == townships["TA"] else townships["TA"]
            session.add(MemberRole(member_id=member.id, township_id=other, role="cadre"))
        session.add(VillageAssignment(member_id=member.id, village_id=villages[home][i % 3]))
        for monday in weeks:
            for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5))):
                day = monday + timedelta(days=rng.randrange(7))
                township = home if rng.random() < 0.9 else townships["TA"]
                created = _at(day + timedelta(days=rng.choice((0, 0, 0, 1, 3))), 20)
                visit = FieldVisit(
                    member_id=member.id,
                    township_id=township,
                    village_id=rng.choice(villages[township]),
                    visit_date=day,
                    backfilled=created.date() > day,
                    activities=["听取民意"],
                    dispute_screenings=rng.choice((0, 0, 1, 2)),
                    notes="",
                    location_checked=False,
                    created_at=created,
                    updated_at=created,
                    deleted_at=created if rng.random() < 0.05 else None,
                )
                visit.problems_solved = rng.choice((0, 0, 1, 3))
                session.add(visit)
                await session.flush()
                for position in range(visit.problems_solved):
                    session.add(VisitProblem(visit_id=visit.id, position=position, description="x"))
            window = rules.window(monday)
            deadline = window.deadline if window else _at(monday + timedelta(days=4), 18)
            choice = rng.random()
            if choice < 0.15:
                continue  # missing
            if choice < 0.2:  # a draft, never submitted
                at = None
            elif choice < 0.25:
                at = deadline  # exactly at the deadline: on time
            elif choice < 0.45:
                at = deadline + timedelta(minutes=rng.choice((1, 90, 3000)))
            else:
                at = deadline - timedelta(hours=rng.choice((1, 5, 20)))
            stamp = at or _at(monday, 10)
            session.add(
                WeeklyReport(
                    member_id=member.id,
                    township_id=home if rng.random() < 0.9 else townships["TB"],
                    week_start=monday,
                    status="submitted" if at else "draft",
                    draft={},
                    digest_auto=True,
                    revision=1 if at else 0,
                    first_submitted_at=at,
                    submitted_at=at,
                    late=bool(at and at > deadline),
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            start = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))
            length = rng.choice((0, 1, 2, 4, 6, 9, 13))
            session.add(
                LeaveRequest(
                    member_id=member.id,
                    township_id=home,
                    kind=rng.choice(("leave", "official_duty")),
                    start_date=start,
                    end_date=start + timedelta(days=length),
                    reason="事假",
                    status=rng.choice(("approved", "approved", "pending", "rejected")),
                    requested_by=member.id,
                    created_at=_at(start, 8),
                )
            )
    await session.flush()


def _periods() -> list[Period]:
    monday = date(2026, 11, 23)
    periods = [latest_complete(kind, monday) for kind in ("week", "month", "quarter")]
    all_weeks = tuple(weeks_in_range(FIRST, LAST))
    periods.append(Period("quarter", FIRST, LAST, all_weeks))
    holiday_week = date(2026, 9, 28)
    periods.append(Period("month", holiday_week, holiday_week + timedelta(days=13), all_weeks[4:6]))
    return periods


async def test_facts_summed_in_sql_are_the_straight_definition(
    engine, database_url, monkeypatch
) -> None:
    settings = _settings(database_url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await _seed(session, settings, random.Random(7))
    async with sessions() as session:
        checked = 0
        for township in await session.scalars(select(Township).order_by(Township.id)):
            rules = week_rules(settings, township.code)
            for period in _periods():
                as_of = period_as_of(period, rules)
                straight = await cadre_weeks_straight(
                    session, township.id, period.weeks, rules, as_of
                )
                summed = await week_facts.period_cadre_weeks(
                    session, township.id, period.weeks, rules, as_of, final=True
                )
                assert summed == straight, (township.code, period)
                provided = await database_facts(settings).member_weeks(session, township.id, period)
                assert provided == straight
                checked += len(straight)
        assert checked > 500
        # A township's worth of members: PostgreSQL plans the reports' statements afresh, for
        # those statements only.
        monkeypatch.setattr(week_facts, "_CUSTOM_PLANS_FROM", 2)
        for period in _periods():
            rules = week_rules(settings, "TA")
            as_of = period_as_of(period, rules)
            assert await week_facts.period_cadre_weeks(
                session, 1, period.weeks, rules, as_of, final=True
            ) == await cadre_weeks_straight(session, 1, period.weeks, rules, as_of)
        if session.get_bind().dialect.name == "postgresql":
            assert await session.scalar(text("SHOW plan_cache_mode")) == "auto"
        # Members' reports looked up a few ids at a time give the same facts.
        monkeypatch.setattr(week_facts, "_IDS_PER_QUERY", 4)
        for period in _periods():
            rules = week_rules(settings, "TA")
            as_of = period_as_of(period, rules)
            assert await week_facts.period_cadre_weeks(
                session, 1, period.weeks, rules, as_of, final=True
            ) == await cadre_weeks_straight(session, 1, period.weeks, rules, as_of)
        # Reports judged a few weeks per statement, also for weeks that skip some.
        monkeypatch.setattr(week_facts, "_WEEKS_PER_MASK", 3)
        quarter = _periods()[3]
        rules = week_rules(settings, "TA")
        as_of = period_as_of(quarter, rules)
        for weeks in (quarter.weeks, quarter.weeks[::2], quarter.weeks[1::3]):
            assert await week_facts.period_cadre_weeks(
                session, 1, weeks, rules, as_of, final=True
            ) == await cadre_weeks_straight(session, 1, weeks, rules, as_of)
        # The data covers what the comparison is about.
        straight = await cadre_weeks_straight(
            session,
            1,
            _periods()[3].weeks,
            week_rules(settings, "TA"),
            period_as_of(_periods()[3], week_rules(settings, "TA")),
        )
        assert {w.report for w in straight} == {"on_time", "late", "missing", "exempt"}
        assert any(w.exempt_days > 0 for w in straight)
        assert any(w.fully_exempt for w in straight)
        assert any(w.field_days_required < 3 and not w.fully_exempt for w in straight)
        assert len({w.field_days_done for w in straight}) >= 4


async def test_lists_from_the_summed_facts_are_those_of_the_straight_definition(
    engine, database_url
) -> None:
    """The whole lists (evaluation, snapshot, explanations) the bot computes from the facts
    summed in SQL are those computed from the straightforward facts; rows of other members
    or weeks that a provider hands over are left out."""
    settings = _settings(database_url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await _seed(session, settings, random.Random(11))
    database = database_facts(settings)

    async def straight(session, township_id: int, period: Period):  # type: ignore[no-untyped-def]
        township = await session.get(Township, township_id)
        rules = week_rules(settings, township.code)
        return await cadre_weeks_straight(
            session, township_id, period.weeks, rules, period_as_of(period, rules)
        )

    async def with_strangers(session, township_id: int, period: Period):  # type: ignore[no-untyped-def]
        weeks = await straight(session, township_id, period)
        before = period.weeks[0] - timedelta(days=7)
        return [
            weeks[0]._replace(member_id=99_999),
            weeks[0]._replace(week_start=before),
            *weeks,
        ]

    now = _at(date(2026, 11, 23), 9)
    async with sessions() as session:
        compared = 0
        for township in await session.scalars(select(Township).order_by(Township.id)):
            for period in _periods():
                summed = await compute_snapshot(session, settings, township, period, database, now)
                for weeks in (straight, with_strangers):
                    provider = replace(database, member_weeks=weeks)
                    assert summed == await compute_snapshot(
                        session, settings, township, period, provider, now
                    ), (township.code, period, weeks.__name__)
                compared += len(summed["explanations"])
        assert compared > 100


async def test_members_for_lists_name_the_first_village_of_the_township(
    engine, database_url
) -> None:
    settings = _settings(database_url)
    async with session_factory(engine)() as session, session.begin():
        await member_db.sync_townships(session, settings)
        townships = {t.code: t.id for t in await session.scalars(select(Township))}
        village = {v.name: v.id for v in await session.scalars(select(Village))}
        looked_after = {  # member -> villages, in the order assigned
            "甲": ["TA三村", "TA一村"],
            "乙": ["TB一村", "TA二村"],
            "丙": ["TB二村"],
            "丁": [],
        }
        for i, (name, villages) in enumerate(looked_after.items()):
            member = Member(
                telegram_user_id=40_000_000 + i,
                display_name=name,
                language="zh_CN",
                active=True,
                unreachable=False,
            )
            session.add(member)
            await session.flush()
            session.add(MemberRole(member_id=member.id, township_id=townships["TA"], role="cadre"))
            for v in villages:
                session.add(VillageAssignment(member_id=member.id, village_id=village[v]))
        await session.flush()
        members = await members_for_lists(session, townships["TA"])
        assert [(m.name, m.unit) for m in members] == [
            ("甲", "TA一村"),
            ("乙", "TA二村"),
            ("丙", None),
            ("丁", None),
        ]
        teams = await members_for_lists(session, townships["TA"], {"TA一村": "东片"})
        assert [m.unit for m in teams] == ["东片", "TA二村", None, None]


async def test_case_facts_are_those_of_the_townships_active_cadres(engine, database_url) -> None:
    settings = _settings(database_url)
    period = Period("month", date(2026, 10, 26), date(2026, 11, 22), ())
    async with session_factory(engine)() as session, session.begin():
        await member_db.sync_townships(session, settings)
        townships = {t.code: t.id for t in await session.scalars(select(Township))}
        village = (await session.scalars(select(Village.id))).first()
        people = {}
        for i, (name, code, role, active) in enumerate(
            [
                ("cadre", "TA", "cadre", True),
                ("gone", "TA", "cadre", False),
                ("secretary", "TA", "secretary", True),
                ("elsewhere", "TB", "cadre", True),
            ]
        ):
            member = Member(
                telegram_user_id=50_000_000 + i,
                display_name=name,
                language="zh_CN",
                active=active,
                unreachable=False,
            )
            session.add(member)
            await session.flush()
            session.add(MemberRole(member_id=member.id, township_id=townships[code], role=role))
            people[name] = member.id
        cases = [  # number, opened by, mediator, status, registered, deadline, resolved
            ("A", "cadre", None, "mediating", date(2026, 10, 1), date(2026, 11, 1), None),
            (
                "B",
                "secretary",
                "cadre",
                "closed",
                date(2026, 10, 1),
                date(2026, 11, 1),
                date(2026, 11, 5),
            ),
            ("C", "gone", None, "mediating", date(2026, 10, 1), date(2026, 11, 1), None),
            ("D", "cadre", "elsewhere", "mediating", date(2026, 10, 1), date(2026, 11, 1), None),
            ("E", "secretary", "cadre", "mediating", date(2026, 11, 20), date(2026, 12, 20), None),
            ("F", "cadre", None, "mediating", date(2026, 11, 23), date(2026, 11, 1), None),
            ("G", "cadre", None, "closed", date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 2)),
            # Referred: out of the township's hands, so past its deadline is not overdue.
            ("H", "cadre", None, "referred", date(2026, 10, 1), date(2026, 11, 1), None),
            # Registered and still unassigned past its deadline: overdue.
            ("I", "cadre", None, "registered", date(2026, 10, 1), date(2026, 11, 12), None),
        ]
        for seq, (number, opener, mediator, status, registered, deadline, resolved) in enumerate(
            cases, 1
        ):
            stamp = _at(registered, 10)
            session.add(
                DisputeCase(
                    township_id=townships["TA"],
                    number=number,
                    year=2026,
                    seq=seq,
                    village_id=village,
                    category="neighbourhood",
                    source="walk_in",
                    tier="ordinary",
                    status=status,
                    description="纠纷",
                    people_count=2,
                    registered_on=registered,
                    deadline=deadline,
                    opened_by=people[opener],
                    mediator_id=people[mediator] if mediator else None,
                    mediation_started_on=registered,
                    resolved_on=resolved,
                    closed_on=resolved,
                    relief_total_fen=0,
                    relief_count=0,
                    reopened_count=0,
                    version=1,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        await session.flush()
        facts = await database_facts(settings).member_case_facts(session, townships["TA"], period)
    cadre = people["cadre"]
    assert sorted(facts, key=lambda f: f.case_number) == [
        MemberCaseFacts(cadre, "A", 21, False),
        MemberCaseFacts(cadre, "B", 0, True),
        MemberCaseFacts(cadre, "I", 10, False),
    ]


async def test_the_facts_follow_changes_made_after_they_were_read(engine, database_url) -> None:
    """Visits moved, deleted and added, reports submitted later, leave approved and a holiday
    configured after the lists were computed once: the next computation is again the
    straightforward definition (nothing read once is kept and reused)."""
    settings = _settings(database_url)
    sessions = session_factory(engine)
    rng = random.Random(5)
    async with sessions() as session, session.begin():
        await _seed(session, settings, rng)

    async def compare(settings) -> int:  # type: ignore[no-untyped-def]
        checked = 0
        async with sessions() as session:
            for township in await session.scalars(select(Township).order_by(Township.id)):
                rules = week_rules(settings, township.code)
                for period in _periods():
                    as_of = period_as_of(period, rules)
                    assert await week_facts.period_cadre_weeks(
                        session, township.id, period.weeks, rules, as_of, final=True
                    ) == await cadre_weeks_straight(
                        session, township.id, period.weeks, rules, as_of
                    ), (township.code, period)
                    checked += 1
        return checked

    assert await compare(settings)
    async with sessions() as session, session.begin():
        visits = list(await session.scalars(select(FieldVisit).order_by(FieldVisit.id)))
        for visit in rng.sample(visits, 60):
            visit.visit_date += timedelta(days=rng.choice((-8, -1, 1, 3, 7)))
        for visit in rng.sample(visits, 30):
            visit.deleted_at = None if visit.deleted_at else _at(LAST, 20)
        for visit in rng.sample(visits, 20):
            visit.dispute_screenings = rng.randrange(3)
            visit.problems_solved = rng.randrange(3)
        for visit in rng.sample(visits, 10):
            await session.delete(visit)
        await session.flush()
        for visit in rng.sample(visits, 20):
            if visit in session.deleted:
                continue
            session.add(
                FieldVisit(
                    member_id=visit.member_id,
                    township_id=visit.township_id,
                    village_id=visit.village_id,
                    visit_date=visit.visit_date + timedelta(days=2),
                    backfilled=True,
                    activities=[],
                    dispute_screenings=1,
                    problems_solved=1,
                    notes="",
                    location_checked=False,
                    created_at=_at(LAST, 21),
                    updated_at=_at(LAST, 21),
                )
            )
        for report in await session.scalars(
            select(WeeklyReport).where(WeeklyReport.first_submitted_at.is_(None))
        ):
            report.first_submitted_at = report.submitted_at = report.created_at
            report.status = "submitted"
        for leave in await session.scalars(
            select(LeaveRequest).where(LeaveRequest.status == "pending")
        ):
            leave.status = "approved"
    assert await compare(settings)
    # A Friday (a report deadline) and a Tuesday made holidays.
    holidays = (EXTRA_HOLIDAY, date(2026, 10, 30), date(2026, 9, 1))
    assert await compare(_settings(database_url, holidays))
