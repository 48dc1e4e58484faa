"""Red list / black list (红榜 / 黑榜) and scoreboard (擂台赛) evaluation.

Pure functions only: no Telegram, no database, no I/O, no clock.  The caller
loads the facts, computes pro-rated quotas per week, and translates the
structured :class:`Reason` objects (``code`` + ``params``) via gettext.

Fairness principles implemented here (grassroots burden-reduction rules):

* The rules are stated up front: :func:`rules_summary`.
* Every listing names the exact facts (weeks, dates, counts, case numbers).
* Fully exempt weeks (leave 请假 / official duty 公务外出 covering the whole
  week, or no work due) are ignored entirely: no report, quota or points are
  taken from them.  Partial exemption is handled by the caller pro-rating the
  ``*_required`` fields; this module compares ``done`` against them as given.
* A member with fewer than ``min_data_weeks`` non-exempt weeks of data in the
  period is not listed (``insufficient_data``); a member whose every week is
  fully exempt is not listed (``exempt``).  Neither appears on the scoreboard.
* Ties are stated: scoreboard rows carry ``tied``; when a cap (``max_red`` /
  ``max_black``) falls inside a tie, everybody tied is listed and the tie is
  noted on the listings and in :attr:`RedBlackResult.notes`.

List semantics
--------------
Red list — **all** of the following hold over the period's non-exempt weeks:

1. every due report was on time (weeks with ``report == "exempt"`` are not due);
2. the field-day quota was met in every week;
3. screenings and problems solved at or above quota — in every week
   (``quota_mode="weekly"``, the default) or summed over the period
   (``quota_mode="period"``);
4. no overdue case.

Black list — **any one** of the following:

1. a missing report in a non-exempt week;
2. a non-exempt week below the field-day quota;
3. a case overdue by more than ``black_overdue_days`` days (strictly more: at
   exactly the limit the case blocks the red list but does not black-list).

Every black-list trigger is also a red-list blocker, so a member can never
qualify for both lists; black wins by construction.  :func:`explain` reports
the red-list blockers for black-listed members too.

A case fact with ``resolved_in_period=True`` counts as resolved (points only)
and never as overdue, whatever its ``days_overdue``: the overdue facts are those
of cases still open at the period end.

Ordering and ranking
--------------------
* Scoreboards use competition ranking ("1, 1, 3"): tied rows share the rank and
  the next rank skips.  Rows are ordered by points descending, then name, then
  ``member_id``.
* The unit scoreboard ranks units by the **average** points per eligible member
  (exact :class:`fractions.Fraction`), so large villages do not win by size;
  ties are broken for display by unit name.  Members without a unit are left out
  of the unit scoreboard only.
* The red list is ordered by points descending, then name, then ``member_id``;
  the red cap is applied on that points order.  With points disabled all red
  candidates tie, so a cap keeps everybody and records the tie.
* The black list is ordered by severity: number of black-list facts descending,
  then points ascending, then name, then ``member_id``; the black cap is
  applied on that severity order.
* Everything else (not-listed entries, reasons inside a listing) is ordered
  deterministically (name / ``member_id``, rule group then week / case number).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal, NamedTuple, TypeAlias, TypeVar

from bot.core.config import RedBlackConfig
from bot.week.rules import MemberWeek

__all__ = [
    "DEFAULT_RULES",
    "Assessment",
    "Explanation",
    "Listing",
    "Member",
    "MemberCaseFacts",
    "MemberWeek",
    "NotListed",
    "Period",
    "PointWeights",
    "Reason",
    "ReasonCode",
    "RedBlackResult",
    "RedBlackRules",
    "ScoreRow",
    "UnitScoreRow",
    "evaluate",
    "explain",
    "explain_all",
    "rules_summary",
]

PeriodKind: TypeAlias = Literal["week", "month", "quarter"]
QuotaMode: TypeAlias = Literal["weekly", "period"]
RankBy: TypeAlias = Literal["person", "unit", "both"]
ListName: TypeAlias = Literal["red", "black"]
Status: TypeAlias = Literal["red", "black", "not_listed"]
ParamValue: TypeAlias = int | str | date | Fraction | tuple[date, ...] | None

_REPORT_STATUSES = frozenset({"on_time", "late", "missing", "exempt"})
_PERIOD_KINDS = frozenset({"week", "month", "quarter"})


class ReasonCode(StrEnum):
    """Every reason code this module emits (the caller maps each to a gettext msgid)."""

    # --- red-list criteria met ---------------------------------------------------
    ALL_REPORTS_ON_TIME = "all_reports_on_time"  # weeks: due reports, all on time
    NO_REPORT_DUE = "no_report_due"  # weeks: data weeks, none had a report due
    FIELD_QUOTA_MET = "field_quota_met"  # weeks, days (total done)
    SCREENINGS_QUOTA_MET = "screenings_quota_met"  # weeks, done, required
    PROBLEMS_QUOTA_MET = "problems_quota_met"  # weeks, done, required
    NO_OVERDUE_CASE = "no_overdue_case"  # (no params)
    # --- red-list blockers (black triggers are among them) -----------------------
    REPORT_MISSING = "report_missing"  # week  [also black]
    REPORT_LATE = "report_late"  # week
    FIELD_DAYS_SHORT = "field_days_short"  # week, done, required, exempt_days, dates [also black]
    SCREENINGS_SHORT = "screenings_short"  # week, done, required
    PROBLEMS_SHORT = "problems_short"  # week, done, required
    SCREENINGS_SHORT_IN_PERIOD = "screenings_short_in_period"  # weeks, done, required
    PROBLEMS_SHORT_IN_PERIOD = "problems_short_in_period"  # weeks, done, required
    CASE_OVERDUE = "case_overdue"  # case, days, limit [black iff days > limit]
    # --- black-list criteria clear ------------------------------------------------
    NO_REPORT_MISSING = "no_report_missing"  # weeks: due reports
    # FIELD_QUOTA_MET is reused here
    NO_CASE_OVERDUE_BEYOND_LIMIT = "no_case_overdue_beyond_limit"  # limit, overdue (count)
    # --- not listed ----------------------------------------------------------------
    EXEMPT = "exempt"  # weeks: fully exempt weeks
    INSUFFICIENT_DATA = "insufficient_data"  # weeks, required, exempt_weeks
    NOT_QUALIFIED = "not_qualified"  # red_blockers (count); qualifies for neither list
    RED_CAP_EXCEEDED = "red_cap_exceeded"  # cap, points, cutoff_points
    BLACK_CAP_EXCEEDED = "black_cap_exceeded"  # cap, black_facts, points
    # --- context and notes ---------------------------------------------------------
    WEEK_EXEMPT = "week_exempt"  # week: fully exempt, ignored
    REPORT_NOT_DUE = "report_not_due"  # week: no report due, other quotas apply
    PARTIAL_EXEMPTION = "partial_exemption"  # week, days, field_days_required
    NO_DATA_FOR_WEEK = "no_data_for_week"  # week: no row supplied for this period week
    TIED_AT_CAP = "tied_at_cap"  # list, cap, listed
    # --- rules summary ---------------------------------------------------------------
    RULE_RED_REPORTS_ON_TIME = "rule_red_reports_on_time"
    RULE_RED_FIELD_QUOTA = "rule_red_field_quota"
    RULE_RED_SCREENINGS_PROBLEMS = "rule_red_screenings_problems"  # mode
    RULE_RED_NO_OVERDUE_CASE = "rule_red_no_overdue_case"
    RULE_BLACK_REPORT_MISSING = "rule_black_report_missing"
    RULE_BLACK_FIELD_DAYS_SHORT = "rule_black_field_days_short"
    RULE_BLACK_CASE_OVERDUE = "rule_black_case_overdue"  # limit
    RULE_BLACK_WINS = "rule_black_wins"
    RULE_EXEMPT_WEEKS_IGNORED = "rule_exempt_weeks_ignored"
    RULE_QUOTAS_PRO_RATED = "rule_quotas_pro_rated"
    RULE_MIN_DATA_WEEKS = "rule_min_data_weeks"  # week, month, quarter
    RULE_CAP = "rule_cap"  # list, cap
    RULE_TIES_AT_CAP_INCLUDED = "rule_ties_at_cap_included"
    RULE_POINTS_DISABLED = "rule_points_disabled"
    RULE_POINTS_WEIGHT = "rule_points_weight"  # rule, points
    RULE_RANKING_COMPETITION = "rule_ranking_competition"
    RULE_RANK_BY = "rule_rank_by"  # rank_by
    RULE_UNIT_AVERAGE = "rule_unit_average"


@dataclass(frozen=True)
class Reason:
    """A structured, translatable fact: ``code`` plus the exact ``params``.

    Hashable (param values are immutable scalars/tuples); treat ``params`` as
    read-only.
    """

    code: str
    params: dict[str, ParamValue] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class MemberCaseFacts:
    """A dispute case owned by the member: overdue at period end, or resolved in period."""

    member_id: int
    case_number: str
    days_overdue: int
    resolved_in_period: bool


@dataclass(frozen=True)
class Member:
    member_id: int
    name: str
    unit: str | None = None


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date
    weeks: tuple[date, ...]


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class PointWeights:
    """Points per unit of each scoreboard rule (negative = deduction)."""

    field_day: int = 2  # per field-visit day done
    problem_solved: int = 3  # per problem solved
    screening: int = 2  # per dispute screening
    case_resolved: int = 5  # per case resolved in the period
    late_report: int = -5  # per late report
    missing_report: int = -10  # per missing report
    field_day_short: int = -3  # per day short of the weekly field-day quota

    def items(self) -> tuple[tuple[str, int], ...]:
        """``(rule, weight)`` pairs in a fixed order (also the breakdown key order)."""
        return (
            ("field_day", self.field_day),
            ("problem_solved", self.problem_solved),
            ("screening", self.screening),
            ("case_resolved", self.case_resolved),
            ("late_report", self.late_report),
            ("missing_report", self.missing_report),
            ("field_day_short", self.field_day_short),
        )


@dataclass(frozen=True)
class RedBlackRules:
    """Configurable red/black-list rules.  Defaults are the documented township defaults.

    ``quota_mode`` — screenings/problems for the red list: ``"weekly"`` (at or
    above quota every non-exempt week) or ``"period"`` (summed over the period).
    ``black_overdue_days`` — a case overdue by *more* than this black-lists.
    ``min_data_weeks_*`` — non-exempt weeks needed to be listed, per period kind.
    ``max_red`` / ``max_black`` — optional caps; ties at the cap are all included.
    ``points_enabled`` / ``weights`` — the scoreboard points.
    ``rank_by`` — which scoreboards to produce.
    """

    quota_mode: QuotaMode = "weekly"
    black_overdue_days: int = 7
    min_data_weeks_week: int = 1
    min_data_weeks_month: int = 2
    min_data_weeks_quarter: int = 6
    max_red: int | None = None
    max_black: int | None = None
    points_enabled: bool = True
    weights: PointWeights = field(default_factory=PointWeights)
    rank_by: RankBy = "person"

    def __post_init__(self) -> None:
        if self.quota_mode not in ("weekly", "period"):
            raise ValueError(f"quota_mode must be 'weekly' or 'period', not {self.quota_mode!r}")
        if self.rank_by not in ("person", "unit", "both"):
            raise ValueError(f"rank_by must be person/unit/both, not {self.rank_by!r}")
        if self.black_overdue_days < 0:
            raise ValueError("black_overdue_days must be >= 0")
        for name in ("min_data_weeks_week", "min_data_weeks_month", "min_data_weeks_quarter"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        for name in ("max_red", "max_black"):
            cap = getattr(self, name)
            if cap is not None and cap < 1:
                raise ValueError(f"{name} must be None or >= 1")

    def min_data_weeks(self, kind: PeriodKind) -> int:
        return {
            "week": self.min_data_weeks_week,
            "month": self.min_data_weeks_month,
            "quarter": self.min_data_weeks_quarter,
        }[kind]


DEFAULT_RULES = RedBlackRules()


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Listing:
    """A member on a list: ``reasons`` are the facts that put them there (never empty).

    ``notes`` carries statements about the listing itself (e.g. ``tied_at_cap``).
    """

    member_id: int
    reasons: tuple[Reason, ...]
    notes: tuple[Reason, ...] = ()


class NotListed(NamedTuple):
    member_id: int
    reason: Reason


@dataclass(frozen=True)
class ScoreRow:
    rank: int
    member_id: int
    points: int
    breakdown: dict[str, int]
    tied: bool


@dataclass(frozen=True)
class UnitScoreRow:
    rank: int
    unit: str
    points: Fraction  # average points per eligible member
    members: int
    total: int
    breakdown: dict[str, Fraction]  # average per member, per rule
    tied: bool


@dataclass(frozen=True)
class Assessment:
    """Everything the evaluation established about one member (the single source for /why).

    ``red_met``        — red criteria satisfied (the red listing reasons);
    ``red_blockers``   — facts that keep the member off the red list;
    ``black_triggers`` — facts that put the member on the black list;
    ``black_clear``    — black criteria the member passed;
    ``context``        — exempt weeks, partial exemptions, weeks without data;
    ``eligibility``    — ``exempt`` / ``insufficient_data`` reason, or None.
    """

    member_id: int
    data_weeks: tuple[date, ...]
    exempt_weeks: tuple[date, ...]
    red_met: tuple[Reason, ...]
    red_blockers: tuple[Reason, ...]
    black_triggers: tuple[Reason, ...]
    black_clear: tuple[Reason, ...]
    context: tuple[Reason, ...]
    points: int
    breakdown: dict[str, int]
    eligibility: Reason | None

    @property
    def eligible(self) -> bool:
        return self.eligibility is None


@dataclass(frozen=True)
class RedBlackResult:
    period: Period
    red: list[Listing]
    black: list[Listing]
    not_listed: list[NotListed]
    scoreboard: list[ScoreRow]
    unit_scoreboard: list[UnitScoreRow]
    notes: tuple[Reason, ...]
    assessments: dict[int, Assessment]
    members: dict[int, Member]


@dataclass(frozen=True)
class Explanation:
    """Answer to ``/why`` for one member, read straight from a :class:`RedBlackResult`.

    ``status`` is the list the member is on.  ``reasons`` are the listing reasons
    (red criteria met / black triggers) or, when not listed, the single
    not-listed reason.  The four fact groups are always filled so the caller can
    say what blocked red and why the member is (not) black.
    """

    member_id: int
    status: Status
    reasons: tuple[Reason, ...]
    listing_notes: tuple[Reason, ...]
    red_met: tuple[Reason, ...]
    red_blockers: tuple[Reason, ...]
    black_triggers: tuple[Reason, ...]
    black_clear: tuple[Reason, ...]
    context: tuple[Reason, ...]
    points: int
    breakdown: dict[str, int]
    score: ScoreRow | None
    unit_score: UnitScoreRow | None


# --------------------------------------------------------------------------- evaluation


def evaluate(
    period: Period,
    members: Iterable[Member],
    weeks: Iterable[MemberWeek],
    cases: Iterable[MemberCaseFacts],
    rules: RedBlackRules = DEFAULT_RULES,
) -> RedBlackResult:
    """Evaluate red list, black list and scoreboards for ``period``.

    Every member appears exactly once: on ``red``, on ``black`` or in
    ``not_listed``.  A member can never be on both lists (black wins: each black
    trigger is also a red blocker).  Raises ``ValueError`` on inconsistent input
    (unknown member, week outside the period, duplicates, negative counts).
    """
    _validate_period(period)
    members_by_id = _index_members(members)
    rows = _index_weeks(period, members_by_id, weeks)
    case_facts = _index_cases(members_by_id, cases)
    min_weeks = rules.min_data_weeks(period.kind)

    reason = _SharedReasons()
    assessments = {
        mid: _assess(
            mid, period, rows.get(mid, {}), case_facts.get(mid, []), rules, min_weeks, reason
        )
        for mid in sorted(members_by_id)
    }

    def name_key(mid: int) -> tuple[str, int]:
        return (members_by_id[mid].name, mid)

    eligible = [a for a in assessments.values() if a.eligible]
    red_candidates = sorted(
        (a for a in eligible if not a.black_triggers and not a.red_blockers),
        key=lambda a: (-a.points, *name_key(a.member_id)),
    )
    black_candidates = sorted(
        (a for a in eligible if a.black_triggers),
        key=lambda a: (-len(a.black_triggers), a.points, *name_key(a.member_id)),
    )

    notes: list[Reason] = []
    not_listed: list[NotListed] = []

    red_in, red_out, red_tied = _apply_cap(red_candidates, lambda a: (-a.points,), rules.max_red)
    black_in, black_out, black_tied = _apply_cap(
        black_candidates, lambda a: (-len(a.black_triggers), a.points), rules.max_black
    )

    red = [_listing(a, a.red_met, "red", rules.max_red, red_in, red_tied) for a in red_in]
    black = [
        _listing(a, a.black_triggers, "black", rules.max_black, black_in, black_tied)
        for a in black_in
    ]
    for list_name, cap, listed, tied in (
        ("red", rules.max_red, red_in, red_tied),
        ("black", rules.max_black, black_in, black_tied),
    ):
        if tied:
            notes.append(
                Reason(
                    ReasonCode.TIED_AT_CAP, {"list": list_name, "cap": cap, "listed": len(listed)}
                )
            )

    if red_out:
        cutoff = red_in[-1].points
        for a in red_out:
            not_listed.append(
                NotListed(
                    a.member_id,
                    Reason(
                        ReasonCode.RED_CAP_EXCEEDED,
                        {"cap": rules.max_red, "points": a.points, "cutoff_points": cutoff},
                    ),
                )
            )
    for a in black_out:
        not_listed.append(
            NotListed(
                a.member_id,
                Reason(
                    ReasonCode.BLACK_CAP_EXCEEDED,
                    {
                        "cap": rules.max_black,
                        "black_facts": len(a.black_triggers),
                        "points": a.points,
                    },
                ),
            )
        )
    for a in assessments.values():
        if a.eligibility is not None:
            not_listed.append(NotListed(a.member_id, a.eligibility))
        elif a.red_blockers and not a.black_triggers:
            not_listed.append(
                NotListed(
                    a.member_id,
                    reason(ReasonCode.NOT_QUALIFIED, len(a.red_blockers)),
                )
            )
    not_listed.sort(key=lambda n: name_key(n.member_id))

    scoreboard: list[ScoreRow] = []
    unit_scoreboard: list[UnitScoreRow] = []
    if rules.points_enabled:
        if rules.rank_by in ("person", "both"):
            scoreboard = _person_scoreboard(eligible, name_key)
        if rules.rank_by in ("unit", "both"):
            unit_scoreboard = _unit_scoreboard(eligible, members_by_id, rules.weights)

    return RedBlackResult(
        period=period,
        red=red,
        black=black,
        not_listed=not_listed,
        scoreboard=scoreboard,
        unit_scoreboard=unit_scoreboard,
        notes=tuple(notes),
        assessments=assessments,
        members=dict(sorted(members_by_id.items())),
    )


def explain(member_id: int, result: RedBlackResult) -> Explanation:
    """Explain ``member_id``'s outcome from ``result`` (no re-evaluation).

    Raises ``KeyError`` for a member that was not part of the evaluation.
    """
    a = result.assessments[member_id]
    return _explain(a, result, _ResultIndex.of(result, member_id))


def explain_all(result: RedBlackResult) -> dict[int, Explanation]:
    """``explain`` for every member of the evaluation, by member id, in linear time (the
    snapshot explains everybody)."""
    index = _ResultIndex.of(result)
    return {mid: _explain(result.assessments[mid], result, index) for mid in result.members}


@dataclass(frozen=True)
class _ResultIndex:
    """Where each member (or unit) appears in a result, for lookups in constant time."""

    red: dict[int, Listing]
    black: dict[int, Listing]
    not_listed: dict[int, list[Reason]]
    scores: dict[int, ScoreRow]
    units: dict[str, UnitScoreRow]

    @classmethod
    def of(cls, result: RedBlackResult, only: int | None = None) -> _ResultIndex:
        """The index of ``result`` (of one member's entries only, when ``only`` is given)."""

        def wanted(member_id: int) -> bool:
            return only is None or member_id == only

        not_listed: dict[int, list[Reason]] = {}
        for n in result.not_listed:
            if wanted(n.member_id):
                not_listed.setdefault(n.member_id, []).append(n.reason)
        units: dict[str, UnitScoreRow] = {}
        for row in result.unit_scoreboard:
            units.setdefault(row.unit, row)  # the first row of a unit, as `next` found it
        red: dict[int, Listing] = {}
        black: dict[int, Listing] = {}
        scores: dict[int, ScoreRow] = {}
        for target, items in ((red, result.red), (black, result.black)):
            for item in items:
                if wanted(item.member_id):
                    target.setdefault(item.member_id, item)
        for score in result.scoreboard:
            if wanted(score.member_id):
                scores.setdefault(score.member_id, score)
        return cls(red, black, not_listed, scores, units)


def _explain(a: Assessment, result: RedBlackResult, index: _ResultIndex) -> Explanation:
    member_id = a.member_id
    status: Status
    reasons: tuple[Reason, ...]
    listing_notes: tuple[Reason, ...] = ()
    red = index.red.get(member_id)
    black = index.black.get(member_id)
    if red is not None:
        status, reasons, listing_notes = "red", red.reasons, red.notes
    elif black is not None:
        status, reasons, listing_notes = "black", black.reasons, black.notes
    else:
        status = "not_listed"
        reasons = tuple(index.not_listed.get(member_id, ()))
    score = index.scores.get(member_id)
    unit = result.members[member_id].unit
    unit_score = index.units.get(unit) if unit is not None and a.eligible else None
    return Explanation(
        member_id=member_id,
        status=status,
        reasons=reasons,
        listing_notes=listing_notes,
        red_met=a.red_met,
        red_blockers=a.red_blockers,
        black_triggers=a.black_triggers,
        black_clear=a.black_clear,
        context=a.context,
        points=a.points,
        breakdown=dict(a.breakdown),
        score=score,
        unit_score=unit_score,
    )


def rules_summary(rules: RedBlackRules = DEFAULT_RULES) -> list[Reason]:
    """The rules as structured reasons, to be stated up front (e.g. pinned / /rules)."""
    c = ReasonCode
    out = [
        Reason(c.RULE_RED_REPORTS_ON_TIME),
        Reason(c.RULE_RED_FIELD_QUOTA),
        Reason(c.RULE_RED_SCREENINGS_PROBLEMS, {"mode": rules.quota_mode}),
        Reason(c.RULE_RED_NO_OVERDUE_CASE),
        Reason(c.RULE_BLACK_REPORT_MISSING),
        Reason(c.RULE_BLACK_FIELD_DAYS_SHORT),
        Reason(c.RULE_BLACK_CASE_OVERDUE, {"limit": rules.black_overdue_days}),
        Reason(c.RULE_BLACK_WINS),
        Reason(c.RULE_EXEMPT_WEEKS_IGNORED),
        Reason(c.RULE_QUOTAS_PRO_RATED),
        Reason(
            c.RULE_MIN_DATA_WEEKS,
            {
                "week": rules.min_data_weeks_week,
                "month": rules.min_data_weeks_month,
                "quarter": rules.min_data_weeks_quarter,
            },
        ),
    ]
    for list_name, cap in (("red", rules.max_red), ("black", rules.max_black)):
        if cap is not None:
            out.append(Reason(c.RULE_CAP, {"list": list_name, "cap": cap}))
    if rules.max_red is not None or rules.max_black is not None:
        out.append(Reason(c.RULE_TIES_AT_CAP_INCLUDED))
    if not rules.points_enabled:
        out.append(Reason(c.RULE_POINTS_DISABLED))
        return out
    for rule, weight in rules.weights.items():
        if weight != 0:
            out.append(Reason(c.RULE_POINTS_WEIGHT, {"rule": rule, "points": weight}))
    out.append(Reason(c.RULE_RANKING_COMPETITION))
    out.append(Reason(c.RULE_RANK_BY, {"rank_by": rules.rank_by}))
    if rules.rank_by in ("unit", "both"):
        out.append(Reason(c.RULE_UNIT_AVERAGE))
    return out


# --------------------------------------------------------------------------- internals


def _validate_period(period: Period) -> None:
    if period.kind not in _PERIOD_KINDS:
        raise ValueError(f"unknown period kind {period.kind!r}")
    if period.start > period.end:
        raise ValueError("period start is after its end")
    if len(set(period.weeks)) != len(period.weeks):
        raise ValueError("duplicate week in period.weeks")
    if list(period.weeks) != sorted(period.weeks):
        raise ValueError("period.weeks must be in ascending order")


def _index_members(members: Iterable[Member]) -> dict[int, Member]:
    out: dict[int, Member] = {}
    for m in members:
        if m.member_id in out:
            raise ValueError(f"duplicate member {m.member_id}")
        out[m.member_id] = m
    return out


def _index_weeks(
    period: Period, members: Mapping[int, Member], weeks: Iterable[MemberWeek]
) -> dict[int, dict[date, MemberWeek]]:
    week_ends = {week: week + timedelta(days=6) for week in period.weeks}
    out: dict[int, dict[date, MemberWeek]] = {}
    # Rows share their few field-day patterns: each is checked once per week.
    checked_dates: dict[tuple[date, ...], date] = {}
    last_member: int | None = None
    by_week: dict[date, MemberWeek] = {}
    for w in weeks:
        # One unpacking instead of a dozen attribute reads (a county quarter has 130,000 rows).
        (
            member_id,
            week_start,
            report,
            field_days_done,
            field_days_required,
            screenings_done,
            screenings_required,
            problems_done,
            problems_required,
            exempt_days,
            _fully_exempt,
            dates,
        ) = w
        if member_id not in members:
            raise ValueError(f"week row for unknown member {member_id}")
        week_end = week_ends.get(week_start)
        if week_end is None:
            raise ValueError(f"week {week_start} is not in the period")
        if report not in _REPORT_STATUSES:
            raise ValueError(f"unknown report status {report!r}")
        # An integer OR is negative exactly when one of its operands is.
        if (
            field_days_done
            | field_days_required
            | screenings_done
            | screenings_required
            | problems_done
            | problems_required
            | exempt_days
        ) < 0:
            raise ValueError(f"negative count for member {member_id}, week {week_start}")
        if (dates or field_days_done) and (
            len(dates) != field_days_done or checked_dates.get(dates) != week_start
        ):
            _check_field_days(member_id, week_start, week_end, field_days_done, dates)
            checked_dates[dates] = week_start
        if member_id != last_member:
            by_week = out.setdefault(member_id, {})
            last_member = member_id
        if week_start in by_week:
            raise ValueError(f"duplicate week {week_start} for member {member_id}")
        by_week[week_start] = w
    return out


def _check_field_days(
    member_id: int, week_start: date, week_end: date, done: int, dates: tuple[date, ...]
) -> None:
    if len(dates) != done or len(set(dates)) != len(dates):
        raise ValueError(
            f"field_day_dates must list {done} distinct dates "
            f"(member {member_id}, week {week_start})"
        )
    if min(dates) < week_start or max(dates) > week_end:
        raise ValueError(f"field day outside week {week_start} (member {member_id})")


def _index_cases(
    members: Mapping[int, Member], cases: Iterable[MemberCaseFacts]
) -> dict[int, list[MemberCaseFacts]]:
    out: dict[int, list[MemberCaseFacts]] = {}
    seen: set[tuple[int, str]] = set()
    for c in cases:
        if c.member_id not in members:
            raise ValueError(f"case fact for unknown member {c.member_id}")
        if c.days_overdue < 0:
            raise ValueError(f"negative days_overdue for case {c.case_number}")
        if (c.member_id, c.case_number) in seen:
            raise ValueError(f"duplicate case {c.case_number} for member {c.member_id}")
        seen.add((c.member_id, c.case_number))
        out.setdefault(c.member_id, []).append(c)
    return out


class _SharedReasons:
    """Builds each distinct reason of an evaluation once: most members share most of their
    reasons (the same weeks, the same quotas met), and the snapshot then converts each
    distinct reason to JSON once. Reasons are immutable, so sharing them is safe.

    Only for parameters whose equal values have equal JSON (dates, ints, strings and
    tuples of dates; never a bool, which equals 1)."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict[tuple[Any, ...], Reason] = {}

    def __call__(self, code: str, *values: ParamValue) -> Reason:
        """The reason `code` with its parameters' values in the order of `_PARAMS`: a
        repeated reason costs a tuple and a lookup, no dict of parameters."""
        key = (code, *values)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = Reason(code, dict(zip(_PARAMS[code], values, strict=True)))
        return made


# The parameters of each reason `_assess` states, in the order `_SharedReasons` takes them.
_PARAMS: dict[str, tuple[str, ...]] = {
    ReasonCode.NO_DATA_FOR_WEEK: ("week",),
    ReasonCode.WEEK_EXEMPT: ("week",),
    ReasonCode.REPORT_NOT_DUE: ("week",),
    ReasonCode.PARTIAL_EXEMPTION: ("week", "days", "field_days_required"),
    ReasonCode.REPORT_MISSING: ("week",),
    ReasonCode.REPORT_LATE: ("week",),
    ReasonCode.ALL_REPORTS_ON_TIME: ("weeks",),
    ReasonCode.NO_REPORT_DUE: ("weeks",),
    ReasonCode.NO_REPORT_MISSING: ("weeks",),
    ReasonCode.FIELD_DAYS_SHORT: ("week", "done", "required", "exempt_days", "dates"),
    ReasonCode.FIELD_QUOTA_MET: ("weeks", "days"),
    ReasonCode.SCREENINGS_SHORT: ("week", "done", "required"),
    ReasonCode.PROBLEMS_SHORT: ("week", "done", "required"),
    ReasonCode.SCREENINGS_SHORT_IN_PERIOD: ("weeks", "done", "required"),
    ReasonCode.PROBLEMS_SHORT_IN_PERIOD: ("weeks", "done", "required"),
    ReasonCode.SCREENINGS_QUOTA_MET: ("weeks", "done", "required"),
    ReasonCode.PROBLEMS_QUOTA_MET: ("weeks", "done", "required"),
    ReasonCode.CASE_OVERDUE: ("case", "days", "limit"),
    ReasonCode.NO_OVERDUE_CASE: (),
    ReasonCode.NO_CASE_OVERDUE_BEYOND_LIMIT: ("limit", "overdue"),
    ReasonCode.EXEMPT: ("weeks",),
    ReasonCode.INSUFFICIENT_DATA: ("weeks", "required", "exempt_weeks"),
    ReasonCode.NOT_QUALIFIED: ("red_blockers",),
}


def _assess(
    member_id: int,
    period: Period,
    rows_by_week: Mapping[date, MemberWeek],
    cases: Sequence[MemberCaseFacts],
    rules: RedBlackRules,
    min_weeks: int,
    reason: _SharedReasons,
) -> Assessment:
    c = ReasonCode
    # One pass over the period's weeks gathers every fact; the reasons are then stated group
    # by group, each in week order.
    context: list[Reason] = []
    data: list[MemberWeek] = []  # weeks that count (not fully exempt)
    exempt_weeks: list[date] = []
    due = 0
    missing: list[MemberWeek] = []
    late: list[MemberWeek] = []
    field_short: list[MemberWeek] = []
    screenings_short: list[MemberWeek] = []
    problems_short: list[MemberWeek] = []
    field_done = screenings_done = screenings_required = problems_done = problems_required = 0
    for week in period.weeks:
        row = rows_by_week.get(week)
        if row is None:
            context.append(reason(c.NO_DATA_FOR_WEEK, week))
            continue
        if row.fully_exempt:
            context.append(reason(c.WEEK_EXEMPT, week))
            exempt_weeks.append(row.week_start)
            continue
        data.append(row)
        (
            _member,
            _week,
            report,
            field_days_done,
            field_days_required,
            row_screenings_done,
            row_screenings_required,
            row_problems_done,
            row_problems_required,
            exempt_days,
            _fully_exempt,
            _dates,
        ) = row
        if report == "exempt":
            context.append(reason(c.REPORT_NOT_DUE, week))
        else:
            due += 1
            if report == "missing":
                missing.append(row)
            elif report == "late":
                late.append(row)
        if exempt_days > 0:
            context.append(reason(c.PARTIAL_EXEMPTION, week, exempt_days, field_days_required))
        field_done += field_days_done
        if field_days_done < field_days_required:
            field_short.append(row)
        screenings_done += row_screenings_done
        screenings_required += row_screenings_required
        if row_screenings_done < row_screenings_required:
            screenings_short.append(row)
        problems_done += row_problems_done
        problems_required += row_problems_required
        if row_problems_done < row_problems_required:
            problems_short.append(row)

    red_met: list[Reason] = []
    blockers: list[Reason] = []
    triggers: list[Reason] = []
    clear: list[Reason] = []

    # Reports.
    for r in missing:
        fact = reason(c.REPORT_MISSING, r.week_start)
        blockers.append(fact)
        triggers.append(fact)
    blockers.extend(reason(c.REPORT_LATE, r.week_start) for r in late)
    if not missing and not late:
        if due:
            red_met.append(reason(c.ALL_REPORTS_ON_TIME, due))
        else:
            red_met.append(reason(c.NO_REPORT_DUE, len(data)))
    if not missing:
        clear.append(reason(c.NO_REPORT_MISSING, due))

    # Field days (always weekly).
    for r in field_short:
        fact = reason(
            c.FIELD_DAYS_SHORT,
            r.week_start,
            r.field_days_done,
            r.field_days_required,
            r.exempt_days,
            tuple(sorted(r.field_day_dates)),
        )
        blockers.append(fact)
        triggers.append(fact)
    if not field_short:
        met = reason(c.FIELD_QUOTA_MET, len(data), field_done)
        red_met.append(met)
        clear.append(met)

    # Screenings and problems (red only).
    for short_rows, total_done, total_required, done_of, required_of, codes in (
        (
            screenings_short,
            screenings_done,
            screenings_required,
            _screenings_done,
            _screenings_required,
            (c.SCREENINGS_QUOTA_MET, c.SCREENINGS_SHORT, c.SCREENINGS_SHORT_IN_PERIOD),
        ),
        (
            problems_short,
            problems_done,
            problems_required,
            _problems_done,
            _problems_required,
            (c.PROBLEMS_QUOTA_MET, c.PROBLEMS_SHORT, c.PROBLEMS_SHORT_IN_PERIOD),
        ),
    ):
        met_code, short_code, short_period_code = codes
        if rules.quota_mode == "weekly":
            short = [
                reason(short_code, r.week_start, done_of(r), required_of(r)) for r in short_rows
            ]
        elif total_done < total_required:
            short = [reason(short_period_code, len(data), total_done, total_required)]
        else:
            short = []
        blockers.extend(short)
        if not short:
            red_met.append(reason(met_code, len(data), total_done, total_required))

    # Cases: resolved facts are never overdue.
    overdue = sorted(
        (f for f in cases if f.days_overdue > 0 and not f.resolved_in_period),
        key=lambda f: (-f.days_overdue, f.case_number),
    )
    limit = rules.black_overdue_days
    for f in overdue:
        fact = reason(c.CASE_OVERDUE, f.case_number, f.days_overdue, limit)
        blockers.append(fact)
        if f.days_overdue > limit:
            triggers.append(fact)
    if not overdue:
        red_met.append(reason(c.NO_OVERDUE_CASE))
    if not any(f.days_overdue > limit for f in overdue):
        clear.append(reason(c.NO_CASE_OVERDUE_BEYOND_LIMIT, limit, len(overdue)))

    # Points (fully exempt weeks contribute nothing).
    counts = {
        "field_day": field_done,
        "problem_solved": problems_done,
        "screening": screenings_done,
        "case_resolved": sum(1 for f in cases if f.resolved_in_period),
        "late_report": len(late),
        "missing_report": len(missing),
        "field_day_short": sum(r.field_days_required - r.field_days_done for r in field_short),
    }
    breakdown = (
        {rule: weight * counts[rule] for rule, weight in rules.weights.items()}
        if rules.points_enabled
        else {}
    )

    eligibility: Reason | None = None
    if not data and exempt_weeks:
        eligibility = reason(c.EXEMPT, len(exempt_weeks))
    elif len(data) < min_weeks:
        eligibility = reason(c.INSUFFICIENT_DATA, len(data), min_weeks, len(exempt_weeks))

    return Assessment(
        member_id=member_id,
        data_weeks=tuple(r.week_start for r in data),
        exempt_weeks=tuple(exempt_weeks),
        red_met=tuple(red_met),
        red_blockers=tuple(blockers),
        black_triggers=tuple(triggers),
        black_clear=tuple(clear),
        context=tuple(context),
        points=sum(breakdown.values()),
        breakdown=breakdown,
        eligibility=eligibility,
    )


def _screenings_done(r: MemberWeek) -> int:
    return r.screenings_done


def _screenings_required(r: MemberWeek) -> int:
    return r.screenings_required


def _problems_done(r: MemberWeek) -> int:
    return r.problems_done


def _problems_required(r: MemberWeek) -> int:
    return r.problems_required


_T = TypeVar("_T")


def _apply_cap(
    ordered: list[Assessment], key: Callable[[Assessment], tuple[int, ...]], cap: int | None
) -> tuple[list[Assessment], list[Assessment], set[int]]:
    """Split ``ordered`` (ascending ``key``) at ``cap``, keeping everybody tied at the cutoff.

    Returns ``(listed, cut, tied_ids)``; ``tied_ids`` is non-empty only when the
    tie made the list exceed the cap.
    """
    if cap is None or len(ordered) <= cap:
        return ordered, [], set()
    cutoff = key(ordered[cap - 1])
    listed = [a for a in ordered if key(a) <= cutoff]
    cut = [a for a in ordered if key(a) > cutoff]
    tied = {a.member_id for a in listed if key(a) == cutoff} if len(listed) > cap else set()
    return listed, cut, tied


def _listing(
    a: Assessment,
    reasons: tuple[Reason, ...],
    list_name: ListName,
    cap: int | None,
    listed: list[Assessment],
    tied: set[int],
) -> Listing:
    notes: tuple[Reason, ...] = ()
    if a.member_id in tied:
        notes = (
            Reason(ReasonCode.TIED_AT_CAP, {"list": list_name, "cap": cap, "listed": len(listed)}),
        )
    return Listing(a.member_id, reasons, notes)


def _competition_ranks(keys: Sequence[_T]) -> list[tuple[int, bool]]:
    """Competition ranks ("1, 1, 3") and tie flags for ``keys`` sorted best first."""
    out: list[tuple[int, bool]] = []
    for i, k in enumerate(keys):
        rank = out[i - 1][0] if i > 0 and keys[i - 1] == k else i + 1
        tied = (i > 0 and keys[i - 1] == k) or (i + 1 < len(keys) and keys[i + 1] == k)
        out.append((rank, tied))
    return out


def _person_scoreboard(
    eligible: Sequence[Assessment], name_key: Callable[[int], tuple[str, int]]
) -> list[ScoreRow]:
    ordered = sorted(eligible, key=lambda a: (-a.points, *name_key(a.member_id)))
    ranks = _competition_ranks([a.points for a in ordered])
    return [
        ScoreRow(rank, a.member_id, a.points, dict(a.breakdown), tied)
        for a, (rank, tied) in zip(ordered, ranks, strict=True)
    ]


def _unit_scoreboard(
    eligible: Sequence[Assessment], members: Mapping[int, Member], weights: PointWeights
) -> list[UnitScoreRow]:
    by_unit: dict[str, list[Assessment]] = {}
    for a in eligible:
        unit = members[a.member_id].unit
        if unit is not None:
            by_unit.setdefault(unit, []).append(a)
    rows: list[tuple[str, Fraction, int, int, dict[str, Fraction]]] = []
    for unit, group in by_unit.items():
        n = len(group)
        total = sum(a.points for a in group)
        breakdown = {
            rule: Fraction(sum(a.breakdown[rule] for a in group), n) for rule, _ in weights.items()
        }
        rows.append((unit, Fraction(total, n), n, total, breakdown))
    rows.sort(key=lambda r: (-r[1], r[0]))
    ranks = _competition_ranks([r[1] for r in rows])
    return [
        UnitScoreRow(rank, unit, avg, n, total, breakdown, tied)
        for (unit, avg, n, total, breakdown), (rank, tied) in zip(rows, ranks, strict=True)
    ]


def rules_from_config(config: RedBlackConfig) -> RedBlackRules:
    """The rules as a township configured them (`[redblack]`, or its own override)."""
    return RedBlackRules(
        quota_mode=config.quota_mode,
        black_overdue_days=config.black_overdue_days,
        min_data_weeks_week=config.min_data_weeks_week,
        min_data_weeks_month=config.min_data_weeks_month,
        min_data_weeks_quarter=config.min_data_weeks_quarter,
        max_red=config.max_red,
        max_black=config.max_black,
        points_enabled=config.points_enabled,
        weights=PointWeights(**config.weights.model_dump()),
        rank_by=config.rank_by,
    )
