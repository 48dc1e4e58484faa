"""A long list is split into Telegram-valid messages of at most 4096 characters."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.config import Settings
from bot.core.render import Renderer
from bot.core.text import MESSAGE_LIMIT, visible_length
from bot.lists.ledger import render_lists
from bot.lists.periods import latest_complete
from bot.lists.rules import CadreWeek, Member, RedBlackRules, evaluate
from bot.lists.snapshot import build_snapshot
from devkit.emulator import parse_html


def test_a_quarter_with_many_black_listings_splits_into_valid_messages() -> None:
    period = latest_complete("quarter", date(2026, 11, 23))
    members = [Member(i, f"干部<{i}>&", f"村{i % 7}") for i in range(1, 41)]
    weeks = [
        CadreWeek(m.member_id, w, "missing", 1, 3, 0, 1, 0, 1, field_day_dates=(w + timedelta(2),))
        for m in members
        for w in period.weeks
    ]
    rules = RedBlackRules(rank_by="both")
    snapshot = build_snapshot(
        evaluate(period, members, weeks, [], rules),
        rules,
        township_code="SHZ",
        township_name="沙河子镇",
        period_key="2026-Q3",
        generated_at="x",
        weeks=weeks,
    )
    parts = render_lists(Renderer(), Settings(), "SHZ", snapshot, None, "zh_CN")
    assert len(parts) > 5
    for part in parts:
        assert visible_length(part) <= MESSAGE_LIMIT
        parse_html(part)  # raises on anything Telegram would reject
    text = "".join(parts)
    assert "干部&lt;40&gt;&amp;" in text and "<40>" not in text
    assert text.count("未交周报") == 40 * len(period.weeks)
