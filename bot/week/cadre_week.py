"""A cadre's week in one township: the one shape that /me, the visit and report cards, the
reminders, the Monday agenda, the summaries and the red/black lists read, and the one
function that judges it (`judge_weeks`: the quota pro-rated for the days the cadre was
available, and the report's status).

Pure: no Telegram, no database, no reading of the current time. `bot.week.facts` reads the
facts of a township in a few queries and hands them to `judge_weeks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from bot.core.calendar import WorkCalendar
from bot.week.deadline import (
    ReportWindow,
    WeekReportStatus,
    final_report_status,
    judged_report_status,
)
from bot.week.quota import ExemptSpan, Quota, QuotaRule, exempt_workdays, required_quota

__all__ = ["EPOCH", "Cadre", "CadreWeek", "WeekPlan", "judge_weeks", "week_number"]

# Day numbers count from Monday 1900-01-01, so `day // 7` is a week and `day % 7` a weekday.
EPOCH = date(1900, 1, 1)


def week_number(monday: date) -> int:
    """The week's number counted from `EPOCH`."""
    return (monday - EPOCH).days // 7


class CadreWeek(NamedTuple):
    """One cadre's week in one township.

    ``*_required`` are pro-rated for the workdays the cadre was available; ``exempt_days``
    counts the workdays covered by approved leave or official duty, ``fully_exempt`` a week
    with no available workday (nothing due). ``field_day_dates`` are the distinct days with a
    visit log. ``report`` is the report's status at the moment judged (``pending`` before the
    deadline's minute is over; the lists, judging after it, see ``missing``). ``judged`` is
    False in the week the cadre joined and before: the figures and lists count a cadre from
    the first full week after joining.

    A named tuple, not a frozen dataclass: a county's quarterly lists build 130,000 of these,
    and a frozen dataclass takes five times as long to construct.
    """

    member_id: int
    week_start: date
    report: WeekReportStatus
    field_days_done: int
    field_days_required: int
    screenings_done: int
    screenings_required: int
    problems_done: int
    problems_required: int
    exempt_days: int = 0
    fully_exempt: bool = False
    field_day_dates: tuple[date, ...] = ()
    name: str = ""
    workdays: int = 0
    judged: bool = True

    @property
    def done(self) -> Quota:
        return Quota(self.field_days_done, self.screenings_done, self.problems_done)

    @property
    def required(self) -> Quota:
        return Quota(self.field_days_required, self.screenings_required, self.problems_required)

    @property
    def shortfall(self) -> Quota:
        """How many more field days / screenings / problems are still needed (>= 0 each)."""
        return self.required.shortfall_against(self.done)

    @property
    def field_days_met(self) -> bool:
        return self.field_days_done >= self.field_days_required

    @property
    def dispute_screenings_met(self) -> bool:
        return self.screenings_done >= self.screenings_required

    @property
    def problems_solved_met(self) -> bool:
        return self.problems_done >= self.problems_required

    @property
    def compliant(self) -> bool:
        """Every item meets its (pro-rated) requirement."""
        return self.field_days_met and self.dispute_screenings_met and self.problems_solved_met

    @property
    def behind(self) -> bool:
        """Short of some item in a week with something due."""
        return not self.fully_exempt and not self.shortfall.is_zero


class Cadre(NamedTuple):
    """Who is judged: a member, their name, and the Monday of the week they joined as a cadre
    (None: judged every week)."""

    member_id: int
    name: str
    joined_week: date | None


@dataclass(frozen=True)
class WeekPlan:
    """What every cadre's week shares: worked out once per week, not per cadre."""

    monday: date
    window: ReportWindow | None
    workdays: int


def _dates_of(monday: date, bits: int) -> tuple[date, ...]:
    return tuple(monday + timedelta(days=i) for i in range(7) if bits >> i & 1)


class _Week(NamedTuple):
    """What `judge_weeks` looks up once per week, unpacked in its loop."""

    monday: date
    sunday: date
    number: int
    shift: int  # the week's bit in the report masks
    workdays: int
    # The report's status by (submitted | late << 1 | fully exempt << 2).
    statuses: tuple[WeekReportStatus, ...]
    required: Quota  # with no exempt day
    required_by_exempt: dict[int, Quota]
    dates_of: dict[int, tuple[date, ...]]  # weekday bits -> the field days


