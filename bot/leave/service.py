"""The units of work of /leave, each inside the caller's transaction: file a request (or
record one as approved), decide one, take one back. Each returns what happened, for the
handlers to render; who may act is checked here."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.db import members as member_db
from bot.core.db.members import Recipient
from bot.core.roles import Role
from bot.leave import queries as leave_db
from bot.leave.flow import Filing
from bot.leave.rules import SpanProblem, span_problem, withdrawable

LeaveRow = leave_db.LeaveRow


def decides(actor: Actor, township_id: int) -> bool:
    """Whether `actor` decides leave in the township: its secretary, or an admin there."""
    return actor.manages(township_id) and (
        actor.has_role(Role.SECRETARY, township_id) or actor.has_role(Role.ADMIN)
    )


async def days_problem(
    session: AsyncSession, member_id: int, township_id: int, start: date, end: date, today: date
) -> SpanProblem | LeaveRow | None:
    """Why these days cannot be asked for: outside the window, too long, or the request of
    the member in the township that they overlap. None when they fit."""
    problem = span_problem(start, end, today)
    if problem is not None:
        return problem
    return await leave_db.overlapping_leave(session, member_id, township_id, start, end)


@dataclass(frozen=True)
class Filed:
    row: LeaveRow
    secretaries: list[Recipient]  # the township's, but not the one who filed it
    cadre: Recipient | None  # the cadre, when a secretary recorded it for them


async def file(
    session: AsyncSession, filing: Filing, by: Actor, *, approved: bool, now: datetime
) -> Filed | LeaveRow:
    """File `filing` as `by`'s request, or record it as approved; a request that overlaps
    what is already there is refused with that one."""
    overlap = await leave_db.overlapping_leave(
        session, filing.member_id, filing.township_id, filing.start, filing.end
    )
    if overlap is not None:
        return overlap
    leave_id = await leave_db.create_leave(
        session,
        member_id=filing.member_id,
        township_id=filing.township_id,
        kind=filing.kind,
        start=filing.start,
        end=filing.end,
        reason=filing.reason,
        requested_by=by.member_id,
        now=now,
        approved=approved,
    )
    row = await leave_db.leave_row(session, leave_id)
    if row is None:
        raise LookupError(leave_id)
    secretaries = await member_db.secretaries_of(session, filing.township_id)
    for_someone_else = approved and filing.member_id != by.member_id
    return Filed(
        row,
        [s for s in secretaries if s.member_id != by.member_id],
        await member_db.contact(session, filing.member_id) if for_someone_else else None,
    )


class Refused(enum.Enum):
    GONE = enum.auto()  # no such request
    NOT_SECRETARY = enum.auto()


@dataclass(frozen=True)
class Decision:
    row: LeaveRow  # as it is now
    decided: bool  # False: it had already been decided, by whoever `decider` is
    decider: str
    cadre: Recipient | None


async def decide(
    session: AsyncSession, leave_id: int, actor: Actor, *, approve: bool, now: datetime
) -> Decision | Refused:
    row = await leave_db.leave_row(session, leave_id)
    if row is None:
        return Refused.GONE
    if not decides(actor, row.township_id):
        return Refused.NOT_SECRETARY
    decided = await leave_db.decide_leave(
        session,
        row.id,
        approve=approve,
        decided_by=actor.member_id,
        township_id=row.township_id,
        now=now,
    )
    fresh = await leave_db.leave_row(session, row.id) or row
    decider = await member_db.contact(session, fresh.decided_by) if fresh.decided_by else None
    cadre = await member_db.contact(session, fresh.member_id) if decided else None
    return Decision(fresh, decided, decider.name if decider else "?", cadre)


@dataclass(frozen=True)
class Target:
    """A request the actor may take back: their own, or one they decide as its secretary."""

    row: LeaveRow
    own: bool


async def target(session: AsyncSession, leave_id: int, actor: Actor) -> Target | None:
    row = await leave_db.leave_row(session, leave_id)
    if row is None:
        return None
    own = row.member_id == actor.member_id
    if not own and not decides(actor, row.township_id):
        return None
    return Target(row, own)


@dataclass(frozen=True)
class Withdrawn:
    before: LeaveRow
    after: LeaveRow
    outcome: leave_db.WithdrawOutcome
    cadre: Recipient | None  # told, when a secretary acted for them
    secretaries: list[Recipient]  # told, but neither the actor nor the cadre


async def withdraw(
    session: AsyncSession, found: Target, actor: Actor, *, today: date, now: datetime
) -> Withdrawn | None:
    """Take the request back (see `bot.leave.rules.withdrawal`); None when it no longer can
    be (decided against, over, or taken back meanwhile)."""
    row = found.row
    if not withdrawable(row.status, row.end, today, own=found.own):
        return None
    outcome = await leave_db.withdraw_leave(
        session, row.id, member_id=row.member_id, today=today, now=now, by=actor.member_id
    )
    after = await leave_db.leave_row(session, row.id)
    if outcome is None or after is None:
        return None
    secretaries = await member_db.secretaries_of(session, row.township_id)
    return Withdrawn(
        row,
        after,
        outcome,
        None if found.own else await member_db.contact(session, row.member_id),
        [s for s in secretaries if s.member_id not in (actor.member_id, row.member_id)],
    )
