"""A case's database row as the rules' snapshot, and back: statuses and enums as text, money
as integer fen (分) so both engines keep it exact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.cases import rules
from bot.cases.rules import CaseState, Status, Tier, TimelineEntry
from bot.core.models import DisputeCase, DisputeCaseEvent


def to_fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


def from_fen(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _opt(enum: Any, value: str | None) -> Any:
    return None if value is None else enum(value)


def state_of(row: DisputeCase, village: str) -> CaseState:
    return CaseState(
        number=row.number,
        township_id=row.township_id,
        village=village,
        category=row.category,
        source=row.source,
        tier=Tier(row.tier),
        status=Status(row.status),
        registered_on=row.registered_on,
        deadline=row.deadline,
        opened_by=row.opened_by,
        mediator_id=row.mediator_id,
        people_count=row.people_count,
        mediation_started_on=row.mediation_started_on,
        resolved_on=row.resolved_on,
        agreement_form=_opt(rules.AgreementForm, row.agreement_form),
        agreement_summary=row.agreement_summary,
        amount_agreed=from_fen(row.amount_agreed_fen),
        amount_paid=from_fen(row.amount_paid_fen),
        unresolved_on=row.unresolved_on,
        referral_unit=row.referral_unit,
        referred_on=row.referred_on,
        escalated_on=row.escalated_on,
        followup_on=row.followup_on,
        closed_on=row.closed_on,
        relief_total=from_fen(row.relief_total_fen) or Decimal(0),
        relief_count=row.relief_count,
        reopened_count=row.reopened_count,
        last_reopened_on=row.last_reopened_on,
    )


def write_state(row: DisputeCase, state: CaseState) -> None:
    row.status = state.status.value
    row.deadline = state.deadline
    row.mediator_id = state.mediator_id
    row.mediation_started_on = state.mediation_started_on
    row.resolved_on = state.resolved_on
    row.agreement_form = None if state.agreement_form is None else state.agreement_form.value
    row.agreement_summary = state.agreement_summary
    row.amount_agreed_fen = to_fen(state.amount_agreed)
    row.amount_paid_fen = to_fen(state.amount_paid)
    row.unresolved_on = state.unresolved_on
    row.referral_unit = state.referral_unit
    row.referred_on = state.referred_on
    row.escalated_on = state.escalated_on
    row.followup_on = state.followup_on
    row.closed_on = state.closed_on
    row.relief_total_fen = to_fen(state.relief_total) or 0
    row.relief_count = state.relief_count
    row.reopened_count = state.reopened_count
    row.last_reopened_on = state.last_reopened_on


def event_row(case_id: int, entry: TimelineEntry) -> DisputeCaseEvent:
    return DisputeCaseEvent(
        case_id=case_id,
        at=entry.at,
        actor_member_id=entry.actor_id,
        action=entry.action.value,
        from_status=None if entry.from_status is None else entry.from_status.value,
        to_status=entry.to_status.value,
        note=entry.note,
        details=entry.details_map,
    )
