"""Deep links into the private chat with the bot (`https://t.me/<bot>?start=<payload>`).

A URL button is nobody's: anyone in a group may press it, and it opens their own private chat
with the bot, where the bot answers them alone. So a group post offers more through a deep
link, never through a callback button bound to one person. A feature registers what a
payload prefix shows (`on_start`); registration's /start asks `handler_for` before it reads
the payload as an invitation."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.services import Services
from bot.core.turn import Turn

StartHandler = Callable[[Turn, str], Awaitable[None]]

_HANDLERS: dict[str, StartHandler] = {}
# Telegram allows A-Z, a-z, 0-9, _ and - in a start parameter, at most 64 characters.
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SEPARATOR = "-"
# Ids are 32-bit integers in the database: nine digits always fit.
_ID_DIGITS = 9


def on_start(prefix: str) -> Callable[[StartHandler], StartHandler]:
    """Register what `/start <prefix>-<arg>` shows in a private chat."""

    def register(handler: StartHandler) -> StartHandler:
        _HANDLERS[prefix] = handler
        return handler

    return register


def handler_for(payload: str) -> tuple[StartHandler, str] | None:
    """The registered handler of a start payload and its argument, or None (an invitation)."""
    prefix, separator, arg = payload.partition(_SEPARATOR)
    handler = _HANDLERS.get(prefix)
    if not separator or handler is None:
        return None
    return handler, arg


def link_id(arg: str) -> int | None:
    """The database id a deep link's argument names, or None: a payload may be typed by
    hand (`/start rules-²`, `/start rules-99999999999`), so only plain ASCII digits of an id
    a table can hold count."""
    if not (arg.isascii() and arg.isdigit()) or len(arg) > _ID_DIGITS:
        return None
    return int(arg)


def bot_username(svc: Services) -> str:
    """The bot's @username (without the @): configured, or learnt from getMe at start."""
    return svc.settings.telegram.bot_username or str(svc.extras.get("bot_username") or "")


def deep_link(username: str, prefix: str, arg: object) -> str:
    payload = f"{prefix}{_SEPARATOR}{arg}"
    if not _PAYLOAD.match(payload):
        raise ValueError(f"not a valid start parameter: {payload!r}")
    return f"https://t.me/{username}?start={payload}"


def url_markup(label: str, url: str) -> dict[str, Any]:
    """One URL button, as an outbox row's reply markup."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]]).to_dict()
