"""What other features and the ledger's figures read of a township's cases: the /disputes
figures, the brief, the reminders, and each member's case work. Case numbers and villages
only: nothing here carries a party's name or phone number.

Times: every `today` is the township's local date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import rules
from bot.cases.queries import CaseSummary, case_summaries
from bot.cases.rules import MemberCaseFigures, ReminderDays, ReminderKind, Status
from bot.core.config import Settings
from bot.core.models import DisputeCase, FieldVisit


async def screenings_count(session: AsyncSession, township_id: int, start: date, end: date) -> int:
    """Dispute screenings (矛盾纠纷排查) logged in visit logs within [start, end]: the sum of
    each (not deleted) visit's screening count."""
    total = await session.scalar(
        select(func.coalesce(func.sum(FieldVisit.dispute_screenings), 0)).where(
            FieldVisit.township_id == township_id,
            FieldVisit.visit_date >= start,
            FieldVisit.visit_date <= end,
            FieldVisit.deleted_at.is_(None),
        )
    )
    return int(total or 0)


async def dispute_figures(
    session: AsyncSession, township_id: int, start: date, end: date, today: date
) -> rules.DisputeStats:
    """The /disputes figures for one township and period (see rules.STAT_DEFINITIONS)."""
    cases = await case_summaries(session, township_id, relevant_since=start)
    screened = await screenings_count(session, township_id, start, end)
    return rules.dispute_stats(
        [c.state for c in cases], start, end, today, screenings_count=screened
    )


async def brief_items(
    session: AsyncSession, township_id: int, today: date
) -> list[tuple[CaseSummary, rules.BriefItem]]:
    """Open cases for the 政法联席会议: difficult, overdue, referred or escalated."""
    cases = await case_summaries(session, township_id, statuses=rules.OPEN_STATUSES)
    by_number = {c.number: c for c in cases}
    return [
        (by_number[item.case.number], item)
        for item in rules.select_for_brief([c.state for c in cases], today)
    ]


@dataclass(frozen=True)
class CaseReminder:
    """One thing the scheduler should nag about. `days`: days to the deadline (due soon),
    days overdue (overdue, escalation due) or days since the agreement (follow-up due)."""

    case_id: int
    township_id: int
    number: str
    village: str
    kind: ReminderKind
    days: int
    deadline: date
    opened_by: int
    mediator_id: int | None


async def reminders_due(
    session: AsyncSession,
    township_id: int,
    today: date,
    settings: Settings,
) -> list[CaseReminder]:
    """Reminders for one township on `today` (its local date); one per case at most."""
    cfg = settings.cases
    days = ReminderDays(cfg.due_soon_days, cfg.escalation_after_days, cfg.followup_after_days)
    cases = await case_summaries(
        session, township_id, statuses=[*rules.DEADLINE_STATUSES, Status.RESOLVED]
    )
    result: list[CaseReminder] = []
    for case in cases:
        s = case.state
        due = rules.reminder_for(s, today, days)
        if due is not None:
            result.append(
                CaseReminder(
                    case.id,
                    township_id,
                    s.number,
                    s.village,
                    due[0],
                    due[1],
                    s.deadline,
                    s.opened_by,
                    s.mediator_id,
                )
            )
    return result


async def member_case_figures(
    session: AsyncSession, township_id: int, start: date, end: date, today: date
) -> dict[int, MemberCaseFigures]:
    cases = await case_summaries(session, township_id, relevant_since=start)
    return rules.member_figures([c.state for c in cases], start, end, today)


async def count_cases(session: AsyncSession, township_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(DisputeCase)
            .where(DisputeCase.township_id == township_id)
        )
        or 0
    )
