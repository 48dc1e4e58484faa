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

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Base",
    "ConversationState",
    "Invite",
    "JobRun",
    "Lease",
    "Member",
    "MemberRole",
    "OutboxMessage",
    "Role",
    "Township",
    "Village",
    "VillageAssignment",
    "metadata",
]
