"""What the dispute case ledger shows: labels, prompts and alerts (translated here), the
formatting of one reader's view, and the card's content. Message bodies are rendered from
`templates/cases/`; who may see what is decided in `bot.cases.access`."""

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
from bot.core.i18n import N_, Gettext, normalize_language
from bot.core.money import yuan
from bot.core.render import PUNCTUATION, format_date, format_datetime
from bot.core.text import Html, join_html
from bot.core.turn import Button

CARD_EVENTS = 8
CARD_NOTE_CHARS = 120
DESCRIPTION_MAX = 1000
NOTE_MAX = 500

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
DONE_NOTICES = {
    Action.START_MEDIATION: N_("✅ Mediation started."),
    Action.RESOLVE: N_(
        "✅ Agreement recorded. Record the follow-up visit (回访) to close the case."
    ),
    Action.MARK_UNRESOLVED: N_("✅ Marked not resolved. Refer or escalate the case next."),
    Action.REFER: N_("✅ Referred."),
    Action.ESCALATE: N_("✅ Escalated to the secretary."),
    Action.RECORD_RELIEF: N_("✅ Relief recorded."),
    Action.RECORD_FOLLOWUP: N_("✅ Follow-up visit recorded; the case is closed."),
    Action.REOPEN: N_("✅ Case reopened with a new deadline."),
    Action.ADD_NOTE: N_("✅ Note added."),
    Action.REASSIGN: N_("✅ Mediator changed."),
}
NOTE_PROMPTS = {
    Action.MARK_UNRESOLVED: N_(
        "Why could mediation not resolve {number}? Please type the reason (at most {max} "
        "characters)."
    ),
    Action.ESCALATE: N_(
        "Why does {number} need the secretary? Please type the reason (at most {max} characters)."
    ),
    Action.RECORD_FOLLOWUP: N_(
        "What did the follow-up visit (回访) for {number} find? Please type a short note (at "
        "most {max} characters). Saving it closes the case."
    ),
    Action.REOPEN: N_(
        "Why is {number} reopened? Please type the reason (at most {max} characters)."
    ),
    Action.ADD_NOTE: N_(
        "Type the note to add to the timeline of {number} (at most {max} characters)."
    ),
}


# --- short replies, prompts and alerts ----------------------------------------------------

NOT_FOUND = N_(
    "I could not find case {number}. Please check the number; cadres can open only the "
    "cases they registered themselves."
)
NOT_A_NUMBER = N_(
    "“{text}” is not a case number. Case numbers look like {example}: the township "
    "code, the year and a number."
)
USAGE = N_(
    "Send /case new to register a dispute case, or /case followed by a case number "
    "(for example /case {example}) to open one. /cases lists cases."
)
NEW_CASE_BUTTON = N_("➕ Register a case")
CASE_LIST_BUTTON = N_("📂 Case list")
PERIOD_USAGE = N_(
    "Please choose the period: week, month or year, for example /disputes month. "
    "Without one, you get this year so far."
)
PRIVATE_CASES = N_(
    "For privacy, dispute cases are handled only in a private chat with me. "
    "Please write to me directly."
)
WHICH_TOWNSHIP = N_("Which township?")
NO_TOWNSHIP = N_("No township is configured yet.")
OWN_TOWNSHIP_ONLY = N_("You can only see your own township's cases.")
USE_BUTTONS = N_("Please use the buttons above, or send /cancel.")
AS_TEXT = N_("Please type it as a text message; photos, stickers and files cannot be used here.")
TOO_LONG = N_(
    "That text is {length} characters long; the limit is {max}. Please shorten it and "
    "send it again."
)
OUT_OF_DATE = N_("This card was out of date: the case has changed since. Here is the current card.")
CHANGED_MEANWHILE = N_(
    "The case was changed by someone else in the meantime, so nothing was saved. "
    "Here is the current card."
)
PHONES_PRIVATE = N_(
    "Only mediators and the township's secretary see phone numbers, in a private chat."
)
NO_PHONES = N_("No phone number is recorded for this case's parties.")

