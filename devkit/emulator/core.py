"""The emulator: registry of bots/users/groups, update queues, webhook delivery, dispatch."""

# The public waiting API takes plain `timeout=` arguments by design.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import tornado.httpserver
import tornado.netutil

from bot.web.botapi import core
from devkit.emulator.bots import DEFAULT_UPDATE_TYPES, BotState, WebhookConfig
from devkit.emulator.dispatch import Reply, dispatch_call
from devkit.emulator.limits import (
    EmulatorLimits,
    EmulatorStats,
    FaultInjector,
    FloodControl,
)
from devkit.emulator.models import (
    JSON,
    ApiError,
    ChatMessage,
    ChatState,
    Event,
    FileRecord,
    GroupRecord,
    UserRecord,
)

if TYPE_CHECKING:
    from devkit.emulator.users import EmulatedUser


__all__ = ["DEFAULT_UPDATE_TYPES", "BotApiEmulator", "BotState", "Reply", "WebhookConfig"]

_TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")


class BotApiEmulator:
    """A Telegram Bot API server on loopback; see the package docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: EmulatorLimits | None = None,
        seed: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] | None = None,
        keeps_answers: bool = False,
    ) -> None:
        self.host = host
        # Telegram ignores idempotency keys; the township's own server honours them.
        self.keeps_answers = keeps_answers
        self.port = port
        self.limits = limits or EmulatorLimits()
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.monotonic = monotonic
        self.flood = FloodControl(self.limits, lambda: self.monotonic())
        self.faults = FaultInjector(seed)
        self.stats = EmulatorStats()
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, UserRecord] = {}
        self.groups: dict[int, GroupRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self._ids = itertools.count(1)
        self._event_seq = itertools.count(1)
        self._server: tornado.httpserver.HTTPServer | None = None
        self._stopping = asyncio.Event()
        self._http: httpx.AsyncClient | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        from devkit.emulator.server import make_app

        self._stopping = asyncio.Event()
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(make_app(self), max_body_size=60 << 20)
        self._server.add_sockets(sockets)
        self._http = httpx.AsyncClient(timeout=10.0)
        for bot in self.bots.values():
            self._ensure_webhook_task(bot)

    async def stop(self) -> None:
        self._stopping.set()
        for bot in self.bots.values():
            bot.updates_signal.notify()
            bot.events_signal.notify()
            if bot.webhook_task is not None:
                bot.webhook_task.cancel()
                await asyncio.gather(bot.webhook_task, return_exceptions=True)
                bot.webhook_task = None
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def stopping(self) -> asyncio.Event:
        return self._stopping

    # --- registry ----------------------------------------------------------------------------

    def add_bot(
        self,
        token: str,
        username: str = "township_demo_bot",
        first_name: str = "Township Bot",
        *,
        privacy_mode: bool = True,
    ) -> int:
        """Register a bot; its id is the token's numeric prefix. Returns the bot id.

        With ``privacy_mode`` (Telegram's default) the bot only gets group messages that are
        commands, replies to it or mention it, unless it is an admin of the group.
        """
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 7_000_000_000 + next(self._ids)
        self.bots[token] = BotState(token, bot_id, username, first_name, privacy_mode)
        return bot_id

    def bot(self, token: str | None = None) -> BotState:
        if token is not None:
            return self.bots[token]
        if not self.bots:
            raise LookupError("no bot registered; call add_bot() first")
        return next(iter(self.bots.values()))

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = True,
    ) -> EmulatedUser:
        """Register a Telegram user.

        ``started=False`` models a user who never opened the bot: sends to them fail with
        403 "bot can't initiate conversation" until their first message.
        """
        record = UserRecord(user_id, first_name, last_name, username, language_code, started)
        existing = self.users.get(user_id)
        if existing is None:
            self.users[user_id] = record
        else:  # chats keep a reference to the record, so update it in place
            existing.__dict__.update(record.__dict__)
        return self.user(user_id)

    def user(self, user_id: int, token: str | None = None) -> EmulatedUser:
        from devkit.emulator.users import EmulatedUser

        if user_id not in self.users:
            raise LookupError(f"unknown user {user_id}; call add_user() first")
        return EmulatedUser(self, user_id, token)

    def add_group(
        self,
        chat_id: int,
        title: str,
        member_ids: Iterable[int] = (),
        *,
        bot_is_admin: bool = False,
        with_bot: bool = True,
        forum: bool = False,
    ) -> GroupRecord:
        """Register a group (ids starting with -100 are supergroups); the bot is a member
        unless ``with_bot=False`` (then someone adds it with ``add_bot_to_group``). A
        ``forum`` is a supergroup with topics (``add_topic``)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        group = GroupRecord(chat_id, title, set(member_ids), bot_is_admin, not with_bot)
        if forum and group.type != "supergroup":
            raise ValueError("only a supergroup (id -100…) can be a forum")
        group.forum = forum
        self.groups[chat_id] = group
        return group

    def add_topic(self, chat_id: int) -> int:
        """A new topic in the forum `chat_id`; returns its id (``message_thread_id``): as in
        Telegram, the id of the message that created it."""
        group = self.groups[chat_id]
        if not group.forum:
            raise ValueError(f"group {chat_id} is not a forum")
        thread_id = max([1, *group.topics]) + 1
        for bot in self.bots.values():
            chat = self.chat_state(bot, chat_id)
            thread_id = max(thread_id, chat.next_message_id())
        group.topics[thread_id] = False
        return thread_id

    def close_topic(self, chat_id: int, thread_id: int | None, closed: bool = True) -> None:
        """Close (or reopen) a topic; None is the General topic. Sends to it get 400."""
        group = self.groups[chat_id]
        if thread_id is None:
            group.general_closed = closed
        else:
            group.topics[thread_id] = closed

    def upgrade_group(self, chat_id: int, new_id: int) -> GroupRecord:
        """The group becomes a supergroup with the id `new_id` (members and title kept): sends
        to the old id fail with 400 and `migrate_to_chat_id`, as Telegram's do. The service
        message announcing it is not pushed (push it to model a bot that saw it)."""
        old = self.groups[chat_id]
        new = self.add_group(new_id, old.title, old.members, bot_is_admin=old.bot_is_admin)
        old.migrated_to = new_id
        return new

    def remove_bot_from_group(self, chat_id: int, by_user: int | None = None) -> None:
        """The bot is removed from the group: sends to it fail with 403 until it is added
        again. With ``by_user`` (who removed it) the bot gets the my_chat_member update
        Telegram sends; without, it learns nothing until a send fails."""
        group = self.groups[chat_id]
        was = self._bot_member(group)
        group.bot_removed = True
        if by_user is not None:
            self._bot_membership_changed(group, by_user, was, {"status": "left"})

    def add_bot_to_group(
        self, chat_id: int, by_user: int | None = None, *, as_admin: bool = False
    ) -> None:
        """The bot is added (back) to the group; with ``by_user`` (who added it) the bot
        gets the my_chat_member update, as a member or, ``as_admin``, an administrator."""
        group = self.groups[chat_id]
        was = self._bot_member(group)
        group.bot_removed = False
        group.bot_is_admin = group.bot_is_admin or as_admin
        if by_user is not None:
            group.members.add(by_user)
            self._bot_membership_changed(group, by_user, was, self._bot_member(group))

    def _bot_member(self, group: GroupRecord) -> JSON:
        if group.bot_removed:
            return {"status": "left"}
        if not group.bot_is_admin:
            return {"status": "member"}
        rights = [
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_promote_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
        ]
        return {
            "status": "administrator",
            "can_be_edited": False,
            "is_anonymous": False,
            **{right: right != "can_promote_members" for right in rights},
        }

    def _bot_membership_changed(
        self, group: GroupRecord, by_user: int, old: JSON, new: JSON
    ) -> None:
        user = self.users[by_user]
        for bot in self.bots.values():
            chat = self.chat_state(bot, group.id)
            self.push_update(
                bot,
                "my_chat_member",
                {
                    "chat": chat.to_json(),
                    "from": user.to_json(),
                    "date": self.now(),
                    "old_chat_member": {"user": bot.user_json(), **old},
                    "new_chat_member": {"user": bot.user_json(), **new},
                },
            )

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their private chat fail with 403."""
        self._set_blocked(user_id, True)

    def unblock(self, user_id: int) -> None:
        self._set_blocked(user_id, False)

    def _set_blocked(self, user_id: int, blocked: bool) -> None:
        user = self.users[user_id]
        if user.blocked == blocked:
            return
        user.blocked = blocked
        for bot in self.bots.values():
            member = {"user": bot.user_json(), "status": "member"}
            kicked = {"user": bot.user_json(), "status": "kicked", "until_date": 0}
            chat = self.chat_state(bot, user_id)
            self.push_update(
                bot,
                "my_chat_member",
                {
                    "chat": chat.to_json(),
                    "from": user.to_json(),
                    "date": self.now(),
                    "old_chat_member": member if blocked else kicked,
                    "new_chat_member": kicked if blocked else member,
                },
            )

    def chat(self, chat_id: int, token: str | None = None) -> ChatState:
        """A chat as seen by the bot: ``.messages``, ``await .replies()``, ``.reply_keyboard``."""
        return self.chat_state(self.bot(token), chat_id)

    def chat_state(self, bot: BotState, chat_id: int) -> ChatState:
        chat = bot.chats.get(chat_id)
        if chat is None:
            if chat_id in self.users:
                chat = ChatState(bot, chat_id, self.users[chat_id], None)
            elif chat_id in self.groups:
                chat = ChatState(bot, chat_id, None, self.groups[chat_id])
            else:
                raise LookupError(f"chat {chat_id} not found")
            bot.chats[chat_id] = chat
        return chat

    def commands(
        self,
        scope: JSON | None = None,
        language_code: str = "",
        token: str | None = None,
    ) -> list[JSON]:
        """Commands the bot set for exactly this scope and language (no fallback)."""
        key = (*core.scope_key(scope or {}), language_code)
        return list(self.bot(token).commands.get(key, []))

    # --- time, ids, events -------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock().timestamp())

    def new_id(self) -> int:
        return next(self._ids)

    def add_event(
        self,
        bot: BotState,
        kind: str,
        chat_id: int,
        message_id: int | None = None,
        query_id: str | None = None,
    ) -> None:
        bot.events.append(Event(next(self._event_seq), kind, chat_id, message_id, query_id))
        bot.events_signal.notify()

    def push_update(self, bot: BotState, kind: str, payload: JSON) -> JSON:
        bot.last_update_id += 1
        update = {"update_id": bot.last_update_id, kind: payload}
        bot.updates.append(update)
        bot.updates_signal.notify()
        return update

    def store_message(self, chat: ChatState, message: ChatMessage) -> ChatMessage:
        chat.all_messages[message.message_id] = message
        return message

    async def wait_idle_updates(self, timeout: float = 5.0, token: str | None = None) -> None:
        """Wait until the bot(s) fetched and confirmed (or webhook-delivered) every update."""
        bots = [self.bot(token)] if token else list(self.bots.values())
        for bot in bots:
            done = await bot.updates_signal.wait_for(
                lambda b=bot: True if not b.pending() else None,  # type: ignore[misc]
                timeout,
            )
            if done is None:
                raise TimeoutError(f"{len(bot.pending())} update(s) still pending")

    async def wait_polling(self, timeout: float = 5.0, token: str | None = None) -> None:
        """Wait until the bot has a getUpdates long poll waiting (e.g. the bot is up)."""
        bot = self.bot(token)
        done = await bot.updates_signal.wait_for(lambda: True if bot.polling else None, timeout)
        if done is None:
            raise TimeoutError("the bot is not long polling")

    # --- webhook -----------------------------------------------------------------------------

    def _ensure_webhook_task(self, bot: BotState) -> None:
        if bot.webhook is None or self._server is None:
            return
        if bot.webhook_task is None or bot.webhook_task.done():
            bot.webhook_task = asyncio.create_task(self._webhook_loop(bot))

    async def _webhook_loop(self, bot: BotState) -> None:
        delays = core.retry_delays(self.limits.webhook_retry_delay)
        while bot.webhook is not None and not self._stopping.is_set():
            config = bot.webhook
            await bot.updates_signal.wait_for(
                lambda c=config: True if bot.webhook is not c or bot.pending() else None,  # type: ignore[misc]
                None,
                (self._stopping,),
            )
            if bot.webhook is not config or self._stopping.is_set():
                continue
            update = bot.pending()[0]
            assert self._http is not None
            try:
                response = await self._http.post(
                    config.url,
                    content=json.dumps(update).encode(),
                    headers=core.webhook_headers(config.secret_token),
                )
                error = core.delivery_error(response.status_code)
            except httpx.HTTPError as exc:
                error = core.delivery_error(None, exc)
            if error is None:
                if update in bot.updates:
                    bot.updates.remove(update)
                self.stats.webhook_deliveries += 1
                delays = core.retry_delays(self.limits.webhook_retry_delay)
                bot.updates_signal.notify()
                continue
            self.stats.webhook_failures += 1
            config.last_error_date = self.now()
            config.last_error_message = error
            # Back off, but wake at once if the webhook is changed or removed.
            await bot.updates_signal.wait_for(
                lambda c=config: True if bot.webhook is not c else None,  # type: ignore[misc]
                next(delays),
                (self._stopping,),
            )

    # --- HTTP dispatch -----------------------------------------------------------------------

    def resolve_bot(self, token: str) -> BotState:
        bot = self.bots.get(token)
        if bot is None:
            if _TOKEN_RE.match(token):
                raise ApiError(401, "Unauthorized")
            raise ApiError(404, "Not Found")
        return bot

    async def dispatch(
        self,
        token: str,
        method: str,
        values: dict[str, Any],
        files: dict[str, Any],
        disconnected: asyncio.Event,
        key: str | None = None,
    ) -> Reply:
        return await dispatch_call(self, token, method, values, files, disconnected, key)
