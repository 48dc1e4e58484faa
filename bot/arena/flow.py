"""The 擂台赛's two short conversations: the secretary adds a key work item (title, then
target), and an owner types the progress (a percentage and a note)."""

from __future__ import annotations

import enum

from pydantic import BaseModel

from bot.arena import queries as arena_db
from bot.arena.rules import no_target, parse_progress
from bot.arena.views import show, show_owners
from bot.core.flows import Flow, FlowTurn
from bot.core.i18n import N_
from bot.core.roles import MANAGERS
from bot.core.text import clean_line

TOO_LONG = N_("That is too long (at most {n} characters). Please try again.")


class ItemStep(enum.StrEnum):
    TITLE = "title"
    TARGET = "target"


class ItemDraft(BaseModel):
    township_id: int
    title: str = ""


class ProgressStep(enum.StrEnum):
    PERCENT = "progress"


class ProgressDraft(BaseModel):
    item_id: int


ITEM = Flow("arena_item", "ari", ItemDraft, ItemStep, roles=tuple(MANAGERS))
PROGRESS = Flow("arena_progress", "arp", ProgressDraft, ProgressStep)


def _typed(ctx: FlowTurn[ItemDraft, ItemStep] | FlowTurn[ProgressDraft, ProgressStep]) -> str:
    message = ctx.turn.update.effective_message
    return clean_line(message.text or "") if message and message.text else ""


@ITEM.on_message(ItemStep.TITLE)
async def typed_title(ctx: FlowTurn[ItemDraft, ItemStep]) -> None:
    _ = ctx._
    title = _typed(ctx)
    if not title:
        await ctx.turn.send(_("Please type text, or /cancel."))
        return
    if len(title) > arena_db.TITLE_MAX:
        await ctx.turn.send(_(TOO_LONG).format(n=arena_db.TITLE_MAX))
        return
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session, ItemStep.TARGET, ctx.draft.model_copy(update={"title": title}))
    await ctx.turn.send(_("Type the target (e.g. “complete by 30 December”), or “-” for none."))


@ITEM.on_message(ItemStep.TARGET)
async def typed_target(ctx: FlowTurn[ItemDraft, ItemStep]) -> None:
    _ = ctx._
    text = _typed(ctx)
    if not text:
        await ctx.turn.send(_("Please type text, or /cancel."))
        return
    target = "" if no_target(text) else text
    if len(target) > arena_db.TARGET_MAX:
        await ctx.turn.send(_(TOO_LONG).format(n=arena_db.TARGET_MAX))
        return
    turn, township_id = ctx.turn, ctx.draft.township_id
    async with turn.svc.transaction() as session:
        await ctx.end(session)
        if not turn.actor.manages(township_id):
            return
        item = await arena_db.add_item(
            session,
            township_id,
            ctx.draft.title,
            target,
            actor_id=turn.actor.member_id,
            now=turn.now,
        )
        item_id = item.id
    await turn.send(_("Key work item added. Now choose its owners."))
    await show_owners(turn, item_id, township_id)


@PROGRESS.on_message(ProgressStep.PERCENT)
async def typed_progress(ctx: FlowTurn[ProgressDraft, ProgressStep]) -> None:
    _ = ctx._
    turn = ctx.turn
    text = _typed(ctx)
    if not text:
        await turn.send(_("Please type text, or /cancel."))
        return
    progress = parse_progress(text)
    if progress is None:
        await turn.send(
            _("Please start with a percentage from 0 to 100, e.g. “60 foundations finished”.")
        )
        return
    percent, note = progress
    if len(note) > arena_db.NOTE_MAX:
        await turn.send(_(TOO_LONG).format(n=arena_db.NOTE_MAX))
        return
    async with turn.svc.transaction() as session:
        await ctx.end(session)
        item = await arena_db.item_by_id(session, ctx.draft.item_id)
        if item is None or not turn.actor.can_see_township(item.township_id):
            await turn.send(_("That key work item was not found."))
            return
        await arena_db.record_progress(
            session, item.id, turn.actor.member_id, percent, note, turn.now
        )
        township_id = item.township_id
    await turn.send(_("Progress recorded: {percent}%.").format(percent=percent))
    await show(turn, township_id, edit=False)
