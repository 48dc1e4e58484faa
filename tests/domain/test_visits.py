"""Pure helpers for visit logs and leave: distance, village matching, typed dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.dates import Direction, parse_day, parse_day_range
from bot.visits.rules import (
    CountProblem,
    can_link,
    distance_m,
    location_check,
    read_count,
    suggest_names,
    toggled,
    with_notes,
)

VILLAGES = ["沙河子村", "东岭村", "西坡村", "河口村", "杨庄村", "南沟村"]
TODAY = date(2026, 11, 26)


def test_distance_is_zero_at_the_point_and_about_right_nearby() -> None:
    assert distance_m(33.8790, 110.0105, 33.8790, 110.0105) == 0
    # 0.01 degree of latitude is about 1112 m everywhere.
    assert 1100 < distance_m(33.0, 110.0, 33.01, 110.0) < 1125
    # Symmetric.
    assert distance_m(33.0, 110.0, 33.1, 110.2) == pytest.approx(
        distance_m(33.1, 110.2, 33.0, 110.0)
    )


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("东岭村", "东岭村"),
        ("东岭", "东岭村"),
        ("西破村", "西坡村"),  # a typo
        ("杨村", "杨庄村"),
        ("沙河", "沙河子村"),
    ],
)
def test_suggestions_put_the_likely_village_first(typed: str, first: str) -> None:
    assert suggest_names(typed, VILLAGES)[0] == first


def test_no_suggestion_for_something_unrelated() -> None:
    assert suggest_names("火星基地", VILLAGES) == []
    assert suggest_names("   ", VILLAGES) == []
    assert len(suggest_names("村", VILLAGES, limit=3)) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("11-20", date(2026, 11, 20)),
        ("11/20", date(2026, 11, 20)),
        ("11.20", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("11月20号", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("１１－２０", date(2026, 11, 20)),  # full-width, as Chinese keyboards type
        ("１１月２０日", date(2026, 11, 20)),
        ("十一月二十日", date(2026, 11, 20)),
        ("11月二十日", date(2026, 11, 20)),
        ("二〇二六年十一月三十日", date(2026, 11, 30)),
        ("十二月一日", date(2026, 12, 1)),
        ("十一月三十二日", None),
        ("今天", TODAY),
        ("昨天", date(2026, 11, 25)),
        ("前天", date(2026, 11, 24)),
        ("明天", date(2026, 11, 27)),
        ("后天", date(2026, 11, 28)),
        (" Yesterday ", date(2026, 11, 25)),
        ("三", None),
        ("02-30", None),
        ("", None),
    ],
)
def test_parse_day(text: str, expected: date | None) -> None:
    assert parse_day(text, TODAY, Direction.BACK) == expected


def test_parse_day_picks_the_nearest_year_around_new_year() -> None:
    assert parse_day("12-30", date(2027, 1, 2), Direction.BACK) == date(2026, 12, 30)
    assert parse_day("01-02", date(2026, 12, 30), Direction.AHEAD) == date(2027, 1, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11-25", (date(2026, 11, 25), date(2026, 11, 25))),
        ("11-25 至 11-27", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11月25日到11月27日", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11.25-11.27", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11-25 ~ 11-27", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11-25 to 11-27", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11-27 至 11-25", None),  # end before start
        ("明天", (date(2026, 11, 27), date(2026, 11, 27))),
        ("明天到后天", (date(2026, 11, 27), date(2026, 11, 28))),
        # The month said once, as an official text writes a span.
        ("11月25日至27日", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11月25日-27日", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11月25日－11月27日", (date(2026, 11, 25), date(2026, 11, 27))),
        ("十一月二十五日至二十七日", (date(2026, 11, 25), date(2026, 11, 27))),
        ("11月25日至31日", None),  # November has 30 days
        ("11月27日至25日", None),
    ],
)
def test_parse_day_range(text: str, expected: tuple[date, date] | None) -> None:
    assert parse_day_range(text, TODAY, Direction.AHEAD) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        (" 12 ", 12),
        ("１２", 12),  # full-width digits
        ("3次", 3),
        ("007", 7),
        ("99", 99),
        ("100", CountProblem.TOO_LARGE),
        ("0" * 5000 + "5", 5),
        ("9" * 10_000, CountProblem.TOO_LARGE),  # never converted to a number
        ("-1", CountProblem.NOT_A_NUMBER),
        ("1.5", CountProblem.NOT_A_NUMBER),
        ("三", 3),  # Chinese numerals, as people type them
        ("三次", 3),
        ("十二", 12),
        ("九十九", 99),
        ("一百", CountProblem.TOO_LARGE),
        ("三三三", CountProblem.TOO_LARGE),
        ("十十", CountProblem.NOT_A_NUMBER),
        ("", CountProblem.NOT_A_NUMBER),
        ("<b>1</b>", CountProblem.NOT_A_NUMBER),
        ("1 2", CountProblem.NOT_A_NUMBER),
    ],
)
def test_a_typed_count(text: str, expected: int | CountProblem) -> None:
    assert read_count(text, 99) == expected


def test_activities_keep_the_configured_order() -> None:
    configured = ["听取民意", "政策宣传", "矛盾化解"]
    assert toggled([], "矛盾化解", configured) == ["矛盾化解"]
    assert toggled(["矛盾化解"], "听取民意", configured) == ["听取民意", "矛盾化解"]
    assert toggled(["听取民意", "矛盾化解"], "听取民意", configured) == ["矛盾化解"]
    # An activity no longer configured, kept from an older log, stays after the others.
    assert toggled(["旧活动"], "政策宣传", configured) == ["政策宣传", "旧活动"]


def test_notes_and_links() -> None:
    assert with_notes("", "第一行") == "第一行"
    assert with_notes("第一行", "第二行") == "第一行\n第二行"
    assert can_link(("听取民意", "矛盾化解"), "矛盾化解")
    assert not can_link(("听取民意",), "矛盾化解")
    assert not can_link(("矛盾化解",), "")


def test_location_check_against_the_village_point() -> None:
    point = (33.8790, 110.0105)
    assert location_check(None, point, 500) == (None, False)
    assert location_check((33.88, 110.01), None, 500) == (None, False)
    metres, checked = location_check((33.8795, 110.0110), point, 500)
    assert metres is not None and 50 < metres < 100 and checked
    metres, checked = location_check((33.90, 110.0105), point, 500)
    assert metres is not None and metres > 2000 and not checked
