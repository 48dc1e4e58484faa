"""What each workflow action changes on a case and records on its timeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from bot.cases.rules.parsing import validate_amount
from bot.cases.rules.state import ActionPayload, Actor, CaseState
from bot.cases.rules.vocabulary import (
    Action,
    AgreementForm,
    CaseConfig,
    CaseRuleError,
    Status,
    deadline_for,
)

MAX_NOTE_LENGTH: Final = 2000


def clean_note(value: str | None, *, missing_code: str, required: bool) -> str | None:
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


Changes = dict[str, object]
Details = dict[str, object]
_Handler = Callable[
    [CaseState, ActionPayload, Actor, datetime, CaseConfig], tuple[Changes, Details]
]


def _h_start_mediation(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    mediator = p.mediator_id or case.mediator_id or actor.member_id
    return {"mediator_id": mediator, "mediation_started_on": on}, {
        "mediator_id": mediator,
        "on": on,
    }


def _h_resolve(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
    form = _coerce_form(p.agreement_form)
    summary = clean_note(p.summary, missing_code="missing_summary", required=True)
    agreed = None if p.amount_agreed is None else validate_amount(p.amount_agreed)
    paid = None if p.amount_paid is None else validate_amount(p.amount_paid)
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    changes: Changes = {
        "resolved_on": on,
        "agreement_form": form,
        "agreement_summary": summary,
        "amount_agreed": agreed,
        "amount_paid": paid,
        "followup_on": None,
        "closed_on": None,
    }
    details: Details = {
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
) -> tuple[Changes, Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    return {"unresolved_on": on}, {"on": on}


def _h_refer(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
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
) -> tuple[Changes, Details]:
    on = _effective_on(p, at, case.registered_on, "date_before_registration")
    return {"escalated_on": on}, {"on": on}


def _h_record_relief(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
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
) -> tuple[Changes, Details]:
    resolved_on = case.resolved_on or case.registered_on
    on = _effective_on(p, at, resolved_on, "followup_before_resolution")
    return {"followup_on": on, "closed_on": on}, {"followup_on": on}


def _h_reopen(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
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
    changes: Changes = {
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
    details: Details = {
        "previous_status": case.status,
        "previous_deadline": case.deadline,
        "deadline": deadline,
        "reopened_count": count,
        "on": on,
    }
    return changes, details


def _h_add_note(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
    return {}, {}


def _h_reassign(
    case: CaseState, p: ActionPayload, actor: Actor, at: datetime, config: CaseConfig
) -> tuple[Changes, Details]:
    if p.mediator_id is None:
        raise CaseRuleError("missing_mediator")
    if p.mediator_id == case.mediator_id:
        raise CaseRuleError("mediator_unchanged", mediator_id=p.mediator_id)
    return {"mediator_id": p.mediator_id}, {
        "from_mediator_id": case.mediator_id,
        "to_mediator_id": p.mediator_id,
    }


HANDLERS: Final[Mapping[Action, _Handler]] = MappingProxyType(
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


def render_details(details: Details) -> tuple[tuple[str, str], ...]:
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
