"""The cadre week as facts: the one query module that every reader of a cadre's week uses
(/me, the visit and report cards, the reminders, the Monday agenda, the summaries, the
red/black lists). It reads the visit logs (summed per member and week in SQL), the reports
and the approved leave of a township in a few queries whatever the number of cadres and
weeks, and `bot.week.cadre_week.judge_weeks` judges every `CadreWeek` from them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    String,
    any_,
    bindparam,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.expression import Executable

from bot.core.db.bulk import gc_paused
from bot.core.db.engine import core
from bot.core.models import (
    FieldVisit,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    Role,
    WeeklyReport,
)
from bot.core.models.base import UtcDateTime
from bot.week.cadre_week import EPOCH, Cadre, CadreWeek, judge_weeks, week_number
from bot.week.quota import ExemptKind, ExemptSpan
from bot.week.schedule import WeekRules
from bot.week.weeks import week_of

_EPOCH_JULIAN = 2415020.5  # SQLite's julianday('1900-01-01')


async def cadre_weeks(
    session: AsyncSession,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None = None,
    *,
    judged_only: bool = False,
) -> list[CadreWeek]:
    """Every active cadre's week in the township (or only `member_ids`), by member id, the
    report judged at `now`. `judged_only` (figures, summaries, agendas) leaves out cadres
    in the week they joined; reminders and nudges go to newcomers too."""
    monday = week_of(week_start)
    weeks = await cadre_weeks_between(
        session, township_id, [monday], rules, now, member_ids, judged_only=judged_only
    )
    return weeks[monday]


async def cadre_weeks_between(
    session: AsyncSession,
    township_id: int,
    week_starts: Iterable[date],
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None = None,
    *,
    judged_only: bool = False,
) -> dict[date, list[CadreWeek]]:
    """`cadre_weeks` for several weeks at once (a month of summaries): the same few
    queries, whatever the number of weeks or cadres."""
    mondays = sorted({week_of(w) for w in week_starts})
    result: dict[date, list[CadreWeek]] = {monday: [] for monday in mondays}
    for week in await period_cadre_weeks(
        session, township_id, mondays, rules, now, member_ids, judged_only=judged_only
    ):
        result[week.week_start].append(week)
    return result


async def member_week(
    session: AsyncSession,
    member_id: int,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
    *,
    name: str | None = None,
) -> CadreWeek:
    """One member's week in the township (/me, a card's figures, a report's note about last
    week), from the same facts and the same judging as every other reader. `name`: the
    member's, when the caller has it at hand (else it is read)."""
    monday = week_of(week_start)
    if name is None:
        name = await session.scalar(select(Member.display_name).where(Member.id == member_id))
    else:  # the figures are read on the connection, which does not flush the session
        await session.flush()
    weeks = await _judged(
        session,
        township_id,
        [monday],
        rules,
        now,
        [Cadre(member_id, name or "", None)],
        [member_id],
    )
    return weeks[0]


async def period_cadre_weeks(
    session: AsyncSession,
    township_id: int,
    weeks: Iterable[date],
    rules: WeekRules,
    as_of: datetime,
    member_ids: Sequence[int] | None = None,
    *,
    judged_only: bool = True,
    final: bool = False,
) -> list[CadreWeek]:
    """Every active cadre's week in the township (or only `member_ids`) for each of `weeks`,
    member by member and week by week, the report judged at `as_of`. The lists ask for the
    judged weeks only, `final` (a report still pending at `as_of` is missing)."""
    mondays = sorted({week_of(w) for w in weeks})
    if not mondays:
        return []
    # The big queries run on the connection (Core rows, no ORM loading), which does not
    # flush the session as `session.execute` would.
    await session.flush()
    cadres = await _cadres(session, township_id, rules, member_ids)
    return await _judged(
        session, township_id, mondays, rules, as_of, cadres, member_ids, judged_only, final
    )


