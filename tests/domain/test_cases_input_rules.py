"""The case rules decided outside the workflow: party lines, case numbers within the
database's integer, which reminder a case gets, and each member's case figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.cases.rules import (
    MAX_PARTIES,
    MAX_SEQ,
    CaseRuleError,
    CaseState,
    ReminderDays,
    ReminderKind,
    Status,
    Tier,
    format_case_number,
    member_figures,
    parse_case_number,
    parse_parties,
    reminder_for,
)

TODAY = date(2026, 11, 23)
DAYS = ReminderDays(due_soon=2, escalation_after=3, followup_after=7)


def case(status: Status, deadline: date, **changes: object) -> CaseState:
    fields: dict[str, object] = {
        "number": "SHZ-2026-0001",
        "township_id": 1,
        "village": "东岭村",
        "category": "neighbourhood",
        "source": "screening",
        "tier": Tier.ORDINARY,
        "status": status,
        "registered_on": deadline - timedelta(days=7),
        "deadline": deadline,
        "opened_by": 10,
    }
    fields.update(changes)
    return CaseState(**fields)  # type: ignore[arg-type]


def test_parties_one_per_line() -> None:
    assert parse_parties("张三 13812345678\n\n李四\n") == [("张三", "13812345678"), ("李四", None)]
    assert parse_parties("王五", already=MAX_PARTIES - 1) == [("王五", None)]


@pytest.mark.parametrize(
    ("text", "already", "code"),
    [
        ("张三\n李四 12345", 0, "party_phone"),
        ("13812345678", 0, "party_name"),
        ("欧" * 33, 0, "party_name_too_long"),
        ("东" * 10_000, 0, "party_name_too_long"),
        ("甲\n乙", MAX_PARTIES - 1, "too_many_parties"),
    ],
)
def test_party_lines_that_cannot_be_added(text: str, already: int, code: str) -> None:
    with pytest.raises(CaseRuleError) as info:
        parse_parties(text, already)
    assert info.value.code == code


def test_case_numbers_stay_within_the_database_integer() -> None:
    assert parse_case_number(f"SHZ-2026-{MAX_SEQ}") == ("SHZ", 2026, MAX_SEQ)
    assert parse_case_number(f"SHZ-2026-{MAX_SEQ + 1}") is None
    assert parse_case_number("SHZ-2026-" + "9" * 5000) is None
    assert parse_case_number("SHZ-2026-" + "0" * 5000 + "58") == ("SHZ", 2026, 58)
    assert MAX_SEQ < 2**31
    with pytest.raises(CaseRuleError):
        format_case_number("SHZ", 2026, MAX_SEQ + 1)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (case(Status.MEDIATING, TODAY - timedelta(days=3)), (ReminderKind.ESCALATION_DUE, 3)),
        (case(Status.MEDIATING, TODAY - timedelta(days=2)), (ReminderKind.OVERDUE, 2)),
        (case(Status.REGISTERED, TODAY + timedelta(days=2)), (ReminderKind.DUE_SOON, 2)),
        (case(Status.REGISTERED, TODAY + timedelta(days=3)), None),
        (
            case(Status.RESOLVED, TODAY - timedelta(days=20), resolved_on=TODAY - timedelta(7)),
            (ReminderKind.FOLLOWUP_DUE, 7),
        ),
        (
            case(Status.RESOLVED, TODAY - timedelta(days=20), resolved_on=TODAY - timedelta(6)),
            None,
        ),
        (case(Status.REFERRED, TODAY - timedelta(days=30)), None),
    ],
)
def test_one_reminder_per_case(state: CaseState, expected: object) -> None:
    assert reminder_for(state, TODAY, DAYS) == expected


def test_member_figures_count_the_responsible_member() -> None:
    start = date(2026, 11, 1)
    cases = [
        case(Status.MEDIATING, TODAY - timedelta(days=1), mediator_id=20),
        case(
            Status.CLOSED,
            TODAY,
            registered_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 5),
            mediator_id=20,
        ),
        case(Status.REGISTERED, TODAY + timedelta(days=5)),
    ]
    figures = member_figures(cases, start, TODAY, TODAY)
    assert (figures[10].registered, figures[10].closed, figures[10].overdue_now) == (2, 0, 0)
    assert (figures[20].registered, figures[20].closed, figures[20].overdue_now) == (0, 1, 1)
