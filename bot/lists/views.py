"""From a stored snapshot to what the templates show, in the reader's language.

Every rendering of a list (preview, group post, history, /why, printable page, XLSX) goes
through here, so they all say the same thing about the same stored facts.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from bot.core.i18n import N_, gettext_for, normalize_language
from bot.lists.rules import ReasonCode
from bot.lists.snapshot import reason_from_json, reasons_from_json
from bot.lists.text import LIST_LABELS, RULE_LABELS, describe, format_fraction, period_label


def period_text(snapshot: dict[str, Any], language: str) -> str:
    p = snapshot["period"]
    return period_label(
        p["kind"],
        p["key"],
        date.fromisoformat(p["start"]),
        date.fromisoformat(p["end"]),
        gettext_for(language),
        normalize_language(language),
    )


RULES_SHORT = N_(
    "Red list: every report on time and every quota met, with no overdue case. Black list: a "
    "missing report, a week below the field-day quota, or a case overdue by more than {limit} "
    "days."
)


def rules_short(snapshot: dict[str, Any], _: Any) -> str:
    """The rules in two sentences, as a list states them up front (the full text is a tap
    away): the limit is the one the issue was drawn up under."""
    limit = next(
        (
            r.params.get("limit")
            for r in reasons_from_json(snapshot["rules"])
            if r.code == ReasonCode.RULE_BLACK_CASE_OVERDUE
        ),
        None,
    )
    return "" if limit is None else str(_(RULES_SHORT).format(limit=limit))


def view(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    lang = normalize_language(language)
    _ = gettext_for(lang)

    def say(items: list[dict[str, Any]]) -> list[str]:
        return [describe(r, _, lang) for r in reasons_from_json(items)]

    members = snapshot["members"]

    def name(mid: Any) -> str:
        return str(members.get(str(mid), {}).get("name", mid))

    def unit(mid: Any) -> str:
        return str(members.get(str(mid), {}).get("unit") or "")

    points = {str(r["member_id"]): r["points"] for r in snapshot["scoreboard"]}

    def listing(item: dict[str, Any]) -> dict[str, Any]:
        mid = item["member_id"]
        return {
            "member_id": mid,
            "name": name(mid),
            "unit": unit(mid),
            "reasons": say(item["reasons"]),
            "notes": say(item.get("notes", [])),
            "points": points.get(str(mid)),
        }

    scoreboard = [
        {
            "rank": r["rank"],
            "name": name(r["member_id"]),
            "unit": unit(r["member_id"]),
            "points": r["points"],
            "tied": r["tied"],
            "breakdown": [
                (_(RULE_LABELS.get(rule, rule)), value)
                for rule, value in r["breakdown"].items()
                if value
            ],
        }
        for r in snapshot["scoreboard"]
    ]
    units = [
        {
            "rank": r["rank"],
            "unit": r["unit"],
            "points": format_fraction(Fraction(*r["points"])),
            "members": r["members"],
            "total": r["total"],
            "tied": r["tied"],
        }
        for r in snapshot["unit_scoreboard"]
    ]
    ties: list[str] = []
    for rows, label in ((scoreboard, "name"), (units, "unit")):
        by_rank: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            if row["tied"]:
                by_rank.setdefault(row["rank"], []).append(row)
        for rank, group in sorted(by_rank.items()):
            ties.append(
                _("Tied at rank {rank} with {points} points: {names}").format(
                    rank=rank,
                    points=group[0]["points"],
                    names="、".join(str(g[label]) for g in group),
                )
            )
    return {
        "township": snapshot["township"]["name"],
        "period": period_text(snapshot, lang),
        "period_key": snapshot["period"]["key"],
        "kind": snapshot["period"]["kind"],
        "rules": say(snapshot["rules"]),
        "rules_short": rules_short(snapshot, _),
        "red": [listing(x) for x in snapshot["red"]],
        "black": [listing(x) for x in snapshot["black"]],
        "removed": [
            {
                "name": name(x["member_id"]),
                "list": _(LIST_LABELS.get(x["list"], x["list"])),
                "note": x.get("note") or "",
            }
            for x in snapshot["removed"]
        ],
        "not_listed": [
            {
                "name": name(x["member_id"]),
                "reason": describe(reason_from_json(x["reason"]), _, lang),
            }
            for x in snapshot["not_listed"]
        ],
        "scoreboard": scoreboard,
        "units": units,
        "ties": ties,
        "notes": say(snapshot.get("notes", [])),
        "field_days": [(name(mid), days) for mid, days in snapshot.get("field_days", {}).items()],
    }


def explanation_view(snapshot: dict[str, Any], member_id: int, language: str) -> dict[str, Any]:
    """What `/why` shows one member, or {} when they were not part of the evaluation."""
    lang = normalize_language(language)
    _ = gettext_for(lang)
    e = snapshot["explanations"].get(str(member_id))
    if e is None:
        return {}

    def say(key: str) -> list[str]:
        return [describe(r, _, lang) for r in reasons_from_json(e.get(key, []))]

    reasons = say("reasons")

    def besides(key: str) -> list[str]:
        """The list's conditions, less those already given as the reasons (a red listing's
        reasons are the red conditions it met): each fact is said once."""
        return [r for r in say(key) if r not in reasons]

    removed = e.get("removed_from")
    return {
        "status": e["status"],
        "removed_from": _(LIST_LABELS[removed]) if removed else "",
        "reasons": reasons,
        "listing_notes": say("listing_notes"),
        "red_met": besides("red_met"),
        "red_blockers": besides("red_blockers"),
        "black_triggers": besides("black_triggers"),
        "black_clear": besides("black_clear"),
        "context": say("context"),
        "points": e["points"],
        "rank": e.get("rank"),
        "tied": e.get("tied", False),
        "points_enabled": snapshot.get("points_enabled", True),
    }
