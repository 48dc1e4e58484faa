"""Pure rules of visit logs: limits, distances, village name matching, activities chosen,
counts typed by people. No Telegram, no database, no clock."""

from __future__ import annotations

import difflib
import enum
import math
import re
import unicodedata
from collections.abc import Sequence

from bot.core.numerals import arabic

__all__ = [
    "EARTH_RADIUS_M",
    "MAX_PROBLEMS",
    "MAX_SCREENINGS",
    "NOTES_MAX",
    "PROBLEM_MAX",
    "CountProblem",
    "can_link",
    "distance_m",
    "location_check",
    "read_count",
    "suggest_names",
    "toggled",
    "with_notes",
]

EARTH_RADIUS_M = 6_371_000.0
PROBLEM_MAX = 100  # characters in one problem solved (the column holds 200)
NOTES_MAX = 500
MAX_PROBLEMS = 10
MAX_SCREENINGS = 99


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def location_check(
    shared: tuple[float, float] | None, point: tuple[float, float] | None, radius_m: float
) -> tuple[float | None, bool]:
    """(metres from the village's point, within its radius) for a shared location; (None,
    False) when either is unknown."""
    if shared is None or point is None:
        return None, False
    metres = distance_m(shared[0], shared[1], point[0], point[1])
    return metres, metres <= radius_m


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def suggest_names(typed: str, names: Sequence[str], limit: int = 5) -> list[str]:
    """Names close to what was typed, best first: exact, then containment (either way,
    also without a trailing 村), then similar spelling. Empty when nothing is close."""
    query = _norm(typed)
    if not query:
        return []
    bare = query.removesuffix("村") or query
    scored: list[tuple[float, int, str]] = []
    for index, name in enumerate(names):
        candidate = _norm(name)
        candidate_bare = candidate.removesuffix("村") or candidate
        if candidate == query:
            score = 3.0
        elif bare in candidate or candidate_bare in query:
            score = 2.0
        else:
            score = difflib.SequenceMatcher(None, bare, candidate_bare).ratio()
            if score < 0.5:
                continue
        scored.append((-score, index, name))
    return [name for _, _, name in sorted(scored)[:limit]]


def toggled(chosen: Sequence[str], name: str, configured: Sequence[str]) -> list[str]:
    """The activities chosen after tapping `name`: in the configured order, then any no
    longer configured (kept from an older log) in their own order."""
    picked = [a for a in chosen if a != name] if name in chosen else [*chosen, name]
    return [a for a in configured if a in picked] + [a for a in picked if a not in configured]


def can_link(activities: Sequence[str], dispute_activity: str) -> bool:
    """A log whose activities include the dispute work (矛盾化解) may link to a case."""
    return bool(dispute_activity) and dispute_activity in activities


def with_notes(notes: str, added: str) -> str:
    """Notes with a further message appended on its own line."""
    return f"{notes}\n{added}".strip() if notes else added


class CountProblem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    TOO_LARGE = "too_large"


_COUNT = re.compile(r"([0-9]+)\s*(?:次|个|起)?")


def read_count(text: str, maximum: int) -> int | CountProblem:
    """A count typed by a person ("3", "３", "12 次", "三次"), from 0 to `maximum`. Never
    converts a long string of digits to a number (it may be thousands of characters)."""
    match = _COUNT.fullmatch(arabic(unicodedata.normalize("NFKC", text).strip()))
    if match is None:
        return CountProblem.NOT_A_NUMBER
    digits = match[1].lstrip("0") or "0"
    if len(digits) > len(str(maximum)) or int(digits) > maximum:
        return CountProblem.TOO_LARGE
    return int(digits)
