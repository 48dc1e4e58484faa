"""The web channel's state in the bot's database: chats, messages, files, updates, callbacks.

Every function takes an `AsyncSession` inside the caller's transaction; a `Wakeup` tells the
waiters of this process that something changed (other instances notice within a second)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.engine import insert_for
from bot.core.models import (
    Member,
    MemberRole,
    Township,
    WebCallback,
    WebChat,
    WebFile,
    WebMessage,
    WebSend,
    WebUpdate,
    WebUser,
)
from bot.web.botapi import core
from bot.web.botapi.formatting import detect_commands
from bot.web.botapi.rules import JSON, bad_request

GROUP_ID_BASE = -1_009_000_000_000
UPDATES_LOCK = 727_275  # a PostgreSQL advisory lock: who is numbering an update
FIRST_USER_ID = 700_000_000


class Wakeup:
    """Wake every waiter; each re-reads the database (no polling with sleep within a process)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(seconds, 0))


async def first_answer(
    session: AsyncSession, key: str, method: str, now: datetime
) -> WebSend | None:
    """The request that first came with `key`, or None when this one is the first: the key
    is then held until the transaction ends, so a repeat arriving meanwhile waits for it
    (and finds nothing if this one fails)."""
    claimed = await session.scalar(
        insert_for(session, WebSend)
        .values(key=key, method=method.lower(), result=None, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebSend.key)
    )
    if claimed is not None:
        return None
    return await session.get(WebSend, key)


async def answered(session: AsyncSession, key: str, result: Any) -> None:
    await session.execute(update(WebSend).where(WebSend.key == key).values(result=result))


async def forget_answers(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(WebSend).where(WebSend.created_at < now - core.KEEP_ANSWERS))


def chat_json(chat: WebChat, user: WebUser | None = None) -> JSON:
    if chat.type == "private":
        return {"id": chat.id, "type": "private", "first_name": user.first_name if user else ""}
    return {"id": chat.id, "type": chat.type, "title": chat.title or ""}


def user_json(user: WebUser) -> JSON:
    return {"id": user.id, "is_bot": False, "first_name": user.first_name, "language_code": "zh"}


async def new_user(
    session: AsyncSession, first_name: str, now: datetime, invite_hash: str | None = None
) -> WebUser:
    for _ in range(20):
        candidate = FIRST_USER_ID + secrets.randbelow(1_000_000_000)
        taken = await session.get(WebUser, candidate) or await session.scalar(
            select(Member.id).where(Member.telegram_user_id == candidate)
        )
        if not taken:
            user = WebUser(
                id=candidate, first_name=first_name, created_at=now, invite_hash=invite_hash
            )
            session.add(user)
            session.add(WebChat(id=candidate, type="private", title=None, last_message_id=0))
            await session.flush()
            return user
    raise RuntimeError("no free user id")


async def ensure_township_groups(session: AsyncSession) -> None:
    """Every active township has its work group on the web channel. Instances starting at
    the same moment may both open a group: the second insert is skipped, not an error."""
    townships = (await session.scalars(select(Township).where(Township.active))).all()
    for township in townships:
        if township.group_chat_id is None:
            township.group_chat_id = GROUP_ID_BASE - township.id
            township.revision += 1
        group = {"id": township.group_chat_id, "type": "supergroup", "last_message_id": 0}
        await session.execute(
            insert_for(session, WebChat)
            .values(**group, title=f"{township.name}工作群")
            .on_conflict_do_nothing()
        )
    await session.flush()


async def visible_chats(session: AsyncSession, user_id: int) -> list[WebChat]:
    """The person's private chat and the groups of the townships they are an active member of."""
    groups = select(Township.group_chat_id).where(
        Township.active,
        Township.id.in_(
            select(MemberRole.township_id)
            .join(Member, Member.id == MemberRole.member_id)
            .where(Member.telegram_user_id == user_id, Member.active)
        ),
    )
    rows = await session.scalars(
        select(WebChat).where((WebChat.id == user_id) | WebChat.id.in_(groups)).order_by(WebChat.id)
    )
    chats = list(rows)
    chats.sort(key=lambda c: c.type != "private")
    return chats


