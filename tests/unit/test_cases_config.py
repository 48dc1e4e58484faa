"""[cases] configuration and the party-line parser of the /case new flow."""

from __future__ import annotations

import pytest

from bot.cases.queries import case_config
from bot.cases.rows import from_fen, to_fen
from bot.cases.rules import Tier
from bot.cases.rules.parsing import parse_party
from bot.core.config import ConfigError, parse_settings


def test_defaults_match_the_issue() -> None:
    settings = parse_settings({})
    config = case_config(settings)
    assert [t.label for t in config.categories] == [
        "邻里纠纷",
        "婚姻家庭",
        "土地山林",
        "劳资纠纷",
        "损害赔偿",
        "工程施工",
        "其他",
    ]
    assert [t.label for t in config.sources] == ["排查发现", "群众来访", "上级交办", "部门转办"]
    assert [t.label for t in config.referral_units] == ["派出所", "法庭", "司法所", "交警中队"]
    assert dict(config.tier_days) == {Tier.ORDINARY: 7, Tier.COMPLEX: 15, Tier.DIFFICULT: 30}
    assert config.followup_after_days == 7


def test_custom_lists_and_days() -> None:
    settings = parse_settings(
        {
            "cases": {
                "referral_units": [{"key": "police_station", "label": "派出所"}],
                "tier_days": {"difficult": 45},
                "followup_after_days": 10,
            }
        }
    )
    config = case_config(settings)
    assert [t.key for t in config.referral_units] == ["police_station"]
    assert config.tier_days[Tier.DIFFICULT] == 45 and config.tier_days[Tier.ORDINARY] == 7
    assert config.followup_after_days == 10


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ({"categories": []}, "categories must not be empty"),
        (
            {"sources": [{"key": "a", "label": "甲"}, {"key": "a", "label": "乙"}]},
            "duplicate sources keys: a",
        ),
        ({"categories": [{"key": "Bad Key", "label": "x"}]}, "cases.categories[0].key"),
        ({"tier_days": {"ordinary": 0}}, "cases.tier_days.ordinary"),
        ({"escalate_after": 3}, "cases.escalate_after: unknown key"),
    ],
)
def test_mistakes_are_reported_with_the_key(cases: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings({"cases": cases})
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("张三", ("张三", None)),
        ("张三 13812345678", ("张三", "13812345678")),
        ("张三，138 1234 5678", ("张三", "13812345678")),
        ("某工程施工队负责人 0914-2345678", ("某工程施工队负责人", "09142345678")),
        ("Li Ming +86 138-1234-5678", ("Li Ming", "13812345678")),
        ("张三 12345", "phone"),
        ("13812345678", "name"),
        ("张3", "name"),
        ("欧" * 33, "long"),
    ],
)
def test_party_lines(line: str, expected: object) -> None:
    assert parse_party(line) == expected


def test_money_round_trips_through_fen() -> None:
    from decimal import Decimal

    for value in (Decimal("0.01"), Decimal("1200.50"), Decimal(100_000_000)):
        assert from_fen(to_fen(value)) == value
    assert to_fen(None) is None and from_fen(None) is None
