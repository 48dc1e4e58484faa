"""Workday calendar for a township deployment.

Pure domain code: no I/O, no logging and no reading of the current time.

Which days are workdays is decided, in this order:

1. Per-deployment overrides (``extra_holidays`` / ``extra_workdays``) always win.
2. For a year whose State Council notice was imported (``notice_days``, stored in the
   database by ``township-bot calendar import`` or ``/calendar``): the notice's days off
   and 调休 workdays; every other day of that year is Monday-Friday. The notice replaces
   the library for its year.
3. For years covered by ``chinese_calendar`` (currently 2004-2026): the statutory
   holidays and the 调休 make-up workdays published by the State Council. A make-up
   Saturday or Sunday *is* a workday.
4. For years neither knows: Monday-Friday are workdays, Saturday and Sunday are not.
   Such a year is added to :attr:`WorkCalendar.fallback_years` the first time any of its
   dates is asked about, so the caller can warn the admin (once) that the year's notice
   should be imported.

Weeks are ISO weeks, Monday to Sunday. Every week helper accepts any date inside the
week and normalises it to that week's Monday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import chinese_calendar

__all__ = [
    "NO_NOTICE_DAYS",
    "DayInfo",
    "DaySource",
    "NoticeDay",
    "NoticeDays",
    "WorkCalendar",
    "week_dates",
    "week_end",
    "week_start",
]

DaySource = Literal["override", "notice", "library", "fallback"]

# Safety net for the workday searches; a real calendar never has a gap this long.
_MAX_SEARCH_DAYS = 3660

_CHINESE_HOLIDAY_NAMES: dict[str, str] = {
    member.value: str(getattr(member, "chinese", member.value))
    for member in chinese_calendar.Holiday
}


def _monday(d: date) -> date:
    return _plain_date(d) - timedelta(days=d.weekday())


def week_start(d: date) -> date:
    """Monday of the ISO week containing ``d``."""
    return _monday(d)


def week_end(d: date) -> date:
    """Sunday of the ISO week containing ``d``."""
    return _monday(d) + timedelta(days=6)


def week_dates(d: date) -> list[date]:
    """The seven dates (Monday..Sunday) of the ISO week containing ``d``."""
    monday = _monday(d)
    return [monday + timedelta(days=i) for i in range(7)]


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Everything the calendar knows about one date (for display and auditing)."""

    day: date
    is_workday: bool
    #: Chinese name of the statutory holiday this date belongs to (e.g. "国庆节"), also
    #: set on a 调休 make-up workday; the override's name for overridden dates; or None.
    holiday_name: str | None
    #: Where the decision came from.
    source: DaySource

    @property
    def is_holiday(self) -> bool:
        """True for any rest day (weekend or statutory holiday)."""
        return not self.is_workday

    @property
    def is_makeup_workday(self) -> bool:
        """True for a Saturday/Sunday that is a workday (调休上班)."""
        return self.is_workday and self.day.weekday() >= 5


@dataclass(frozen=True, slots=True, order=True)
class NoticeDay:
    """One day a State Council holiday notice names: a day off (放假) or a 调休 workday (上班)."""

    day: date
    is_workday: bool
    #: The holiday as the notice names it ("春节", "国庆节、中秋节").
    holiday: str
    #: The year of the notice (a New Year's holiday may start in the December before).
    year: int


@dataclass(frozen=True, eq=False)
class NoticeDays:
    """The imported notices' days, as one value. Compared and hashed by identity: a calendar
    built from them is cached until the next import replaces them."""

    days: tuple[NoticeDay, ...] = ()
    #: Whatever tells the loader these are still current (bot/calendar/queries.py).
    stamp: tuple[object, ...] = ()

    @property
    def years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.days)


NO_NOTICE_DAYS = NoticeDays()


def _as_named(days: Iterable[date] | Mapping[date, str]) -> dict[date, str | None]:
    if isinstance(days, Mapping):
        return {_plain_date(d): (name or None) for d, name in days.items()}
    return {_plain_date(d): None for d in days}


def _plain_date(d: date) -> date:
    # datetime is a subclass of date; keep only the calendar date so lookups match.
    return date(d.year, d.month, d.day)


