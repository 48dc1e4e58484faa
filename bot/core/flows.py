"""Guided conversations, declared in one place.

A conversation is a `Flow`: its draft is a typed model (pydantic), its steps an enum, and a
table maps (step, button action) and (step, message) to the function that handles it, as
ultimate-poll-bot maps its callback types. State lives in the database
(`conversation_states`, one active flow per user), every change bumps its version, and
every button carries that version, so a tap on an old card is recognised.

    class Step(enum.StrEnum):
        CARD = "card"
        NOTES = "notes"

    class Act(enum.StrEnum):
        DATE = "d"
        SAVE = "ok"

    class VisitDraft(BaseModel):
        village_id: int | None = None
        ...

    VISIT = Flow("visit", "vis", VisitDraft, Step)

    @VISIT.on(Step.CARD, Act.DATE)
    async def pick_date(ctx: FlowTurn[VisitDraft, Step], press: Press) -> None:
        day = press.day(0)
        ...

    @VISIT.on_message(Step.NOTES)
    async def type_notes(ctx: FlowTurn[VisitDraft, Step]) -> None: ...

Button data is `<code>:<action>:<version>:<args…>`, signed for its owner by the codec
(`bot.core.callbacks`): a handler runs only for the person the card was sent to, for a
known action at the step the flow is in, at the card's version, with a draft that
validates. Anything else is answered with the stale-button alert and changes nothing. An
argument that does not parse (`Press.number`, `Press.day`, ...) is the same: `BadPress`.

Buttons outside a flow (a secretary's approve button, a case card) are declared the same
way with `Buttons`: a table from action to function, no version, no step.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import update as update_
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.callbacks import Cb
from bot.core.i18n import N_
from bot.core.models import ConversationState
from bot.core.roles import Role
from bot.core.services import services
from bot.core.turn import (
    App,
    Button,
    Context,
    FlowState,
    MemberTurn,
    Turn,
    admitted,
    read_state,
    resumable,
)
from bot.core.work import current as current_work

log = logging.getLogger(__name__)

STALE = N_("This button is from an old message and no longer works.")
USE_BUTTONS = N_("Please use the buttons under the last message, or send /cancel to stop.")

D = TypeVar("D", bound=BaseModel)
S = TypeVar("S", bound=enum.StrEnum)

FlowHandler = Callable[[Turn, FlowState], Awaitable[None]]
# Every flow's message handler, by flow name: the router hands a private message to the
# user's current flow.
FLOW_HANDLERS: dict[str, FlowHandler] = {}


# Steps where typed text goes into something open on the screen (a report's section), by
# flow: another command (or a key) leaves them for the step given, so that text typed later,
# when that view is no longer the one in front of the member, is asked about instead of
# being added to it unseen.
LEFT_BY_COMMANDS: dict[str, dict[str, str]] = {}


async def leave_open_steps(update: Update, context: Context) -> None:
    """Before a command runs: a flow at one of its open steps goes back to the step it
    declares, with a new version (the open view's buttons are old from now on)."""
    user = update.effective_user
    if user is None or not LEFT_BY_COMMANDS:
        return
    svc = services(context)
    user_id = user.id

    async def leave(session: AsyncSession) -> None:
        work = current_work()
        state = await read_state(session, user_id)
        to = LEFT_BY_COMMANDS.get(state.flow, {}).get(state.step) if state else None
        if state is None or to is None:
            if work is not None:  # the command's `Turn.load` need not read it again
                work.know_flow_state(user_id, state)
            return
        await session.execute(
            update_(ConversationState)
            .where(
                ConversationState.telegram_user_id == user_id,
                ConversationState.version == state.version,
            )
            .values(step=to, version=ConversationState.version + 1, updated_at=svc.clock.now())
        )

    # The first database work of a command: a dropped connection costs a second attempt.
    await svc.in_transaction(leave)


class BadPress(Exception):
    """Button data that does not parse: treated as a stale button."""


@dataclass(frozen=True)
class Press:
    """A decoded button press: the action and its arguments (strings until asked for)."""

    action: str
    args: tuple[str, ...]

    def arg(self, index: int) -> str:
        try:
            return self.args[index]
        except IndexError:
            raise BadPress(index) from None

    def number(self, index: int) -> int:
        text = self.arg(index)
        if not text.lstrip("-").isdigit() or len(text) > 18:
            raise BadPress(index)
        return int(text)

    def day(self, index: int) -> date:
        try:
            return datetime.strptime(self.arg(index), "%Y%m%d").date()
        except ValueError:
            raise BadPress(index) from None

    def choice(self, index: int, options: Sequence[str]) -> str:
        text = self.arg(index)
        if text not in options:
            raise BadPress(index)
        return text


def date_arg(day: date) -> str:
    return f"{day:%Y%m%d}"


class FlowTurn(Generic[D, S]):
    """One update inside a flow: the member's turn, the step, the typed draft and the
    version of the card being answered."""

    def __init__(self, flow: Flow[D, S], turn: MemberTurn, step: S, draft: D, version: int):
        self.flow = flow
        self.turn = turn
        self.step = step
        self.draft = draft
        self.version = version

    @property
    def _(self) -> Callable[[str], Any]:
        return self.turn._

    def button(self, label: str, action: enum.StrEnum, *args: object) -> Button:
        """A button of this flow's current card (it carries the current version)."""
        return self.flow.button(self.turn, label, self.version, action, *args)

    async def save(
        self, session: AsyncSession, step: S | None = None, draft: D | None = None
    ) -> int:
        """Store the flow at `step` with `draft` (the current ones by default); the new
        version is what the next card's buttons carry."""
        self.step = step if step is not None else self.step
        self.draft = draft if draft is not None else self.draft
        self.version = await self.turn.set_state(
            session, self.flow.name, self.step, self.draft.model_dump(mode="json")
        )
        return self.version

    async def end(self, session: AsyncSession) -> bool:
        """The flow ends with this update; False when it already moved on (an old card)."""
        return await self.turn.take_state(session, self.flow.name, self.version)

    async def stale(self) -> None:
        await self.turn.answer(self.turn._(STALE), alert=True)


ButtonFn = Callable[[FlowTurn[D, S], Press], Awaitable[None]]
MessageFn = Callable[[FlowTurn[D, S]], Awaitable[None]]


class Flow(Generic[D, S]):
    """A declared conversation. `code` prefixes its button data (a few letters)."""

    def __init__(
        self,
        name: str,
        code: str,
        draft: type[D],
        steps: type[S],
        *,
        roles: Sequence[Role] = (),
        keep: Callable[[D], bool] | None = None,
        left_by_commands: Mapping[S, S] | None = None,
    ) -> None:
        self.name = name
        self.code = code
        self.draft_type = draft
        self.steps = steps
        self.roles = tuple(roles)
        self.keep = keep
        self.buttons: dict[tuple[S | None, str], ButtonFn[D, S]] = {}
        self.messages: dict[S, MessageFn[D, S]] = {}
        FLOW_HANDLERS[name] = self._on_message
        if left_by_commands:
            LEFT_BY_COMMANDS[name] = {str(a): str(b) for a, b in left_by_commands.items()}
        if keep is not None:
            # An unfinished draft worth keeping is set aside when another flow starts.
            resumable(name, self._worth_keeping)

    def _worth_keeping(self, state: FlowState) -> bool:
        draft = self._valid(state.data)
        return draft is not None and self.keep is not None and self.keep(draft)

    # --- declaration ------------------------------------------------------------------

    def on(
        self, step: S | None, *actions: enum.StrEnum
    ) -> Callable[[ButtonFn[D, S]], ButtonFn[D, S]]:
        """Handle `actions` pressed at `step` (None: at any step)."""

        def register(func: ButtonFn[D, S]) -> ButtonFn[D, S]:
            for action in actions:
                key = (step, str(action))
                if key in self.buttons:
                    raise ValueError(f"{self.name}: {key} is handled twice")
                self.buttons[key] = func
            return func

        return register

    def on_message(self, *steps: S) -> Callable[[MessageFn[D, S]], MessageFn[D, S]]:
        """Handle what the member sends (text, photo, location…) at `steps`."""

        def register(func: MessageFn[D, S]) -> MessageFn[D, S]:
            for step in steps:
                self.messages[step] = func
            return func

        return register

    def register(self, app: App) -> None:
        app.add_handler(CallbackQueryHandler(self._on_button, pattern=rf"^{self.code}:"))

    # --- use --------------------------------------------------------------------------

    def button(
        self, turn: Turn, label: str, version: int, action: enum.StrEnum, *args: object
    ) -> Button:
        return (label, turn.cb(self.code, str(action), version, *args))

    def action(self, turn: Turn, version: int, action: enum.StrEnum, *args: object) -> Cb:
        return turn.cb(self.code, str(action), version, *args)

    async def start(
        self, turn: MemberTurn, session: AsyncSession, step: S, draft: D
    ) -> FlowTurn[D, S]:
        """Make this flow the member's active one, at `step` with `draft`."""
        ctx = FlowTurn(self, turn, step, draft, 0)
        await ctx.save(session)
        return ctx

    def current(self, turn: MemberTurn) -> FlowTurn[D, S] | None:
        """The member's flow as the update found it, if it is this one and its draft
        validates."""
        state = turn.flow_state
        if state is None or state.flow != self.name:
            return None
        return self._context(turn, state)

    async def resume(
        self,
        turn: MemberTurn,
        session: AsyncSession,
        fits: Callable[[D], bool],
        step_of: Callable[[D, S], S] | None = None,
    ) -> FlowTurn[D, S] | None:
        """The member's unfinished draft of this flow (active, or set aside by another
        command), made active again when it `fits`; else None."""
        state = await turn.resume(
            session,
            self.name,
            lambda s: self._valid(s.data) is not None and fits(self._draft(s.data)),
            None if step_of is None else lambda s: step_of(self._draft(s.data), self._step(s)),
        )
        return None if state is None else self._context(turn, state)

    # --- dispatch ---------------------------------------------------------------------

    def _valid(self, data: dict[str, Any]) -> D | None:
        try:
            return self.draft_type.model_validate(data)
        except ValidationError:
            return None

    def _draft(self, data: dict[str, Any]) -> D:
        return self.draft_type.model_validate(data)

    def _step(self, state: FlowState) -> S:
        return self.steps(state.step)

    def _context(self, turn: MemberTurn, state: FlowState) -> FlowTurn[D, S] | None:
        draft = self._valid(state.data)
        if draft is None or state.step not in self.steps._value2member_map_:
            return None
        return FlowTurn(self, turn, self._step(state), draft, state.version)

    async def _on_button(self, update: Update, context: Context) -> None:
        turn = await MemberTurn.load(update, context)
        if not await admitted(turn, self.roles):
            return
        parts = turn.callback_parts() or []
        state = turn.flow_state
        ctx = self._context(turn, state) if state is not None and state.flow == self.name else None
        handler = None
        if ctx is not None and len(parts) >= 2 and parts[1] == str(ctx.version):
            action = parts[0]
            handler = self.buttons.get((ctx.step, action)) or self.buttons.get((None, action))
        if ctx is None or handler is None:
            await turn.answer(turn._(STALE), alert=True)
            return
        try:
            await handler(ctx, Press(parts[0], tuple(parts[2:])))
        except BadPress:
            await turn.answer(turn._(STALE), alert=True)

    async def _on_message(self, turn: Turn, state: FlowState) -> None:
        member = MemberTurn.of(turn)
        ctx = self._context(member, state)
        handler = None if ctx is None else self.messages.get(ctx.step)
        if ctx is None or handler is None:
            await turn.send(turn._(USE_BUTTONS))
            return
        await handler(ctx)


TurnFn = Callable[[MemberTurn, Press], Awaitable[None]]


class Buttons:
    """Buttons outside a flow, declared as a table from action to function. Each function
    receives the member's turn and the decoded press, and re-checks what the press points
    at (a signed button is the owner's, but may be old)."""

    def __init__(self, code: str, *, roles: Sequence[Role] = ()) -> None:
        self.code = code
        self.roles = tuple(roles)
        self.table: dict[str, TurnFn] = {}

    def on(self, *actions: enum.StrEnum) -> Callable[[TurnFn], TurnFn]:
        def register(func: TurnFn) -> TurnFn:
            for action in actions:
                if str(action) in self.table:
                    raise ValueError(f"{self.code}: {action} is handled twice")
                self.table[str(action)] = func
            return func

        return register

    def button(self, turn: Turn, label: str, action: enum.StrEnum, *args: object) -> Button:
        return (label, turn.cb(self.code, str(action), *args))

    def register(self, app: App) -> None:
        app.add_handler(CallbackQueryHandler(self._on_button, pattern=rf"^{self.code}:"))

    async def _on_button(self, update: Update, context: Context) -> None:
        turn = await MemberTurn.load(update, context)
        if not await admitted(turn, self.roles):
            return
        parts = turn.callback_parts() or []
        handler = self.table.get(parts[0]) if parts else None
        if handler is None:
            await turn.answer(turn._(STALE), alert=True)
            return
        try:
            await handler(turn, Press(parts[0], tuple(parts[1:])))
        except BadPress:
            await turn.answer(turn._(STALE), alert=True)
