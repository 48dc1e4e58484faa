"""Units of work of members management and registration, each in one transaction; the
handlers decode, call one of these and render what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.db import members as member_db
from bot.core.db.members import MemberRow
from bot.core.models import Invite
from bot.core.outbox import enqueue
from bot.core.roles import Role
from bot.core.text import clean_line
from bot.core.turn import MemberTurn, Turn
from bot.members import devices as devices_db
from bot.members import notices
from bot.members import queries as db
from bot.members.flow import JOIN, JoinDraft, JoinStep
from bot.members.guest import GuestTurn
from bot.members.rules import NAME_MAX, Belonging, InviteProblem, RoleChange

JoinTurn = GuestTurn[JoinDraft, JoinStep]


async def managed_townships(turn: MemberTurn) -> list[tuple[int, str]]:
    """The townships the member manages (every one for an admin), as (id, name)."""
    ids = None if turn.actor.is_admin else turn.actor.township_ids(Role.SECRETARY)
    async with turn.svc.transaction() as session:
        return [(t.id, t.name) for t in await member_db.townships(session, ids)]


def township_name(turn: Turn, township_id: int) -> str:
    info = turn.svc.directory.township(township_id)
    return info.name if info is not None else ""


async def members_of(turn: MemberTurn, township_id: int) -> list[MemberRow]:
    async with turn.svc.transaction() as session:
        return await member_db.members_of(session, township_id)


async def member_row(turn: MemberTurn, township_id: int, member_id: int) -> MemberRow | None:
    rows = await members_of(turn, township_id)
    return next((r for r in rows if r.member_id == member_id), None)


async def invite(turn: MemberTurn, township_id: int, role: str) -> str:
    """A single-use invitation to the township with exactly `role`; its token."""
    async with turn.svc.transaction() as session:
        return await db.create_invite(
            session,
            township_id=township_id,
            role=role,
            now=turn.now,
            valid_for=timedelta(hours=turn.svc.settings.invites.valid_hours),
            created_by=turn.actor.member_id,
        )


async def change_role(
    turn: MemberTurn, township_id: int, member_id: int, role: Role
) -> tuple[RoleChange, Actor | None] | None:
    """Give or take `role`; None when the member is not the township's. Also returns the
    member as they are now, for their command menu."""
    actor = turn.actor
    if member_id == actor.member_id and role == Role.SECRETARY and not actor.is_admin:
        return RoleChange.OWN_SECRETARY, None
    async with turn.svc.transaction() as session:
        if await db.member_in_township(session, member_id, township_id) is None:
            return None
        holds = await db.toggle_role(
            session, member_id, township_id, role, actor=actor, now=turn.now
        )
        target = await member_db.actor_by_member_id(session, member_id)
        if holds is not None and target is not None:
            told = notices.member_changed(
                turn, target, township_name(turn, township_id), role=role, holds=holds
            )
            await enqueue(session, [told], turn.now)
    if holds is None:
        return RoleChange.LAST, None
    return (RoleChange.GRANTED if holds else RoleChange.REMOVED), target


async def change_active(
    turn: MemberTurn, township_id: int, member_id: int, active: bool
) -> Actor | None:
    async with turn.svc.transaction() as session:
        if await db.member_in_township(session, member_id, township_id) is None:
            return None
        await db.set_active(
            session, member_id, active, actor=turn.actor, township_id=township_id, now=turn.now
        )
        target = await member_db.actor_by_member_id(session, member_id)
        if target is not None:
            told = notices.member_changed(
                turn, target, township_name(turn, township_id), role=None, holds=active
            )
            await enqueue(session, [told], turn.now)
        return target


@dataclass(frozen=True)
class Assignment:
    name: str
    villages: list[tuple[int, str]]
    assigned: set[int]


async def assignment(turn: MemberTurn, township_id: int, member_id: int) -> Assignment | None:
    async with turn.svc.transaction() as session:
        member = await db.member_in_township(session, member_id, township_id)
        if member is None:
            return None
        villages = await member_db.villages_of(session, township_id)
        assigned = await member_db.assigned_village_ids(session, member_id)
    return Assignment(member.display_name, [(v.id, v.name) for v in villages], assigned)


async def toggle_assignment(
    turn: MemberTurn, township_id: int, member_id: int, village_id: int
) -> bool:
    """Assign or remove a village of the township; False when it is not one of its
    villages in use."""
    async with turn.svc.transaction() as session:
        villages = {v.id for v in await member_db.villages_of(session, township_id)}
        if village_id not in villages:
            return False
        await db.toggle_village(
            session, member_id, village_id, actor=turn.actor, township_id=township_id, now=turn.now
        )
    return True


# --- registration -------------------------------------------------------------------------


def problem_of(turn: Turn, invite: Invite | None) -> InviteProblem | None:
    if invite is None:
        return InviteProblem.INVALID
    if invite.used_at is not None:
        return InviteProblem.USED
    if invite.expires_at <= turn.now:
        return InviteProblem.EXPIRED
    return None


@dataclass(frozen=True)
class Opened:
    """An invitation on its confirmation card."""

    ctx: JoinTurn
    info: db.InviteInfo
    belonging: Belonging


async def open_invitation(turn: Turn, token: str) -> Opened | InviteProblem:
    """/start with an invitation: the registration starts at its confirmation card, with
    the person's name (as colleagues know it, if they are a member already) and the other
    townships they belong to."""
    user = turn.update.effective_user
    async with turn.svc.transaction() as session:
        invite = await db.find_invite(session, token)
        problem = problem_of(turn, invite)
        if problem is not None or invite is None:
            return problem or InviteProblem.INVALID
        name = clean_line(user.full_name if user else "")[:NAME_MAX] or str(turn.user_id)
        if turn.actor is not None:
            name = turn.actor.name
        ctx = await JOIN.start(
            turn, session, JoinStep.CONFIRM, JoinDraft(invite_id=invite.id, name=name)
        )
        return await _opened(turn, session, ctx, invite)


async def _opened(turn: Turn, session: AsyncSession, ctx: JoinTurn, invite: Invite) -> Opened:
    info = await db.invite_info(session, invite)
    others = await db.township_names_of(session, turn.user_id, info.township_id)
    return Opened(ctx, info, Belonging(info.township, others))


async def ask_name(ctx: JoinTurn) -> None:
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session, JoinStep.NAME)


async def retype_name(ctx: JoinTurn, name: str) -> Opened | InviteProblem:
    """A typed name: back to the confirmation card with it, while the invitation holds."""
    async with ctx.turn.svc.transaction() as session:
        invite = await session.get(Invite, ctx.draft.invite_id)
        problem = problem_of(ctx.turn, invite)
        if problem is not None or invite is None:
            await ctx.turn.clear_state(session)
            return problem or InviteProblem.INVALID
        await ctx.save(session, JoinStep.CONFIRM, ctx.draft.model_copy(update={"name": name}))
        return await _opened(ctx.turn, session, ctx, invite)


@dataclass(frozen=True)
class Joined:
    actor: Actor
    belonging: Belonging


async def join(ctx: JoinTurn) -> Joined | InviteProblem | None:
    """Use the invitation: the person becomes a member with exactly its role, and the
    township's secretaries are told at once. None when the card is old; a problem when the
    invitation was used or expired meanwhile (nothing is saved then)."""
    turn = ctx.turn
    async with turn.svc.transaction() as session:
        invite = await session.get(Invite, ctx.draft.invite_id)
        if invite is None:
            await ctx.end(session)
            return InviteProblem.INVALID
        info = await db.invite_info(session, invite)
        others = await db.township_names_of(session, turn.user_id, info.township_id)
        if not await ctx.end(session):
            return None
        actor = await db.redeem_invite(
            session,
            invite_id=invite.id,
            telegram_user_id=turn.user_id,
            name=ctx.draft.name,
            language=turn.lang,
            now=turn.now,
        )
        if actor is None:
            await session.refresh(invite)
            return problem_of(turn, invite) or InviteProblem.INVALID
        told = await notices.registered(turn, session, actor.member_id, actor.name, info)
        await enqueue(session, told, turn.now)
    await turn.send_queued()
    return Joined(actor, Belonging(info.township, others))


async def devices(
    turn: MemberTurn, township_id: int, member_id: int
) -> tuple[str, list[devices_db.Device]] | None:
    """The member's name and the devices signed in to the web chat; None when the member is
    not the township's."""
    async with turn.svc.transaction() as session:
        member = await db.member_in_township(session, member_id, township_id)
        if member is None:
            return None
        return member.display_name, await devices_db.devices_of(session, member_id, turn.now)


async def revoke_device(
    turn: MemberTurn, township_id: int, member_id: int, device_id: int
) -> bool | None:
    """Sign the device out; None when the member is not the township's."""
    async with turn.svc.transaction() as session:
        if await db.member_in_township(session, member_id, township_id) is None:
            return None
        return await devices_db.revoke(
            session,
            member_id,
            device_id,
            actor_member_id=turn.actor.member_id,
            township_id=township_id,
            now=turn.now,
        )
