"""Dispute cases (矛盾纠纷): vocabulary, numbering, workflow, reminders and statistics.

Pure functions only: no Telegram, no database, no I/O, no clock.  "Today" and "now" are
always parameters.  All values are frozen dataclasses or enums; inputs are never mutated.
Errors are raised as :class:`CaseRuleError` carrying a stable machine ``code`` plus
``params``; the caller turns codes into translated messages.

Workflow
========

Statuses::

    registered --start_mediation--> mediating --resolve--> resolved --record_followup--> closed
                                       |
                                       +--mark_unresolved--> unresolved
                                       +--refer------------> referred   (to a 政法 unit)
                                       +--escalate---------> escalated  (to the secretary)

Transition table (``from`` statuses -> ``to`` status):

================  ==============================================  ==============
action            allowed from                                    to
================  ==============================================  ==============
start_mediation   registered                                      mediating
resolve           mediating, referred, escalated                  resolved
mark_unresolved   mediating                                       unresolved
refer             mediating, unresolved, escalated                referred
escalate          mediating, unresolved, referred                 escalated
record_relief     every status (open, resolved, closed)           unchanged
record_followup   resolved                                        closed
reopen            resolved, closed, unresolved, referred,         mediating
                  escalated
add_note          every status                                    unchanged
reassign          every status except closed                      unchanged
================  ==============================================  ==============

Decisions:

* A referred or escalated case is resolved when the outcome comes back (the court, police
  station or secretary reports an agreement): ``resolve`` is allowed directly from
  ``referred``/``escalated``; the timeline entry records ``via`` (previous status) and the
  referral unit.  It still needs an agreement form and summary, and still needs a 回访
  before it is ``closed``.
* ``refer``/``escalate`` are allowed straight from ``mediating`` (mediation failed and is
  immediately routed on) as well as from ``unresolved``; an escalated case may be referred
  by the secretary and a referred case may be escalated when the unit stalls.
* ``reopen`` always returns the case to ``mediating``, clears the outcome fields of the
  previous episode (the timeline keeps the history), increments ``reopened_count`` and sets
  a fresh deadline (tier days counted from the reopen date unless the payload gives one).
* ``mark_unresolved``, ``escalate``, ``reopen`` and ``add_note`` require a note (the reason).
* ``register`` exists only for the creation entry written by :func:`new_case`; it is never
  available through :func:`apply`.

Role x action table (roles: cadre, mediator, secretary, admin; every actor acts only on
cases of their own township — otherwise ``wrong_township``):

================  ========  =================  =============  =================
action            mediator  secretary / admin  cadre (owner)  cadre (not owner)
================  ========  =================  =============  =================
start_mediation   yes       yes                yes            no
resolve           yes       yes                yes            no
mark_unresolved   yes       yes                no             no
refer             yes       yes                no             no
escalate          yes       yes                no             no
record_relief     yes       yes                no             no
record_followup   yes       yes                no             no
reopen            yes       yes                no             no
add_note          yes       yes                yes            yes
reassign          yes       yes                no             no
================  ========  =================  =============  =================

A member with none of the four roles may do nothing.  "Owner" means the cadre opened
(registered) the case.  Roles combine: the union of what each role permits.  An action
must be permitted by both the status table and the role table; :func:`allowed_actions`
returns that intersection and :func:`apply` enforces it (``action_not_allowed`` for the
status, ``permission_denied`` for the role).

Deadlines and reminders
=======================

Deadline = registration (or reopen) date + tier days in calendar days (ordinary 7,
complex 15, difficult 30 by default).  The deadline day itself is still on time; a case
is overdue from the next day.  The deadline clock runs only while the township itself
holds the case: ``registered``, ``mediating`` and ``unresolved`` (an unresolved case is
stuck at the township until it is referred, escalated or reopened).  Referred and
escalated cases are with another body, resolved/closed cases are done; those are never
"overdue" (the brief still lists referred/escalated cases with their days past deadline).

Statistics
==========

See :data:`STAT_DEFINITIONS` for the exact definition of every figure.  In short: the
per-case figures describe the *cohort* of cases registered within the period
(inclusive), with their status as of the snapshot passed in, so every numerator is a
subset of its denominator and each figure lists its case numbers for drill-down.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from bot.core.roles import ALL_ROLES, Role

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


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

_TIER_RANK: Final[Mapping[Tier, int]] = MappingProxyType(
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


# ---------------------------------------------------------------------------
# Case numbers
# ---------------------------------------------------------------------------

_PREFIX_RE: Final = re.compile(r"[A-Z][A-Z0-9]{1,9}")
_CASE_NUMBER_RE: Final = re.compile(r"([A-Z][A-Z0-9]{1,9})-([0-9]{4})-([0-9]{4,})")
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2999


def format_case_number(prefix: str, year: int, seq: int) -> str:
    """``("SHZ", 2026, 58) -> "SHZ-2026-0058"`` (seq zero-padded to at least 4 digits)."""
    if not _PREFIX_RE.fullmatch(prefix):
        raise CaseRuleError("invalid_case_prefix", prefix=prefix)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CaseRuleError("invalid_case_year", year=year)
    if seq < 1:
        raise CaseRuleError("invalid_case_seq", seq=seq)
    return f"{prefix}-{year:04d}-{seq:04d}"


def parse_case_number(text: str) -> tuple[str, int, int] | None:
    """Parse ``"shz-2026-0058 "`` into ``("SHZ", 2026, 58)``; ``None`` if not a case number."""
    match = _CASE_NUMBER_RE.fullmatch(text.strip().upper())
    if match is None:
        return None
    prefix, year_text, seq_text = match.groups()
    year, seq = int(year_text), int(seq_text)
    if not MIN_YEAR <= year <= MAX_YEAR or seq < 1:
        return None
    return prefix, year, seq


def is_valid_case_number(text: str) -> bool:
    return parse_case_number(text) is not None


def case_number_sort_key(number: str) -> tuple[str, int, int, str]:
    """Natural order for case numbers (by prefix, year, seq); unparsable ones sort by text."""
    parsed = parse_case_number(number)
    if parsed is None:
        return (number, 0, 0, number)
    prefix, year, seq = parsed
    return (prefix, year, seq, number)


# ---------------------------------------------------------------------------
# Case state and timeline
# ---------------------------------------------------------------------------


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


MAX_NOTE_LENGTH: Final = 2000

#: Statuses in which the deadline clock runs (the township holds the case).
DEADLINE_STATUSES: Final = frozenset({Status.REGISTERED, Status.MEDIATING, Status.UNRESOLVED})
#: Statuses without a final township outcome yet.
OPEN_STATUSES: Final = DEADLINE_STATUSES | {Status.REFERRED, Status.ESCALATED}

_TRANSITIONS: Final[Mapping[Action, Mapping[Status, Status]]] = MappingProxyType(
    {
        Action.START_MEDIATION: {Status.REGISTERED: Status.MEDIATING},
        Action.RESOLVE: {
            s: Status.RESOLVED for s in (Status.MEDIATING, Status.REFERRED, Status.ESCALATED)
        },
        Action.MARK_UNRESOLVED: {Status.MEDIATING: Status.UNRESOLVED},
        Action.REFER: {
            s: Status.REFERRED for s in (Status.MEDIATING, Status.UNRESOLVED, Status.ESCALATED)
        },
        Action.ESCALATE: {
            s: Status.ESCALATED for s in (Status.MEDIATING, Status.UNRESOLVED, Status.REFERRED)
        },
        Action.RECORD_RELIEF: {s: s for s in Status},
        Action.RECORD_FOLLOWUP: {Status.RESOLVED: Status.CLOSED},
        Action.REOPEN: {
            s: Status.MEDIATING
            for s in (
                Status.RESOLVED,
                Status.CLOSED,
                Status.UNRESOLVED,
                Status.REFERRED,
                Status.ESCALATED,
            )
        },
        Action.ADD_NOTE: {s: s for s in Status},
        Action.REASSIGN: {s: s for s in Status if s is not Status.CLOSED},
    }
)

_CADRE_OWNER_ACTIONS: Final = frozenset({Action.START_MEDIATION, Action.RESOLVE, Action.ADD_NOTE})
_CADRE_ANY_ACTIONS: Final = frozenset({Action.ADD_NOTE})
_NOTE_REQUIRED: Final = frozenset(
    {Action.ADD_NOTE, Action.REOPEN, Action.MARK_UNRESOLVED, Action.ESCALATE}
)


def transition_target(status: Status, action: Action) -> Status | None:
    """Status after ``action`` from ``status``, or ``None`` if the status forbids it."""
    return _TRANSITIONS.get(action, {}).get(status)


def role_permits(action: Action, roles: Iterable[str], is_owner: bool) -> bool:
    """Role table only (ignores status): may someone with ``roles`` do ``action``?"""
    role_set = frozenset(roles)
    if action is Action.REGISTER:
        return False
    if role_set & WORKFLOW_ROLES:
        return True
    if Role.CADRE in role_set:
        return action in (_CADRE_OWNER_ACTIONS if is_owner else _CADRE_ANY_ACTIONS)
    return False


def allowed_actions(status: Status, role_set: Iterable[str], is_owner: bool) -> list[Action]:
    """Actions permitted by both the status table and the role table, in enum order."""
    roles = frozenset(role_set)
    return [
        action
        for action in Action
        if transition_target(status, action) is not None and role_permits(action, roles, is_owner)
    ]


def _clean_text(value: str | None, *, missing_code: str, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise CaseRuleError(missing_code)
        return None
    if len(text) > MAX_NOTE_LENGTH:
        raise CaseRuleError("text_too_long", max_length=MAX_NOTE_LENGTH, length=len(text))
    return text


def _effective_on(payload: ActionPayload, at: datetime, not_before: date, code: str) -> date:
    on = payload.on or at.date()
    if on > at.date():
        raise CaseRuleError("date_in_future", on=on.isoformat(), today=at.date().isoformat())
    if on < not_before:
        raise CaseRuleError(code, on=on.isoformat(), not_before=not_before.isoformat())
    return on


def _coerce_form(value: AgreementForm | str | None) -> AgreementForm:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CaseRuleError("missing_agreement_form")
    try:
        return AgreementForm(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        raise CaseRuleError(
            "invalid_agreement_form", value=str(value), allowed=[f.value for f in AgreementForm]
        ) from None


_Changes = dict[str, object]
_Details = dict[str, object]
_Handler = Callable[
    [CaseState, ActionPayload, Actor, datetime, CaseConfig], tuple[_Changes, _Details]
]


def _h_start_mediation(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    mediator = p.mediator_id or case.mediator_id or actor.member_id
    return {"mediator_id": mediator, "mediation_started_on": on}, {
        "mediator_id": mediator,
        "on": on,
    }


def _h_resolve(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    form = _coerce_form(p.agreement_form)
    summary = _clean_text(p.summary, missing_code="missing_summary", required=True)
    agreed = None if p.amount_agreed is None else validate_amount(p.amount_agreed)
    paid = None if p.amount_paid is None else validate_amount(p.amount_paid)
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    changes: _Changes = {
        "resolved_on": on,
        "agreement_form": form,
        "agreement_summary": summary,
        "amount_agreed": agreed,
        "amount_paid": paid,
        "followup_on": None,
        "closed_on": None,
    }
    details: _Details = {
        "agreement_form": form,
        "summary": summary,
        "amount_agreed": agreed,
        "amount_paid": paid,
        "resolved_on": on,
    }
    if case.status in (Status.REFERRED, Status.ESCALATED):
        details["via"] = case.status
        details["referral_unit"] = case.referral_unit
    return changes, details


def _h_mark_unresolved(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    return {"unresolved_on": on}, {"on": on}


def _h_refer(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    unit = (p.referral_unit or "").strip()
    if not unit:
        raise CaseRuleError("missing_referral_unit")
    if unit not in config.referral_unit_keys:
        raise CaseRuleError(
            "unknown_referral_unit",
            unit=unit,
            allowed=[t.key for t in config.referral_units],
        )
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    return {"referral_unit": unit, "referred_on": on}, {"referral_unit": unit, "on": on}


def _h_escalate(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    return {"escalated_on": on}, {"on": on}


def _h_record_relief(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    if p.relief_amount is None:
        raise CaseRuleError("missing_amount")
    amount = validate_amount(p.relief_amount)
    total = validate_amount(case.relief_total + amount)
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    return {"relief_total": total, "relief_count": case.relief_count + 1}, {
        "amount": amount,
        "relief_total": total,
        "on": on,
    }


def _h_record_followup(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    resolved_on = case.resolved_on or case.registered_on
    on = _effective_on(p, at, resolved_on, "followup_before_resolution")
    return {"followup_on": on, "closed_on": on}, {"followup_on": on}


def _h_reopen(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    if p.deadline is not None:
        if p.deadline < on:
            raise CaseRuleError(
                "invalid_deadline", deadline=p.deadline.isoformat(), on=on.isoformat()
            )
        deadline = p.deadline
    else:
        deadline = deadline_for(case.tier, on, config.tier_days)
    count = case.reopened_count + 1
    changes: _Changes = {
        "deadline": deadline,
        "reopened_count": count,
        "last_reopened_on": on,
        "mediation_started_on": on,
        "resolved_on": None,
        "agreement_form": None,
        "agreement_summary": None,
        "amount_agreed": None,
        "amount_paid": None,
        "unresolved_on": None,
        "referral_unit": None,
        "referred_on": None,
        "escalated_on": None,
        "followup_on": None,
        "closed_on": None,
    }
    details: _Details = {
        "previous_status": case.status,
        "previous_deadline": case.deadline,
        "deadline": deadline,
        "reopened_count": count,
        "on": on,
    }
    return changes, details


def _h_add_note(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    return {}, {}


def _h_reassign(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[_Changes, _Details]:
    if p.mediator_id is None:
        raise CaseRuleError("missing_mediator")
    if p.mediator_id == case.mediator_id:
        raise CaseRuleError("mediator_unchanged", mediator_id=p.mediator_id)
    return {"mediator_id": p.mediator_id}, {
        "from_mediator_id": case.mediator_id,
        "to_mediator_id": p.mediator_id,
    }


_HANDLERS: Final[Mapping[Action, _Handler]] = MappingProxyType(
    {
        Action.START_MEDIATION: _h_start_mediation,
        Action.RESOLVE: _h_resolve,
        Action.MARK_UNRESOLVED: _h_mark_unresolved,
        Action.REFER: _h_refer,
        Action.ESCALATE: _h_escalate,
        Action.RECORD_RELIEF: _h_record_relief,
        Action.RECORD_FOLLOWUP: _h_record_followup,
        Action.REOPEN: _h_reopen,
        Action.ADD_NOTE: _h_add_note,
        Action.REASSIGN: _h_reassign,
    }
)


def _render_details(details: _Details) -> tuple[tuple[str, str], ...]:
    rendered: list[tuple[str, str]] = []
    for key, value in details.items():
        if value is None:
            continue
        if isinstance(value, date):
            text = value.isoformat()
        elif isinstance(value, StrEnum):
            text = value.value
        else:
            text = str(value)
        rendered.append((key, text))
    return tuple(rendered)


def apply(
    case_state: CaseState,
    action: Action,
    payload: ActionPayload | None,
    actor: Actor,
    at: datetime,
    *,
    config: CaseConfig = DEFAULT_CONFIG,
) -> tuple[CaseState, TimelineEntry]:
    """Validate ``action`` and return the new state plus its timeline entry.

    Check order: township (``wrong_township``), status (``action_not_allowed``), role
    (``permission_denied``), then the payload.  The input state is never modified.
    """
    p = payload or ActionPayload()
    if actor.township_id != case_state.township_id:
        raise CaseRuleError(
            "wrong_township",
            case_township_id=case_state.township_id,
            actor_township_id=actor.township_id,
        )
    target = transition_target(case_state.status, action)
    handler = _HANDLERS.get(action)
    if target is None or handler is None:
        raise CaseRuleError(
            "action_not_allowed", action=action.value, status=case_state.status.value
        )
    is_owner = case_state.opened_by == actor.member_id
    if not role_permits(action, actor.roles, is_owner):
        raise CaseRuleError(
            "permission_denied",
            action=action.value,
            roles=sorted(actor.roles),
            is_owner=is_owner,
        )
    note = _clean_text(p.note, missing_code="missing_note", required=action in _NOTE_REQUIRED)
    changes, details = handler(case_state, p, actor, at, config)
    new_state = replace(case_state, status=target, **changes)  # type: ignore[arg-type]
    entry = TimelineEntry(
        case_number=case_state.number,
        at=at,
        actor_id=actor.member_id,
        action=action,
        from_status=case_state.status,
        to_status=target,
        note=note,
        details=_render_details(details),
    )
    return new_state, entry


def new_case(
    *,
    number: str,
    township_id: int,
    village: str,
    category: str,
    source: str,
    tier: Tier,
    registered_on: date,
    actor: Actor,
    at: datetime,
    people_count: int = 1,
    mediator_id: int | None = None,
    note: str | None = None,
    config: CaseConfig = DEFAULT_CONFIG,
) -> tuple[CaseState, TimelineEntry]:
    """Build a freshly registered case (any known role of the township may register)."""
    if actor.township_id != township_id:
        raise CaseRuleError(
            "wrong_township", case_township_id=township_id, actor_township_id=actor.township_id
        )
    if not frozenset(actor.roles) & ALL_ROLES:
        raise CaseRuleError("permission_denied", action=Action.REGISTER.value, roles=[])
    parsed = parse_case_number(number)
    if parsed is None:
        raise CaseRuleError("invalid_case_number", number=number)
    canonical = format_case_number(*parsed)
    village_name = village.strip()
    if not village_name:
        raise CaseRuleError("missing_village")
    if category not in config.category_keys:
        raise CaseRuleError(
            "unknown_category", category=category, allowed=[t.key for t in config.categories]
        )
    if source not in config.source_keys:
        raise CaseRuleError(
            "unknown_source", source=source, allowed=[t.key for t in config.sources]
        )
    if not MIN_PEOPLE <= people_count <= MAX_PEOPLE:
        raise CaseRuleError("people_count_out_of_range", min=MIN_PEOPLE, max=MAX_PEOPLE)
    if registered_on > at.date():
        raise CaseRuleError(
            "date_in_future", on=registered_on.isoformat(), today=at.date().isoformat()
        )
    cleaned_note = _clean_text(note, missing_code="missing_note", required=False)
    state = CaseState(
        number=canonical,
        township_id=township_id,
        village=village_name,
        category=category,
        source=source,
        tier=tier,
        status=Status.REGISTERED,
        registered_on=registered_on,
        deadline=deadline_for(tier, registered_on, config.tier_days),
        opened_by=actor.member_id,
        mediator_id=mediator_id,
        people_count=people_count,
    )
    entry = TimelineEntry(
        case_number=canonical,
        at=at,
        actor_id=actor.member_id,
        action=Action.REGISTER,
        from_status=None,
        to_status=Status.REGISTERED,
        note=cleaned_note,
        details=_render_details(
            {
                "village": village_name,
                "category": category,
                "source": source,
                "tier": tier,
                "deadline": state.deadline,
                "people_count": people_count,
                "mediator_id": mediator_id,
            }
        ),
    )
    return state, entry


# ---------------------------------------------------------------------------
# Input parsing
# ---------------------------------------------------------------------------

MAX_AMOUNT: Final = Decimal(100_000_000)
MIN_PEOPLE: Final = 1
MAX_PEOPLE: Final = 10_000
_CENT: Final = Decimal("0.01")

_AMOUNT_RE: Final = re.compile(
    r"(?P<sign1>[-+])?(?:¥|rmb|cny)?(?P<sign2>[-+])?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]+))?"
    r"(?P<wan>万)?(?:元|块|圆)?(?:钱)?"
)
_MINUS_SIGNS: Final = str.maketrans({"−": "-", "–": "-", "—": "-", "负": "-"})


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def validate_amount(value: Decimal) -> Decimal:
    """Check a money amount: finite, > 0, at most 2 decimals, <= MAX_AMOUNT; 2-place result."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CaseRuleError("amount_invalid", text=str(value))
    if value < 0:
        raise CaseRuleError("amount_negative", text=str(value))
    if value == 0:
        raise CaseRuleError("amount_zero", text=str(value))
    if value > MAX_AMOUNT:
        raise CaseRuleError("amount_too_large", text=str(value), max=str(MAX_AMOUNT))
    quantized = value.quantize(_CENT)
    if quantized != value:
        raise CaseRuleError("amount_invalid", text=str(value), reason="too_many_decimals")
    return quantized


