"""/agenda: the Monday meeting agenda on demand (secretaries and admins)."""

from __future__ import annotations

import enum
from datetime import timedelta

from telegram.ext import CommandHandler

from bot.agenda.build import Audience, agenda_html
from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.flows import Buttons, Press
from bot.core.i18n import N_
from bot.core.roles import MANAGERS, Role
from bot.core.text import split_message
from bot.core.turn import App, MemberTurn, Turn, member_only
from bot.reports.status import status_button
from bot.week.schedule import week_rules

register_commands(
    CommandSpec(
        "agenda",
        N_("The Monday meeting agenda (周一例会), from last week's reports"),
        MANAGERS,
    )
)


class Act(enum.StrEnum):
    TOWNSHIP = "t"


AGENDA = Buttons("agenda", roles=(Role.SECRETARY, Role.ADMIN))


@member_only(Role.SECRETARY, Role.ADMIN)
async def agenda_command(turn: MemberTurn) -> None:
    async with turn.svc.transaction() as session:
        ids = None if turn.actor.is_admin else turn.actor.township_ids(Role.SECRETARY)
        townships = await member_db.townships(session, ids)
    if len(townships) == 1:
        await send_agenda(turn, townships[0].id)
        return
    await turn.send(
        turn._("Which township?"),
        [[AGENDA.button(turn, t.name, Act.TOWNSHIP, t.id)] for t in townships],
    )


@AGENDA.on(Act.TOWNSHIP)
async def township_chosen(turn: MemberTurn, press: Press) -> None:
    township_id = press.number(0)
    if not turn.actor.manages(township_id):
        await turn.answer(turn._("You can only manage members of your own township."), True)
        return
    await turn.answer()
    await send_agenda(turn, township_id)


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
    AGENDA.register(app)
