"""A case as the rules see it, who acts on it, what they give, and what the timeline keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.cases.rules.vocabulary import Action, AgreementForm, Status, Tier


@dataclass(frozen=True)
class CaseState:
    """Snapshot of one case; plain types so the database layer can build it from a row.

    ``status``/``tier``/``agreement_form`` are ``StrEnum`` (``Status(row.status)``);
    ``category``/``source``/``referral_unit`` hold config keys; member ids are ints.
    """

    number: str
    township_id: int
    village: str
    category: str
    source: str
    tier: Tier
    status: Status
    registered_on: date
    deadline: date
    opened_by: int
    mediator_id: int | None = None
    people_count: int = 1
    mediation_started_on: date | None = None
    resolved_on: date | None = None
    agreement_form: AgreementForm | None = None
    agreement_summary: str | None = None
    amount_agreed: Decimal | None = None
    amount_paid: Decimal | None = None
    unresolved_on: date | None = None
    referral_unit: str | None = None
    referred_on: date | None = None
    escalated_on: date | None = None
    followup_on: date | None = None
    closed_on: date | None = None
    relief_total: Decimal = Decimal(0)
    relief_count: int = 0
    reopened_count: int = 0
    last_reopened_on: date | None = None


#: The statistics and reminder functions take the same snapshot.
CaseFacts = CaseState


@dataclass(frozen=True)
class Actor:
    """Who performs an action: member id, role set and township."""

    member_id: int
    roles: frozenset[str]
    township_id: int


@dataclass(frozen=True)
class ActionPayload:
    """User input for an action; fields irrelevant to the action are ignored.

    ``on`` backdates the effective date (resolution, follow-up, referral, ...); it defaults
    to ``at.date()`` and may not be in the future.  ``deadline`` overrides the new deadline
    on ``reopen``.  ``agreement_form`` also accepts ``"oral"``/``"written"``.
    """

    note: str | None = None
    agreement_form: AgreementForm | str | None = None
    summary: str | None = None
    amount_agreed: Decimal | None = None
    amount_paid: Decimal | None = None
    referral_unit: str | None = None
    relief_amount: Decimal | None = None
    mediator_id: int | None = None
    on: date | None = None
    deadline: date | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """Append-only record of one action.  ``details`` values are strings (JSON-friendly)."""

    case_number: str
    at: datetime
    actor_id: int
    action: Action
    from_status: Status | None
    to_status: Status
    note: str | None
    details: tuple[tuple[str, str], ...] = ()

    @property
    def details_map(self) -> dict[str, str]:
        return dict(self.details)
