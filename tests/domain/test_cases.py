"""Tests for bot.cases.rules (dispute case workflow, parsing, reminders, statistics)."""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cases.rules import (
    DEFAULT_CONFIG,
    DEFAULT_TIER_DAYS,
    STAT_DEFINITIONS,
    Action,
    ActionPayload,
    Actor,
    AgreementForm,
    CaseConfig,
    CaseRuleError,
    CaseState,
    Status,
    Term,
    Tier,
    allowed_actions,
    apply,
    case_number_sort_key,
    days_overdue,
    days_past_deadline,
    deadline_for,
    dispute_stats,
    due_soon,
    escalation_due,
    followup_due,
    format_case_number,
    is_overdue,
    mask_phone,
    new_case,
    normalize_phone,
    parse_amount,
    parse_case_number,
    parse_people_count,
    select_for_brief,
)

TOWNSHIP = 1
OWNER_ID = 10
MEDIATOR_ID = 20
OTHER_ID = 30
NEW_MEDIATOR_ID = 999
REG = date(2026, 3, 1)
AT = datetime(2026, 3, 20, 10, 0)


def make_case(status: Status = Status.REGISTERED, **overrides: object) -> CaseState:
    """A case consistent with ``status`` (outcome fields filled as the workflow would)."""
    fields: dict[str, object] = {
        "number": "SHZ-2026-0001",
        "township_id": TOWNSHIP,
        "village": "东村",
        "category": "neighbourhood",
        "source": "screening",
        "tier": Tier.ORDINARY,
        "status": status,
        "registered_on": REG,
        "deadline": REG + timedelta(days=7),
        "opened_by": OWNER_ID,
        "mediator_id": MEDIATOR_ID,
    }
    if status is not Status.REGISTERED:
        fields["mediation_started_on"] = REG + timedelta(days=1)
    if status in (Status.RESOLVED, Status.CLOSED):
        fields.update(
            resolved_on=REG + timedelta(days=3),
            agreement_form=AgreementForm.ORAL,
            agreement_summary="apology and repair",
        )
    if status is Status.CLOSED:
        fields.update(followup_on=REG + timedelta(days=10), closed_on=REG + timedelta(days=10))
    if status is Status.UNRESOLVED:
        fields["unresolved_on"] = REG + timedelta(days=4)
    if status is Status.REFERRED:
        fields.update(referral_unit="police_station", referred_on=REG + timedelta(days=5))
    if status is Status.ESCALATED:
        fields["escalated_on"] = REG + timedelta(days=5)
    fields.update(overrides)
    return CaseState(**fields)  # type: ignore[arg-type]


def actor(member_id: int, *roles: str, township_id: int = TOWNSHIP) -> Actor:
    return Actor(member_id=member_id, roles=frozenset(roles), township_id=township_id)


MEDIATOR = actor(MEDIATOR_ID, "mediator")
SECRETARY = actor(OTHER_ID, "secretary")

# ---------------------------------------------------------------------------
# Workflow: the full status x action x role table
# ---------------------------------------------------------------------------

ALL = frozenset(Status)
#: The documented transition table, restated independently of the module.
EXPECTED_TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.START_MEDIATION: (frozenset({Status.REGISTERED}), Status.MEDIATING),
    Action.RESOLVE: (
        frozenset({Status.MEDIATING, Status.REFERRED, Status.ESCALATED}),
        Status.RESOLVED,
    ),
    Action.MARK_UNRESOLVED: (frozenset({Status.MEDIATING}), Status.UNRESOLVED),
    Action.REFER: (
        frozenset({Status.MEDIATING, Status.UNRESOLVED, Status.ESCALATED}),
        Status.REFERRED,
    ),
    Action.ESCALATE: (
        frozenset({Status.MEDIATING, Status.UNRESOLVED, Status.REFERRED}),
        Status.ESCALATED,
    ),
    Action.RECORD_RELIEF: (ALL, None),
    Action.RECORD_FOLLOWUP: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Action.REOPEN: (
        frozenset(
            {Status.RESOLVED, Status.CLOSED, Status.UNRESOLVED, Status.REFERRED, Status.ESCALATED}
        ),
        Status.MEDIATING,
    ),
    Action.ADD_NOTE: (ALL, None),
    Action.REASSIGN: (ALL - {Status.CLOSED}, None),
    Action.REGISTER: (frozenset(), None),
}

PROFILES: dict[str, Actor] = {
    "mediator": actor(MEDIATOR_ID, "mediator"),
    "secretary": actor(OTHER_ID, "secretary"),
    "admin": actor(OTHER_ID, "admin"),
    "cadre_owner": actor(OWNER_ID, "cadre"),
    "cadre_other": actor(OTHER_ID, "cadre"),
    "cadre_owner_and_mediator": actor(OWNER_ID, "cadre", "mediator"),
    "no_role": actor(OTHER_ID),
    "unknown_role": actor(OWNER_ID, "visitor"),
}


def expected_role_ok(profile: Actor, action: Action) -> bool:
    if action is Action.REGISTER:
        return False
    if profile.roles & {"mediator", "secretary", "admin"}:
        return True
    if "cadre" in profile.roles:
        if profile.member_id == OWNER_ID:
            return action in {Action.START_MEDIATION, Action.RESOLVE, Action.ADD_NOTE}
        return action is Action.ADD_NOTE
    return False


def valid_payload(action: Action) -> ActionPayload:
    return {
        Action.RESOLVE: ActionPayload(
            note="reason",
            agreement_form=AgreementForm.WRITTEN,
            summary="pays for the fence",
            amount_agreed=Decimal("1200"),
        ),
        Action.REFER: ActionPayload(note="reason", referral_unit="court"),
        Action.RECORD_RELIEF: ActionPayload(note="reason", relief_amount=Decimal("500")),
        Action.REASSIGN: ActionPayload(note="reason", mediator_id=NEW_MEDIATOR_ID),
    }.get(action, ActionPayload(note="reason"))


