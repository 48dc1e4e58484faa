"""Which township a case command works in, and how its reader sees it.

A member of several townships is asked once per chat (`bot.core.townships.township_for`);
the command runs on once they choose. Admins (county level) choose among every township,
each time, and the choice runs the command for that township at once.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from bot.cases.access import CREATORS, FIGURE_VIEWERS, VIEWERS, holds
from bot.cases.buttons import BUTTONS, Act
from bot.cases.queries import case_config
from bot.cases.views import NO_TOWNSHIP, OWN_TOWNSHIP_ONLY, WHICH_TOWNSHIP, Screen, View
from bot.core.db import members as member_db
from bot.core.db.directory import TownshipInfo
from bot.core.flows import Press
from bot.core.roles import Role
from bot.core.townships import reruns, township_for
from bot.core.turn import MemberTurn, Turn


class Purpose(enum.StrEnum):
    """What a case command does once its township is known."""

    NEW = "new"
    LIST = "ls"
    WEEK = "dw"
    MONTH = "dm"
    YEAR = "dy"
    BRIEF = "b"


ROLES: dict[Purpose, tuple[str, ...]] = {
    Purpose.NEW: CREATORS,
    Purpose.LIST: VIEWERS,
    Purpose.WEEK: FIGURE_VIEWERS,
    Purpose.MONTH: FIGURE_VIEWERS,
    Purpose.YEAR: FIGURE_VIEWERS,
    Purpose.BRIEF: FIGURE_VIEWERS,
}

Opener = Callable[[MemberTurn, TownshipInfo, Purpose], Awaitable[Sequence[Screen]]]
OPENERS: dict[Purpose, Opener] = {}


def opens(*purposes: Purpose) -> Callable[[Opener], Opener]:
    """Declare the function that builds the first messages of `purposes` in a township."""

    def register(func: Opener) -> Opener:
        for purpose in purposes:
            OPENERS[purpose] = func
        return func

    return register


def command_name(purpose: Purpose) -> str:
    return f"cases-{purpose}"


async def open_in_township(turn: MemberTurn, purpose: Purpose) -> None:
    """Run `purpose` in the member's township for it; when they are asked to choose, it runs
    once they have."""
    township = await _township(turn, purpose)
    if township is not None:
        await send_all(turn, await OPENERS[purpose](turn, township, purpose))


def _rerun(purpose: Purpose) -> Callable[[MemberTurn], Awaitable[None]]:
    async def rerun(turn: MemberTurn) -> None:
        await open_in_township(turn, purpose)

    return rerun


for _purpose in Purpose:
    reruns(command_name(_purpose))(_rerun(_purpose))


async def _township(turn: MemberTurn, purpose: Purpose) -> TownshipInfo | None:
    roles = ROLES[purpose]
    if turn.actor.is_admin and Role.ADMIN in roles:
        return await _admin_township(turn, purpose)
    township_id = await township_for(
        turn, [Role(r) for r in roles], command_name(purpose), turn._(NO_TOWNSHIP)
    )
    return None if township_id is None else turn.svc.directory.township(township_id)


async def _admin_township(turn: MemberTurn, purpose: Purpose) -> TownshipInfo | None:
    async with turn.svc.transaction() as session:
        townships = await member_db.townships(session)
    if not townships:
        await turn.send(turn._(NO_TOWNSHIP))
        return None
    if len(townships) == 1:
        return turn.svc.directory.township(townships[0].id)
    rows = [[BUTTONS.button(turn, t.name, Act.TOWNSHIP, purpose, t.id)] for t in townships]
    await turn.send(turn._(WHICH_TOWNSHIP), rows)
    return None


@BUTTONS.on(Act.TOWNSHIP)
async def picked(turn: MemberTurn, press: Press) -> None:
    purpose = Purpose(press.choice(0, list(Purpose)))
    township = await township_seen(turn, press.number(1), ROLES[purpose])
    if township is None:
        return
    await turn.answer()
    await show_all(turn, await OPENERS[purpose](turn, township, purpose))


async def township_seen(
    turn: MemberTurn, township_id: int, roles: Sequence[str]
) -> TownshipInfo | None:
    """The township a press names, when the member holds one of `roles` there (admins: any);
    else None, after an alert."""
    township = turn.svc.directory.township(township_id)
    if township is None or not holds(turn.actor, township_id, tuple(roles)):
        await turn.answer(turn._(OWN_TOWNSHIP_ONLY), alert=True)
        return None
    return township


def view_of(turn: Turn, township: TownshipInfo) -> View:
    tz = turn.svc.settings.township_tz(township.code)
    return View(
        turn._, turn.lang, tz, turn.now.astimezone(tz).date(), case_config(turn.svc.settings)
    )


def local_now(turn: Turn, township: TownshipInfo) -> datetime:
    """Now in the township's time zone: its `.date()` is the township's day."""
    return turn.now.astimezone(turn.svc.settings.township_tz(township.code))


async def send_all(turn: Turn, screens: Sequence[Screen]) -> None:
    for screen in screens:
        await turn.send(screen.text, screen.rows)


async def show_all(turn: Turn, screens: Sequence[Screen]) -> None:
    """The first screen in place of the pressed message, the others after it."""
    for index, screen in enumerate(screens):
        if index == 0:
            await turn.show(screen.text, screen.rows)
        else:
            await turn.send(screen.text, screen.rows)
