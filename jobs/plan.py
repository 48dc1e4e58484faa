"""When each scheduled job falls, as pure functions of the workday calendar and the config.

An occurrence is (job, period, due_at). `period` identifies the occurrence for exactly-once
bookkeeping: the ISO week for weekly jobs, the date for daily ones, the month for monthly ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.lists.periods import period_key
from bot.lists.timeline import closing_periods
from bot.week.deadline import ReportSchedule, meeting_time, report_window, scheduled_on_workday
from bot.week.weeks import week_key

REPORT_OPEN = "report_open"
REPORT_LAST_CALL = "report_last_call"
REPORT_DEADLINE = "report_deadline"
FIELD_NUDGE = "field_nudge"
FIELD_LAST_CALL = "field_last_call"
MONDAY_AGENDA = "monday_agenda"
DISPUTE_REMINDERS = "dispute_reminders"
WEEKLY_SUMMARY = "weekly_summary"
MONTHLY_SUMMARY = "monthly_summary"
LISTS_PREVIEW = "lists_preview"

ALL_JOBS = (
    REPORT_OPEN,
    REPORT_LAST_CALL,
    REPORT_DEADLINE,
    FIELD_NUDGE,
    FIELD_LAST_CALL,
    MONDAY_AGENDA,
    DISPUTE_REMINDERS,
    WEEKLY_SUMMARY,
    MONTHLY_SUMMARY,
    LISTS_PREVIEW,
)


@dataclass(frozen=True)
class JobTimes:
    """Per-township times; the config maps onto this."""

    enabled: frozenset[str] = frozenset(ALL_JOBS)
    report_last_call_before: timedelta = timedelta(hours=3)
    field_nudge_weekday: int = 3  # ISO weekday: Wednesday
    field_nudge_at: time = time(15, 0)
    field_last_call_at: time = time(9, 0)
    agenda_at: time = time(8, 0)
    dispute_reminders_at: time = time(9, 0)
    weekly_summary_after: timedelta = timedelta(hours=1)
    monthly_summary_at: time = time(9, 0)


@dataclass(frozen=True, order=True)
class Occurrence:
    due_at: datetime
    job: str
    period: str
    # The ISO week (Monday) or the month's first day the occurrence is about.
    subject: date


def week_occurrences(
    week_start: date,
    calendar: WorkCalendar,
    schedule: ReportSchedule,
    times: JobTimes,
    tz: ZoneInfo,
) -> list[Occurrence]:
    """Every occurrence whose due time falls in the ISO week starting `week_start`."""
    found: list[Occurrence] = []
    key = week_key(week_start)

    def add(job: str, due: datetime | None, period: str = key, subject: date = week_start) -> None:
        if due is not None and job in times.enabled:
            found.append(Occurrence(due, job, period, subject))

    window = report_window(week_start, calendar, schedule, tz)
    if window is not None:
        add(REPORT_OPEN, window.opens_at)
        last_call = window.deadline - times.report_last_call_before
        if times.report_last_call_before > timedelta(0) and last_call > window.opens_at:
            add(REPORT_LAST_CALL, last_call)
        add(REPORT_DEADLINE, window.deadline)
        # The week closes at its deadline (and a month or quarter with its last week): its
        # lists are prepared then, keyed by the period, so each is prepared once.
        for period in closing_periods(week_start):
            add(LISTS_PREVIEW, window.deadline, period_key(period), period.start)
        add(WEEKLY_SUMMARY, window.deadline + times.weekly_summary_after)
        nudge_day = week_start + timedelta(days=times.field_nudge_weekday - 1)
        add(
            FIELD_NUDGE,
            scheduled_on_workday(
                nudge_day, times.field_nudge_at, calendar, tz, "next", before=window.deadline
            ),
        )
        last_call_day = datetime.combine(window.deadline_day, times.field_last_call_at, tz)
        if last_call_day < window.deadline:
            add(FIELD_LAST_CALL, last_call_day)
    # The agenda covers the previous week, so it is keyed by the week it reports on.
    previous = week_start - timedelta(days=7)
    add(
        MONDAY_AGENDA,
        meeting_time(week_start, calendar, times.agenda_at, tz=tz),
        week_key(previous),
        previous,
    )
    for offset in range(7):
        day = week_start + timedelta(days=offset)
        if calendar.is_workday(day):
            add(
                DISPUTE_REMINDERS,
                datetime.combine(day, times.dispute_reminders_at, tz),
                day.isoformat(),
                day,
            )
        if day == first_workday_of_month(day, calendar):
            last_month = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
            add(
                MONTHLY_SUMMARY,
                datetime.combine(day, times.monthly_summary_at, tz),
                f"{last_month:%Y-%m}",
                last_month,
            )
    return sorted(found)


def first_workday_of_month(day: date, calendar: WorkCalendar) -> date | None:
    first = calendar.next_workday(day.replace(day=1), inclusive=True)
    return first if first.month == day.month else None


def occurrences_between(
    start: datetime,
    end: datetime,
    calendar: WorkCalendar,
    schedule: ReportSchedule,
    times: JobTimes,
    tz: ZoneInfo,
) -> list[Occurrence]:
    """Occurrences with start < due_at <= end, in time order."""
    first = start.astimezone(tz).date()
    week = first - timedelta(days=first.weekday())
    found: list[Occurrence] = []
    while week <= end.astimezone(tz).date():
        found.extend(
            o
            for o in week_occurrences(week, calendar, schedule, times, tz)
            if start < o.due_at <= end
        )
        week += timedelta(days=7)
    return sorted(found)