@pytest.mark.parametrize("profile_name", sorted(PROFILES))
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_transition_table(status: Status, action: Action, profile_name: str) -> None:
    profile = PROFILES[profile_name]
    case = make_case(status)
    from_statuses, target = EXPECTED_TRANSITIONS[action]
    status_ok = status in from_statuses
    role_ok = expected_role_ok(profile, action)
    is_owner = profile.member_id == OWNER_ID

    assert (action in allowed_actions(status, profile.roles, is_owner)) == (status_ok and role_ok)

    if status_ok and role_ok:
        new_state, entry = apply(case, action, valid_payload(action), profile, AT)
        expected_status = status if target is None else target
        assert new_state.status is expected_status
        assert entry.from_status is status
        assert entry.to_status is expected_status
        assert entry.action is action
        assert entry.actor_id == profile.member_id
        assert entry.at == AT
        assert entry.case_number == case.number
        assert entry.note == "reason"
    else:
        with pytest.raises(CaseRuleError) as err:
            apply(case, action, valid_payload(action), profile, AT)
        assert err.value.code == ("permission_denied" if status_ok else "action_not_allowed")


def test_allowed_actions_examples() -> None:
    assert allowed_actions(Status.REGISTERED, {"cadre"}, True) == [
        Action.START_MEDIATION,
        Action.ADD_NOTE,
    ]
    assert allowed_actions(Status.MEDIATING, {"cadre"}, True) == [Action.RESOLVE, Action.ADD_NOTE]
    assert allowed_actions(Status.CLOSED, {"cadre"}, False) == [Action.ADD_NOTE]
    assert allowed_actions(Status.CLOSED, {"mediator"}, False) == [
        Action.RECORD_RELIEF,
        Action.REOPEN,
        Action.ADD_NOTE,
    ]
    assert allowed_actions(Status.RESOLVED, set(), True) == []


def test_wrong_township_refused_even_for_admin() -> None:
    with pytest.raises(CaseRuleError) as err:
        apply(
            make_case(Status.MEDIATING),
            Action.ADD_NOTE,
            ActionPayload(note="x"),
            actor(OTHER_ID, "admin", township_id=2),
            AT,
        )
    assert err.value.code == "wrong_township"
    assert err.value.params["case_township_id"] == TOWNSHIP


# ---------------------------------------------------------------------------
# Workflow: payload validation and timeline details
# ---------------------------------------------------------------------------


def test_full_lifecycle_with_timeline() -> None:
    state, created = new_case(
        number=" shz-2026-0058 ",
        township_id=TOWNSHIP,
        village=" 东村 ",
        category="land_forest",
        source="walk_in",
        tier=Tier.COMPLEX,
        registered_on=REG,
        actor=actor(OWNER_ID, "cadre"),
        at=AT,
        people_count=3,
    )
    assert state.number == "SHZ-2026-0058"
    assert state.village == "东村"
    assert state.deadline == REG + timedelta(days=DEFAULT_TIER_DAYS[Tier.COMPLEX])
    assert created.action is Action.REGISTER and created.from_status is None
    assert created.details_map["tier"] == "complex"

    timeline = [created]
    steps = [
        (Action.START_MEDIATION, ActionPayload(), actor(OWNER_ID, "cadre")),
        (
            Action.RESOLVE,
            ActionPayload(
                agreement_form="Written", summary="boundary redrawn", on=date(2026, 3, 10)
            ),
            actor(OWNER_ID, "cadre"),
        ),
        (Action.RECORD_FOLLOWUP, ActionPayload(on=date(2026, 3, 18)), MEDIATOR),
    ]
    for action, payload, who in steps:
        state, entry = apply(state, action, payload, who, AT)
        timeline.append(entry)
    assert state.status is Status.CLOSED
    assert state.mediator_id == OWNER_ID  # defaulted to the actor starting mediation
    assert state.agreement_form is AgreementForm.WRITTEN
    assert state.resolved_on == date(2026, 3, 10)
    assert state.followup_on == state.closed_on == date(2026, 3, 18)
    assert [e.to_status for e in timeline] == [
        Status.REGISTERED,
        Status.MEDIATING,
        Status.RESOLVED,
        Status.CLOSED,
    ]
    assert timeline[2].details_map["agreement_form"] == "written"
    assert timeline[2].details_map["resolved_on"] == "2026-03-10"


def test_resolve_requires_agreement_form_and_summary() -> None:
    case = make_case(Status.MEDIATING)
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.RESOLVE, ActionPayload(summary="ok"), MEDIATOR, AT)
    assert err.value.code == "missing_agreement_form"
    with pytest.raises(CaseRuleError) as err:
        apply(
            case, Action.RESOLVE, ActionPayload(agreement_form="oral", summary="  "), MEDIATOR, AT
        )
    assert err.value.code == "missing_summary"
    with pytest.raises(CaseRuleError) as err:
        apply(
            case, Action.RESOLVE, ActionPayload(agreement_form="video", summary="x"), MEDIATOR, AT
        )
    assert err.value.code == "invalid_agreement_form"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("-1"), "amount_negative"),
        (Decimal("0"), "amount_zero"),
        (Decimal("1.234"), "amount_invalid"),
        (Decimal("NaN"), "amount_invalid"),
        (Decimal("100000000.01"), "amount_too_large"),
    ],
)
def test_resolve_rejects_bad_amounts(amount: Decimal, code: str) -> None:
    payload = ActionPayload(agreement_form="oral", summary="x", amount_agreed=amount)
    with pytest.raises(CaseRuleError) as err:
        apply(make_case(Status.MEDIATING), Action.RESOLVE, payload, MEDIATOR, AT)
    assert err.value.code == code


