"""What the management commands share: choosing the township to manage, and buttons that
act only on a township the presser manages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.flows import Press
from bot.core.turn import Button, MemberTurn
from bot.members import service
from bot.members import views as v

TownshipFn = Callable[[MemberTurn, int, Press], Awaitable[None]]


async def pick_township(turn: MemberTurn, button: Callable[[str, int], Button]) -> int | None:
    """The township the member manages, or None after asking which one (a button each, made
    by `button`) or saying there is none."""
    townships = await service.managed_townships(turn)
    if len(townships) == 1:
        return townships[0][0]
    if not townships:
        await turn.send(turn._(v.NO_TOWNSHIP))
        return None
    await turn.send(*v.township_choice(turn, townships, button))
    return None


def managed(func: TownshipFn) -> Callable[[MemberTurn, Press], Awaitable[None]]:
    """A button whose first argument is a township: it acts only when the presser manages
    that township (a signed button may still be old, and its owner may have lost the role)."""

    async def handler(turn: MemberTurn, press: Press) -> None:
        township_id = press.number(0)
        if not turn.actor.manages(township_id):
            await turn.answer(turn._(v.NOT_YOURS), alert=True)
            return
        await func(turn, township_id, press)

    return handler
