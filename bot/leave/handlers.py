"""/leave: ask for leave (请假) or record official duty (公务外出) for a date range, in the
township it concerns.

A cadre's request (`bot.leave.request`) goes to that township's secretaries, who approve or
reject it in chat with the buttons under it (`bot.leave.decisions`). A secretary records
leave for one of the township's cadres directly, approved at once (`bot.leave.record`).
Approved workdays are exempt from that township's quotas and shown as leave, never as
missed. A cadre's /leave also lists their requests not over yet, each with a button to take
it back (one already under way ends yesterday instead); a secretary's offers the township's
approved leave not over yet, to cancel or end early on a cadre's behalf. Everyone concerned
is told.
"""

from __future__ import annotations

from telegram.ext import CommandHandler

import bot.leave.decisions  # noqa: F401  (declares the table of BUTTONS)
from bot.core.commands import CommandSpec, register_commands
from bot.core.i18n import N_
from bot.core.roles import Role
from bot.core.townships import reruns, township_for
from bot.core.turn import App, MemberTurn, member_only
from bot.leave import record, request
from bot.leave.flow import BUTTONS, RECORD, REQUEST
from bot.week.place import place_of

register_commands(
    CommandSpec(
        "leave",
        N_("Ask for leave (请假) or record official duty (公务外出)"),
        frozenset({Role.CADRE, Role.SECRETARY}),
    ),
)


@member_only(Role.CADRE, Role.SECRETARY)
@reruns("leave")
async def leave_command(turn: MemberTurn) -> None:
    """In a township where the member is a secretary they record leave for its cadres; where
    they are a cadre they ask for it. A member of several townships is asked which one."""
    township_id = await township_for(
        turn,
        (Role.CADRE, Role.SECRETARY),
        "leave",
        turn._("You are not a cadre of any township."),
    )
    place = None if township_id is None else place_of(turn, township_id)
    if place is None:
        return
    if turn.actor.has_role(Role.SECRETARY, place.township_id):
        await record.start(turn, place)
    else:
        await request.start(turn, place)


def register(app: App) -> None:
    app.add_handler(CommandHandler("leave", leave_command))
    REQUEST.register(app)
    RECORD.register(app)
    BUTTONS.register(app)
