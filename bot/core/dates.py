"""Dates typed by people (a visit's day, a leave's range): 2026-11-20, 11-20, 11月20日,
十一月二十日, 今天 / 明天 / 昨天, weekdays (周三, 星期三, 礼拜三, 本周三, 上周五, 下周一, 下下周一,
Wed, last Friday, next Monday), and ranges such as 11-25 至 11-27, 11月25日至27日 or 周三至周五.
Pure: every "today" is a parameter, and so is the direction a bare weekday is read in."""

from __future__ import annotations

import enum
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

# Weekdays, Monday 0 .. Sunday 6. The week starts on Monday, as a Chinese calendar's does.
_DAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAYS_ZH |= {str(n): n - 1 for n in range(1, 7)}  # 周3, as some type it
_DAYS_EN = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
# Which week a weekday is in, from today's: 上周三 -1, 本周三 0, 下周三 1, 下下周三 2.
_WEEKS = {"上上": -2, "上": -1, "本": 0, "这": 0, "下": 1, "下下": 2}
_WEEKS_EN = {"last": -1, "this": 0, "next": 1}
_WEEKDAY_ZH = re.compile(
    r"^(?:(?P<week>上上|下下|上|下|本|这)个?)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天1-6])$"
)
_WEEKDAY_EN = re.compile(r"^(?:(?P<week>last|this|next)\s+)?(?P<day>[a-z]+)\.?$")
# The end of a weekday range that says the week once: 周一至三, 下周一到周三.
_WEEKDAY_END = re.compile(r"^(?:周|星期|礼拜)?(?P<day>[一二三四五六日天1-6])$")
# A weekday said after a date, as the bot's own labels say it: 11月25日（周三）, 11-25 Wed.
_ASIDE = re.compile(
    r"^(?P<date>.*?[\d日号])\s*\(?\s*(?P<weekday>(?:周|星期|礼拜)\S|[a-z]+\.?)\s*\)?$",
    re.IGNORECASE,
)


class Direction(enum.Enum):
    """Which day a weekday said without its week (周三, Wednesday) is: BACK the most recent
    one, today included (a visit, which cannot be in the future); AHEAD the next one, today
    included (leave). 本周三, 上周五 and 下周一 name their week and read the same both ways."""

    BACK = "back"
    AHEAD = "ahead"


# Longer than any date or range people type: not read (and no pattern meets long input).
_LONGEST = 64


def _compact(text: str) -> str | None:
    """`text` in NFKC with each run of spaces made one (a pattern given a long run of spaces
    takes time that grows with its cube); None when it is too long to be a date."""
    compact = " ".join(unicodedata.normalize("NFKC", text).split())
    return compact if len(compact) <= _LONGEST else None


def _aside(text: str) -> tuple[str, int | None]:
    """A date and the weekday said after it (Monday 0), None when none is."""
    match = _ASIDE.match(text)
    if match is not None:
        weekday = _weekday(match["weekday"])
        if weekday is not None and weekday[1] is None:
            return match["date"], weekday[0]
    return text, None


def _agrees(day: date | None, said: int | None) -> date | None:
    """`day`, unless the weekday said with it is not its own (11月25日（周四） is a mistake
    in one or the other: neither is guessed)."""
    return day if day is None or said is None or day.weekday() == said else None


def _weekday(text: str) -> tuple[int, int | None] | None:
    """A typed weekday as (Monday 0 .. Sunday 6, weeks from today's or None when the week
    is not said); None when `text` is not one."""
    compact = re.sub(r"\s+", "", text)
    match = _WEEKDAY_ZH.match(compact)
    if match is not None:
        week = match["week"]
        return _DAYS_ZH[match["day"]], None if week is None else _WEEKS[week]
    match = _WEEKDAY_EN.match(" ".join(text.lower().split()))
    if match is not None and match["day"] in _DAYS_EN:
        week = match["week"]
        return _DAYS_EN[match["day"]], None if week is None else _WEEKS_EN[week]
    return None


def _nearest_weekday(day: date, weekday: int, direction: Direction) -> date:
    """The `weekday` (Monday 0) nearest `day` in `direction`, `day` itself included: the
    one rule for a weekday said without its week."""
    if direction is Direction.BACK:
        return day - timedelta(days=(day.weekday() - weekday) % 7)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _in_week(today: date, weekday: int, weeks: int) -> date:
    """The `weekday` of the week `weeks` after today's (Monday to Sunday)."""
    return today + timedelta(days=weekday - today.weekday(), weeks=weeks)


