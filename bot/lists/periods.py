"""Periods of the red and black lists: which week, month or quarter a word or key means.

Pure: no clock (``today`` is a parameter). Weeks are ISO weeks; a week belongs to the month
(and quarter) containing its Thursday (see ``bot.week.weeks``), so a month or quarter is a
run of whole weeks from its first Monday to its last Sunday.

Keys: ``2026-W47`` (week), ``2026-10`` (month), ``2026-Q4`` (quarter).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.lists.rules import Period, PeriodKind
from bot.week.weeks import month_weeks, quarter_weeks, week_month, week_of

__all__ = [
    "PERIOD_WORDS",
    "latest_complete",
    "offered_periods",
    "parse_period",
    "period_from_key",
    "period_key",
]

# Words a user may type for a period kind (English and Chinese).
PERIOD_WORDS: dict[str, PeriodKind] = {
    "week": "week",
    "weekly": "week",
    "周": "week",
    "本周": "week",
    "month": "month",
    "monthly": "month",
    "月": "month",
    "月度": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "季": "quarter",
    "季度": "quarter",
}

_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_KEY = re.compile(r"^(\d{4})-Q([1-4])$")


def _from_weeks(kind: PeriodKind, weeks: list[date]) -> Period:
    return Period(kind, weeks[0], weeks[-1] + timedelta(days=6), tuple(weeks))


def week_period(monday: date) -> Period:
    return _from_weeks("week", [week_of(monday)])


def month_period(year: int, month: int) -> Period:
    return _from_weeks("month", month_weeks(year, month))


def quarter_period(year: int, quarter: int) -> Period:
    return _from_weeks("quarter", quarter_weeks(year, quarter))


def period_key(period: Period) -> str:
    if period.kind == "week":
        year, week, _ = period.start.isocalendar()
        return f"{year}-W{week:02d}"
    year, month = week_month(period.start)
    if period.kind == "month":
        return f"{year}-{month:02d}"
    return f"{year}-Q{(month - 1) // 3 + 1}"


def period_from_key(key: str) -> Period | None:
    """The period a key names, or None for anything else."""
    key = key.strip().upper()
    if m := _WEEK_KEY.match(key):
        year, week = int(m[1]), int(m[2])
        try:
            return week_period(date.fromisocalendar(year, week, 1))
        except ValueError:
            return None
    if m := _MONTH_KEY.match(key):
        year, month = int(m[1]), int(m[2])
        return month_period(year, month) if 1 <= month <= 12 and year >= 2000 else None
    if m := _QUARTER_KEY.match(key):
        return quarter_period(int(m[1]), int(m[2]))
    return None


def latest_complete(kind: PeriodKind, today: date) -> Period:
    """The latest period of ``kind`` whose last day is before ``today``."""
    last_week = week_of(today) - timedelta(days=7)
    if kind == "week":
        return week_period(last_week)
    year, month = week_month(last_week)
    if kind == "month":
        period = month_period(year, month)
        if period.end >= today:
            prev = date(year, month, 1) - timedelta(days=1)
            period = month_period(prev.year, prev.month)
        return period
    quarter = (month - 1) // 3 + 1
    period = quarter_period(year, quarter)
    if period.end >= today:
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        period = quarter_period(year, quarter)
    return period


def parse_period(text: str, today: date, default: PeriodKind = "week") -> Period | None:
    """A period word (latest complete period of that kind), a key, or "" for ``default``.

    None when the text is neither.
    """
    word = text.strip().lower()
    if not word:
        return latest_complete(default, today)
    if word in PERIOD_WORDS:
        return latest_complete(PERIOD_WORDS[word], today)
    return period_from_key(text)


def offered_periods(today: date) -> list[tuple[str, Period]]:
    """The periods /export offers as buttons, as (name, period): this and last week, month
    and quarter."""
    this_week = week_of(today)
    year, month = week_month(this_week)
    prev = date(year, month, 1) - timedelta(days=1)
    quarter = (month - 1) // 3 + 1
    prev_q = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return [
        ("this week", week_period(this_week)),
        ("last week", week_period(this_week - timedelta(days=7))),
        ("this month", month_period(year, month)),
        ("last month", month_period(prev.year, prev.month)),
        ("this quarter", quarter_period(year, quarter)),
        ("last quarter", quarter_period(*prev_q)),
    ]
