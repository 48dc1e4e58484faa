"""Deadlines and reminders.

Deadline = registration (or reopen) date + tier days in calendar days (ordinary 7,
complex 15, difficult 30 by default).  The deadline day itself is still on time; a case
is overdue from the next day.  The deadline clock runs only while the township itself
holds the case: ``registered``, ``mediating`` and ``unresolved`` (an unresolved case is
stuck at the township until it is referred, escalated or reopened).  Referred and
escalated cases are with another body, resolved/closed cases are done; those are never
"overdue" (the brief still lists referred/escalated cases with their days past deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.cases.rules.state import CaseState
from bot.cases.rules.vocabulary import (
    DEADLINE_STATUSES,
    DEFAULT_FOLLOWUP_AFTER_DAYS,
    OPEN_STATUSES,
    Status,
)


def _check_non_negative(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must be >= 0")


def is_overdue(case: CaseState, today: date) -> bool:
    """Deadline passed (today > deadline) while the township still holds the case."""
    return case.status in DEADLINE_STATUSES and today > case.deadline


def days_overdue(case: CaseState, today: date) -> int:
    """Days past the deadline for an overdue case, else 0."""
    return (today - case.deadline).days if is_overdue(case, today) else 0


def days_past_deadline(case: CaseState, today: date) -> int:
    """Days past the deadline for any open case (including referred/escalated), else 0."""
    if case.status not in OPEN_STATUSES:
        return 0
    return max(0, (today - case.deadline).days)


def due_soon(case: CaseState, today: date, within_days: int = 2) -> bool:
    """Not yet overdue but the deadline is today or within ``within_days`` days."""
    _check_non_negative("within_days", within_days)
    return case.status in DEADLINE_STATUSES and 0 <= (case.deadline - today).days <= within_days


def followup_due(
    case: CaseState, today: date, after_days: int = DEFAULT_FOLLOWUP_AFTER_DAYS
) -> bool:
    """Resolved, no 回访 yet, and at least ``after_days`` days since the resolution."""
    _check_non_negative("after_days", after_days)
    return (
        case.status is Status.RESOLVED
        and case.resolved_on is not None
        and (today - case.resolved_on).days >= after_days
    )


def escalation_due(case: CaseState, today: date, overdue_days_threshold: int) -> bool:
    """Overdue by at least ``overdue_days_threshold`` days (0 means: as soon as overdue)."""
    _check_non_negative("overdue_days_threshold", overdue_days_threshold)
    return is_overdue(case, today) and days_overdue(case, today) >= overdue_days_threshold


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATION_DUE = "escalation_due"
    FOLLOWUP_DUE = "followup_due"


@dataclass(frozen=True)
class ReminderDays:
    """When reminders start: days before the deadline, days overdue before the secretaries
    are told, days after an agreement before the 回访 is due."""

    due_soon: int
    escalation_after: int
    followup_after: int


def reminder_for(
    case: CaseState, today: date, days: ReminderDays
) -> tuple[ReminderKind, int] | None:
    """The one reminder a case gets today, with its days (to the deadline, overdue, or since
    the agreement): escalation beats overdue; due soon and follow-up otherwise."""
    if escalation_due(case, today, days.escalation_after):
        return ReminderKind.ESCALATION_DUE, days_overdue(case, today)
    if is_overdue(case, today):
        return ReminderKind.OVERDUE, days_overdue(case, today)
    if due_soon(case, today, days.due_soon):
        return ReminderKind.DUE_SOON, (case.deadline - today).days
    if followup_due(case, today, days.followup_after):
        return ReminderKind.FOLLOWUP_DUE, (today - (case.resolved_on or today)).days
    return None
