"""The brief for the 政法联席会议: open cases the joint meeting should hear about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.cases.rules.deadlines import days_past_deadline, is_overdue
from bot.cases.rules.numbers import case_number_sort_key
from bot.cases.rules.state import CaseState
from bot.cases.rules.vocabulary import OPEN_STATUSES, TIER_RANK, Status, Tier

BRIEF_REASON_DIFFICULT: Final = "difficult"
BRIEF_REASON_OVERDUE: Final = "overdue"
BRIEF_REASON_REFERRED: Final = "referred"
BRIEF_REASON_ESCALATED: Final = "escalated"


@dataclass(frozen=True)
class BriefItem:
    case: CaseState
    reasons: tuple[str, ...]
    days_past_deadline: int


def select_for_brief(cases: Iterable[CaseState], today: date) -> list[BriefItem]:
    """Open cases for the joint meeting: difficult tier, overdue, referred or escalated.

    Sorted by days past deadline (most first; referred/escalated cases count their days
    past the original deadline too), then tier (difficult first), then registration date
    (oldest first), then case number.
    """
    items: list[BriefItem] = []
    for case in cases:
        if case.status not in OPEN_STATUSES:
            continue
        reasons: list[str] = []
        if case.tier is Tier.DIFFICULT:
            reasons.append(BRIEF_REASON_DIFFICULT)
        if is_overdue(case, today):
            reasons.append(BRIEF_REASON_OVERDUE)
        if case.status is Status.REFERRED:
            reasons.append(BRIEF_REASON_REFERRED)
        if case.status is Status.ESCALATED:
            reasons.append(BRIEF_REASON_ESCALATED)
        if reasons:
            items.append(BriefItem(case, tuple(reasons), days_past_deadline(case, today)))
    items.sort(
        key=lambda item: (
            -item.days_past_deadline,
            -TIER_RANK[item.case.tier],
            item.case.registered_on,
            case_number_sort_key(item.case.number),
        )
    )
    return items