async def next_message_id(session: AsyncSession, chat_id: int) -> int:
    number = await session.scalar(
        update(WebChat)
        .where(WebChat.id == chat_id)
        .values(last_message_id=WebChat.last_message_id + 1)
        .returning(WebChat.last_message_id)
    )
    if number is None:
        raise bad_request("chat not found")
    return int(number)


async def push_update(session: AsyncSession, kind: str, payload: JSON, now: datetime) -> None:
    """An update for the bot; the caller commits at once (it holds the updates' lock)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # PostgreSQL numbers a row when it is inserted, not when it commits: an update must
        # not become visible before one with a smaller id, or getUpdates would give it first
        # and the bot's next offset would delete the other unseen (several instances, or
        # members writing at once). SQLite has one writer at a time already.
        await session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": UPDATES_LOCK})
    row = WebUpdate(payload={}, created_at=now)
    session.add(row)
    await session.flush()
    row.payload = {"update_id": row.update_id, kind: payload}


def store_file(
    session: AsyncSession,
    kind: str,
    data: bytes,
    now: datetime,
    file_name: str | None = None,
    mime_type: str | None = None,
) -> WebFile:
    return keep_file(session, core.new_file(kind, data, file_name, mime_type), now)


def keep_file(session: AsyncSession, new: core.NewFile, now: datetime) -> WebFile:
    record = WebFile(**asdict(new), created_at=now)
    session.add(record)
    return record


def attach(fields: JSON, record: WebFile) -> None:
    fields.update(core.attached(record))


async def add_message(
    session: AsyncSession,
    chat: WebChat,
    *,
    sender: JSON,
    fields: JSON,
    now: datetime,
    from_bot: bool,
    html: str | None = None,
    keyboard: JSON | None = None,
    file: WebFile | None = None,
    user: WebUser | None = None,
) -> WebMessage:
    message_id = await next_message_id(session, chat.id)
    data: JSON = {
        "message_id": message_id,
        "from": sender,
        "chat": chat_json(chat, user),
        "date": int(now.timestamp()),
        **fields,
    }
    row = WebMessage(
        chat_id=chat.id,
        message_id=message_id,
        from_bot=from_bot,
        data=data,
        html=html,
        keyboard=keyboard,
        deleted=False,
        revision=0,
        changed_at=now,
        file_id=file.file_id if file is not None else None,
    )
    session.add(row)
    await session.flush()
    return row


async def member_message(
    session: AsyncSession,
    user: WebUser,
    chat: WebChat,
    now: datetime,
    *,
    text: str | None = None,
    file: WebFile | None = None,
    caption: str | None = None,
    location: tuple[float, float] | None = None,
) -> WebMessage:
    """A message a member writes: stored, and an update for the bot (commands only in groups,
    like Telegram's privacy mode)."""
    fields: JSON = {}
    if text is not None:
        fields["text"] = text
        entities = detect_commands(text)
        if entities:
            fields["entities"] = entities
    if file is not None:
        attach(fields, file)
        if caption:
            fields["caption"] = caption
    if location is not None:
        fields["location"] = {"latitude": location[0], "longitude": location[1]}
    row = await add_message(
        session,
        chat,
        sender=user_json(user),
        fields=fields,
        now=now,
        from_bot=False,
        file=file,
        user=user,
    )
    if chat.type == "private" or (text or "").startswith("/"):
        await push_update(session, "message", row.data, now)
    return row


def inline_buttons(message: WebMessage) -> list[JSON]:
    markup: Any = message.data.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row if isinstance(b, dict)]


async def press(
    session: AsyncSession, user: WebUser, message: WebMessage, data: str, now: datetime
) -> str:
    """A press of one of the message's own buttons (forged data is refused before the bot sees
    it); returns the callback query id."""
    if data not in {b.get("callback_data") for b in inline_buttons(message)}:
        raise bad_request("BUTTON_DATA_INVALID")
    query_id = secrets.token_hex(12)
    session.add(WebCallback(id=query_id, user_id=user.id, answer=None, created_at=now))
    payload = {
        "id": query_id,
        "from": user_json(user),
        "message": message.data,
        "chat_instance": str(message.chat_id),
        "data": data,
    }
    await push_update(session, "callback_query", payload, now)
    return query_id