async def _cadres(
    session: AsyncSession, township_id: int, rules: WeekRules, member_ids: Sequence[int] | None
) -> list[Cadre]:
    """The township's active cadres (of `member_ids` only, when given), by id, with the
    week each joined as a cadre."""
    only = () if member_ids is None else (Member.id.in_(list(member_ids)),)
    rows = await (await session.connection()).execute(
        # A join, not `IN (subquery)`: PostgreSQL scanned the members twice for that.
        select(Member.id, Member.display_name, Member.created_at, MemberRole.joined_at)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.CADRE,
            Member.active.is_(True),
            *only,
        )
        .order_by(Member.id)
    )
    tz = rules.tz
    return [
        Cadre(member_id, name, week_of((role_joined or created).astimezone(tz).date()))
        for member_id, name, created, role_joined in rows
    ]


async def _judged(
    session: AsyncSession,
    township_id: int,
    mondays: Sequence[date],
    rules: WeekRules,
    as_of: datetime,
    cadres: Sequence[Cadre],
    member_ids: Sequence[int] | None,
    judged_only: bool = False,
    final: bool = False,
) -> list[CadreWeek]:
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    plans = [rules.plan(monday) for monday in mondays]
    late_from = {p.monday: p.window.closes_at for p in plans if p.window is not None}
    ids = [c.member_id for c in cadres]
    totals = await _visit_totals(session, township_id, first, last, member_ids)
    spans = await exempt_spans(session, township_id, first, last, member_ids)
    marks = await _report_marks(session, township_id, ids, mondays, late_from)
    with gc_paused():  # every row and week built here stays alive until the caller is done
        return judge_weeks(
            plans,
            rules.calendar,
            rules.quota,
            as_of,
            cadres,
            totals,
            spans,
            marks,
            final=final,
            judged_only=judged_only,
        )


async def cadres_of(session: AsyncSession, township_id: int) -> list[tuple[int, str]]:
    """Active members holding the cadre role in the township: (member id, name), by id."""
    rows = await session.execute(
        select(Member.id, Member.display_name)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.CADRE,
            Member.active.is_(True),
        )
        .order_by(Member.id)
    )
    return [(mid, name) for mid, name in rows]


def _sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _day_number_in(sqlite: bool, column: Any) -> ColumnElement[int]:
    """A date column as days since `EPOCH`, in SQL."""
    if sqlite:
        return cast(func.julianday(column) - _EPOCH_JULIAN, Integer)
    return cast(column - literal(EPOCH, Date), Integer)


