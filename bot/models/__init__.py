"""SQLAlchemy models, one module per feature. Importing this package registers them all."""

from bot.models.base import Base
from bot.models.cases import DisputeCase, DisputeCaseCounter, DisputeCaseEvent, DisputeCaseParty
from bot.models.core import (
    AuditEntry,
    ConversationState,
    Invite,
    Member,
    MemberRole,
    ParkedFlow,
    Role,
    Township,
    Village,
    VillageAssignment,
)
from bot.models.outbox import JobRun, Lease, OutboxMessage
from bot.models.redblack import (
    ArenaItem,
    ArenaOwner,
    ArenaProgress,
    RedBlackIssue,
    RedBlackObjection,
)
from bot.models.week import (
    FieldVisit,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    ReportItem,
    ReportState,
    VisitProblem,
    WeeklyReport,
    WeeklyReportRevision,
)

metadata = Base.metadata

__all__ = [
    "ArenaItem",
    "ArenaOwner",
    "ArenaProgress",
    "AuditEntry",
    "Base",
    "ConversationState",
    "DisputeCase",
    "DisputeCaseCounter",
    "DisputeCaseEvent",
    "DisputeCaseParty",
    "FieldVisit",
    "Invite",
    "JobRun",
    "Lease",
    "LeaveKind",
    "LeaveRequest",
    "LeaveStatus",
    "Member",
    "MemberRole",
    "OutboxMessage",
    "ParkedFlow",
    "RedBlackIssue",
    "RedBlackObjection",
    "ReportItem",
    "ReportState",
    "Role",
    "Township",
    "Village",
    "VillageAssignment",
    "VisitProblem",
    "WeeklyReport",
    "WeeklyReportRevision",
    "metadata",
]
