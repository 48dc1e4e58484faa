"""Pure helpers for visit logs and leave requests: distances, village name matching, and
dates typed by people. No Telegram, no database, no clock (every "today" is a parameter)."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

__all__ = [
    "EARTH_RADIUS_M",
    "distance_m",
    "parse_day",
    "parse_day_range",
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


_DAY = re.compile(
    r"^\s*(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?\s*$"
)
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—|–|\s-\s|\s+to\s+)\s*", re.IGNORECASE)


def parse_day(text: str, today: date) -> date | None:
    """A typed date: 2026-11-20, 11-20, 11/20, 11月20日, 2026年11月20日. Without a year,
    the date nearest to `today` (this year, or the year before/after around New Year)."""
    match = _DAY.match(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    month, day = int(match["m"]), int(match["d"])
    if match["y"]:
        try:
            return date(int(match["y"]), month, day)
        except ValueError:
            return None
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d))


def parse_day_range(text: str, today: date) -> tuple[date, date] | None:
    """One day or a range "11-25 至 11-27" (also 到, ~, -, to). None when unreadable or
    the end is before the start."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    parts = _RANGE_SEP.split(normalized, maxsplit=1)
    if len(parts) == 1:
        # "11-25-11-27" style is ambiguous; accept "11.25-11.27" and "11/25-11/27" only.
        hyphen = re.match(r"^(\d{1,2}[./]\d{1,2})-(\d{1,2}[./]\d{1,2})$", normalized)
        if hyphen:
            parts = [hyphen[1], hyphen[2]]
    start = parse_day(parts[0], today)
    end = parse_day(parts[1], today) if len(parts) > 1 else start
    if start is None or end is None or end < start:
        return None
    return start, end
