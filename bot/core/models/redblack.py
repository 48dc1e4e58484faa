"""Red and black lists (红黑榜): issues with their immutable snapshots, and objections;
and the 擂台赛 key work items with owners and progress."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class RedBlackIssue(Base):
    """One issue of a township's lists for one period.

    ``preview`` issues are drafts the secretary and the named members see; publishing turns
    the preview into ``published`` with a number (1, 2, ... per period) and freezes its
    snapshot. A correction is a new published issue with a ``reason``; the one it replaces
    becomes ``superseded``. Published snapshots are never rewritten.
    """

    __tablename__ = "redblack_issues"
    __table_args__ = (
        UniqueConstraint("township_id", "period_key", "number"),
        Index("ix_redblack_issues_township_period", "township_id", "period_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_key: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    # Assigned when published; None while a preview.
    number: Mapped[int | None] = mapped_column(Integer)
    # preview | published | superseded
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # Members named on a preview may object until then.
    objections_until: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    published_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # Why this issue corrects an earlier one (None for a first issue).
    reason: Mapped[str | None] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("redblack_issues.id", ondelete="SET NULL")
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RedBlackObjection(Base):
    """A member's objection to being named on a preview, and the secretary's decision."""

    __tablename__ = "redblack_objections"
    __table_args__ = (UniqueConstraint("issue_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(
        ForeignKey("redblack_issues.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    # open | upheld | rejected
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column()
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)


class ArenaItem(Base):
    """A key work item (重点工作) of the 擂台赛."""

    __tablename__ = "arena_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(
        ForeignKey("townships.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class ArenaOwner(Base):
    __tablename__ = "arena_owners"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("arena_items.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)


class ArenaProgress(Base):
    """A progress entry (percent done, note); the latest one is the item's standing."""

    __tablename__ = "arena_progress"
    __table_args__ = (Index("ix_arena_progress_item_at", "item_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("arena_items.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column()


__all__ = ["ArenaItem", "ArenaOwner", "ArenaProgress", "RedBlackIssue", "RedBlackObjection"]
