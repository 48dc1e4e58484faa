"""Weeks, months and quarters of the cadre week.

Pure: no Telegram, no database, no reading of the current time. Weeks are ISO weeks, Monday
to Sunday; every function taking a ``week_start`` accepts any date inside the week and uses
that week's Monday. A week belongs to the month (and quarter) that contains its Thursday, as
in ISO 8601; so every week belongs to exactly one month.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = [
    "month_weeks",
    "next_week",
    "plain_date",
    "previous_week",
    "quarter_weeks",
    "week_key",
    "week_month",
    "week_of",
    "weeks_in_range",
]


def plain_date(d: date) -> date:
    """``d`` as a plain date (a datetime loses its time)."""
    return date(d.year, d.month, d.day)


def week_of(d: date) -> date:
    """Monday of the ISO week containing ``d``."""
    plain = plain_date(d)
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