CANCEL = N_("✖️ Cancel")
BACK_TO_CASE = N_("◀️ Back to the case")
BACK_TO_LIST = N_("◀️ Back to the list")
BACK_TO_FIGURES = N_("◀️ Back to the figures")
PHONES = N_("📱 Phone numbers")
FULL_TIMELINE = N_("📜 Full timeline")
REFRESH = N_("🔄 Refresh")

# --- formatting ------------------------------------------------------------------------


def money(value: Decimal | None, language: str = "zh_CN") -> str:
    return "" if value is None else yuan(value, language)


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
        return format_datetime(value, self.tz, self.lang, weekday=False)

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
            if left == 0:
                return _("due today")
            if left == 1:
                return _("due tomorrow")
            return _("{days} days left").format(days=left)
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
            amount=money(Decimal(details["amount"]), self.lang) if details.get("amount") else "",
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


def party_texts(parties: Sequence[Any], language: str = "zh_CN") -> list[str]:
    """'张三（138****5678）': phones are only ever shown masked."""
    mark = PUNCTUATION[normalize_language(language)]
    return [
        f"{p.name}{mark.opening}{rules.mask_phone(p.phone)}{mark.closing}" if p.phone else p.name
        for p in parties
    ]


def card_context(
    view: View, detail: CaseDetail, *, show_parties: bool, full_timeline: bool = False
) -> dict[str, Any]:
    _ = view._
    s = detail.summary.state
    events = list(detail.events)
    hidden = 0 if full_timeline else max(0, len(events) - CARD_EVENTS)
    shown = events[hidden:]
    parties = party_texts(detail.parties, view.lang) if show_parties else []
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
        "amount": money(detail.amount, view.lang),
        "description": detail.description,
        "show_parties": show_parties,
        "parties": parties,
        "party_count": len(detail.parties),
        "resolved": s.resolved_on is not None,
        "resolved_on": view.date(s.resolved_on),
        "form": _(FORM_LABELS[s.agreement_form]) if s.agreement_form else "",
        "summary": s.agreement_summary or "",
        "agreed": money(s.amount_agreed, view.lang),
        "paid": money(s.amount_paid, view.lang),
        "unit": view.unit(s.referral_unit),
        "referred_on": view.date(s.referred_on),
        "escalated_on": view.date(s.escalated_on),
        "relief": money(s.relief_total, view.lang) if s.relief_count else "",
        "relief_count": s.relief_count,
        "followup_on": view.date(s.followup_on),
        "reopened": s.reopened_count,
        "events": [view.event_line(e, detail.names, full_timeline) for e in shown],
        "hidden": hidden,
    }


# --- rule errors -----------------------------------------------------------------------------


def rule_message(_: Gettext, exc: CaseRuleError, view: View | None = None) -> Html:
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
        return _(TOO_LONG).format(length=p.get("length"), max=p.get("max_length"))
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
    if code == "party_phone":
        return _(
            "The phone number in “{line}” does not look right. Type a mobile number (11 digits) "
            "or a landline with its area code, or just the name. Nothing was added."
        ).format(line=str(p.get("line", ""))[:40])
    if code == "party_name_too_long":
        return _("A name can be at most {max} characters. Nothing was added.").format(
            max=p.get("max")
        )
    if code == "party_name":
        return _(
            "Please start each line with the party's name, for example: 张三 13812345678. "
            "Nothing was added."
        )
    if code == "too_many_parties":
        return _("A case can list at most {max} parties. Nothing was added.").format(
            max=p.get("max")
        )
    return _("That could not be saved because the input is not valid. Nothing was changed.")


@dataclass(frozen=True)
class Screen:
    """A message body and its buttons, to send or to show in place of the pressed one."""

    text: Html
    rows: Sequence[Sequence[Button]] = ()


def pairs(buttons: Sequence[Button], width: int = 2) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def groups_title(_: Gettext, by_category: bool, empty: bool) -> Html:
    """The heading of the figures by category or by village (a line more when there is
    nothing to list)."""
    title: Html = _("Cases by category") if by_category else _("Cases by village")
    if empty:
        title += "\n" + _("No cases registered in this period.")
    return title


def with_notice(notice: Html | None, text: Html) -> Html:
    """A card under a one-line notice (what just happened to it)."""
    return text if notice is None else join_html([notice, text], "\n\n")
