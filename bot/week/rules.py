"""Weekly work-discipline rules: quota pro-rating, week evaluation, report deadline.

Pure domain code: no Telegram, no database, no I/O, no reading of the current time
(every "now" is a parameter). Weeks are ISO weeks, Monday to Sunday; every function
taking a ``week_start`` accepts any date inside the week and uses that week's Monday.

Weekly quota pro-rating rule
============================

Each cadre owes, per ISO week (Monday-Sunday), a base quota: 3 field-visit days
(下乡), 1 dispute screening (矛盾纠纷排查) and 1 practical problem solved (解决实际问题).
The quota is pro-rated by the days the cadre was actually available:

1. *Workdays* of the week are the days the township calendar marks as workdays:
   statutory holidays are removed, 调休 make-up Saturdays/Sundays are included, and
   the deployment's own extra holidays / extra workdays are applied.
2. *Exempt workdays* are the distinct workdays of the week covered by at least one
   approved leave (请假) or official-duty (公务外出) span. Exempt days that fall on
   non-workdays do not count; a day covered by several spans counts once.
3. available = workdays - exempt workdays.
4. For each item with weekly base B (field days 3, screenings 1, problems 1):
   required = round(B x available / base_workdays), never more than B, where
   base_workdays = 5 (a normal week) and ``round`` is the configured rounding:
   ``half_up`` (default; a fraction of exactly .5 rounds up), ``ceil``, ``floor``,
   or ``none`` (no pro-rating: required = B).
5. If available = 0 (no workday in the week, or every workday exempt) every item
   requires 0 and the week is fully exempt, whatever the rounding.

Examples with the default half_up rounding (field days, screenings):
5 available -> 3, 1; 4 -> 2.4 -> 2, 0.8 -> 1; 3 -> 1.8 -> 2, 0.6 -> 1;
2 -> 1.2 -> 1, 0.4 -> 0; 1 -> 0.6 -> 1, 0.2 -> 0; 0 -> 0, 0.
A week with 6 workdays (调休 Saturday) still requires at most 3 field days.

Field days: a field day is a date of the week with at least one visit log, on any day
of the week, weekends, holidays and exempt days included. Screenings and problems
are summed over all visit logs of the week.

Report deadline (周五交账): the deadline is ``deadline_time`` (18:00) on the last workday
of the week - Friday normally, Thursday when Friday is a holiday, a 调休 Saturday or
Sunday when that is a workday. The window opens at ``open_time`` (12:00) on the workday
``open_workdays_before`` (1) workdays before the deadline day, counted inside the same
week; if the week has fewer earlier workdays it opens on the week's first workday (the
deadline day itself when it is the only workday). A week without any workday has no
report due. The deadline is a minute, as every time is shown: a report first submitted
during the deadline's minute (18:00:59 included) is on time; from the next minute (18:01)
a first submission is late and a report not yet submitted is missing.

Weeks and months: a week belongs to the month (and quarter) that contains its
Thursday, as in ISO 8601; so every week belongs to exactly one month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from functools import lru_cache
from math import ceil, floor
from typing import Literal, NamedTuple, TypeAlias, get_args

from bot.core.calendar import WorkCalendar

__all__ = [
    "ExemptDay",
    "ExemptKind",
    "ExemptSpan",
    "FieldDay",
    "Quota",
    "QuotaRule",
    "ReportSchedule",
    "ReportWindow",
    "Rounding",
    "SchedulePolicy",
    "VisitFact",
    "WeekStatus",
    "evaluate_week",
    "exempt_workdays",
    "meeting_time",
    "month_weeks",
    "next_week",
    "previous_week",
    "prorate",
    "quarter_weeks",
    "report_window",
    "required_quota",
    "scheduled_on_workday",
    "week_month",
    "week_of",
    "weeks_in_range",
]

Rounding = Literal["half_up", "ceil", "floor", "none"]
ExemptKind = Literal["leave", "official_duty"]
SchedulePolicy = Literal["next", "skip"]

_ROUNDINGS: tuple[str, ...] = get_args(Rounding)
_EXEMPT_KINDS: tuple[str, ...] = get_args(ExemptKind)
_POLICIES: tuple[str, ...] = get_args(SchedulePolicy)
# When spans of both kinds cover the same day, the day is reported with this kind.
_KIND_PRECEDENCE: dict[str, int] = {"official_duty": 0, "leave": 1}


def _plain_date(d: date) -> date:
    return date(d.year, d.month, d.day)


def _reject_datetime(value: date, name: str) -> None:
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not a datetime")


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


# ====================================================================== week arithmetic


def week_of(d: date) -> date:
    """Monday of the ISO week containing ``d``."""
    plain = _plain_date(d)
    return plain - timedelta(days=plain.weekday())


def week_key(week_start: date) -> str:
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(week_start: date) -> date:
    """Monday of the week before the week containing ``week_start``."""
    return week_of(week_start) - timedelta(days=7)


def next_week(week_start: date) -> date:
    """Monday of the week after the week containing ``week_start``."""
    return week_of(week_start) + timedelta(days=7)


def weeks_in_range(start: date, end: date) -> list[date]:
    """Mondays of every week that overlaps ``[start, end]``, ascending; empty if end < start."""
    if end < start:
        return []
    first, last = week_of(start), week_of(end)
    return [first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]


def week_month(week_start: date) -> tuple[int, int]:
    """(year, month) a week belongs to: the month containing its Thursday (ISO-style)."""
    thursday = week_of(week_start) + timedelta(days=3)
    return thursday.year, thursday.month


def month_weeks(year: int, month: int) -> list[date]:
    """Mondays of the weeks whose Thursday falls in ``year``-``month`` (4 or 5 weeks)."""
    first = date(year, month, 1)
    # First Thursday on or after the 1st.
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    weeks: list[date] = []
    while thursday.month == month:
        weeks.append(thursday - timedelta(days=3))
        thursday += timedelta(days=7)
    return weeks


def quarter_weeks(year: int, quarter: int) -> list[date]:
    """Mondays of the weeks whose Thursday falls in quarter 1-4 of ``year`` (12 to 14)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, got {quarter}")
    first_month = 3 * (quarter - 1) + 1
    return [w for m in range(first_month, first_month + 3) for w in month_weeks(year, m)]


