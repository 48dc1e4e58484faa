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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.lists.assess import (
    Assessor,
    apply_cap,
    index_cases,
    index_members,
    index_weeks,
    listing_of,
    rank_people,
    rank_units,
    validate_period,
)
from bot.lists.model import (
    DEFAULT_RULES,
    Assessment,
    Explanation,
    Listing,
    ListName,
    Member,
    MemberCaseFacts,
    NotListed,
    ParamValue,
    Period,
    PeriodKind,
    PointWeights,
    QuotaMode,
    RankBy,
    Reason,
    ReasonCode,
    RedBlackResult,
    RedBlackRules,
    ScoreRow,
    Status,
    UnitScoreRow,
    rules_from_config,
    rules_summary,
)
from bot.week.cadre_week import CadreWeek

__all__ = [
    "DEFAULT_RULES",
    "Assessment",
    "CadreWeek",
    "Explanation",
    "ListName",
    "Listing",
    "Member",
    "MemberCaseFacts",
    "NotListed",
    "ParamValue",
    "Period",
    "PeriodKind",
    "PointWeights",
    "QuotaMode",
    "RankBy",
    "Reason",
    "ReasonCode",
    "RedBlackResult",
    "RedBlackRules",
    "ScoreRow",
    "Status",
    "UnitScoreRow",
    "evaluate",
    "explain",
    "explain_all",
    "outcomes",
    "rules_from_config",
    "rules_summary",
]


# --------------------------------------------------------------------------- evaluation


def evaluate(
    period: Period,
    members: Iterable[Member],
    weeks: Iterable[CadreWeek],
    cases: Iterable[MemberCaseFacts],
    rules: RedBlackRules = DEFAULT_RULES,
) -> RedBlackResult:
    """Evaluate red list, black list and scoreboards for ``period``.

    Every member appears exactly once: on ``red``, on ``black`` or in
    ``not_listed``.  A member can never be on both lists (black wins: each black
    trigger is also a red blocker).  Raises ``ValueError`` on inconsistent input
    (unknown member, week outside the period, duplicates, negative counts).
    """
    validate_period(period)
    members_by_id = index_members(members)
    rows = index_weeks(period, members_by_id, weeks)
    case_facts = index_cases(members_by_id, cases)

    assessor = Assessor(period, rules)
    assess, reason = assessor.assess, assessor.reason
    no_rows: list[CadreWeek] = []
    no_cases: list[MemberCaseFacts] = []
    assessments = {
        mid: assess(mid, rows.get(mid, no_rows), case_facts.get(mid, no_cases))
        for mid in sorted(members_by_id)
    }

    # Each member's place in the order of (name, member id): ties on points are broken by it.
    by_name = {
        mid: place
        for place, mid in enumerate(
            sorted(members_by_id, key=lambda mid: (members_by_id[mid].name, mid))
        )
    }

    eligible = [a for a in assessments.values() if a.eligibility is None]
    red_candidates = sorted(
        (a for a in eligible if not a.black_triggers and not a.red_blockers),
        key=lambda a: (-a.points, by_name[a.member_id]),
    )
    black_candidates = sorted(
        (a for a in eligible if a.black_triggers),
        key=lambda a: (-len(a.black_triggers), a.points, by_name[a.member_id]),
    )

    notes: list[Reason] = []
    not_listed: list[NotListed] = []

    red_in, red_out, red_tied = apply_cap(red_candidates, lambda a: (-a.points,), rules.max_red)
    black_in, black_out, black_tied = apply_cap(
        black_candidates, lambda a: (-len(a.black_triggers), a.points), rules.max_black
    )

    red = [listing_of(a, a.red_met, "red", rules.max_red, red_in, red_tied) for a in red_in]
    black = [
        listing_of(a, a.black_triggers, "black", rules.max_black, black_in, black_tied)
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
    not_listed.sort(key=lambda n: by_name[n.member_id])

    scoreboard: list[ScoreRow] = []
    unit_scoreboard: list[UnitScoreRow] = []
    if rules.points_enabled:
        if rules.rank_by in ("person", "both"):
            scoreboard = rank_people(eligible, by_name)
        if rules.rank_by in ("unit", "both"):
            unit_scoreboard = rank_units(eligible, members_by_id, rules.weights)

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

        units: dict[str, UnitScoreRow] = {}
        for row in result.unit_scoreboard:
            units.setdefault(row.unit, row)  # the first row of a unit, as `next` found it
        # The first entry of a member, as `next` found it: later duplicates do not replace it.
        red = {x.member_id: x for x in reversed(result.red) if only in (None, x.member_id)}
        black = {x.member_id: x for x in reversed(result.black) if only in (None, x.member_id)}
        scores = {
            x.member_id: x for x in reversed(result.scoreboard) if only in (None, x.member_id)
        }
        not_listed: dict[int, list[Reason]] = {}
        for n in result.not_listed:
            if only is None or n.member_id == only:
                not_listed.setdefault(n.member_id, []).append(n.reason)
        return cls(red, black, not_listed, scores, units)


def outcomes(
    result: RedBlackResult,
) -> Iterator[tuple[Assessment, Status, tuple[Reason, ...], tuple[Reason, ...], ScoreRow | None]]:
    """Every member's assessment, status, listing reasons and notes and scoreboard row, in
    the order of ``result.members``: what `explain_all` tells, without building an
    `Explanation` a member (the snapshot converts them to JSON at once)."""
    index = _ResultIndex.of(result)
    scores = index.scores.get
    assessments = result.assessments
    for member_id in result.members:
        yield (
            assessments[member_id],
            *_listing(member_id, index),
            scores(member_id),
        )


def _listing(
    member_id: int, index: _ResultIndex
) -> tuple[Status, tuple[Reason, ...], tuple[Reason, ...]]:
    """The member's status, the reasons for it and the listing's notes."""
    red = index.red.get(member_id)
    if red is not None:
        return "red", red.reasons, red.notes
    black = index.black.get(member_id)
    if black is not None:
        return "black", black.reasons, black.notes
    return "not_listed", tuple(index.not_listed.get(member_id, ())), ()


def _explain(a: Assessment, result: RedBlackResult, index: _ResultIndex) -> Explanation:
    member_id = a.member_id
    status, reasons, listing_notes = _listing(member_id, index)
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
