"""/villages: a secretary (or an admin) manages the township's villages in chat: adds one,
renames it, retires and restores it, and sets its point by sharing a location (a visit
logged with a location near it is matched to it). The database holds them; the config only
seeds them (`bot.core.db.members.sync_townships`)."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import STALE, Press
from bot.core.i18n import N_
from bot.core.roles import MANAGERS, Role
from bot.core.text import clean_line
from bot.core.turn import App, MemberTurn, member_only
from bot.members import service
from bot.members import township_service as work
from bot.members import township_views as tv
from bot.members import views as v
from bot.members.flow import VILLAGE, VILLAGES, VillageAct, VillagesAct, VillageStep
from bot.members.managing import managed, pick_township
from bot.members.township_queries import VillageRow
from bot.members.township_service import NameRefused, Use

register_commands(
    CommandSpec(
        "villages",
        N_("Villages: add, rename, retire, set their points"),
        MANAGERS,
    ),
    before=None,
)


@member_only(Role.SECRETARY, Role.ADMIN)
async def villages_command(turn: MemberTurn) -> None:
    township_id = await pick_township(
        turn, lambda name, tid: VILLAGES.button(turn, name, VillagesAct.LIST, tid, 0)
    )
    if township_id is not None:
        await show_list(turn, township_id, 0, retired=False)


async def show_list(turn: MemberTurn, township_id: int, page: int, *, retired: bool) -> None:
    rows = await work.villages(turn, township_id)
    name = service.township_name(turn, township_id)
    await turn.show(*tv.villages_card(turn, township_id, name, rows, page, retired=retired))


async def show_village(
    turn: MemberTurn, township_id: int, row: VillageRow, *, saved: bool = False
) -> None:
    name = service.township_name(turn, township_id)
    await turn.show(*tv.village_card(turn, township_id, name, row, saved=saved))


# --- the buttons: each carries the township first -----------------------------------------


@VILLAGES.on(VillagesAct.LIST, VillagesAct.RETIRED)
@managed
async def list_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    page = press.number(1) if len(press.args) > 1 else 0
    await turn.answer()
    await show_list(turn, township_id, page, retired=press.action == VillagesAct.RETIRED)


@VILLAGES.on(VillagesAct.OPEN)
@managed
async def open_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    row = await work.village(turn, township_id, press.number(1))
    if row is None:
        await turn.answer(turn._(v.NO_VILLAGE), alert=True)
        return
    await turn.answer()
    await show_village(turn, township_id, row)


@VILLAGES.on(VillagesAct.RETIRE, VillagesAct.RESTORE)
@managed
async def use_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    _ = turn._
    active = press.action == VillagesAct.RESTORE
    outcome = await work.use_village(turn, township_id, press.number(1), active)
    if outcome is None:
        await turn.answer(_(v.NO_VILLAGE), alert=True)
        return
    use, row = outcome
    if use is Use.UNCHANGED:
        await turn.answer(_(tv.ALREADY_IN_USE if active else tv.ALREADY_RETIRED), alert=True)
    else:
        await turn.answer(_("Restored") if active else _("Retired"))
    await show_village(turn, township_id, row)


@VILLAGES.on(VillagesAct.ADD)
@managed
async def add_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    ctx = await work.start_adding(turn, township_id)
    await turn.answer()
    await turn.show(*tv.name_prompt(ctx, None))


@VILLAGES.on(VillagesAct.RENAME, VillagesAct.POINT)
@managed
async def edit_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    step = VillageStep.NAME if press.action == VillagesAct.RENAME else VillageStep.POINT
    started = await work.start_edit(turn, township_id, press.number(1), step)
    if started is None:
        await turn.answer(turn._(v.NO_VILLAGE), alert=True)
        return
    ctx, row = started
    await turn.answer()
    if step is VillageStep.NAME:
        await turn.show(*tv.name_prompt(ctx, row))
    else:
        await turn.show(*tv.point_prompt(ctx, row))


# --- the typed name or the shared point ---------------------------------------------------


@VILLAGE.on(None, VillageAct.CANCEL)
async def cancel_pressed(ctx: tv.VillageTurn, press: Press) -> None:
    turn = ctx.turn
    found = await work.cancel_edit(ctx)
    if found is False:
        await turn.answer(turn._(STALE), alert=True)
        return
    await turn.answer(turn._("Cancelled"))
    if isinstance(found, VillageRow):
        await show_village(turn, ctx.draft.township_id, found)
    else:
        await show_list(turn, ctx.draft.township_id, 0, retired=False)


@VILLAGE.on_message(VillageStep.NAME)
async def typed_name(ctx: tv.VillageTurn) -> None:
    turn = ctx.turn
    message = turn.update.effective_message
    if message is None or not message.text:
        await turn.send(turn._(tv.TYPE_NAME))
        return
    typed = clean_line(message.text)
    saved = await work.name_village(ctx, typed)
    if saved is None:
        await turn.send(turn._(v.NO_VILLAGE))
    elif isinstance(saved, NameRefused):
        await turn.send(tv.name_problem(turn, saved.problem, typed, saved.other))
    else:
        await show_village(turn, ctx.draft.township_id, saved, saved=True)


@VILLAGE.on_message(VillageStep.POINT)
async def shared_point(ctx: tv.VillageTurn) -> None:
    turn = ctx.turn
    message = turn.update.effective_message
    location = message.location if message is not None else None
    if location is None:
        await turn.send(turn._(tv.SHARE_POINT))
        return
    saved = await work.place_village(ctx, location.latitude, location.longitude)
    if saved is None:
        await turn.send(turn._(v.NO_VILLAGE))
        return
    await show_village(turn, ctx.draft.township_id, saved, saved=True)


def register(app: App) -> None:
    app.add_handler(CommandHandler("villages", villages_command))
    VILLAGES.register(app)
    VILLAGE.register(app)
