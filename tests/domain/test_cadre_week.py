"""`judge_weeks` (the one judging of a cadre's week, from the facts as `bot.week.facts` reads
them) agrees with the straightforward definition (`evaluate_week` and `report_status`) on
generated weeks: holidays and 调休 workdays, leave and official duty, reports on time, late,
at the deadline's minute and missing, judged before, during and after the deadline."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.week.cadre_week import Cadre, CadreWeek, WeekPlan, judge_weeks, week_number
from bot.week.deadline import ReportSchedule, final_report_status, report_status, report_window
from bot.week.quota import ExemptSpan, QuotaRule
from tests.reference_weeks import VisitFact, evaluate_week

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
SCHEDULE = ReportSchedule()
# Mid-autumn on a Friday, National Day over two weeks with a 调休 Saturday, then a normal week.
MONDAYS = [date(2026, 9, 21) + timedelta(weeks=i) for i in range(4)]
FIRST, LAST = MONDAYS[0], MONDAYS[-1] + timedelta(days=6)
DAYS = (LAST - FIRST).days


def _day(n: int) -> date:
    return FIRST + timedelta(days=n)


visits = st.lists(
    st.builds(
        VisitFact,
        st.integers(0, DAYS).map(_day),
        st.sampled_from(["东村", "西村"]),
        st.integers(0, 2),
        st.integers(0, 2),
    ),
    max_size=12,
)
spans = st.lists(
    st.tuples(st.integers(0, DAYS), st.integers(0, 9), st.sampled_from(["leave", "official_duty"])),
    max_size=3,
).map(lambda xs: [ExemptSpan(_day(s), _day(s) + timedelta(days=n), kind) for s, n, kind in xs])
# Minutes from the week's deadline (None: not submitted).
submissions = st.lists(st.one_of(st.none(), st.integers(-3000, 3000)), min_size=4, max_size=4)


@settings(max_examples=150, deadline=None)
@given(
    visits,
    spans,
    submissions,
    st.integers(0, 5 * 24 * 60),
    st.booleans(),
    st.sampled_from(["half_up", "ceil", "floor", "none"]),
)
def test_judged_weeks_are_the_straight_definition(
    logs: list[VisitFact],
    leave: list[ExemptSpan],
    minutes: list[int | None],
    as_of_minutes: int,
    final: bool,
    rounding: str,
) -> None:
    rule = QuotaRule(rounding=rounding)  # type: ignore[arg-type]
    as_of = datetime.combine(MONDAYS[2], time(0), TZ) + timedelta(minutes=as_of_minutes)
    plans = [
        WeekPlan(m, report_window(m, CAL, SCHEDULE, TZ), len(CAL.workdays_in_week(m)))
        for m in MONDAYS
    ]
    submitted_at: dict[date, datetime | None] = {}
    submitted = late = 0
    for i, (plan, offset) in enumerate(zip(plans, minutes, strict=True)):
        deadline = (
            plan.window.deadline
            if plan.window
            else datetime.combine(plan.monday + timedelta(days=4), time(18), TZ)
        )
        at = None if offset is None else deadline + timedelta(minutes=offset)
        submitted_at[plan.monday] = at
        if at is not None:
            submitted |= 1 << i
            if plan.window is not None and at >= plan.window.closes_at:
                late |= 1 << i
    totals: dict[tuple[int, int], tuple[int, int, int]] = {}
    for log in logs:
        monday = log.visit_date - timedelta(days=log.visit_date.weekday())
        bits, screenings, solved = totals.get((7, week_number(monday)), (0, 0, 0))
        totals[7, week_number(monday)] = (
            bits | 1 << log.visit_date.weekday(),
            screenings + log.dispute_screenings,
            solved + log.problems_solved,
        )

    judged = judge_weeks(
        plans,
        CAL,
        rule,
        as_of,
        [Cadre(7, "李春华", None)],
        totals,
        {7: leave},
        {7: (submitted, late)},
        final=final,
    )

    expected = []
    for plan in plans:
        status = evaluate_week(plan.monday, logs, leave, CAL, rule)
        report = report_status(plan.window, submitted_at[plan.monday], as_of, status.fully_exempt)
        expected.append(
            CadreWeek(
                member_id=7,
                week_start=plan.monday,
                report=final_report_status(report) if final else report,
                field_days_done=status.done.field_days,
                field_days_required=status.required.field_days,
                screenings_done=status.done.dispute_screenings,
                screenings_required=status.required.dispute_screenings,
                problems_done=status.done.problems_solved,
                problems_required=status.required.problems_solved,
                exempt_days=len(status.exempt_days),
                fully_exempt=status.fully_exempt,
                field_day_dates=tuple(d.day for d in status.field_days),
                name="李春华",
                workdays=len(status.workdays),
            )
        )
    assert judged == expected


def test_a_newcomer_is_judged_from_the_first_full_week_after_joining() -> None:
    plans = [WeekPlan(m, report_window(m, CAL, SCHEDULE, TZ), 5) for m in MONDAYS]
    as_of = datetime.combine(LAST, time(23), TZ)
    cadres = [Cadre(1, "甲", None), Cadre(2, "乙", MONDAYS[1])]
    weeks = judge_weeks(plans, CAL, QuotaRule(), as_of, cadres, {}, {}, {})
    assert [(w.member_id, w.week_start, w.judged) for w in weeks if w.member_id == 2] == [
        (2, MONDAYS[0], False),
        (2, MONDAYS[1], False),
        (2, MONDAYS[2], True),
        (2, MONDAYS[3], True),
    ]
    only = judge_weeks(plans, CAL, QuotaRule(), as_of, cadres, {}, {}, {}, judged_only=True)
    assert [(w.member_id, w.week_start) for w in only] == [(1, m) for m in MONDAYS] + [
        (2, MONDAYS[2]),
        (2, MONDAYS[3]),
    ]
    assert all(w.judged for w in only)
