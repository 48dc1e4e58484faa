"""The red and black lists' vocabulary (pure): periods, members and their facts, the rules in
force (from `[redblack]`), reasons with their exact facts, and what an evaluation returns.
`bot.lists.rules` evaluates; this module only names things."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Literal, NamedTuple, TypeAlias

from bot.core.config import RedBlackConfig

PeriodKind: TypeAlias = Literal["week", "month", "quarter"]
QuotaMode: TypeAlias = Literal["weekly", "period"]
RankBy: TypeAlias = Literal["person", "unit", "both"]
ListName: TypeAlias = Literal["red", "black"]
Status: TypeAlias = Literal["red", "black", "not_listed"]
ParamValue: TypeAlias = int | str | date | Fraction | tuple[date, ...] | None

REPORT_STATUSES = frozenset({"on_time", "late", "missing", "exempt"})
PERIOD_KINDS = frozenset({"week", "month", "quarter"})


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


class Listing(NamedTuple):
    """A member on a list: ``reasons`` are the facts that put them there (never empty).

    ``notes`` carries statements about the listing itself (e.g. ``tied_at_cap``).
    """

    member_id: int
    reasons: tuple[Reason, ...]
    notes: tuple[Reason, ...] = ()


class NotListed(NamedTuple):
    member_id: int
    reason: Reason


class ScoreRow(NamedTuple):
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


class Assessment(NamedTuple):
    """Everything the evaluation established about one member (the single source for /why).

    ``red_met``        — red criteria satisfied (the red listing reasons);
    ``red_blockers``   — facts that keep the member off the red list;
    ``black_triggers`` — facts that put the member on the black list;
    ``black_clear``    — black criteria the member passed;
    ``context``        — exempt weeks, partial exemptions, weeks without data;
    ``eligibility``    — ``exempt`` / ``insufficient_data`` reason, or None.

    A named tuple, as `Listing` and `ScoreRow` are: an evaluation builds one a member (10,000
    for a county), and a frozen dataclass takes several times as long to construct.
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
