"""Tests for bot.core.calendar with real 2026 dates (chinese_calendar 1.11 data)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.calendar import NoticeDay, WorkCalendar, week_dates, week_end, week_start


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# ---------------------------------------------------------------- normal week


def test_normal_week_is_monday_to_friday(cal: WorkCalendar) -> None:
    monday = date(2026, 3, 2)
    assert cal.workdays_in_week(monday) == days(monday, date(2026, 3, 6))
    assert cal.first_workday_of_week(monday) == monday
    assert cal.last_workday_of_week(monday) == date(2026, 3, 6)
    assert cal.is_holiday(date(2026, 3, 7))
    assert cal.is_holiday(date(2026, 3, 8))
    assert cal.holiday_name(date(2026, 3, 7)) is None
    assert cal.day_info(date(2026, 3, 4)).source == "library"


def test_week_helpers_accept_any_day_of_the_week(cal: WorkCalendar) -> None:
    wednesday = date(2026, 3, 4)
    assert week_start(wednesday) == date(2026, 3, 2)
    assert WorkCalendar.week_start(wednesday) == date(2026, 3, 2)
    assert week_end(wednesday) == date(2026, 3, 8)
    assert week_dates(wednesday) == days(date(2026, 3, 2), date(2026, 3, 8))
    assert cal.workdays_in_week(date(2026, 3, 8)) == cal.workdays_in_week(date(2026, 3, 2))


def test_datetime_input_is_treated_as_its_date(cal: WorkCalendar) -> None:
    assert cal.day_info(datetime(2026, 10, 1, 9, 30)).day == date(2026, 10, 1)
    assert not cal.is_workday(datetime(2026, 10, 1, 9, 30))


# ---------------------------------------------------------------- National Day 2026


def test_national_day_2026(cal: WorkCalendar) -> None:
    for d in days(date(2026, 10, 1), date(2026, 10, 7)):
        assert not cal.is_workday(d), d
        assert cal.holiday_name(d) == "国庆节"
    assert cal.is_workday(date(2026, 10, 8))
    assert cal.is_workday(date(2026, 10, 9))
    # 调休: Saturday 10 October and Sunday 20 September are workdays.
    for makeup in (date(2026, 10, 10), date(2026, 9, 20)):
        info = cal.day_info(makeup)
        assert info.is_workday and info.is_makeup_workday, makeup
        assert info.holiday_name == "国庆节"
    assert not cal.day_info(date(2026, 10, 9)).is_makeup_workday


def test_weeks_around_national_day_2026(cal: WorkCalendar) -> None:
    # Mid-autumn (Fri 25 Sep) + make-up Sunday 20 Sep.
    assert cal.workdays_in_week(date(2026, 9, 14)) == [
        *days(date(2026, 9, 14), date(2026, 9, 18)),
        date(2026, 9, 20),
    ]
    assert cal.last_workday_of_week(date(2026, 9, 14)) == date(2026, 9, 20)
    assert cal.workdays_in_week(date(2026, 9, 21)) == days(date(2026, 9, 21), date(2026, 9, 24))
    assert cal.holiday_name(date(2026, 9, 25)) == "中秋"
    assert cal.workdays_in_week(date(2026, 9, 28)) == days(date(2026, 9, 28), date(2026, 9, 30))
    assert cal.workdays_in_week(date(2026, 10, 5)) == days(date(2026, 10, 8), date(2026, 10, 10))
    assert cal.first_workday_of_week(date(2026, 10, 5)) == date(2026, 10, 8)
    assert cal.last_workday_of_week(date(2026, 10, 5)) == date(2026, 10, 10)


def test_next_and_previous_workday_across_national_day(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.next_workday(date(2026, 9, 30)) == date(2026, 9, 30)
    assert cal.next_workday(date(2026, 9, 30), inclusive=False) == date(2026, 10, 8)
    assert cal.previous_workday(date(2026, 10, 7)) == date(2026, 9, 30)
    assert cal.previous_workday(date(2026, 10, 8)) == date(2026, 10, 8)
    assert cal.previous_workday(date(2026, 10, 8), inclusive=False) == date(2026, 9, 30)
    assert cal.next_workday(date(2026, 10, 9), inclusive=False) == date(2026, 10, 10)


def test_workdays_between(cal: WorkCalendar) -> None:
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 10, 11)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]
    assert cal.workdays_between(date(2026, 10, 2), date(2026, 10, 1)) == []
    assert cal.workdays_between(date(2026, 10, 8), date(2026, 10, 8)) == [date(2026, 10, 8)]


# ---------------------------------------------------------------- Spring Festival 2026


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    for d in days(date(2026, 2, 15), date(2026, 2, 23)):
        assert cal.is_holiday(d), d
        assert cal.holiday_name(d) == "春节"
    assert cal.day_info(date(2026, 2, 14)).is_makeup_workday
    assert cal.day_info(date(2026, 2, 28)).is_makeup_workday
    # The whole week of 16-22 February has no workday at all.
    assert cal.workdays_in_week(date(2026, 2, 16)) == []
    assert cal.first_workday_of_week(date(2026, 2, 16)) is None
    assert cal.last_workday_of_week(date(2026, 2, 16)) is None
    # The week before has six workdays (Mon-Sat), the week after five (Tue-Sat).
    assert cal.workdays_in_week(date(2026, 2, 9)) == days(date(2026, 2, 9), date(2026, 2, 14))
    assert cal.workdays_in_week(date(2026, 2, 23)) == days(date(2026, 2, 24), date(2026, 2, 28))
    assert cal.previous_workday(date(2026, 2, 23)) == date(2026, 2, 14)
    assert cal.next_workday(date(2026, 2, 15)) == date(2026, 2, 24)


# ---------------------------------------------------------------- years beyond the library


def test_covers(cal: WorkCalendar) -> None:
    assert cal.covers(2004)
    assert cal.covers(2026)
    assert not cal.covers(2003)
    assert not cal.covers(2027)
    assert cal.fallback_years == set()  # asking about coverage records nothing


def test_2027_falls_back_to_monday_friday_without_raising(cal: WorkCalendar) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))  # the library really has no data
    monday = date(2027, 1, 4)
    assert cal.workdays_in_week(monday) == days(monday, date(2027, 1, 8))
    info = cal.day_info(date(2027, 1, 1))  # New Year's Day, but unknown to the library
    assert info.is_workday and info.source == "fallback" and info.holiday_name is None
    assert cal.is_holiday(date(2027, 1, 2))
    assert cal.fallback_years == {2027}


def test_fallback_years_are_recorded_only_when_met(cal: WorkCalendar) -> None:
    cal.workdays_in_week(date(2026, 3, 2))
    assert cal.fallback_years == set()
    assert cal.uncovered_years([date(2026, 5, 1), date(2027, 5, 1), date(2030, 1, 1)]) == {
        2027,
        2030,
    }
    assert cal.fallback_years == set()  # uncovered_years is a pure question
    # A week straddling the new year meets 2027 for the first time.
    assert cal.last_workday_of_week(date(2026, 12, 28)) == date(2027, 1, 1)
    assert cal.fallback_years == {2027}
    cal.is_workday(date(2003, 6, 2))
    assert cal.fallback_years == {2003, 2027}


def test_workday_search_crosses_into_uncovered_year(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 12, 31), inclusive=False) == date(2027, 1, 1)
    assert cal.previous_workday(date(2004, 1, 1)) == date(2003, 12, 31)
    assert cal.fallback_years == {2003, 2027}


# ---------------------------------------------------------------- overrides


def test_extra_holiday_and_workday_override_the_library() -> None:
    cal = WorkCalendar(
        extra_holidays={date(2026, 3, 4): "乡镇集中休整", date(2026, 10, 10): ""},
        extra_workdays=[date(2026, 3, 8), date(2026, 10, 2)],
    )
    info = cal.day_info(date(2026, 3, 4))
    assert not info.is_workday and info.source == "override"
    assert info.holiday_name == "乡镇集中休整"
    assert cal.holiday_name(date(2026, 10, 10)) is None  # empty name -> None
    assert not cal.is_workday(date(2026, 10, 10))  # a library 调休 Saturday, overridden
    assert cal.is_workday(date(2026, 3, 8))  # a plain Sunday
    assert cal.is_workday(date(2026, 10, 2))  # a statutory holiday
    assert cal.workdays_in_week(date(2026, 3, 2)) == [
        date(2026, 3, 2),
        date(2026, 3, 3),
        date(2026, 3, 5),
        date(2026, 3, 6),
        date(2026, 3, 8),
    ]
    assert cal.workdays_in_week(date(2026, 10, 5)) == [date(2026, 10, 8), date(2026, 10, 9)]


def test_overrides_apply_in_uncovered_years() -> None:
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 1)], extra_workdays=[date(2027, 1, 9)])
    assert cal.day_info(date(2027, 1, 1)).source == "override"
    assert cal.last_workday_of_week(date(2026, 12, 28)) == date(2026, 12, 31)
    assert cal.last_workday_of_week(date(2027, 1, 4)) == date(2027, 1, 9)


def test_overrides_accept_datetimes_as_dates() -> None:
    cal = WorkCalendar(extra_holidays=[datetime(2026, 3, 4, 8, 0)])
    assert not cal.is_workday(date(2026, 3, 4))


def test_conflicting_overrides_are_rejected() -> None:
    with pytest.raises(ValueError, match="2026-03-04"):
        WorkCalendar(extra_holidays=[date(2026, 3, 4)], extra_workdays=[date(2026, 3, 4)])


def test_overrides_do_not_leak_between_instances() -> None:
    WorkCalendar(extra_holidays=[date(2026, 3, 4)])
    assert WorkCalendar().is_workday(date(2026, 3, 4))


# ---------------------------------------------------------------- imported notices

NOTICE_2027 = [
    NoticeDay(date(2027, 1, 1), False, "元旦", 2027),
    NoticeDay(date(2027, 1, 2), False, "元旦", 2027),
    NoticeDay(date(2027, 1, 3), False, "元旦", 2027),
    NoticeDay(date(2027, 2, 14), True, "春节", 2027),
]


def test_a_notice_makes_a_year_known() -> None:
    cal = WorkCalendar(notice_days=NOTICE_2027)
    info = cal.day_info(date(2027, 1, 1))
    assert not info.is_workday and info.holiday_name == "元旦" and info.source == "notice"
    assert cal.day_info(date(2027, 2, 14)).is_makeup_workday
    # The rest of the year is Monday to Friday, from the notice, not the fallback.
    plain = cal.day_info(date(2027, 3, 1))
    assert plain.is_workday and plain.source == "notice" and plain.holiday_name is None
    assert not cal.is_workday(date(2027, 3, 6))
    assert cal.knows(2027) and not cal.covers(2027) and not cal.knows(2028)
    assert cal.uncovered_years([date(2027, 5, 1), date(2028, 5, 1)]) == {2028}
    assert cal.last_workday_of_week(date(2026, 12, 28)) == date(2026, 12, 31)
    assert cal.fallback_years == set()


def test_a_notice_replaces_the_library_for_its_year() -> None:
    # A (made-up) 2026 notice that names only New Year's Day.
    cal = WorkCalendar(notice_days=[NoticeDay(date(2026, 1, 1), False, "元旦", 2026)])
    assert not cal.is_workday(date(2026, 1, 1))
    assert cal.is_workday(date(2026, 10, 1))  # the library's National Day no longer counts
    assert not cal.is_workday(date(2026, 10, 10))  # nor its 调休 Saturday
    assert cal.day_info(date(2025, 10, 1)).source == "library"  # other years keep it


def test_a_notice_day_in_the_december_before_counts_on_its_date() -> None:
    cal = WorkCalendar(notice_days=[NoticeDay(date(2026, 12, 31), False, "元旦", 2027)])
    assert not cal.is_workday(date(2026, 12, 31))
    assert cal.holiday_name(date(2026, 12, 31)) == "元旦"
    assert cal.day_info(date(2026, 12, 30)).source == "library"


def test_config_overrides_win_over_a_notice() -> None:
    cal = WorkCalendar(
        extra_holidays=[date(2027, 3, 1)],
        extra_workdays={date(2027, 1, 2): "乡镇值班"},
        notice_days=NOTICE_2027,
    )
    assert not cal.is_workday(date(2027, 3, 1))
    info = cal.day_info(date(2027, 1, 2))
    assert info.is_workday and info.source == "override" and info.holiday_name == "乡镇值班"


# ---------------------------------------------------------------- properties

covered_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31))
uncovered_dates = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2003, 12, 31)),
    st.dates(min_value=date(2027, 1, 1), max_value=date(2100, 12, 31)),
)
any_dates = st.dates(min_value=date(1995, 1, 1), max_value=date(2040, 12, 31))


@given(covered_dates)
def test_agrees_with_library_in_covered_years(d: date) -> None:
    cal = WorkCalendar()
    assert cal.is_workday(d) == chinese_calendar.is_workday(d)
    assert cal.fallback_years == set()


@given(uncovered_dates)
def test_fallback_is_monday_to_friday(d: date) -> None:
    cal = WorkCalendar()
    assert cal.is_workday(d) == (d.weekday() < 5)
    assert cal.fallback_years == {d.year}


@given(any_dates, st.booleans())
def test_next_workday_is_the_first_workday_at_or_after(d: date, inclusive: bool) -> None:
    cal = WorkCalendar()
    nxt = cal.next_workday(d, inclusive=inclusive)
    assert cal.is_workday(nxt)
    assert nxt >= d if inclusive else nxt > d
    start = d if inclusive else d + timedelta(days=1)
    assert cal.workdays_between(start, nxt) == [nxt]


@given(any_dates, st.booleans())
def test_previous_workday_is_the_last_workday_at_or_before(d: date, inclusive: bool) -> None:
    cal = WorkCalendar()
    prev = cal.previous_workday(d, inclusive=inclusive)
    assert cal.is_workday(prev)
    assert prev <= d if inclusive else prev < d
    end = d if inclusive else d - timedelta(days=1)
    assert cal.workdays_between(prev, end) == [prev]


@given(any_dates)
def test_week_workdays_are_the_workdays_of_the_seven_days(d: date) -> None:
    cal = WorkCalendar()
    monday = week_start(d)
    assert monday.weekday() == 0 and monday <= d <= monday + timedelta(days=6)
    expected = [x for x in week_dates(d) if cal.is_workday(x)]
    assert cal.workdays_in_week(d) == expected
    assert cal.first_workday_of_week(d) == (expected[0] if expected else None)
    assert cal.last_workday_of_week(d) == (expected[-1] if expected else None)


@given(
    st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), max_size=10),
    st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), max_size=10),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
)
def test_overrides_always_win(holidays: set[date], workdays: set[date], d: date) -> None:
    workdays -= holidays
    cal = WorkCalendar(extra_holidays=holidays, extra_workdays=workdays)
    if d in holidays:
        assert not cal.is_workday(d)
    elif d in workdays:
        assert cal.is_workday(d)
    else:
        assert cal.is_workday(d) == WorkCalendar().is_workday(d)
