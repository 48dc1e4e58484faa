"""Foundation tables: townships, villages, members, roles, 包村 assignments, invites, audit log,
and persisted conversation state. Feature tables live in their own modules and are imported
in `bot.core.models` so Alembic sees everything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.core.models.base import Base
from bot.core.roles import Role


class Township(Base):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Set by a secretary in chat (adding the bot to a group); the config seeds it once.
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by every change to the township or its villages: each running instance keeps
    # them in memory (`bot.core.db.directory`) and reloads when a revision moves.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The scheduler plans jobs from this moment on (first time it saw the township), so a
    # new installation does not report a week of "missed" jobs.
    schedule_from: Mapped[datetime | None] = mapped_column()

    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.id", lazy="raise"
    )


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int] = mapped_column(Integer, default=1500)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The name the config introduced it under (None: added in chat). The config adds a
    # village only under a name it never introduced, so renaming one in chat sticks.
    config_name: Mapped[str | None] = mapped_column(String(64))

    township: Mapped[Township] = relationship(back_populates="villages", lazy="raise")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when Telegram answers 403 (the user blocked the bot); cleared when they write again.
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    roles: Mapped[list[MemberRole]] = relationship(
        back_populates="member", lazy="selectin", cascade="all, delete-orphan"
    )


class MemberRole(Base):
    """A role held in one township; county admins hold `admin` with no township."""

    __tablename__ = "member_roles"
    __table_args__ = (UniqueConstraint("member_id", "township_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    township_id: Mapped[int | None] = mapped_column(
        ForeignKey("townships.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    # When the member took this role in this township: a township judges a member from the
    # first full week after they joined it.
    joined_at: Mapped[datetime | None] = mapped_column()

    member: Mapped[Member] = relationship(back_populates="roles", lazy="raise")


class VillageAssignment(Base):
    """包村: a cadre looks after a village."""

    __tablename__ = "village_assignments"
    __table_args__ = (UniqueConstraint("member_id", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(
        ForeignKey("villages.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Invite(Base):
    """Single-use, expiring invitation. Only a hash of the token is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    used_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class AuditEntry(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_township_at", "township_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column()
    actor_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConversationState(Base):
    """Where a user is in a guided flow, with its draft. Survives restarts and instance changes."""

    __tablename__ = "conversation_states"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped on every change; buttons carry it so a tap on an old message is recognised as stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column()


class ChatTownship(Base):
    """The township a chat works in, for a person who belongs to several: chosen once when
    it is ambiguous, then remembered (/township changes it)."""

    __tablename__ = "chat_townships"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column()


PARKED_DAYS = 7  # a draft set aside longer ago is dropped (it may hold a case's parties)


class ParkedFlow(Base):
    """An unfinished draft set aside when the user started another flow (one active flow per
    user routes their messages): a visit log or a case registration, resumed when the user
    starts that flow again. One per user and flow."""

    __tablename__ = "parked_flows"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(32), primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parked_at: Mapped[datetime] = mapped_column()


__all__ = [
    "PARKED_DAYS",
    "AuditEntry",
    "ChatTownship",
    "ConversationState",
    "Invite",
    "Member",
    "MemberRole",
    "ParkedFlow",
    "Role",
    "Township",
    "Village",
    "VillageAssignment",
]
