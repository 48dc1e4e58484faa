"""From a stored snapshot to what the templates show, in the reader's language.

Every rendering of a list (preview, group post, history, /why, printable page, XLSX) goes
through here, so they all say the same thing about the same stored facts.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from bot.core.i18n import N_, Gettext, gettext_for, normalize_language
from bot.core.render import PUNCTUATION
from bot.core.text import Html
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
                    names=PUNCTUATION[lang].join(g[label] for g in group),
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


UPHELD_TEXT = N_("Your objection was upheld: you are taken off the list for {period}.")
REJECTED_TEXT = N_(
    "Your objection was rejected: you stay on the list for {period}. Send /why for the facts."
)
DECISION_NOTE_TEXT = N_("The secretary's note: {note}")


def preview_summary(_: Gettext, told: int, objections: int) -> Html:
    """What the secretary reads after a preview: who was told, and open objections."""
    summary = _("{n} members named on the lists were told privately.").format(n=told)
    if objections:
        summary += "\n" + _("Open objections: {n}.").format(n=objections)
    return summary


def decision_told(_: Gettext, upheld: bool, period: str, note: str | None) -> Html:
    """What the member who objected is told of the decision."""
    told = _(UPHELD_TEXT if upheld else REJECTED_TEXT).format(period=period)
    if note:
        told += "\n" + _(DECISION_NOTE_TEXT).format(note=note)
    return told


def note_prompt(_: Gettext, upheld: bool, name: str, note_max: int) -> Html:
    """Asks the secretary deciding an objection for a note."""
    heading = (
        _("Upholding the objection from {name}.")
        if upheld
        else _("Rejecting the objection from {name}.")
    ).format(name=name)
    return (
        heading
        + "\n"
        + _(
            "Type a short note for them (why; up to {n} characters), or decide without one."
        ).format(n=note_max)
    )


def decision_reply(_: Gettext, upheld: bool, name: str, period: str, note: str | None) -> Html:
    """What the secretary reads once an objection is decided."""
    text: Html = (
        _("Objection from {name} upheld: they are taken off the list for {period}.")
        if upheld
        else _("Objection from {name} rejected: they stay on the list for {period}.")
    ).format(name=name, period=period)
    if note:
        text += "\n" + _("Your note: {note}").format(note=note)
    return text
