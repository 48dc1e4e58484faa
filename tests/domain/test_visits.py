"""Pure helpers for visit logs and leave: distance, village matching, typed dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.dates import parse_day, parse_day_range
from bot.visits.rules import distance_m, suggest_names

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
        ("02-30", None),
        ("下周三", None),
        ("", None),
    ],
)
def test_parse_day(text: str, expected: date | None) -> None:
    assert parse_day(text, TODAY) == expected


def test_parse_day_picks_the_nearest_year_around_new_year() -> None:
    assert parse_day("12-30", date(2027, 1, 2)) == date(2026, 12, 30)
    assert parse_day("01-02", date(2026, 12, 30)) == date(2027, 1, 2)


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
        ("明天", None),
    ],
)
def test_parse_day_range(text: str, expected: tuple[date, date] | None) -> None:
    assert parse_day_range(text, TODAY) == expected