def test_resolve_from_referral_records_where_outcome_came_from() -> None:
    case = make_case(Status.REFERRED)
    new_state, entry = apply(case, Action.RESOLVE, valid_payload(Action.RESOLVE), MEDIATOR, AT)
    assert new_state.status is Status.RESOLVED
    assert new_state.amount_agreed == Decimal("1200.00")
    assert entry.details_map["via"] == "referred"
    assert entry.details_map["referral_unit"] == case.referral_unit


def test_refer_validates_unit_against_config() -> None:
    case = make_case(Status.UNRESOLVED)
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.REFER, ActionPayload(referral_unit="army"), MEDIATOR, AT)
    assert err.value.code == "unknown_referral_unit"
    assert err.value.params["allowed"] == [t.key for t in DEFAULT_CONFIG.referral_units]
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.REFER, ActionPayload(), MEDIATOR, AT)
    assert err.value.code == "missing_referral_unit"

    custom = CaseConfig(referral_units=(Term("army", "武装部"),))
    new_state, entry = apply(
        case, Action.REFER, ActionPayload(referral_unit="army"), MEDIATOR, AT, config=custom
    )
    assert new_state.referral_unit == "army"
    assert entry.details_map == {"referral_unit": "army", "on": AT.date().isoformat()}


@pytest.mark.parametrize("status", [Status.MEDIATING, Status.RESOLVED, Status.CLOSED])
def test_relief_accumulates_without_changing_status(status: Status) -> None:
    case = make_case(status)
    once, _ = apply(
        case, Action.RECORD_RELIEF, ActionPayload(relief_amount=Decimal(300)), SECRETARY, AT
    )
    twice, entry = apply(
        once, Action.RECORD_RELIEF, ActionPayload(relief_amount=Decimal("200.50")), SECRETARY, AT
    )
    assert twice.status is status
    assert twice.relief_total == Decimal("500.50")
    assert twice.relief_count == 2
    assert entry.details_map["amount"] == "200.50"
    assert entry.details_map["relief_total"] == "500.50"
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.RECORD_RELIEF, ActionPayload(), SECRETARY, AT)
    assert err.value.code == "missing_amount"


def test_followup_dates_are_checked() -> None:
    case = make_case(Status.RESOLVED)
    assert case.resolved_on is not None
    with pytest.raises(CaseRuleError) as err:
        apply(
            case,
            Action.RECORD_FOLLOWUP,
            ActionPayload(on=case.resolved_on - timedelta(days=1)),
            MEDIATOR,
            AT,
        )
    assert err.value.code == "followup_before_resolution"
    with pytest.raises(CaseRuleError) as err:
        apply(
            case,
            Action.RECORD_FOLLOWUP,
            ActionPayload(on=AT.date() + timedelta(days=1)),
            MEDIATOR,
            AT,
        )
    assert err.value.code == "date_in_future"
    same_day, _ = apply(
        case, Action.RECORD_FOLLOWUP, ActionPayload(on=case.resolved_on), MEDIATOR, AT
    )
    assert same_day.closed_on == case.resolved_on


def test_resolution_date_cannot_precede_registration() -> None:
    payload = ActionPayload(agreement_form="oral", summary="x", on=REG - timedelta(days=1))
    with pytest.raises(CaseRuleError) as err:
        apply(make_case(Status.MEDIATING), Action.RESOLVE, payload, MEDIATOR, AT)
    assert err.value.code == "date_before_registration"


def test_reopen_clears_outcome_and_sets_new_deadline() -> None:
    case = make_case(Status.CLOSED, tier=Tier.COMPLEX, reopened_count=1)
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.REOPEN, ActionPayload(), MEDIATOR, AT)
    assert err.value.code == "missing_note"

    reopened, entry = apply(
        case, Action.REOPEN, ActionPayload(note="fence moved again"), MEDIATOR, AT
    )
    assert reopened.status is Status.MEDIATING
    assert reopened.reopened_count == 2
    assert reopened.last_reopened_on == AT.date()
    assert reopened.deadline == AT.date() + timedelta(days=DEFAULT_TIER_DAYS[Tier.COMPLEX])
    assert reopened.resolved_on is None and reopened.closed_on is None
    assert reopened.agreement_form is None and reopened.followup_on is None
    assert entry.details_map["previous_status"] == "closed"
    assert entry.details_map["previous_deadline"] == case.deadline.isoformat()
    assert entry.note == "fence moved again"

    explicit = AT.date() + timedelta(days=3)
    reopened2, _ = apply(
        case, Action.REOPEN, ActionPayload(note="x", deadline=explicit), MEDIATOR, AT
    )
    assert reopened2.deadline == explicit
    with pytest.raises(CaseRuleError) as err:
        apply(
            case,
            Action.REOPEN,
            ActionPayload(note="x", deadline=AT.date() - timedelta(days=1)),
            MEDIATOR,
            AT,
        )
    assert err.value.code == "invalid_deadline"


@pytest.mark.parametrize(
    "action", [Action.ADD_NOTE, Action.MARK_UNRESOLVED, Action.ESCALATE, Action.REOPEN]
)
def test_actions_requiring_a_reason(action: Action) -> None:
    status = next(iter(sorted(EXPECTED_TRANSITIONS[action][0])))
    with pytest.raises(CaseRuleError) as err:
        apply(make_case(status), action, ActionPayload(note="   "), MEDIATOR, AT)
    assert err.value.code == "missing_note"


def test_note_too_long() -> None:
    with pytest.raises(CaseRuleError) as err:
        apply(make_case(), Action.ADD_NOTE, ActionPayload(note="x" * 2001), MEDIATOR, AT)
    assert err.value.code == "text_too_long"
    _, entry = apply(make_case(), Action.ADD_NOTE, ActionPayload(note="x" * 2000), MEDIATOR, AT)
    assert entry.note == "x" * 2000


