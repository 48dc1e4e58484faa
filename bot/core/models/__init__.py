"""SQLAlchemy models, one module per feature. Importing this package registers them all."""

from bot.core.models.base import Base
from bot.core.models.calendar import CalendarDay
from bot.core.models.cases import (
    DisputeCase,
    DisputeCaseCounter,
    DisputeCaseEvent,
    DisputeCaseParty,
)
from bot.core.models.core import (
    AuditEntry,
    ChatTownship,
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
from bot.core.models.outbox import JobRun, Lease, OutboxFile, OutboxMessage
from bot.core.models.redblack import (
    ArenaItem,
    ArenaOwner,
    ArenaProgress,
    RedBlackIssue,
    RedBlackObjection,
)
from bot.core.models.web import (
    WebCallback,
    WebChat,
    WebCommands,
    WebFile,
    WebMessage,
    WebSession,
    WebSignIn,
    WebUpdate,
    WebUser,
)
from bot.core.models.week import (
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
    "CalendarDay",
    "ChatTownship",
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
    "OutboxFile",
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
    "WebCallback",
    "WebChat",
    "WebCommands",
    "WebFile",
    "WebMessage",
    "WebSession",
    "WebSignIn",
    "WebUpdate",
    "WebUser",
    "WeeklyReport",
    "WeeklyReportRevision",
    "metadata",
]
