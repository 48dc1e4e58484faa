"""What the holiday calendar shows, in the CLI and in chat: one line a day, where a year's
holidays come from, and what an import stored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo

from bot.calendar.queries import Stored
from bot.calendar.rules import WEEKDAY_NAMES
from bot.core.calendar import DayInfo, NoticeDay, WorkCalendar
from bot.core.i18n import Gettext
from bot.core.text import Html

CONFIG_OVERRIDE = "[calendar]"


def rest_or_work(is_workday: bool) -> str:
    return "班" if is_workday else "休"


def day_line(day: NoticeDay, weekday: bool = False) -> str:
    """`2027-02-06 休 春节` (with the weekday after the date when asked: `2027-02-06 周六`)."""
    when = f"{day.day.isoformat()} {WEEKDAY_NAMES[day.day.weekday()]}" if weekday else day.day
    return f"{when} {rest_or_work(day.is_workday)} {day.holiday}"


def differing_days(calendar: WorkCalendar, year: int) -> list[DayInfo]:
    """The days of `year` that are not what a plain Monday-to-Friday week makes them."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    return [
        info
        for info in (calendar.day_info(first + timedelta(days=i)) for i in range(days))
        if info.is_workday != (info.day.weekday() < 5)
    ]


def info_line(info: DayInfo) -> str:
    name = info.holiday_name or (CONFIG_OVERRIDE if info.source == "override" else "")
    return f"{info.day.isoformat()} {rest_or_work(info.is_workday)} {name}".rstrip()


def summary(_: Gettext, year: int, days: Iterable[NoticeDay]) -> Html:
    days = list(days)
    names = list(dict.fromkeys(d.holiday for d in days))
    return _("{year}: {off} days off and {work} 调休 workdays ({names}).").format(
        year=year,
        off=sum(not d.is_workday for d in days),
        work=sum(d.is_workday for d in days),
        names="、".join(names),
    )


def source_text(
    _: Gettext, calendar: WorkCalendar, year: int, imported: dict[int, datetime], tz: tzinfo
) -> Html:
    """Where the calendar takes `year`'s holidays from now."""
    if year in imported:
        return _("{year}: from the State Council notice imported on {day}.").format(
            year=year, day=imported[year].astimezone(tz).date().isoformat()
        )
    if calendar.covers(year):
        return _("{year}: from the holiday library (chinese_calendar).").format(year=year)
    return _("{year}: not known yet, so workdays are Monday to Friday.").format(year=year)


def replaces_text(
    _: Gettext, calendar: WorkCalendar, year: int, imported: dict[int, datetime], tz: tzinfo
) -> Html:
    """What storing a notice for `year` replaces ("" when the year is not known yet)."""
    if year in imported:
        return _("It replaces the notice for {year} imported on {day}.").format(
            year=year, day=imported[year].astimezone(tz).date().isoformat()
        )
    if calendar.covers(year):
        return _("It replaces the holiday library's data for {year}.").format(year=year)
    return Html("")


def stored_text(_: Gettext, stored: Stored) -> Html:
    return _(
        "Stored the holidays of {year}: {off} days off and {work} 调休 workdays. "
        "The work calendar uses them from now on."
    ).format(year=stored.year, off=stored.days_off, work=stored.workdays)