def parse_amount(text: str) -> Decimal:
    """Parse a typed money amount (元) into a 2-place ``Decimal``.

    Accepts ``1200``, ``1,200``, ``1200元``, ``1.2万``, ``¥1200.50``, full-width digits.
    Codes: ``amount_invalid`` (not a number, bad grouping, sub-fen precision),
    ``amount_negative``, ``amount_zero``, ``amount_too_large`` (> 100,000,000).
    """
    cleaned = re.sub(r"\s+", "", _nfkc(text).translate(_MINUS_SIGNS)).lower()
    match = _AMOUNT_RE.fullmatch(cleaned)
    if not cleaned or match is None or (match["int"] is None and match["frac"] is None):
        raise CaseRuleError("amount_invalid", text=text)
    if match["sign1"] and match["sign2"]:
        raise CaseRuleError("amount_invalid", text=text)
    negative = "-" in (match["sign1"] or "", match["sign2"] or "")
    integer = (match["int"] or "0").replace(",", "").lstrip("0") or "0"
    fraction = (match["frac"] or "").rstrip("0")
    if len(integer) > 12:
        raise CaseRuleError(
            "amount_negative" if negative else "amount_too_large", text=text, max=str(MAX_AMOUNT)
        )
    if len(fraction) > 6:
        raise CaseRuleError("amount_invalid", text=text, reason="too_many_decimals")
    with localcontext() as ctx:
        ctx.prec = 40
        try:
            value = Decimal(f"{integer}.{fraction or '0'}")
        except InvalidOperation:  # pragma: no cover - regex guarantees digits
            raise CaseRuleError("amount_invalid", text=text) from None
        if match["wan"]:
            value *= 10_000
    if negative and value != 0:
        raise CaseRuleError("amount_negative", text=text)
    try:
        return validate_amount(value)
    except CaseRuleError as exc:
        raise CaseRuleError(exc.code, **{**exc.params, "text": text}) from None


