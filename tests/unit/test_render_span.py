"""Ranges of days as an official text says them: the month once, a single day once."""

from datetime import date

from bot.core.render import format_span


def test_the_month_is_said_once_within_a_month() -> None:
    assert format_span(date(2026, 11, 23), date(2026, 11, 29)) == "11月23日–29日"
    assert (
        format_span(date(2026, 11, 25), date(2026, 11, 27), weekday=True)
        == "11月25日（周三）–27日（周五）"
    )


def test_a_range_across_months_says_both_months() -> None:
    assert format_span(date(2026, 11, 30), date(2026, 12, 2)) == "11月30日–12月2日"


def test_a_single_day_is_said_once() -> None:
    assert format_span(date(2026, 11, 25), date(2026, 11, 25), weekday=True) == "11月25日（周三）"


def test_english_keeps_both_ends() -> None:
    assert format_span(date(2026, 11, 25), date(2026, 11, 27), "en", weekday=True) == (
        "25 Nov (Wed) – 27 Nov (Fri)"
    )
