"""Dispute cases (矛盾纠纷): their vocabulary, rule errors and configuration.

Pure: no Telegram, no database, no I/O, no clock. Errors are raised as `CaseRuleError`
carrying a stable machine ``code`` plus ``params``; the caller turns codes into translated
messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from bot.core.roles import Role


class CaseRuleError(ValueError):
    """A domain rule was violated; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, object] = dict(params)

    def __str__(self) -> str:
        if not self.params:
            return self.code
        rendered = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.code} ({rendered})"


@dataclass(frozen=True)
class Term:
    """One entry of a configurable list: a stable key and its default Chinese label."""

    key: str
    label: str


class Tier(StrEnum):
    """Difficulty tier (一般 / 复杂 / 疑难)."""

    ORDINARY = "ordinary"
    COMPLEX = "complex"
    DIFFICULT = "difficult"


class Status(StrEnum):
    REGISTERED = "registered"
    MEDIATING = "mediating"
    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    REFERRED = "referred"
    ESCALATED = "escalated"
    CLOSED = "closed"


class AgreementForm(StrEnum):
    """How the mediation agreement was recorded (口头 / 书面)."""

    ORAL = "oral"
    WRITTEN = "written"


class Action(StrEnum):
    START_MEDIATION = "start_mediation"
    RESOLVE = "resolve"
    MARK_UNRESOLVED = "mark_unresolved"
    REFER = "refer"
    ESCALATE = "escalate"
    RECORD_RELIEF = "record_relief"
    RECORD_FOLLOWUP = "record_followup"
    REOPEN = "reopen"
    ADD_NOTE = "add_note"
    REASSIGN = "reassign"
    #: Creation entry only (see :func:`new_case`); never allowed through :func:`apply`.
    REGISTER = "register"


#: Roles that may perform every workflow action on their township's cases.
WORKFLOW_ROLES: Final = frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN})

#: Source key with a fixed meaning: the case was found by dispute screening (排查发现).
SOURCE_SCREENING: Final = "screening"

DEFAULT_CATEGORIES: Final = (
    Term("neighbourhood", "邻里纠纷"),
    Term("marriage_family", "婚姻家庭"),
    Term("land_forest", "土地山林"),
    Term("labour", "劳资纠纷"),
    Term("damages", "损害赔偿"),
    Term("construction", "工程施工"),
    Term("other", "其他"),
)
DEFAULT_SOURCES: Final = (
    Term(SOURCE_SCREENING, "排查发现"),
    Term("walk_in", "群众来访"),
    Term("assigned_by_superior", "上级交办"),
    Term("transferred_by_department", "部门转办"),
)
DEFAULT_REFERRAL_UNITS: Final = (
    Term("police_station", "派出所"),
    Term("court", "法庭"),
    Term("judicial_office", "司法所"),
    Term("traffic_police", "交警中队"),
)
TIER_LABELS: Final[Mapping[Tier, str]] = MappingProxyType(
    {Tier.ORDINARY: "一般", Tier.COMPLEX: "复杂", Tier.DIFFICULT: "疑难"}
)
AGREEMENT_FORM_LABELS: Final[Mapping[AgreementForm, str]] = MappingProxyType(
    {AgreementForm.ORAL: "口头", AgreementForm.WRITTEN: "书面"}
)
DEFAULT_TIER_DAYS: Final[Mapping[Tier, int]] = MappingProxyType(
    {Tier.ORDINARY: 7, Tier.COMPLEX: 15, Tier.DIFFICULT: 30}
)
DEFAULT_FOLLOWUP_AFTER_DAYS: Final = 7

TIER_RANK: Final[Mapping[Tier, int]] = MappingProxyType(
    {Tier.ORDINARY: 0, Tier.COMPLEX: 1, Tier.DIFFICULT: 2}
)


def _frozen_tier_days(days: Mapping[Tier, int]) -> Mapping[Tier, int]:
    return MappingProxyType(dict(days))


@dataclass(frozen=True)
class CaseConfig:
    """Township configuration of the case vocabulary (replaces the default lists)."""

    categories: tuple[Term, ...] = DEFAULT_CATEGORIES
    sources: tuple[Term, ...] = DEFAULT_SOURCES
    referral_units: tuple[Term, ...] = DEFAULT_REFERRAL_UNITS
    tier_days: Mapping[Tier, int] = field(default_factory=lambda: DEFAULT_TIER_DAYS)
    followup_after_days: int = DEFAULT_FOLLOWUP_AFTER_DAYS

    def __post_init__(self) -> None:
        for name in ("categories", "sources", "referral_units"):
            terms: tuple[Term, ...] = getattr(self, name)
            keys = [t.key for t in terms]
            if not keys or len(set(keys)) != len(keys) or any(not k for k in keys):
                raise ValueError(f"{name} must be a non-empty list of unique keys")
        _check_tier_days(self.tier_days)
        object.__setattr__(self, "tier_days", _frozen_tier_days(self.tier_days))
        if self.followup_after_days < 0:
            raise ValueError("followup_after_days must be >= 0")

    @property
    def category_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.categories)

    @property
    def source_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.sources)

    @property
    def referral_unit_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.referral_units)


def _check_tier_days(tier_days: Mapping[Tier, int]) -> None:
    for tier in Tier:
        days = tier_days.get(tier)
        if days is None or days <= 0:
            raise ValueError(f"tier_days needs a positive day count for {tier.value}")


DEFAULT_CONFIG: Final = CaseConfig()


def deadline_for(
    tier: Tier, registered_on: date, tier_days: Mapping[Tier, int] | None = None
) -> date:
    """Deadline (last on-time day) for a case of ``tier`` registered on ``registered_on``."""
    days = DEFAULT_TIER_DAYS if tier_days is None else tier_days
    _check_tier_days(days)
    return registered_on + timedelta(days=days[tier])


#: Statuses in which the deadline clock runs (the township holds the case).
DEADLINE_STATUSES: Final = frozenset({Status.REGISTERED, Status.MEDIATING, Status.UNRESOLVED})
#: Statuses without a final township outcome yet.
OPEN_STATUSES: Final = DEADLINE_STATUSES | {Status.REFERRED, Status.ESCALATED}