def test_reassign_rules() -> None:
    case = make_case(Status.MEDIATING)
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.REASSIGN, ActionPayload(), SECRETARY, AT)
    assert err.value.code == "missing_mediator"
    with pytest.raises(CaseRuleError) as err:
        apply(case, Action.REASSIGN, ActionPayload(mediator_id=MEDIATOR_ID), SECRETARY, AT)
    assert err.value.code == "mediator_unchanged"
    new_state, entry = apply(
        case, Action.REASSIGN, ActionPayload(mediator_id=NEW_MEDIATOR_ID), SECRETARY, AT
    )
    assert new_state.mediator_id == NEW_MEDIATOR_ID
    assert entry.details_map == {
        "from_mediator_id": str(MEDIATOR_ID),
        "to_mediator_id": str(NEW_MEDIATOR_ID),
    }


def test_apply_never_mutates_inputs() -> None:
    case = make_case(Status.MEDIATING)
    payload = valid_payload(Action.RESOLVE)
    snapshot = (copy.deepcopy(case), copy.deepcopy(payload))
    new_state, _ = apply(case, Action.RESOLVE, payload, MEDIATOR, AT)
    assert (case, payload) == snapshot
    assert new_state is not case and case.status is Status.MEDIATING


def test_new_case_validation() -> None:
    kwargs: dict[str, object] = {
        "number": "SHZ-2026-0001",
        "township_id": TOWNSHIP,
        "village": "东村",
        "category": "neighbourhood",
        "source": "screening",
        "tier": Tier.ORDINARY,
        "registered_on": REG,
        "actor": MEDIATOR,
        "at": AT,
    }
    bad: list[tuple[dict[str, object], str]] = [
        ({"number": "SHZ-26-1"}, "invalid_case_number"),
        ({"village": " "}, "missing_village"),
        ({"category": "murder"}, "unknown_category"),
        ({"source": "rumour"}, "unknown_source"),
        ({"people_count": 0}, "people_count_out_of_range"),
        ({"registered_on": AT.date() + timedelta(days=1)}, "date_in_future"),
        ({"actor": actor(OWNER_ID, "cadre", township_id=2)}, "wrong_township"),
        ({"actor": actor(OWNER_ID)}, "permission_denied"),
    ]
    for override, code in bad:
        with pytest.raises(CaseRuleError) as err:
            new_case(**{**kwargs, **override})  # type: ignore[arg-type]
        assert err.value.code == code, override

    custom = CaseConfig(
        categories=(Term("water", "用水纠纷"),),
        tier_days={Tier.ORDINARY: 3, Tier.COMPLEX: 10, Tier.DIFFICULT: 20},
    )
    state, _ = new_case(**{**kwargs, "category": "water", "config": custom})  # type: ignore[arg-type]
    assert state.deadline == REG + timedelta(days=3)
    assert state.status is Status.REGISTERED and state.opened_by == MEDIATOR_ID


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        CaseConfig(categories=(Term("a", "甲"), Term("a", "乙")))
    with pytest.raises(ValueError):
        CaseConfig(referral_units=())
    with pytest.raises(ValueError):
        CaseConfig(tier_days={Tier.ORDINARY: 7, Tier.COMPLEX: 15})
    with pytest.raises(ValueError):
        CaseConfig(tier_days={Tier.ORDINARY: 0, Tier.COMPLEX: 15, Tier.DIFFICULT: 30})


def test_default_vocabulary_keys() -> None:
    assert [t.key for t in DEFAULT_CONFIG.sources] == [
        "screening",
        "walk_in",
        "assigned_by_superior",
        "transferred_by_department",
    ]
    assert [t.label for t in DEFAULT_CONFIG.categories] == [
        "邻里纠纷",
        "婚姻家庭",
        "土地山林",
        "劳资纠纷",
        "损害赔偿",
        "工程施工",
        "其他",
    ]
    assert [t.label for t in DEFAULT_CONFIG.referral_units] == [
        "派出所",
        "法庭",
        "司法所",
        "交警中队",
    ]
    assert {f.value for f in AgreementForm} == {"oral", "written"}


# ---------------------------------------------------------------------------
# Case numbers
# ---------------------------------------------------------------------------

prefixes = st.from_regex(r"[A-Z][A-Z0-9]{1,9}", fullmatch=True)
years = st.integers(min_value=2000, max_value=2999)
seqs = st.integers(min_value=1, max_value=10**8)


@given(prefixes, years, seqs, st.sampled_from(["", " ", "  \t"]), st.booleans())
def test_case_number_round_trip(prefix: str, year: int, seq: int, pad: str, lower: bool) -> None:
    text = format_case_number(prefix, year, seq)
    assert re.fullmatch(r"[A-Z][A-Z0-9]+-\d{4}-\d{4,}", text)
    typed = pad + (text.lower() if lower else text) + pad
    assert parse_case_number(typed) == (prefix, year, seq)
    assert format_case_number(*(parse_case_number(text) or ("", 0, 0))) == text


def test_case_number_examples() -> None:
    assert format_case_number("SHZ", 2026, 58) == "SHZ-2026-0058"
    assert format_case_number("SHZ", 2026, 12345) == "SHZ-2026-12345"
    assert parse_case_number(" shz-2026-0058 ") == ("SHZ", 2026, 58)
    for bad in [
        "",
        "SHZ-2026-058",
        "SHZ-26-0058",
        "SHZ-2026-0000",
        "SHZ2026-0058",
        "S-2026-0058",
        "1HZ-2026-0058",
        "SHZ-2026-٠٠٥٨",
        "SHZ-1999-0001",
        "SHZ - 2026 - 0058",
    ]:
        assert parse_case_number(bad) is None, bad
    for args in [("shz", 2026, 1), ("SHZ", 1999, 1), ("SHZ", 2026, 0)]:
        with pytest.raises(CaseRuleError):
            format_case_number(*args)
    numbers = ["SHZ-2026-10000", "SHZ-2026-9999", "SHZ-2025-0001"]
    assert sorted(numbers, key=case_number_sort_key) == [
        "SHZ-2025-0001",
        "SHZ-2026-9999",
        "SHZ-2026-10000",
    ]