async def _visit_totals(
    session: AsyncSession,
    township_id: int,
    start: date,
    end: date,
    member_ids: Sequence[int] | None = None,
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(member id, week number) -> (weekday bits of the field days, screenings, problems
    solved) over the township's live visit logs dated within [start, end] (of `member_ids`
    only, when given): one query,
    aggregated per member and week in SQL (a bit per distinct weekday with a visit)."""
    statement = _visit_totals_statement(_sqlite(session), member_ids is not None)
    params: dict[str, Any] = {"township_id": township_id, "start": start, "end": end}
    if member_ids is not None:
        params["member_ids"] = list(member_ids)
    rows = await (await session.connection()).execute(statement, params)
    with gc_paused():
        return {
            (member_id, week): (bits, screenings, solved)
            for member_id, week, bits, screenings, solved in rows.all()
        }


@cache
def _visit_totals_statement(sqlite: bool, of_members: bool) -> Executable:
    """`_visit_totals`' statement, built once per database and shape (a card's figures read
    it on every save)."""
    day = _day_number_in(sqlite, FieldVisit.visit_date)
    only = (
        (FieldVisit.member_id.in_(bindparam("member_ids", expanding=True)),) if of_members else ()
    )
    visits = (
        select(
            FieldVisit.member_id.label("member_id"),
            (day // 7).label("week"),
            _shift(day % 7).label("bit"),
            FieldVisit.dispute_screenings.label("screenings"),
            FieldVisit.problems_solved.label("problems"),
        )
        .where(
            FieldVisit.township_id == bindparam("township_id"),
            FieldVisit.visit_date >= bindparam("start", type_=Date),
            FieldVisit.visit_date <= bindparam("end", type_=Date),
            FieldVisit.deleted_at.is_(None),
            *only,
        )
        .subquery()
    )
    return select(
        visits.c.member_id,
        visits.c.week,
        # SQLite has no bit_or; PostgreSQL's spares sorting for the distinct sum.
        cast(func.sum(distinct(visits.c.bit)), Integer) if sqlite else func.bit_or(visits.c.bit),
        # Integers, not PostgreSQL's numeric sums (decimals to convert on every row).
        cast(func.sum(visits.c.screenings), Integer),
        cast(func.sum(visits.c.problems), Integer),
    ).group_by(visits.c.member_id, visits.c.week)


# Member ids per statement when looking up reports (one parameter holds them all): one
# statement up to that many cadres a township.
_IDS_PER_QUERY = 10_000


def _shift(bit: ColumnElement[int], big: bool = False) -> ColumnElement[int]:
    """``1 << bit`` in SQL (a 64-bit one when ``big``: PostgreSQL's plain 1 is 32-bit)."""
    one = literal(1, BigInteger) if big else literal(1)
    return one.op("<<", precedence=7, return_type=BigInteger if big else Integer)(bit)


def _among(column: InstrumentedAttribute[int], sqlite: bool) -> ColumnElement[bool]:
    """``column IN (ids)`` with the ids as one parameter, `ids` (a JSON list on SQLite, an
    array on PostgreSQL): the same plans as a list of ids, which SQLAlchemy would render
    afresh, a parameter per id, on every run."""
    if sqlite:
        listed = func.json_each(bindparam("ids", type_=String)).table_valued("value")
        return column.in_(select(listed.c.value))
    return column == any_(bindparam("ids", type_=ARRAY(Integer)))


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
    connection = await session.connection()
    if _sqlite(session) or len(member_ids) < _CUSTOM_PLANS_FROM:
        return await _report_masks(session, connection, township_id, member_ids, mondays, late_from)
    # PostgreSQL's generic plan for these statements (which asyncpg's prepared statements get
    # after a few runs) probes the reports several times slower than a plan made for the
    # actual weeks and members: plan each one afresh. Local to the transaction, so a rollback
    # restores the setting too.
    previous = (
        await connection.execute(
            select(
                func.current_setting("plan_cache_mode"),
                func.set_config("plan_cache_mode", "force_custom_plan", True),
            )
        )
    ).one()[0]
    marks = await _report_masks(session, connection, township_id, member_ids, mondays, late_from)
    await connection.execute(select(func.set_config("plan_cache_mode", previous, True)))
    return marks


# A township's lists and summaries read this many members' reports or more; one member's
# week (a tap) fewer, and skips the two statements of the setting.
_CUSTOM_PLANS_FROM = 50


async def _report_masks(
    session: AsyncSession,
    connection: AsyncConnection,
    township_id: int,
    member_ids: Sequence[int],
    mondays: Sequence[date],
    late_from: Mapping[date, datetime],
) -> dict[int, tuple[int, int]]:
    marks: dict[int, tuple[int, int]] = {}
    sqlite = _sqlite(session)
    start = 0
    while start < len(mondays):
        base = mondays[start]
        end = start
        while end < len(mondays) and (mondays[end] - base).days // 7 < _WEEKS_PER_MASK:
            end += 1
        chunk = mondays[start:end]
        start = end
        shift = (base - mondays[0]).days // 7
        due = [m for m in chunk if m in late_from]
        statement = _report_masks_statement(sqlite, len(due))
        params: dict[str, Any] = {
            "township_id": township_id,
            "first": chunk[0],
            "last": chunk[-1],
            "base_week": week_number(base),
        }
        for n, monday in enumerate(due):
            params[f"monday_{n}"] = monday
            params[f"due_{n}"] = late_from[monday]
        for first in range(0, len(member_ids), _IDS_PER_QUERY):
            ids = list(member_ids[first : first + _IDS_PER_QUERY])
            params["ids"] = json.dumps(ids) if sqlite else ids
            rows = await connection.execute(statement, params)
            for member_id, submitted, late_bits in rows:
                before_submitted, before_late = marks.get(member_id, (0, 0))
                marks[member_id] = (
                    before_submitted | submitted << shift,
                    before_late | late_bits << shift,
                )
    return marks


@lru_cache(maxsize=128)
def _report_masks_statement(sqlite: bool, deadlines: int) -> Executable:
    """`_report_masks`' statement for weeks of which `deadlines` have one (a report window),
    built once per database and shape: the weeks, their deadlines, the members and the week
    of the base bit are parameters."""
    # (member, township, week) is unique, so a sum of the week bits is their bitwise or.
    combine: Any = func.sum if sqlite else func.bit_or
    distance = _day_number_in(sqlite, WeeklyReport.week_start) // 7 - bindparam(
        "base_week", type_=Integer
    )
    week_bit = _shift(distance, big=True)
    due = [
        (bindparam(f"monday_{n}", type_=Date), bindparam(f"due_{n}", type_=UtcDateTime()))
        for n in range(deadlines)
    ]
    late = (
        case(
            (WeeklyReport.first_submitted_at >= case(*due, value=WeeklyReport.week_start), 1),
            else_=0,
        )
        if due
        else literal(0)
    )
    return (
        select(
            WeeklyReport.member_id,
            cast(combine(week_bit), BigInteger),
            cast(combine(week_bit * late), BigInteger),
        )
        .where(
            _among(WeeklyReport.member_id, sqlite),
            WeeklyReport.township_id == bindparam("township_id"),
            WeeklyReport.week_start >= bindparam("first", type_=Date),
            WeeklyReport.week_start <= bindparam("last", type_=Date),
            WeeklyReport.first_submitted_at.is_not(None),
        )
        .group_by(WeeklyReport.member_id)
    )


