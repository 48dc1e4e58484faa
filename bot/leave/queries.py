"""Queries of leave and official duty (请假 / 公务外出): requests, decisions, withdrawals,
and who is away when. Every function takes an `AsyncSession`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.members import audit
from bot.core.models import (
    LeaveRequest,
    LeaveStatus,
    Member,
)
from bot.leave.rules import Withdrawal, withdrawal
from bot.week.quota import ExemptKind, ExemptSpan


@dataclass(frozen=True)
class LeaveRow:
    id: int
    member_id: int
    member_name: str
    township_id: int
    kind: str
    start: date
    end: date
    reason: str
    status: str
    decided_by: int | None

    @property
    def span(self) -> ExemptSpan:
        kind: ExemptKind = "official_duty" if self.kind == "official_duty" else "leave"
        return ExemptSpan(self.start, self.end, kind, self.reason)


async def _leave_rows(session: AsyncSession, *conditions: Any) -> list[LeaveRow]:
    rows = await session.execute(
        select(LeaveRequest, Member.display_name)
        .join(Member, Member.id == LeaveRequest.member_id)
        .where(*conditions)
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
    return [
        LeaveRow(
            id=r.id,
            member_id=r.member_id,
            member_name=name,
            township_id=r.township_id,
            kind=r.kind,
            start=r.start_date,
            end=r.end_date,
            reason=r.reason,
            status=r.status,
            decided_by=r.decided_by,
        )
        for r, name in rows
    ]


async def leave_row(session: AsyncSession, leave_id: int) -> LeaveRow | None:
    rows = await _leave_rows(session, LeaveRequest.id == leave_id)
    return rows[0] if rows else None


async def create_leave(
    session: AsyncSession,
    *,
    member_id: int,
    township_id: int,
    kind: str,
    start: date,
    end: date,
    reason: str,
    requested_by: int,
    now: datetime,
    approved: bool = False,
) -> int:
    """A pending request, or (`approved`, recorded by a secretary) an approved one."""
    leave = LeaveRequest(
        member_id=member_id,
        township_id=township_id,
        kind=kind,
        start_date=start,
        end_date=end,
        reason=reason,
        status=LeaveStatus.APPROVED if approved else LeaveStatus.PENDING,
        requested_by=requested_by,
        decided_by=requested_by if approved else None,
        decided_at=now if approved else None,
        created_at=now,
    )
    session.add(leave)
    await session.flush()
    await audit(
        session,
        at=now,
        action="leave.record" if approved else "leave.request",
        entity="leave_request",
        entity_id=leave.id,
        actor_member_id=requested_by,
        township_id=township_id,
        details={
            "member_id": member_id,
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    return leave.id


async def decide_leave(
    session: AsyncSession,
    leave_id: int,
    *,
    approve: bool,
    decided_by: int,
    township_id: int,
    now: datetime,
) -> bool:
    """Approve or reject a pending request of `township_id`, atomically: False when it was
    already decided (by anyone) or belongs to another township."""
    result = await session.execute(
        update(LeaveRequest)
        .where(
            LeaveRequest.id == leave_id,
            LeaveRequest.township_id == township_id,
            LeaveRequest.status == LeaveStatus.PENDING,
        )
        .values(
            status=LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED,
            decided_by=decided_by,
            decided_at=now,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await audit(
        session,
        at=now,
        action="leave.approve" if approve else "leave.reject",
        entity="leave_request",
        entity_id=leave_id,
        actor_member_id=decided_by,
        township_id=township_id,
    )
    return True


async def open_leaves(
    session: AsyncSession, member_id: int, township_id: int, today: date
) -> list[LeaveRow]:
    """The member's pending and approved requests in the township that have not ended by
    `today`: what they may still withdraw."""
    return await _leave_rows(
        session,
        LeaveRequest.member_id == member_id,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status.in_([LeaveStatus.PENDING, LeaveStatus.APPROVED]),
        LeaveRequest.end_date >= today,
    )


async def township_approved_leaves(
    session: AsyncSession, township_id: int, today: date
) -> list[LeaveRow]:
    """The township's approved leave and official duty that has not ended by `today`: what a
    secretary may cancel or end early on a cadre's behalf."""
    return await _leave_rows(
        session,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status == LeaveStatus.APPROVED,
        LeaveRequest.end_date >= today,
    )


WithdrawOutcome = Literal["withdrawn", "shortened"]


async def withdraw_leave(
    session: AsyncSession,
    leave_id: int,
    *,
    member_id: int,
    today: date,
    now: datetime,
    by: int | None = None,
) -> WithdrawOutcome | None:
    """`member_id`'s request is taken back, by the member or (`by`, audited as the actor) by a
    secretary on their behalf. A pending one, or an approved one that has not started, is
    withdrawn; an approved one under way ends yesterday (the days already taken stay
    exempt). None when it is not `member_id`'s, already decided against, or over. Whether
    `by` may act for the member is the caller's check."""
    row = await session.get(LeaveRequest, leave_id, with_for_update=True)
    if (
        row is None
        or row.member_id != member_id
        or row.status not in (LeaveStatus.PENDING, LeaveStatus.APPROVED)
        or row.end_date < today
    ):
        return None
    before = {
        "status": row.status,
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat(),
    }
    outcome: WithdrawOutcome
    if withdrawal(row.status, row.start_date, today) is Withdrawal.WITHDRAW:
        row.status = LeaveStatus.WITHDRAWN
        outcome = "withdrawn"
    else:
        row.end_date = today - timedelta(days=1)
        outcome = "shortened"
    await audit(
        session,
        at=now,
        action=f"leave.{'withdraw' if outcome == 'withdrawn' else 'shorten'}",
        entity="leave_request",
        entity_id=leave_id,
        actor_member_id=member_id if by is None else by,
        township_id=row.township_id,
        details={
            "member_id": member_id,
            "before": before,
            "after": {"status": row.status, "end": row.end_date.isoformat()},
        },
    )
    await session.flush()
    return outcome


async def overlapping_leave(
    session: AsyncSession, member_id: int, township_id: int, start: date, end: date
) -> LeaveRow | None:
    """A pending or approved request of the member in the township that overlaps
    [start, end] (leave in another township exempts them only there)."""
    rows = await _leave_rows(
        session,
        LeaveRequest.member_id == member_id,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status.in_([LeaveStatus.PENDING, LeaveStatus.APPROVED]),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )
    return rows[0] if rows else None


async def member_leaves(
    session: AsyncSession, member_id: int, township_id: int, start: date, end: date
) -> list[LeaveRow]:
    """The member's pending and approved requests in the township overlapping [start, end]."""
    return await _leave_rows(
        session,
        LeaveRequest.member_id == member_id,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status.in_([LeaveStatus.PENDING, LeaveStatus.APPROVED]),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )


async def township_leaves(
    session: AsyncSession, township_id: int, start: date, end: date, *, approved_only: bool = True
) -> list[LeaveRow]:
    """Leave / official duty of a township overlapping [start, end] ("who is on leave")."""
    statuses = (
        [LeaveStatus.APPROVED] if approved_only else [LeaveStatus.APPROVED, LeaveStatus.PENDING]
    )
    return await _leave_rows(
        session,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status.in_(statuses),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )
