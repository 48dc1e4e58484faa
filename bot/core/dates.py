"""Dates typed by people (a visit's day, a leave's range): 2026-11-20, 11-20, 11月20日, and
ranges such as 11-25 至 11-27. Pure: every "today" is a parameter."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

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
