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
from typing import Any

from bot.lists.rules import (
    CadreWeek,
    ParamValue,
    Period,
    Reason,
    RedBlackResult,
    RedBlackRules,
    explain_all,
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

    def __init__(self) -> None:
        # Keyed by identity; the reason is kept so that its id cannot be reused meanwhile.
        self._done: dict[int, tuple[Reason, Json]] = {}

    def __call__(self, items: Sequence[Reason]) -> list[Json]:
        if not items:
            return []
        done = self._done
        try:
            return [done[id(reason)][1] for reason in items]
        except KeyError:
            for reason in items:
                if id(reason) not in done:
                    done[id(reason)] = (reason, reason_to_json(reason))
            return [done[id(reason)][1] for reason in items]


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
    for (
        member_id,
        _week,
        _report,
        done,
        required,
        _screenings,
        _screenings_required,
        _problems,
        _problems_required,
        exempt_days,
        fully_exempt,
        _dates,
        _name,
        _workdays,
        _judged,
    ) in weeks:
        if member_id in field_days:
            field_days[member_id] += done
            if not fully_exempt:
                field_required[member_id] += required
            leave_days[member_id] += exempt_days
    explanations: Json = {}
    groups = _ReasonGroups().__call__  # a bound method: calling the instance is slower
    for mid, e in explain_all(result).items():
        explanations[str(mid)] = {
            "status": e.status,
            "reasons": groups(e.reasons),
            "listing_notes": groups(e.listing_notes),
            "red_met": groups(e.red_met),
            "red_blockers": groups(e.red_blockers),
            "black_triggers": groups(e.black_triggers),
            "black_clear": groups(e.black_clear),
            "context": groups(e.context),
            "points": e.points,
            "breakdown": dict(e.breakdown),
            "rank": e.score.rank if e.score else None,
            "tied": e.score.tied if e.score else False,
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
            {"member_id": x.member_id, "reasons": groups(x.reasons), "notes": groups(x.notes)}
            for x in result.red
        ],
        "black": [
            {"member_id": x.member_id, "reasons": groups(x.reasons), "notes": groups(x.notes)}
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
