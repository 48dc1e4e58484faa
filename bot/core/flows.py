"""Registry of guided flows: a flow's handler receives every private non-command message
(text, photo, location, sticker, ...) while the user is in that flow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.turn import FlowState, Turn

FlowHandler = Callable[[Turn, FlowState], Awaitable[None]]
FLOW_HANDLERS: dict[str, FlowHandler] = {}


def flow(name: str) -> Callable[[FlowHandler], FlowHandler]:
    def register(func: FlowHandler) -> FlowHandler:
        FLOW_HANDLERS[name] = func
        return func

    return register
