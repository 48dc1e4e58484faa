"""The workflow of a dispute case: which action is allowed from which status, for whom.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Final

from bot.cases.rules.effects import HANDLERS, clean_note, render_details
from bot.cases.rules.numbers import format_case_number, parse_case_number
from bot.cases.rules.parsing import MAX_PEOPLE, MIN_PEOPLE
from bot.cases.rules.state import ActionPayload, Actor, CaseState, TimelineEntry
from bot.cases.rules.vocabulary import (
    DEFAULT_CONFIG,
    WORKFLOW_ROLES,
    Action,
    CaseConfig,
    CaseRuleError,
    Status,
    Tier,
    deadline_for,
)
from bot.core.roles import ALL_ROLES, Role

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
    handler = HANDLERS.get(action)
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
    note = clean_note(p.note, missing_code="missing_note", required=action in _NOTE_REQUIRED)
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
        details=render_details(details),
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
    cleaned_note = clean_note(note, missing_code="missing_note", required=False)
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
        details=render_details(
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
