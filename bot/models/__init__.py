"""SQLAlchemy models, one module per feature. Importing this package registers them all."""

from bot.models.base import Base
from bot.models.cases import DisputeCase, DisputeCaseCounter, DisputeCaseEvent, DisputeCaseParty
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

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Base",
    "ConversationState",
    "DisputeCase",
    "DisputeCaseCounter",
    "DisputeCaseEvent",
    "DisputeCaseParty",
    "Invite",
    "Member",
    "MemberRole",
    "Role",
    "Township",
    "Village",
    "VillageAssignment",
    "metadata",
]
