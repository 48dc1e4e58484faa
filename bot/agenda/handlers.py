"""/agenda: the Monday meeting agenda on demand (secretaries and admins)."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.agenda.build import Audience, agenda_html
from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.i18n import N_
from bot.core.roles import MANAGERS, Role
from bot.core.text import split_message
from bot.core.turn import App, Context, Turn, admitted, member_only
from bot.reports.status import status_button
from bot.week.schedule import week_rules

register_commands(
    CommandSpec(
        "agenda",
        N_("The Monday meeting agenda (周一例会), from last week's reports"),
        MANAGERS,
    )
)


@member_only(Role.SECRETARY, Role.ADMIN)
async def agenda_command(turn: Turn) -> None:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        ids = None if turn.actor.is_admin else turn.actor.township_ids(Role.SECRETARY)
        townships = await member_db.townships(session, ids)
    if len(townships) == 1:
        await send_agenda(turn, townships[0].id)
        return
    await turn.send(
        turn._("Which township?"),
        [[(t.name, turn.cb("agenda", t.id))] for t in townships],
    )


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn, (Role.SECRETARY, Role.ADMIN)):
        return
    assert turn.actor is not None
    parts = turn.callback_parts()
    if not parts or not parts[0].isdigit():
        await turn.answer(turn._("This button is from an old message and no longer works."), True)
        return
    if not turn.actor.manages(int(parts[0])):
        await turn.answer(turn._("You can only manage members of your own township."), True)
        return
    await turn.answer()
    await send_agenda(turn, int(parts[0]))


async def send_agenda(turn: Turn, township_id: int) -> None:
    """Last week's agenda, with the red/black preview: this is the secretary's own copy."""
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, township_id)
        assert township is not None
        rules = week_rules(turn.svc.settings, township.code)
        last_week = rules.current_week(turn.now) - timedelta(days=7)
        text = await agenda_html(
            session, turn.svc, township, last_week, turn.now, turn.lang, Audience.SECRETARY
        )
    parts = split_message(text)
    for part in parts[:-1]:
        await turn.send(part)
    await turn.send(parts[-1], [[status_button(turn, township_id)]])


def register(app: App) -> None:
    app.add_handler(CommandHandler("agenda", agenda_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^agenda:"))
