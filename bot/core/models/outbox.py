"""Durable delivery: every scheduled message is an outbox row with a unique key, and every
scheduled job occurrence a job_runs row, so restarts and extra instances never repeat work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # job:period:recipient[#part] — the same message can never be queued twice.
    key: Mapped[str] = mapped_column(String(160), unique=True)
    job: Mapped[str] = mapped_column(String(40))
    township_id: Mapped[int | None] = mapped_column(
        ForeignKey("townships.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)  # a photo's or document's caption
    # photo | document, sent with the file of `attachment_id`; None: a text message
    attachment_kind: Mapped[str | None] = mapped_column(String(12))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_files.id"))
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # pending -> sending -> sent | failed (BadRequest/Forbidden, with reason)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(300))


class OutboxFile(Base):
    """A picture or document that outbox rows send, stored once however many receive it
    (`digest`: SHA-256 of the file name and the bytes)."""

    __tablename__ = "outbox_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column()


class JobRun(Base):
    """One scheduled occurrence (job, township, period): ran once, or recorded as missed."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "township_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column()
    ran_at: Mapped[datetime] = mapped_column()
    # done | missed (past the catch-up grace when the bot came back)
    outcome: Mapped[str] = mapped_column(String(12))
    messages: Mapped[int] = mapped_column(Integer, default=0)
    instance: Mapped[str | None] = mapped_column(String(64))


class Lease(Base):
    """Who holds a role that only one instance may have (the scheduler)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
