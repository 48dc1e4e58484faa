"""The published form of a red/black-list evaluation: a JSON-safe, self-contained snapshot.

A snapshot holds every fact the lists were built from (names, units, reasons with their
weeks, dates and counts, points, the rules in force) so that a published issue never changes
when the underlying data is edited later, and `/why`, the group message, the printable page
and the exports all render from the same stored facts.

Pure: no I/O, no clock (``generated_at`` is given).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from operator import itemgetter
from typing import Any

from bot.lists.rules import (
    CadreWeek,
    ParamValue,
    Period,
    Reason,
    RedBlackResult,
    RedBlackRules,
    outcomes,
    rules_summary,
)

__all__ = [
    "SNAPSHOT_VERSION",
    "apply_removal",
    "build_snapshot",
    "listed",
    "param_from_json",
    "param_to_json",
    "reason_from_json",
    "reason_to_json",
    "reasons_from_json",
]

SNAPSHOT_VERSION = 1
Json = dict[str, Any]


def param_to_json(value: ParamValue) -> Any:
    kind = type(value)
    if kind is int or kind is str or value is None:  # the common cases first, cheaply
        return value
    if kind is date:
        return {"$date": value.isoformat()}  # type: ignore[union-attr]
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Fraction):
        return {"$frac": [value.numerator, value.denominator]}
    if isinstance(value, tuple):
        return {"$dates": [d.isoformat() for d in value]}
    return value


def param_from_json(value: Any) -> ParamValue:
    if isinstance(value, dict):
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$frac" in value:
            n, d = value["$frac"]
            return Fraction(int(n), int(d))
        if "$dates" in value:
            return tuple(date.fromisoformat(x) for x in value["$dates"])
        raise ValueError(f"unknown parameter encoding {value!r}")
    if value is None or isinstance(value, int | str):
        return value
    raise ValueError(f"unknown parameter {value!r}")


def reason_to_json(reason: Reason) -> Json:
    return {"code": reason.code, "params": {k: param_to_json(v) for k, v in reason.params.items()}}


def reason_from_json(data: Mapping[str, Any]) -> Reason:
    params = data.get("params") or {}
    return Reason(str(data["code"]), {k: param_from_json(v) for k, v in params.items()})


def reasons_from_json(items: Iterable[Mapping[str, Any]]) -> list[Reason]:
    return [reason_from_json(item) for item in items]


def _reasons(items: Iterable[Reason]) -> list[Json]:
    return [reason_to_json(r) for r in items]


class _ReasonGroups:
    """Reasons as JSON, each reason converted once per snapshot: an evaluation shares equal
    reasons between members (`evaluate` builds each distinct one once), a listing's reasons
    are also its member's red_met or black_triggers, and black triggers are red blockers
    too. Every call returns a new list; the reason objects in it are shared and never
    modified (the stored JSON has its own copies)."""

    __slots__ = ("_json", "_kept")

    def __init__(self) -> None:
        self._json: dict[int, Json] = {}  # by the reason's identity
        self._kept: list[Reason] = []  # so that no converted reason's id is reused meanwhile

    def __call__(self, items: Sequence[Reason]) -> list[Json]:
        done = self._json
        try:
            return list(map(done.__getitem__, map(id, items)))  # in C: no frame a call
        except KeyError:
            for reason in items:
                if id(reason) not in done:
                    done[id(reason)] = reason_to_json(reason)
                    self._kept.append(reason)
            return list(map(done.__getitem__, map(id, items)))


# A `CadreWeek`'s member_id, field_days_done, field_days_required, exempt_days, fully_exempt.
_SUMMED = itemgetter(0, 3, 4, 9, 10)


def _frac(value: Fraction) -> list[int]:
    return [value.numerator, value.denominator]


def build_snapshot(
    result: RedBlackResult,
    rules: RedBlackRules,
    *,
    township_code: str,
    township_name: str,
    period_key: str,
    generated_at: str,
    weeks: Iterable[CadreWeek] = (),
) -> Json:
    """Everything needed to show, explain and export the lists, as plain JSON."""
    period: Period = result.period
    field_days: dict[int, int] = {mid: 0 for mid in result.members}
    field_required: dict[int, int] = dict.fromkeys(result.members, 0)
    leave_days: dict[int, int] = dict.fromkeys(result.members, 0)
    # Each member's rows come together (as SQL gives them): summed in locals, stored when the
    # member changes.
    current: int | None = None
    done_sum = required_sum = leave_sum = 0
    for member_id, done, required, exempt_days, fully_exempt in map(_SUMMED, weeks):
        if member_id != current:
            if current in field_days:
                field_days[current] += done_sum
                field_required[current] += required_sum
                leave_days[current] += leave_sum
            current = member_id
            done_sum = required_sum = leave_sum = 0
        done_sum += done
        if not fully_exempt:
            required_sum += required
        leave_sum += exempt_days
    if current in field_days:
        field_days[current] += done_sum
        field_required[current] += required_sum
        leave_days[current] += leave_sum
    explanations: Json = {}
    groups = _ReasonGroups().__call__  # a bound method: calling the instance is slower
    # Groups that are often empty are not converted (a new list each, as a conversion gives).
    for a, status, reasons, listing_notes, score in outcomes(result):
        explanations[str(a.member_id)] = {
            "status": status,
            "reasons": groups(reasons),
            "listing_notes": groups(listing_notes) if listing_notes else [],
            "red_met": groups(a.red_met),
            "red_blockers": groups(a.red_blockers) if a.red_blockers else [],
            "black_triggers": groups(a.black_triggers) if a.black_triggers else [],
            "black_clear": groups(a.black_clear),
            "context": groups(a.context) if a.context else [],
            "points": a.points,
            "breakdown": dict(a.breakdown),
            "rank": score.rank if score else None,
            "tied": score.tied if score else False,
        }
    return {
        "version": SNAPSHOT_VERSION,
        "township": {"code": township_code, "name": township_name},
        "period": {
            "kind": period.kind,
            "key": period_key,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "weeks": [w.isoformat() for w in period.weeks],
        },
        "generated_at": generated_at,
        "rules": _reasons(rules_summary(rules)),
        "rank_by": rules.rank_by,
        "points_enabled": rules.points_enabled,
        "members": {
            str(m.member_id): {"name": m.name, "unit": m.unit} for m in result.members.values()
        },
        "red": [
            {
                "member_id": x.member_id,
                "reasons": groups(x.reasons),
                "notes": groups(x.notes) if x.notes else [],
            }
            for x in result.red
        ],
        "black": [
            {
                "member_id": x.member_id,
                "reasons": groups(x.reasons),
                "notes": groups(x.notes) if x.notes else [],
            }
            for x in result.black
        ],
        "not_listed": [
            {"member_id": n.member_id, "reason": groups((n.reason,))[0]} for n in result.not_listed
        ],
        "removed": [],
        "scoreboard": [
            {
                "rank": r.rank,
                "member_id": r.member_id,
                "points": r.points,
                "breakdown": dict(r.breakdown),
                "tied": r.tied,
            }
            for r in result.scoreboard
        ],
        "unit_scoreboard": [
            {
                "rank": r.rank,
                "unit": r.unit,
                "points": _frac(r.points),
                "members": r.members,
                "total": r.total,
                "tied": r.tied,
            }
            for r in result.unit_scoreboard
        ],
        "notes": _reasons(result.notes),
        "explanations": explanations,
        "field_days": {str(k): v for k, v in field_days.items()},
        # the quota after leave, and the workdays on leave (the printed chart shows both)
        "field_required": {str(k): v for k, v in field_required.items()},
        "leave_days": {str(k): v for k, v in leave_days.items()},
    }


def listed(snapshot: Mapping[str, Any]) -> dict[int, str]:
    """member id -> "red" | "black" for everybody on a list in the snapshot."""
    out: dict[int, str] = {}
    for name in ("red", "black"):
        for item in snapshot.get(name, []):
            out[int(item["member_id"])] = name
    return out


def apply_removal(
    snapshot: Mapping[str, Any], member_id: int, objection_id: int, note: str | None
) -> Json:
    """A copy of ``snapshot`` with ``member_id`` taken off its list after an upheld objection.

    The removal is recorded (``removed``) and the member's explanation says so; the
    scoreboard is unchanged. A member who is not listed is left as is.
    """
    out = copy.deepcopy(dict(snapshot))
    for name in ("red", "black"):
        kept = [x for x in out[name] if int(x["member_id"]) != member_id]
        if len(kept) != len(out[name]):
            out[name] = kept
            out["removed"].append(
                {
                    "member_id": member_id,
                    "list": name,
                    "objection_id": objection_id,
                    "note": note or "",
                }
            )
            explanation = out["explanations"].get(str(member_id))
            if explanation is not None:
                explanation["removed_from"] = name
                explanation["objection_id"] = objection_id
    return out
