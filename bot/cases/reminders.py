"""The dispute reminders' buttons: each case of a reminder opens its card, as a new message,
for the one person the reminder was sent to (who may still be refused the card when the case
is no longer theirs to see)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.buttons import BUTTONS, Act
from bot.cases.card import show_card
from bot.cases.facts import CaseReminder
from bot.core.callbacks import CallbackCodec
from bot.core.flows import Press
from bot.core.text import plain
from bot.core.turn import MemberTurn

PER_ROW = 2
MOST = 40  # a reminder never lists more cases than fit in a keyboard comfortably


def reminder_markup(
    codec: CallbackCodec, reminders: Sequence[CaseReminder], owner: int
) -> dict[str, Any] | None:
    """A button per case (its number and village), signed for `owner`."""
    buttons = [
        InlineKeyboardButton(
            plain(f"📂 {r.number} {r.village}"),
            callback_data=codec.sign(codec.action(BUTTONS.code, Act.OPEN, r.case_id), owner),
        )
        for r in reminders[:MOST]
    ]
    if not buttons:
        return None
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    return InlineKeyboardMarkup(rows).to_dict()


@BUTTONS.on(Act.OPEN)
async def open_case(turn: MemberTurn, press: Press) -> None:
    if await show_card(turn, press.number(0), fresh=True):
        await turn.answer()
