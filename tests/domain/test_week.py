"""Weeks, quota and report deadline of the cadre week, with real 2026 dates (chinese_calendar
1.11 data)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.week.deadline import ReportSchedule, meeting_time, report_window, scheduled_on_workday
from bot.week.quota import (
    ExemptDay,
    ExemptKind,
    ExemptSpan,
    Quota,
    QuotaRule,
    Rounding,
    prorate,
    required_quota,
)
from bot.week.weeks import (
    month_weeks,
    next_week,
    previous_week,
    quarter_weeks,
    week_month,
    week_of,
    weeks_in_range,
)
from tests.reference_weeks import FieldDay, VisitFact, evaluate_week

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
NORMAL_WEEK = date(2026, 3, 2)  # Mon 2 - Sun 8 March 2026, five workdays
SPRING_FESTIVAL_WEEK = date(2026, 2, 16)  # no workday at all
FRIDAY_HOLIDAY_WEEK = date(2026, 9, 21)  # Fri 25 Sep is Mid-autumn
NATIONAL_DAY_WEEK_1 = date(2026, 9, 28)  # Mon-Wed work, Thu 1 Oct on holiday
NATIONAL_DAY_WEEK_2 = date(2026, 10, 5)  # Mon-Wed holiday, Thu-Sat (调休) work


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=TZ)


def visit(d: date, village: str = "东村", screenings: int = 0, problems: int = 0) -> VisitFact:
    return VisitFact(d, village, screenings, problems)


def leave(start: date, end: date) -> ExemptSpan:
    return ExemptSpan(start, end, "leave")


# ====================================================================== pro-rating


@pytest.mark.parametrize(
    ("available", "field_days", "screenings"),
    [
        # Straight from the rule examples: 3*a/5 and 1*a/5, half up.
        (5, 3, 1),
        (4, 2, 1),  # 2.4 -> 2, 0.8 -> 1
        (3, 2, 1),  # 1.8 -> 2, 0.6 -> 1
        (2, 1, 0),  # 1.2 -> 1, 0.4 -> 0
        (1, 1, 0),  # 0.6 -> 1, 0.2 -> 0
        (0, 0, 0),
    ],
)
def test_half_up_examples(available: int, field_days: int, screenings: int) -> None:
    quota = required_quota(QuotaRule(), workdays=5, exempt_workdays=5 - available)
    assert quota == Quota(field_days, screenings, screenings)


def test_exact_half_rounds_up() -> None:
    # 1 * 5/2 = 2.5 exactly -> 3 with half_up, which float rounding (banker's) would not give.
    rule = QuotaRule(field_days=5, base_workdays=2)
    assert prorate(5, 1, 2, "half_up") == 3
    assert required_quota(rule, 1, 0).field_days == 3
    assert prorate(1, 1, 2, "half_up") == 1  # 0.5 -> 1


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 4 available: 2.4 field days, 0.8 screenings; 1 available: 0.6 and 0.2.
        ("ceil", {4: Quota(3, 1, 1), 1: Quota(1, 1, 1)}),
        ("floor", {4: Quota(2, 0, 0), 1: Quota(0, 0, 0)}),
        ("half_up", {4: Quota(2, 1, 1), 1: Quota(1, 0, 0)}),
        ("none", {4: Quota(3, 1, 1), 1: Quota(3, 1, 1)}),
    ],
)
def test_rounding_modes(rounding: Rounding, expected: dict[int, Quota]) -> None:
    rule = QuotaRule(rounding=rounding)
    for available, quota in expected.items():
        assert required_quota(rule, 5, 5 - available) == quota
    assert required_quota(rule, 5, 5) == Quota(0, 0, 0)  # nothing available -> nothing due
    assert required_quota(rule, 0, 0) == Quota(0, 0, 0)


def test_six_workday_week_never_exceeds_base() -> None:
    assert required_quota(QuotaRule(), 6, 0) == Quota(3, 1, 1)  # 3.6 capped at 3
    assert required_quota(QuotaRule(rounding="ceil"), 6, 1) == Quota(3, 1, 1)


def test_exempt_more_than_workdays_means_nothing_due() -> None:
    assert required_quota(QuotaRule(), 3, 4) == Quota(0, 0, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rounding": "round"},
        {"base_workdays": 0},
        {"field_days": -1},
        {"dispute_screenings": -1},
        {"problems_solved": -1},
    ],
)
def test_invalid_rules_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        QuotaRule(**kwargs)  # type: ignore[arg-type]


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        required_quota(QuotaRule(), -1, 0)
    with pytest.raises(ValueError):
        required_quota(QuotaRule(), 5, -1)


ROUNDINGS: tuple[Rounding, ...] = ("floor", "half_up", "ceil", "none")
_DECIMAL_MODE = {"half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING, "floor": ROUND_FLOOR}

rules = st.builds(
    QuotaRule,
    field_days=st.integers(0, 7),
    dispute_screenings=st.integers(0, 5),
    problems_solved=st.integers(0, 5),
    base_workdays=st.integers(1, 7),
    rounding=st.sampled_from(ROUNDINGS),
)
small = st.integers(0, 8)


@given(rules, small, small)
def test_required_never_exceeds_base(rule: QuotaRule, workdays: int, exempt: int) -> None:
    q = required_quota(rule, workdays, exempt)
    assert 0 <= q.field_days <= rule.field_days
    assert 0 <= q.dispute_screenings <= rule.dispute_screenings
    assert 0 <= q.problems_solved <= rule.problems_solved


@given(rules, small, small)
def test_more_leave_never_increases_the_quota(rule: QuotaRule, workdays: int, exempt: int) -> None:
    fewer, more = required_quota(rule, workdays, exempt), required_quota(rule, workdays, exempt + 1)
    assert more.field_days <= fewer.field_days
    assert more.dispute_screenings <= fewer.dispute_screenings
    assert more.problems_solved <= fewer.problems_solved


@given(rules, small, small)
def test_more_workdays_never_decrease_the_quota(
    rule: QuotaRule, workdays: int, exempt: int
) -> None:
    assert (
        required_quota(rule, workdays + 1, exempt).field_days
        >= required_quota(rule, workdays, exempt).field_days
    )


@given(rules, small)
def test_nothing_available_means_nothing_required(rule: QuotaRule, workdays: int) -> None:
    assert required_quota(rule, workdays, workdays) == Quota(0, 0, 0)


@given(rules, st.integers(0, 3))
def test_full_availability_means_full_base(rule: QuotaRule, extra: int) -> None:
    assert required_quota(rule, rule.base_workdays + extra, 0) == rule.base


@given(st.integers(0, 10), st.integers(0, 10), st.integers(1, 7))
def test_rounding_modes_are_ordered(base: int, available: int, base_workdays: int) -> None:
    f, h, c, n = (prorate(base, available, base_workdays, mode) for mode in ROUNDINGS)
    assert f <= h <= c <= n


@given(
    st.integers(0, 10),
    st.integers(1, 10),
    st.integers(1, 7),
    st.sampled_from(["half_up", "ceil", "floor"]),
)
def test_prorate_matches_decimal_oracle(
    base: int, available: int, base_workdays: int, rounding: Rounding
) -> None:
    exact = Decimal(base * available) / Decimal(base_workdays)
    # Independent oracle: decimal rounding of base * available / base_workdays.
    oracle = int(exact.quantize(Decimal(1), rounding=_DECIMAL_MODE[rounding]))
    assert prorate(base, available, base_workdays, rounding) == min(base, oracle)


# ====================================================================== evaluate_week


def test_normal_week_compliant_with_weekend_visit() -> None:
    visits = [
        visit(date(2026, 3, 2), "西村", screenings=1),
        visit(date(2026, 3, 2), "东村"),
        visit(date(2026, 3, 2), "西村"),  # same village twice: listed once
        visit(date(2026, 3, 4), "南村", problems=1),
        visit(date(2026, 3, 7), "北村"),  # Saturday counts as a field day
        visit(date(2026, 3, 9), "北村", screenings=5),  # next week: ignored
        visit(date(2026, 3, 1), "北村", problems=5),  # previous week: ignored
    ]
    status = evaluate_week(NORMAL_WEEK, visits, [], CAL, QuotaRule())
    assert status.week_start == NORMAL_WEEK and status.week_end == date(2026, 3, 8)
    assert status.workdays == tuple(NORMAL_WEEK + timedelta(days=i) for i in range(5))
    assert status.field_days == (
        FieldDay(date(2026, 3, 2), ("东村", "西村")),
        FieldDay(date(2026, 3, 4), ("南村",)),
        FieldDay(date(2026, 3, 7), ("北村",)),
    )
    assert status.done == Quota(3, 1, 1)
    assert status.required == Quota(3, 1, 1)
    assert status.shortfall == Quota(0, 0, 0)
    assert status.compliant and not status.fully_exempt


def test_shortfall_drives_the_nudge() -> None:
    visits = [visit(date(2026, 3, 3), "东村", problems=2)]
    status = evaluate_week(NORMAL_WEEK, visits, [], CAL)
    assert status.shortfall == Quota(field_days=2, dispute_screenings=1, problems_solved=0)
    assert not status.field_days_met
    assert not status.dispute_screenings_met
    assert status.problems_solved_met
    assert not status.compliant


def test_any_date_of_the_week_selects_the_week() -> None:
    a = evaluate_week(date(2026, 3, 5), [visit(date(2026, 3, 2))], [], CAL)
    b = evaluate_week(NORMAL_WEEK, [visit(date(2026, 3, 2))], [], CAL)
    assert a == b


def test_leave_covering_part_of_the_week() -> None:
    # Leave Sat 28 Feb .. Tue 3 Mar: only Mon 2 and Tue 3 are workdays of this week.
    status = evaluate_week(NORMAL_WEEK, [], [leave(date(2026, 2, 28), date(2026, 3, 3))], CAL)
    assert status.exempt_days == (
        ExemptDay(date(2026, 3, 2), "leave"),
        ExemptDay(date(2026, 3, 3), "leave"),
    )
    assert status.available_workdays == 3
    assert status.required == required_quota(QuotaRule(), 5, 2) == Quota(2, 1, 1)
    assert not status.fully_exempt and not status.compliant


def test_leave_on_weekend_only_changes_nothing() -> None:
    status = evaluate_week(NORMAL_WEEK, [], [leave(date(2026, 3, 7), date(2026, 3, 8))], CAL)
    assert status.exempt_days == ()
    assert status.required == Quota(3, 1, 1)


def test_leave_covering_the_whole_week() -> None:
    span = leave(date(2026, 3, 1), date(2026, 3, 10))
    status = evaluate_week(NORMAL_WEEK, [], [span], CAL)
    assert len(status.exempt_days) == 5
    assert status.fully_exempt
    assert status.required == Quota(0, 0, 0)
    assert status.compliant


def test_leave_and_official_duty_overlap_counts_once() -> None:
    spans = [
        leave(date(2026, 3, 2), date(2026, 3, 3)),
        ExemptSpan(date(2026, 3, 3), date(2026, 3, 4), "official_duty", "县里开会"),
    ]
    status = evaluate_week(NORMAL_WEEK, [], spans, CAL)
    assert status.exempt_days == (
        ExemptDay(date(2026, 3, 2), "leave"),
        ExemptDay(date(2026, 3, 3), "official_duty"),
        ExemptDay(date(2026, 3, 4), "official_duty"),
    )
    assert status.required == required_quota(QuotaRule(), 5, 3)


def test_visit_on_an_exempt_day_still_counts() -> None:
    status = evaluate_week(
        NORMAL_WEEK, [visit(date(2026, 3, 2))], [leave(date(2026, 3, 2), date(2026, 3, 2))], CAL
    )
    assert status.done.field_days == 1


def test_spring_festival_week_is_fully_exempt_but_visits_are_recorded() -> None:
    status = evaluate_week(SPRING_FESTIVAL_WEEK, [visit(date(2026, 2, 18), "东村")], [], CAL)
    assert status.workdays == ()
    assert status.fully_exempt
    assert status.required == Quota(0, 0, 0)
    assert status.done.field_days == 1
    assert status.compliant


def test_national_day_week_with_makeup_saturday() -> None:
    spans = [
        leave(date(2026, 10, 5), date(2026, 10, 5)),  # a holiday: not exempting anything
        ExemptSpan(date(2026, 10, 10), date(2026, 10, 10), "official_duty"),  # 调休 Saturday
    ]
    status = evaluate_week(NATIONAL_DAY_WEEK_2, [], spans, CAL)
    assert status.workdays == (date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10))
    assert status.exempt_days == (ExemptDay(date(2026, 10, 10), "official_duty"),)
    # 2 available: 3*2/5 = 1.2 -> 1 field day, 1*2/5 = 0.4 -> 0 screenings.
    assert status.required == Quota(1, 0, 0)


def test_friday_holiday_week_prorates_to_four_days() -> None:
    status = evaluate_week(FRIDAY_HOLIDAY_WEEK, [], [], CAL)
    assert len(status.workdays) == 4
    assert status.required == Quota(2, 1, 1)  # 2.4 -> 2, 0.8 -> 1


def test_six_workday_week_requires_the_base() -> None:
    status = evaluate_week(date(2026, 2, 9), [], [], CAL)
    assert len(status.workdays) == 6
    assert status.required == Quota(3, 1, 1)


def test_rule_is_applied() -> None:
    rule = QuotaRule(field_days=4, dispute_screenings=2, rounding="none")
    status = evaluate_week(NORMAL_WEEK, [], [leave(date(2026, 3, 2), date(2026, 3, 5))], CAL, rule)
    assert status.required == Quota(4, 2, 1)


def test_fact_validation() -> None:
    with pytest.raises(ValueError):
        VisitFact(date(2026, 3, 2), "东村", -1, 0)
    with pytest.raises(TypeError):
        VisitFact(datetime(2026, 3, 2, 9), "东村", 0, 0)
    with pytest.raises(ValueError):
        ExemptSpan(date(2026, 3, 3), date(2026, 3, 2), "leave")
    with pytest.raises(ValueError):
        ExemptSpan(date(2026, 3, 2), date(2026, 3, 2), "holiday")  # type: ignore[arg-type]


KINDS: tuple[ExemptKind, ...] = ("leave", "official_duty")
VILLAGES = ("东村", "西村", "南村", "北村", "中心村", "Ancun")
week_2026 = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
# Interesting real weeks, plus any week of 2026.
weeks = st.one_of(
    st.sampled_from(
        [
            NORMAL_WEEK,
            SPRING_FESTIVAL_WEEK,
            date(2026, 2, 9),
            date(2026, 2, 23),
            date(2026, 9, 14),
            FRIDAY_HOLIDAY_WEEK,
            NATIONAL_DAY_WEEK_1,
            NATIONAL_DAY_WEEK_2,
        ]
    ),
    week_2026,
)


def near(monday: date) -> st.SearchStrategy[date]:
    """Dates from the Friday before to the Tuesday after the week (mostly inside it)."""
    return st.integers(-3, 8).map(lambda offset: monday + timedelta(days=offset))


def visits_near(monday: date) -> st.SearchStrategy[list[VisitFact]]:
    return st.lists(
        st.builds(
            VisitFact,
            visit_date=near(monday),
            village=st.sampled_from(VILLAGES),
            dispute_screenings=st.integers(0, 2),
            problems_solved=st.integers(0, 2),
        ),
        max_size=10,
    )


def spans_near(monday: date) -> st.SearchStrategy[ExemptSpan]:
    return st.builds(
        lambda start, length, kind: ExemptSpan(start, start + timedelta(days=length), kind),
        near(monday),
        st.integers(0, 6),
        st.sampled_from(KINDS),
    )


@st.composite
def week_cases(draw: st.DrawFn) -> tuple[date, list[VisitFact], list[ExemptSpan]]:
    d = draw(weeks)
    monday = week_of(d)
    return d, draw(visits_near(monday)), draw(st.lists(spans_near(monday), max_size=3))


@given(week_cases(), rules)
def test_evaluate_week_invariants(
    case: tuple[date, list[VisitFact], list[ExemptSpan]], rule: QuotaRule
) -> None:
    d, visits, spans = case
    status = evaluate_week(d, visits, spans, CAL, rule)
    monday = d - timedelta(days=d.weekday())
    in_week = [v for v in visits if monday <= v.visit_date <= monday + timedelta(days=6)]
    assert status.done.field_days == len({v.visit_date for v in in_week})
    assert [fd.day for fd in status.field_days] == sorted({v.visit_date for v in in_week})
    for fd in status.field_days:
        villages = {v.village for v in in_week if v.visit_date == fd.day}
        assert list(fd.villages) == sorted(villages)
    assert status.done.dispute_screenings == sum(v.dispute_screenings for v in in_week)
    assert status.done.problems_solved == sum(v.problems_solved for v in in_week)
    assert list(status.workdays) == CAL.workdays_in_week(d)
    exempt = [w for w in status.workdays if any(s.start <= w <= s.end for s in spans)]
    assert list(status.exempt_dates) == exempt
    assert status.required == required_quota(rule, len(status.workdays), len(exempt))
    for item in ("field_days", "dispute_screenings", "problems_solved"):
        req, done = getattr(status.required, item), getattr(status.done, item)
        assert getattr(status.shortfall, item) == max(0, req - done)
    assert status.fully_exempt == (len(exempt) == len(status.workdays))
    if status.fully_exempt:
        assert status.required == Quota(0, 0, 0) and status.compliant
    assert status.compliant == (status.shortfall == Quota(0, 0, 0))


@given(week_cases(), st.data(), rules)
def test_an_extra_exemption_never_raises_the_requirement(
    case: tuple[date, list[VisitFact], list[ExemptSpan]], data: st.DataObject, rule: QuotaRule
) -> None:
    d, visits, spans = case
    extra = data.draw(spans_near(week_of(d)))
    before = evaluate_week(d, visits, spans, CAL, rule)
    after = evaluate_week(d, visits, [*spans, extra], CAL, rule)
    assert after.required.field_days <= before.required.field_days
    assert after.required.dispute_screenings <= before.required.dispute_screenings
    assert after.required.problems_solved <= before.required.problems_solved
    assert before.compliant <= after.compliant


@given(week_cases(), st.data(), rules)
def test_extra_visits_never_increase_the_shortfall(
    case: tuple[date, list[VisitFact], list[ExemptSpan]], data: st.DataObject, rule: QuotaRule
) -> None:
    d, visits, spans = case
    more = data.draw(visits_near(week_of(d)))
    before = evaluate_week(d, visits, spans, CAL, rule)
    after = evaluate_week(d, visits + more, spans, CAL, rule)
    assert after.shortfall.field_days <= before.shortfall.field_days
    assert after.shortfall.dispute_screenings <= before.shortfall.dispute_screenings
    assert after.shortfall.problems_solved <= before.shortfall.problems_solved
    assert before.compliant <= after.compliant


# ====================================================================== report window


def test_normal_week_report_window() -> None:
    window = report_window(NORMAL_WEEK, CAL, ReportSchedule(), TZ)
    assert window is not None
    assert window.deadline_day == date(2026, 3, 6)
    assert window.deadline == local(2026, 3, 6, 18, 0)
    assert window.opens_at == local(2026, 3, 5, 12, 0)
    assert window.deadline.utcoffset() == timedelta(hours=8)


def test_window_open_late_and_time_left() -> None:
    window = report_window(NORMAL_WEEK, CAL, ReportSchedule(), TZ)
    assert window is not None
    assert not window.is_window_open(local(2026, 3, 5, 11, 59))
    assert window.is_window_open(local(2026, 3, 5, 12, 0))
    # The deadline is a minute: all of 18:00 is still in time, 18:01 is past it.
    assert window.is_window_open(local(2026, 3, 6, 18, 0))
    assert window.is_window_open(datetime(2026, 3, 6, 18, 0, 59, 999999, tzinfo=TZ))
    assert not window.is_window_open(local(2026, 3, 6, 18, 1))
    assert not window.is_late(local(2026, 3, 6, 18, 0))
    assert not window.is_late(local(2026, 3, 6, 18, 0, 59))
    assert window.is_late(local(2026, 3, 6, 18, 1))
    assert not window.is_past(local(2026, 3, 6, 18, 0, 59))
    assert window.is_past(local(2026, 3, 6, 18, 1))
    assert window.closes_at == local(2026, 3, 6, 18, 1)
    assert window.time_left(local(2026, 3, 6, 15, 30)) == timedelta(hours=2, minutes=30)
    assert window.time_left(local(2026, 3, 7, 9, 0)) == timedelta(0)
    # The same instant in UTC compares correctly.
    assert window.is_late(datetime(2026, 3, 6, 10, 1, 0, tzinfo=ZoneInfo("UTC")))
    assert not window.is_late(datetime(2026, 3, 6, 10, 0, 59, tzinfo=ZoneInfo("UTC")))


def test_naive_datetimes_are_rejected() -> None:
    window = report_window(NORMAL_WEEK, CAL, ReportSchedule(), TZ)
    assert window is not None
    with pytest.raises(ValueError):
        window.is_late(datetime(2026, 3, 6, 18, 0))
    with pytest.raises(ValueError):
        window.time_left(datetime(2026, 3, 6, 18, 0))
    with pytest.raises(ValueError):
        window.is_window_open(datetime(2026, 3, 6, 18, 0))


def test_friday_holiday_moves_deadline_to_thursday() -> None:
    window = report_window(FRIDAY_HOLIDAY_WEEK, CAL, ReportSchedule(), TZ)
    assert window is not None
    assert window.deadline == local(2026, 9, 24, 18, 0)
    assert window.opens_at == local(2026, 9, 23, 12, 0)


def test_week_before_national_day_deadline_is_wednesday() -> None:
    window = report_window(NATIONAL_DAY_WEEK_1, CAL, ReportSchedule(), TZ)
    assert window is not None
    assert window.deadline == local(2026, 9, 30, 18, 0)


def test_makeup_saturday_is_the_deadline_day() -> None:
    window = report_window(NATIONAL_DAY_WEEK_2, CAL, ReportSchedule(), TZ)
    assert window is not None
    assert window.deadline == local(2026, 10, 10, 18, 0)
    assert window.opens_at == local(2026, 10, 9, 12, 0)
    # And a make-up Sunday (20 Sep 2026) likewise.
    sunday = report_window(date(2026, 9, 14), CAL, ReportSchedule(), TZ)
    assert sunday is not None and sunday.deadline_day == date(2026, 9, 20)
    assert sunday.opens_at == local(2026, 9, 18, 12, 0)  # Friday: Saturday is a rest day


def test_no_workday_means_no_report() -> None:
    assert report_window(SPRING_FESTIVAL_WEEK, CAL, ReportSchedule(), TZ) is None


def test_single_workday_week_opens_on_the_deadline_day() -> None:
    cal = WorkCalendar(extra_holidays=[date(2026, 3, d) for d in (3, 4, 5, 6)])
    window = report_window(NORMAL_WEEK, cal, ReportSchedule(), TZ)
    assert window is not None
    assert window.opens_at == local(2026, 3, 2, 12, 0)
    assert window.deadline == local(2026, 3, 2, 18, 0)


def test_open_workdays_before_is_counted_in_workdays_and_clamped_to_the_week() -> None:
    schedule = ReportSchedule(open_workdays_before=2, open_time=time(9, 0))
    window = report_window(NATIONAL_DAY_WEEK_2, CAL, schedule, TZ)
    assert window is not None and window.opens_at == local(2026, 10, 8, 9, 0)
    far = ReportSchedule(open_workdays_before=5)
    window = report_window(NATIONAL_DAY_WEEK_1, CAL, far, TZ)
    assert window is not None and window.opens_at == local(2026, 9, 28, 12, 0)
    same_day = ReportSchedule(open_workdays_before=0)
    window = report_window(NORMAL_WEEK, CAL, same_day, TZ)
    assert window is not None and window.opens_at == local(2026, 3, 6, 12, 0)


def test_uncovered_year_uses_fallback_and_overrides() -> None:
    cal = WorkCalendar()
    window = report_window(date(2026, 12, 28), cal, ReportSchedule(), TZ)
    assert window is not None and window.deadline_day == date(2027, 1, 1)
    assert cal.fallback_years == {2027}
    fixed = WorkCalendar(extra_holidays=[date(2027, 1, 1)])
    window = report_window(date(2026, 12, 28), fixed, ReportSchedule(), TZ)
    assert window is not None and window.deadline_day == date(2026, 12, 31)
    window = report_window(date(2027, 3, 1), cal, ReportSchedule(), TZ)
    assert window is not None and window.deadline == local(2027, 3, 5, 18, 0)


def test_invalid_schedules_are_rejected() -> None:
    with pytest.raises(ValueError):
        ReportSchedule(open_time=time(18, 0), deadline_time=time(18, 0))
    with pytest.raises(ValueError):
        ReportSchedule(open_workdays_before=-1)
    with pytest.raises(ValueError):
        ReportSchedule(deadline_time=time(18, 0, tzinfo=TZ))


@given(week_2026, st.integers(0, 4))
def test_report_window_invariants(d: date, before: int) -> None:
    window = report_window(d, CAL, ReportSchedule(open_workdays_before=before), TZ)
    last = CAL.last_workday_of_week(d)
    if last is None:
        assert window is None
        return
    assert window is not None
    assert window.deadline_day == last
    assert window.opens_at < window.deadline
    assert CAL.is_workday(window.opens_at.date())
    assert week_of(window.opens_at.date()) == week_of(d)
    workdays_in_window = CAL.workdays_between(window.opens_at.date(), last)
    assert len(workdays_in_window) == min(before, len(CAL.workdays_in_week(d)) - 1) + 1


# ====================================================================== meeting & reminders


def test_meeting_time() -> None:
    assert meeting_time(NORMAL_WEEK, CAL, tz=TZ) == local(2026, 3, 2, 8, 0)
    assert meeting_time(NATIONAL_DAY_WEEK_2, CAL, tz=TZ) == local(2026, 10, 8, 8, 0)
    assert meeting_time(date(2026, 2, 23), CAL, time(9, 30), tz=TZ) == local(2026, 2, 24, 9, 30)
    assert meeting_time(SPRING_FESTIVAL_WEEK, CAL, tz=TZ) is None


def test_reminder_on_a_workday_is_unchanged() -> None:
    when = scheduled_on_workday(date(2026, 3, 4), time(15, 0), CAL, TZ)
    assert when == local(2026, 3, 4, 15, 0)
    assert scheduled_on_workday(date(2026, 3, 4), time(15, 0), CAL, TZ, "skip") == when


def test_reminder_on_a_holiday_moves_or_is_skipped() -> None:
    wednesday = date(2026, 10, 7)
    assert scheduled_on_workday(wednesday, time(15, 0), CAL, TZ) == local(2026, 10, 8, 15, 0)
    assert scheduled_on_workday(wednesday, time(15, 0), CAL, TZ, "skip") is None
    deadline = local(2026, 10, 10, 18, 0)
    moved = scheduled_on_workday(wednesday, time(15, 0), CAL, TZ, before=deadline)
    assert moved == local(2026, 10, 8, 15, 0)


def test_reminder_is_dropped_when_it_would_reach_the_deadline() -> None:
    # Wed 30 Sep is the deadline day of its week; a nudge planned for Thu 1 Oct would
    # move to 8 Oct, past that deadline.
    window = report_window(NATIONAL_DAY_WEEK_1, CAL, ReportSchedule(), TZ)
    assert window is not None
    assert (
        scheduled_on_workday(date(2026, 10, 1), time(15, 0), CAL, TZ, before=window.deadline)
        is None
    )
    at_deadline = window.deadline.timetz().replace(tzinfo=None)
    assert (
        scheduled_on_workday(date(2026, 9, 30), at_deadline, CAL, TZ, before=window.deadline)
        is None
    )
    assert scheduled_on_workday(
        date(2026, 9, 30), time(15, 0), CAL, TZ, before=window.deadline
    ) == local(2026, 9, 30, 15, 0)


def test_reminder_argument_validation() -> None:
    with pytest.raises(ValueError):
        scheduled_on_workday(date(2026, 3, 4), time(15, 0), CAL, TZ, "later")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        scheduled_on_workday(date(2026, 3, 4), time(15, 0), CAL, TZ, before=datetime(2026, 3, 6))


# ====================================================================== week arithmetic


def test_week_of_and_neighbours() -> None:
    assert week_of(date(2026, 3, 8)) == NORMAL_WEEK
    assert week_of(datetime(2026, 3, 4, 23, 59)) == NORMAL_WEEK
    assert previous_week(date(2026, 1, 7)) == date(2025, 12, 29)
    assert next_week(date(2025, 12, 31)) == date(2026, 1, 5)


def test_weeks_in_range() -> None:
    assert weeks_in_range(date(2026, 3, 4), date(2026, 3, 17)) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert weeks_in_range(date(2026, 3, 2), date(2026, 3, 2)) == [NORMAL_WEEK]
    assert weeks_in_range(date(2026, 3, 9), date(2026, 3, 2)) == []


def test_month_weeks_follow_the_thursday() -> None:
    # 1 Oct 2026 is a Thursday, so the week of 28 Sep belongs to October.
    assert month_weeks(2026, 10) == [date(2026, 9, 28) + timedelta(days=7 * i) for i in range(5)]
    assert week_month(date(2026, 9, 28)) == (2026, 10)
    # 1 Jan 2027 is a Friday, so the week of 28 Dec 2026 belongs to December 2026.
    assert month_weeks(2026, 12)[-1] == date(2026, 12, 28)
    assert month_weeks(2027, 1)[0] == date(2027, 1, 4)
    with pytest.raises(ValueError):
        quarter_weeks(2026, 5)


@given(st.integers(2000, 2040))
def test_months_partition_the_iso_year(year: int) -> None:
    weeks = [w for m in range(1, 13) for w in month_weeks(year, m)]
    iso_weeks = [w.isocalendar() for w in weeks]
    assert [(iw.year, iw.weekday) for iw in iso_weeks] == [(year, 1)] * len(weeks)
    assert [iw.week for iw in iso_weeks] == list(range(1, len(weeks) + 1))
    assert len(weeks) == date(year, 12, 28).isocalendar().week  # 52 or 53
    quarters = [w for q in (1, 2, 3, 4) for w in quarter_weeks(year, q)]
    assert quarters == weeks
    # A quarter has 90-92 days, hence 12-14 Thursdays.
    assert all(12 <= len(quarter_weeks(year, q)) <= 14 for q in (1, 2, 3, 4))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_every_week_is_in_its_month(d: date) -> None:
    year, month = week_month(d)
    assert week_of(d) in month_weeks(year, month)
    assert week_of(d).weekday() == 0
    assert week_of(d) <= d < week_of(d) + timedelta(days=7)
    assert previous_week(d) == week_of(d - timedelta(days=7))
    assert weeks_in_range(d, d + timedelta(days=20))[0] == week_of(d)
