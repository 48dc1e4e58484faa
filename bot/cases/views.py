"""What the dispute case ledger shows: labels, who may see what, and message bodies.

Privacy rules (issue 4), enforced here and in `bot.cases.handlers`:
- party names and phone numbers are shown only to mediators and the secretary of the case's
  township and to admins, only in private chats, and phones only masked (the full number
  only in a transient alert on request);
- a cadre sees only the cases they registered, without party names or phones;
- another township's cases are invisible (reported exactly like an unknown number);
- lists, statistics, briefs, logs and audit entries never carry party data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.cases import rules
from bot.cases.queries import CaseDetail, CaseSummary
from bot.cases.rules import Action, AgreementForm, CaseConfig, CaseRuleError, Status, Tier
from bot.core.access import Actor
from bot.core.i18n import N_, Gettext
from bot.core.render import format_date
from bot.core.roles import Role

PRIVILEGED = frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN})
CARD_EVENTS = 8
CARD_NOTE_CHARS = 120

STATUS_LABELS = {
    Status.REGISTERED: N_("case registered"),
    Status.MEDIATING: N_("under mediation"),
    Status.RESOLVED: N_("agreement reached, awaiting 回访"),
    Status.UNRESOLVED: N_("not resolved"),
    Status.REFERRED: N_("referred to a 政法 unit"),
    Status.ESCALATED: N_("escalated to the secretary"),
    Status.CLOSED: N_("closed"),
}
STATUS_ICONS = {
    Status.REGISTERED: "🆕",
    Status.MEDIATING: "🤝",
    Status.RESOLVED: "✅",
    Status.UNRESOLVED: "❌",
    Status.REFERRED: "➡️",
    Status.ESCALATED: "⬆️",
    Status.CLOSED: "🗄",
}
TIER_LABELS = {
    Tier.ORDINARY: N_("ordinary (一般)"),
    Tier.COMPLEX: N_("complex (复杂)"),
    Tier.DIFFICULT: N_("difficult (疑难)"),
}
FORM_LABELS = {
    AgreementForm.ORAL: N_("oral agreement"),
    AgreementForm.WRITTEN: N_("written agreement"),
}
# Short codes for buttons (callback data is limited to 64 bytes).
ACTION_CODES = {
    Action.START_MEDIATION: "sm",
    Action.RESOLVE: "rs",
    Action.MARK_UNRESOLVED: "un",
    Action.REFER: "rf",
    Action.ESCALATE: "es",
    Action.RECORD_RELIEF: "rl",
    Action.RECORD_FOLLOWUP: "fu",
    Action.REOPEN: "ro",
    Action.ADD_NOTE: "nt",
    Action.REASSIGN: "ra",
}
ACTION_BY_CODE = {code: action for action, code in ACTION_CODES.items()}
ACTION_BUTTONS = {
    Action.START_MEDIATION: N_("🤝 Start mediation"),
    Action.RESOLVE: N_("✅ Agreement reached"),
    Action.MARK_UNRESOLVED: N_("❌ Not resolved"),
    Action.REFER: N_("➡️ Refer to a 政法 unit"),
    Action.ESCALATE: N_("⬆️ Escalate to the secretary"),
    Action.RECORD_RELIEF: N_("💴 Record relief (信访救助)"),
    Action.RECORD_FOLLOWUP: N_("📞 Record follow-up visit (回访)"),
    Action.REOPEN: N_("🔄 Reopen"),
    Action.ADD_NOTE: N_("📝 Add a note"),
    Action.REASSIGN: N_("👤 Change mediator"),
}
ACTION_DONE = {
    Action.REGISTER: N_("registered the case"),
    Action.START_MEDIATION: N_("started mediation"),
    Action.RESOLVE: N_("recorded an agreement"),
    Action.MARK_UNRESOLVED: N_("marked it not resolved"),
    Action.REFER: N_("referred it to {unit}"),
    Action.ESCALATE: N_("escalated it to the secretary"),
    Action.RECORD_RELIEF: N_("recorded relief (信访救助) of {amount}"),
    Action.RECORD_FOLLOWUP: N_("recorded the follow-up visit (回访); case closed"),
    Action.REOPEN: N_("reopened the case"),
    Action.ADD_NOTE: N_("added a note"),
    Action.REASSIGN: N_("made {name} the mediator"),
}


# --- access ------------------------------------------------------------------------------


def roles_in(actor: Actor, township_id: int) -> frozenset[str]:
    return frozenset(actor.roles_in(township_id))


def sees_parties(actor: Actor, township_id: int) -> bool:
    """Mediators and the secretary of that township, and admins."""
    return bool(roles_in(actor, township_id) & PRIVILEGED)


def can_view(actor: Actor, case: CaseSummary) -> bool:
    township_id = case.state.township_id
    if not actor.can_see_township(township_id):
        return False
    if sees_parties(actor, township_id):
        return True
    return Role.CADRE in roles_in(actor, township_id) and case.state.opened_by == actor.member_id


def domain_actor(actor: Actor, township_id: int) -> rules.Actor:
    return rules.Actor(actor.member_id, roles_in(actor, township_id), township_id)


def allowed_for(actor: Actor, case: CaseSummary) -> list[Action]:
    return rules.allowed_actions(
        case.state.status,
        roles_in(actor, case.state.township_id),
        case.state.opened_by == actor.member_id,
    )


# --- formatting ----------------------------------------------------------------------------


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"¥{int(value):,}"
    return f"¥{value:,.2f}"


def term_label(terms: Sequence[rules.Term], key: str | None) -> str:
    if key is None:
        return ""
    return next((t.label for t in terms if t.key == key), key)


@dataclass
class View:
    """Formatting context for one reader: language, time zone, today, case config."""

    _: Gettext
    lang: str
    tz: ZoneInfo
    today: date
    config: CaseConfig

    def date(self, value: date | None) -> str:
        return "" if value is None else format_date(value, self.lang, weekday=False)

    def when(self, value: datetime) -> str:
        local = value.astimezone(self.tz)
        return f"{format_date(local.date(), self.lang, weekday=False)} {local:%H:%M}"

    def status(self, status: Status) -> str:
        return f"{STATUS_ICONS[status]} {self._(STATUS_LABELS[status])}"

    def tier(self, tier: Tier) -> str:
        return self._(TIER_LABELS[tier])

    def category(self, key: str) -> str:
        return term_label(self.config.categories, key)

    def source(self, key: str) -> str:
        return term_label(self.config.sources, key)

    def unit(self, key: str | None) -> str:
        return term_label(self.config.referral_units, key)

    def deadline_note(self, state: rules.CaseState) -> str:
        _ = self._
        if rules.is_overdue(state, self.today):
            return _("⚠️ overdue by {days} days").format(days=rules.days_overdue(state, self.today))
        if state.status in rules.DEADLINE_STATUSES:
            left = (state.deadline - self.today).days
            return _("{days} days left").format(days=left) if left else _("due today")
        return ""

    def line(self, case: CaseSummary) -> dict[str, str]:
        """A list line: no personal data."""
        s = case.state
        return {
            "number": s.number,
            "village": s.village,
            "category": self.category(s.category),
            "status": self.status(s.status),
            "tier": self.tier(s.tier),
            "deadline": self.date(s.deadline),
            "deadline_note": self.deadline_note(s),
        }

    def case_button(self, case: CaseSummary) -> str:
        s = case.state
        flag = "⚠️" if rules.is_overdue(s, self.today) else STATUS_ICONS[s.status]
        return f"{flag} {s.number} {s.village}"

    def event_line(self, event: Any, names: dict[int, str], full: bool) -> dict[str, str]:
        _ = self._
        action = Action(event.action)
        details = event.details or {}
        text = _(ACTION_DONE[action]).format(
            unit=self.unit(details.get("referral_unit")),
            amount=money(Decimal(details["amount"])) if details.get("amount") else "",
            name=names.get(int(details.get("to_mediator_id") or 0), ""),
        )
        if action is Action.RESOLVE and details.get("agreement_form"):
            text += f" ({_(FORM_LABELS[AgreementForm(details['agreement_form'])])})"
        note = event.note or ""
        if not full and len(note) > CARD_NOTE_CHARS:
            note = note[:CARD_NOTE_CHARS] + "…"
        return {
            "when": self.when(event.at),
            "who": names.get(event.actor_member_id or 0, "?"),
            "text": text,
            "note": note,
        }


def party_texts(parties: Sequence[Any]) -> list[str]:
    """'name (138****5678)': phones are only ever shown masked."""
    return [f"{p.name} ({rules.mask_phone(p.phone)})" if p.phone else p.name for p in parties]


def card_context(
    view: View, detail: CaseDetail, *, show_parties: bool, full_timeline: bool = False
) -> dict[str, Any]:
    _ = view._
    s = detail.summary.state
    events = list(detail.events)
    hidden = 0 if full_timeline else max(0, len(events) - CARD_EVENTS)
    shown = events[hidden:]
    parties = party_texts(detail.parties) if show_parties else []
    return {
        "number": s.number,
        "village": s.village,
        "status": view.status(s.status),
        "tier": view.tier(s.tier),
        "category": view.category(s.category),
        "source": view.source(s.source),
        "deadline": view.date(s.deadline),
        "deadline_note": view.deadline_note(s),
        "registered_on": view.date(s.registered_on),
        "opened_by": detail.names.get(s.opened_by, "?"),
        "mediator": detail.names.get(s.mediator_id or 0, ""),
        "people": s.people_count,
        "amount": money(detail.amount),
        "description": detail.description,
        "show_parties": show_parties,
        "parties": parties,
        "party_count": len(detail.parties),
        "resolved": s.resolved_on is not None,
        "resolved_on": view.date(s.resolved_on),
        "form": _(FORM_LABELS[s.agreement_form]) if s.agreement_form else "",
        "summary": s.agreement_summary or "",
        "agreed": money(s.amount_agreed),
        "paid": money(s.amount_paid),
        "unit": view.unit(s.referral_unit),
        "referred_on": view.date(s.referred_on),
        "escalated_on": view.date(s.escalated_on),
        "relief": money(s.relief_total) if s.relief_count else "",
        "relief_count": s.relief_count,
        "followup_on": view.date(s.followup_on),
        "reopened": s.reopened_count,
        "events": [view.event_line(e, detail.names, full_timeline) for e in shown],
        "hidden": hidden,
    }


# --- statistics ----------------------------------------------------------------------------

# Figure code -> (stat key, label, definition). Definitions are shown with every figure.
FIGURES: dict[str, tuple[str, str, str]] = {
    "sc": (
        "screened",
        N_("Screened (排查)"),
        N_("dispute screenings recorded in visit logs in the period"),
    ),
    "fs": (
        "found_by_screening",
        N_("Found by screening (排查发现)"),
        N_(
            "cases registered in the period whose source is 排查发现 (screening visits are "
            "counted here until visit logs are in use)"
        ),
    ),
    "rg": ("registered", N_("Registered cases"), N_("cases registered in the period")),
    "rs": (
        "resolved",
        N_("Resolved"),
        N_("of those, agreement reached AND follow-up visit (回访) recorded"),
    ),
    "pf": (
        "resolved_pending_followup",
        N_("Awaiting 回访"),
        N_("agreement reached, follow-up visit not yet recorded (not counted as resolved)"),
    ),
    "ip": ("in_progress", N_("In progress"), N_("registered or under mediation")),
    "un": (
        "unresolved",
        N_("Not resolved"),
        N_("mediation failed, not yet referred or escalated"),
    ),
    "rf": ("referred", N_("Referred"), N_("currently with a 政法 unit")),
    "es": ("escalated", N_("Escalated"), N_("currently with the secretary")),
    "od": (
        "overdue",
        N_("Overdue"),
        N_("registered in the period, still with the township and past the deadline"),
    ),
    "ot": (
        "overdue_total",
        N_("Overdue backlog"),
        N_("all cases overdue today, whenever registered"),
    ),
    "sr": (
        "success_rate",
        N_("Success rate"),
        N_(
            "resolved ÷ decided; decided = resolved + not resolved + referred + escalated + "
            "overdue in progress; cases within their deadline or awaiting 回访 are not "
            "counted yet"
        ),
    ),
    "dc": (
        "decided",
        N_("Decided"),
        N_(
            "the success rate's denominator: closed, not resolved, referred, escalated, or "
            "in progress past the deadline"
        ),
    ),
    "ci": (
        "closed_in_period",
        N_("Closed in the period"),
        N_("cases closed by a follow-up visit in the period, whenever registered"),
    ),
}
SHOWN_FIGURES = ("rg", "rs", "pf", "ip", "un", "rf", "es", "od", "ot", "sr", "ci")


def figure_of(stats: rules.DisputeStats | rules.GroupStats, code: str) -> rules.Figure:
    key = FIGURES[code][0]
    if key in {"success_rate", "decided"}:
        return stats.success_rate.denominator
    value = getattr(stats, key)
    assert isinstance(value, rules.Figure)
    return value


def percent(rate: rules.RateFigure) -> str:
    return "—" if rate.percent is None else f"{rate.percent}%"


# --- rule errors -----------------------------------------------------------------------------


def rule_message(_: Gettext, exc: CaseRuleError, view: View | None = None) -> str:
    """A polite translated sentence for a domain rule error."""
    p = exc.params
    code = exc.code
    if code == "action_not_allowed":
        status = Status(str(p.get("status")))
        label = view.status(status) if view else _(STATUS_LABELS[status])
        return _("That is not possible while the case is “{status}”. Nothing was changed.").format(
            status=label
        )
    if code == "permission_denied":
        return _("Your role does not allow that on this case. Nothing was changed.")
    if code in {"missing_note", "missing_summary"}:
        return _("Please type some text; it cannot be empty.")
    if code == "text_too_long":
        return _(
            "That text is {length} characters long; the limit is {max}. Please shorten it and "
            "send it again."
        ).format(length=p.get("length"), max=p.get("max_length"))
    if code == "amount_invalid":
        return _(
            "I could not read “{text}” as an amount of money. Please type a number of yuan, "
            "for example 1200, 1,200.50 or 1.2万."
        ).format(text=str(p.get("text", ""))[:40])
    if code == "amount_negative":
        return _("An amount cannot be negative. Please type the amount again.")
    if code == "amount_zero":
        return _("An amount must be more than 0. If there is none, use the button instead.")
    if code == "amount_too_large":
        return _("That amount is too large (at most ¥100,000,000). Please check it.")
    if code == "people_count_invalid":
        return _("Please type the number of people involved as a whole number, for example 3.")
    if code == "people_count_out_of_range":
        return _("The number of people involved must be between {min} and {max}.").format(
            min=p.get("min"), max=p.get("max")
        )
    if code == "mediator_unchanged":
        return _("That member is already the mediator of this case.")
    return _("That could not be saved because the input is not valid. Nothing was changed.")
