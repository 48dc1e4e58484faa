"""Per-update helpers shared by the feature handlers: who is acting, their language,
persisted flow state, replies and signed buttons."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, wraps
from typing import Any, Self, TypeAlias

from sqlalchemy import BigInteger, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated
from telegram.ext import Application, ContextTypes

from bot.core.access import Actor
from bot.core.callbacks import Cb
from bot.core.db import members as member_db
from bot.core.db.engine import core, insert_for
from bot.core.i18n import N_, Gettext, gettext_for, normalize_language
from bot.core.models import ConversationState, Member, MemberRole, ParkedFlow
from bot.core.models.core import PARKED_DAYS
from bot.core.outbox import Addressee, Outgoing, to_member
from bot.core.refusals import safe_reason
from bot.core.render import listing
from bot.core.roles import ROLE_LABELS
from bot.core.services import Services, services
from bot.core.text import Html, as_html, clean_line, plain
from bot.core.work import commit_pending
from bot.core.work import current as current_work

log = logging.getLogger(__name__)

Context: TypeAlias = ContextTypes.DEFAULT_TYPE
# The application as the bot builds it (bot/app.py).
App: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Handler: TypeAlias = Callable[[Update, Context], Coroutine[Any, Any, None]]
Button: TypeAlias = tuple[str, Cb | str]  # (label, an action, or a URL)

# Flows whose unfinished draft is set aside, not lost, when the user starts another flow;
# each offers it back when started again (`Turn.resume`). Feature modules add theirs, with
# what makes a draft worth keeping (one with nothing entered yet is just dropped).
RESUMABLE_FLOWS: dict[str, Callable[[FlowState], bool]] = {}


def _always(state: FlowState) -> bool:
    return True


# What Telegram answers when the message whose button was pressed is gone: it keeps no
# buttons to take away. Any other refusal of the edit (can't be edited, too old for the
# server, a photo's caption, or words of another server) sends the view anew.
_GONE = "message to edit not found"


def resumable(flow: str, worth_keeping: Callable[[FlowState], bool] = _always) -> None:
    RESUMABLE_FLOWS[flow] = worth_keeping


@dataclass
class FlowState:
    flow: str
    step: str
    data: dict[str, Any]
    version: int


class Turn:
    """Everything one update needs: services, the acting member (if any), translations."""

    def __init__(
        self,
        update: Update,
        context: Context,
        actor: Actor | None,
        flow_state: FlowState | None = None,
    ) -> None:
        self.update = update
        self.context = context
        self.svc: Services = services(context)
        self.actor = actor
        # The user's flow state as it was when the update arrived (read with the actor, in
        # the same transaction); writes still go through `state`/`set_state` in a transaction.
        self.flow_state = flow_state
        # The state as this update last left it (set, cleared or taken), for parking.
        self._latest = flow_state
        user = update.effective_user
        self.user_id = user.id if user else 0
        self.lang = normalize_language(actor.language if actor else self.svc.settings.language)
        self._: Gettext = gettext_for(self.lang)

    @classmethod
    async def load(cls, update: Update, context: Context) -> Self:
        svc = services(context)
        actor = None
        flow_state = None
        user = update.effective_user
        if user is not None:
            user_id = user.id

            async def read(session: AsyncSession) -> tuple[Actor | None, FlowState | None]:
                known = work.take_flow_state(user_id) if (work := current_work()) else None
                if known is not None:  # read by this update already (`leave_open_steps`)
                    actor, state = await member_db.actor_for(session, user_id), known[0]
                else:
                    actor, state = await actor_and_state(session, user_id)
                if actor is not None and actor.unreachable:
                    # They wrote to us, so they can be reached again.
                    await member_db.mark_reachable(session, user_id, True)
                return actor, state

            # The first database work of the update: a connection dropped since the last one
            # costs a second attempt, not an apology to the user.
            actor, flow_state = await svc.in_transaction(read)
        return cls(update, context, actor, flow_state)

    @property
    def now(self) -> datetime:
        return self.svc.clock.now()

    def role_label(self, role: str) -> str:
        return self._(ROLE_LABELS.get(role, role))

    # --- replies ---------------------------------------------------------------------

    def keyboard(
        self, rows: Sequence[Sequence[Button]], owner: int | None = None
    ) -> InlineKeyboardMarkup | None:
        """Inline buttons, each signed for `owner` (the person the message is for; by default
        whoever this update came from): nobody else can press them."""
        rows = [row for row in rows if row]
        if not rows:  # Telegram rejects an inline keyboard without buttons
            return None
        owner = self.user_id if owner is None else owner
        codec = self.svc.codec
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(plain(label), url=data)
                    if isinstance(data, str)
                    else InlineKeyboardButton(plain(label), callback_data=codec.sign(data, owner))
                    for label, data in row
                ]
                for row in rows
            ]
        )

    def markup(self, rows: Sequence[Sequence[Button]], owner: int) -> dict[str, Any] | None:
        """An outbox row's inline buttons, signed for `owner` (the person it goes to)."""
        keyboard = self.keyboard(rows, owner=owner)
        return None if keyboard is None else keyboard.to_dict()

    def notice(
        self,
        person: Addressee,
        key: str,
        job: str,
        text: Html,
        rows: Sequence[Sequence[Button]] = (),
        *,
        township_id: int | None = None,
    ) -> Outgoing:
        """A message for the outbox to another member, with buttons signed for them (see
        `to_member` for its key); queue it in the transaction that decided it, then
        `send_queued`."""
        return to_member(
            person,
            key,
            job,
            text,
            township_id=township_id,
            reply_markup=self.markup(rows, person.telegram_user_id),
        )

    async def send_queued(self) -> None:
        """Send what this update queued in the outbox at once. A failure here loses nothing:
        the rows stay queued and the scheduler's timer sends them."""
        await commit_pending()  # a failure to save is the action's failure, not the send's
        scheduler = self.context.application.bot_data.get("scheduler")
        if scheduler is None:
            return
        try:
            await scheduler.sender.drain()
        except Exception as exc:
            log.warning("outbox left for the timer after a failed drain (%s)", type(exc).__name__)

    def cb(self, feature: str, *parts: object) -> Cb:
        """A button's action; signed for its owner when the keyboard is built."""
        return self.svc.codec.action(feature, *parts)

    async def send(
        self, text: object, rows: Sequence[Sequence[Button]] = (), chat_id: int | None = None
    ) -> Message:
        """Send `text` (`Html`, or text to escape). Buttons in a private chat belong to that
        chat's person; in a group, to whoever this update came from. A group that became a
        supergroup unseen (Telegram answers with its new id) is followed, as the outbox does:
        its townships keep it as their group, and the message goes to the new id."""
        chat = self.update.effective_chat
        target = chat_id or (chat.id if chat else 0)
        owner = target if target > 0 else self.user_id
        html, markup = as_html(text), self.keyboard(rows, owner)
        try:
            return await self.context.bot.send_message(
                target, html, reply_markup=markup, message_thread_id=self._topic_in(target)
            )
        except ChatMigrated as exc:
            moved = int(exc.new_chat_id)
            log.info("a group became a supergroup; sending to its new id")
            async with self.svc.transaction() as session:
                await member_db.move_group(session, target, moved, self.now)
            return await self.context.bot.send_message(moved, html, reply_markup=markup)

    def _topic_in(self, chat_id: int) -> int | None:
        """The forum topic this update came from, when the send goes to its chat: an answer
        in a group's topic stays in that topic instead of landing in General."""
        message = self.update.effective_message
        if not isinstance(message, Message) or message.chat.id != chat_id:
            return None
        return message.message_thread_id if message.is_topic_message else None

    async def show(self, text: object, rows: Sequence[Sequence[Button]] = ()) -> None:
        """Edit the message whose button was pressed into `text`, or send it as a new one:
        when there is no such message, or it cannot be edited (gone, a photo's or document's
        caption, too old for the server). The old message then loses its buttons, as an edit
        would have taken them, so that only the new view's act."""
        query = self.update.callback_query
        message = query.message if query is not None else None
        if not isinstance(message, Message):
            await self.send(text, rows)
            return
        try:
            await message.edit_text(as_html(text), reply_markup=self.keyboard(rows))
            return
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return
            # A refusal the new message would meet too (too long, a bad button) is raised by
            # the send below.
            log.info("edit refused (%s); sending the view anew", safe_reason(exc))
        await self.send(text, rows)
        if message.reply_markup is not None and _GONE not in reason:
            with contextlib.suppress(BadRequest):  # gone meanwhile, or not even that allowed
                await message.edit_reply_markup(reply_markup=None)

    async def answer(self, text: object | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a short notice, or an alert); plain text, no HTML."""
        query = self.update.callback_query
        if query is not None:
            # A query too old to answer gives BadRequest; nothing the user could see anyway.
            with contextlib.suppress(BadRequest):
                await query.answer(None if text is None else plain(text), show_alert=alert)

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    def callback_parts(self) -> list[str] | None:
        """The pressed button's parts; None when it was not signed for this user (the
        buttons dispatcher has already refused such a press before any handler runs)."""
        query = self.update.callback_query
        return self.svc.codec.unpack(query.data if query else None, self.user_id)

    def text(self) -> str:
        message = self.update.effective_message
        return clean_line(message.text or "") if message and message.text else ""

    # --- flow state ------------------------------------------------------------------

    async def state(self, session: AsyncSession) -> FlowState | None:
        return await read_state(session, self.user_id)

    async def set_state(
        self, session: AsyncSession, flow: str, step: str, data: dict[str, Any]
    ) -> int:
        """Store the user's flow state and return its new version, in one statement (every
        tap of a flow ends here): an insert that becomes an update when a state exists.
        Starting another flow first sets an unfinished resumable one aside (`resume`)."""
        latest = self._latest
        if latest is not None and latest.flow != flow:
            worth_keeping = RESUMABLE_FLOWS.get(latest.flow)
            if worth_keeping is not None and worth_keeping(latest):
                await self._park(session, latest)
        version = await (await core(session)).scalar(
            _state_upsert(self.svc.engine.dialect.name),
            {
                "telegram_user_id": self.user_id,
                "flow": flow,
                "step": step,
                "data": dict(data),
                "updated_at": self.now,
            },
        )
        assert version is not None  # an upsert's RETURNING always has its row
        self._latest = FlowState(flow, step, dict(data), int(version))
        return int(version)

    async def _park(self, session: AsyncSession, state: FlowState) -> None:
        await session.execute(
            delete(ParkedFlow).where(
                ParkedFlow.telegram_user_id == self.user_id, ParkedFlow.flow == state.flow
            )
        )
        session.add(
            ParkedFlow(
                telegram_user_id=self.user_id,
                flow=state.flow,
                step=state.step,
                data=dict(state.data),
                parked_at=self.now,
            )
        )
        await session.flush()

    async def resume(
        self,
        session: AsyncSession,
        flow: str,
        fits: Callable[[FlowState], bool],
        step_of: Callable[[FlowState], str] | None = None,
    ) -> FlowState | None:
        """The user's unfinished `flow` (the active one, or one set aside by another command
        no more than `PARKED_DAYS` ago), made the active flow again at `step_of` it (its own
        step by default) with a new version, when it `fits` the start at hand; else None (a
        draft set aside is then dropped)."""
        state = self.flow_state
        if state is None or state.flow != flow:
            state = await self._take_parked(session, flow)
        if state is None or not fits(state):
            return None
        step = step_of(state) if step_of is not None else state.step
        version = await self.set_state(session, flow, step, state.data)
        return FlowState(flow, step, state.data, version)

    async def _take_parked(self, session: AsyncSession, flow: str) -> FlowState | None:
        connection = await core(session)
        key = {"telegram_user_id": self.user_id, "flow": flow}
        parked = (await connection.execute(_PARKED, key)).first()
        if parked is None:
            return None
        step, data, parked_at = parked.step, dict(parked.data or {}), parked.parked_at
        await connection.execute(_UNPARK, key)
        if self.now - parked_at > timedelta(days=PARKED_DAYS):
            return None
        return FlowState(flow, step, data, 0)

    async def take_state(self, session: AsyncSession, flow: str, version: int) -> bool:
        """Delete the user's flow state if it is still `flow` at `version` (the flow ends
        with this tap); False when it moved on or is gone (an old button)."""
        result = await (await core(session)).execute(
            _TAKE_STATE, {"telegram_user_id": self.user_id, "flow": flow, "version": version}
        )
        taken = bool(result.rowcount)
        if taken:
            self._latest = None
        return taken

    async def clear_state(self, session: AsyncSession) -> None:
        self._latest = None
        await session.execute(
            delete(ConversationState).where(ConversationState.telegram_user_id == self.user_id)
        )


class MemberTurn(Turn):
    """A turn of an admitted member: `actor` is never None (`member_only`, `Flow` and
    `Buttons` hand these to their functions only after `admitted`)."""

    actor: Actor

    @classmethod
    def of(cls, turn: Turn) -> MemberTurn:
        if turn.actor is None:
            raise ValueError("not a member's turn")
        if isinstance(turn, MemberTurn):
            return turn
        member = cls.__new__(cls)
        member.__dict__.update(turn.__dict__)
        return member


@cache
def _state_upsert(dialect: str) -> Any:
    """Insert the flow state, or update it and bump its version; built once per dialect
    (an upsert's `excluded` table is costly to build on every tap)."""
    columns = ConversationState.__table__.c
    row = insert_for(dialect, ConversationState).values(
        telegram_user_id=bindparam("telegram_user_id", type_=columns.telegram_user_id.type),
        flow=bindparam("flow", type_=columns.flow.type),
        step=bindparam("step", type_=columns.step.type),
        data=bindparam("data", type_=columns.data.type),
        version=1,
        updated_at=bindparam("updated_at", type_=columns.updated_at.type),
    )
    return row.on_conflict_do_update(
        index_elements=[ConversationState.telegram_user_id],
        set_={
            "flow": row.excluded.flow,
            "step": row.excluded.step,
            "data": row.excluded.data,
            "version": ConversationState.version + 1,
            "updated_at": row.excluded.updated_at,
        },
    ).returning(ConversationState.version)


_PARKED = select(ParkedFlow.step, ParkedFlow.data, ParkedFlow.parked_at).where(
    ParkedFlow.telegram_user_id == bindparam("telegram_user_id"),
    ParkedFlow.flow == bindparam("flow"),
)
_UNPARK = delete(ParkedFlow).where(
    ParkedFlow.telegram_user_id == bindparam("telegram_user_id"),
    ParkedFlow.flow == bindparam("flow"),
)

_TAKE_STATE = delete(ConversationState).where(
    ConversationState.telegram_user_id == bindparam("telegram_user_id"),
    ConversationState.flow == bindparam("flow"),
    ConversationState.version == bindparam("version"),
)

_STATE = select(
    ConversationState.flow,
    ConversationState.step,
    ConversationState.data,
    ConversationState.version,
).where(ConversationState.telegram_user_id == bindparam("telegram_user_id"))


async def read_state(session: AsyncSession, telegram_user_id: int) -> FlowState | None:
    connection = await core(session)
    row = (await connection.execute(_STATE, {"telegram_user_id": telegram_user_id})).first()
    return _state_of(row)


def _state_of(row: Any) -> FlowState | None:
    if row is None or row.flow is None:
        return None
    return FlowState(row.flow, row.step, dict(row.data or {}), row.version)


# The first statement of every update: the member with their roles (a row per role) and the
# user's flow state (on every row), joined to a one-row table of the user's id so that a
# stranger's flow state (registration) comes back too.
_WHO = select(bindparam("telegram_user_id", type_=BigInteger).label("telegram_user_id")).subquery()
_ACTOR_AND_STATE = (
    select(
        *member_db.ACTOR_COLUMNS,
        ConversationState.flow,
        ConversationState.step,
        ConversationState.data,
        ConversationState.version,
    )
    .select_from(_WHO)
    .outerjoin(Member, Member.telegram_user_id == _WHO.c.telegram_user_id)
    .outerjoin(MemberRole, MemberRole.member_id == Member.id)
    .outerjoin(ConversationState, ConversationState.telegram_user_id == _WHO.c.telegram_user_id)
)


async def actor_and_state(
    session: AsyncSession, telegram_user_id: int
) -> tuple[Actor | None, FlowState | None]:
    """Who the user is and where they are in a flow, in one statement."""
    connection = await core(session)
    result = await connection.execute(_ACTOR_AND_STATE, {"telegram_user_id": telegram_user_id})
    rows = result.all()
    return member_db.actor_of_rows(telegram_user_id, rows), _state_of(rows[0] if rows else None)


def member_only(*roles: str) -> Callable[[Callable[[MemberTurn], Awaitable[None]]], Handler]:
    """Guard a handler: strangers and deactivated members are refused politely; with `roles`,
    the member must hold one of them (in some township)."""

    def decorate(func: Callable[[MemberTurn], Awaitable[None]]) -> Handler:
        @wraps(func)
        async def handler(update: Update, context: Context) -> None:
            turn = await MemberTurn.load(update, context)
            if not await admitted(turn, roles):
                return
            await func(turn)

        return handler

    return decorate


async def admitted(turn: Turn, roles: Sequence[str] = ()) -> bool:
    _ = turn._
    actor = turn.actor
    if actor is None or not actor.grants:
        await refuse(turn, _(FINISH_REGISTERING) if registering(turn) else stranger_text(_))
        return False
    if not actor.active:
        await refuse(
            turn,
            _("Your account has been deactivated. Please contact your township secretary."),
        )
        return False
    if roles and not (actor.roles & set(roles)):
        await refuse(
            turn,
            _("Sorry, this is only for: {roles}.").format(
                roles=listing(turn.lang, (turn.role_label(r) for r in roles))
            ),
        )
        return False
    return True


# The one conversation of someone who is not a member yet (`bot.members.flow.JOIN`).
REGISTRATION_FLOW = "register"
FINISH_REGISTERING = N_(
    "Please finish registering first: confirm your name or change it with the buttons "
    "above, or send /cancel to stop."
)


def registering(turn: Turn) -> bool:
    """A stranger in the middle of registering: their commands are not yet theirs to use,
    but they are not strangers to be turned away either."""
    state = turn.flow_state
    no_grants = turn.actor is None or not turn.actor.grants
    return no_grants and state is not None and state.flow == REGISTRATION_FLOW


def stranger_text(_: Gettext) -> str:
    return _(
        "This bot is for registered township staff. If you are a cadre, mediator or "
        "secretary, please ask your township secretary for an invitation link."
    )


async def refuse(turn: Turn, text: str) -> None:
    if turn.query is not None:
        await turn.answer(text, alert=True)
    elif turn.update.effective_chat is not None:
        await turn.send(text)


def page_of(items: Sequence[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    """(the items on `page`, the page clamped to those there are, the number of pages):
    Telegram takes at most 100 buttons in a keyboard, so long pickers go a page at a time."""
    pages = max(1, (len(items) + size - 1) // size)
    page = min(max(page, 0), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


def page_buttons(turn: Turn, page: int, pages: int, feature: str, *prefix: object) -> list[Button]:
    """◀️ / ▶️ for a paged picker; their callback data is `prefix` followed by the page."""
    row: list[Button] = []
    if page > 0:
        row.append(("◀️", turn.cb(feature, *prefix, page - 1)))
    if page < pages - 1:
        row.append(("▶️", turn.cb(feature, *prefix, page + 1)))
    return row


def checkbox(selected: bool, label: str) -> str:
    return f"{'☑️' if selected else '⬜'} {label}"
