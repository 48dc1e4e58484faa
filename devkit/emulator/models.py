"""Emulator state: messages, chats, files, events and the waiting primitive."""

# The public waiting API takes plain `timeout=` arguments by design.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from bot.web.botapi.rules import ApiError, bad_request

if TYPE_CHECKING:
    from devkit.emulator.core import BotState

T = TypeVar("T")
JSON = dict[str, Any]
__all__ = ["JSON", "ApiError", "bad_request"]


class Signal:
    """Wake-all notification; waiters re-check a predicate (no polling with sleep)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float | None,
        aborts: tuple[asyncio.Event, ...] = (),
    ) -> T | None:
        """Return the first non-None ``predicate()``; None on timeout or when an abort is set."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            result = predicate()
            if result is not None:
                return result
            if any(a.is_set() for a in aborts):
                return None
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return None
            waiters = [asyncio.ensure_future(e.wait()) for e in (self._event, *aborts)]
            try:
                await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    kind: str  # "document", "photo", "voice", "sticker"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Event:
    seq: int
    kind: str  # "send", "edit", "delete", "callback_answer"
    chat_id: int
    message_id: int | None = None
    query_id: str | None = None


@dataclass
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None


@dataclass
class ChatMessage:
    """A message in a chat; objects handed to callers are snapshots of one version.

    ``text`` is the plain text after entity parsing (the caption for media), ``html`` is the
    source string the bot sent (with its parse_mode), ``data`` is the Telegram JSON object.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    data: JSON
    html: str | None = None
    parse_mode: str | None = None
    markup: JSON | None = None  # reply_markup as sent (any kind; Telegram echoes only inline)
    file: FileRecord | None = None
    silent: bool = False
    version: int = 0
    edited: bool = False
    deleted: bool = False

    def snapshot(self) -> ChatMessage:
        clone = copy.copy(self)
        clone.data = copy.deepcopy(self.data)
        clone.markup = copy.deepcopy(self.markup)
        return clone

    @property
    def topic(self) -> int | None:
        """The forum topic the message is in; None: not in a topic (General, or no forum)."""
        value = self.data.get("message_thread_id") if self.data.get("is_topic_message") else None
        return value if isinstance(value, int) else None

    @property
    def text(self) -> str | None:
        value = self.data.get("text", self.data.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def caption(self) -> str | None:
        value = self.data.get("caption")
        return value if isinstance(value, str) else None

    @property
    def entities(self) -> list[JSON]:
        entities = self.data.get("entities", self.data.get("caption_entities"))
        return list(entities) if isinstance(entities, list) else []

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        markup = self.data.get("reply_markup") or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline buttons as rows of (text, callback_data or url)."""
        return [
            [(b["text"], b.get("callback_data", b.get("url"))) for b in row]
            for row in self.inline_keyboard
        ]

    def button(self, text: str) -> JSON:
        """The inline button with this text (or, failing that, this callback_data)."""
        flat = [b for row in self.inline_keyboard for b in row]
        for key in ("text", "callback_data"):
            for candidate in flat:
                if candidate.get(key) == text:
                    return candidate
        labels = [b["text"] for b in flat]
        raise LookupError(f"no button {text!r} on message {self.message_id}; buttons: {labels}")

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Texts of a ReplyKeyboardMarkup sent with this message, if any."""
        if not self.markup or "keyboard" not in self.markup:
            return None
        return [
            [b if isinstance(b, str) else b["text"] for b in row] for row in self.markup["keyboard"]
        ]

    @property
    def removes_keyboard(self) -> bool:
        return bool(self.markup and self.markup.get("remove_keyboard"))

    @property
    def document(self) -> FileRecord | None:
        return self.file if self.file and self.file.kind == "document" else None

    @property
    def photo(self) -> FileRecord | None:
        return self.file if self.file and self.file.kind == "photo" else None

    def __repr__(self) -> str:
        flags = "".join(
            f" {name}" for name, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        return f"<ChatMessage {self.chat_id}/{self.message_id}{flags} text={self.text!r}>"


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    started: bool = True
    blocked: bool = False
    last_query_id: str | None = None

    def to_json(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class GroupRecord:
    id: int
    title: str
    members: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    bot_removed: bool = False  # the bot was removed from the group: sends get 403
    # The group became this supergroup: sends to the old id get 400 with migrate_to_chat_id.
    migrated_to: int | None = None
    # A forum (a supergroup with topics): topic id -> closed. Messages without a topic are in
    # the General topic, whose state is `general_closed`.
    forum: bool = False
    topics: dict[int, bool] = field(default_factory=dict)
    general_closed: bool = False

    @property
    def type(self) -> str:
        return "supergroup" if str(self.id).startswith("-100") else "group"

    def check_topic(self, thread_id: int | None) -> None:
        """Telegram's answer to a send into topic `thread_id` (None: no topic given)."""
        if thread_id is None:
            if self.forum and self.general_closed:
                raise bad_request("TOPIC_CLOSED")
            return
        if not self.forum or thread_id not in self.topics:
            raise bad_request("message thread not found")
        if self.topics[thread_id]:
            raise bad_request("TOPIC_CLOSED")


