from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from bot.agenda.rules import (
    LeaveLine,
    leave_this_week,
    merge_month,
    percent,
    week_figures,
)
from bot.week.cadre_week import CadreWeek


def line(
    mid: int,
    report: str = "on_time",
    done: int = 3,
    required: int = 3,
    exempt: bool = False,
    screenings: int = 1,
    problems: int = 1,
) -> CadreWeek:
    return CadreWeek(
        member_id=mid,
        week_start=date(2026, 11, 16),
        report=report,  # type: ignore[arg-type]
        field_days_done=done,
        field_days_required=required,
        screenings_done=screenings,
        screenings_required=1 if required else 0,
        problems_done=problems,
        problems_required=1 if required else 0,
        fully_exempt=exempt,
        name=f"干部{mid}",
    )


def test_figures_and_their_definitions() -> None:
    lines = [
        line(1),
        line(2, "late", done=2),
        line(3, "missing", done=0, screenings=0, problems=0),
        line(4, "exempt", done=0, required=0, exempt=True, screenings=0, problems=0),
        line(5, "on_time", done=1, required=1),  # pro-rated week: quota 1, met
    ]
    f = week_figures(lines)
    assert (f.cadres, f.reports_due, f.on_time, f.late, f.missing, f.exempt) == (5, 4, 2, 1, 1, 1)
    assert f.on_time_rate == Fraction(2, 4)
    assert (f.field_due, f.field_met) == (4, 2)
    assert f.field_days == 3 + 2 + 0 + 0 + 1
    assert [b.member_id for b in f.behind] == [2, 3]
    assert f.behind[1].shortfall == (3, 1, 1)


def test_nothing_due_gives_no_rate() -> None:
    f = week_figures([line(1, "exempt", 0, 0, True)])
    assert f.on_time_rate is None and f.field_rate is None and percent(f.on_time_rate) == "—"


def test_percent_rounds_half_up_to_one_decimal() -> None:
    assert percent(Fraction(2, 3)) == "66.7%"
    assert percent(Fraction(1, 8)) == "12.5%"
    assert percent(Fraction(1, 1)) == "100%"
    assert percent(Fraction(1, 2000)) == "0.1%"


def test_leave_overlapping_the_week() -> None:
    spans = [
        LeaveLine("乙", "leave", date(2026, 11, 20), date(2026, 11, 24)),
        LeaveLine("甲", "official_duty", date(2026, 11, 25), date(2026, 11, 25)),
        LeaveLine("丙", "leave", date(2026, 11, 30), date(2026, 12, 2)),
    ]
    shown = leave_this_week(spans, date(2026, 11, 23), date(2026, 11, 29))
    assert [s.name for s in shown] == ["乙", "甲"]


def test_month_merges_weeks_with_worst_report() -> None:
    week1 = [line(1), line(2, "exempt", 0, 0, True, 0, 0)]
    week2 = [line(1, "missing", 1), line(2, "late", 2)]
    merged = {m.member_id: m for m in merge_month([week1, week2])}
    assert merged[1].report == "missing" and merged[1].field_days_done == 4
    assert merged[1].field_days_required == 6
    assert merged[2].report == "late" and not merged[2].fully_exempt


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["on_time", "late", "missing", "pending"]),
            st.integers(0, 7),
            st.integers(0, 3),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_counts_always_add_up(rows: list[tuple[str, int, int, bool]]) -> None:
    lines = [line(i, r if not ex else "exempt", d, q, ex) for i, (r, d, q, ex) in enumerate(rows)]
    f = week_figures(lines)
    assert f.on_time + f.late + f.missing + f.pending == f.reports_due
    assert f.reports_due + f.exempt == f.cadres
    assert f.field_met <= f.field_due <= f.reports_due
    assert all(b.behind for b in f.behind)
