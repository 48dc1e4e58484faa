"""/visit: log a field visit (下乡记录); /visits: this week's logs, to see, edit or delete
them. The flow itself is in `bot.visits.flow`; a saved log's buttons are declared here (and
its links to dispute cases in `bot.visits.case_link`)."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import CommandHandler

import bot.visits.case_link  # noqa: F401  (a saved log's links to cases join LOGS)
from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import STALE, Press
from bot.core.i18n import N_
from bot.core.roles import Role
from bot.core.townships import reruns
from bot.core.turn import App, MemberTurn, member_only
from bot.visits import flow, service
from bot.visits import queries as visit_db
from bot.visits import views as v
from bot.visits.actions import LOGS, VISIT, LogAct, Step
from bot.visits.queries import VisitRow
from bot.week.place import Place, cadre_place

register_commands(
    CommandSpec("visit", N_("Log a village visit (下乡)"), frozenset({Role.CADRE})),
    CommandSpec("visits", N_("This week's visit logs: edit or delete"), frozenset({Role.CADRE})),
)


@member_only(Role.CADRE)
@reruns("visit")
async def visit_command(turn: MemberTurn) -> None:
    place = await cadre_place(turn, "visit")
    if place is not None:
        await flow.start(turn, place)


@member_only(Role.CADRE)
@reruns("visits")
async def visits_command(turn: MemberTurn) -> None:
    place = await cadre_place(turn, "visits")
    if place is not None:
        await v.put(turn, await week_list(turn, place), edit=False)


async def week_list(turn: MemberTurn, place: Place) -> v.View:
    monday = place.rules.current_week(turn.now)
    async with turn.svc.transaction() as session:
        rows = await visit_db.member_visits(
            session, turn.actor.member_id, place.township_id, monday, monday + timedelta(days=6)
        )
    return v.week_list(turn, place, monday, rows)


# --- a saved log's buttons ----------------------------------------------------------------


def _place(turn: MemberTurn, press: Press) -> Place | None:
    return flow.cadre_place_of(turn, press.number(0))


@LOGS.on(LogAct.LIST)
async def show_list(turn: MemberTurn, press: Press) -> None:
    place = _place(turn, press)
    if place is None:
        await turn.answer(turn._(STALE), alert=True)
        return
    await turn.answer()
    await v.put(turn, await week_list(turn, place), edit=True)


@LOGS.on(LogAct.NEW)
async def new_log(turn: MemberTurn, press: Press) -> None:
    place = _place(turn, press)
    if place is None:
        await turn.answer(turn._(STALE), alert=True)
        return
    await turn.answer()
    await flow.start(turn, place)


@LOGS.on(LogAct.SHOW)
async def show(turn: MemberTurn, press: Press) -> None:
    await flow.show_saved(turn, press.number(0))


def _refusal(turn: MemberTurn, row: VisitRow | None) -> tuple[Place | None, str | None]:
    """The log's township, or why the member may not change the log."""
    if row is None:
        return None, v.GONE
    place = flow.cadre_place_of(turn, row.township_id)
    if place is None:
        return None, v.NOT_A_CADRE_THERE
    if not service.in_current_week(row, place, turn.now):
        return place, v.ONLY_THIS_WEEK
    return place, None


@LOGS.on(LogAct.EDIT)
async def edit(turn: MemberTurn, press: Press) -> None:
    ctx = None
    async with turn.svc.transaction() as session:
        row = await service.own_log(session, turn.actor.member_id, press.number(0))
        place, refusal = _refusal(turn, row)
        if row is not None and place is not None and refusal is None:
            ctx = await VISIT.start(turn, session, Step.CARD, flow.draft_of(row))
    if ctx is None or place is None:
        await turn.answer(turn._(refusal or v.GONE), alert=True)
        return
    await turn.answer()
    await v.put(turn, v.card(ctx, place), edit=True)


@LOGS.on(LogAct.DELETE)
async def ask_delete(turn: MemberTurn, press: Press) -> None:
    async with turn.svc.transaction() as session:
        row = await service.own_log(session, turn.actor.member_id, press.number(0))
    refusal = _refusal(turn, row)[1]
    if row is None or refusal is not None:
        await turn.answer(turn._(refusal or v.GONE), alert=True)
        return
    await turn.answer()
    await v.put(turn, v.delete_question(turn, row), edit=True)


@LOGS.on(LogAct.DELETE_YES)
async def delete(turn: MemberTurn, press: Press) -> None:
    member = turn.actor.member_id
    async with turn.svc.transaction() as session:
        row = await service.own_log(session, member, press.number(0))
        refusal = _refusal(turn, row)[1]
        done = (
            row is not None
            and refusal is None
            and await visit_db.delete_visit(session, row.id, member_id=member, now=turn.now)
        )
    if row is None or not done:
        await turn.answer(turn._(refusal or v.GONE), alert=True)
        return
    await turn.answer(turn._(v.DELETED))
    await v.put(turn, v.deleted(turn, row), edit=True)


def register(app: App) -> None:
    app.add_handler(CommandHandler("visit", visit_command))
    app.add_handler(CommandHandler("visits", visits_command))
    VISIT.register(app)
    LOGS.register(app)