def judge_weeks(
    plans: Sequence[WeekPlan],
    calendar: WorkCalendar,
    rule: QuotaRule,
    as_of: datetime,
    cadres: Sequence[Cadre],
    visits: Mapping[tuple[int, int], tuple[int, int, int]],
    spans: Mapping[int, Sequence[ExemptSpan]],
    reports: Mapping[int, tuple[int, int]],
    *,
    final: bool = False,
    judged_only: bool = False,
) -> list[CadreWeek]:
    """Every cadre's week of each of `plans` (ascending Mondays), cadre by cadre, week by week.

    - `visits`: (member id, `week_number`) -> (a bit per weekday with a visit log, Monday
      the lowest; screenings; problems solved);
    - `spans`: member id -> approved leave / official-duty spans;
    - `reports`: member id -> (weeks with a submitted report, weeks whose report was first
      submitted after the deadline's minute), as bit masks: bit i is the week i weeks after
      the first plan's;
    - the report's status is judged at `as_of`; `final` (the lists, after the period) counts a
      report still pending as missing;
    - `judged_only` leaves out the weeks a cadre is not judged on (`CadreWeek.judged`).
    """
    out: list[CadreWeek] = []
    if not plans:
        return out
    first = week_number(plans[0].monday)
    weeks = [_week(plan, first, rule, as_of, final) for plan in plans]
    append = out.append
    new = _new_cadre_week
    no_visits = _NO_VISITS
    get_visits = visits.get
    for member_id, name, joined_week in cadres:
        submitted, late = reports.get(member_id, _NO_REPORTS)
        member_spans = spans.get(member_id)
        for (
            monday,
            sunday,
            number,
            shift,
            workdays,
            statuses,
            required,
            required_by_exempt,
            dates_of,
        ) in weeks:
            judged = joined_week is None or monday > joined_week
            if judged_only and not judged:
                continue
            bits, screenings, solved = get_visits((member_id, number), no_visits)
            dates: tuple[date, ...] = ()
            if bits:
                dates = dates_of.get(bits) or dates_of.setdefault(bits, _dates_of(monday, bits))
            exempt = 0
            if member_spans:
                leave = [s for s in member_spans if s.start <= sunday and s.end >= monday]
                if leave:
                    exempt = len(exempt_workdays(monday, leave, calendar))
                    found = required_by_exempt.get(exempt)
                    if found is None:
                        found = required_by_exempt[exempt] = required_quota(rule, workdays, exempt)
                    required = found
            fully_exempt = workdays - exempt <= 0
            # Positionally, and through tuple's own constructor (a named tuple's adds a Python
            # call), in `CadreWeek`'s field order.
            append(
                new(
                    CadreWeek,
                    (
                        member_id,
                        monday,
                        statuses[
                            (submitted >> shift & 1) | (late >> shift & 1) << 1 | fully_exempt << 2
                        ],
                        len(dates),
                        required[0],
                        screenings,
                        required[1],
                        solved,
                        required[2],
                        exempt,
                        fully_exempt,
                        dates,
                        name,
                        workdays,
                        judged,
                    ),
                )
            )
    return out


_new_cadre_week = tuple.__new__


def _week(plan: WeekPlan, first: int, rule: QuotaRule, as_of: datetime, final: bool) -> _Week:
    number = week_number(plan.monday)
    statuses: list[WeekReportStatus] = []
    for index in range(8):
        submitted, late, fully = bool(index & 1), bool(index & 2), bool(index & 4)
        status = judged_report_status(plan.window, submitted, late, as_of, fully)
        statuses.append(final_report_status(status) if final else status)
    required = required_quota(rule, plan.workdays, 0)
    return _Week(
        plan.monday,
        plan.monday + timedelta(days=6),
        number,
        number - first,
        plan.workdays,
        tuple(statuses),
        required,
        {0: required},
        {},
    )


_NO_VISITS = (0, 0, 0)
_NO_REPORTS = (0, 0)
