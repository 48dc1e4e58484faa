"""Typed weekdays: each input × today × direction gives one day, or None when unreadable.
The week runs Monday to Sunday; a weekday without its week is read in the caller's
direction (BACK for a visit, AHEAD for leave), today included."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.dates import Direction, parse_day, parse_day_range

BACK, AHEAD = Direction.BACK, Direction.AHEAD
MON = date(2026, 11, 23)
THU = date(2026, 11, 26)
SUN = date(2026, 11, 29)
WED_YEAR_END = date(2026, 12, 30)
FRI_NEW_YEAR = date(2027, 1, 1)


def test_the_reference_days_are_the_weekdays_named() -> None:
    assert [d.isoweekday() for d in (MON, THU, SUN, WED_YEAR_END, FRI_NEW_YEAR)] == [1, 4, 7, 3, 5]


@pytest.mark.parametrize(
    ("text", "today", "direction", "expected"),
    [
        # Without its week: the nearest one in the direction, today included.
        ("周三", THU, BACK, date(2026, 11, 25)),
        ("周三", THU, AHEAD, date(2026, 12, 2)),
        ("星期四", THU, BACK, THU),
        ("星期四", THU, AHEAD, THU),
        ("礼拜三", THU, BACK, date(2026, 11, 25)),
        ("礼拜五", THU, AHEAD, date(2026, 11, 27)),
        ("周五", THU, BACK, date(2026, 11, 20)),
        ("周3", THU, BACK, date(2026, 11, 25)),
        ("周 三", THU, BACK, date(2026, 11, 25)),
        # Sunday ends the week, Monday starts it.
        ("周日", MON, BACK, date(2026, 11, 22)),
        ("周日", MON, AHEAD, SUN),
        ("星期天", SUN, BACK, SUN),
        ("星期日", SUN, AHEAD, SUN),
        ("周天", THU, AHEAD, SUN),
        ("周一", SUN, BACK, MON),
        ("周一", SUN, AHEAD, date(2026, 11, 30)),
        ("周一", MON, BACK, MON),
        ("周一", MON, AHEAD, MON),
        # With its week: that week's, whichever the direction.
        ("本周三", THU, AHEAD, date(2026, 11, 25)),
        ("这周三", THU, BACK, date(2026, 11, 25)),
        ("这个星期五", THU, BACK, date(2026, 11, 27)),
        ("本周日", MON, BACK, SUN),
        ("本周一", SUN, AHEAD, MON),
        ("上周五", THU, BACK, date(2026, 11, 20)),
        ("上周五", THU, AHEAD, date(2026, 11, 20)),
        ("上周日", SUN, BACK, date(2026, 11, 22)),
        ("上周一", MON, BACK, date(2026, 11, 16)),
        ("上个礼拜一", THU, BACK, date(2026, 11, 16)),
        ("上上周五", THU, BACK, date(2026, 11, 13)),
        ("下周一", THU, AHEAD, date(2026, 11, 30)),
        ("下周一", SUN, BACK, date(2026, 11, 30)),
        ("下周日", MON, AHEAD, date(2026, 12, 6)),
        ("下个星期三", THU, AHEAD, date(2026, 12, 2)),
        ("下下周一", THU, AHEAD, date(2026, 12, 7)),
        # English.
        ("Wed", THU, BACK, date(2026, 11, 25)),
        ("wednesday", THU, AHEAD, date(2026, 12, 2)),
        ("Sun", SUN, BACK, SUN),
        ("Ｗｅｄ", THU, BACK, date(2026, 11, 25)),  # full-width
        ("last Friday", THU, AHEAD, date(2026, 11, 20)),
        ("next Monday", THU, BACK, date(2026, 11, 30)),
        ("this sunday", THU, BACK, SUN),
        # Around New Year.
        ("下周一", WED_YEAR_END, AHEAD, date(2027, 1, 4)),
        ("本周日", WED_YEAR_END, BACK, date(2027, 1, 3)),
        ("周五", WED_YEAR_END, AHEAD, FRI_NEW_YEAR),
        ("周三", FRI_NEW_YEAR, BACK, WED_YEAR_END),
        ("周一", FRI_NEW_YEAR, AHEAD, date(2027, 1, 4)),
        ("上周五", FRI_NEW_YEAR, BACK, date(2026, 12, 25)),
        # Not weekdays.
        ("周八", THU, BACK, None),
        ("周7", THU, BACK, None),
        ("周", THU, BACK, None),
        ("下周", THU, AHEAD, None),
        ("上下周三", THU, BACK, None),
        ("个周三", THU, BACK, None),
        ("周三下午", THU, BACK, None),
        ("Wedn", THU, BACK, None),
        ("last", THU, BACK, None),
        ("next next Monday", THU, AHEAD, None),
    ],
)
def test_a_typed_weekday(
    text: str, today: date, direction: Direction, expected: date | None
) -> None:
    assert parse_day(text, today, direction) == expected


@pytest.mark.parametrize(
    ("text", "today", "direction", "expected"),
    [
        ("周三至周五", THU, AHEAD, (date(2026, 12, 2), date(2026, 12, 4))),
        ("周三至周五", MON, AHEAD, (date(2026, 11, 25), date(2026, 11, 27))),
        ("周三至周五", THU, BACK, (date(2026, 11, 25), date(2026, 11, 27))),
        ("下周一到下周三", THU, AHEAD, (date(2026, 11, 30), date(2026, 12, 2))),
        # The end said without its week: the first such day from the start.
        ("下周一到周三", THU, AHEAD, (date(2026, 11, 30), date(2026, 12, 2))),
        ("下周一到三", THU, AHEAD, (date(2026, 11, 30), date(2026, 12, 2))),
        ("周五到周一", THU, AHEAD, (date(2026, 11, 27), date(2026, 11, 30))),
        ("周五至下周一", THU, AHEAD, (date(2026, 11, 27), date(2026, 11, 30))),
        ("周三-周五", MON, AHEAD, (date(2026, 11, 25), date(2026, 11, 27))),
        ("周日-周二", MON, AHEAD, (SUN, date(2026, 12, 1))),
        ("11-25至周五", MON, AHEAD, (date(2026, 11, 25), date(2026, 11, 27))),
        ("明天到周日", THU, AHEAD, (date(2026, 11, 27), SUN)),
        ("Mon-Wed", THU, AHEAD, (date(2026, 11, 30), date(2026, 12, 2))),
        ("wed to fri", MON, AHEAD, (date(2026, 11, 25), date(2026, 11, 27))),
        ("周五至周日", WED_YEAR_END, AHEAD, (FRI_NEW_YEAR, date(2027, 1, 3))),
        ("周三", THU, AHEAD, (date(2026, 12, 2), date(2026, 12, 2))),
        ("下周三至下周一", THU, AHEAD, None),  # the end before the start
        ("周三至周八", THU, AHEAD, None),
    ],
)
def test_a_typed_weekday_range(
    text: str, today: date, direction: Direction, expected: tuple[date, date] | None
) -> None:
    assert parse_day_range(text, today, direction) == expected


def test_a_long_run_of_spaces_reads_as_one_space() -> None:
    """Each run is made one space before any pattern sees it: the range's separator pattern
    took minutes over 4,000 spaces without a separator, the whole bot waiting."""
    assert parse_day_range("a" + " " * 4000 + "b", THU, AHEAD) is None
    spaced = "11-25" + " " * 3000 + "至" + "\t" * 3000 + "11-27"
    assert parse_day_range(spaced, THU, AHEAD) == (date(2026, 11, 25), date(2026, 11, 27))
    assert parse_day("下周" + " " * 3000 + "一", THU, AHEAD) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11月25日（周三）", date(2026, 11, 25)),  # as the bot's own labels say it
        ("11月25日周三", date(2026, 11, 25)),
        ("11-25 周三", date(2026, 11, 25)),
        ("十一月二十五日星期三", date(2026, 11, 25)),
        ("2026-11-25 (Wed)", date(2026, 11, 25)),
        ("11月25日（周四）", None),  # a mistake in one or the other: neither is guessed
        ("11-25 Thursday", None),
        ("11月25日（下周三）", None),
    ],
)
def test_a_date_with_its_weekday(text: str, expected: date | None) -> None:
    assert parse_day(text, THU, BACK) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11月25日（周三）–27日（周五）", (date(2026, 11, 25), date(2026, 11, 27))),
        ("12月2日（周三）至12月4日（周五）", (date(2026, 12, 2), date(2026, 12, 4))),
        ("11月25日（周三）–27日（周六）", None),
    ],
)
def test_a_range_with_its_weekdays(text: str, expected: tuple[date, date] | None) -> None:
    assert parse_day_range(text, MON, AHEAD) == expected
