"""A cadre's weeks over a period, summed in SQL: what the red and black lists are judged on
(`MemberWeek`, one per active cadre and week), for a township's whole month or quarter in a
few queries. The quota and the report's status come from `bot.week.rules` (`required_quota`,
`judged_report_status`, `final_report_status`), the same rules as `CadreWeek`'s; the test
`tests/unit/test_redblack_facts_sql.py` checks these facts against the week overview
(`CadreWeek.member_week()`) on varied data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.bulk import gc_paused
from bot.core.models import FieldVisit, Member, MemberRole, WeeklyReport
from bot.core.models.base import UtcDateTime
from bot.week.facts import exempt_spans
from bot.week.rules import (
    ExemptSpan,
    MemberWeek,
    Quota,
    ReportStatus,
    ReportWindow,
    exempt_workdays,
    final_report_status,
    judged_report_status,
    required_quota,
    week_of,
)
from bot.week.schedule import WeekRules

# Day numbers count from Monday 1900-01-01, so `day // 7` is a week and `day % 7` a weekday.
_EPOCH = date(1900, 1, 1)
_EPOCH_JULIAN = 2415020.5  # SQLite's julianday('1900-01-01')


def _sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _day_number(session: AsyncSession, column: Any) -> ColumnElement[int]:
    """A date column as days since `_EPOCH`, in SQL."""
    if _sqlite(session):
        return cast(func.julianday(column) - _EPOCH_JULIAN, Integer)
    return cast(column - literal(_EPOCH, Date), Integer)


async def _visit_totals(
    session: AsyncSession, township_id: int, start: date, end: date
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(member id, week number) -> (weekday bits of the field days, screenings, problems
    solved) over the township's live visit logs dated within [start, end]: one query,
    aggregated per member and week in SQL (a bit per distinct weekday with a visit)."""
    day = _day_number(session, FieldVisit.visit_date)
    visits = (
        select(
            FieldVisit.member_id.label("member_id"),
            (day // 7).label("week"),
            _shift(day % 7).label("bit"),
            FieldVisit.dispute_screenings.label("screenings"),
            FieldVisit.problems_solved.label("problems"),
        )
        .where(
            FieldVisit.township_id == township_id,
            FieldVisit.visit_date >= start,
            FieldVisit.visit_date <= end,
            FieldVisit.deleted_at.is_(None),
        )
        .subquery()
    )
    rows = await (await session.connection()).execute(
        select(
            visits.c.member_id,
            visits.c.week,
            # SQLite has no bit_or; PostgreSQL's spares sorting for the distinct sum.
            cast(func.sum(distinct(visits.c.bit)), Integer)
            if _sqlite(session)
            else func.bit_or(visits.c.bit),
            # Integers, not PostgreSQL's numeric sums (decimals to convert on every row).
            cast(func.sum(visits.c.screenings), Integer),
            cast(func.sum(visits.c.problems), Integer),
        ).group_by(visits.c.member_id, visits.c.week)
    )
    with gc_paused():
        return {
            (member_id, week): (bits, screenings, solved)
            for member_id, week, bits, screenings, solved in rows
        }


# Member ids per statement when looking up reports: well under SQLite's and asyncpg's limits
# on bound parameters (32766 and 32767), so one statement up to that many cadres a township.
_IDS_PER_QUERY = 10_000


def _shift(bit: ColumnElement[int], big: bool = False) -> ColumnElement[int]:
    """``1 << bit`` in SQL (a 64-bit one when ``big``: PostgreSQL's plain 1 is 32-bit)."""
    one = literal(1, BigInteger) if big else literal(1)
    return one.op("<<", precedence=7, return_type=BigInteger if big else Integer)(bit)


# Weeks per reports statement: a bit each in a 64-bit integer.
_WEEKS_PER_MASK = 62


async def _report_marks(
    session: AsyncSession,
    township_id: int,
    member_ids: Sequence[int],
    mondays: Sequence[date],
    late_from: Mapping[date, datetime],
) -> dict[int, tuple[int, int]]:
    """member id -> (weeks with a submitted report, weeks whose report was first submitted
    at or after `late_from` (the week's `ReportWindow.closes_at`)), as bit
    masks: bit i is the week i weeks after ``mondays[0]``. Reports to this township only,
    judged in SQL (a week without a deadline has no lateness); one row per member comes
    back, not one per report.

    The members' ids are listed and the weeks given as a range: both databases then probe
    the (member, township, week) index per member, where a subquery for the members or a list
    of weeks made PostgreSQL scan the whole table."""
    marks: dict[int, tuple[int, int]] = {}
    connection = await session.connection()
    # (member, township, week) is unique, so a sum of the week bits is their bitwise or.
    combine: Any = func.sum if _sqlite(session) else func.bit_or
    start = 0
    while start < len(mondays):
        base = mondays[start]
        end = start
        while end < len(mondays) and (mondays[end] - base).days // 7 < _WEEKS_PER_MASK:
            end += 1
        chunk = mondays[start:end]
        start = end
        shift = (base - mondays[0]).days // 7
        distance = _day_number(session, WeeklyReport.week_start) // 7 - (base - _EPOCH).days // 7
        week_bit = _shift(distance, big=True)
        due = {m: literal(late_from[m], UtcDateTime()) for m in chunk if m in late_from}
        late = (
            case(
                (WeeklyReport.first_submitted_at >= case(due, value=WeeklyReport.week_start), 1),
                else_=0,
            )
            if due
            else literal(0)
        )
        for first in range(0, len(member_ids), _IDS_PER_QUERY):
            rows = await connection.execute(
                select(
                    WeeklyReport.member_id,
                    cast(combine(week_bit), BigInteger),
                    cast(combine(week_bit * late), BigInteger),
                )
                .where(
                    WeeklyReport.member_id.in_(member_ids[first : first + _IDS_PER_QUERY]),
                    WeeklyReport.township_id == township_id,
                    WeeklyReport.week_start >= chunk[0],
                    WeeklyReport.week_start <= chunk[-1],
                    WeeklyReport.first_submitted_at.is_not(None),
                )
                .group_by(WeeklyReport.member_id)
            )
            for member_id, submitted, late_bits in rows:
                before_submitted, before_late = marks.get(member_id, (0, 0))
                marks[member_id] = (
                    before_submitted | submitted << shift,
                    before_late | late_bits << shift,
                )
    return marks


@dataclass(frozen=True)
class _WeekPlan:
    """What every cadre's week shares: computed once per week, not per cadre."""

    monday: date
    number: int  # days since _EPOCH // 7
    window: ReportWindow | None
    workdays: int
    required: Quota  # with no exempt day
    days: tuple[date, ...]  # the week's seven dates


def _field_days(plan: _WeekPlan, bits: int, cache: dict[int, tuple[date, ...]]) -> tuple[date, ...]:
    dates = cache.get(bits)
    if dates is None:
        dates = cache[bits] = tuple(d for i, d in enumerate(plan.days) if bits >> i & 1)
    return dates


async def period_member_weeks(
    session: AsyncSession,
    township_id: int,
    weeks: Sequence[date],
    rules: WeekRules,
    as_of: datetime,
) -> list[MemberWeek]:
    """Every active cadre's `MemberWeek` in the township for each of `weeks` (from the first
    full week after joining; a report still pending at `as_of` is missing): four queries whatever
    the number of weeks (and of cadres, up to `_IDS_PER_QUERY` a township), the visits
    summed per member and week in SQL, the calendar, quota and report window worked out
    once per week."""
    mondays = sorted({week_of(w) for w in weeks})
    if not mondays:
        return []
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    # The big queries run on the connection (Core rows, no ORM loading), which does not
    # flush the session as `session.execute` would.
    await session.flush()
    # The active cadres (as `cadres_of`) and the week each joined (as `joined_weeks`).
    joined = {
        member_id: week_of((role_joined or created).astimezone(rules.tz).date())
        for member_id, created, role_joined in await (await session.connection()).execute(
            # A join, not `IN (_active_cadres)`: PostgreSQL scanned the members twice for that.
            select(Member.id, Member.created_at, MemberRole.joined_at)
            .join(MemberRole, MemberRole.member_id == Member.id)
            .where(
                MemberRole.township_id == township_id,
                MemberRole.role == "cadre",
                Member.active.is_(True),
            )
            .order_by(Member.id)
        )
    }
    cadres = list(joined)
    plans = [_week_plan(monday, rules) for monday in mondays]
    late_from = {p.monday: p.window.closes_at for p in plans if p.window is not None}
    totals = await _visit_totals(session, township_id, first, last)
    spans = await exempt_spans(session, township_id, first, last)
    marks = await _report_marks(session, township_id, cadres, mondays, late_from)
    with gc_paused():
        return _member_weeks(plans, rules, as_of, cadres, joined, totals, spans, marks)


def _week_plan(monday: date, rules: WeekRules) -> _WeekPlan:
    workdays = len(rules.calendar.workdays_in_week(monday))
    return _WeekPlan(
        monday=monday,
        number=(monday - _EPOCH).days // 7,
        window=rules.window(monday),
        workdays=workdays,
        required=required_quota(rules.quota, workdays, 0),
        days=tuple(monday + timedelta(days=i) for i in range(7)),
    )


def _member_weeks(
    plans: Sequence[_WeekPlan],
    rules: WeekRules,
    as_of: datetime,
    cadres: Sequence[int],
    joined: Mapping[int, date],
    totals: Mapping[tuple[int, int], tuple[int, int, int]],
    spans: Mapping[int, Sequence[ExemptSpan]],
    marks: Mapping[int, tuple[int, int]],
) -> list[MemberWeek]:
    """Member by member, week by week."""
    out: list[MemberWeek] = []
    if not plans:
        return out
    first_number = plans[0].number
    weeks = [_WeekFacts.of(plan, plan.number - first_number, as_of) for plan in plans]
    for member_id in cadres:
        joined_week = joined.get(member_id)
        submitted, late = marks.get(member_id, _NO_REPORTS)
        member_spans = spans.get(member_id)
        for week in weeks:
            plan = week.plan
            monday = plan.monday
            if joined_week is not None and monday <= joined_week:
                continue  # judged from the first full week after joining
            bits, screenings, solved = totals.get((member_id, plan.number), _NO_VISITS)
            dates = _field_days(plan, bits, week.dates_of) if bits else ()
            exempt = 0
            if member_spans:
                sunday = plan.days[-1]
                leave = [s for s in member_spans if s.start <= sunday and s.end >= monday]
                if leave:
                    exempt = len(exempt_workdays(monday, leave, rules.calendar))
            required = week.required_by_exempt.get(exempt)
            if required is None:
                required = week.required_by_exempt[exempt] = required_quota(
                    rules.quota, plan.workdays, exempt
                )
            fully_exempt = plan.workdays - exempt <= 0
            # A county quarter builds 130,000 of these: positionally, and through tuple's own
            # constructor (a named tuple's adds a Python call), in `MemberWeek`'s field order.
            out.append(
                _new_member_week(
                    MemberWeek,
                    (
                        member_id,
                        monday,
                        week.statuses[
                            (bool(submitted & week.bit), bool(late & week.bit), fully_exempt)
                        ],
                        len(dates),
                        required.field_days,
                        screenings,
                        required.dispute_screenings,
                        solved,
                        required.problems_solved,
                        exempt,
                        fully_exempt,
                        dates,
                    ),
                )
            )
    return out


_new_member_week = tuple.__new__


@dataclass
class _WeekFacts:
    """What `_member_weeks` looks up once per week."""

    plan: _WeekPlan
    bit: int  # the week's bit in `_report_marks`' masks
    # The report status for (submitted, late, fully exempt): after the deadline a still
    # pending report counts as missing.
    statuses: dict[tuple[bool, bool, bool], ReportStatus]
    required_by_exempt: dict[int, Quota]
    dates_of: dict[int, tuple[date, ...]]  # weekday bits -> the field days

    @classmethod
    def of(cls, plan: _WeekPlan, index: int, as_of: datetime) -> _WeekFacts:
        statuses = {
            (submitted, late, fully): final_report_status(
                judged_report_status(plan.window, submitted, late, as_of, fully)
            )
            for submitted in (False, True)
            for late in (False, True)
            for fully in (False, True)
        }
        return cls(plan, 1 << index, statuses, {0: plan.required}, {})


_NO_VISITS = (0, 0, 0)
_NO_REPORTS = (0, 0)
