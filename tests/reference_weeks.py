"""The straightforward definition of a cadre's week, for the tests: `evaluate_week` judges one
cadre's week from its visit logs and leave, visit by visit and day by day, and
`cadre_weeks_straight` reads a township's facts row by row and judges every active cadre's
week with it and `report_status`. `bot.week.facts` (the visits summed in SQL, the reports as
bit masks, `bot.week.cadre_week.judge_weeks`) must give exactly the same weeks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.calendar import WorkCalendar
from bot.core.models import FieldVisit, LeaveRequest, Member, MemberRole, Village, WeeklyReport
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from bot.week.deadline import final_report_status, report_status
from bot.week.quota import (
    ExemptDay,
    ExemptSpan,
    Quota,
    QuotaRule,
    exempt_workdays,
    required_quota,
)
from bot.week.schedule import WeekRules
from bot.week.weeks import week_of


def _reject_datetime(value: date, name: str) -> None:
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not a datetime")


@dataclass(frozen=True, slots=True)
class VisitFact:
    """One field-visit log (下乡记录)."""

    visit_date: date
    village: str
    dispute_screenings: int = 0
    problems_solved: int = 0

    def __post_init__(self) -> None:
        _reject_datetime(self.visit_date, "visit_date")
        if self.dispute_screenings < 0 or self.problems_solved < 0:
            raise ValueError("VisitFact counts must be >= 0")


class FieldDay(NamedTuple):
    """A date with at least one visit log, and the villages visited (sorted, unique)."""

    day: date
    villages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WeekStatus:
    """Result of :func:`evaluate_week` for one cadre and one week."""

    week_start: date
    week_end: date
    workdays: tuple[date, ...]
    exempt_days: tuple[ExemptDay, ...]
    field_days: tuple[FieldDay, ...]
    done: Quota
    required: Quota
    rule: QuotaRule = field(default_factory=QuotaRule)

    @property
    def available_workdays(self) -> int:
        """Workdays not covered by an exemption."""
        return len(self.workdays) - len(self.exempt_days)

    @property
    def exempt_dates(self) -> tuple[date, ...]:
        return tuple(e.day for e in self.exempt_days)

    @property
    def shortfall(self) -> Quota:
        """How many more field days / screenings / problems are still needed (>= 0 each)."""
        return self.required.shortfall_against(self.done)

    @property
    def field_days_met(self) -> bool:
        return self.done.field_days >= self.required.field_days

    @property
    def dispute_screenings_met(self) -> bool:
        return self.done.dispute_screenings >= self.required.dispute_screenings

    @property
    def problems_solved_met(self) -> bool:
        return self.done.problems_solved >= self.required.problems_solved

    @property
    def fully_exempt(self) -> bool:
        """No workday in the week, or every workday exempt: nothing is required."""
        return self.available_workdays <= 0

    @property
    def compliant(self) -> bool:
        """Every item meets its (pro-rated) requirement."""
        return self.field_days_met and self.dispute_screenings_met and self.problems_solved_met


def evaluate_week(
    week_start: date,
    visits: Iterable[VisitFact],
    exemptions: Iterable[ExemptSpan],
    calendar: WorkCalendar,
    rule: QuotaRule | None = None,
) -> WeekStatus:
    """Evaluate one cadre's week. Visits/spans outside the week are ignored."""
    rule = rule if rule is not None else QuotaRule()
    monday = week_of(week_start)
    sunday = monday + timedelta(days=6)
    workdays = tuple(calendar.workdays_in_week(monday))
    exempt = tuple(exempt_workdays(monday, exemptions, calendar))

    villages_by_day: dict[date, set[str]] = {}
    screenings = problems = 0
    for visit in visits:
        if not monday <= visit.visit_date <= sunday:
            continue
        villages_by_day.setdefault(visit.visit_date, set()).add(visit.village)
        screenings += visit.dispute_screenings
        problems += visit.problems_solved
    field_days = tuple(
        FieldDay(day, tuple(sorted(villages))) for day, villages in sorted(villages_by_day.items())
    )
    done = Quota(len(field_days), screenings, problems)
    return WeekStatus(
        week_start=monday,
        week_end=sunday,
        workdays=workdays,
        exempt_days=exempt,
        field_days=field_days,
        done=done,
        required=required_quota(rule, len(workdays), len(exempt)),
        rule=rule,
    )


