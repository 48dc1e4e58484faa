"""擂台赛: the key work scoreboard. Everybody sees the standings with /arena; the secretary
adds items (a short flow, bot/arena/flow.py) and owners with buttons; owners update progress."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.arena import queries as arena_db
from bot.arena.flow import ITEM, PROGRESS, ItemDraft, ItemStep, ProgressDraft, ProgressStep
from bot.arena.views import BUTTONS, NOT_FOUND, Act, show, show_owners
from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.flows import Press
from bot.core.i18n import N_
from bot.core.models import ArenaItem
from bot.core.render import listing
from bot.core.roles import ALL_ROLES, Role
from bot.core.townships import reruns, township_for
from bot.core.turn import App, MemberTurn, member_only

register_commands(CommandSpec("arena", N_("Key work scoreboard (擂台赛)"), ALL_ROLES))


@member_only()
@reruns("arena")
async def arena_command(turn: MemberTurn) -> None:
    township_id = await township_for(turn, (), "arena", turn._("No township is configured yet."))
    if township_id is not None:
        await show(turn, township_id, edit=False)


# --- buttons --------------------------------------------------------------------------------


async def _visible(turn: MemberTurn, township_id: int) -> bool:
    if turn.actor.can_see_township(township_id):
        return True
    await turn.answer(turn._("You can only see your own township's key work."), alert=True)
    return False


async def _managed(turn: MemberTurn, township_id: int) -> bool:
    if not await _visible(turn, township_id):
        return False
    if turn.actor.manages(township_id):
        return True
    await turn.answer(
        turn._("Sorry, this is only for: {roles}.").format(
            roles=listing(turn.lang, (turn.role_label(r) for r in (Role.SECRETARY, Role.ADMIN)))
        ),
        alert=True,
    )
    return False


async def _item(turn: MemberTurn, item_id: int) -> ArenaItem | None:
    """The pressed button's item, when it is still there and the member may see it."""
    async with turn.svc.transaction() as session:
        item = await arena_db.item_by_id(session, item_id)
    if item is None:
        await turn.answer(turn._(NOT_FOUND), alert=True)
        return None
    return item if await _visible(turn, item.township_id) else None


@BUTTONS.on(Act.LIST)
async def list_pressed(turn: MemberTurn, press: Press) -> None:
    township_id = press.number(0)
    if await _visible(turn, township_id):
        await turn.answer()
        await show(turn, township_id)


@BUTTONS.on(Act.ADD)
async def add_pressed(turn: MemberTurn, press: Press) -> None:
    township_id = press.number(0)
    if not await _managed(turn, township_id):
        return
    async with turn.svc.transaction() as session:
        await ITEM.start(turn, session, ItemStep.TITLE, ItemDraft(township_id=township_id))
    await turn.answer()
    await turn.send(
        turn._("Type the title of the key work item (at most {n} characters).").format(
            n=arena_db.TITLE_MAX
        )
    )


@BUTTONS.on(Act.OWNERS)
async def owners_pressed(turn: MemberTurn, press: Press) -> None:
    item = await _item(turn, press.number(0))
    page = press.number(1) if len(press.args) > 1 else 0
    if item is not None and await _managed(turn, item.township_id):
        await turn.answer()
        await show_owners(turn, item.id, item.township_id, page)


@BUTTONS.on(Act.TOGGLE)
async def toggle_pressed(turn: MemberTurn, press: Press) -> None:
    item = await _item(turn, press.number(0))
    member_id = press.number(1)
    page = press.number(2) if len(press.args) > 2 else 0
    if item is None or not await _managed(turn, item.township_id):
        return
    async with turn.svc.transaction() as session:
        cadres = {
            c.member_id
            for c in await member_db.recipients(
                session, item.township_id, "cadre", reachable_only=False
            )
        }
        found = await arena_db.item_in_township(session, item.id, item.township_id)
        if found is None or member_id not in cadres:
            await turn.answer(turn._("That member was not found in this township."), alert=True)
            return
        await arena_db.toggle_owner(
            session, found, member_id, actor_id=turn.actor.member_id, now=turn.now
        )
    await turn.answer()
    await show_owners(turn, item.id, item.township_id, page)


@BUTTONS.on(Act.UPDATE)
async def update_pressed(turn: MemberTurn, press: Press) -> None:
    item = await _item(turn, press.number(0))
    if item is None:
        return
    _ = turn._
    async with turn.svc.transaction() as session:
        owners = await arena_db.owner_ids(session, item.id)
        if turn.actor.member_id not in owners and not turn.actor.manages(item.township_id):
            await turn.answer(_("Only the item's owners can update its progress."), alert=True)
            return
        await PROGRESS.start(turn, session, ProgressStep.PERCENT, ProgressDraft(item_id=item.id))
    await turn.answer()
    await turn.send(
        _(
            "<b>{title}</b>: type the progress as a percentage and a short note, "
            "e.g. “60 foundations finished”."
        ).format(title=item.title)
    )


def register(app: App) -> None:
    app.add_handler(CommandHandler("arena", arena_command))
    BUTTONS.register(app)
    ITEM.register(app)
    PROGRESS.register(app)