class WorkCalendar:
    """Workday calendar: overrides, imported notices, ``chinese_calendar``, Mon-Fri fallback.

    ``extra_holidays`` / ``extra_workdays`` may be plain iterables of dates or mappings
    ``date -> display name``. A date may not be in both (``ValueError``). ``notice_days``
    are the days of the imported State Council notices.

    The only mutable state is :attr:`fallback_years` (and an internal coverage cache);
    answers for a given date never change during the object's life.
    """

    def __init__(
        self,
        extra_holidays: Iterable[date] | Mapping[date, str] = (),
        extra_workdays: Iterable[date] | Mapping[date, str] = (),
        notice_days: Iterable[NoticeDay] = (),
    ) -> None:
        self._extra_holidays = _as_named(extra_holidays)
        self._extra_workdays = _as_named(extra_workdays)
        both = sorted(self._extra_holidays.keys() & self._extra_workdays.keys())
        if both:
            listed = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"dates both in extra_holidays and extra_workdays: {listed}")
        self._notice = {d.day: d for d in notice_days}
        #: Years whose holiday notice was imported (they no longer use the library).
        self.notice_years = frozenset(d.year for d in self._notice.values())
        self._coverage: dict[int, bool] = {}
        # Answers per date (chinese_calendar scans its whole table on every call: ~25 us,
        # which the red/black lists of a county call hundreds of thousands of times).
        self._days: dict[date, DayInfo] = {}
        self._weeks: dict[date, tuple[date, ...]] = {}
        #: Years for which a date was evaluated with the Mon-Fri fallback because the
        #: library has no data. Filled as they are met; the caller warns the admin.
        self.fallback_years: set[int] = set()

    # ------------------------------------------------------------------ coverage

    def covers(self, year: int) -> bool:
        """Whether ``chinese_calendar`` has official holiday data for ``year``."""
        cached = self._coverage.get(year)
        if cached is None:
            try:
                chinese_calendar.get_holiday_detail(date(year, 7, 1))
            except NotImplementedError:
                cached = False
            else:
                cached = True
            self._coverage[year] = cached
        return cached

    def knows(self, year: int) -> bool:
        """Whether ``year``'s holidays are known: from an imported notice or the library."""
        return year in self.notice_years or self.covers(year)

    def uncovered_years(self, dates: Iterable[date]) -> set[int]:
        """Years among ``dates`` whose holidays are not known (does not record them)."""
        return {y for y in {d.year for d in dates} if not self.knows(y)}

    # ------------------------------------------------------------------ single days

    def day_info(self, d: date) -> DayInfo:
        """Full decision for ``d``: workday or not, holiday name, and its source."""
        d = _plain_date(d)
        found = self._days.get(d)
        if found is None:
            found = self._days[d] = self._decide(d)
        return found

    def _decide(self, d: date) -> DayInfo:
        if d in self._extra_holidays:
            return DayInfo(d, False, self._extra_holidays[d], "override")
        if d in self._extra_workdays:
            return DayInfo(d, True, self._extra_workdays[d], "override")
        named = self._notice.get(d)
        if named is not None:
            return DayInfo(d, named.is_workday, named.holiday, "notice")
        if d.year in self.notice_years:
            return DayInfo(d, d.weekday() < 5, None, "notice")
        if not self.covers(d.year):
            self.fallback_years.add(d.year)
            return DayInfo(d, d.weekday() < 5, None, "fallback")
        is_rest, name = chinese_calendar.get_holiday_detail(d)
        display = _CHINESE_HOLIDAY_NAMES.get(name, name) if name else None
        return DayInfo(d, not is_rest, display, "library")

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a workday (调休 Saturdays/Sundays included)."""
        return self.day_info(d).is_workday

    def is_holiday(self, d: date) -> bool:
        """Whether ``d`` is a rest day (weekend or statutory holiday); ``not is_workday``."""
        return not self.is_workday(d)

    def holiday_name(self, d: date) -> str | None:
        """Display name of the holiday ``d`` belongs to (e.g. "春节"), when known."""
        return self.day_info(d).holiday_name

    # ------------------------------------------------------------------ ranges

    def workdays_between(self, start: date, end: date) -> list[date]:
        """Workdays in ``[start, end]`` (both inclusive), ascending; empty if end < start."""
        start, end = _plain_date(start), _plain_date(end)
        days = (end - start).days
        return [
            start + timedelta(days=i)
            for i in range(days + 1)
            if self.is_workday(start + timedelta(days=i))
        ]

    def next_workday(self, d: date, inclusive: bool = True) -> date:
        """First workday on or after ``d`` (strictly after when ``inclusive`` is False)."""
        return self._search(_plain_date(d), 1, inclusive)

    def previous_workday(self, d: date, inclusive: bool = True) -> date:
        """Last workday on or before ``d`` (strictly before when ``inclusive`` is False)."""
        return self._search(_plain_date(d), -1, inclusive)

    def _search(self, d: date, step: int, inclusive: bool) -> date:
        current = d if inclusive else d + timedelta(days=step)
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_workday(current):
                return current
            current += timedelta(days=step)
        raise ValueError(f"no workday within {_MAX_SEARCH_DAYS} days of {d.isoformat()}")

    # ------------------------------------------------------------------ weeks

    @staticmethod
    def week_start(d: date) -> date:
        """Monday of the ISO week containing ``d``."""
        return _monday(d)

    def workdays_in_week(self, week_start: date) -> list[date]:
        """Workdays of the ISO week containing ``week_start`` (may include Sat/Sun 调休)."""
        monday = _monday(week_start)
        found = self._weeks.get(monday)
        if found is None:
            found = self._weeks[monday] = tuple(
                self.workdays_between(monday, monday + timedelta(days=6))
            )
        return list(found)

    def first_workday_of_week(self, week_start: date) -> date | None:
        """First workday of the week, or None when the week has no workday at all."""
        days = self.workdays_in_week(week_start)
        return days[0] if days else None

    def last_workday_of_week(self, week_start: date) -> date | None:
        """Last workday of the week, or None when the week has no workday at all."""
        days = self.workdays_in_week(week_start)
        return days[-1] if days else None
