"""Pure rules of the Friday report (周五交账): when a report can still change or be submitted,
how typed text goes into a section, the 问题与需求 section split into items for the Monday
agenda, and the village each item is about. A report's status for a week (on time, late,
missing) is the cadre week's rule: `bot.week.deadline.report_status`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.week.deadline import ReportWindow

__all__ = [
    "Card",
    "Mode",
    "Phase",
    "Refusal",
    "can_edit",
    "card",
    "combine",
    "find_village",
    "split_items",
    "submit_refusal",
]


class Mode(enum.StrEnum):
    """How the next message goes into a section."""

    REPLACE = "replace"  # the next message replaces the text, later ones are added to it
    APPEND = "append"  # every message is added at the end


class Phase(enum.StrEnum):
    """Where the week's report stands against its window (the card's window line)."""

    NOT_DUE = "not_due"  # the week has no report due
    CLOSED = "closed"  # submitted, and the deadline has passed: no more changes
    NOT_OPEN = "not_open"  # a draft only, submission opens later
    OPEN = "open"  # in the window, before the deadline
    LATE = "late"  # past the deadline, never submitted: a submission is recorded as late


class Refusal(enum.StrEnum):
    """Why a submission is refused."""

    CLOSED = "closed"
    NOT_OPEN = "not_open"
    EMPTY = "empty"


@dataclass(frozen=True)
class Card:
    """What the report card offers."""

    phase: Phase
    editable: bool
    changed: bool  # the draft differs from the last submitted revision
    can_submit: bool


def can_edit(
    window: ReportWindow | None, first_submitted_at: datetime | None, now: datetime
) -> bool:
    """A report can change until the deadline has passed; one never submitted can always be
    written (a first submission after the deadline is taken, recorded as late)."""
    if first_submitted_at is None:
        return True
    return window is not None and not window.is_past(now)


def _text(sections: Mapping[str, object], name: str) -> str:
    return str(sections.get(name, ""))


def card(
    window: ReportWindow | None,
    first_submitted_at: datetime | None,
    draft: Mapping[str, object],
    latest: Mapping[str, object] | None,
    sections: Sequence[str],
    now: datetime,
) -> Card:
    """The card of a report whose last submitted revision holds `latest` (None: never)."""
    editable = can_edit(window, first_submitted_at, now)
    changed = latest is not None and any(_text(latest, n) != _text(draft, n) for n in sections)
    if window is None:
        phase = Phase.NOT_DUE
    elif not editable:
        phase = Phase.CLOSED
    elif now < window.opens_at:
        phase = Phase.NOT_OPEN
    elif window.is_past(now):
        phase = Phase.LATE
    else:
        phase = Phase.OPEN
    can_submit = phase in (Phase.OPEN, Phase.LATE) and (first_submitted_at is None or changed)
    return Card(phase, editable, changed, can_submit)


def submit_refusal(
    window: ReportWindow | None,
    first_submitted_at: datetime | None,
    draft: Mapping[str, object],
    sections: Sequence[str],
    now: datetime,
) -> Refusal | None:
    """Why the draft cannot be submitted now, or None when it can."""
    if not can_edit(window, first_submitted_at, now):
        return Refusal.CLOSED
    if window is not None and now < window.opens_at:
        return Refusal.NOT_OPEN
    if not any(_text(draft, n).strip() for n in sections):
        return Refusal.EMPTY
    return None


def combine(current: str, text: str, *, replace: bool) -> str:
    """A section's text once `text` is added (or replaces it), one message a line."""
    return text if replace or not current else f"{current}\n{text}"


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
