"""Dispute case ledger (矛盾纠纷排查化解台账): /case, /cases, /disputes and /casebrief.

The commands are private (the command table's default): a group is answered by the chat
gate and sees no case. Each command works in one township (`bot.cases.township`); its
screens, buttons and conversations are in the modules beside this one.
"""

from __future__ import annotations

from telegram.ext import CommandHandler

import bot.cases.reminders  # noqa: F401  (a reminder's case buttons join BUTTONS)
from bot.cases import brief, lists, rules
from bot.cases import queries as case_db
from bot.cases.access import CREATORS, FIGURE_VIEWERS, VIEWERS
from bot.cases.actions import ACTING
from bot.cases.buttons import BUTTONS, Act
from bot.cases.card import not_found, show_card
from bot.cases.figures import PURPOSES, period_of
from bot.cases.registration import REGISTRATION
from bot.cases.township import Purpose, open_in_township
from bot.cases.views import (
    CASE_LIST_BUTTON,
    NEW_CASE_BUTTON,
    NOT_A_NUMBER,
    PERIOD_USAGE,
    PRIVATE_CASES,
    USAGE,
)
from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import Press
from bot.core.i18n import N_
from bot.core.render import listing
from bot.core.text import quoted
from bot.core.turn import App, MemberTurn, member_only

NEW_WORDS = frozenset({"new", "新", "新建", "登记"})
# Modules whose buttons and first screens register themselves when imported.
SCREENS = (brief, lists)

register_commands(
    CommandSpec(
        "case",
        N_("Register a dispute case (/case new) or open one by its number"),
        frozenset(VIEWERS),
        group_answer=PRIVATE_CASES,
    ),
    CommandSpec("cases", N_("List dispute cases"), frozenset(VIEWERS), group_answer=PRIVATE_CASES),
    CommandSpec(
        "disputes",
        N_("Dispute figures: screened, resolved, success rate"),
        frozenset(FIGURE_VIEWERS),
        group_answer=PRIVATE_CASES,
    ),
    CommandSpec(
        "casebrief",
        N_("Brief of difficult, overdue and referred cases for the 政法联席会议"),
        frozenset(FIGURE_VIEWERS),
        group_answer=PRIVATE_CASES,
    ),
)


@member_only(*VIEWERS)
async def case_command(turn: MemberTurn) -> None:
    args = turn.context.args or []
    if args and args[0].lower() in NEW_WORDS:
        await new_case(turn)
    elif args:
        await open_by_number(turn, " ".join(args))
    else:
        _ = turn._
        buttons = []
        if turn.actor.roles & set(CREATORS):
            buttons.append(BUTTONS.button(turn, _(NEW_CASE_BUTTON), Act.START, "new"))
        buttons.append(BUTTONS.button(turn, _(CASE_LIST_BUTTON), Act.START, "list"))
        await turn.send(_(USAGE).format(example=example_number(turn)), [buttons])


@BUTTONS.on(Act.START)
async def start_pressed(turn: MemberTurn, press: Press) -> None:
    what = press.choice(0, ("new", "list"))
    await turn.answer()
    if what == "new":
        await new_case(turn)
    else:
        await open_in_township(turn, Purpose.LIST)


async def new_case(turn: MemberTurn) -> None:
    if not turn.actor.roles & set(CREATORS):
        await turn.send(
            turn._("Sorry, this is only for: {roles}.").format(
                roles=listing(turn.lang, (turn.role_label(r) for r in CREATORS))
            )
        )
        return
    await open_in_township(turn, Purpose.NEW)


def example_number(turn: MemberTurn) -> str:
    ids = sorted(turn.actor.township_ids())
    township = turn.svc.directory.township(ids[0]) if ids else None
    return rules.format_case_number(township.code if township else "SHZ", turn.now.year, 58)


async def open_by_number(turn: MemberTurn, text: str) -> None:
    if rules.parse_case_number(text) is None:
        await turn.send(
            turn._(NOT_A_NUMBER).format(text=quoted(text.strip(), 40), example=example_number(turn))
        )
        return
    async with turn.svc.transaction() as session:
        found = await case_db.find_case_id(session, text)
    if found is None:
        await turn.send(not_found(turn, quoted(text.strip().upper(), 40)))
        return
    await show_card(turn, found[0], fresh=True, number=quoted(text.strip().upper(), 40))


@member_only(*VIEWERS)
async def cases_command(turn: MemberTurn) -> None:
    await open_in_township(turn, Purpose.LIST)


@member_only(*FIGURE_VIEWERS)
async def disputes_command(turn: MemberTurn) -> None:
    args = turn.context.args or []
    period = period_of(args[0] if args else None)
    if period is None:
        await turn.send(turn._(PERIOD_USAGE))
        return
    await open_in_township(turn, PURPOSES[period])


@member_only(*FIGURE_VIEWERS)
async def brief_command(turn: MemberTurn) -> None:
    await open_in_township(turn, Purpose.BRIEF)


def register(app: App) -> None:
    app.add_handler(CommandHandler("case", case_command))
    app.add_handler(CommandHandler("cases", cases_command))
    app.add_handler(CommandHandler("disputes", disputes_command))
    app.add_handler(CommandHandler("casebrief", brief_command))
    BUTTONS.register(app)
    REGISTRATION.register(app)
    ACTING.register(app)
