"""Pure helpers around the red/black lists: periods, snapshots, wording, arena, chart, config."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from string import Formatter

import pytest

from bot.arena.rules import ArenaItem, standings
from bot.core.config import ConfigError, parse_settings
from bot.core.i18n import gettext_for
from bot.lists.assess import _PARAMS
from bot.lists.assess import SharedReasons as _SharedReasons
from bot.lists.charts import snapshot_field_days
from bot.lists.periods import latest_complete, parse_period, period_from_key, period_key
from bot.lists.rules import (
    CadreWeek,
    Member,
    MemberCaseFacts,
    Reason,
    ReasonCode,
    RedBlackRules,
    evaluate,
    rules_from_config,
)
from bot.lists.snapshot import (
    apply_removal,
    build_snapshot,
    listed,
    reason_from_json,
    reason_to_json,
)
from bot.lists.text import MESSAGES, describe
from bot.lists.views import explanation_view, view

MONDAY = date(2026, 11, 23)


def test_latest_complete_periods_on_a_monday() -> None:
    week = latest_complete("week", MONDAY)
    assert (week.start, week.end, week.weeks) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
        (date(2026, 11, 16),),
    )
    month = latest_complete("month", MONDAY)  # November is not over: October
    assert period_key(month) == "2026-10"
    assert month.weeks[0] == date(2026, 9, 28) and month.end == date(2026, 11, 1)
    assert len(month.weeks) == 5
    quarter = latest_complete("quarter", MONDAY)
    assert period_key(quarter) == "2026-Q3" and quarter.end < MONDAY
    # The day after November's last week, November is the latest complete month.
    assert period_key(latest_complete("month", date(2026, 11, 30))) == "2026-11"
    assert period_key(latest_complete("quarter", date(2026, 1, 5))) == "2025-Q4"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "2026-W47"),
        ("week", "2026-W47"),
        ("月", "2026-10"),
        ("QUARTER", "2026-Q3"),
        ("2026-W01", "2026-W01"),
        ("2026-02", "2026-02"),
        ("2026-q4", "2026-Q4"),
    ],
)
def test_parse_period(text: str, key: str) -> None:
    period = parse_period(text, MONDAY)
    assert period is not None and period_key(period) == key


@pytest.mark.parametrize("text", ["fortnight", "2026-13", "2026-W60", "2026-Q5", "10", "x-W01"])
def test_parse_period_rejects_nonsense(text: str) -> None:
    assert parse_period(text, MONDAY) is None
    assert period_from_key(text) is None


def _result():
    period = latest_complete("week", MONDAY)
    week = period.weeks[0]
    members = [Member(1, "甲", "沙河子村"), Member(2, "乙", "西坡村"), Member(3, "丙", None)]
    weeks = [
        CadreWeek(
            1,
            week,
            "on_time",
            3,
            3,
            1,
            1,
            1,
            1,
            field_day_dates=(week, week + timedelta(1), week + timedelta(2)),
        ),
        CadreWeek(2, week, "missing", 1, 3, 1, 1, 1, 1, field_day_dates=(week,)),
    ]
    cases = [MemberCaseFacts(2, "SHZ-2026-0058", 9, False)]
    rules = RedBlackRules()
    return evaluate(period, members, weeks, cases, rules), rules, weeks


def test_snapshot_is_plain_json_and_round_trips_reasons() -> None:
    import json

    result, rules, weeks = _result()
    snapshot = build_snapshot(
        result,
        rules,
        township_code="SHZ",
        township_name="沙河子镇",
        period_key="2026-W47",
        generated_at="2026-11-23T01:00:00+00:00",
        weeks=weeks,
    )
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert listed(snapshot) == {1: "red", 2: "black"}
    assert snapshot["field_days"] == {"1": 3, "2": 1, "3": 0}
    assert snapshot["field_required"] == {"1": 3, "2": 3, "3": 0}
    assert snapshot["leave_days"] == {"1": 0, "2": 0, "3": 0}
    chart = snapshot_field_days(snapshot)
    assert [(r.name, r.done, r.required, r.away) for r in chart.rows] == [
        (snapshot["members"][mid]["name"], done, required, False)
        for mid, done, required in (("1", 3, 3), ("2", 1, 3), ("3", 0, 0))
    ]
    # An issue published before the quota was recorded shows the days alone.
    older = {k: v for k, v in snapshot.items() if k not in ("field_required", "leave_days")}
    assert {r.required for r in snapshot_field_days(older).rows} == {None}
    for reason in [*result.black[0].reasons, Reason("x", {"f": Fraction(7, 2), "n": None})]:
        assert reason_from_json(reason_to_json(reason)) == reason
    # An upheld objection takes the member off, records it, and leaves the original alone.
    removed = apply_removal(snapshot, 2, 17, "公务外出已核实")
    assert listed(removed) == {1: "red"} and listed(snapshot) == {1: "red", 2: "black"}
    assert removed["removed"] == [
        {"member_id": 2, "list": "black", "objection_id": 17, "note": "公务外出已核实"}
    ]
    assert explanation_view(removed, 2, "zh_CN")["removed_from"] == "黑榜"
    assert apply_removal(snapshot, 3, 18, None)["removed"] == []


def test_view_states_the_facts_in_chinese_and_english() -> None:
    result, rules, weeks = _result()
    snapshot = build_snapshot(
        result,
        rules,
        township_code="SHZ",
        township_name="沙河子镇",
        period_key="2026-W47",
        generated_at="x",
        weeks=weeks,
    )
    zh = view(snapshot, "zh_CN")
    assert zh["period"] == "2026年第47周（11月16日–22日）"
    assert zh["black"][0]["reasons"] == [
        "11月16日–22日这一周未交周报",
        "11月16日–22日：下乡1天（11月16日），要求3天",
        "案件 SHZ-2026-0058 已超期9天（超期超过7天列入黑榜）",
    ]
    en = view(snapshot, "en")
    assert en["black"][0]["reasons"][0] == "No weekly report for the week 16 Nov–22 Nov"
    assert [s["name"] for s in zh["scoreboard"]] == ["甲", "乙"]
    assert zh["not_listed"][0]["name"] == "丙"


def test_every_reason_code_has_words() -> None:
    special = {
        ReasonCode.FIELD_DAYS_SHORT,
        ReasonCode.RULE_RED_SCREENINGS_PROBLEMS,
        ReasonCode.RULE_RANK_BY,
    }
    assert set(ReasonCode) == set(MESSAGES) | special
    _ = gettext_for("zh_CN")
    text = describe(
        Reason(
            ReasonCode.FIELD_DAYS_SHORT,
            {"week": MONDAY, "done": 0, "required": 2, "exempt_days": 2, "dates": ()},
        ),
        _,
        "zh_CN",
    )
    assert text == "11月23日–29日：未下乡，要求2天；已扣除2个请假或公务外出工作日"


def test_assessed_reasons_carry_the_parameters_their_words_name() -> None:
    """`_assess` names its reasons' parameters through `_PARAMS`; a sentence naming one
    that is not there would fail only when that reason is shown."""
    for code, names in _PARAMS.items():
        assert code in set(ReasonCode)
        if code in MESSAGES:
            named = {field for _, field, _, _ in Formatter().parse(MESSAGES[code]) if field}
            assert named <= set(names), code
    # Equal values share one reason; a different value (or code) is another reason.
    reason = _SharedReasons()
    first = reason(ReasonCode.REPORT_LATE, MONDAY)
    assert first == Reason(ReasonCode.REPORT_LATE, {"week": MONDAY})
    assert reason(ReasonCode.REPORT_LATE, MONDAY) is first
    assert reason(ReasonCode.REPORT_MISSING, MONDAY) is not first
    with pytest.raises(ValueError):
        reason(ReasonCode.REPORT_LATE, MONDAY, 2)


def test_ties_are_stated_in_the_view() -> None:
    period = latest_complete("week", MONDAY)
    week = period.weeks[0]
    members = [Member(1, "甲"), Member(2, "乙"), Member(3, "丙")]
    weeks = [
        CadreWeek(
            m,
            week,
            "on_time",
            3,
            3,
            1,
            1,
            1,
            1,
            field_day_dates=(week, week + timedelta(1), week + timedelta(2)),
        )
        for m in (1, 2)
    ] + [
        CadreWeek(
            3,
            week,
            "late",
            3,
            3,
            1,
            1,
            1,
            1,
            field_day_dates=(week, week + timedelta(1), week + timedelta(2)),
        )
    ]
    rules = RedBlackRules()
    snapshot = build_snapshot(
        evaluate(period, members, weeks, [], rules),
        rules,
        township_code="SHZ",
        township_name="x",
        period_key="2026-W47",
        generated_at="x",
    )
    assert view(snapshot, "zh_CN")["ties"] == ["并列第1名（11分）：乙、甲"]  # name order


def test_arena_standings_rank_by_progress_and_state_ties() -> None:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    items = [
        ArenaItem(1, "道路硬化", "", (), 60, at, ""),
        ArenaItem(2, "产业园招商", "", (), 80, at, ""),
        ArenaItem(3, "河道治理", "", (), 60, at, ""),
        ArenaItem(4, "新项目", "", (), 0, None, ""),
    ]
    rows = standings(items)
    assert [(r.rank, r.item.item_id, r.tied) for r in rows] == [
        (1, 2, False),
        (2, 3, True),  # tied rows in title order (河 before 道)
        (2, 1, True),
        (4, 4, False),
    ]
    with pytest.raises(ValueError):
        standings([ArenaItem(5, "x", "", (), 101, None, "")])


def test_redblack_config_maps_onto_the_rules(no_network: None) -> None:
    settings = parse_settings(
        {
            "redblack": {"rank_by": "both", "max_black": 3, "weights": {"field_day": 1}},
            "townships": [
                {"code": "SHZ", "name": "沙河子镇", "redblack": {"objection_window_hours": 24}}
            ],
        }
    )
    rules = rules_from_config(settings.redblack)
    assert (rules.rank_by, rules.max_black, rules.weights.field_day) == ("both", 3, 1)
    assert rules.weights.missing_report == -10
    assert settings.township_redblack("SHZ").objection_window_hours == 24
    assert settings.township_redblack("DJH").objection_window_hours == 48
    with pytest.raises(ConfigError) as info:
        parse_settings({"redblack": {"rank_by": "village", "max_red": 0, "colour": 1}}, "x.toml")
    message = str(info.value)
    assert "redblack.rank_by" in message and "redblack.max_red" in message
    assert "redblack.colour: unknown key" in message
