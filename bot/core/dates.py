"""Dates typed by people (a visit's day, a leave's range): 2026-11-20, 11-20, 11月20日,
十一月二十日, 今天 / 明天 / 昨天, and ranges such as 11-25 至 11-27 or 11月25日至27日. Pure: every
"today" is a parameter."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from bot.core.numerals import arabic

_DAY = re.compile(
    r"^\s*(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?\s*$"
)
# The end of a range that says its month once: 11月25日至27日, 11-25 至 27.
_DAY_ONLY = re.compile(r"^\s*(?P<d>\d{1,2})\s*[日号]?\s*$")
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—|–|\s-\s|\s+to\s+)\s*", re.IGNORECASE)
# Days said relative to today, as people type them.
_RELATIVE = {
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "yesterday": -1,
    "today": 0,
    "tomorrow": 1,
}


def _normalized(text: str) -> str:
    return arabic(unicodedata.normalize("NFKC", text).strip())


def parse_day(text: str, today: date) -> date | None:
    """A typed date: 2026-11-20, 11-20, 11/20, 11月20日, 2026年11月20日, 十一月二十日, or
    今天 / 明天 / 后天 / 昨天 / 前天. Without a year, the date nearest to `today` (this year, or
    the year before/after around New Year)."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    relative = _RELATIVE.get(normalized.lower())
    if relative is not None:
        return today + timedelta(days=relative)
    match = _DAY.match(arabic(normalized))
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


def _end_of(text: str, start: date, today: date) -> date | None:
    """The end of a range: a full date, or a day of the start's month (11月25日至27日)."""
    only = _DAY_ONLY.match(_normalized(text))
    if only is None:
        return parse_day(text, today)
    try:
        return start.replace(day=int(only["d"]))
    except ValueError:
        return None


def parse_day_range(text: str, today: date) -> tuple[date, date] | None:
    """One day or a range "11-25 至 11-27" (also 到, ~, -, to; 11月25日至27日; 明天到后天).
    None when unreadable or the end is before the start."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    parts = _RANGE_SEP.split(normalized, maxsplit=1)
    if len(parts) == 1:
        # "11-25-11-27" style is ambiguous; accept "11.25-11.27" and "11/25-11/27" only.
        hyphen = re.match(r"^(\d{1,2}[./]\d{1,2})-(\d{1,2}[./]\d{1,2})$", normalized)
        # 11月25日-27日, 11月25日-11月27日: the 日 ends the first date.
        after_day = re.match(r"^(.+?[日号])\s*-\s*(.+)$", normalized)
        found = hyphen or after_day
        if found is not None:
            parts = list(found.groups())
    start = parse_day(parts[0], today)
    if start is None:
        return None
    end = _end_of(parts[1], start, today) if len(parts) > 1 else start
    if end is None or end < start:
        return None
    return start, end
