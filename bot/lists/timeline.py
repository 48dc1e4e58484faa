"""When a period's lists are prepared and how long objections are heard (pure).

The week's lists are prepared at the week's report deadline (周五交账, Friday 18:00 by
default), a month's and a quarter's at the deadline of their last week. The objection window
is `objection_window_hours` long from the preparation, but it never runs past the start of
the first Monday meeting (周一例会) after the period, while that meeting is still ahead, so
the list can be published at that meeting.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.lists.periods import month_period, quarter_period, week_period
from bot.lists.rules import Period
from bot.week.deadline import meeting_time
from bot.week.weeks import week_month, week_of

# A meeting is looked for this many weeks after the period (a long holiday has no workday).
_MEETING_SEARCH_WEEKS = 4


def closing_periods(week_start: date) -> list[Period]:
    """The periods whose last week is the week of `week_start`: the week itself, and its
    month and quarter when it is their last week."""
    monday = week_of(week_start)
    found = [week_period(monday)]
    year, month = week_month(monday)
    month_of = month_period(year, month)
    if month_of.weeks[-1] == monday:
        found.append(month_of)
        quarter_of = quarter_period(year, (month - 1) // 3 + 1)
        if quarter_of.weeks[-1] == monday:
            found.append(quarter_of)
    return found


def next_meeting(period: Period, calendar: WorkCalendar, at: time, tz: ZoneInfo) -> datetime | None:
    """The first Monday meeting after `period` (the first workday of a later week, at `at`)."""
    monday = week_of(period.end) + timedelta(days=7)
    for _ in range(_MEETING_SEARCH_WEEKS):
        found = meeting_time(monday, calendar, at, tz=tz)
        if found is not None:
            return found
        monday += timedelta(days=7)
    return None


def objections_close(now: datetime, window_hours: int, meeting: datetime | None) -> datetime:
    """When the objection window of lists prepared at `now` ends."""
    end = now + timedelta(hours=window_hours)
    if meeting is not None and now < meeting < end:
        return meeting
    return end
