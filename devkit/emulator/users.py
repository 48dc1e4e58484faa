"""Telegram users acting through the emulator: they create updates and read bot messages."""

# The public waiting API takes plain `timeout=` arguments by design.
# ruff: noqa: ASYNC109

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from bot.web.botapi.formatting import detect_commands
from devkit.emulator.methods import file_json, store_file
from devkit.emulator.models import (
    JSON,
    CallbackAnswer,
    CallbackQueryRecord,
    ChatMessage,
    ChatState,
    UserRecord,
)

if TYPE_CHECKING:
    from devkit.emulator.core import BotApiEmulator, BotState


def tiny_png() -> bytes:
    """A valid 1x1 PNG, the default photo users send."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class EmulatedUser:
    """A user bound to their private chat with one bot (the first bot unless ``token``)."""

    def __init__(self, emu: BotApiEmulator, user_id: int, token: str | None = None) -> None:
        self.emu = emu
        self.id = user_id
        self._token = token

    def __repr__(self) -> str:
        return f"<EmulatedUser {self.id} {self.record.first_name!r}>"

    @property
    def record(self) -> UserRecord:
        return self.emu.users[self.id]

    @property
    def bot(self) -> BotState:
        return self.emu.bot(self._token)

    @property
    def chat(self) -> ChatState:
        """The private chat with the bot (chat id == user id)."""
        return self.emu.chat_state(self.bot, self.id)

    # --- acting ------------------------------------------------------------------------------

    def _post(
        self, chat: ChatState, fields: JSON, reply_to: ChatMessage | JSON | None = None
    ) -> tuple[JSON, bool]:
        """Create a user message in ``chat``; returns (message JSON, delivered to the bot)."""
        if chat.user is not None:
            if self.record.blocked:
                raise RuntimeError(f"user {self.id} blocked the bot; call unblock() first")
            self.record.started = True
        data: JSON = {
            "message_id": chat.next_message_id(),
            "from": self.record.to_json(),
            "chat": chat.to_json(),
            "date": self.emu.now(),
        }
        target: ChatMessage | None = None
        if reply_to is not None:
            target = chat.live(reply_to)
            data["reply_to_message"] = {
                k: v for k, v in target.data.items() if k != "reply_to_message"
            }
        data.update(fields)
        self.emu.store_message(
            chat, ChatMessage(data["message_id"], chat.id, from_bot=False, data=data)
        )
        delivered = chat.group is None or self._bot_sees_group_message(data, target)
        if delivered:
            self.emu.push_update(self.bot, "message", data)
        return dict(data), delivered

    def _bot_sees_group_message(self, data: JSON, reply_to: ChatMessage | None) -> bool:
        """Telegram's privacy mode: commands, replies to the bot and mentions only."""
        bot, chat = self.bot, self.emu.chat_state(self.bot, data["chat"]["id"])
        if not bot.privacy_mode or (chat.group is not None and chat.group.bot_is_admin):
            return True
        if reply_to is not None and reply_to.from_bot:
            return True
        text = str(data.get("text", data.get("caption", "")))
        if f"@{bot.username}".lower() in text.lower():
            return True
        if text.startswith("/"):
            command = text.split()[0]
            return "@" not in command or command.split("@", 1)[1].lower() == bot.username.lower()
        return False

    @staticmethod
    def _text(text: str, key: str = "text") -> JSON:
        if not text:
            raise ValueError("Telegram does not send empty messages")
        fields: JSON = {key: text}
        entities = detect_commands(text)
        if entities:
            fields["entities" if key == "text" else "caption_entities"] = entities
        return fields

    async def send(self, text: str, *, reply_to: ChatMessage | JSON | None = None) -> JSON:
        """Send a text (``/command`` gets a bot_command entity); returns the Message JSON."""
        return self._post(self.chat, self._text(text), reply_to)[0]

    async def send_in_group(
        self,
        chat_id: int,
        text: str,
        *,
        reply_to: ChatMessage | JSON | None = None,
        topic: int | None = None,
    ) -> JSON:
        """Send a text in a group (in a forum's ``topic``; None: General); with privacy mode
        the bot may not get it (see add_bot)."""
        group = self.emu.groups.get(chat_id)
        if group is None:
            raise LookupError(f"unknown group {chat_id}")
        group.members.add(self.id)
        fields = self._text(text)
        if topic is not None:
            if topic not in group.topics:
                raise LookupError(f"no topic {topic} in group {chat_id}")
            fields |= {"message_thread_id": topic, "is_topic_message": True}
        return self._post(self.emu.chat_state(self.bot, chat_id), fields, reply_to)[0]

    def _with_caption(self, fields: JSON, caption: str | None) -> JSON:
        if caption:
            fields.update(self._text(caption, "caption"))
        return fields

    async def send_photo(self, data: bytes | None = None, caption: str | None = None) -> JSON:
        record = store_file(self.emu, "photo", data or tiny_png())
        return self._post(self.chat, self._with_caption({"photo": [file_json(record)]}, caption))[0]

    async def send_document(
        self,
        data: bytes,
        filename: str = "file.txt",
        mime_type: str | None = "text/plain",
        caption: str | None = None,
    ) -> JSON:
        record = store_file(self.emu, "document", data, filename, mime_type)
        fields = self._with_caption({"document": file_json(record)}, caption)
        return self._post(self.chat, fields)[0]

    async def send_location(
        self, latitude: float, longitude: float, *, live_period: int | None = None
    ) -> JSON:
        """A location; with `live_period` (seconds) a live one, which `move` updates."""
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return self._post(self.chat, {"location": location})[0]

    async def move(self, message: JSON | ChatMessage, latitude: float, longitude: float) -> JSON:
        """A live location's move: Telegram sends it as an ``edited_message``."""
        live = self.emu.chat_state(self.bot, _chat_id(message, self.id)).live(message)
        if "live_period" not in live.data.get("location", {}):
            raise ValueError("only a live location moves")
        new = dict(live.data)
        new["location"] = {**new["location"], "latitude": latitude, "longitude": longitude}
        new["edit_date"] = self.emu.now()
        live.data = new
        live.version += 1
        self.emu.push_update(self.bot, "edited_message", dict(new))
        return dict(new)

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        record = store_file(
            self.emu, "sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp"
        )
        sticker = {
            **file_json(record),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post(self.chat, {"sticker": sticker})[0]

    async def send_voice(self, data: bytes | None = None, duration: int = 1) -> JSON:
        record = store_file(self.emu, "voice", data or b"OggS\x00voice", None, "audio/ogg")
        voice = {**file_json(record), "duration": duration}
        return self._post(self.chat, {"voice": voice})[0]

    async def edit(self, message: JSON | ChatMessage, text: str) -> JSON:
        """Edit one of this user's own messages (an ``edited_message`` update)."""
        chat = self.emu.chat_state(self.bot, _chat_id(message, self.id))
        live = chat.live(message)
        if live.from_bot or live.data["from"]["id"] != self.id:
            raise ValueError("users can only edit their own messages")
        new = {k: v for k, v in live.data.items() if k not in ("text", "entities")}
        new.update(self._text(text))
        new["edit_date"] = self.emu.now()
        live.data = new
        live.edited = True
        live.version += 1
        self.emu.push_update(self.bot, "edited_message", dict(new))
        return dict(new)

    async def press(self, message: ChatMessage | JSON, label: str) -> str:
        """Press the inline button with this text (or callback_data); returns the query id."""
        live = self.emu.chat_state(self.bot, _chat_id(message, self.id)).live(message)
        if live.deleted:
            raise LookupError(f"message {live.message_id} was deleted")
        button = live.button(label)
        if "callback_data" not in button:
            raise ValueError(f"button {label!r} is not a callback button: {button}")
        return self._callback(live, str(button["callback_data"]))

    async def press_data(self, message: ChatMessage | JSON, data: str) -> str:
        """A forged callback query with arbitrary data, as a modified client could send."""
        live = self.emu.chat_state(self.bot, _chat_id(message, self.id)).live(message)
        return self._callback(live, data)

    def _callback(self, live: ChatMessage, data: str) -> str:
        query_id = str(self.id * 1000 + self.emu.new_id())
        bot = self.bot
        bot.callback_queries[query_id] = CallbackQueryRecord(
            query_id, self.id, live.chat_id, live.message_id, data
        )
        self.record.last_query_id = query_id
        self.emu.push_update(
            bot,
            "callback_query",
            {
                "id": query_id,
                "from": self.record.to_json(),
                "message": dict(live.data),
                "chat_instance": str(abs(live.chat_id) * 31 + bot.id),
                "data": data,
            },
        )
        return query_id

    def block(self) -> None:
        self.emu.block(self.id)

    def unblock(self) -> None:
        self.emu.unblock(self.id)

    # --- reading -----------------------------------------------------------------------------

    async def replies(self, n: int = 1, timeout: float = 5.0) -> list[ChatMessage]:
        """Wait for ``n`` bot messages in the private chat not yet read (event-driven)."""
        return await self.chat.replies(n, timeout)

    async def reply(self, timeout: float = 5.0) -> ChatMessage:
        return await self.chat.reply(timeout)

    @property
    def unread(self) -> list[ChatMessage]:
        return self.chat.unread

    @property
    def history(self) -> list[ChatMessage]:
        """Every bot message in the private chat (current state after edits/deletes)."""
        return self.chat.messages

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        return self.chat.reply_keyboard

    async def wait_edit(self, message: ChatMessage, timeout: float = 5.0) -> ChatMessage:
        return await self.emu.chat_state(self.bot, message.chat_id).wait_edit(message, timeout)

    @property
    def last_callback_answer(self) -> CallbackAnswer | None:
        """The latest answerCallbackQuery for this user's presses."""
        answers = [
            q.answer
            for q in self.bot.callback_queries.values()
            if q.user_id == self.id and q.answer is not None
        ]
        return max(answers, key=lambda a: self._answer_seq(a.query_id), default=None)

    def _answer_seq(self, query_id: str) -> int:
        return max(
            (
                e.seq
                for e in self.bot.events
                if e.query_id == query_id and e.kind == "callback_answer"
            ),
            default=0,
        )

    async def callback_answer(
        self, query_id: str | None = None, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Wait for the bot to answer ``query_id`` (default: this user's latest press)."""
        wanted = query_id or self.record.last_query_id
        if wanted is None:
            raise LookupError("no button was pressed")
        record = self.bot.callback_queries[wanted]
        answer = await self.bot.events_signal.wait_for(lambda: record.answer, timeout)
        if answer is None:
            raise TimeoutError(f"callback query {wanted} was not answered")
        return answer

    async def download(self, message: ChatMessage) -> bytes:
        """Bytes of the document/photo in a message."""
        live = self.emu.chat_state(self.bot, message.chat_id).live(message)
        if live.file is None:
            raise ValueError(f"message {message.message_id} has no file")
        return live.file.data


def _chat_id(message: ChatMessage | JSON | Any, default: int) -> int:
    if isinstance(message, ChatMessage):
        return message.chat_id
    if isinstance(message, dict) and "chat" in message:
        return int(message["chat"]["id"])
    return default
