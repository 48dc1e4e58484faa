"""Figures for the Monday meeting (周一例会) and the weekly / monthly summaries.

Pure: built from plain facts about each cadre's week, so the definitions below are tested
in milliseconds and stated the same way in every message:

- who is counted: every cadre of the township, from the first full week after they joined
  it; a cadre who joined during the week is not counted that week (the figures say how
  many were left out), though what they raised is listed with everyone else's;
- report on-time rate = reports submitted by the deadline / reports due; a report is due
  from every counted cadre who was not exempt for the whole week (leave, official duty, no
  workday). Over a month it counts reports (one per cadre and week), not cadres;
- field-day compliance = cadre-weeks that met their (pro-rated) field-day quota /
  cadre-weeks with a non-zero field-day quota;
- screenings and problems solved are the totals logged in visit logs;
- "behind" lists cadres with any shortfall over the period, with what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction


@dataclass(frozen=True)
class CadreLine:
    member_id: int
    name: str
    report: str  # on_time | late | missing | pending | exempt
    field_days_done: int
    field_days_required: int
    screenings_done: int
    screenings_required: int
    problems_done: int
    problems_required: int
    fully_exempt: bool
    exempt_days: int = 0

    @property
    def shortfall(self) -> tuple[int, int, int]:
        return (
            max(0, self.field_days_required - self.field_days_done),
            max(0, self.screenings_required - self.screenings_done),
            max(0, self.problems_required - self.problems_done),
        )

    @property
    def behind(self) -> bool:
        return not self.fully_exempt and any(self.shortfall)


@dataclass(frozen=True)
class WeekFigures:
    cadres: int
    reports_due: int
    on_time: int
    late: int
    missing: int
    pending: int
    exempt: int
    field_due: int
    field_met: int
    field_days: int
    screenings: int
    problems: int
    behind: tuple[CadreLine, ...]

    @property
    def on_time_rate(self) -> Fraction | None:
        return Fraction(self.on_time, self.reports_due) if self.reports_due else None

    @property
    def field_rate(self) -> Fraction | None:
        return Fraction(self.field_met, self.field_due) if self.field_due else None


def week_figures(lines: Sequence[CadreLine]) -> WeekFigures:
    due = [line for line in lines if not line.fully_exempt]
    with_field_quota = [line for line in due if line.field_days_required > 0]
    return WeekFigures(
        cadres=len(lines),
        reports_due=len(due),
        on_time=sum(1 for line in due if line.report == "on_time"),
        late=sum(1 for line in due if line.report == "late"),
        missing=sum(1 for line in due if line.report == "missing"),
        pending=sum(1 for line in due if line.report == "pending"),
        exempt=len(lines) - len(due),
        field_due=len(with_field_quota),
        field_met=sum(
            1 for line in with_field_quota if line.field_days_done >= line.field_days_required
        ),
        field_days=sum(line.field_days_done for line in lines),
        screenings=sum(line.screenings_done for line in lines),
        problems=sum(line.problems_done for line in lines),
        behind=tuple(
            sorted((line for line in lines if line.behind), key=lambda x: (x.name, x.member_id))
        ),
    )


def period_figures(weeks: Sequence[Sequence[CadreLine]]) -> WeekFigures:
    """The figures of one week, or of several (a month): reports and quota compliance are
    counted per cadre and week, so a month's figures add up its weeks' figures; the cadres
    behind are those short over the whole period."""
    flat = [line for week in weeks for line in week]
    figures = week_figures(flat)
    if len(weeks) > 1:
        figures = replace(figures, behind=week_figures(merge_month(weeks)).behind)
    return replace(figures, cadres=len({line.member_id for line in flat}))


def percent(value: Fraction | None) -> str:
    """'87.5%' with one decimal, rounded half up; '—' when there is nothing to measure."""
    if value is None:
        return "—"
    tenths = (value * 1000 + Fraction(1, 2)).__floor__()
    whole, frac = divmod(int(tenths), 10)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac}%"


@dataclass(frozen=True)
class LeaveLine:
    name: str
    kind: str  # leave | official_duty
    start: date
    end: date


def leave_this_week(
    spans: Sequence[LeaveLine], week_start: date, week_end: date
) -> list[LeaveLine]:
    """Approved leave / official duty overlapping the week, by start date then name."""
    return sorted(
        (s for s in spans if s.start <= week_end and s.end >= week_start),
        key=lambda s: (s.start, s.name),
    )


def merge_month(weeks: Sequence[Sequence[CadreLine]]) -> list[CadreLine]:
    """Sum several weeks per cadre (monthly summary). A cadre is fully exempt for the
    month only if exempt every week; reports count the worst status of a due week."""
    order = {"missing": 0, "late": 1, "pending": 2, "on_time": 3, "exempt": 4}
    merged: dict[int, CadreLine] = {}
    for week in weeks:
        for line in week:
            prev = merged.get(line.member_id)
            if prev is None:
                merged[line.member_id] = line
                continue
            report = min(prev.report, line.report, key=lambda r: order.get(r, 9))
            if line.fully_exempt:
                report = prev.report
            elif prev.fully_exempt:
                report = line.report
            merged[line.member_id] = CadreLine(
                member_id=line.member_id,
                name=line.name,
                report=report,
                field_days_done=prev.field_days_done + line.field_days_done,
                field_days_required=prev.field_days_required + line.field_days_required,
                screenings_done=prev.screenings_done + line.screenings_done,
                screenings_required=prev.screenings_required + line.screenings_required,
                problems_done=prev.problems_done + line.problems_done,
                problems_required=prev.problems_required + line.problems_required,
                fully_exempt=prev.fully_exempt and line.fully_exempt,
                exempt_days=prev.exempt_days + line.exempt_days,
            )
    return sorted(merged.values(), key=lambda x: x.member_id)


def next_meeting(
    today: date, first_workday: Callable[[date], date | None], weeks: int = 8
) -> date | None:
    """The Monday meeting (周一例会) on or after `today`: the first workday of this week while
    it has not passed, else that of the next week that has a workday (a holiday week has
    none). `first_workday` maps a week's Monday to its first workday."""
    monday = today - timedelta(days=today.weekday())
    for i in range(weeks):
        day = first_workday(monday + timedelta(weeks=i))
        if day is not None and day >= today:
            return day
    return None
