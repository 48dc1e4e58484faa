"""擂台赛 standings of key work items (重点工作). Pure: ranks items by their latest progress.

Competition ranking ("1, 1, 3") by latest percent descending; ties are stated. Items without
any progress rank last with 0 %. Display order within a tie: title, then id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ArenaItem", "ArenaRow", "standings"]


@dataclass(frozen=True)
class ArenaItem:
    item_id: int
    title: str
    target: str
    owners: tuple[str, ...]
    percent: int  # latest reported progress, 0-100
    updated_at: datetime | None
    note: str


@dataclass(frozen=True)
class ArenaRow:
    rank: int
    tied: bool
    item: ArenaItem


def standings(items: list[ArenaItem]) -> list[ArenaRow]:
    for item in items:
        if not 0 <= item.percent <= 100:
            raise ValueError(f"percent out of range for item {item.item_id}: {item.percent}")
    ordered = sorted(items, key=lambda i: (-i.percent, i.title, i.item_id))
    rows: list[ArenaRow] = []
    for i, item in enumerate(ordered):
        same_prev = i > 0 and ordered[i - 1].percent == item.percent
        same_next = i + 1 < len(ordered) and ordered[i + 1].percent == item.percent
        rank = rows[i - 1].rank if same_prev else i + 1
        rows.append(ArenaRow(rank, same_prev or same_next, item))
    return rows