# ---------------------------------------------------------------------------
# Amounts and people counts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200"),
        ("1,200", "1200"),
        ("1200元", "1200"),
        ("1.2万", "12000"),
        ("1.2万元", "12000"),
        ("¥1200.50", "1200.50"),
        ("￥1200.5", "1200.50"),
        ("１２００", "1200"),
        ("１，２００．５０元", "1200.50"),
        (" 800 块 ", "800"),
        ("RMB 35", "35"),
        ("0.5", "0.50"),
        ("100000000", "100000000"),
        ("1万", "10000"),
        ("0.0001万", "1"),
    ],
)
def test_parse_amount_valid(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-5", "amount_negative"),
        ("－５", "amount_negative"),
        ("¥-3", "amount_negative"),
        ("负100", "amount_negative"),
        ("abc", "amount_invalid"),
        ("", "amount_invalid"),
        ("元", "amount_invalid"),
        ("1e5", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("1,2000", "amount_invalid"),
        ("12.345", "amount_invalid"),
        ("1.2.3", "amount_invalid"),
        ("--1", "amount_invalid"),
        ("一千", "amount_invalid"),
        ("0", "amount_zero"),
        ("0.00元", "amount_zero"),
        ("100000000.01", "amount_too_large"),
        ("1.1亿", "amount_invalid"),
        ("10001万", "amount_too_large"),
        ("9" * 40, "amount_too_large"),
    ],
)
def test_parse_amount_invalid(text: str, code: str) -> None:
    with pytest.raises(CaseRuleError) as err:
        parse_amount(text)
    assert err.value.code == code
    assert err.value.params["text"] == text


FULLWIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@given(
    st.integers(min_value=1, max_value=10_000_000_000),
    st.sampled_from(["{}", "{}元", "¥{}", "￥{}元", " {} "]),
    st.booleans(),
    st.booleans(),
)
def test_parse_amount_property(cents: int, template: str, grouped: bool, fullwidth: bool) -> None:
    value = Decimal(cents) / 100
    number = f"{value:,.2f}" if grouped else f"{value:.2f}"
    if fullwidth:
        number = number.translate(FULLWIDTH)
    assert parse_amount(template.format(number)) == value
    with pytest.raises(CaseRuleError) as err:
        parse_amount("-" + number)
    assert err.value.code == "amount_negative"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("3人", 3),
        ("３名", 3),
        (" 12 位 ", 12),
        ("10000", 10000),
        ("007", 7),
        ("三人", 3),  # Chinese numerals, as people type them
        ("两个人", 2),
        ("十二名", 12),
        ("一百零五人", 105),
    ],
)
def test_parse_people_count_valid(text: str, expected: int) -> None:
    assert parse_people_count(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0", "people_count_out_of_range"),
        ("10001", "people_count_out_of_range"),
        ("99999999999", "people_count_out_of_range"),
        ("-1", "people_count_invalid"),
        ("3.5", "people_count_invalid"),
        ("十十人", "people_count_invalid"),
        ("〇人", "people_count_out_of_range"),
        ("", "people_count_invalid"),
        ("人", "people_count_invalid"),
    ],
)
def test_parse_people_count_invalid(text: str, code: str) -> None:
    with pytest.raises(CaseRuleError) as err:
        parse_people_count(text)
    assert err.value.code == code


# ---------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0914-1234567", "09141234567"),
        ("(0914) 1234567", "09141234567"),
        ("010-12345678", "01012345678"),
        ("+86 10 12345678", "01012345678"),
        ("0371-87654321", "037187654321"),
        ("+86 0914 1234567", "09141234567"),
    ],
)
def test_normalize_phone_valid(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12812345678",
        "1381234567",
        "138123456789",
        "0914-123",
        "010-1234567",
        "+1 202 555 0123",
        "1234567",
        "138x1234x5678",
        "٠٩١٤١٢٣٤٥٦٧",
    ],
)
def test_normalize_phone_invalid(text: str) -> None:
    assert normalize_phone(text) is None


