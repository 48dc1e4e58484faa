"""A declared conversation open to people who are not members yet: registration.

`bot.core.flows.Flow` hands its functions a member's turn (the actor is never None), which a
newcomer following an invitation link is not. `GuestFlow` is declared the same way (a typed
draft, a step enum, a table from (step, action) and (step, message) to function, versioned
and signed buttons) but its functions receive a plain `Turn`, whose actor may be None. The
router gives a private message to the `register` flow before it checks membership.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.flows import FLOW_HANDLERS, STALE, USE_BUTTONS, BadPress, Press
from bot.core.turn import App, Button, Context, FlowState, Turn

D = TypeVar("D", bound=BaseModel)
S = TypeVar("S", bound=enum.StrEnum)


class GuestTurn(Generic[D, S]):
    """One update inside a guest flow: the turn, the step, the typed draft and the version
    of the card being answered."""

    def __init__(self, flow: GuestFlow[D, S], turn: Turn, step: S, draft: D, version: int):
        self.flow = flow
        self.turn = turn
        self.step = step
        self.draft = draft
        self.version = version

    @property
    def _(self) -> Callable[[str], Any]:
        return self.turn._

    def button(self, label: str, action: enum.StrEnum, *args: object) -> Button:
        return (label, self.turn.cb(self.flow.code, str(action), self.version, *args))

    async def save(
        self, session: AsyncSession, step: S | None = None, draft: D | None = None
    ) -> int:
        self.step = step if step is not None else self.step
        self.draft = draft if draft is not None else self.draft
        self.version = await self.turn.set_state(
            session, self.flow.name, self.step, self.draft.model_dump(mode="json")
        )
        return self.version

    async def end(self, session: AsyncSession) -> bool:
        """The flow ends with this update; False when it already moved on (an old card)."""
        return await self.turn.take_state(session, self.flow.name, self.version)


GuestButtonFn = Callable[[GuestTurn[D, S], Press], Awaitable[None]]
GuestMessageFn = Callable[[GuestTurn[D, S]], Awaitable[None]]


class GuestFlow(Generic[D, S]):
    def __init__(self, name: str, code: str, draft: type[D], steps: type[S]) -> None:
        self.name = name
        self.code = code
        self.draft_type = draft
        self.steps = steps
        self.buttons: dict[tuple[S, str], GuestButtonFn[D, S]] = {}
        self.messages: dict[S, GuestMessageFn[D, S]] = {}
        FLOW_HANDLERS[name] = self._on_message

    def on(
        self, step: S, *actions: enum.StrEnum
    ) -> Callable[[GuestButtonFn[D, S]], GuestButtonFn[D, S]]:
        def register(func: GuestButtonFn[D, S]) -> GuestButtonFn[D, S]:
            for action in actions:
                key = (step, str(action))
                if key in self.buttons:
                    raise ValueError(f"{self.name}: {key} is handled twice")
                self.buttons[key] = func
            return func

        return register

    def on_message(self, *steps: S) -> Callable[[GuestMessageFn[D, S]], GuestMessageFn[D, S]]:
        def register(func: GuestMessageFn[D, S]) -> GuestMessageFn[D, S]:
            for step in steps:
                self.messages[step] = func
            return func

        return register

    def register(self, app: App) -> None:
        app.add_handler(CallbackQueryHandler(self._on_button, pattern=rf"^{self.code}:"))

    async def start(self, turn: Turn, session: AsyncSession, step: S, draft: D) -> GuestTurn[D, S]:
        ctx = GuestTurn(self, turn, step, draft, 0)
        await ctx.save(session)
        return ctx

    def _context(self, turn: Turn, state: FlowState | None) -> GuestTurn[D, S] | None:
        if state is None or state.flow != self.name:
            return None
        if state.step not in self.steps._value2member_map_:
            return None
        try:
            draft = self.draft_type.model_validate(state.data)
        except ValidationError:
            return None
        return GuestTurn(self, turn, self.steps(state.step), draft, state.version)

    async def _on_button(self, update: Update, context: Context) -> None:
        turn = await Turn.load(update, context)
        parts = turn.callback_parts() or []
        ctx = self._context(turn, turn.flow_state)
        handler = None
        if ctx is not None and len(parts) >= 2 and parts[1] == str(ctx.version):
            handler = self.buttons.get((ctx.step, parts[0]))
        if ctx is None or handler is None:
            await turn.answer(turn._(STALE), alert=True)
            return
        try:
            await handler(ctx, Press(parts[0], tuple(parts[2:])))
        except BadPress:
            await turn.answer(turn._(STALE), alert=True)

    async def _on_message(self, turn: Turn, state: FlowState) -> None:
        ctx = self._context(turn, state)
        handler = None if ctx is None else self.messages.get(ctx.step)
        if ctx is None or handler is None:
            await turn.send(turn._(USE_BUTTONS))
            return
        await handler(ctx)
