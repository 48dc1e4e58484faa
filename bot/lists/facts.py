"""The facts the red and black lists are computed from: the seam between this feature and
the visit-log / weekly-report / leave (issue 3) and dispute-case (issue 4) tables.

Handlers, jobs, the CLI and the demo never call these functions directly: they go through
`provider(svc.extras)`, which returns `svc.extras["redblack_facts"]` when one is installed
(tests and the demo install their own) and `DEFAULT_PROVIDER` otherwise.

The running bot installs `database_facts(settings)`, which reads the visit, report, leave and
case tables; the module-level functions below are the empty fallback (no data, nobody listed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.cases.queries import case_config
from bot.cases.rules import DEADLINE_STATUSES, Status
from bot.core.config import Settings
from bot.core.db.bulk import gc_paused
from bot.core.i18n import gettext_for
from bot.core.models import (
    DisputeCase,
    FieldVisit,
    MemberRole,
    Township,
    Village,
    VillageAssignment,
    WeeklyReport,
)
from bot.core.models import Member as MemberModel
from bot.core.models.base import UtcDateTime
from bot.lists.rules import Member, MemberCaseFacts, MemberWeek, Period
from bot.reports.queries import needs_by_village, section_texts
from bot.visits.queries import township_visits
from bot.week.facts import cadre_weeks, cadre_weeks_between, exempt_spans, joined_weeks
from bot.week.rules import (
    ExemptSpan,
    Quota,
    ReportStatus,
    ReportWindow,
    WeekReportStatus,
    exempt_workdays,
    judged_report_status,
    required_quota,
    week_key,
    week_of,
)
from bot.week.schedule import WeekRules, week_rules

LedgerRow = tuple[Any, ...]
zh = gettext_for("zh_CN")  # the ledger is a Chinese document whoever exports it


async def member_weeks(session: AsyncSession, township_id: int, period: Period) -> list[MemberWeek]:
    """One `MemberWeek` per member (of `members_for_lists`) and per week of `period.weeks`
    with any data or exemption.

    - `report`: "on_time" / "late" / "missing" for a week with a report due, "exempt" when no
      report was due (no workday, or the member was exempt on the deadline day);
    - `field_days_done` and `field_day_dates`: distinct dates with a visit log in the week;
    - `*_required`: the weekly quota pro-rated with `bot.week.rules.required_quota` for the
      workdays the member was available (holidays, approved leave and official duty removed);
    - `exempt_days`: exempt workdays; `fully_exempt`: no available workday at all.
    """
    return []


async def member_case_facts(
    session: AsyncSession, township_id: int, period: Period
) -> list[MemberCaseFacts]:
    """Dispute cases owned by the township's members that were still open and overdue at
    `period.end` (`days_overdue` counted to `period.end`), or resolved within the period
    (`resolved_in_period=True`)."""
    return []


async def visit_log_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """走访台账 rows, in the order of `VISIT_HEADERS` (bot/core/xlsx.py)."""
    return []


async def report_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """周五交账 rows, in the order of `REPORT_HEADERS` (bot/core/xlsx.py)."""
    return []


async def case_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """矛盾纠纷台账 rows, in the order of `CASE_HEADERS` (bot/core/xlsx.py)."""
    return []


async def members_for_lists(
    session: AsyncSession, township_id: int, village_units: Mapping[str, str] | None = None
) -> list[Member]:
    """Active cadres of the township (each once), with their unit: the first 包村 village they
    look after, mapped through `village_units` (village -> 包村 team) when configured."""
    units = village_units or {}
    villages = (
        select(VillageAssignment.member_id, Village.id, Village.name)
        .join(Village, Village.id == VillageAssignment.village_id)
        .where(Village.township_id == township_id)
        .subquery()
    )
    rows = await session.execute(
        select(MemberModel.id, MemberModel.display_name, villages.c.name)
        .join(MemberRole, MemberRole.member_id == MemberModel.id)
        .outerjoin(villages, villages.c.member_id == MemberModel.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == "cadre",
            MemberModel.active.is_(True),
        )
        .order_by(MemberModel.id, villages.c.id)
    )
    out: list[Member] = []
    for mid, name, village in rows:  # one row per village looked after (or one, None)
        if out and out[-1].member_id == mid:
            continue
        out.append(Member(mid, name, units.get(village, village) if village else None))
    return out


WeeksFunc = Callable[[AsyncSession, int, Period], Awaitable[list[MemberWeek]]]
CasesFunc = Callable[[AsyncSession, int, Period], Awaitable[list[MemberCaseFacts]]]
RowsFunc = Callable[[AsyncSession, int, date, date], Awaitable[list[LedgerRow]]]


@dataclass(frozen=True)
class FactsProvider:
    """The replaceable hook: install one as `svc.extras["redblack_facts"]`."""

    member_weeks: WeeksFunc = member_weeks
    member_case_facts: CasesFunc = member_case_facts
    visit_log_rows: RowsFunc = visit_log_rows
    report_rows: RowsFunc = report_rows
    case_rows: RowsFunc = case_rows


DEFAULT_PROVIDER = FactsProvider()
EXTRAS_KEY = "redblack_facts"


def provider(extras: Mapping[str, Any]) -> FactsProvider:
    found = extras.get(EXTRAS_KEY)
    return found if isinstance(found, FactsProvider) else DEFAULT_PROVIDER


# --- the real facts, from the visit/report/leave and case tables ---------------------------


def database_facts(settings: Settings) -> FactsProvider:
    """The provider the running bot installs: every fact comes from the database."""

    async def weeks(session: AsyncSession, township_id: int, period: Period) -> list[MemberWeek]:
        township = await session.get(Township, township_id)
        if township is None:
            return []
        rules = week_rules(settings, township.code)
        return await period_member_weeks(
            session, township_id, period.weeks, rules, period_as_of(period, rules)
        )

    async def cases(
        session: AsyncSession, township_id: int, period: Period
    ) -> list[MemberCaseFacts]:
        owner = func.coalesce(DisputeCase.mediator_id, DisputeCase.opened_by)
        rows = await session.execute(
            select(
                DisputeCase.number,
                DisputeCase.status,
                DisputeCase.deadline,
                DisputeCase.resolved_on,
                owner,
            ).where(
                DisputeCase.township_id == township_id,
                DisputeCase.registered_on <= period.end,
                owner.in_(_active_cadres(township_id)),
                # Only what can count (checked again below): a year of closed cases is not.
                or_(
                    DisputeCase.resolved_on.between(period.start, period.end),
                    and_(
                        DisputeCase.status.in_(DEADLINE_STATUSES),
                        DisputeCase.deadline < period.end,
                    ),
                ),
            )
        )
        out: list[MemberCaseFacts] = []
        for number, status, deadline, resolved_on, owner_id in rows:
            resolved = resolved_on is not None and period.start <= resolved_on <= period.end
            overdue = status in DEADLINE_STATUSES and deadline < period.end
            if resolved or overdue:
                days = (period.end - deadline).days if overdue else 0
                out.append(MemberCaseFacts(owner_id, number, days, resolved))
        return out

    async def visits(
        session: AsyncSession, township_id: int, start: date, end: date
    ) -> list[LedgerRow]:
        names = await _member_names(session, township_id)
        by_member = await township_visits(session, township_id, start, end)
        rows = [
            (
                v.visit_date,
                names.get(member_id, str(member_id)),
                v.village,
                "、".join(v.activities),
                v.dispute_screenings,
                len(v.problems),
                "；".join(v.problems),
                v.notes,
                "是" if v.location_checked else "",
                "是" if v.backfilled else "",
            )
            for member_id, member_visits in by_member.items()
            for v in member_visits
        ]
        return sorted(rows, key=lambda r: (r[0], r[1]))

    async def reports(
        session: AsyncSession, township_id: int, start: date, end: date
    ) -> list[LedgerRow]:
        township = await session.get(Township, township_id)
        if township is None:
            return []
        rules = week_rules(settings, township.code)
        as_of = datetime.combine(end + timedelta(days=1), time(0), rules.tz)
        labels = {
            "on_time": "按时",
            "late": "迟交",
            "missing": "未交",
            "pending": "未到期",
            "exempt": "免报",
        }
        out: list[LedgerRow] = []
        week = week_of(start)
        while week <= end:
            plans = {
                member_id: text
                for member_id, _, text in await section_texts(
                    session, township_id, week, "下周计划"
                )
            }
            needs: dict[int, list[str]] = {}
            for group in await needs_by_village(session, township_id, week):
                for need in group.items:
                    text = f"{group.village}：{need.text}" if group.village else need.text
                    needs.setdefault(need.member_id, []).append(text)
            for cw in await cadre_weeks(session, township_id, week, rules, as_of):
                done = cw.status.done
                out.append(
                    (
                        week_key(week),
                        cw.name,
                        cw.submitted_at.astimezone(rules.tz).replace(tzinfo=None)
                        if cw.submitted_at
                        else None,
                        labels.get(cw.report, cw.report),
                        done.field_days,
                        done.dispute_screenings,
                        done.problems_solved,
                        plans.get(cw.member_id, ""),
                        "\n".join(needs.get(cw.member_id, [])),
                    )
                )
            week += timedelta(days=7)
        return out

    async def case_ledger(
        session: AsyncSession, township_id: int, start: date, end: date
    ) -> list[LedgerRow]:
        """No party names or phones: the ledger may be printed and passed around. The 承办人
        is the mediator once one took the case, before that whoever registered it (the one
        its reminders go to)."""
        from bot.cases.views import STATUS_LABELS

        config = case_config(settings)
        categories = {t.key: t.label for t in config.categories}
        mediator = aliased(MemberModel)
        rows = await session.execute(
            select(
                DisputeCase.number,
                DisputeCase.registered_on,
                Village.name,
                DisputeCase.category,
                mediator.display_name,
                DisputeCase.deadline,
                DisputeCase.status,
                DisputeCase.resolved_on,
            )
            .join(Village, Village.id == DisputeCase.village_id)
            .outerjoin(
                mediator,
                mediator.id == func.coalesce(DisputeCase.mediator_id, DisputeCase.opened_by),
            )
            .where(
                DisputeCase.township_id == township_id,
                DisputeCase.registered_on >= start,
                DisputeCase.registered_on <= end,
            )
            .order_by(DisputeCase.registered_on, DisputeCase.seq)
        )
        return [
            (
                number,
                registered,
                village,
                categories.get(cat, cat),
                name or "",
                deadline,
                zh(STATUS_LABELS[Status(status)])
                if status in Status._value2member_map_
                else status,
                resolved,
            )
            for number, registered, village, cat, name, deadline, status, resolved in rows
        ]

    return FactsProvider(
        member_weeks=weeks,
        member_case_facts=cases,
        visit_log_rows=visits,
        report_rows=reports,
        case_rows=case_ledger,
    )


def period_as_of(period: Period, rules: WeekRules) -> datetime:
    """The moment the lists judge a period at: the end of the period, when every deadline in
    it has passed (a report still not submitted then is missing)."""
    return datetime.combine(period.end + timedelta(days=1), time(0), rules.tz)


async def member_weeks_straight(
    session: AsyncSession,
    township_id: int,
    weeks: Sequence[date],
    rules: WeekRules,
    as_of: datetime,
) -> list[MemberWeek]:
    """The definition of the lists' week facts, straight from the week overview the agenda
    and reminders read: every active cadre's `CadreWeek.member_week()` for each week, from
    the first full week after joining, member by member and week by week.
    `period_member_weeks` must return exactly this."""
    if not weeks:
        return []
    joined = await joined_weeks(session, township_id, rules.tz)
    by_week = await cadre_weeks_between(session, township_id, weeks, rules, as_of)
    found = [
        cadre_week.member_week()
        for week_start in sorted(set(weeks))
        for cadre_week in by_week.get(week_start, [])
        if week_start > joined.get(cadre_week.member_id, week_start)
    ]
    return sorted(found, key=lambda w: (w.member_id, w.week_start))


def _active_cadres(township_id: int) -> Select[int]:
    """The ids of the township's active cadres, as a subquery."""
    return (
        select(MemberRole.member_id)
        .join(MemberModel, MemberModel.id == MemberRole.member_id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == "cadre",
            MemberModel.active.is_(True),
        )
    )


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
    """The lists' week facts (`member_weeks_straight`, exactly) for every active cadre of the
    township and each of `weeks`, without building the week overview: four queries whatever
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
            select(MemberModel.id, MemberModel.created_at, MemberRole.joined_at)
            .join(MemberRole, MemberRole.member_id == MemberModel.id)
            .where(
                MemberRole.township_id == township_id,
                MemberRole.role == "cadre",
                MemberModel.active.is_(True),
            )
            .order_by(MemberModel.id)
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
    """Member by member, week by week (the order of `member_weeks_straight`)."""
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
            (submitted, late, fully): _final(
                judged_report_status(plan.window, submitted, late, as_of, fully)
            )
            for submitted in (False, True)
            for late in (False, True)
            for fully in (False, True)
        }
        return cls(plan, 1 << index, statuses, {0: plan.required}, {})


_NO_VISITS = (0, 0, 0)
_NO_REPORTS = (0, 0)


def _final(status: WeekReportStatus) -> ReportStatus:
    return "missing" if status == "pending" else status


async def _member_names(session: AsyncSession, township_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(MemberModel.id, MemberModel.display_name)
        .join(MemberRole, MemberRole.member_id == MemberModel.id)
        .where(MemberRole.township_id == township_id)
    )
    return {mid: name for mid, name in rows}


__all__ = [
    "DEFAULT_PROVIDER",
    "EXTRAS_KEY",
    "FactsProvider",
    "LedgerRow",
    "case_rows",
    "database_facts",
    "member_case_facts",
    "member_weeks",
    "member_weeks_straight",
    "members_for_lists",
    "period_as_of",
    "period_member_weeks",
    "provider",
    "report_rows",
    "visit_log_rows",
]
