"""Pure helpers for visit logs: distances and village name matching. No Telegram, no
database, no clock."""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Sequence

__all__ = [
    "EARTH_RADIUS_M",
    "distance_m",
    "suggest_names",
]

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


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