def parse_day(text: str, today: date, direction: Direction) -> date | None:
    """A typed date: 2026-11-20, 11-20, 11/20, 11月20日, 2026年11月20日, 十一月二十日,
    今天 / 明天 / 后天 / 昨天 / 前天, or a weekday; a date may say its weekday after it
    (11月25日（周三）, 11-25 Wed), which must be its own. Without a year, the date nearest
    to `today` (this year, or the year before/after around New Year). A weekday without its
    week (周三, 星期日, Wed) is the nearest one in `direction`, today included; with its week
    (本周三, 这周三, 上周五, 下周一, 上上周一, 下下周一, this/last/next Friday) it is that
    week's, weeks running Monday to Sunday."""
    normalized = _compact(text)
    if normalized is None:
        return None
    relative = _RELATIVE.get(normalized.lower())
    if relative is not None:
        return today + timedelta(days=relative)
    weekday = _weekday(normalized)
    if weekday is not None:
        day, weeks = weekday
        if weeks is None:
            return _nearest_weekday(today, day, direction)
        return _in_week(today, day, weeks)
    dated, said = _aside(normalized)
    return _agrees(_date(dated, today), said)


def _date(text: str, today: date) -> date | None:
    match = _DAY.match(arabic(text))
    if match is None:
        return None
    month, day_of_month = int(match["m"]), int(match["d"])
    if match["y"]:
        try:
            return date(int(match["y"]), month, day_of_month)
        except ValueError:
            return None
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day_of_month))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d))


def _end_of(text: str, start: date, today: date, *, after_weekday: bool) -> date | None:
    """The end of a range: a full date, a day of the start's month (11月25日至27日), or a
    weekday; one without its week is the first on or after the start (周一至周三, 下周一到
    周三), and after a weekday a lone numeral is one too (周一至三)."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    if after_weekday:
        lone = _WEEKDAY_END.match(re.sub(r"\s+", "", normalized))
        if lone is not None:
            return _nearest_weekday(start, _DAYS_ZH[lone["day"]], Direction.AHEAD)
    weekday = _weekday(normalized)
    if weekday is not None and weekday[1] is None:
        return _nearest_weekday(start, weekday[0], Direction.AHEAD)
    dated, said = _aside(normalized)
    only = _DAY_ONLY.match(arabic(dated))
    if only is None:
        return parse_day(text, today, Direction.AHEAD)
    try:
        return _agrees(start.replace(day=int(only["d"])), said)
    except ValueError:
        return None


def _split(normalized: str) -> list[str]:
    """A range's start and end (one part for a single day)."""
    parts = _RANGE_SEP.split(normalized, maxsplit=1)
    if len(parts) > 1:
        return parts
    # "11-25-11-27" style is ambiguous; accept "11.25-11.27" and "11/25-11/27" only.
    hyphen = re.match(r"^(\d{1,2}[./]\d{1,2})-(\d{1,2}[./]\d{1,2})$", normalized)
    # 11月25日-27日, 11月25日-11月27日: the 日 ends the first date.
    after_day = re.match(r"^(.+?[日号])\s*-\s*(.+)$", normalized)
    found = hyphen or after_day
    if found is not None:
        return list(found.groups())
    # 周三-周五, Wed-Fri: a weekday ends the first part.
    around = re.match(r"^(.+?)\s*-\s*(.+)$", normalized)
    if around is not None and _weekday(around[1]) is not None:
        return list(around.groups())
    return parts


def parse_day_range(text: str, today: date, direction: Direction) -> tuple[date, date] | None:
    """One day or a range "11-25 至 11-27" (also 到, ~, -, to; 11月25日至27日; 明天到后天;
    周三至周五, 下周一到下周三, 下周一到三). The start is read as `parse_day` reads it in
    `direction`. None when unreadable or the end is before the start."""
    normalized = _compact(text)
    if normalized is None:
        return None
    parts = _split(normalized)
    start = parse_day(parts[0], today, direction)
    if start is None:
        return None
    after_weekday = _weekday(parts[0]) is not None
    end = _end_of(parts[1], start, today, after_weekday=after_weekday) if len(parts) > 1 else start
    if end is None or end < start:
        return None
    return start, end
