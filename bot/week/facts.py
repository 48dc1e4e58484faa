"""The cadre week as facts: one query module that every reader of a cadre's week uses
(/me, the reminders, the Monday agenda, the summaries, the red/black lists). It reads the
visit logs, reports and approved leave of a township directly, a few queries whatever the
size of the township, and builds one `CadreWeek` per cadre and week."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.bulk import gc_paused
from bot.core.models import (
    FieldVisit,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    Role,
    Village,
    WeeklyReport,
)
from bot.week.rules import (
    ExemptKind,
    ExemptSpan,
    MemberWeek,
    ReportStatus,
    VisitFact,
    WeekReportStatus,
    WeekStatus,
    final_report_status,
    report_status,
    week_of,
)
from bot.week.schedule import WeekRules


@dataclass(frozen=True)
class CadreWeek:
    """One cadre's week: quota evaluation, leave, and the report's status."""

    member_id: int
    name: str
    status: WeekStatus
    report: WeekReportStatus
    submitted_at: datetime | None
    leave: tuple[ExemptSpan, ...] = field(default=())

    def member_week(self) -> MemberWeek:
        """The red/black-list facts of this week (call after the deadline: a still
        pending report counts as missing)."""
        s = self.status
        report: ReportStatus = final_report_status(self.report)
        return MemberWeek(
            member_id=self.member_id,
            week_start=s.week_start,
            report=report,
            field_days_done=s.done.field_days,
            field_days_required=s.required.field_days,
            screenings_done=s.done.dispute_screenings,
            screenings_required=s.required.dispute_screenings,
            problems_done=s.done.problems_solved,
            problems_required=s.required.problems_solved,
            exempt_days=len(s.exempt_days),
            fully_exempt=s.fully_exempt,
            field_day_dates=tuple(d.day for d in s.field_days),
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


async def _first_submissions(
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


async def _visit_facts(
    session: AsyncSession,
    township_id: int,
    start: date,
    end: date,
    member_ids: Sequence[int] | None = None,
) -> dict[tuple[int, date], list[VisitFact]]:
    """(member id, week) -> the quota facts of the township's live visit logs dated within
    [start, end] (of `member_ids` only, when given): one query, no ORM objects."""
    only = () if member_ids is None else (FieldVisit.member_id.in_(list(member_ids)),)
    rows = await session.execute(
        select(
            FieldVisit.member_id,
            FieldVisit.visit_date,
            Village.name,
            FieldVisit.dispute_screenings,
            FieldVisit.problems_solved,
        )
        .join(Village, Village.id == FieldVisit.village_id)
        .where(
            FieldVisit.township_id == township_id,
            FieldVisit.visit_date >= start,
            FieldVisit.visit_date <= end,
            FieldVisit.deleted_at.is_(None),
            *only,
        )
        .order_by(FieldVisit.visit_date, FieldVisit.id)
    )
    result: dict[tuple[int, date], list[VisitFact]] = {}
    for member_id, day, village, screenings, solved in rows:
        result.setdefault((member_id, week_of(day)), []).append(
            VisitFact(day, village, screenings, solved)
        )
    return result


async def cadre_weeks(
    session: AsyncSession,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None = None,
) -> list[CadreWeek]:
    """Every active cadre's week in the township (or only `member_ids`), by member id.

    Four queries whatever the size of the township. This is what the report reminders, the
    mid-week nudges, the Monday agenda and the red/black lists read.
    """
    monday = week_of(week_start)
    weeks = await cadre_weeks_between(session, township_id, [monday], rules, now, member_ids)
    return weeks[monday]


async def cadre_weeks_between(
    session: AsyncSession,
    township_id: int,
    week_starts: Iterable[date],
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None = None,
) -> dict[date, list[CadreWeek]]:
    """`cadre_weeks` for several weeks at once (a month, a quarter for the red/black
    lists): still four queries, whatever the number of weeks or cadres."""
    mondays = sorted({week_of(w) for w in week_starts})
    if not mondays:
        return {}
    with gc_paused():  # every row and week built here stays alive until the caller is done
        return await _cadre_weeks(session, township_id, mondays, rules, now, member_ids)


async def _cadre_weeks(
    session: AsyncSession,
    township_id: int,
    mondays: Sequence[date],
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None,
    cadres: list[tuple[int, str]] | None = None,
) -> dict[date, list[CadreWeek]]:
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    if cadres is None:
        cadres = await cadres_of(session, township_id)
    if member_ids is not None:
        wanted = set(member_ids)
        cadres = [c for c in cadres if c[0] in wanted]
    visits = await _visit_facts(session, township_id, first, last, member_ids)
    spans = await exempt_spans(session, township_id, first, last, member_ids)
    submitted = await _first_submissions(session, township_id, mondays, [mid for mid, _ in cadres])
    result: dict[date, list[CadreWeek]] = {}
    for monday in mondays:
        sunday = monday + timedelta(days=6)
        window = rules.window(monday)
        weeks = result[monday] = []
        for member_id, name in cadres:
            leave = tuple(
                s for s in spans.get(member_id, ()) if s.start <= sunday and s.end >= monday
            )
            status = rules.evaluate(monday, visits.get((member_id, monday), []), leave)
            at = submitted.get((member_id, monday))
            weeks.append(
                CadreWeek(
                    member_id=member_id,
                    name=name,
                    status=status,
                    report=report_status(window, at, now, status.fully_exempt),
                    submitted_at=at,
                    leave=leave,
                )
            )
    return result


async def member_week(
    session: AsyncSession,
    member_id: int,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
) -> CadreWeek:
    """One member's week in the township (/me, a report's note about last week), from the
    same facts as every other reader."""
    monday = week_of(week_start)
    name = await session.scalar(select(Member.display_name).where(Member.id == member_id))
    weeks = await _cadre_weeks(
        session, township_id, [monday], rules, now, [member_id], cadres=[(member_id, name or "")]
    )
    return weeks[monday][0]


async def joined_weeks(session: AsyncSession, township_id: int, tz: ZoneInfo) -> dict[int, date]:
    """Monday of the week each cadre joined the township as a cadre. Lists, agendas and
    summaries judge a member from the first full week after that, never the week they
    joined."""
    rows = await session.execute(
        select(MemberRole.member_id, MemberRole.joined_at, Member.created_at)
        .join(Member, Member.id == MemberRole.member_id)
        .where(MemberRole.township_id == township_id, MemberRole.role == Role.CADRE)
    )
    return {
        member_id: week_of((role_joined or created).astimezone(tz).date())
        for member_id, role_joined, created in rows
    }


async def exempt_spans(
    session: AsyncSession,
    township_id: int,
    start: date,
    end: date,
    member_ids: Sequence[int] | None = None,
) -> dict[int, list[ExemptSpan]]:
    """Approved leave / official-duty spans in the township overlapping [start, end], by
    member id (of `member_ids` only, when given)."""
    only = () if member_ids is None else (LeaveRequest.member_id.in_(list(member_ids)),)
    rows = await session.execute(
        select(
            LeaveRequest.member_id,
            LeaveRequest.start_date,
            LeaveRequest.end_date,
            LeaveRequest.kind,
            LeaveRequest.reason,
        )
        .where(
            LeaveRequest.township_id == township_id,
            LeaveRequest.status == LeaveStatus.APPROVED,
            LeaveRequest.start_date <= end,
            LeaveRequest.end_date >= start,
            *only,
        )
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
    result: dict[int, list[ExemptSpan]] = {}
    for member_id, first, last, kind, reason in rows:
        exempt: ExemptKind = "official_duty" if kind == "official_duty" else "leave"
        result.setdefault(member_id, []).append(ExemptSpan(first, last, exempt, reason))
    return result
