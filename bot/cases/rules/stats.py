"""Statistics of a township's cases for a period.

See :data:`STAT_DEFINITIONS` for the exact definition of every figure.  In short: the
per-case figures describe the *cohort* of cases registered within the period
(inclusive), with their status as of the snapshot passed in, so every numerator is a
subset of its denominator and each figure lists its case numbers for drill-down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final

from bot.cases.rules.deadlines import is_overdue
from bot.cases.rules.numbers import case_number_sort_key
from bot.cases.rules.state import CaseFacts, CaseState
from bot.cases.rules.vocabulary import SOURCE_SCREENING, CaseRuleError, Status

STAT_DEFINITIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "screened": (
            "Number of dispute screening (排查) visits logged in the period, as reported by "
            "the visit log (screenings_count). It counts visits, not cases, so no case "
            "numbers are behind it; see found_by_screening for the cases screening produced."
        ),
        "found_by_screening": (
            "Cases registered in the period (inclusive) whose source is screening."
        ),
        "registered": (
            "Cases whose registration date falls within the period, both ends inclusive. "
            "This cohort is the base of every per-case figure except closed_in_period and "
            "overdue_total; statuses are taken from the snapshot passed in."
        ),
        "resolved": (
            "Cohort cases that reached a mediation agreement AND had the follow-up visit "
            "(回访) recorded, i.e. status closed. Agreement alone does not count."
        ),
        "resolved_pending_followup": (
            "Cohort cases with an agreement but no follow-up visit yet (status resolved)."
        ),
        "in_progress": (
            "Cohort cases still registered or under mediation, whether overdue or not."
        ),
        "unresolved": "Cohort cases where mediation failed and that are not yet routed on.",
        "referred": "Cohort cases currently referred to a 政法 unit (outcome not back yet).",
        "escalated": "Cohort cases currently escalated to the secretary (outcome not back yet).",
        "overdue": (
            "Cohort cases registered, under mediation or unresolved whose deadline is before "
            "today. Overlaps the status figures (it is not part of the partition)."
        ),
        "overdue_total": (
            "All supplied cases, whatever their registration date, overdue as of today "
            "(the backlog)."
        ),
        "closed_in_period": (
            "Cases, whatever their registration date, whose follow-up visit closed them "
            "within the period."
        ),
        "success_rate": (
            "resolved / decided x 100, one decimal, rounded half up. decided = resolved + "
            "unresolved + referred + escalated + in-progress cases already past their "
            "deadline. Cases still within their deadline and cases awaiting the follow-up "
            "visit are pending and excluded from both. Empty (None) when decided is 0."
        ),
        "decided": (
            "Denominator of success_rate: cohort cases that are closed, unresolved, "
            "referred, escalated, or still in progress but past their deadline."
        ),
    }
)


@dataclass(frozen=True)
class Figure:
    """One statistic: definition key (see STAT_DEFINITIONS), value and drill-down list."""

    key: str
    count: int
    case_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateFigure:
    key: str
    numerator: Figure
    denominator: Figure
    percent: Decimal | None


@dataclass(frozen=True)
class GroupStats:
    """Cohort figures for one group of cases (all, one category or one village).

    The six status figures (resolved, resolved_pending_followup, in_progress,
    unresolved, referred, escalated) partition ``registered``.
    """

    registered: Figure
    resolved: Figure
    resolved_pending_followup: Figure
    in_progress: Figure
    unresolved: Figure
    referred: Figure
    escalated: Figure
    overdue: Figure
    success_rate: RateFigure


@dataclass(frozen=True)
class DisputeStats:
    period_start: date
    period_end: date
    today: date
    screened: Figure
    found_by_screening: Figure
    closed_in_period: Figure
    overdue_total: Figure
    totals: GroupStats
    by_category: Mapping[str, GroupStats]
    by_village: Mapping[str, GroupStats]

    @property
    def registered(self) -> Figure:
        return self.totals.registered

    @property
    def resolved(self) -> Figure:
        return self.totals.resolved

    @property
    def resolved_pending_followup(self) -> Figure:
        return self.totals.resolved_pending_followup

    @property
    def in_progress(self) -> Figure:
        return self.totals.in_progress

    @property
    def unresolved(self) -> Figure:
        return self.totals.unresolved

    @property
    def referred(self) -> Figure:
        return self.totals.referred

    @property
    def escalated(self) -> Figure:
        return self.totals.escalated

    @property
    def overdue(self) -> Figure:
        return self.totals.overdue

    @property
    def success_rate(self) -> RateFigure:
        return self.totals.success_rate


def _figure(key: str, cases: Iterable[CaseState]) -> Figure:
    numbers = tuple(sorted((c.number for c in cases), key=case_number_sort_key))
    return Figure(key=key, count=len(numbers), case_numbers=numbers)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _group_stats(cohort: Sequence[CaseState], today: date) -> GroupStats:
    def with_status(*statuses: Status) -> list[CaseState]:
        return [c for c in cohort if c.status in statuses]

    resolved = with_status(Status.CLOSED)
    in_progress = with_status(Status.REGISTERED, Status.MEDIATING)
    unresolved = with_status(Status.UNRESOLVED)
    referred = with_status(Status.REFERRED)
    escalated = with_status(Status.ESCALATED)
    decided = [
        *resolved,
        *unresolved,
        *referred,
        *escalated,
        *(c for c in in_progress if is_overdue(c, today)),
    ]
    resolved_fig = _figure("resolved", resolved)
    decided_fig = _figure("decided", decided)
    return GroupStats(
        registered=_figure("registered", cohort),
        resolved=resolved_fig,
        resolved_pending_followup=_figure(
            "resolved_pending_followup", with_status(Status.RESOLVED)
        ),
        in_progress=_figure("in_progress", in_progress),
        unresolved=_figure("unresolved", unresolved),
        referred=_figure("referred", referred),
        escalated=_figure("escalated", escalated),
        overdue=_figure("overdue", (c for c in cohort if is_overdue(c, today))),
        success_rate=RateFigure(
            key="success_rate",
            numerator=resolved_fig,
            denominator=decided_fig,
            percent=_percent(resolved_fig.count, decided_fig.count),
        ),
    )


def _grouped(
    cohort: Sequence[CaseState], key: Callable[[CaseState], str], today: date
) -> Mapping[str, GroupStats]:
    groups: dict[str, list[CaseState]] = {}
    for case in cohort:
        groups.setdefault(key(case), []).append(case)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return MappingProxyType({name: _group_stats(cases, today) for name, cases in ordered})


def dispute_stats(
    cases: Sequence[CaseFacts],
    period_start: date,
    period_end: date,
    today: date,
    *,
    screenings_count: int = 0,
) -> DisputeStats:
    """Figures for one township and period; see :data:`STAT_DEFINITIONS`.

    ``cases`` should be the township's cases (at least all registered in the period plus
    any still open, for ``overdue_total``, and any closed in the period).  Groups in the
    breakdowns are ordered by registered count (descending), then key.
    """
    if period_start > period_end:
        raise CaseRuleError(
            "invalid_period", start=period_start.isoformat(), end=period_end.isoformat()
        )
    if screenings_count < 0:
        raise CaseRuleError("invalid_screenings_count", count=screenings_count)
    cohort = [c for c in cases if period_start <= c.registered_on <= period_end]
    return DisputeStats(
        period_start=period_start,
        period_end=period_end,
        today=today,
        screened=Figure(key="screened", count=screenings_count),
        found_by_screening=_figure(
            "found_by_screening", (c for c in cohort if c.source == SOURCE_SCREENING)
        ),
        closed_in_period=_figure(
            "closed_in_period",
            (
                c
                for c in cases
                if c.status is Status.CLOSED
                and c.closed_on is not None
                and period_start <= c.closed_on <= period_end
            ),
        ),
        overdue_total=_figure("overdue_total", (c for c in cases if is_overdue(c, today))),
        totals=_group_stats(cohort, today),
        by_category=_grouped(cohort, lambda c: c.category, today),
        by_village=_grouped(cohort, lambda c: c.village, today),
    )


@dataclass(frozen=True)
class MemberCaseFigures:
    """Per-member case work in a period, for the red and black lists."""

    member_id: int
    registered: int = 0  # cases the member opened in the period
    closed: int = 0  # cases the member mediated that were closed (回访 done) in the period
    overdue_now: int = 0  # open cases the member mediates (or opened, if none) overdue today


def member_figures(
    cases: Iterable[CaseState], start: date, end: date, today: date
) -> dict[int, MemberCaseFigures]:
    counts: dict[int, dict[str, int]] = {}

    def bump(member_id: int, key: str) -> None:
        mine = counts.setdefault(member_id, {})
        mine[key] = mine.get(key, 0) + 1

    for case in cases:
        responsible = case.mediator_id or case.opened_by
        if start <= case.registered_on <= end:
            bump(case.opened_by, "registered")
        if case.status is Status.CLOSED and case.closed_on and start <= case.closed_on <= end:
            bump(responsible, "closed")
        if is_overdue(case, today):
            bump(responsible, "overdue_now")
    return {m: MemberCaseFigures(m, **c) for m, c in counts.items()}
