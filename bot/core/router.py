"""Routes private messages to the user's current flow, and catches buttons nobody claimed."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.core.commands import spec_for
from bot.core.flows import FLOW_HANDLERS
from bot.core.turn import REGISTRATION_FLOW, App, Context, Turn, admitted

# A Chinese keyboard's slash key types "、" or the full-width "／": Telegram sees no command.
_IME_SLASH = re.compile(r"[、／]\s*([A-Za-z]+)")


async def on_private_message(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    state = turn.flow_state
    # Registration is the one flow a stranger may be in.
    if state is not None and state.flow == REGISTRATION_FLOW:
        await FLOW_HANDLERS[REGISTRATION_FLOW](turn, state)
        return
    if not await admitted(turn):
        return
    _ = turn._
    if state is None or state.flow not in FLOW_HANDLERS:
        typed = _IME_SLASH.fullmatch(turn.text())
        spec = spec_for(typed.group(1).lower()) if typed else None
        if spec is not None:
            await turn.send(
                _('A command starts with the half-width slash "/": send /{command}').format(
                    command=spec.name
                )
            )
            return
        await turn.send(_("I did not understand that. Send /help to see what you can do."))
        return
    await FLOW_HANDLERS[state.flow](turn, state)


async def on_unknown_command(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn):
        return
    await turn.send(turn._("Unknown command. Send /help to see what you can do."))


async def on_stray_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    await turn.answer(turn._("This button is from an old message and no longer works."), True)


def register(app: App) -> None:
    """Registered last in group 0: PTB gives an update to the first matching handler of a group."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & filters.COMMAND, on_unknown_command))
    app.add_handler(MessageHandler(private & ~filters.COMMAND, on_private_message))
    app.add_handler(CallbackQueryHandler(on_stray_button))
