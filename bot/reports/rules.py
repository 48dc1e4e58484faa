"""Pure rules of the Friday report (周五交账): the 问题与需求 section split into items for
the Monday agenda, and the village each item is about. A report's status for a week (on
time, late, missing) is the cadre week's rule: `bot.week.rules.report_status`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["find_village", "split_items"]

# Lines meaning "nothing to raise".
_NOTHING = {"无", "暂无", "没有", "无。", "暂无。", "none", "n/a", "-", "—"}
_BULLET = re.compile(r"^\s*(?:[-*•·●▪]|\d{1,2}\s*[.、)）]|[（(]\d{1,2}[)）])\s*")


def split_items(text: str, max_items: int = 30) -> list[str]:
    """Each non-empty line is one item; bullets and numbering are removed; lines meaning
    "none" are dropped."""
    items: list[str] = []
    for line in text.splitlines():
        item = _BULLET.sub("", line).strip()
        if item and item.lower() not in _NOTHING:
            items.append(item)
    return items[:max_items]


def find_village(item: str, village_names: Sequence[str]) -> str | None:
    """The village an item is about: the longest village name it mentions (so 东岭村 wins
    over a shorter name it contains), or None."""
    mentioned = [name for name in village_names if name and name in item]
    return max(mentioned, key=len) if mentioned else None