def parse_people_count(text: str) -> int:
    """Parse a people count like ``3``, ``3人``, ``３名`` (1..10000)."""
    cleaned = re.sub(r"\s+", "", _nfkc(text))
    match = re.fullmatch(r"([0-9]+)(?:个人|人|名|位|个)?", cleaned)
    if match is None:
        raise CaseRuleError("people_count_invalid", text=text)
    digits = match[1].lstrip("0") or "0"
    if len(digits) > 6 or not MIN_PEOPLE <= int(digits) <= MAX_PEOPLE:
        raise CaseRuleError("people_count_out_of_range", text=text, min=MIN_PEOPLE, max=MAX_PEOPLE)
    return int(digits)


_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_RE: Final = re.compile(r"0[12][0-9][1-9][0-9]{7}|0[3-9][0-9]{2}[1-9][0-9]{6,7}")
_LOCAL_RE: Final = re.compile(r"[1-9][0-9]{6,7}")
_AREA_CODE_RE: Final = re.compile(r"0[12][0-9]|0[3-9][0-9]{2}")


def _landline_area_length(number: str) -> int:
    return 3 if number[1] in "12" else 4


def normalize_phone(text: str | None, default_area_code: str | None = None) -> str | None:
    """Canonical digits of a Chinese mobile (11 digits) or landline (area code + local).

    Strips spaces, dashes, dots, brackets and a ``+86``/``0086``/``86`` prefix.  A bare
    7-8 digit local number is accepted only with ``default_area_code``.  ``None`` if invalid.
    """
    if text is None:
        return None
    s = re.sub(r"[\s\-().]", "", _nfkc(text))
    international = False
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s, international = s[len(prefix) :], True
            break
    else:
        if s.startswith("86") and len(s) == 13 and _MOBILE_RE.fullmatch(s[2:]):
            s = s[2:]
    if not (s.isascii() and s.isdigit()):
        return None
    if international and not s.startswith("0") and not _MOBILE_RE.fullmatch(s):
        s = "0" + s  # +86 drops the trunk 0 of the area code
    if _MOBILE_RE.fullmatch(s) or _LANDLINE_RE.fullmatch(s):
        return s
    if (
        not international
        and default_area_code is not None
        and _AREA_CODE_RE.fullmatch(default_area_code)
        and _LOCAL_RE.fullmatch(s)
    ):
        candidate = default_area_code + s
        if _LANDLINE_RE.fullmatch(candidate):
            return candidate
    return None


