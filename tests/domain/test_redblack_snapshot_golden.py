"""Whole snapshots of varied evaluations, compared byte for byte with the ones the lists
produced before their evaluation and snapshot were restructured for speed (the stored
file): a change in what the lists say, or in the order they say it, fails here.

Regenerate the file only for an intended change of the lists:
    python -m tests.domain.test_redblack_snapshot_golden
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

from bot.lists.rules import (
    CadreWeek,
    Member,
    MemberCaseFacts,
    Period,
    RedBlackRules,
    evaluate,
)
from bot.lists.snapshot import build_snapshot

GOLDEN = Path(__file__).parent / "data" / "redblack_snapshots.json"
FIRST = date(2026, 8, 31)
STATUSES = ("on_time", "on_time", "on_time", "late", "missing", "exempt")


def _weeks(rng: Random, period: Period, member_id: int, name: str) -> list[CadreWeek]:
    diligent = rng.random() < 0.5  # candidates for the red list
    rows: list[CadreWeek] = []
    for monday in period.weeks:
        if rng.random() < 0.05:
            continue  # no data that week
        fully = rng.random() < 0.07
        exempt = 5 if fully else (rng.choice((1, 2, 3)) if rng.random() < 0.15 else 0)
        required = 0 if fully else max(0, 3 - exempt // 2)
        days = sorted(rng.sample(range(7), rng.choice((3, 4) if diligent else (0, 1, 2, 3, 4))))
        rows.append(
            CadreWeek(
                member_id,
                monday,
                "exempt" if fully else "on_time" if diligent else rng.choice(STATUSES),
                len(days),
                required,
                rng.randrange(2 if diligent else 0, 4),
                0 if fully else rng.choice((1, 2)),
                rng.randrange(1 if diligent else 0, 3),
                0 if fully else 1,
                exempt,
                fully,
                tuple(monday + timedelta(days=d) for d in days),
                name,
                5,
            )
        )
    return rows


def scenario(seed: int, n_weeks: int, kind: str, rules: RedBlackRules) -> dict[str, Any]:
    rng = Random(seed)
    weeks = tuple(FIRST + timedelta(weeks=i) for i in range(n_weeks))
    period = Period(kind, weeks[0], weeks[-1] + timedelta(days=6), weeks)  # type: ignore[arg-type]
    members = [
        Member(i, f"干部{rng.randrange(12):02d}", rng.choice((None, "一组", "二组", "三组")))
        for i in range(1, 21)
    ]
    rows = [w for m in members for w in _weeks(rng, period, m.member_id, m.name)]
    if seed % 2:
        rng.shuffle(rows)  # the pure API takes rows in any order
    cases = [
        MemberCaseFacts(
            rng.randrange(1, 21), f"C{n:03d}", rng.choice((0, 3, 7, 8, 20)), rng.random() < 0.3
        )
        for n in range(15)
    ]
    result = evaluate(period, members, rows, cases, rules)
    return build_snapshot(
        result,
        rules,
        township_code="T01",
        township_name="第1镇",
        period_key=f"{kind}-{seed}",
        generated_at="2026-12-03T12:00:00+08:00",
        weeks=rows,
    )


def scenarios() -> dict[str, dict[str, Any]]:
    return {
        "week": scenario(1, 1, "week", RedBlackRules()),
        "month": scenario(2, 5, "month", RedBlackRules(rank_by="both")),
        "quarter": scenario(3, 13, "quarter", RedBlackRules()),
        "quarter_period_quota": scenario(
            4, 13, "quarter", RedBlackRules(quota_mode="period", rank_by="unit")
        ),
        "quarter_capped": scenario(5, 13, "quarter", RedBlackRules(max_red=3, max_black=4)),
        "month_no_points": scenario(6, 4, "month", RedBlackRules(points_enabled=False)),
    }


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_snapshots_are_the_stored_ones() -> None:
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for name, snapshot in scenarios().items():
        assert _dump(snapshot) == _dump(stored[name]), name


if __name__ == "__main__":
    GOLDEN.write_text(_dump(scenarios()) + "\n", encoding="utf-8")
