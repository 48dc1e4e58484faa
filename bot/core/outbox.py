"""The durable outbox: every message the bot sends on its own (scheduled jobs, notices,
published lists) is enqueued here with a unique key, in the transaction that decided it;
`bot.core.delivery` sends it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import OutboxMessage
from bot.core.text import Html, as_html, split_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    key: str
    job: str
    chat_id: int
    text: Html  # text that is not `Html` is escaped
    township_id: int | None = None
    member_id: int | None = None
    reply_markup: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", as_html(self.text))


def expand(item: Outgoing) -> list[Outgoing]:
    """Split an over-long message into parts with their own keys; buttons go on the last."""
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
    rows = [
        {
            "key": part.key,
            "job": part.job,
            "chat_id": part.chat_id,
            "text": part.text,
            "township_id": part.township_id,
            "member_id": part.member_id,
            "reply_markup": part.reply_markup,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for item in items
        for part in expand(item)
    ]
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
    result = await session.execute(statement.returning(OutboxMessage.id), rows)
    return len(result.all())


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