class ChatState:
    """One chat as seen by one bot; also the reader of the bot's messages in that chat."""

    def __init__(
        self, bot: BotState, chat_id: int, user: UserRecord | None, group: GroupRecord | None
    ) -> None:
        self.bot = bot
        self.id = chat_id
        self.user = user
        self.group = group
        self.all_messages: dict[int, ChatMessage] = {}
        self.last_message_id = 0
        self.read_cursor = 0  # sequence number of the last bot event handed to a reader
        self.last_action: str | None = None

    @property
    def type(self) -> str:
        return "private" if self.group is None else self.group.type

    def to_json(self) -> JSON:
        if self.group is not None:
            chat: JSON = {"id": self.id, "title": self.group.title, "type": self.group.type}
            if self.group.forum:
                chat["is_forum"] = True
            return chat
        assert self.user is not None
        chat = {"id": self.id, "first_name": self.user.first_name, "type": "private"}
        if self.user.last_name:
            chat["last_name"] = self.user.last_name
        if self.user.username:
            chat["username"] = self.user.username
        return chat

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    @property
    def messages(self) -> list[ChatMessage]:
        """Every bot message in this chat in order (current state, deleted ones flagged)."""
        return [m.snapshot() for m in self.all_messages.values() if m.from_bot]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """The reply keyboard currently shown to users of this chat."""
        for message in reversed(self.all_messages.values()):
            if message.from_bot and message.markup:
                if message.reply_keyboard is not None:
                    return message.reply_keyboard
                if message.removes_keyboard:
                    return None
        return None

    def _new_sends(self) -> list[ChatMessage]:
        return [
            self.all_messages[e.message_id]
            for e in self.bot.events
            if e.seq > self.read_cursor
            and e.kind == "send"
            and e.chat_id == self.id
            and e.message_id is not None
        ]

    @property
    def unread(self) -> list[ChatMessage]:
        """Bot messages that arrived since the last read, without consuming them."""
        return [m.snapshot() for m in self._new_sends()]

    async def replies(self, n: int = 1, timeout: float = 5.0) -> list[ChatMessage]:
        """Wait until ``n`` new bot messages arrived since the last read; consume them."""

        def ready() -> list[ChatMessage] | None:
            fresh = self._new_sends()
            return fresh[:n] if len(fresh) >= n else None

        found = await self.bot.events_signal.wait_for(ready, timeout)
        if found is None:
            got = [m.text for m in self._new_sends()]
            raise TimeoutError(
                f"expected {n} new bot message(s) in chat {self.id} within {timeout}s, got {got}"
            )
        last = found[-1].message_id
        self.read_cursor = max(
            e.seq
            for e in self.bot.events
            if e.kind == "send" and e.chat_id == self.id and e.message_id == last
        )
        return [m.snapshot() for m in found]

    async def reply(self, timeout: float = 5.0) -> ChatMessage:
        return (await self.replies(1, timeout))[0]

    def live(self, message: ChatMessage | JSON | int) -> ChatMessage:
        if isinstance(message, ChatMessage):
            message_id = message.message_id
        elif isinstance(message, dict):
            message_id = int(message["message_id"])
        else:
            message_id = message
        try:
            return self.all_messages[message_id]
        except KeyError:
            raise LookupError(f"no message {message_id} in chat {self.id}") from None

    async def wait_edit(self, message: ChatMessage, timeout: float = 5.0) -> ChatMessage:
        """Wait until ``message`` changes (edit or delete) after the version you hold."""
        live = self.live(message)

        def ready() -> ChatMessage | None:
            return live.snapshot() if live.version > message.version else None

        found = await self.bot.events_signal.wait_for(ready, timeout)
        if found is None:
            raise TimeoutError(f"message {message.message_id} in chat {self.id} was not edited")
        return found
