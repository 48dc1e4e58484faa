"""擂台赛 standings of key work items (重点工作). Pure: ranks items by their latest progress.

Competition ranking ("1, 1, 3") by latest percent descending; ties are stated. Items without
any progress rank last with 0 %. Display order within a tie: title, then id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.core.numerals import arabic

__all__ = ["ArenaItem", "ArenaRow", "no_target", "parse_progress", "standings"]

# A typed progress: the whole number it starts with (60, ６０, 六十, 百分之六十, 60%, 60％),
# then the note. A number that goes on (1000, 60.5, 60,5) is not cut short to its first digits.
_PERCENT_WORD = re.compile(r"^百分之\s*")
_PROGRESS = re.compile(r"([0-9]+)(?![0-9.,])\s*%?\s*(.*)", re.S)
_LEADING_NUMERALS = re.compile(r"[〇零一二两三四五六七八九十百]+")


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


# What a secretary types for "no target", with any punctuation after it: -, —, －, 无, 没有…
_NO_TARGET = re.compile(r"(?:[-—–―]+|无|没有|暂无|none|no)[。.!！]*", re.IGNORECASE)


def no_target(text: str) -> bool:
    """Whether a typed target says there is none."""
    return _NO_TARGET.fullmatch(unicodedata.normalize("NFKC", text).strip()) is not None


def parse_progress(text: str) -> tuple[int, str] | None:
    """The percentage (0-100) and the note a typed progress starts with, or None when it
    does not start with a whole number from 0 to 100."""
    text = _PERCENT_WORD.sub("", unicodedata.normalize("NFKC", text).strip(), count=1)
    # Chinese numerals only where the number is: the note keeps its own words (完成三个).
    if numerals := _LEADING_NUMERALS.match(text):
        text = arabic(numerals[0]) + text[numerals.end() :]
    match = _PROGRESS.fullmatch(text)
    if match is None or len(match[1]) > 3 or not 0 <= int(match[1]) <= 100:
        return None
    return int(match[1]), match[2].strip()


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