async def cadre_weeks_straight(
    session: AsyncSession,
    township_id: int,
    weeks: Sequence[date],
    rules: WeekRules,
    as_of: datetime,
    *,
    judged_only: bool = True,
    final: bool = True,
) -> list[CadreWeek]:
    """Every active cadre's week (from the first full week after joining, when `judged_only`),
    member by member and week by week, the report judged at `as_of` (a report still pending
    counts as missing when `final`)."""
    mondays = sorted({week_of(w) for w in weeks})
    if not mondays:
        return []
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    cadres = (
        await session.execute(
            select(Member.id, Member.display_name, Member.created_at, MemberRole.joined_at)
            .join(MemberRole, MemberRole.member_id == Member.id)
            .where(
                MemberRole.township_id == township_id,
                MemberRole.role == "cadre",
                Member.active.is_(True),
            )
            .order_by(Member.id)
        )
    ).all()
    visits: dict[int, list[VisitFact]] = {}
    for member_id, day, village, screenings, solved in await session.execute(
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
            FieldVisit.visit_date >= first,
            FieldVisit.visit_date <= last,
            FieldVisit.deleted_at.is_(None),
        )
    ):
        visits.setdefault(member_id, []).append(VisitFact(day, village, screenings, solved))
    spans: dict[int, list[ExemptSpan]] = {}
    for member_id, start, end, kind in await session.execute(
        select(
            LeaveRequest.member_id,
            LeaveRequest.start_date,
            LeaveRequest.end_date,
            LeaveRequest.kind,
        ).where(
            LeaveRequest.township_id == township_id,
            LeaveRequest.status == "approved",
        )
    ):
        exempt_kind = "official_duty" if kind == "official_duty" else "leave"
        spans.setdefault(member_id, []).append(ExemptSpan(start, end, exempt_kind))
    submitted = {
        (member_id, week): at
        for member_id, week, at in await session.execute(
            select(
                WeeklyReport.member_id, WeeklyReport.week_start, WeeklyReport.first_submitted_at
            ).where(WeeklyReport.township_id == township_id)
        )
    }
    found: list[CadreWeek] = []
    for member_id, name, created, role_joined in cadres:
        joined = week_of((role_joined or created).astimezone(rules.tz).date())
        for monday in mondays:
            if judged_only and monday <= joined:
                continue
            status = evaluate_week(
                monday,
                visits.get(member_id, []),
                spans.get(member_id, []),
                rules.calendar,
                rules.quota,
            )
            report = report_status(
                rules.window(monday), submitted.get((member_id, monday)), as_of, status.fully_exempt
            )
            found.append(
                CadreWeek(
                    member_id=member_id,
                    week_start=monday,
                    report=final_report_status(report) if final else report,
                    field_days_done=status.done.field_days,
                    field_days_required=status.required.field_days,
                    screenings_done=status.done.dispute_screenings,
                    screenings_required=status.required.dispute_screenings,
                    problems_done=status.done.problems_solved,
                    problems_required=status.required.problems_solved,
                    exempt_days=len(status.exempt_days),
                    fully_exempt=status.fully_exempt,
                    field_day_dates=tuple(d.day for d in status.field_days),
                    name=name,
                    workdays=len(status.workdays),
                    judged=monday > joined,
                )
            )
    return found


async def exempt_days_of(
    session: AsyncSession, township_id: int, week_start: date, rules: WeekRules, now: datetime
) -> dict[int, list[ExemptDay]]:
    """Which workdays of the week count as exempt for each active cadre of the township: the
    approved leave `bot.week.facts` reads, on the workdays `exempt_workdays` finds, as many
    as each cadre's `CadreWeek.exempt_days`."""
    monday = week_of(week_start)
    spans = await facts.exempt_spans(session, township_id, monday, monday + timedelta(days=6))
    found = {}
    for week in await facts.cadre_weeks(session, township_id, monday, rules, now):
        days = exempt_workdays(monday, spans.get(week.member_id, []), rules.calendar)
        assert len(days) == week.exempt_days
        found[week.member_id] = days
    return found