def test_normalize_phone_with_default_area_code() -> None:
    assert normalize_phone("1234567", default_area_code="0914") == "09141234567"
    assert normalize_phone("1234567", default_area_code="914") is None
    assert normalize_phone(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0914-1234567", "0914-***4567"),
        ("010-12345678", "010-****5678"),
        ("555-1234-999", "****4999"),
        ("12345", "****"),
        ("abc", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_examples(text: str | None, expected: str) -> None:
    assert mask_phone(text) == expected


def digits_of(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def revealed_subscriber_digits(masked: str) -> str:
    """Digits shown beyond the non-identifying prefix (mobile network prefix / area code)."""
    if re.fullmatch(r"1[3-9]\d\*{4}\d{4}", masked):
        return masked[3:].replace("*", "")
    if re.fullmatch(r"0\d{2,3}-\*+\d{4}", masked):
        return masked.split("-", 1)[1].replace("*", "")
    return digits_of(masked)


phoneish = st.text(alphabet="0123456789０１２３４５６７８９٣+-() .x", max_size=30)


@given(st.one_of(phoneish, st.text(max_size=30)))
def test_mask_never_leaks_more_than_four_digits(text: str) -> None:
    masked = mask_phone(text)
    shown = revealed_subscriber_digits(masked)
    assert len(shown) <= 4
    digits = digits_of(text)
    assert shown == digits[len(digits) - len(shown) :]  # only the real trailing digits
    if len(digits) >= 5:
        assert digits not in digits_of(masked)
    if masked.startswith("****"):
        assert masked == "****" or (len(digits) >= 7 and masked == "****" + digits[-4:])


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86 ", "0086"]))
def test_mask_mobile_property(number: str, prefix: str) -> None:
    masked = mask_phone(prefix + number[:3] + " " + number[3:7] + "-" + number[7:])
    assert masked == number[:3] + "****" + number[7:]


@given(st.from_regex(r"0[3-9][0-9]{2}-[1-9][0-9]{6,7}", fullmatch=True))
def test_mask_landline_property(number: str) -> None:
    area, local = number.split("-")
    masked = mask_phone(number)
    assert masked == f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    assert local not in masked


# ---------------------------------------------------------------------------
# Deadlines and reminders
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "registered", "expected"),
    [
        (Tier.ORDINARY, date(2026, 3, 1), date(2026, 3, 8)),
        (Tier.COMPLEX, date(2026, 3, 1), date(2026, 3, 16)),
        (Tier.DIFFICULT, date(2026, 3, 1), date(2026, 3, 31)),
        (Tier.DIFFICULT, date(2026, 1, 25), date(2026, 2, 24)),
        (Tier.COMPLEX, date(2028, 2, 20), date(2028, 3, 6)),  # leap year
        (Tier.ORDINARY, date(2026, 12, 28), date(2027, 1, 4)),
    ],
)
def test_deadline_for_default_tiers(tier: Tier, registered: date, expected: date) -> None:
    assert deadline_for(tier, registered) == expected


def test_deadline_for_custom_days() -> None:
    days = {Tier.ORDINARY: 5, Tier.COMPLEX: 10, Tier.DIFFICULT: 60}
    assert deadline_for(Tier.DIFFICULT, REG, days) == REG + timedelta(days=60)
    with pytest.raises(ValueError):
        deadline_for(Tier.ORDINARY, REG, {Tier.ORDINARY: -1, Tier.COMPLEX: 1, Tier.DIFFICULT: 1})


DEADLINE = REG + timedelta(days=7)


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.MEDIATING, Status.UNRESOLVED])
def test_overdue_boundaries_for_deadline_statuses(status: Status) -> None:
    case = make_case(status)
    on_deadline, day_after = DEADLINE, DEADLINE + timedelta(days=1)
    assert not is_overdue(case, on_deadline) and days_overdue(case, on_deadline) == 0
    assert is_overdue(case, day_after) and days_overdue(case, day_after) == 1
    assert days_overdue(case, DEADLINE + timedelta(days=12)) == 12
    assert due_soon(case, on_deadline)
    assert due_soon(case, DEADLINE - timedelta(days=2))
    assert not due_soon(case, DEADLINE - timedelta(days=3))
    assert due_soon(case, DEADLINE - timedelta(days=3), within_days=3)
    assert not due_soon(case, day_after)
    assert due_soon(case, on_deadline, within_days=0)
    assert not due_soon(case, DEADLINE - timedelta(days=1), within_days=0)


@pytest.mark.parametrize(
    "status", [Status.REFERRED, Status.ESCALATED, Status.RESOLVED, Status.CLOSED]
)
def test_no_deadline_clock_outside_township_hands(status: Status) -> None:
    case = make_case(status)
    late = DEADLINE + timedelta(days=40)
    assert not is_overdue(case, late)
    assert days_overdue(case, late) == 0
    assert not due_soon(case, DEADLINE)
    assert not escalation_due(case, late, 1)
    expected_past = 40 if status in (Status.REFERRED, Status.ESCALATED) else 0
    assert days_past_deadline(case, late) == expected_past


def test_followup_due_boundaries() -> None:
    case = make_case(Status.RESOLVED)
    assert case.resolved_on is not None
    resolved = case.resolved_on
    assert not followup_due(case, resolved + timedelta(days=6))
    assert followup_due(case, resolved + timedelta(days=7))
    assert followup_due(case, resolved + timedelta(days=30))
    assert not followup_due(case, resolved + timedelta(days=2), after_days=3)
    assert followup_due(case, resolved + timedelta(days=3), after_days=3)
    assert not followup_due(make_case(Status.CLOSED), resolved + timedelta(days=30))
    assert not followup_due(make_case(Status.MEDIATING), resolved + timedelta(days=30))
    with pytest.raises(ValueError):
        followup_due(case, resolved, after_days=-1)


def test_escalation_due_boundaries() -> None:
    case = make_case(Status.MEDIATING)
    assert not escalation_due(case, DEADLINE + timedelta(days=2), 3)
    assert escalation_due(case, DEADLINE + timedelta(days=3), 3)
    assert not escalation_due(case, DEADLINE, 0)
    assert escalation_due(case, DEADLINE + timedelta(days=1), 0)
    with pytest.raises(ValueError):
        escalation_due(case, DEADLINE, -1)
    with pytest.raises(ValueError):
        due_soon(case, DEADLINE, within_days=-1)


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------

P_START, P_END, TODAY = date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 10)


def sc(
    seq: int,
    status: Status,
    registered: date,
    *,
    village: str = "东村",
    category: str = "neighbourhood",
    source: str = "walk_in",
    tier: Tier = Tier.ORDINARY,
    **extra: object,
) -> CaseState:
    fields: dict[str, object] = {
        "number": format_case_number("SHZ", 2026, seq),
        "township_id": TOWNSHIP,
        "village": village,
        "category": category,
        "source": source,
        "tier": tier,
        "status": status,
        "registered_on": registered,
        "deadline": deadline_for(tier, registered),
        "opened_by": OWNER_ID,
    }
    if status in (Status.RESOLVED, Status.CLOSED):
        fields.setdefault("resolved_on", registered + timedelta(days=2))
    fields.update(extra)
    return CaseState(**fields)  # type: ignore[arg-type]


