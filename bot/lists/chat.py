"""What the lists' handlers share: the township and period a command is for."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.core.db import members as member_db
from bot.core.flows import STALE
from bot.core.models import Township
from bot.core.roles import Role
from bot.core.turn import MemberTurn, Turn
from bot.lists.periods import parse_period
from bot.lists.replies import NOT_YOURS
from bot.lists.rules import Period


def split_args(turn: Turn) -> tuple[list[str], str | None]:
    """Arguments without a township code, and that code (if any)."""
    codes = {t.code for t in turn.svc.settings.townships}
    args: list[str] = []
    code = None
    for arg in turn.context.args or []:
        if arg.upper() in codes and code is None and not arg[:1].isdigit():
            code = arg.upper()
        else:
            args.append(arg)
    return args, code


async def managed_township(turn: MemberTurn, code: str | None) -> Township | None:
    """The township a secretary or admin acts on: the one named by its code, or their only
    one; refuses politely otherwise."""
    _ = turn._
    async with turn.svc.transaction() as session:
        if code is not None:
            township = await member_db.township_by_code(session, code)
            if township is None or not turn.actor.manages(township.id):
                await turn.send(_("You can only manage the lists of your own township."))
                return None
            return township
        ids = None if turn.actor.is_admin else turn.actor.township_ids(Role.SECRETARY)
        townships = await member_db.townships(session, ids)
    if len(townships) == 1:
        return townships[0]
    if not townships:
        await turn.send(_("No township is configured yet."))
    else:
        await turn.send(
            _("You look after several townships; add the code, e.g. {example}.").format(
                example=f"/redblack preview month {townships[0].code}"
            )
        )
    return None


def period_of(turn: Turn, words: Sequence[str], default: str = "week") -> Period | None:
    today = turn.now.astimezone(turn.svc.settings.tz).date()
    return parse_period(words[0] if words else "", today, default)  # type: ignore[arg-type]


def tz_of(turn: Turn, township: Township) -> ZoneInfo:
    return turn.svc.settings.township_tz(township.code)


async def pressed_township(turn: MemberTurn, township_id: int) -> Township | None:
    """The township a pressed button acts on, when the presser manages it and it is still in
    use; otherwise the press is answered with an alert saying which, and None."""
    if not turn.actor.manages(township_id):
        await turn.answer(turn._(NOT_YOURS), alert=True)
        return None
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, township_id)
    if township is None:
        await turn.answer(turn._(STALE), alert=True)
    return township