def _decimal_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for display; never reveals more than its last 4 digits.

    Mobile ``13812345678`` -> ``138****5678`` (the 3-digit network prefix is shown);
    landline ``0914-1234567`` -> ``0914-***4567`` (the area code is shown).  Anything else
    shows at most the last 4 digits, and only when there are at least 7 digits
    (``****5678``); shorter input becomes ``****``.  Blank input gives ``""``.
    The output is always built from scratch, never by echoing the input.
    """
    if phone is None or not phone.strip():
        return ""
    number = normalize_phone(phone)
    if number is not None and _MOBILE_RE.fullmatch(number):
        return f"{number[:3]}****{number[-4:]}"
    if number is not None:
        area_len = _landline_area_length(number)
        area, local = number[:area_len], number[area_len:]
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    digits = _decimal_digits(phone)
    if len(digits) >= 7:
        return f"****{digits[-4:]}"
    return "****"


# ---------------------------------------------------------------------------
# Deadlines and reminders
# ---------------------------------------------------------------------------


def _check_non_negative(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must be >= 0")


def is_overdue(case: CaseState, today: date) -> bool:
    """Deadline passed (today > deadline) while the township still holds the case."""
    return case.status in DEADLINE_STATUSES and today > case.deadline


def days_overdue(case: CaseState, today: date) -> int:
    """Days past the deadline for an overdue case, else 0."""
    return (today - case.deadline).days if is_overdue(case, today) else 0


def days_past_deadline(case: CaseState, today: date) -> int:
    """Days past the deadline for any open case (including referred/escalated), else 0."""
    if case.status not in OPEN_STATUSES:
        return 0
    return max(0, (today - case.deadline).days)


def due_soon(case: CaseState, today: date, within_days: int = 2) -> bool:
    """Not yet overdue but the deadline is today or within ``within_days`` days."""
    _check_non_negative("within_days", within_days)
    return case.status in DEADLINE_STATUSES and 0 <= (case.deadline - today).days <= within_days


def followup_due(
    case: CaseState, today: date, after_days: int = DEFAULT_FOLLOWUP_AFTER_DAYS
) -> bool:
    """Resolved, no 回访 yet, and at least ``after_days`` days since the resolution."""
    _check_non_negative("after_days", after_days)
    return (
        case.status is Status.RESOLVED
        and case.resolved_on is not None
        and (today - case.resolved_on).days >= after_days
    )


def escalation_due(case: CaseState, today: date, overdue_days_threshold: int) -> bool:
    """Overdue by at least ``overdue_days_threshold`` days (0 means: as soon as overdue)."""
    _check_non_negative("overdue_days_threshold", overdue_days_threshold)
    return is_overdue(case, today) and days_overdue(case, today) >= overdue_days_threshold


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------

STAT_DEFINITIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "screened": (
            "Number of dispute screening (排查) visits logged in the period, as reported by "
            "the visit log (screenings_count). It counts visits, not cases, so no case "
            "numbers are behind it; see found_by_screening for the cases screening produced."
        ),
        "found_by_screening": (
            "Cases registered in the period (inclusive) whose source is screening."
        ),
        "registered": (
            "Cases whose registration date falls within the period, both ends inclusive. "
            "This cohort is the base of every per-case figure except closed_in_period and "
            "overdue_total; statuses are taken from the snapshot passed in."
        ),
        "resolved": (
            "Cohort cases that reached a mediation agreement AND had the follow-up visit "
            "(回访) recorded, i.e. status closed. Agreement alone does not count."
        ),
        "resolved_pending_followup": (
            "Cohort cases with an agreement but no follow-up visit yet (status resolved)."
        ),
        "in_progress": (
            "Cohort cases still registered or under mediation, whether overdue or not."
        ),
        "unresolved": "Cohort cases where mediation failed and that are not yet routed on.",
        "referred": "Cohort cases currently referred to a 政法 unit (outcome not back yet).",
        "escalated": "Cohort cases currently escalated to the secretary (outcome not back yet).",
        "overdue": (
            "Cohort cases registered, under mediation or unresolved whose deadline is before "
            "today. Overlaps the status figures (it is not part of the partition)."
        ),
        "overdue_total": (
            "All supplied cases, whatever their registration date, overdue as of today "
            "(the backlog)."
        ),
        "closed_in_period": (
            "Cases, whatever their registration date, whose follow-up visit closed them "
            "within the period."
        ),
        "success_rate": (
            "resolved / decided x 100, one decimal, rounded half up. decided = resolved + "
            "unresolved + referred + escalated + in-progress cases already past their "
            "deadline. Cases still within their deadline and cases awaiting the follow-up "
            "visit are pending and excluded from both. Empty (None) when decided is 0."
        ),
        "decided": (
            "Denominator of success_rate: cohort cases that are closed, unresolved, "
            "referred, escalated, or still in progress but past their deadline."
        ),
    }
)


@dataclass(frozen=True)
class Figure:
    """One statistic: definition key (see STAT_DEFINITIONS), value and drill-down list."""

    key: str
    count: int
    case_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateFigure:
    key: str
    numerator: Figure
    denominator: Figure
    percent: Decimal | None


@dataclass(frozen=True)
class GroupStats:
    """Cohort figures for one group of cases (all, one category or one village).

    The six status figures (resolved, resolved_pending_followup, in_progress,
    unresolved, referred, escalated) partition ``registered``.
    """

    registered: Figure
    resolved: Figure
    resolved_pending_followup: Figure
    in_progress: Figure
    unresolved: Figure
    referred: Figure
    escalated: Figure
    overdue: Figure
    success_rate: RateFigure


@dataclass(frozen=True)
class DisputeStats:
    period_start: date
    period_end: date
    today: date
    screened: Figure
    found_by_screening: Figure
    closed_in_period: Figure
    overdue_total: Figure
    totals: GroupStats
    by_category: Mapping[str, GroupStats]
    by_village: Mapping[str, GroupStats]

    @property
    def registered(self) -> Figure:
        return self.totals.registered

    @property
    def resolved(self) -> Figure:
        return self.totals.resolved

    @property
    def resolved_pending_followup(self) -> Figure:
        return self.totals.resolved_pending_followup

    @property
    def in_progress(self) -> Figure:
        return self.totals.in_progress

    @property
    def unresolved(self) -> Figure:
        return self.totals.unresolved

    @property
    def referred(self) -> Figure:
        return self.totals.referred

    @property
    def escalated(self) -> Figure:
        return self.totals.escalated

    @property
    def overdue(self) -> Figure:
        return self.totals.overdue

    @property
    def success_rate(self) -> RateFigure:
        return self.totals.success_rate


def _figure(key: str, cases: Iterable[CaseState]) -> Figure:
    numbers = tuple(sorted((c.number for c in cases), key=case_number_sort_key))
    return Figure(key=key, count=len(numbers), case_numbers=numbers)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _group_stats(cohort: Sequence[CaseState], today: date) -> GroupStats:
    def with_status(*statuses: Status) -> list[CaseState]:
        return [c for c in cohort if c.status in statuses]

    resolved = with_status(Status.CLOSED)
    in_progress = with_status(Status.REGISTERED, Status.MEDIATING)
    unresolved = with_status(Status.UNRESOLVED)
    referred = with_status(Status.REFERRED)
    escalated = with_status(Status.ESCALATED)
    decided = [
        *resolved,
        *unresolved,
        *referred,
        *escalated,
        *(c for c in in_progress if is_overdue(c, today)),
    ]
    resolved_fig = _figure("resolved", resolved)
    decided_fig = _figure("decided", decided)
    return GroupStats(
        registered=_figure("registered", cohort),
        resolved=resolved_fig,
        resolved_pending_followup=_figure(
            "resolved_pending_followup", with_status(Status.RESOLVED)
        ),
        in_progress=_figure("in_progress", in_progress),
        unresolved=_figure("unresolved", unresolved),
        referred=_figure("referred", referred),
        escalated=_figure("escalated", escalated),
        overdue=_figure("overdue", (c for c in cohort if is_overdue(c, today))),
        success_rate=RateFigure(
            key="success_rate",
            numerator=resolved_fig,
            denominator=decided_fig,
            percent=_percent(resolved_fig.count, decided_fig.count),
        ),
    )


def _grouped(
    cohort: Sequence[CaseState], key: Callable[[CaseState], str], today: date
) -> Mapping[str, GroupStats]:
    groups: dict[str, list[CaseState]] = {}
    for case in cohort:
        groups.setdefault(key(case), []).append(case)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return MappingProxyType({name: _group_stats(cases, today) for name, cases in ordered})


def dispute_stats(
    cases: Sequence[CaseFacts],
    period_start: date,
    period_end: date,
    today: date,
    *,
    screenings_count: int = 0,
) -> DisputeStats:
    """Figures for one township and period; see :data:`STAT_DEFINITIONS`.

    ``cases`` should be the township's cases (at least all registered in the period plus
    any still open, for ``overdue_total``, and any closed in the period).  Groups in the
    breakdowns are ordered by registered count (descending), then key.
    """
    if period_start > period_end:
        raise CaseRuleError(
            "invalid_period", start=period_start.isoformat(), end=period_end.isoformat()
        )
    if screenings_count < 0:
        raise CaseRuleError("invalid_screenings_count", count=screenings_count)
    cohort = [c for c in cases if period_start <= c.registered_on <= period_end]
    return DisputeStats(
        period_start=period_start,
        period_end=period_end,
        today=today,
        screened=Figure(key="screened", count=screenings_count),
        found_by_screening=_figure(
            "found_by_screening", (c for c in cohort if c.source == SOURCE_SCREENING)
        ),
        closed_in_period=_figure(
            "closed_in_period",
            (
                c
                for c in cases
                if c.status is Status.CLOSED
                and c.closed_on is not None
                and period_start <= c.closed_on <= period_end
            ),
        ),
        overdue_total=_figure("overdue_total", (c for c in cases if is_overdue(c, today))),
        totals=_group_stats(cohort, today),
        by_category=_grouped(cohort, lambda c: c.category, today),
        by_village=_grouped(cohort, lambda c: c.village, today),
    )


# ---------------------------------------------------------------------------
# Brief for the 政法联席会议
# ---------------------------------------------------------------------------

BRIEF_REASON_DIFFICULT: Final = "difficult"
BRIEF_REASON_OVERDUE: Final = "overdue"
BRIEF_REASON_REFERRED: Final = "referred"
BRIEF_REASON_ESCALATED: Final = "escalated"


@dataclass(frozen=True)
class BriefItem:
    case: CaseState
    reasons: tuple[str, ...]
    days_past_deadline: int


def select_for_brief(cases: Iterable[CaseState], today: date) -> list[BriefItem]:
    """Open cases for the joint meeting: difficult tier, overdue, referred or escalated.

    Sorted by days past deadline (most first; referred/escalated cases count their days
    past the original deadline too), then tier (difficult first), then registration date
    (oldest first), then case number.
    """
    items: list[BriefItem] = []
    for case in cases:
        if case.status not in OPEN_STATUSES:
            continue
        reasons: list[str] = []
        if case.tier is Tier.DIFFICULT:
            reasons.append(BRIEF_REASON_DIFFICULT)
        if is_overdue(case, today):
            reasons.append(BRIEF_REASON_OVERDUE)
        if case.status is Status.REFERRED:
            reasons.append(BRIEF_REASON_REFERRED)
        if case.status is Status.ESCALATED:
            reasons.append(BRIEF_REASON_ESCALATED)
        if reasons:
            items.append(BriefItem(case, tuple(reasons), days_past_deadline(case, today)))
    items.sort(
        key=lambda item: (
            -item.days_past_deadline,
            -_TIER_RANK[item.case.tier],
            item.case.registered_on,
            case_number_sort_key(item.case.number),
        )
    )
    return items
