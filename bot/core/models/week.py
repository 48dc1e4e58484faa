"""Cadre week: field-visit logs (下乡记录), weekly reports (周五交账) with every revision,
the 问题与需求 items raised in them, and leave / official-duty requests (请假 / 公务外出)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class FieldVisit(Base):
    """One visit log. Soft-deleted (`deleted_at`) so the audit trail keeps its subject."""

    __tablename__ = "field_visits"
    __table_args__ = (
        Index("ix_field_visits_member_date", "member_id", "visit_date"),
        # Covering for the lists' per-week sums (bot/lists/facts.py: _visit_totals):
        # they read this index only, never a table row.
        Index(
            "ix_field_visits_township_date",
            "township_id",
            "visit_date",
            "member_id",
            "dispute_screenings",
            "problems_solved",
            "deleted_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    visit_date: Mapped[date] = mapped_column(Date)
    # Logged for an earlier day than the day it was entered.
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Names of the 五个到一线 activities (from config at the time of logging).
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    dispute_screenings: Mapped[int] = mapped_column(Integer, default=0)
    # How many `problems` rows the log has (kept by bot.visits.queries._columns), so that quota sums
    # need no count per visit log.
    problems_solved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notes: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # Metres from the village's configured point, when both are known.
    distance_m: Mapped[float | None] = mapped_column(Float)
    location_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    # A visit whose 矛盾化解 concerned a registered dispute case links to it.
    dispute_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispute_case.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()


class VisitProblem(Base):
    """A practical problem solved (解决实际问题) during a visit, one line each."""

    __tablename__ = "visit_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("field_visits.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))


class ReportState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class WeeklyReport(Base):
    """A cadre's report for one week. `draft` is the working copy of the sections; what was
    submitted is in the revisions (the latest one is current)."""

    __tablename__ = "weekly_reports"
    __table_args__ = (
        # A member of several townships reports to each of them.
        UniqueConstraint("member_id", "township_id", "week_start"),
        Index("ix_weekly_reports_township_week", "township_id", "week_start"),
        # Covering for the lists' report marks (bot/lists/facts.py: _report_marks).
        Index(
            "ix_weekly_reports_member_township_week_submitted",
            "member_id",
            "township_id",
            "week_start",
            "first_submitted_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ReportState.DRAFT)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # True while the digest section still holds the untouched digest of the visit logs, so
    # it is refreshed when more visits are logged.
    digest_auto: Mapped[bool] = mapped_column(Boolean, default=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    first_submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    # The first submission came after the deadline.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class WeeklyReportRevision(Base):
    """Every submission, kept forever."""

    __tablename__ = "weekly_report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_reports.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column()
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class ReportItem(Base):
    """One 问题与需求 line of the current revision, for the Monday agenda."""

    __tablename__ = "report_items"
    __table_args__ = (Index("ix_report_items_township_week", "township_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("weekly_reports.id", ondelete="CASCADE"), index=True
    )
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class LeaveKind(enum.StrEnum):
    LEAVE = "leave"  # 请假
    OFFICIAL_DUTY = "official_duty"  # 公务外出


class LeaveStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the member, before it started (or while still pending)


class LeaveRequest(Base):
    """Leave or official duty for a date range; approved days are exempt from quotas."""

    __tablename__ = "leave_requests"
    __table_args__ = (
        Index("ix_leave_requests_township_dates", "township_id", "start_date", "end_date"),
        Index("ix_leave_requests_member_dates", "member_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=LeaveStatus.PENDING)
    # The secretary who recorded it directly, or the member themself.
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


class ReportChase(Base):
    """The week's 催交 of a township: one row, so that two presses at once (two secretaries,
    a double tap) remind once; the second finds this one and says who sent it."""

    __tablename__ = "report_chases"
    __table_args__ = (UniqueConstraint("township_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column()


__all__ = [
    "FieldVisit",
    "LeaveKind",
    "LeaveRequest",
    "LeaveStatus",
    "ReportChase",
    "ReportItem",
    "ReportState",
    "VisitProblem",
    "WeeklyReport",
    "WeeklyReportRevision",
]
