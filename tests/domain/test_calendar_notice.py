"""Reading the State Council's holiday notice (bot/calendar/rules.py), checked against the
chinese_calendar package for the years it knows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar.rules import Holiday, NoticeError, parse_notice
from bot.core.calendar import NoticeDay, WorkCalendar
from bot.core.i18n import gettext_for

DATA = Path(__file__).resolve().parents[1] / "notices"
zh = gettext_for("zh_CN")
LIBRARY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def notice_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def holiday(notice_days: list[NoticeDay], name: str) -> Holiday:
    return Holiday(
        name,
        tuple(d.day for d in notice_days if d.holiday == name and not d.is_workday),
        tuple(d.day for d in notice_days if d.holiday == name and d.is_workday),
    )


def error_of(text: str) -> NoticeError:
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    return caught.value


# ------------------------------------------------------------- the published notices


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("notice-2025.txt", 2025),
        ("notice-2026.txt", 2026),
        ("sample-2017.txt", 2017),
        ("sample-2023.txt", 2023),
        ("sample-2024.txt", 2024),
    ],
)
def test_a_notice_gives_the_library_calendar_for_its_year(name: str, year: int) -> None:
    notice = parse_notice(notice_text(name))
    assert notice.year == year
    assert notice.names[0] == "元旦" and len(notice.holidays) in (6, 7)
    # The notice alone (no library for its year) decides every day exactly as the library.
    calendar = WorkCalendar(notice_days=notice.days())
    for day in days_of(year):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        assert calendar.day_info(day).source == "notice"
    # Every day it names is a day the library names for the same holiday.
    for found in notice.days():
        rest, library_name = chinese_calendar.get_holiday_detail(found.day)
        assert rest != found.is_workday, found
        assert library_name is not None and LIBRARY_NAMES[library_name] in found.holiday, found


def test_the_2025_notice_day_by_day() -> None:
    days = parse_notice(notice_text("notice-2025.txt")).days()
    # One day, 不调休.
    assert holiday(days, "元旦") == Holiday("元旦", (date(2025, 1, 1),), ())
    # A range across two months, with 农历 notes beside the weekdays, and two 调休 workdays.
    spring = holiday(days, "春节")
    assert spring.days_off[0] == date(2025, 1, 28) and spring.days_off[-1] == date(2025, 2, 4)
    assert len(spring.days_off) == 8  # 共8天
    assert spring.workdays == (date(2025, 1, 26), date(2025, 2, 8))
    # 中秋 and 国庆 together, under one name.
    both = holiday(days, "国庆节、中秋节")
    assert len(both.days_off) == 8 and both.workdays == (date(2025, 9, 28), date(2025, 10, 11))
    # A range within a month whose end gives only the day (至6日).
    assert holiday(days, "清明节").days_off == (
        date(2025, 4, 4),
        date(2025, 4, 5),
        date(2025, 4, 6),
    )
    assert [(d.day, d.is_workday) for d in days][:2] == [
        (date(2025, 1, 1), False),
        (date(2025, 1, 26), True),
    ]
    assert all(d.year == 2025 for d in days)


def test_the_2026_notice_keeps_mid_autumn_and_national_day_apart() -> None:
    days = parse_notice(notice_text("notice-2026.txt")).days()
    assert len(holiday(days, "中秋节").days_off) == 3
    assert holiday(days, "国庆节").workdays == (date(2026, 9, 20), date(2026, 10, 10))
    assert holiday(days, "元旦").workdays == (date(2026, 1, 4),)


def test_older_layouts() -> None:
    # A New Year's holiday that starts in the December before belongs to the new year's notice.
    days_2023 = parse_notice(notice_text("sample-2023.txt")).days()
    new_year = holiday(days_2023, "元旦")
    assert new_year.days_off == (date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2))
    assert {d.year for d in days_2023} == {2023}
    # 与周末连休 (one day), and the 除夕 encouragement that is not a day off.
    days_2024 = parse_notice(notice_text("sample-2024.txt")).days()
    assert holiday(days_2024, "元旦").days_off == (date(2024, 1, 1),)
    assert date(2024, 2, 9) not in {d.day for d in days_2024}
    # 补休: a substitute day off after a holiday on a Sunday.
    days_2017 = parse_notice(notice_text("sample-2017.txt")).days()
    assert holiday(days_2017, "元旦").days_off == (date(2017, 1, 1), date(2017, 1, 2))


def test_full_width_half_width_spaces_and_one_line_read_the_same() -> None:
    text = notice_text("notice-2026.txt")
    expected = parse_notice(text).days()
    half = (
        text.replace("（", "(")
        .replace("）", ")")
        .replace("：", ":")
        .replace("，", ",")
        .replace("2", "２")  # full-width digits, as some web pages have them
    )
    assert parse_notice(half).days() == expected
    spaced = text.replace("月", " 月 ").replace("日", " 日").replace("\n", "\r\n")
    assert parse_notice(spaced).days() == expected
    assert parse_notice(text.replace("\n", "")).days() == expected  # pasted as one line


def test_only_the_arrangements_with_the_title() -> None:
    lines = notice_text("sample-2027.txt").splitlines()
    arrangements = [line for line in lines if line[:2] in ("一、", "二、", "三、")]
    notice = parse_notice("\n".join([lines[0], *arrangements]))
    assert notice.year == 2027 and notice.names == ["元旦", "春节", "清明节"]


# ------------------------------------------------------------------ what is refused


def test_text_that_is_not_a_notice() -> None:
    for text in ("", "你好", "国务院办公厅", "1月1日放假"):
        error = error_of(text)
        assert "year" in str(error)
        assert "国务院办公厅关于2027年部分节假日安排的通知" in error.text(zh)
    error = error_of("国务院办公厅关于2027年部分节假日安排的通知\n节日快乐。")
    assert "No holiday arrangements" in str(error) and "未找到节假日安排" in error.text(zh)


def test_a_weekday_that_does_not_match_the_year() -> None:
    # The 2025 notice under a 2024 title: 1月1日（周三） is a Monday in 2024.
    text = notice_text("notice-2025.txt").replace("2025年", "2024年")
    error = error_of(text)
    assert error.params["holiday"] == "元旦"
    assert error.text(zh) == "元旦：通知写1月1日为周三，但2024年1月1日是周一。年份是否正确？"


def test_a_count_that_does_not_match_the_range() -> None:
    text = notice_text("notice-2025.txt").replace("共8天。1月26日", "共7天。1月26日")
    error = error_of(text)
    assert error.params["holiday"] == "春节" and error.params["said"] == 7
    assert error.params["counted"] == 8 and "共7天" in error.text(zh)


def test_a_missing_arrangement_or_a_half_pasted_notice() -> None:
    lines = notice_text("notice-2026.txt").splitlines()
    gap = "\n".join(line for line in lines if not line.startswith("三、"))
    assert "one seems to be missing" in str(error_of(gap))
    half = "\n".join(line for line in lines if not line.startswith(("六、", "七、")))
    error = error_of(half)
    assert error.params["names"] == "中秋节、国庆节"
    assert "通知开头提到了中秋节、国庆节" in error.text(zh)


def test_dates_that_cannot_be_read() -> None:
    base = notice_text("notice-2026.txt")
    cases = {
        "2月15日（农历腊月二十八、周日）至23日": "2月30日至23日",  # no such date
        "6月19日（周五）至21日（周日）": "6月21日至19日",  # reversed
        "5月9日（周六）上班": "5月9日（周六）和10日上班",  # not a list of dates
        "9月25日（周五）至27日（周日）": "农历八月十五至十七",  # not a date at all
    }
    expected = [
        "is not a date",
        "end before they start",
        "Could not read the workdays",
        "Could not read the days off",
    ]
    for (good, bad), words in zip(cases.items(), expected, strict=True):
        assert good in base
        error = error_of(base.replace(good, bad))
        assert words in str(error), (bad, str(error))
        assert "{" not in error.text(zh)


def test_an_arrangement_without_days_off_and_a_day_given_twice() -> None:
    base = notice_text("notice-2026.txt")
    error = error_of(base.replace("6月19日（周五）至21日（周日）放假，共3天。", "另行通知。"))
    assert error.params == {"holiday": "端午节"} and "放假" in error.text(zh)
    twice = base.replace("9月20日（周日）、10月10日（周六）上班", "9月26日（周六）上班")
    error = error_of(twice)
    assert error.params["date"] == "2026-09-26" and "重复出现" in error.text(zh)


def test_a_date_outside_the_notice_year_and_two_years() -> None:
    base = notice_text("notice-2026.txt")
    error = error_of(base.replace("1月4日（周日）上班", "2027年1月4日（周一）上班"))
    assert "does not belong to the notice for 2026" in str(error)
    error = error_of(base.replace("现将2026年", "现将2027年"))
    assert error.params == {"first": 2026, "second": 2027}


def test_every_error_reads_in_chinese_with_its_values() -> None:
    base = notice_text("notice-2026.txt")
    for text in (
        "",
        base.replace("共3天。1月4日", "共4天。1月4日"),
        base.replace("二、春节", "三、春节"),
    ):
        error = error_of(text)
        assert error.text(zh) != str(error)
        assert "{" not in error.text(zh) and "{" not in str(error)


def test_too_many_days_and_long_quotes() -> None:
    base = notice_text("notice-2026.txt")
    error = error_of(base.replace("6月19日（周五）至21日（周日）", "6月1日至7月10日"))
    assert "longer than any holiday" in str(error)
    many = (
        base.splitlines()[0]
        + "\n"
        + "\n".join(f"{'一二三四五六七八九'[i]}、节{i}：{i + 1}月1日至25日放假。" for i in range(5))
    )
    assert "names 125 days" in str(error_of(many))
    error = error_of(
        base.replace("2月15日（农历腊月二十八", "很长" * 500 + "2月15日（农历腊月二十八")
    )
    assert len(error.text(zh)) < 200 and "…" in error.text(zh)


# The pieces a notice is made of, and noise: whatever they make, the reader answers with a
# notice or a NoticeError, nothing else.
PIECES = [
    "国务院办公厅关于2027年部分节假日安排的通知\n",
    "现将2027年元旦、春节和国庆节放假调休日期的具体安排通知如下。",
    "一、",
    "二、",
    "十十、",
    "九十九、",
    "元旦：",
    "国庆节、中秋节：",
    "1月1日",
    "2026年12月31日",
    "（周五）",
    "（星期日）",
    "（农历除夕、周二）",
    "至",
    "3日",
    "2月30日",
    "放假",
    "放假调休",
    "，共3天",
    "放假1天",
    "，不调休",
    "。",
    "、",
    "上班",
    "补休",
    "\n",
    "（",
    "）",
    "<b>",
]


@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_text_is_read_or_refused(pieces: list[str]) -> None:
    try:
        notice = parse_notice("".join(pieces))
    except NoticeError as error:
        assert "{" not in error.text(zh) or "{" in "".join(pieces)
        return
    days = notice.days()
    assert 0 < len(days) <= 100
    assert all(0 < len(d.holiday) <= 40 for d in days)
    assert len({d.day for d in days}) == len(days)
