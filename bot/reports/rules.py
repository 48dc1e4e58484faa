"""Pure rules of the Friday report (周五交账): its status for a week, and the 问题与需求
section split into items for the Monday agenda. No Telegram, no database, no clock.

Report status of one cadre for one week:

* ``exempt``: nothing is due — the week has no workday, or every workday of the cadre is
  covered by approved leave / official duty (a report submitted anyway keeps its own
  status, on_time or late);
* ``on_time``: first submitted at or before the deadline (edits before the deadline keep
  it on time);
* ``late``: first submitted after the deadline (accepted and flagged);
* ``missing``: not submitted and the deadline has passed;
* ``pending``: not submitted yet, deadline still ahead (never shown on a list).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from bot.week.rules import ReportWindow

__all__ = [
    "WeekReportStatus",
    "find_village",
    "judged_report_status",
    "report_status",
    "split_items",
]

WeekReportStatus = Literal["on_time", "late", "missing", "pending", "exempt"]

# Lines meaning "nothing to raise".
_NOTHING = {"无", "暂无", "没有", "无。", "暂无。", "none", "n/a", "-", "—"}
_BULLET = re.compile(r"^\s*(?:[-*•·●▪]|\d{1,2}\s*[.、)）]|[（(]\d{1,2}[)）])\s*")


def report_status(
    window: ReportWindow | None,
    first_submitted_at: datetime | None,
    now: datetime,
    fully_exempt: bool,
) -> WeekReportStatus:
    late = (
        first_submitted_at is not None and window is not None and window.is_late(first_submitted_at)
    )
    return judged_report_status(window, first_submitted_at is not None, late, now, fully_exempt)


def judged_report_status(
    window: ReportWindow | None,
    submitted: bool,
    late: bool,
    now: datetime,
    fully_exempt: bool,
) -> WeekReportStatus:
    """`report_status` once the lateness is known (the lists judge it in SQL): ``late`` is
    whether the first submission came after the window's deadline."""
    if submitted:
        return "late" if late and window is not None else "on_time"
    if window is None or fully_exempt:
        return "exempt"
    return "missing" if now > window.deadline else "pending"


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
