"""Units of work of a township managed in chat, each in one transaction: its villages and
its group. After a change this process reloads its directory at once; the others see the
township's revision move (`bot.core.db.directory`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from telegram import Chat, User

from bot.core.db import members as member_db
from bot.core.outbox import enqueue
from bot.core.roles import Role
from bot.core.turn import MemberTurn, Turn
from bot.members import notices
from bot.members import township_queries as db
from bot.members.flow import VILLAGE, VillageDraft, VillageStep
from bot.members.rules import VillageNameProblem, village_name_problem
from bot.members.township_queries import TownshipGroup, VillageRow
from bot.members.township_views import VillageTurn


async def villages(turn: MemberTurn, township_id: int) -> list[VillageRow]:
    async with turn.svc.transaction() as session:
        return await db.all_villages(session, township_id)


async def village(turn: MemberTurn, township_id: int, village_id: int) -> VillageRow | None:
    async with turn.svc.transaction() as session:
        return await db.village_in(session, township_id, village_id)


async def start_adding(turn: MemberTurn, township_id: int) -> VillageTurn:
    """Ask for a new village's name."""
    async with turn.svc.transaction() as session:
        draft = VillageDraft(township_id=township_id)
        return await VILLAGE.start(turn, session, VillageStep.NAME, draft)


async def start_edit(
    turn: MemberTurn, township_id: int, village_id: int, step: VillageStep
) -> tuple[VillageTurn, VillageRow] | None:
    """Ask for a village's new name or its point; None when it is not the township's."""
    async with turn.svc.transaction() as session:
        row = await db.village_in(session, township_id, village_id)
        if row is None:
            return None
        draft = VillageDraft(township_id=township_id, village_id=village_id)
        return await VILLAGE.start(turn, session, step, draft), row


@dataclass(frozen=True)
class NameRefused:
    problem: VillageNameProblem
    other: VillageRow | None


async def name_village(ctx: VillageTurn, name: str) -> VillageRow | NameRefused | None:
    """Add the village, or rename the draft's one; refused (nothing saved, the question
    stays) when the name cannot be used; None when the village is gone from the township."""
    turn, draft = ctx.turn, ctx.draft
    async with turn.svc.transaction() as session:
        rows = await db.all_villages(session, draft.township_id)
        if draft.village_id is not None and all(r.id != draft.village_id for r in rows):
            await ctx.end(session)
            return None
        found = village_name_problem(name, [r.existing() for r in rows], draft.village_id)
        if found is not None:
            problem, other = found
            return NameRefused(problem, next((r for r in rows if other and r.id == other.id), None))
        if draft.village_id is None:
            row = await db.add_village(
                session, draft.township_id, name, actor_member_id=turn.actor.member_id, now=turn.now
            )
        else:
            renamed = await db.rename_village(
                session,
                draft.township_id,
                draft.village_id,
                name,
                actor_member_id=turn.actor.member_id,
                now=turn.now,
            )
            assert renamed is not None  # checked above, in this transaction
            row = renamed
        await ctx.end(session)
    await turn.svc.reload_directory()
    return row


async def place_village(ctx: VillageTurn, lat: float, lon: float) -> VillageRow | None:
    turn, draft = ctx.turn, ctx.draft
    if draft.village_id is None:
        return None
    async with turn.svc.transaction() as session:
        row = await db.set_village_point(
            session,
            draft.township_id,
            draft.village_id,
            lat,
            lon,
            actor_member_id=turn.actor.member_id,
            now=turn.now,
        )
        await ctx.end(session)
    await turn.svc.reload_directory()
    return row


async def cancel_edit(ctx: VillageTurn) -> VillageRow | bool | None:
    """End the question; the village it was about (None for a new one), or False when the
    card was old."""
    async with ctx.turn.svc.transaction() as session:
        if not await ctx.end(session):
            return False
        if ctx.draft.village_id is None:
            return None
        return await db.village_in(session, ctx.draft.township_id, ctx.draft.village_id)


class Use(enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"


async def use_village(
    turn: MemberTurn, township_id: int, village_id: int, active: bool
) -> tuple[Use, VillageRow] | None:
    """Retire or restore; None when the village is not the township's."""
    async with turn.svc.transaction() as session:
        before = await db.village_in(session, township_id, village_id)
        if before is None:
            return None
        row = await db.set_village_active(
            session,
            township_id,
            village_id,
            active,
            actor_member_id=turn.actor.member_id,
            now=turn.now,
        )
    assert row is not None
    if before.active == active:
        return Use.UNCHANGED, row
    await turn.svc.reload_directory()
    return Use.CHANGED, row


# --- the township group -------------------------------------------------------------------


async def bot_added(turn: Turn, chat: Chat, by: User, key: str) -> bool:
    """The bot was added to a group by `by`. The secretaries of the townships `by` manages
    (every township for an admin), else of those `by` belongs to, are told privately, with
    a button to make it their township group; an admin who added it is offered it too.
    False when `by` is nobody the bot knows (nobody is told)."""
    actor = turn.actor
    if actor is None or not actor.active or not actor.grants:
        return False
    managed = None if actor.is_admin else actor.township_ids(Role.SECRETARY)
    if managed is not None and not managed:
        managed = actor.township_ids()
    who = actor.name
    title = chat.title or ""
    async with turn.svc.transaction() as session:
        townships = await db.groups_of(session, managed)
        offers: dict[int, tuple[member_db.Recipient, list[notices.Offer]]] = {}
        for township in townships:
            people = await member_db.recipients(session, township.township_id, Role.SECRETARY)
            if actor.manages(township.township_id):
                people.append(
                    member_db.Recipient(
                        actor.member_id, actor.telegram_user_id, actor.name, actor.language
                    )
                )
            for person in people:
                _, listed = offers.setdefault(person.member_id, (person, []))
                if all(o.township.township_id != township.township_id for o in listed):
                    listed.append(notices.Offer(township, chat.id))
        told = [
            notices.group_offer(turn, person, listed, who, title, key)
            for person, listed in offers.values()
        ]
        await enqueue(session, told, turn.now)
    await turn.send_queued()
    return bool(townships)


async def bot_removed(turn: Turn, chat: Chat, key: str) -> list[TownshipGroup]:
    """The bot left a group (removed, or the group deleted): it is no longer any township's
    group, and their secretaries are told."""
    async with turn.svc.transaction() as session:
        left = await db.forget_group(session, chat.id, turn.now)
        told = []
        for township in left:
            told += await notices.group_left(turn, session, township, chat.title or "", key)
        await enqueue(session, told, turn.now)
    if left:
        await turn.svc.reload_directory()
        await turn.send_queued()
    return left


async def group_moved(turn: Turn, old: int, new: int) -> int:
    async with turn.svc.transaction() as session:
        return await member_db.move_group(session, old, new, turn.now)


async def group_of(turn: MemberTurn, township_id: int) -> TownshipGroup | None:
    async with turn.svc.transaction() as session:
        found = await db.groups_of(session, {township_id})
    return found[0] if found else None


async def make_group(turn: MemberTurn, township_id: int, chat_id: int) -> bool:
    async with turn.svc.transaction() as session:
        changed = await db.set_group(
            session, township_id, chat_id, actor_member_id=turn.actor.member_id, now=turn.now
        )
    if changed:
        await turn.svc.reload_directory()
    return changed