# Cohort (registered in March 2026)
A1 = sc(1, Status.CLOSED, date(2026, 3, 2), source="screening", closed_on=date(2026, 3, 15))
A2 = sc(2, Status.CLOSED, date(2026, 3, 5), category="land_forest", closed_on=date(2026, 4, 5))
A3 = sc(3, Status.RESOLVED, date(2026, 3, 10), village="西村", source="screening")
A4 = sc(
    4, Status.MEDIATING, date(2026, 3, 20), village="西村", category="labour", source="screening"
)
A5 = sc(5, Status.MEDIATING, date(2026, 3, 25), category="construction", tier=Tier.DIFFICULT)
A6 = sc(6, Status.REGISTERED, date(2026, 3, 31), village="南村", tier=Tier.COMPLEX)
A7 = sc(7, Status.UNRESOLVED, date(2026, 3, 3), village="南村", category="damages")
A8 = sc(
    8, Status.REFERRED, date(2026, 3, 12), village="西村", tier=Tier.COMPLEX, referral_unit="court"
)
A9 = sc(9, Status.ESCALATED, date(2026, 3, 18), tier=Tier.DIFFICULT)
# Outside the cohort
B1 = sc(10, Status.CLOSED, date(2026, 2, 20), closed_on=date(2026, 3, 5))
B2 = sc(11, Status.MEDIATING, date(2026, 2, 1))
B3 = sc(12, Status.MEDIATING, date(2026, 4, 5))  # after the period, not yet due
B4 = sc(13, Status.CLOSED, date(2026, 1, 10), closed_on=date(2026, 1, 30))
ALL_CASES = [B4, A9, A2, B1, A7, A4, A1, B3, A6, A3, A8, A5, B2]  # deliberately unordered
COHORT = [A1, A2, A3, A4, A5, A6, A7, A8, A9]


def nums(*cases: CaseState) -> tuple[str, ...]:
    return tuple(sorted((c.number for c in cases), key=case_number_sort_key))


def test_case_set_is_what_the_statistics_test_assumes() -> None:
    # Guards the fixture itself: overdue-ness comes from the tier deadlines, not by fiat.
    assert [c for c in COHORT if is_overdue(c, TODAY)] == [A4, A7]
    assert [c for c in ALL_CASES if is_overdue(c, TODAY)] == [A7, A4, B2]
    assert all(P_START <= c.registered_on <= P_END for c in COHORT)
    assert not any(P_START <= c.registered_on <= P_END for c in (B1, B2, B3, B4))


def test_dispute_stats_figures() -> None:
    stats = dispute_stats(ALL_CASES, P_START, P_END, TODAY, screenings_count=58)
    assert stats.screened.count == 58 and stats.screened.case_numbers == ()
    assert stats.found_by_screening.case_numbers == nums(
        *(c for c in COHORT if c.source == "screening")
    )
    assert stats.registered.case_numbers == nums(*COHORT)
    assert stats.resolved.case_numbers == nums(A1, A2)
    assert stats.resolved_pending_followup.case_numbers == nums(A3)
    assert stats.in_progress.case_numbers == nums(A4, A5, A6)
    assert stats.unresolved.case_numbers == nums(A7)
    assert stats.referred.case_numbers == nums(A8)
    assert stats.escalated.case_numbers == nums(A9)
    assert stats.overdue.case_numbers == nums(A4, A7)
    assert stats.overdue_total.case_numbers == nums(A4, A7, B2)
    assert stats.closed_in_period.case_numbers == nums(A1, B1)

    rate = stats.success_rate
    decided = (A1, A2, A7, A8, A9, A4)  # closed + unresolved + referred + escalated + late
    assert rate.numerator.case_numbers == nums(A1, A2)
    assert rate.denominator.case_numbers == nums(*decided)
    expected_percent = (Decimal(2) * 100 / Decimal(len(decided))).quantize(Decimal("0.1"))
    assert rate.percent == expected_percent == Decimal("33.3")

    for figure in (
        stats.screened,
        stats.found_by_screening,
        stats.registered,
        stats.resolved,
        stats.overdue,
        stats.overdue_total,
        stats.closed_in_period,
        rate.denominator,
    ):
        assert figure.key in STAT_DEFINITIONS
        assert figure.count == (58 if figure.key == "screened" else len(figure.case_numbers))
    assert rate.key in STAT_DEFINITIONS


def test_status_figures_partition_the_cohort() -> None:
    stats = dispute_stats(ALL_CASES, P_START, P_END, TODAY)
    parts = [
        stats.resolved,
        stats.resolved_pending_followup,
        stats.in_progress,
        stats.unresolved,
        stats.referred,
        stats.escalated,
    ]
    assert sum(p.count for p in parts) == stats.registered.count
    assert sorted(n for p in parts for n in p.case_numbers) == sorted(stats.registered.case_numbers)


def test_success_rate_zero_denominator() -> None:
    pending_only = [
        sc(1, Status.RESOLVED, date(2026, 3, 30)),
        sc(2, Status.MEDIATING, date(2026, 3, 30), tier=Tier.DIFFICULT),
    ]
    stats = dispute_stats(pending_only, P_START, P_END, TODAY)
    assert stats.registered.count == 2
    assert stats.success_rate.denominator.count == 0
    assert stats.success_rate.percent is None

    empty = dispute_stats([], P_START, P_END, TODAY, screenings_count=5)
    assert empty.registered.count == 0 and empty.success_rate.percent is None
    assert empty.screened.count == 5
    assert dict(empty.by_category) == {} and dict(empty.by_village) == {}


def test_all_closed_reports_hundred_percent() -> None:
    closed = [
        sc(i, Status.CLOSED, date(2026, 3, i), closed_on=date(2026, 3, i + 8)) for i in range(1, 4)
    ]
    stats = dispute_stats(closed, P_START, P_END, TODAY, screenings_count=58)
    assert stats.resolved.count == stats.registered.count == len(closed)
    assert stats.success_rate.percent == Decimal("100.0")


