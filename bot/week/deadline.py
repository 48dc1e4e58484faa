"""When the Friday report (周五交账) is due, and the one definition of on time.

Pure: no Telegram, no database, no reading of the current time (every "now" is a parameter).

The deadline is ``deadline_time`` (18:00) on the last workday of the week - Friday normally,
Thursday when Friday is a holiday, a 调休 Saturday or Sunday when that is a workday. The
window opens at ``open_time`` (12:00) on the workday ``open_workdays_before`` (1) workdays
before the deadline day, counted inside the same week; if the week has fewer earlier workdays
it opens on the week's first workday (the deadline day itself when it is the only workday). A
week without any workday has no report due. The deadline is a minute, as every time is shown:
a report first submitted during the deadline's minute (18:00:59 included) is on time; from the
next minute (18:01) a first submission is late and a report not yet submitted is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal, TypeAlias, get_args

from bot.core.calendar import WorkCalendar
from bot.week.weeks import plain_date, week_of

__all__ = [
    "ReportSchedule",
    "ReportStatus",
    "ReportWindow",
    "SchedulePolicy",
    "WeekReportStatus",
    "final_report_status",
    "judged_report_status",
    "meeting_time",
    "report_status",
    "report_window",
    "scheduled_on_workday",
]

SchedulePolicy = Literal["next", "skip"]
_POLICIES: tuple[str, ...] = get_args(SchedulePolicy)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


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
    plain = plain_date(day)
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
