"""The table of Bot API methods the emulator answers: lower-case name -> function."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.web.botapi.rules import Params
    from devkit.emulator.core import BotApiEmulator, BotState

Method = Callable[["BotApiEmulator", "BotState", "Params", asyncio.Event], Awaitable[Any]]
METHODS: dict[str, Method] = {}
METHOD_NAMES: dict[str, str] = {}  # lower-case -> canonical (sendMessage)


def method(fn: Method) -> Method:
    METHODS[fn.__name__.lower()] = fn
    METHOD_NAMES[fn.__name__.lower()] = fn.__name__
    return fn