def test_dispute_stats_breakdowns() -> None:
    stats = dispute_stats(ALL_CASES, P_START, P_END, TODAY)
    villages = {c.village for c in COHORT}
    categories = {c.category for c in COHORT}
    assert set(stats.by_village) == villages
    assert set(stats.by_category) == categories

    def size(name: str, attr: str) -> int:
        return sum(1 for c in COHORT if getattr(c, attr) == name)

    assert list(stats.by_village) == sorted(villages, key=lambda v: (-size(v, "village"), v))
    assert list(stats.by_category) == sorted(categories, key=lambda k: (-size(k, "category"), k))
    for name, group in stats.by_village.items():
        members = [c for c in COHORT if c.village == name]
        assert group.registered.case_numbers == nums(*members)
        assert group.resolved.case_numbers == nums(
            *(c for c in members if c.status is Status.CLOSED)
        )
        assert group.overdue.case_numbers == nums(*(c for c in members if is_overdue(c, TODAY)))
    east = stats.by_village["东村"]  # A1, A2 closed; A5 pending; A9 escalated
    assert east.success_rate.denominator.case_numbers == nums(A1, A2, A9)
    assert east.success_rate.percent == Decimal("66.7")
    neighbourhood = stats.by_category["neighbourhood"]
    assert neighbourhood.success_rate.numerator.count >= 1
    members = [c for c in COHORT if c.category == "neighbourhood"]
    decided = [
        c
        for c in members
        if c.status in (Status.CLOSED, Status.UNRESOLVED, Status.REFERRED, Status.ESCALATED)
        or (c.status in (Status.REGISTERED, Status.MEDIATING) and is_overdue(c, TODAY))
    ]
    assert neighbourhood.success_rate.denominator.case_numbers == nums(*decided)


def test_dispute_stats_rejects_bad_input() -> None:
    with pytest.raises(CaseRuleError) as err:
        dispute_stats([], P_END, P_START, TODAY)
    assert err.value.code == "invalid_period"
    with pytest.raises(CaseRuleError) as err:
        dispute_stats([], P_START, P_END, TODAY, screenings_count=-1)
    assert err.value.code == "invalid_screenings_count"


def test_every_definition_key_is_used() -> None:
    stats = dispute_stats(ALL_CASES, P_START, P_END, TODAY)
    used = {
        stats.screened.key,
        stats.found_by_screening.key,
        stats.closed_in_period.key,
        stats.overdue_total.key,
        stats.success_rate.key,
        stats.success_rate.denominator.key,
    } | {
        getattr(stats, name).key
        for name in (
            "registered",
            "resolved_pending_followup",
            "in_progress",
            "unresolved",
            "referred",
            "escalated",
            "overdue",
            "resolved",
        )
    }
    assert used == set(STAT_DEFINITIONS)


# ---------------------------------------------------------------------------
# Brief selection
# ---------------------------------------------------------------------------

BRIEF_TODAY = date(2026, 4, 10)


def bc(seq: int, status: Status, tier: Tier, registered: date) -> CaseState:
    return sc(seq, status, registered, tier=tier)


def days_ago(n: int) -> date:
    return BRIEF_TODAY - timedelta(days=n)


def test_select_for_brief() -> None:
    ordinary_days = DEFAULT_TIER_DAYS[Tier.ORDINARY]
    complex_days = DEFAULT_TIER_DAYS[Tier.COMPLEX]
    difficult_days = DEFAULT_TIER_DAYS[Tier.DIFFICULT]
    c1 = bc(1, Status.MEDIATING, Tier.DIFFICULT, days_ago(5))  # difficult, in time
    c2 = bc(2, Status.MEDIATING, Tier.ORDINARY, days_ago(ordinary_days + 5))  # 5 days late
    c3 = bc(3, Status.REFERRED, Tier.COMPLEX, days_ago(complex_days + 10))  # 10 past deadline
    c4 = bc(4, Status.ESCALATED, Tier.ORDINARY, days_ago(1))
    c5 = bc(5, Status.CLOSED, Tier.DIFFICULT, days_ago(60))  # done: excluded
    c6 = bc(6, Status.MEDIATING, Tier.ORDINARY, days_ago(1))  # nothing to discuss
    c7 = bc(7, Status.UNRESOLVED, Tier.DIFFICULT, days_ago(difficult_days + 2))  # 2 late
    c8 = bc(8, Status.RESOLVED, Tier.COMPLEX, days_ago(40))  # awaiting follow-up: excluded
    c9 = bc(9, Status.MEDIATING, Tier.DIFFICULT, days_ago(8))  # older than c1, same tier

    items = select_for_brief([c1, c2, c3, c4, c5, c6, c7, c8, c9], BRIEF_TODAY)
    assert [i.case for i in items] == [c3, c2, c7, c9, c1, c4]
    by_case = {i.case.number: i for i in items}
    assert by_case[c3.number].reasons == ("referred",)
    assert by_case[c3.number].days_past_deadline == 10
    assert by_case[c2.number].reasons == ("overdue",)
    assert by_case[c2.number].days_past_deadline == 5
    assert by_case[c7.number].reasons == ("difficult", "overdue")
    assert by_case[c1.number].reasons == ("difficult",)
    assert by_case[c4.number].reasons == ("escalated",)
    assert select_for_brief([], BRIEF_TODAY) == []


def test_brief_and_stats_accept_replaced_snapshots() -> None:
    # A reopened case is back in mediation with a fresh deadline: no longer in the brief
    # as overdue, and no longer counted as resolved.
    reopened = replace(A1, status=Status.MEDIATING, deadline=TODAY + timedelta(days=5))
    stats = dispute_stats([reopened], P_START, P_END, TODAY)
    assert stats.resolved.count == 0 and stats.in_progress.count == 1
    assert select_for_brief([reopened], TODAY) == []