async def first_submissions(
    session: AsyncSession, township_id: int, mondays: Sequence[date], member_ids: Iterable[int]
) -> dict[tuple[int, date], datetime | None]:
    """(member id, week) -> first submission of that week's report to the township."""
    ids = list(member_ids)
    if not ids or not mondays:
        return {}
    rows = await session.execute(
        select(
            WeeklyReport.member_id, WeeklyReport.week_start, WeeklyReport.first_submitted_at
        ).where(
            WeeklyReport.township_id == township_id,
            WeeklyReport.week_start.in_(list(mondays)),
            WeeklyReport.member_id.in_(ids),
        )
    )
    return {(mid, week): at for mid, week, at in rows}


async def exempt_spans(
    session: AsyncSession,
    township_id: int,
    start: date,
    end: date,
    member_ids: Sequence[int] | None = None,
) -> dict[int, list[ExemptSpan]]:
    """Approved leave / official-duty spans in the township overlapping [start, end], by
    member id (of `member_ids` only, when given)."""
    params: dict[str, Any] = {"township_id": township_id, "start": start, "end": end}
    if member_ids is not None:
        params["member_ids"] = list(member_ids)
    rows = await (await core(session)).execute(_exempt_statement(member_ids is not None), params)
    result: dict[int, list[ExemptSpan]] = {}
    for member_id, first, last, kind, reason in rows:
        exempt: ExemptKind = "official_duty" if kind == "official_duty" else "leave"
        result.setdefault(member_id, []).append(ExemptSpan(first, last, exempt, reason))
    return result


@cache
def _exempt_statement(of_members: bool) -> Executable:
    """`exempt_spans`' statement, built once per shape."""
    only = (
        (LeaveRequest.member_id.in_(bindparam("member_ids", expanding=True)),) if of_members else ()
    )
    return (
        select(
            LeaveRequest.member_id,
            LeaveRequest.start_date,
            LeaveRequest.end_date,
            LeaveRequest.kind,
            LeaveRequest.reason,
        )
        .where(
            LeaveRequest.township_id == bindparam("township_id"),
            LeaveRequest.status == LeaveStatus.APPROVED,
            LeaveRequest.start_date <= bindparam("end", type_=Date),
            LeaveRequest.end_date >= bindparam("start", type_=Date),
            *only,
        )
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
