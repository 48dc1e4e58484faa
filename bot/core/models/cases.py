"""Dispute case ledger (矛盾纠纷排查化解台账): cases, their parties, the append-only timeline
and the per-township, per-year numbering counter.

Money is stored as integer fen (分) so both engines keep it exact. Party names and phone
numbers are personal data: the handlers show them only to the roles allowed to see them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class DisputeCaseCounter(Base):
    """Next case number per township and year; allocated with an atomic row update."""

    __tablename__ = "dispute_case_counter"

    township_id: Mapped[int] = mapped_column(
        ForeignKey("townships.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class DisputeCase(Base):
    __tablename__ = "dispute_case"
    __table_args__ = (
        UniqueConstraint("township_id", "year", "seq"),
        UniqueConstraint("township_id", "number"),
        Index("ix_dispute_case_township_status", "township_id", "status"),
        Index("ix_dispute_case_township_registered", "township_id", "registered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    people_count: Mapped[int] = mapped_column(Integer, default=1)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    registered_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    mediation_started_on: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    agreement_form: Mapped[str | None] = mapped_column(String(16))
    agreement_summary: Mapped[str | None] = mapped_column(Text)
    amount_agreed_fen: Mapped[int | None] = mapped_column(BigInteger)
    amount_paid_fen: Mapped[int | None] = mapped_column(BigInteger)
    unresolved_on: Mapped[date | None] = mapped_column(Date)
    referral_unit: Mapped[str | None] = mapped_column(String(32))
    referred_on: Mapped[date | None] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    followup_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    relief_total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    relief_count: Mapped[int] = mapped_column(Integer, default=0)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reopened_on: Mapped[date | None] = mapped_column(Date)
    # Bumped by every action; buttons carry it so a press on an outdated card is recognised.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    # Optimistic locking: an UPDATE that finds another version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DisputeCaseParty(Base):
    """A party to a dispute. Personal data: never in lists, group chats, logs or audit details."""

    __tablename__ = "dispute_case_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("dispute_case.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))
    # Canonical digits (bot.cases.rules.normalize_phone); displayed masked only.
    phone: Mapped[str | None] = mapped_column(String(20))


class DisputeCaseEvent(Base):
    """Append-only timeline: rows are inserted, never updated or deleted."""

    __tablename__ = "dispute_case_event"
    __table_args__ = (Index("ix_dispute_case_event_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column()
    actor_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


__all__ = ["DisputeCase", "DisputeCaseCounter", "DisputeCaseEvent", "DisputeCaseParty"]