# ====================================================================== quota


@dataclass(frozen=True, slots=True)
class Quota:
    """A count per weekly item (required, done, or still missing)."""

    field_days: int = 0
    dispute_screenings: int = 0
    problems_solved: int = 0

    def shortfall_against(self, done: Quota) -> Quota:
        """How much of ``self`` (a requirement) ``done`` still lacks, per item (>= 0)."""
        return Quota(
            field_days=max(0, self.field_days - done.field_days),
            dispute_screenings=max(0, self.dispute_screenings - done.dispute_screenings),
            problems_solved=max(0, self.problems_solved - done.problems_solved),
        )

    @property
    def is_zero(self) -> bool:
        return self.field_days == 0 and self.dispute_screenings == 0 and self.problems_solved == 0


@dataclass(frozen=True, slots=True)
class QuotaRule:
    """Weekly quota and how it is pro-rated (see the module docstring)."""

    field_days: int = 3
    dispute_screenings: int = 1
    problems_solved: int = 1
    base_workdays: int = 5
    rounding: Rounding = "half_up"

    def __post_init__(self) -> None:
        for name in ("field_days", "dispute_screenings", "problems_solved"):
            if getattr(self, name) < 0:
                raise ValueError(f"QuotaRule.{name} must be >= 0")
        if self.base_workdays <= 0:
            raise ValueError("QuotaRule.base_workdays must be > 0")
        if self.rounding not in _ROUNDINGS:
            raise ValueError(f"QuotaRule.rounding must be one of {_ROUNDINGS}")

    @property
    def base(self) -> Quota:
        """The full (un-pro-rated) weekly quota."""
        return Quota(self.field_days, self.dispute_screenings, self.problems_solved)


def prorate(base: int, available: int, base_workdays: int, rounding: Rounding) -> int:
    """``base`` scaled by ``available / base_workdays`` and rounded; 0..base (exact maths)."""
    if available <= 0 or base <= 0:
        return 0
    if rounding == "none":
        return base
    exact = Fraction(base * available, base_workdays)
    if rounding == "half_up":
        value = floor(exact + Fraction(1, 2))
    elif rounding == "ceil":
        value = ceil(exact)
    elif rounding == "floor":
        value = floor(exact)
    else:
        raise ValueError(f"unknown rounding {rounding!r}")
    return min(base, value)


