"""Tests for bot.lists.rules (pure red/black-list evaluation)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from random import Random
from typing import TypeAlias

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.lists.rules import (
    DEFAULT_RULES,
    CadreWeek,
    Member,
    MemberCaseFacts,
    Period,
    PointWeights,
    Reason,
    ReasonCode,
    RedBlackResult,
    RedBlackRules,
    evaluate,
    explain,
    rules_summary,
)

C = ReasonCode
MONDAY = date(2026, 3, 2)
assert MONDAY.weekday() == 0


# --------------------------------------------------------------------------- builders


def week_starts(n: int, first: date = MONDAY) -> tuple[date, ...]:
    return tuple(first + timedelta(weeks=i) for i in range(n))


def make_period(n_weeks: int, kind: str | None = None) -> Period:
    weeks = week_starts(n_weeks)
    if kind is None:
        kind = "week" if n_weeks == 1 else "month" if n_weeks <= 5 else "quarter"
    return Period(kind, weeks[0], weeks[-1] + timedelta(days=6), weeks)  # type: ignore[arg-type]


def wk(member_id: int, week_start: date, **kw: object) -> CadreWeek:
    """A fully compliant week (on time, quotas exactly met) unless overridden."""
    values: dict[str, object] = {
        "member_id": member_id,
        "week_start": week_start,
        "report": "on_time",
        "field_days_done": 3,
        "field_days_required": 3,
        "screenings_done": 1,
        "screenings_required": 1,
        "problems_done": 1,
        "problems_required": 1,
        "exempt_days": 0,
        "fully_exempt": False,
    }
    values.update(kw)
    if "field_day_dates" not in values:
        done = values["field_days_done"]
        assert isinstance(done, int)
        values["field_day_dates"] = tuple(week_start + timedelta(days=i) for i in range(done))
    return CadreWeek(**values)  # type: ignore[arg-type]


def exempt_wk(member_id: int, week_start: date) -> CadreWeek:
    return wk(
        member_id,
        week_start,
        report="exempt",
        field_days_done=0,
        field_days_required=0,
        screenings_done=0,
        screenings_required=0,
        problems_done=0,
        problems_required=0,
        exempt_days=5,
        fully_exempt=True,
    )


def member(member_id: int, name: str | None = None, unit: str | None = None) -> Member:
    return Member(member_id, name if name is not None else f"m{member_id:03d}", unit)


def red_ids(result: RedBlackResult) -> list[int]:
    return [item.member_id for item in result.red]


def black_ids(result: RedBlackResult) -> list[int]:
    return [item.member_id for item in result.black]


def not_listed(result: RedBlackResult) -> dict[int, Reason]:
    return {n.member_id: n.reason for n in result.not_listed}


def codes(reasons: tuple[Reason, ...] | list[Reason]) -> list[str]:
    return [r.code for r in reasons]


def expected_points(rows: list[CadreWeek], resolved: int, w: PointWeights) -> int:
    data = [r for r in rows if not r.fully_exempt]
    return (
        w.field_day * sum(r.field_days_done for r in data)
        + w.problem_solved * sum(r.problems_done for r in data)
        + w.screening * sum(r.screenings_done for r in data)
        + w.case_resolved * resolved
        + w.late_report * sum(r.report == "late" for r in data)
        + w.missing_report * sum(r.report == "missing" for r in data)
        + w.field_day_short * sum(max(0, r.field_days_required - r.field_days_done) for r in data)
    )


# --------------------------------------------------------------------------- red list


def test_everything_on_time_is_red_with_exact_facts() -> None:
    period = make_period(4)
    rows = [wk(1, w, field_days_done=3 + (i % 2)) for i, w in enumerate(period.weeks)]
    result = evaluate(period, [member(1)], rows, [])

    assert red_ids(result) == [1]
    assert black_ids(result) == []
    reasons = result.red[0].reasons
    assert Reason(C.ALL_REPORTS_ON_TIME, {"weeks": len(rows)}) in reasons
    assert (
        Reason(
            C.FIELD_QUOTA_MET,
            {"weeks": len(rows), "days": sum(r.field_days_done for r in rows)},
        )
        in reasons
    )
    assert Reason(C.NO_OVERDUE_CASE) in reasons
    total_screenings = sum(r.screenings_done for r in rows)
    assert (
        Reason(
            C.SCREENINGS_QUOTA_MET,
            {"weeks": len(rows), "done": total_screenings, "required": total_screenings},
        )
        in reasons
    )
    assert result.assessments[1].red_blockers == ()


def test_late_report_blocks_red_but_does_not_blacklist() -> None:
    period = make_period(2)
    late_week = period.weeks[1]
    rows = [wk(1, period.weeks[0]), wk(1, late_week, report="late")]
    result = evaluate(period, [member(1)], rows, [])

    assert red_ids(result) == [] and black_ids(result) == []
    assert not_listed(result)[1].code == C.NOT_QUALIFIED
    assert result.assessments[1].red_blockers == (Reason(C.REPORT_LATE, {"week": late_week}),)


def test_no_report_due_at_all_still_red_with_distinct_reason() -> None:
    period = make_period(1)
    result = evaluate(period, [member(1)], [wk(1, period.weeks[0], report="exempt")], [])
    assert red_ids(result) == [1]
    assert Reason(C.NO_REPORT_DUE, {"weeks": 1}) in result.red[0].reasons
    assert Reason(C.REPORT_NOT_DUE, {"week": period.weeks[0]}) in result.assessments[1].context


@pytest.mark.parametrize("mode", ["weekly", "period"])
def test_screening_quota_mode(mode: str) -> None:
    # Week 1: 0 of 1 screenings, week 2: 2 of 1 -> short weekly, met when summed.
    period = make_period(2)
    w1, w2 = period.weeks
    rows = [wk(1, w1, screenings_done=0), wk(1, w2, screenings_done=2)]
    rules = RedBlackRules(quota_mode=mode)  # type: ignore[arg-type]
    result = evaluate(period, [member(1)], rows, [], rules)
    assert black_ids(result) == []  # screenings never black-list
    if mode == "weekly":
        assert red_ids(result) == []
        assert result.assessments[1].red_blockers == (
            Reason(C.SCREENINGS_SHORT, {"week": w1, "done": 0, "required": 1}),
        )
    else:
        assert red_ids(result) == [1]
        assert Reason(C.SCREENINGS_QUOTA_MET, {"weeks": 2, "done": 2, "required": 2}) in (
            result.red[0].reasons
        )


def test_problems_short_over_period_in_period_mode() -> None:
    period = make_period(2)
    rows = [wk(1, w, problems_done=0) for w in period.weeks]
    result = evaluate(period, [member(1)], rows, [], RedBlackRules(quota_mode="period"))
    assert result.assessments[1].red_blockers == (
        Reason(C.PROBLEMS_SHORT_IN_PERIOD, {"weeks": 2, "done": 0, "required": 2}),
    )


# --------------------------------------------------------------------------- black list


def test_one_missing_report_is_black_with_week_named() -> None:
    period = make_period(4)
    missing_week = period.weeks[2]
    rows = [wk(1, w, report="missing" if w == missing_week else "on_time") for w in period.weeks]
    result = evaluate(period, [member(1)], rows, [])

    assert black_ids(result) == [1]
    assert red_ids(result) == []
    assert result.black[0].reasons == (Reason(C.REPORT_MISSING, {"week": missing_week}),)
    assert Reason(C.REPORT_MISSING, {"week": missing_week}) in result.assessments[1].red_blockers


def test_field_days_short_is_black_with_dates_and_counts() -> None:
    period = make_period(1)
    (w,) = period.weeks
    dates = (w + timedelta(days=1),)
    row = wk(1, w, field_days_done=1, field_day_dates=dates)
    result = evaluate(period, [member(1)], [row], [])
    assert result.black[0].reasons == (
        Reason(
            C.FIELD_DAYS_SHORT,
            {"week": w, "done": 1, "required": 3, "exempt_days": 0, "dates": dates},
        ),
    )


@pytest.mark.parametrize(("required", "is_black"), [(1, False), (3, True)])
def test_holiday_week_pro_rated_quota(required: int, is_black: bool) -> None:
    # One field day in a holiday week: met when the caller pro-rated the quota to 1.
    period = make_period(1)
    (w,) = period.weeks
    row = wk(1, w, field_days_done=1, field_days_required=required, exempt_days=4)
    result = evaluate(period, [member(1)], [row], [])
    assert (black_ids(result) == [1]) is is_black
    assert (red_ids(result) == [1]) is not is_black
    assert (
        Reason(C.PARTIAL_EXEMPTION, {"week": w, "days": 4, "field_days_required": required})
        in result.assessments[1].context
    )


def test_case_overdue_beyond_limit_is_black_at_limit_is_not() -> None:
    limit = DEFAULT_RULES.black_overdue_days
    period = make_period(1)
    (w,) = period.weeks
    members = [member(1), member(2)]
    rows = [wk(1, w), wk(2, w)]
    cases = [
        MemberCaseFacts(1, "SHZ-2026-0007", limit + 1, False),
        MemberCaseFacts(2, "SHZ-2026-0008", limit, False),
    ]
    result = evaluate(period, members, rows, cases)

    assert black_ids(result) == [1]
    assert result.black[0].reasons == (
        Reason(C.CASE_OVERDUE, {"case": "SHZ-2026-0007", "days": limit + 1, "limit": limit}),
    )
    # At the limit: neither black nor red; the case blocks red.
    assert 2 not in red_ids(result) + black_ids(result)
    a2 = result.assessments[2]
    assert a2.red_blockers == (
        Reason(C.CASE_OVERDUE, {"case": "SHZ-2026-0008", "days": limit, "limit": limit}),
    )
    assert Reason(C.NO_CASE_OVERDUE_BEYOND_LIMIT, {"limit": limit, "overdue": 1}) in (
        a2.black_clear
    )


def test_configurable_overdue_limit() -> None:
    period = make_period(1)
    (w,) = period.weeks
    case = MemberCaseFacts(1, "C-1", 3, False)
    assert black_ids(evaluate(period, [member(1)], [wk(1, w)], [case])) == []
    strict = RedBlackRules(black_overdue_days=2)
    assert black_ids(evaluate(period, [member(1)], [wk(1, w)], [case], strict)) == [1]


def test_resolved_case_is_not_overdue_and_earns_points() -> None:
    period = make_period(1)
    (w,) = period.weeks
    rows = [wk(1, w)]
    cases = [MemberCaseFacts(1, "C-9", 20, True)]
    result = evaluate(period, [member(1)], rows, cases)
    assert red_ids(result) == [1]
    a = result.assessments[1]
    assert a.breakdown["case_resolved"] == DEFAULT_RULES.weights.case_resolved
    assert a.points == expected_points(rows, 1, DEFAULT_RULES.weights)


def test_black_list_orders_by_number_of_facts_then_points() -> None:
    period = make_period(2)
    w1, w2 = period.weeks
    members = [member(1, "甲"), member(2, "乙"), member(3, "丙")]
    rows = [
        wk(1, w1, report="missing"),
        wk(1, w2),
        wk(2, w1, report="missing"),
        wk(2, w2, report="missing"),
        wk(3, w1, report="missing", screenings_done=0),  # fewer points than member 1
        wk(3, w2),
    ]
    result = evaluate(period, members, rows, [])
    a = result.assessments
    assert len(a[2].black_triggers) > len(a[1].black_triggers) == len(a[3].black_triggers)
    assert a[3].points < a[1].points
    assert black_ids(result) == [2, 3, 1]


# --------------------------------------------------------------------------- exemptions / data


def test_leave_exempt_weeks_are_ignored() -> None:
    period = make_period(4)
    leave_week = period.weeks[1]
    rows = [exempt_wk(1, w) if w == leave_week else wk(1, w) for w in period.weeks]
    # A fully exempt week is ignored even if it carries bad-looking facts.
    rows = [r._replace(report="missing") if r.week_start == leave_week else r for r in rows]
    result = evaluate(period, [member(1)], rows, [])

    assert red_ids(result) == [1]
    a = result.assessments[1]
    assert leave_week in a.exempt_weeks and leave_week not in a.data_weeks
    assert Reason(C.ALL_REPORTS_ON_TIME, {"weeks": len(period.weeks) - 1}) in a.red_met
    assert Reason(C.WEEK_EXEMPT, {"week": leave_week}) in a.context
    assert a.points == expected_points(rows, 0, DEFAULT_RULES.weights)


def test_fully_exempt_member_not_listed_as_exempt() -> None:
    period = make_period(4)
    members = [member(1), member(2)]
    rows = [exempt_wk(1, w) for w in period.weeks] + [wk(2, w) for w in period.weeks]
    result = evaluate(period, members, rows, [])
    assert not_listed(result) == {1: Reason(C.EXEMPT, {"weeks": len(period.weeks)})}
    assert [r.member_id for r in result.scoreboard] == [2]


@pytest.mark.parametrize(("kind", "n_weeks"), [("week", 1), ("month", 4), ("quarter", 13)])
def test_insufficient_data_uses_kind_default(kind: str, n_weeks: int) -> None:
    period = make_period(n_weeks, kind)
    needed = DEFAULT_RULES.min_data_weeks(kind)  # type: ignore[arg-type]
    members = [member(1), member(2)]
    # Member 1 just below the minimum (with leave for the rest), member 2 exactly at it.
    short = needed - 1
    rows = [wk(1, w) if i < short else exempt_wk(1, w) for i, w in enumerate(period.weeks)] + [
        wk(2, w) for w in period.weeks[:needed]
    ]
    result = evaluate(period, members, rows, [])
    if short == 0:
        assert not_listed(result)[1].code == C.EXEMPT
    else:
        assert not_listed(result)[1] == Reason(
            C.INSUFFICIENT_DATA,
            {"weeks": short, "required": needed, "exempt_weeks": n_weeks - short},
        )
    assert red_ids(result) == [2]
    assert 1 not in [r.member_id for r in result.scoreboard]


def test_insufficient_data_member_is_not_blacklisted() -> None:
    period = make_period(4)
    rows = [wk(1, period.weeks[0], report="missing")]
    result = evaluate(period, [member(1)], rows, [])
    assert black_ids(result) == []
    assert not_listed(result)[1].code == C.INSUFFICIENT_DATA
    # ... but the facts are kept for /why.
    assert explain(1, result).black_triggers == (
        Reason(C.REPORT_MISSING, {"week": period.weeks[0]}),
    )


def test_member_without_rows_is_insufficient_data_and_weeks_named() -> None:
    period = make_period(2)
    result = evaluate(period, [member(1)], [], [])
    assert not_listed(result)[1] == Reason(
        C.INSUFFICIENT_DATA, {"weeks": 0, "required": 2, "exempt_weeks": 0}
    )
    assert [r.params["week"] for r in result.assessments[1].context] == list(period.weeks)


def test_min_data_weeks_configurable() -> None:
    period = make_period(4)
    rows = [wk(1, period.weeks[0])]
    assert red_ids(evaluate(period, [member(1)], rows, [])) == []
    rules = RedBlackRules(min_data_weeks_month=1)
    assert red_ids(evaluate(period, [member(1)], rows, [], rules)) == [1]


# --------------------------------------------------------------------------- points / scoreboard


def test_points_breakdown_follows_weights() -> None:
    period = make_period(2)
    w1, w2 = period.weeks
    rows = [
        wk(1, w1, report="late", field_days_done=1, screenings_done=2, problems_done=4),
        wk(1, w2, report="missing", field_days_done=5),
    ]
    cases = [MemberCaseFacts(1, "A", 0, True), MemberCaseFacts(1, "B", 0, True)]
    weights = PointWeights(field_day=7, problem_solved=11, screening=13, case_resolved=17)
    result = evaluate(period, [member(1)], rows, cases, RedBlackRules(weights=weights))
    a = result.assessments[1]
    assert a.points == expected_points(rows, 2, weights)
    assert a.points == sum(a.breakdown.values())
    assert a.breakdown["field_day_short"] == weights.field_day_short * (3 - 1)
    assert a.breakdown["late_report"] == weights.late_report
    assert a.breakdown["missing_report"] == weights.missing_report
    assert list(a.breakdown) == [rule for rule, _ in weights.items()]
    assert result.scoreboard[0].breakdown == a.breakdown


def test_points_disabled_gives_no_scoreboard() -> None:
    period = make_period(1)
    rules = RedBlackRules(points_enabled=False, rank_by="both")
    result = evaluate(period, [member(1, unit="东村")], [wk(1, period.weeks[0])], [], rules)
    assert result.scoreboard == [] and result.unit_scoreboard == []
    assert result.assessments[1].points == 0
    assert red_ids(result) == [1]


def test_scoreboard_competition_ranking_with_ties() -> None:
    period = make_period(1)
    (w,) = period.weeks
    # Members 1 and 2 tie (same facts), 3 has one extra field day, 4 one fewer problem.
    members = [member(1, "李四"), member(2, "张三"), member(3, "王五"), member(4, "赵六")]
    rows = [
        wk(1, w),
        wk(2, w),
        wk(3, w, field_days_done=4),
        wk(4, w, problems_done=0),
    ]
    result = evaluate(period, members, rows, [])
    board = result.scoreboard
    # The 1/2 tie is broken by name (code-point order), then member_id.
    tie_order = sorted((1, 2), key=lambda i: (members[i - 1].name, i))
    assert [r.member_id for r in board] == [3, *tie_order, 4]
    assert [r.rank for r in board] == [1, 2, 2, 4]
    assert [r.tied for r in board] == [False, True, True, False]
    assert [r.points for r in board] == sorted((r.points for r in board), reverse=True)


def test_red_list_ordered_by_points_then_name() -> None:
    period = make_period(1)
    (w,) = period.weeks
    members = [member(1, "b"), member(2, "a"), member(3, "c")]
    rows = [wk(1, w), wk(2, w), wk(3, w, field_days_done=5)]
    assert red_ids(evaluate(period, members, rows, [])) == [3, 2, 1]


def test_unit_ranking_averages_per_member() -> None:
    period = make_period(1)
    (w,) = period.weeks
    # Big village: three members with plain weeks; small village: one busier member.
    members = [member(i, unit="大村") for i in (1, 2, 3)] + [member(4, unit="小村")]
    members.append(member(5, unit=None))
    members.append(member(6, unit="大村"))  # no data: excluded from the average
    rows = [wk(i, w) for i in (1, 2, 3, 5)] + [wk(4, w, field_days_done=4)]
    result = evaluate(period, members, rows, [], RedBlackRules(rank_by="unit"))
    a = result.assessments

    assert result.scoreboard == []
    big_total = a[1].points + a[2].points + a[3].points
    assert big_total > a[4].points  # the big village would win on totals ...
    by_unit = {r.unit: r for r in result.unit_scoreboard}
    assert set(by_unit) == {"大村", "小村"}
    assert by_unit["大村"].points == Fraction(big_total, 3)
    assert by_unit["大村"].members == 3 and by_unit["大村"].total == big_total
    assert by_unit["小村"].points == a[4].points
    # ... but loses on the average.
    assert [r.unit for r in result.unit_scoreboard] == ["小村", "大村"]
    assert [r.rank for r in result.unit_scoreboard] == [1, 2]
    assert by_unit["大村"].breakdown["field_day"] == Fraction(
        sum(a[i].breakdown["field_day"] for i in (1, 2, 3)), 3
    )


def test_unit_ranking_ties_and_both() -> None:
    period = make_period(1)
    (w,) = period.weeks
    members = [member(1, unit="B村"), member(2, unit="A村"), member(3, unit="A村")]
    rows = [wk(1, w), wk(2, w), wk(3, w)]
    result = evaluate(period, members, rows, [], RedBlackRules(rank_by="both"))
    assert [r.unit for r in result.unit_scoreboard] == ["A村", "B村"]
    assert [(r.rank, r.tied) for r in result.unit_scoreboard] == [(1, True), (1, True)]
    assert len(result.scoreboard) == 3


# --------------------------------------------------------------------------- caps


def test_red_cap_cuts_and_states_cutoff() -> None:
    period = make_period(1)
    (w,) = period.weeks
    members = [member(i) for i in (1, 2, 3)]
    rows = [wk(1, w, field_days_done=5), wk(2, w, field_days_done=4), wk(3, w)]
    result = evaluate(period, members, rows, [], RedBlackRules(max_red=2))
    assert red_ids(result) == [1, 2]
    assert result.notes == ()
    assert all(item.notes == () for item in result.red)
    a = result.assessments
    assert not_listed(result)[3] == Reason(
        C.RED_CAP_EXCEEDED, {"cap": 2, "points": a[3].points, "cutoff_points": a[2].points}
    )


def test_red_cap_tie_includes_all_tied_and_says_so() -> None:
    period = make_period(1)
    (w,) = period.weeks
    members = [member(i) for i in (1, 2, 3, 4)]
    rows = [wk(1, w, field_days_done=5), wk(2, w), wk(3, w), wk(4, w, problems_done=2)]
    # Make member 4 below 2/3 in points by giving the others an extra screening instead.
    rows[3] = wk(4, w)
    rows[1] = wk(2, w, screenings_done=2)
    rows[2] = wk(3, w, screenings_done=2)
    result = evaluate(period, members, rows, [], RedBlackRules(max_red=2))
    a = result.assessments
    assert a[1].points > a[2].points == a[3].points > a[4].points
    assert red_ids(result) == [1, 2, 3]
    tie = Reason(C.TIED_AT_CAP, {"list": "red", "cap": 2, "listed": 3})
    assert result.notes == (tie,)
    assert [item.notes for item in result.red] == [(), (tie,), (tie,)]
    assert not_listed(result)[4].code == C.RED_CAP_EXCEEDED
    assert explain(2, result).listing_notes == (tie,)


def test_black_cap_tie_and_cut() -> None:
    period = make_period(1)
    (w,) = period.weeks
    members = [member(i) for i in (1, 2, 3, 4)]
    rows = [
        wk(1, w, report="missing", field_days_done=0),  # two facts
        wk(2, w, report="missing"),
        wk(3, w, report="missing"),
        wk(4, w, report="missing", screenings_done=3),  # one fact, more points: less severe
    ]
    result = evaluate(period, members, rows, [], RedBlackRules(max_black=2))
    assert black_ids(result) == [1, 2, 3]
    assert result.notes == (Reason(C.TIED_AT_CAP, {"list": "black", "cap": 2, "listed": 3}),)
    assert not_listed(result)[4] == Reason(
        C.BLACK_CAP_EXCEEDED,
        {"cap": 2, "black_facts": 1, "points": result.assessments[4].points},
    )
    # Cut from the black list by the cap is still not red.
    assert 4 not in red_ids(result)


# --------------------------------------------------------------------------- explain


def test_explain_red_member() -> None:
    period = make_period(1)
    result = evaluate(period, [member(1)], [wk(1, period.weeks[0])], [])
    e = explain(1, result)
    assert e.status == "red"
    assert e.reasons == result.red[0].reasons == e.red_met
    assert e.red_blockers == () and e.black_triggers == ()
    assert codes(e.black_clear) == [
        C.NO_REPORT_MISSING,
        C.FIELD_QUOTA_MET,
        C.NO_CASE_OVERDUE_BEYOND_LIMIT,
    ]
    assert e.score == result.scoreboard[0]
    assert e.points == result.assessments[1].points


def test_explain_black_member_shows_red_blockers_too() -> None:
    period = make_period(2)
    w1, w2 = period.weeks
    rows = [wk(1, w1, report="missing"), wk(1, w2, report="late")]
    result = evaluate(period, [member(1)], rows, [])
    e = explain(1, result)
    assert e.status == "black"
    assert e.reasons == e.black_triggers == (Reason(C.REPORT_MISSING, {"week": w1}),)
    assert e.red_blockers == (
        Reason(C.REPORT_MISSING, {"week": w1}),
        Reason(C.REPORT_LATE, {"week": w2}),
    )


def test_explain_member_on_neither_list() -> None:
    period = make_period(1)
    (w,) = period.weeks
    cases = [MemberCaseFacts(1, "SHZ-2026-0003", 2, False)]
    result = evaluate(period, [member(1)], [wk(1, w, problems_done=0)], cases)
    e = explain(1, result)
    assert e.status == "not_listed"
    assert e.reasons == (Reason(C.NOT_QUALIFIED, {"red_blockers": 2}),)
    assert e.red_blockers == (
        Reason(C.PROBLEMS_SHORT, {"week": w, "done": 0, "required": 1}),
        Reason(C.CASE_OVERDUE, {"case": "SHZ-2026-0003", "days": 2, "limit": 7}),
    )
    assert e.black_triggers == ()
    assert Reason(C.NO_REPORT_MISSING, {"weeks": 1}) in e.black_clear
    assert Reason(C.NO_CASE_OVERDUE_BEYOND_LIMIT, {"limit": 7, "overdue": 1}) in e.black_clear


def test_explain_ineligible_member() -> None:
    period = make_period(4)
    rows = [exempt_wk(1, w) for w in period.weeks]
    result = evaluate(period, [member(1, unit="东村")], rows, [], RedBlackRules(rank_by="both"))
    e = explain(1, result)
    assert e.status == "not_listed"
    assert e.reasons == (Reason(C.EXEMPT, {"weeks": 4}),)
    assert e.score is None and e.unit_score is None
    assert codes(e.context) == [C.WEEK_EXEMPT] * 4


def test_explain_unknown_member_raises() -> None:
    period = make_period(1)
    result = evaluate(period, [member(1)], [wk(1, period.weeks[0])], [])
    with pytest.raises(KeyError):
        explain(99, result)


# --------------------------------------------------------------------------- rules summary


def test_rules_summary_states_configured_values() -> None:
    weights = PointWeights(field_day=4, screening=0)
    rules = RedBlackRules(
        black_overdue_days=10, quota_mode="period", max_red=5, rank_by="unit", weights=weights
    )
    summary = rules_summary(rules)
    assert Reason(C.RULE_BLACK_CASE_OVERDUE, {"limit": 10}) in summary
    assert Reason(C.RULE_RED_SCREENINGS_PROBLEMS, {"mode": "period"}) in summary
    assert Reason(C.RULE_CAP, {"list": "red", "cap": 5}) in summary
    assert Reason(C.RULE_TIES_AT_CAP_INCLUDED) in summary
    assert Reason(C.RULE_UNIT_AVERAGE) in summary
    point_rules = [r.params for r in summary if r.code == C.RULE_POINTS_WEIGHT]
    assert point_rules == [
        {"rule": rule, "points": weight} for rule, weight in weights.items() if weight != 0
    ]
    assert len(set(codes(summary))) > 10


def test_rules_summary_default_and_points_off() -> None:
    summary = rules_summary()
    assert Reason(C.RULE_BLACK_CASE_OVERDUE, {"limit": 7}) in summary
    assert C.RULE_CAP not in codes(summary)
    off = rules_summary(RedBlackRules(points_enabled=False))
    assert C.RULE_POINTS_DISABLED in codes(off)
    assert C.RULE_POINTS_WEIGHT not in codes(off)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "bad",
    [
        {"quota_mode": "monthly"},
        {"rank_by": "village"},
        {"black_overdue_days": -1},
        {"min_data_weeks_month": 0},
        {"max_red": 0},
    ],
)
def test_rules_validation(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RedBlackRules(**bad)  # type: ignore[arg-type]


def test_input_validation() -> None:
    period = make_period(1)
    (w,) = period.weeks
    m = [member(1)]
    with pytest.raises(ValueError, match="unknown member"):
        evaluate(period, m, [wk(2, w)], [])
    with pytest.raises(ValueError, match="not in the period"):
        evaluate(period, m, [wk(1, w + timedelta(weeks=1))], [])
    with pytest.raises(ValueError, match="duplicate week"):
        evaluate(period, m, [wk(1, w), wk(1, w)], [])
    with pytest.raises(ValueError, match="field_day_dates"):
        evaluate(period, m, [wk(1, w, field_day_dates=(w,))], [])
    with pytest.raises(ValueError, match="outside week"):
        evaluate(period, m, [wk(1, w, field_days_done=1, field_day_dates=(w - timedelta(1),))], [])
    with pytest.raises(ValueError, match="duplicate member"):
        evaluate(period, m + m, [], [])
    with pytest.raises(ValueError, match="negative count"):
        evaluate(period, m, [wk(1, w, problems_required=-1)], [])
    with pytest.raises(ValueError, match="duplicate case"):
        evaluate(period, m, [], [MemberCaseFacts(1, "X", 1, False)] * 2)


def test_field_days_are_checked_for_every_row_sharing_a_pattern() -> None:
    """Rows share field-day tuples, and `evaluate` checks each pattern once per week: a later
    row with the same dates must still be refused when its count or its week disagrees."""
    period = make_period(2)
    first, second = period.weeks
    two = [member(1), member(2)]
    dates = (first, first + timedelta(days=1))
    good = wk(1, first, field_days_done=2, field_day_dates=dates)
    with pytest.raises(ValueError, match="field_day_dates"):
        evaluate(period, two, [good, wk(2, first, field_days_done=3, field_day_dates=dates)], [])
    with pytest.raises(ValueError, match="outside week"):
        evaluate(period, two, [good, wk(2, second, field_days_done=2, field_day_dates=dates)], [])
    repeated = (first, first)
    with pytest.raises(ValueError, match="distinct"):
        evaluate(period, two, [wk(1, first, field_days_done=2, field_day_dates=repeated)], [])
    result = evaluate(
        period, two, [good, wk(2, first, field_days_done=2, field_day_dates=dates)], []
    )
    assert set(result.assessments) == {1, 2}


# --------------------------------------------------------------------------- properties

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静"]


@st.composite
def week_rows(draw: st.DrawFn, member_id: int, week_start: date) -> CadreWeek:
    if draw(st.integers(0, 9)) == 0:
        return exempt_wk(member_id, week_start)
    report = draw(st.sampled_from(["on_time"] * 5 + ["late", "missing", "exempt"]))
    required = draw(st.integers(0, 3))
    done = draw(st.integers(max(0, required - 1), 5))
    return wk(
        member_id,
        week_start,
        report=report,
        field_days_done=done,
        field_days_required=required,
        screenings_done=draw(st.integers(0, 2)),
        screenings_required=draw(st.integers(0, 1)),
        problems_done=draw(st.integers(0, 2)),
        problems_required=draw(st.integers(0, 1)),
        exempt_days=3 - required if required < 3 else 0,
    )


@st.composite
def rules_strategy(draw: st.DrawFn, capped: bool = True) -> RedBlackRules:
    cap = st.none() | st.integers(1, 3) if capped else st.none()
    return RedBlackRules(
        quota_mode=draw(st.sampled_from(["weekly", "period"])),
        black_overdue_days=draw(st.integers(0, 10)),
        min_data_weeks_week=1,
        min_data_weeks_month=draw(st.integers(1, 3)),
        min_data_weeks_quarter=draw(st.integers(1, 3)),
        max_red=draw(cap),
        max_black=draw(cap),
        points_enabled=draw(st.booleans()),
        rank_by=draw(st.sampled_from(["person", "unit", "both"])),
    )


Scenario: TypeAlias = tuple[
    Period, list[Member], list[CadreWeek], list[MemberCaseFacts], RedBlackRules
]


@st.composite
def scenarios(draw: st.DrawFn, capped: bool = True) -> Scenario:
    n_weeks = draw(st.integers(1, 4))
    period = make_period(n_weeks, draw(st.sampled_from(["week", "month", "quarter"])))
    n_members = draw(st.integers(1, 6))
    members = [
        Member(i, draw(st.sampled_from(NAMES)), draw(st.sampled_from([None, "东村", "西村"])))
        for i in range(1, n_members + 1)
    ]
    rows = [
        draw(week_rows(m.member_id, w))
        for m in members
        for w in period.weeks
        if draw(st.integers(0, 5)) > 0
    ]
    cases = []
    for m in members:
        for k in range(draw(st.integers(0, 2))):
            cases.append(
                MemberCaseFacts(
                    m.member_id,
                    f"SHZ-{m.member_id}-{k}",
                    draw(st.integers(0, 12)),
                    draw(st.booleans()),
                )
            )
    return period, members, rows, cases, draw(rules_strategy(capped))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_property_partition_and_reasons(scenario: Scenario) -> None:
    period, members, rows, cases, rules = scenario
    result = evaluate(period, members, rows, cases, rules)
    red, black = red_ids(result), black_ids(result)
    nl = [n.member_id for n in result.not_listed]

    # Every member exactly once; never on both lists.
    assert sorted(red + black + nl) == [m.member_id for m in members]
    assert not set(red) & set(black)
    # Every listing has at least one reason; red reasons are only "met" facts.
    assert all(item.reasons for item in result.red + result.black)
    for item in result.red:
        a = result.assessments[item.member_id]
        assert a.eligible and a.red_blockers == () and item.reasons == a.red_met
    for item in result.black:
        a = result.assessments[item.member_id]
        assert a.eligible and item.reasons == a.black_triggers
        assert set(a.black_triggers) <= set(a.red_blockers)
    # Eligible members with black facts are black unless cut by the black cap.
    for mid, a in result.assessments.items():
        if a.eligible and a.black_triggers and mid not in black:
            assert not_listed(result)[mid].code == C.BLACK_CAP_EXCEEDED
        if not a.eligible:
            assert not_listed(result)[mid] == a.eligibility


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_property_explain_matches_result(scenario: Scenario) -> None:
    period, members, rows, cases, rules = scenario
    result = evaluate(period, members, rows, cases, rules)
    for m in members:
        e = explain(m.member_id, result)
        if m.member_id in red_ids(result):
            assert e.status == "red" and e.reasons == e.red_met and not e.red_blockers
        elif m.member_id in black_ids(result):
            assert e.status == "black" and e.reasons == e.black_triggers
        else:
            assert e.status == "not_listed"
            assert e.reasons == (not_listed(result)[m.member_id],)
        # Explaining "why not red" and "why not black" is always possible.
        assert e.red_met or e.red_blockers
        assert e.black_triggers or e.black_clear
        assert e.points == sum(e.breakdown.values())


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_property_scoreboard_competition_ranks(scenario: Scenario) -> None:
    period, members, rows, cases, rules = scenario
    result = evaluate(period, members, rows, cases, rules)
    board = result.scoreboard
    points = [r.points for r in board]
    assert points == sorted(points, reverse=True)
    for r in board:
        assert r.rank == 1 + sum(p > r.points for p in points)
        assert r.tied == (points.count(r.points) > 1)
        assert result.assessments[r.member_id].eligible
    units = result.unit_scoreboard
    averages = [u.points for u in units]
    assert averages == sorted(averages, reverse=True)
    for u in units:
        assert u.rank == 1 + sum(p > u.points for p in averages)
        assert u.points * u.members == u.total
    if rules.points_enabled and rules.rank_by != "unit":
        assert sorted(r.member_id for r in board) == sorted(
            mid for mid, a in result.assessments.items() if a.eligible
        )


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_property_deterministic_under_input_order(scenario: Scenario, rnd: Random) -> None:
    period, members, rows, cases, rules = scenario
    expected = evaluate(period, members, rows, cases, rules)
    members, rows, cases = list(members), list(rows), list(cases)
    rnd.shuffle(members)
    rnd.shuffle(rows)
    rnd.shuffle(cases)
    assert evaluate(period, members, rows, cases, rules) == expected


@settings(max_examples=300, deadline=None)
@given(scenarios(capped=False), st.data())
def test_property_adding_on_time_week_never_moves_red_to_black(
    scenario: Scenario,
    data: st.DataObject,
) -> None:
    period, members, rows, cases, rules = scenario
    before = evaluate(period, members, rows, cases, rules)
    # Extend the period by one week; one member gets a compliant on-time week there.
    new_week = period.weeks[-1] + timedelta(weeks=1)
    longer = Period(
        period.kind, period.start, new_week + timedelta(days=6), (*period.weeks, new_week)
    )
    mid = data.draw(st.sampled_from([m.member_id for m in members]))
    required = data.draw(st.integers(0, 3))
    extra = wk(mid, new_week, field_days_done=required, field_days_required=required)
    after = evaluate(longer, members, [*rows, extra], cases, rules)

    if mid in red_ids(before):
        assert mid in red_ids(after)
        assert mid not in black_ids(after)
    if before.assessments[mid].eligible and mid not in black_ids(before):
        assert mid not in black_ids(after)
    # Other members are unaffected.
    for m in members:
        if m.member_id != mid:
            assert (m.member_id in red_ids(before)) == (m.member_id in red_ids(after))
            assert (m.member_id in black_ids(before)) == (m.member_id in black_ids(after))


@settings(max_examples=200, deadline=None)
@given(scenarios(capped=False), st.data())
def test_property_a_missing_report_blacklists_an_eligible_member(
    scenario: Scenario,
    data: st.DataObject,
) -> None:
    period, members, rows, cases, rules = scenario
    candidates = [i for i, r in enumerate(rows) if not r.fully_exempt]
    if not candidates:
        return
    i = data.draw(st.sampled_from(candidates))
    rows = list(rows)
    rows[i] = rows[i]._replace(report="missing")
    result = evaluate(period, members, rows, cases, rules)
    mid, week = rows[i].member_id, rows[i].week_start
    a = result.assessments[mid]
    assert Reason(C.REPORT_MISSING, {"week": week}) in a.black_triggers
    assert (mid in black_ids(result)) == a.eligible


def test_reason_is_hashable_and_equal_by_value() -> None:
    a = Reason(C.REPORT_MISSING, {"week": MONDAY})
    b = Reason("report_missing", {"week": MONDAY})
    assert a == b and hash(a) == hash(b)
    assert len({a, b, Reason(C.REPORT_LATE, {"week": MONDAY})}) == 2


def test_equal_reasons_of_different_members_are_built_once() -> None:
    """The snapshot converts each distinct reason object to JSON once, so `evaluate` must
    hand out one object per distinct reason (a county's lists hold ~200,000 of them)."""
    period = make_period(2)
    first, second = period.weeks
    rows = [wk(mid, week, report="missing") for mid in (1, 2) for week in (first, second)]
    result = evaluate(period, [member(1), member(2)], rows, [])
    one, two = result.assessments[1], result.assessments[2]
    assert one.black_triggers == two.black_triggers
    assert all(a is b for a, b in zip(one.black_triggers, two.black_triggers, strict=True))
    assert one.red_blockers[0] is one.black_triggers[0]
    assert one.black_triggers[0] is not one.black_triggers[1]  # another week, another reason
