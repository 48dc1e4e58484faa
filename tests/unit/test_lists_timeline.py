"""When a period's lists are prepared and when the objection window ends."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.lists.periods import period_key, week_period
from bot.lists.timeline import closing_periods, next_meeting, objections_close
from bot.week.deadline import ReportSchedule
from jobs.plan import LISTS_PREVIEW, JobTimes, week_occurrences

TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def test_a_week_closes_with_its_month_and_quarter_when_it_is_their_last() -> None:
    assert [period_key(p) for p in closing_periods(date(2026, 11, 16))] == ["2026-W47"]
    assert [period_key(p) for p in closing_periods(date(2026, 11, 25))] == ["2026-W48", "2026-11"]
    assert [period_key(p) for p in closing_periods(date(2026, 12, 28))] == [
        "2026-W53",
        "2026-12",
        "2026-Q4",
    ]


def test_the_preview_is_planned_at_the_report_deadline_once_per_period() -> None:
    found = [
        o
        for o in week_occurrences(
            date(2026, 11, 23), WorkCalendar(), ReportSchedule(), JobTimes(), TZ
        )
        if o.job == LISTS_PREVIEW
    ]
    assert [(o.period, o.due_at) for o in found] == [
        ("2026-11", at(11, 27, 18)),
        ("2026-W48", at(11, 27, 18)),
    ]
    # Friday a holiday: the deadline, and the preview, move to Thursday.
    thursday = [
        o
        for o in week_occurrences(
            date(2026, 11, 16),
            WorkCalendar(extra_holidays=[date(2026, 11, 20)]),
            ReportSchedule(),
            JobTimes(),
            TZ,
        )
        if o.job == LISTS_PREVIEW
    ]
    assert [(o.period, o.due_at) for o in thursday] == [("2026-W47", at(11, 19, 18))]


def test_the_window_ends_by_the_next_monday_meeting() -> None:
    week = week_period(date(2026, 11, 23))
    meeting = next_meeting(week, WorkCalendar(), time(8, 0), TZ)
    assert meeting == at(11, 30, 8)
    # 48 hours from Friday's deadline end on Sunday evening, before the meeting.
    assert objections_close(at(11, 27, 18), 48, meeting) == at(11, 29, 18)
    # A longer window is cut at the meeting, so the list can be published there.
    assert objections_close(at(11, 27, 18), 100, meeting) == meeting
    # Prepared after the meeting (a late preview): the whole window.
    assert objections_close(at(11, 30, 9), 48, meeting) == at(12, 2, 9)
    # A Monday holiday: the meeting is on the first workday of that week.
    tuesday = next_meeting(week, WorkCalendar(extra_holidays=[date(2026, 11, 30)]), time(8), TZ)
    assert tuesday == at(12, 1, 8)
