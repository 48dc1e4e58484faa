"""Which township an action belongs to, for a person who belongs to several.

A person may hold roles in several townships (secondment, transfer, a secretary who is also
a cadre elsewhere). Every action that belongs to a township (a visit, a report, leave, a
case, a list) works in each of them: when it is ambiguous, the bot asks once which
township, remembers the choice for that chat (`chat_townships`), and carries on with the
command that asked. `/township` changes the choice.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.db.engine import insert_for
from bot.core.flows import Buttons, Press
from bot.core.i18n import N_
from bot.core.models import ChatTownship
from bot.core.roles import ALL_ROLES, Role
from bot.core.turn import App, Button, MemberTurn, member_only

register_commands(
    CommandSpec("township", N_("Choose which township you are working in"), ALL_ROLES),
)

CommandFn = Callable[[MemberTurn], Awaitable[None]]
# Commands that ask which township, by name: run again once the member has chosen.
RERUN: dict[str, CommandFn] = {}


class Act(enum.StrEnum):
    PICK = "p"


BUTTONS = Buttons("tw")


def reruns(command: str) -> Callable[[CommandFn], CommandFn]:
    """Declare `command`'s function (taking the member's turn) as the one to run again when
    the member has picked a township for it."""

    def register(func: CommandFn) -> CommandFn:
        RERUN[command] = func
        return func

    return register


def candidates(turn: MemberTurn, roles: Sequence[Role]) -> list[int]:
    """The townships where the member holds one of `roles` (any role when empty), by id;
    for a county admin, when admins may act, every active township."""
    if turn.actor.is_admin and (not roles or Role.ADMIN in roles):
        return turn.svc.directory.active_township_ids()
    return sorted(turn.actor.township_ids(*roles))


async def remembered(session: AsyncSession, chat_id: int) -> int | None:
    return await session.scalar(
        select(ChatTownship.township_id).where(ChatTownship.chat_id == chat_id)
    )


async def remember(session: AsyncSession, chat_id: int, township_id: int, turn: MemberTurn) -> None:
    statement = insert_for(session, ChatTownship).values(
        chat_id=chat_id, township_id=township_id, updated_at=turn.now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ChatTownship.chat_id],
            set_={"township_id": township_id, "updated_at": turn.now},
        )
    )


def chat_id(turn: MemberTurn) -> int:
    chat = turn.update.effective_chat
    return chat.id if chat is not None else turn.user_id


async def township_for(
    turn: MemberTurn, roles: Sequence[Role], command: str, none_text: str
) -> int | None:
    """The township this action of the member belongs to: their only one, or the one chosen
    for this chat. When it is ambiguous the member is asked (a button per township; the
    command runs again once they tap one) and None is returned; None also when they hold
    none of `roles` anywhere, after telling them `none_text`."""
    ids = candidates(turn, roles)
    if not ids:
        await turn.send(none_text)
        return None
    if len(ids) == 1:
        return ids[0]
    async with turn.svc.transaction() as session:
        chosen = await remembered(session, chat_id(turn))
    if chosen in ids:
        return chosen
    await ask(turn, ids, command)
    return None


def township_name(turn: MemberTurn, township_id: int) -> str:
    info = turn.svc.directory.township(township_id)
    return info.name if info is not None else str(township_id)


async def ask(turn: MemberTurn, ids: Sequence[int], command: str) -> None:
    _ = turn._
    rows: list[list[Button]] = [
        [BUTTONS.button(turn, township_name(turn, tid), Act.PICK, tid, command)] for tid in ids
    ]
    await turn.send(
        _("You belong to several townships. Which one is this for? I will remember it here."),
        rows,
    )


@BUTTONS.on(Act.PICK)
async def pick(turn: MemberTurn, press: Press) -> None:
    township_id = press.number(0)
    command = press.arg(1) if len(press.args) > 1 else ""
    _ = turn._
    if township_id not in candidates(turn, ()):
        await turn.answer(_("You do not belong to that township."), alert=True)
        return
    async with turn.svc.transaction() as session:
        await remember(session, chat_id(turn), township_id, turn)
    await turn.answer()
    await turn.show(
        _("Working in {township} here. Send /township to change it.").format(
            township=township_name(turn, township_id)
        )
    )
    rerun = RERUN.get(command)
    if rerun is not None:
        await rerun(turn)


@member_only()
async def township_command(turn: MemberTurn) -> None:
    _ = turn._
    ids = candidates(turn, ())
    if len(ids) < 2:
        await turn.send(
            _("You belong to one township only: {township}.").format(
                township=township_name(turn, ids[0]) if ids else "—"
            )
        )
        return
    async with turn.svc.transaction() as session:
        chosen = await remembered(session, chat_id(turn))
    rows: list[list[Button]] = [
        [
            BUTTONS.button(
                turn, ("✅ " if tid == chosen else "") + township_name(turn, tid), Act.PICK, tid, ""
            )
        ]
        for tid in ids
    ]
    await turn.send(_("Which township are you working in here?"), rows)


def register(app: App) -> None:
    app.add_handler(CommandHandler("township", township_command))
    BUTTONS.register(app)