@lru_cache(maxsize=1024)  # pure; the lists of a county ask it for every cadre and week
def required_quota(rule: QuotaRule, workdays: int, exempt_workdays: int) -> Quota:
    """Required quota for a week with ``workdays`` workdays, ``exempt_workdays`` of them exempt.

    ``exempt_workdays`` larger than ``workdays`` is treated as all workdays exempt.
    """
    if workdays < 0 or exempt_workdays < 0:
        raise ValueError("workdays and exempt_workdays must be >= 0")
    available = max(0, workdays - exempt_workdays)
    return Quota(
        field_days=prorate(rule.field_days, available, rule.base_workdays, rule.rounding),
        dispute_screenings=prorate(
            rule.dispute_screenings, available, rule.base_workdays, rule.rounding
        ),
        problems_solved=prorate(rule.problems_solved, available, rule.base_workdays, rule.rounding),
    )


# ====================================================================== facts


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


@dataclass(frozen=True, slots=True)
class ExemptSpan:
    """An approved leave / official-duty span, both ends inclusive (the caller filters)."""

    start: date
    end: date
    kind: ExemptKind
    reason: str = ""

    def __post_init__(self) -> None:
        _reject_datetime(self.start, "start")
        _reject_datetime(self.end, "end")
        if self.end < self.start:
            raise ValueError("ExemptSpan.end must not be before start")
        if self.kind not in _EXEMPT_KINDS:
            raise ValueError(f"ExemptSpan.kind must be one of {_EXEMPT_KINDS}")

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies inside the span."""
        return self.start <= d <= self.end


class ExemptDay(NamedTuple):
    """A workday of the week covered by an approved span."""

    day: date
    kind: ExemptKind


class FieldDay(NamedTuple):
    """A date with at least one visit log, and the villages visited (sorted, unique)."""

    day: date
    villages: tuple[str, ...]


# ====================================================================== evaluation


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


def exempt_workdays(
    week_start: date, exemptions: Iterable[ExemptSpan], calendar: WorkCalendar
) -> list[ExemptDay]:
    """Workdays of the week covered by any span, ascending, one entry per day."""
    spans = list(exemptions)
    result: list[ExemptDay] = []
    for day in calendar.workdays_in_week(week_of(week_start)):
        kinds = [s.kind for s in spans if s.covers(day)]
        if kinds:
            result.append(ExemptDay(day, min(kinds, key=_KIND_PRECEDENCE.__getitem__)))
    return result


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


# ====================================================================== scheduling


@dataclass(frozen=True, slots=True)
class ReportSchedule:
    """When the Friday report (周五交账) is due; times are local to the township."""

    deadline_time: time = time(18, 0)
    open_time: time = time(12, 0)
    open_workdays_before: int = 1

    def __post_init__(self) -> None:
        if self.deadline_time.tzinfo is not None or self.open_time.tzinfo is not None:
            raise ValueError("ReportSchedule times must be naive (the township tz is applied)")
        if self.open_workdays_before < 0:
            raise ValueError("ReportSchedule.open_workdays_before must be >= 0")
        if self.open_time >= self.deadline_time:
            # Otherwise a week whose only workday is the deadline day would open after
            # its own deadline.
            raise ValueError("ReportSchedule.open_time must be before deadline_time")


@dataclass(frozen=True, slots=True)
class ReportWindow:
    """The submission window of one week's report; aware datetimes."""

    week_start: date
    deadline_day: date
    opens_at: datetime
    deadline: datetime

    @property
    def closes_at(self) -> datetime:
        """The end of the deadline's minute: the first moment that is past the deadline."""
        return self.deadline.replace(second=0, microsecond=0) + timedelta(minutes=1)

    def is_window_open(self, now: datetime) -> bool:
        """From ``opens_at`` to the end of the deadline's minute."""
        _require_aware(now, "now")
        return self.opens_at <= now < self.closes_at

    def is_past(self, now: datetime) -> bool:
        """The deadline has passed: its minute is over."""
        _require_aware(now, "now")
        return now >= self.closes_at

    def is_late(self, submitted_at: datetime) -> bool:
        """Submitted after the deadline's minute (18:00:59 is on time, 18:01 is late)."""
        _require_aware(submitted_at, "submitted_at")
        return submitted_at >= self.closes_at

    def time_left(self, now: datetime) -> timedelta:
        """Time until the deadline; zero once it has passed."""
        _require_aware(now, "now")
        return max(timedelta(0), self.deadline - now)


def _at(day: date, at: time, tz: tzinfo) -> datetime:
    if at.tzinfo is not None:
        raise ValueError("time of day must be naive (the township tz is applied)")
    return datetime.combine(day, at, tzinfo=tz)


