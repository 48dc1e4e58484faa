"""How one member is assessed (pure): the facts indexed per member, every red-list condition
and black-list trigger with the reasons that state it, caps and the scoreboards. Called by
`bot.lists.rules.evaluate`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction
from operator import itemgetter, mul
from typing import Any, TypeVar, cast

from bot.lists.model import (
    PERIOD_KINDS,
    REPORT_STATUSES,
    Assessment,
    Listing,
    ListName,
    Member,
    MemberCaseFacts,
    ParamValue,
    Period,
    PointWeights,
    Reason,
    ReasonCode,
    RedBlackRules,
    ScoreRow,
    UnitScoreRow,
)
from bot.week.cadre_week import CadreWeek

# --------------------------------------------------------------------------- internals


def validate_period(period: Period) -> None:
    if period.kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {period.kind!r}")
    if period.start > period.end:
        raise ValueError("period start is after its end")
    if len(set(period.weeks)) != len(period.weeks):
        raise ValueError("duplicate week in period.weeks")
    if list(period.weeks) != sorted(period.weeks):
        raise ValueError("period.weeks must be in ascending order")


def index_members(members: Iterable[Member]) -> dict[int, Member]:
    out: dict[int, Member] = {}
    for m in members:
        if m.member_id in out:
            raise ValueError(f"duplicate member {m.member_id}")
        out[m.member_id] = m
    return out


def index_weeks(
    period: Period, members: Mapping[int, Member], weeks: Iterable[CadreWeek]
) -> dict[int, list[CadreWeek]]:
    """Each member's rows, in week order (one a week at most). Raises `ValueError` on a row of
    an unknown member or of a week outside the period, an unknown report status, a negative
    count, field days that do not match their dates, and a duplicate week."""
    week_ends = {week: week + timedelta(days=6) for week in period.weeks}
    out: dict[int, list[CadreWeek]] = {}
    # Rows share their few field-day patterns: each is checked once per week.
    checked_dates: dict[tuple[date, ...], date] = {}
    last_member: int | None = None
    member_rows: list[CadreWeek] = []
    last_week = date.min
    ordered = True  # each member's rows come together, week after week (as SQL gives them)
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
            _name,
            _workdays,
            _judged,
        ) = w
        if member_id != last_member:
            if member_id not in members:
                raise ValueError(f"week row for unknown member {member_id}")
            if member_id in out:
                ordered = False
            member_rows = out.setdefault(member_id, [])
            last_member = member_id
            last_week = date.min
        week_end = week_ends.get(week_start)
        if week_end is None:
            raise ValueError(f"week {week_start} is not in the period")
        if report not in REPORT_STATUSES:
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
        if week_start <= last_week or not ordered:
            ordered = False
            if any(r.week_start == week_start for r in member_rows):
                raise ValueError(f"duplicate week {week_start} for member {member_id}")
        member_rows.append(w)
        last_week = week_start
    if not ordered:  # the pure API takes the rows in any order
        for member_rows in out.values():
            member_rows.sort(key=_WEEK)
    return out


_WEEK = itemgetter(1)  # a `CadreWeek`'s week_start


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


def index_cases(
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


class SharedReasons:
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


# ReasonCode's members on a plain class: `assess` reads a dozen for every member, and each
# read on the enum class itself goes through its metaclass's attribute hook, several times
# slower.
_CODES: type[ReasonCode] = cast(Any, type("_Codes", (), {code.name: code for code in ReasonCode}))


# The parameters of each reason `assess` states, in the order `SharedReasons` takes them.
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


class Assessor:
    """Assesses the members of one evaluation: what every member shares (the period, the
    rules, the shared reasons) is looked up once, not once a member."""

    __slots__ = (
        "_limit",
        "_min_weeks",
        "_rule_names",
        "_weekly",
        "_weeks",
        "_weights",
        "reason",
    )

    def __init__(self, period: Period, rules: RedBlackRules) -> None:
        self._weeks = period.weeks
        self._min_weeks = rules.min_data_weeks(period.kind)
        self._weekly = rules.quota_mode == "weekly"
        self._limit = rules.black_overdue_days
        pairs = rules.weights.items() if rules.points_enabled else ()
        self._rule_names = tuple(rule for rule, _ in pairs)
        self._weights = tuple(weight for _, weight in pairs)
        # A `SharedReasons`' bound `__call__` (calling the instance itself goes through a
        # slower slot, and this makes a dozen reasons a member).
        self.reason: Callable[..., Reason] = SharedReasons().__call__

    def assess(
        self, member_id: int, rows: Sequence[CadreWeek], cases: Sequence[MemberCaseFacts]
    ) -> Assessment:
        """One member's assessment from their rows (in week order, at most one a week, as
        `index_weeks` gives them) and case facts."""
        c = _CODES
        reason = self.reason
        weeks = self._weeks
        (
            context,
            data,
            exempt_weeks,
            due,
            missing,
            late,
            field_done,
            field_short,
            screenings_done,
            screenings_required,
            screenings_short,
            problems_done,
            problems_required,
            problems_short,
        ) = _week_by_week(weeks, rows, reason)

        red_met: list[Reason] = []
        blockers: list[Reason] = []
        triggers: list[Reason] = []
        clear: list[Reason] = []

        # Reports.
        for r in missing:
            fact = reason(c.REPORT_MISSING, r[1])
            blockers.append(fact)
            triggers.append(fact)
        for r in late:
            blockers.append(reason(c.REPORT_LATE, r[1]))
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
        for short_rows, total_done, total_required, (
            done_of,
            required_of,
            met_code,
            short_code,
            short_period_code,
        ) in (
            (screenings_short, screenings_done, screenings_required, _SCREENINGS),
            (problems_short, problems_done, problems_required, _PROBLEMS),
        ):
            if self._weekly:
                short = [reason(short_code, r[1], done_of(r), required_of(r)) for r in short_rows]
            elif total_done < total_required:
                short = [reason(short_period_code, len(data), total_done, total_required)]
            else:
                short = []
            blockers.extend(short)
            if not short:
                red_met.append(reason(met_code, len(data), total_done, total_required))

        # Cases: resolved facts are never overdue.
        limit = self._limit
        resolved = 0
        if cases:
            overdue = sorted(
                (f for f in cases if f.days_overdue > 0 and not f.resolved_in_period),
                key=_overdue_order,
            )
            for f in overdue:
                fact = reason(c.CASE_OVERDUE, f.case_number, f.days_overdue, limit)
                blockers.append(fact)
                if f.days_overdue > limit:
                    triggers.append(fact)
            resolved = sum(1 for f in cases if f.resolved_in_period)
        else:
            overdue = []
        if not overdue:
            red_met.append(reason(c.NO_OVERDUE_CASE))
        if not any(f.days_overdue > limit for f in overdue):
            clear.append(reason(c.NO_CASE_OVERDUE_BEYOND_LIMIT, limit, len(overdue)))

        # Points (fully exempt weeks contribute nothing), in the order of the weights.
        breakdown = (
            dict(
                zip(
                    self._rule_names,
                    map(
                        mul,
                        self._weights,
                        (
                            field_done,
                            problems_done,
                            screenings_done,
                            resolved,
                            len(late),
                            len(missing),
                            sum(r[4] - r[3] for r in field_short) if field_short else 0,
                        ),
                    ),
                    strict=True,
                )
            )
            if self._rule_names
            else {}
        )

        eligibility: Reason | None = None
        if not data and exempt_weeks:
            eligibility = reason(c.EXEMPT, len(exempt_weeks))
        elif len(data) < self._min_weeks:
            eligibility = reason(c.INSUFFICIENT_DATA, len(data), self._min_weeks, len(exempt_weeks))

        return Assessment(
            member_id,
            tuple(data),
            tuple(exempt_weeks),
            tuple(red_met),
            tuple(blockers),
            tuple(triggers),
            tuple(clear),
            tuple(context),
            sum(breakdown.values()),
            breakdown,
            eligibility,
        )


def _week_by_week(
    weeks: Sequence[date], rows: Sequence[CadreWeek], reason: Callable[..., Reason]
) -> tuple[
    list[Reason],
    list[date],
    list[date],
    int,
    list[CadreWeek],
    list[CadreWeek],
    int,
    list[CadreWeek],
    int,
    int,
    list[CadreWeek],
    int,
    int,
    list[CadreWeek],
]:
    """The member's facts from their rows (in week order): one pass over the period's weeks,
    the context stated in week order."""
    c = _CODES
    pairs: Iterable[tuple[date, CadreWeek | None]]
    if len(rows) == len(weeks):
        pairs = zip(weeks, rows, strict=True)  # a row for every week, in order
    else:
        by_week = dict(zip(map(_WEEK, rows), rows, strict=True))
        pairs = [(week, by_week.get(week)) for week in weeks]
    context: list[Reason] = []
    data: list[date] = []  # weeks that count (not fully exempt)
    exempt_weeks: list[date] = []
    due = 0
    missing: list[CadreWeek] = []
    late: list[CadreWeek] = []
    field_short: list[CadreWeek] = []
    screenings_short: list[CadreWeek] = []
    problems_short: list[CadreWeek] = []
    field_done = screenings_done = screenings_required = problems_done = problems_required = 0
    for week, row in pairs:
        if row is None:
            context.append(reason(c.NO_DATA_FOR_WEEK, week))
            continue
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
            fully_exempt,
            _dates,
            _name,
            _workdays,
            _judged,
        ) = row
        if fully_exempt:
            context.append(reason(c.WEEK_EXEMPT, week))
            exempt_weeks.append(week)
            continue
        data.append(week)
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
    return (
        context,
        data,
        exempt_weeks,
        due,
        missing,
        late,
        field_done,
        field_short,
        screenings_done,
        screenings_required,
        screenings_short,
        problems_done,
        problems_required,
        problems_short,
    )


# A `CadreWeek`'s columns, read in C.
_SCREENINGS_DONE = itemgetter(5)
_SCREENINGS_REQ = itemgetter(6)
_PROBLEMS_DONE = itemgetter(7)
_PROBLEMS_REQ = itemgetter(8)

# (done, required, met, short in a week, short over the period) of each red-only quota.
_SCREENINGS = (
    _SCREENINGS_DONE,
    _SCREENINGS_REQ,
    ReasonCode.SCREENINGS_QUOTA_MET,
    ReasonCode.SCREENINGS_SHORT,
    ReasonCode.SCREENINGS_SHORT_IN_PERIOD,
)
_PROBLEMS = (
    _PROBLEMS_DONE,
    _PROBLEMS_REQ,
    ReasonCode.PROBLEMS_QUOTA_MET,
    ReasonCode.PROBLEMS_SHORT,
    ReasonCode.PROBLEMS_SHORT_IN_PERIOD,
)


def _overdue_order(f: MemberCaseFacts) -> tuple[int, str]:
    return (-f.days_overdue, f.case_number)


_T = TypeVar("_T")


def apply_cap(
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


def listing_of(
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


def rank_people(eligible: Sequence[Assessment], by_name: Mapping[int, int]) -> list[ScoreRow]:
    """The people's scoreboard; ``by_name`` is each member's place in the order of (name,
    member id), which breaks ties on points."""
    ordered = sorted(eligible, key=lambda a: (-a.points, by_name[a.member_id]))
    ranks = _competition_ranks([a.points for a in ordered])
    return [
        ScoreRow(rank, a.member_id, a.points, dict(a.breakdown), tied)
        for a, (rank, tied) in zip(ordered, ranks, strict=True)
    ]


def rank_units(
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
