"""The rules of the dispute case ledger (矛盾纠纷): pure functions only, no Telegram, no
database, no I/O, no clock ("today" and "now" are always parameters). Values are frozen
dataclasses or enums; inputs are never mutated.

- `vocabulary`: statuses, tiers, actions, the configurable lists, `CaseRuleError`;
- `numbers`: case numbers (``SHZ-2026-0058``);
- `state`: a case as the rules see it, who acts, what they give, the timeline entry;
- `workflow` and `effects`: which action is allowed from which status and for whom, and
  what it changes;
- `parsing`: amounts, numbers of people, phone numbers, party lines;
- `deadlines`: overdue, due soon, follow-up and escalation reminders;
- `stats` and `brief`: the /disputes figures and the 政法联席会议 brief.

Other features import from this package; the names below are its interface.
"""

from bot.cases.rules.brief import (
    BRIEF_REASON_DIFFICULT,
    BRIEF_REASON_ESCALATED,
    BRIEF_REASON_OVERDUE,
    BRIEF_REASON_REFERRED,
    BriefItem,
    select_for_brief,
)
from bot.cases.rules.deadlines import (
    ReminderDays,
    ReminderKind,
    days_overdue,
    days_past_deadline,
    due_soon,
    escalation_due,
    followup_due,
    is_overdue,
    reminder_for,
)
from bot.cases.rules.effects import MAX_NOTE_LENGTH
from bot.cases.rules.numbers import (
    MAX_SEQ,
    case_number_sort_key,
    format_case_number,
    is_valid_case_number,
    parse_case_number,
)
from bot.cases.rules.parsing import (
    MAX_AMOUNT,
    MAX_PARTIES,
    MAX_PEOPLE,
    MIN_PEOPLE,
    PARTY_NAME_MAX,
    PartyProblem,
    mask_phone,
    normalize_phone,
    parse_amount,
    parse_parties,
    parse_party,
    parse_people_count,
    validate_amount,
)
from bot.cases.rules.state import ActionPayload, Actor, CaseFacts, CaseState, TimelineEntry
from bot.cases.rules.stats import (
    STAT_DEFINITIONS,
    DisputeStats,
    Figure,
    GroupStats,
    MemberCaseFigures,
    RateFigure,
    dispute_stats,
    member_figures,
)
from bot.cases.rules.vocabulary import (
    AGREEMENT_FORM_LABELS,
    DEADLINE_STATUSES,
    DEFAULT_CATEGORIES,
    DEFAULT_CONFIG,
    DEFAULT_FOLLOWUP_AFTER_DAYS,
    DEFAULT_REFERRAL_UNITS,
    DEFAULT_SOURCES,
    DEFAULT_TIER_DAYS,
    OPEN_STATUSES,
    SOURCE_SCREENING,
    TIER_LABELS,
    WORKFLOW_ROLES,
    Action,
    AgreementForm,
    CaseConfig,
    CaseRuleError,
    Status,
    Term,
    Tier,
    deadline_for,
)
from bot.cases.rules.workflow import (
    allowed_actions,
    apply,
    new_case,
    role_permits,
    transition_target,
)

__all__ = [
    "AGREEMENT_FORM_LABELS",
    "BRIEF_REASON_DIFFICULT",
    "BRIEF_REASON_ESCALATED",
    "BRIEF_REASON_OVERDUE",
    "BRIEF_REASON_REFERRED",
    "DEADLINE_STATUSES",
    "DEFAULT_CATEGORIES",
    "DEFAULT_CONFIG",
    "DEFAULT_FOLLOWUP_AFTER_DAYS",
    "DEFAULT_REFERRAL_UNITS",
    "DEFAULT_SOURCES",
    "DEFAULT_TIER_DAYS",
    "MAX_AMOUNT",
    "MAX_NOTE_LENGTH",
    "MAX_PARTIES",
    "MAX_PEOPLE",
    "MAX_SEQ",
    "MIN_PEOPLE",
    "OPEN_STATUSES",
    "PARTY_NAME_MAX",
    "SOURCE_SCREENING",
    "STAT_DEFINITIONS",
    "TIER_LABELS",
    "WORKFLOW_ROLES",
    "Action",
    "ActionPayload",
    "Actor",
    "AgreementForm",
    "BriefItem",
    "CaseConfig",
    "CaseFacts",
    "CaseRuleError",
    "CaseState",
    "DisputeStats",
    "Figure",
    "GroupStats",
    "MemberCaseFigures",
    "PartyProblem",
    "RateFigure",
    "ReminderDays",
    "ReminderKind",
    "Status",
    "Term",
    "Tier",
    "TimelineEntry",
    "allowed_actions",
    "apply",
    "case_number_sort_key",
    "days_overdue",
    "days_past_deadline",
    "deadline_for",
    "dispute_stats",
    "due_soon",
    "escalation_due",
    "followup_due",
    "format_case_number",
    "is_overdue",
    "is_valid_case_number",
    "mask_phone",
    "member_figures",
    "new_case",
    "normalize_phone",
    "parse_amount",
    "parse_case_number",
    "parse_parties",
    "parse_party",
    "parse_people_count",
    "reminder_for",
    "role_permits",
    "select_for_brief",
    "transition_target",
    "validate_amount",
]