def report_window(
    week_start: date, calendar: WorkCalendar, schedule: ReportSchedule, tz: tzinfo
) -> ReportWindow | None:
    """Report window of the week, or None when the week has no workday (no report due)."""
    workdays = calendar.workdays_in_week(week_of(week_start))
    if not workdays:
        return None
    deadline_index = len(workdays) - 1
    open_day = workdays[max(0, deadline_index - schedule.open_workdays_before)]
    deadline_day = workdays[deadline_index]
    return ReportWindow(
        week_start=week_of(week_start),
        deadline_day=deadline_day,
        opens_at=_at(open_day, schedule.open_time, tz),
        deadline=_at(deadline_day, schedule.deadline_time, tz),
    )


def meeting_time(
    week_start: date, calendar: WorkCalendar, at: time = time(8, 0), *, tz: tzinfo
) -> datetime | None:
    """Monday meeting (周一例会): first workday of the week at ``at``; None if no workday."""
    first = calendar.first_workday_of_week(week_of(week_start))
    return None if first is None else _at(first, at, tz)


def scheduled_on_workday(
    day: date,
    at: time,
    calendar: WorkCalendar,
    tz: tzinfo,
    policy: SchedulePolicy = "next",
    *,
    before: datetime | None = None,
) -> datetime | None:
    """When a reminder planned for ``day`` at ``at`` should fire, or None if it is dropped.

    On a workday it fires as planned. On a non-workday, ``policy="skip"`` drops it and
    ``policy="next"`` moves it to the next workday at the same time. With ``before``
    (e.g. the report deadline) a moment that is not strictly earlier is dropped too.
    """
    if policy not in _POLICIES:
        raise ValueError(f"policy must be one of {_POLICIES}")
    if before is not None:
        _require_aware(before, "before")
    plain = _plain_date(day)
    if calendar.is_workday(plain):
        target = plain
    elif policy == "skip":
        return None
    else:
        target = calendar.next_workday(plain, inclusive=False)
    moment = _at(target, at, tz)
    if before is not None and moment >= before:
        return None
    return moment


# --- the report's status for a week: the one definition of on time ---------------------
#
# * ``exempt``: nothing is due — the week has no workday, or every workday of the cadre is
#   covered by approved leave / official duty (a report submitted anyway keeps its own
#   status, on_time or late);
# * ``on_time``: first submitted at or before the deadline's minute (edits before the deadline
#   keep it on time);
# * ``late``: first submitted after the deadline's minute (accepted and flagged);
# * ``missing``: not submitted and the deadline's minute is over;
# * ``pending``: not submitted yet, the deadline's minute not over (never shown on a list).

WeekReportStatus = Literal["on_time", "late", "missing", "pending", "exempt"]
ReportStatus: TypeAlias = Literal["on_time", "late", "missing", "exempt"]


def report_status(
    window: ReportWindow | None,
    first_submitted_at: datetime | None,
    now: datetime,
    fully_exempt: bool,
) -> WeekReportStatus:
    late = (
        first_submitted_at is not None and window is not None and window.is_late(first_submitted_at)
    )
    return judged_report_status(window, first_submitted_at is not None, late, now, fully_exempt)


def judged_report_status(
    window: ReportWindow | None,
    submitted: bool,
    late: bool,
    now: datetime,
    fully_exempt: bool,
) -> WeekReportStatus:
    """`report_status` once the lateness is known (the lists judge it in SQL): ``late`` is
    whether the first submission came after the window's deadline."""
    if submitted:
        return "late" if late and window is not None else "on_time"
    if window is None or fully_exempt:
        return "exempt"
    return "missing" if window.is_past(now) else "pending"


def final_report_status(status: WeekReportStatus) -> ReportStatus:
    """A week's report status once the week is judged: still pending then is missing."""
    return "missing" if status == "pending" else status


class MemberWeek(NamedTuple):
    """One member's facts for one week (``week_start`` must be one of ``Period.weeks``).

    ``*_required`` are already pro-rated by the caller for available workdays.
    ``fully_exempt`` weeks are ignored entirely.  ``field_day_dates`` lists the
    distinct days with field visits; its length must equal ``field_days_done``
    and every date must fall within the 7 days starting at ``week_start``.

    A named tuple, not a frozen dataclass: a county's quarterly lists build 130,000 of
    these, and a frozen dataclass takes five times as long to construct.
    """

    member_id: int
    week_start: date
    report: ReportStatus
    field_days_done: int
    field_days_required: int
    screenings_done: int
    screenings_required: int
    problems_done: int
    problems_required: int
    exempt_days: int = 0
    fully_exempt: bool = False
    field_day_dates: tuple[date, ...] = ()
