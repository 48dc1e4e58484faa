"""The persistent reply keyboard of a member's private chat: the things people do every
week, one tap each. A key sends its label as text; the bot runs the key's command exactly
as if it had been typed. Keys are shown in private chats only, never in a group.

The table below is the one list of keys; a member's keyboard is the keys of their roles, in
this order, each command once. A key's command is found among the registered command
handlers, so its roles and chats are checked exactly as the command's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.core.flows import leave_open_steps
from bot.core.i18n import N_, SUPPORTED, Gettext, gettext_for
from bot.core.roles import Role
from bot.core.turn import App, Context

ROW = 2  # keys per row: a label of four characters still fits on a phone


@dataclass(frozen=True)
class Key:
    label: str  # English message id, translated when the keyboard is shown
    command: str
    roles: frozenset[Role]
    args: tuple[str, ...] = ()


_CADRE = frozenset({Role.CADRE})
_MANAGERS = frozenset({Role.SECRETARY, Role.ADMIN})

KEYS: list[Key] = [
    Key(N_("Log a visit"), "visit", _CADRE),
    Key(N_("Submit the report"), "report", _CADRE),
    Key(N_("My week"), "me", _CADRE),
    Key(N_("Ask for leave"), "leave", frozenset({Role.CADRE, Role.SECRETARY})),
    Key(N_("Who has submitted"), "status", _MANAGERS),
    Key(N_("Meeting agenda"), "agenda", _MANAGERS),
    Key(N_("New case"), "case", frozenset({Role.MEDIATOR}), ("new",)),
    Key(N_("Case list"), "cases", frozenset({Role.MEDIATOR, Role.SECRETARY})),
    Key(N_("Export ledger"), "export", _MANAGERS),
]


def keys_for(roles: set[str] | frozenset[str]) -> list[Key]:
    """The keys of someone holding `roles`, each command once."""
    chosen: list[Key] = []
    for key in KEYS:
        if key.roles & roles and all(k.command != key.command for k in chosen):
            chosen.append(key)
    return chosen


def reply_keyboard(_: Gettext, roles: set[str] | frozenset[str]) -> ReplyKeyboardMarkup | None:
    keys = [KeyboardButton(_(k.label)) for k in keys_for(roles)]
    if not keys:
        return None
    rows = [keys[i : i + ROW] for i in range(0, len(keys), ROW)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def keys_of(
    _: Gettext, roles: set[str] | frozenset[str], active: bool = True
) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """What a member's private chat shows under the input: their keys, or none (a member
    without keys, or deactivated)."""
    keyboard = reply_keyboard(_, roles) if active else None
    return ReplyKeyboardRemove() if keyboard is None else keyboard


@cache
def _labels() -> dict[str, Key]:
    """Every key's label in every language (a member who switched language may still have
    the old keyboard)."""
    return {
        gettext_for(language)(key.label): key for language in SUPPORTED for key in reversed(KEYS)
    }


def key_for(text: str | None) -> Key | None:
    return _labels().get((text or "").strip())


class _IsKey(filters.MessageFilter):
    def filter(self, message: object) -> bool:
        return key_for(getattr(message, "text", None)) is not None


def _command_handler(app: App, command: str) -> BaseHandler[Update, Context, None] | None:
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler) and command in handler.commands:
                return handler
    return None


async def on_key(update: Update, context: Context) -> None:
    message = update.effective_message
    key = key_for(message.text if message else None)
    handler = _command_handler(context.application, key.command) if key else None
    if key is None or handler is None:
        return
    context.args = list(key.args)
    await handler.callback(update, context)


# Runs before every other handler of a private command or key (see `leave_open_steps`).
BEFORE_COMMANDS = -2


def register(app: App) -> None:
    """Before the router: a key's text is a command, not a step of the member's flow."""
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.COMMAND | (filters.TEXT & _IsKey())),
            leave_open_steps,
        ),
        group=BEFORE_COMMANDS,
    )
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & _IsKey(), on_key
        )
    )
