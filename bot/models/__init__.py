"""SQLAlchemy models, one module per feature. Importing this package registers them all."""

from bot.models.base import Base
from bot.models.core import (
    AuditEntry,
    ConversationState,
    Invite,
    Member,
    MemberRole,
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

metadata = Base.metadata

__all__ = [
    "ArenaItem",
    "ArenaOwner",
    "ArenaProgress",
    "AuditEntry",
    "Base",
    "ConversationState",
    "Invite",
    "JobRun",
    "Lease",
    "Member",
    "MemberRole",
    "OutboxMessage",
    "RedBlackIssue",
    "RedBlackObjection",
    "Role",
    "Township",
    "Village",
    "VillageAssignment",
    "metadata",
]
