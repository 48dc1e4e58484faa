"""The durable outbox: every message the bot sends on its own (scheduled jobs, notices,
published lists) is enqueued here with a unique key, in the transaction that decided it;
`bot.core.delivery` sends it. A message may carry a photo or a document (`Attachment`),
with its text as the caption."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.engine import insert_for
from bot.core.models import OutboxFile, OutboxMessage
from bot.core.text import CAPTION_LIMIT, Html, as_html, split_message, visible_length

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    kind: Literal["photo", "document"]
    data: bytes
    filename: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.filename.encode() + b"\0" + self.data).hexdigest()


@dataclass(frozen=True)
class Outgoing:
    key: str
    job: str
    chat_id: int
    text: Html  # text that is not `Html` is escaped
    township_id: int | None = None
    member_id: int | None = None
    reply_markup: dict[str, Any] | None = None
    attachment: Attachment | None = None  # `text` is its caption

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", as_html(self.text))


class Addressee(Protocol):
    """A member a message goes to (a recipient, a contact, an actor)."""

    @property
    def member_id(self) -> int: ...

    @property
    def telegram_user_id(self) -> int: ...


def to_member(
    person: Addressee,
    key: str,
    job: str,
    text: Html,
    *,
    township_id: int | None = None,
    reply_markup: dict[str, Any] | None = None,
) -> Outgoing:
    """A message to one member in their private chat; its outbox key is `key` followed by
    the member, so that each person gets it once."""
    return Outgoing(
        key=f"{key}:{person.member_id}",
        job=job,
        chat_id=person.telegram_user_id,
        text=text,
        township_id=township_id,
        member_id=person.member_id,
        reply_markup=reply_markup,
    )


def expand(item: Outgoing) -> list[Outgoing]:
    """Split an over-long message into parts with their own keys; buttons go on the last. A
    caption too long for its attachment goes before it, as messages of its own."""
    if item.attachment is not None:
        if visible_length(item.text) <= CAPTION_LIMIT:
            return [item]
        caption = replace(item, key=f"{item.key}#caption", attachment=None, reply_markup=None)
        return [*expand(caption), replace(item, text=Html(""))]
    parts = split_message(item.text)
    if len(parts) == 1:
        return [item]
    return [
        Outgoing(
            key=f"{item.key}#{i}",
            job=item.job,
            chat_id=item.chat_id,
            text=part,
            township_id=item.township_id,
            member_id=item.member_id,
            reply_markup=item.reply_markup if i == len(parts) else None,
        )
        for i, part in enumerate(parts, start=1)
    ]


async def enqueue(session: AsyncSession, items: Sequence[Outgoing], now: datetime) -> int:
    """Queue messages; a key that is already queued is skipped. Returns how many were new."""
    parts = [part for item in items for part in expand(item)]
    files = await _store_files(session, [p.attachment for p in parts if p.attachment], now)
    rows = [
        {
            "key": part.key,
            "job": part.job,
            "chat_id": part.chat_id,
            "text": part.text,
            "township_id": part.township_id,
            "member_id": part.member_id,
            "reply_markup": part.reply_markup,
            "attachment_kind": part.attachment.kind if part.attachment else None,
            "attachment_id": files[part.attachment.digest] if part.attachment else None,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for part in parts
    ]
    if not rows:
        return 0
    statement = insert_for(session, OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
    result = await session.execute(statement.returning(OutboxMessage.id), rows)
    return len(result.all())


async def _store_files(
    session: AsyncSession, attachments: Sequence[Attachment], now: datetime
) -> dict[str, int]:
    """Each file once (by digest); returns their ids by digest."""
    unique = {a.digest: a for a in attachments}
    if not unique:
        return {}
    await session.execute(
        insert_for(session, OutboxFile).on_conflict_do_nothing(index_elements=["digest"]),
        [
            {"digest": d, "filename": a.filename[:120], "data": a.data, "created_at": now}
            for d, a in unique.items()
        ],
    )
    found = await session.execute(
        select(OutboxFile.digest, OutboxFile.id).where(OutboxFile.digest.in_(unique))
    )
    return {digest: file_id for digest, file_id in found.all()}


async def release_claims(session: AsyncSession, instance: str) -> int:
    """Put rows that another instance claimed and never finished back to pending. Called by
    an instance when it becomes the active one: only the active instance delivers, so those
    claims belong to an instance that died (or lost its lease) and are sent now instead of
    after `claim_for`. Returns how many were released."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_by != instance)
        .values(status="pending", claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def release_own_claims(session: AsyncSession, instance: str) -> int:
    """Put the rows `instance` claimed and did not finish back to pending (its send loop
    failed); returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_by == instance)
        .values(status="pending", claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
