"""Config sections of the cadre week, and the rules built from them."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot.core.config import ConfigError, load_settings, parse_settings
from bot.week.schedule import week_rules, work_calendar
from tests.reference_weeks import evaluate_week

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_defaults_match_the_issue(no_network: None) -> None:
    settings = parse_settings({})
    assert settings.quotas.field_days == 3
    assert settings.quotas.dispute_screenings == 1 and settings.quotas.problems_solved == 1
    assert settings.report.sections == ["本周完成", "下周计划", "问题与需求", "重点工作进展"]
    assert settings.report.open_time == time(12) and settings.report.deadline_time == time(18)
    assert settings.visits.activities == [
        "听取民意",
        "政策宣传",
        "矛盾化解",
        "帮办实事",
        "助力发展",
    ]


def test_example_config_sets_every_section(no_network: None) -> None:
    settings = load_settings(EXAMPLE)
    assert settings.calendar.extra_holidays == [] and settings.visits.backfill_days == 3
    assert settings.report.section_limit == 1000


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"report": {"open_time": "19:00"}}, "open_time must be before deadline_time"),
        ({"report": {"sections": ["a", "a"]}}, "report.sections: duplicate sections: a"),
        ({"report": {"sections": ["a"]}}, "digest_section '本周完成' is not one of the sections"),
        ({"report": {"section_limit": 10}}, "report.section_limit"),
        ({"quotas": {"rounding": "banker"}}, "quotas.rounding"),
        ({"quotas": {"field_days": 9}}, "quotas.field_days"),
        ({"visits": {"activities": []}}, "visits.activities"),
        ({"visits": {"backfil_days": 2}}, "visits.backfil_days: unknown key"),
        (
            {"calendar": {"extra_holidays": ["2027-01-04"], "extra_workdays": ["2027-01-04"]}},
            "dates both in extra_holidays and extra_workdays: 2027-01-04",
        ),
        ({"calendar": {"extra_holidays": ["tomorrow"]}}, "calendar.extra_holidays"),
    ],
)
def test_bad_values_name_the_key(data: dict, expected: str, no_network: None) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "my.toml")
    assert expected in str(info.value)


def test_rules_follow_the_config(no_network: None) -> None:
    settings = parse_settings(
        {
            "quotas": {"field_days": 4, "rounding": "ceil"},
            "report": {"deadline_time": "17:30", "open_workdays_before": 0},
            # A made-up local holiday on Friday 27 November 2026.
            "calendar": {"extra_holidays": ["2026-11-27"]},
            "townships": [{"code": "SHZ", "name": "沙河子镇", "timezone": "Asia/Urumqi"}],
        }
    )
    rules = week_rules(settings, "SHZ")
    assert str(rules.tz) == "Asia/Urumqi"
    assert rules.quota.field_days == 4 and rules.quota.rounding == "ceil"
    window = rules.window(date(2026, 11, 23))
    assert window is not None
    # The deadline moves to Thursday; the window opens the same day.
    assert window.deadline_day == date(2026, 11, 26)
    assert window.deadline.time() == time(17, 30) and window.opens_at.date() == date(2026, 11, 26)
    status = evaluate_week(date(2026, 11, 23), [], [], rules.calendar, rules.quota)
    assert len(status.workdays) == 4 and status.required.field_days == 4  # ceil(4 x 4/5)
    # The calendar object is shared, so fallback years accumulate in one place.
    assert work_calendar(settings) is rules.calendar
    assert rules.backfill_dates(window.deadline, 2) == [
        date(2026, 11, 26),
        date(2026, 11, 25),
        date(2026, 11, 24),
    ]


def test_the_calendar_takes_the_imported_notices_of_its_database(no_network: None) -> None:
    from bot.core.calendar import NoticeDay, NoticeDays
    from bot.week.schedule import forget_notice_days, notice_days, use_notice_days

    def settings_for(url: str):  # type: ignore[no-untyped-def]
        return parse_settings(
            {
                "database": {"url": url},
                "townships": [{"code": "SHZ", "name": "沙河子镇"}],
            }
        )

    ours, theirs = (
        settings_for("sqlite+aiosqlite:///a.db"),
        settings_for("sqlite+aiosqlite:///b.db"),
    )
    before = work_calendar(ours)
    assert not before.knows(2027)
    days = NoticeDays((NoticeDay(date(2027, 1, 1), False, "元旦", 2027),))
    try:
        use_notice_days(ours, days)
        after = work_calendar(ours)
        assert after is not before and after is work_calendar(ours)
        assert after.knows(2027) and not after.is_workday(date(2027, 1, 1))
        assert notice_days(ours) is days
        # Another database's calendar is not affected.
        assert not work_calendar(theirs).knows(2027)
    finally:
        forget_notice_days()
    assert not work_calendar(ours).knows(2027)
