"""Updates from Telegram stored before they are handled, when several instances share them
(`[instance] active = "all"`): whoever receives an update stores it, any instance handles it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class InboundUpdate(Base):
    """One update, keyed by Telegram's update_id so a redelivery is not a second row."""

    __tablename__ = "inbound_updates"
    __table_args__ = (
        Index(
            "ix_inbound_updates_pending",
            "key",
            "update_id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
        Index("ix_inbound_updates_done_at", "done_at"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose order to keep: the user's id, else the chat's, else 0.
    key: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column()
    # Set in the same transaction as the update's first database work.
    done_at: Mapped[datetime | None] = mapped_column()
    done_by: Mapped[str | None] = mapped_column(String(64))


class UpdateKey(Base):
    """Which instance handles a key's updates, until when (renewed while it is alive)."""

    __tablename__ = "update_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column()
