"""Reading the State Council's yearly holiday notice (国务院办公厅关于XXXX年部分节假日安排的通知).

Pure: text in, the notice's days out; no Telegram, no database, no clock.

The notice is read as published. Its title (or first sentence, 现将2027年元旦、春节……) gives
the year; each numbered arrangement gives a holiday's name, its days off and its 调休 workdays:

    一、元旦：1月1日（周三）放假1天，不调休。
    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
        1月26日（周日）、2月8日（周六）上班。
    三、清明节：4月4日（周五）至6日（周日）放假，共3天。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。……

and the older wordings (星期日 for 周日, dates without weekdays, 与周末连休, 补休, a New Year's
holiday that starts in the December before: 2018年12月30日至2019年1月1日). Whatever the text
says is checked where it can be: a weekday given beside a date must be that date's weekday in
that year, 共N天 must be the length of the range, the numbering must have no gap, and every
holiday the first sentence names must have its arrangement (a half-pasted notice is refused
rather than half imported). Anything that cannot be read raises :class:`NoticeError`, whose
message says what and where.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.calendar import NoticeDay
from bot.core.i18n import N_, Gettext
from bot.core.text import Html

__all__ = ["Holiday", "Notice", "NoticeError", "parse_notice"]

NAME_MAX = 40  # calendar_days.holiday
QUOTE_MAX = 60
# No holiday lasts longer, and no notice names more days (they name about 35).
RANGE_MAX = 31
DAYS_MAX = 100
_NUMERALS = "一二三四五六七八九"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_SPACE = re.compile(r"[^\S\n]+")
_TITLE_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日安排")
_INTRO = re.compile(r"现将(\d{4})年(.+?)(?:放假调休日期|放假日期|放假安排|的具体安排)")
_ITEM = re.compile(r"(?:^|(?<=[。:;]))([一二三四五六七八九十]{1,3})、([^:\n。,;]{1,40}?):", re.M)
_DATE = r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:\((?P<note>[^()]*)\))?"
_END = r"(?:(?:(?P<ey>\d{4})年)?(?P<em>\d{1,2})月)?(?P<ed>\d{1,2})日(?:\((?P<enote>[^()]*)\))?"
_RANGE = re.compile(rf"{_DATE}(?:(?:至|到|-|~|—|–){_END})?")
_ONE_DATE = re.compile(_DATE)
_COUNT = re.compile(r"(?:共|放假)(\d{1,2})天")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")


class NoticeError(ValueError):
    """What could not be read. `message` is an English message id (translated for display)
    with `{placeholders}` filled from `params`."""

    def __init__(self, message: str, **params: Any) -> None:
        # What the text said is quoted back as a notice writes it, and never at length.
        params = {k: _quote(v) if isinstance(v, str) else v for k, v in params.items()}
        super().__init__(message.format(**params))
        self.message = message
        self.params = params

    def text(self, _: Gettext) -> Html:
        """The message in the reader's language, the values quoted from the text escaped."""
        return _(self.message).format(**self.params)


_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})


def _quote(text: str) -> str:
    text = text.translate(_FULL_WIDTH)
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


@dataclass(frozen=True, slots=True)
class Holiday:
    name: str
    days_off: tuple[date, ...]
    workdays: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    year: int
    holidays: tuple[Holiday, ...]

    def days(self) -> list[NoticeDay]:
        """Every day the notice names, by date: its days off (weekends inside a holiday
        included) and its 调休 workdays, each with its holiday's name."""
        found = [
            NoticeDay(day, False, h.name, self.year) for h in self.holidays for day in h.days_off
        ] + [NoticeDay(day, True, h.name, self.year) for h in self.holidays for day in h.workdays]
        return sorted(found)

    @property
    def names(self) -> list[str]:
        return [h.name for h in self.holidays]


def parse_notice(text: str) -> Notice:
    """The holidays of a notice as published; raises NoticeError when it cannot be read."""
    text = _normalize(text)
    year = _year(text)
    items = list(_ITEM.finditer(text))
    if not items:
        raise NoticeError(
            N_(
                "No holiday arrangements were found. The notice lists them one per line, "
                "such as “一、元旦：1月1日放假……”."
            )
        )
    holidays = []
    previous = 0
    for index, match in enumerate(items):
        number = _numeral(match.group(1))
        if number != previous + 1:
            raise NoticeError(
                N_(
                    "The arrangements are numbered {found} after {previous}: one seems to be "
                    "missing. Please give the whole notice."
                ),
                found=match.group(1),
                previous=_NUMERAL_TEXT.get(previous, str(previous)),
            )
        previous = number
        end = items[index + 1].start() if index + 1 < len(items) else len(text)
        body = text[match.end() : end].split("\n", 1)[0]
        holidays.append(_holiday(match.group(2).strip(), body, year))
    _check_intro(text, holidays)
    _check_overlaps(holidays)
    notice = Notice(year, tuple(holidays))
    if len(notice.days()) > DAYS_MAX:
        raise NoticeError(
            N_("The text names {count} days; a holiday notice names far fewer."),
            count=len(notice.days()),
        )
    return notice


# ------------------------------------------------------------------------------ pieces


def _normalize(text: str) -> str:
    """Full-width digits and punctuation to ASCII (（ ） ： ， become ( ) : ,), no spaces:
    a notice copied from a web page or a PDF reads the same as one typed."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE.sub("", _CONTROL.sub("", text))


def _year(text: str) -> int:
    found = [int(m.group(1)) for m in (_TITLE_YEAR.search(text), _INTRO.search(text)) if m]
    if not found:
        raise NoticeError(
            N_(
                "Could not find the notice's year. Its title names it: "
                "国务院办公厅关于2027年部分节假日安排的通知."
            )
        )
    if len(set(found)) > 1:
        raise NoticeError(
            N_("The notice names two years, {first} and {second}."),
            first=found[0],
            second=found[1],
        )
    return found[0]


_NUMERAL_TEXT = {i + 1: n for i, n in enumerate(_NUMERALS)} | {0: "—", 10: "十"}


def _numeral(text: str) -> int:
    """一 … 九十九; -1 for anything else (十十)."""
    tens, ten, units = text.rpartition("十") if "十" in text else ("", "", text)
    if len(tens) > 1 or len(units) > 1 or (not ten and not units):
        return -1
    try:
        return (_NUMERALS.index(tens) + 1 if tens else int(bool(ten))) * 10 + (
            _NUMERALS.index(units) + 1 if units else 0
        )
    except ValueError:
        return -1


def _split(text: str, separators: str) -> list[str]:
    """Split at the separators that are not inside parentheses (农历除夕、周二)."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char in separators and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in parts if p]


def _holiday(name: str, body: str, year: int) -> Holiday:
    if len(name) > NAME_MAX:
        raise NoticeError(N_("The holiday name “{name}” is too long."), name=name[:NAME_MAX])
    days_off: list[date] = []
    workdays: list[date] = []
    ranges = 0
    for sentence in _split(body, "。;"):
        declared = _COUNT.search(sentence)
        for clause in _split(sentence, ","):
            if "放假" in clause:
                before = clause.split("放假", 1)[0]
                if not before:
                    continue  # 放假调休 etc. after the range, in its own clause
                ranges += 1
                if ranges > 1:
                    raise NoticeError(
                        N_("The days off of {holiday} are given twice."), holiday=name
                    )
                span = _range(name, before, year)
                if declared is not None and int(declared.group(1)) != len(span):
                    raise NoticeError(
                        N_("{holiday}: the notice says {said} days, but {text} is {counted} days."),
                        holiday=name,
                        said=int(declared.group(1)),
                        text=before,
                        counted=len(span),
                    )
                days_off.extend(span)
            elif clause.endswith("上班"):
                workdays.extend(_dates(name, clause.removesuffix("上班"), year, workdays=True))
            elif clause.endswith("补休"):
                days_off.extend(_dates(name, clause.removesuffix("补休"), year, workdays=False))
    if not days_off:
        raise NoticeError(N_("Could not find the days off (放假) of {holiday}."), holiday=name)
    return Holiday(name, tuple(days_off), tuple(workdays))


def _range(name: str, text: str, year: int) -> list[date]:
    match = _RANGE.fullmatch(text)
    if match is None:
        raise NoticeError(
            N_("Could not read the days off of {holiday}: “{text}”."), holiday=name, text=text
        )
    first = _date(name, match.group("y"), match.group("m"), match.group("d"), year, text)
    _check_weekday(name, first, match.group("note"), text)
    if match.group("ed") is None:
        return [first]
    last = _date(
        name,
        match.group("ey") or str(first.year),
        match.group("em") or str(first.month),
        match.group("ed"),
        year,
        text,
    )
    _check_weekday(name, last, match.group("enote"), text)
    if last < first:
        raise NoticeError(
            N_("{holiday}: the days off end before they start ({text})."), holiday=name, text=text
        )
    if (last - first).days >= RANGE_MAX:
        raise NoticeError(
            N_("{holiday}: “{text}” is longer than any holiday."), holiday=name, text=text
        )
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _dates(name: str, text: str, year: int, *, workdays: bool) -> list[date]:
    found = []
    for part in _split(text, "、"):
        match = _ONE_DATE.fullmatch(part)
        if match is None:
            message = (
                N_("Could not read the workdays (上班) of {holiday}: “{text}”.")
                if workdays
                else N_("Could not read the days off (补休) of {holiday}: “{text}”.")
            )
            raise NoticeError(message, holiday=name, text=text)
        day = _date(name, match.group("y"), match.group("m"), match.group("d"), year, part)
        _check_weekday(name, day, match.group("note"), part)
        found.append(day)
    if not found:
        raise NoticeError(
            N_("Could not read the workdays (上班) of {holiday}: “{text}”."),
            holiday=name,
            text=text,
        )
    return found


def _date(name: str, y: str | None, m: str, d: str, year: int, text: str) -> date:
    try:
        day = date(int(y) if y else year, int(m), int(d))
    except ValueError:
        raise NoticeError(
            N_("{holiday}: “{text}” is not a date."), holiday=name, text=text
        ) from None
    if day.year not in (year - 1, year):
        raise NoticeError(
            N_("{holiday}: “{text}” does not belong to the notice for {year}."),
            holiday=name,
            text=text,
            year=year,
        )
    return day


def _check_weekday(name: str, day: date, note: str | None, text: str) -> None:
    said = _WEEKDAY.search(note or "")
    if said is None:
        return
    if _WEEKDAYS[said.group(1)] != day.weekday():
        raise NoticeError(
            N_(
                "{holiday}: the notice says {date} is a {said}, but {date} of {year} is a "
                "{actual}. Is the year right?"
            ),
            holiday=name,
            date=f"{day.month}月{day.day}日",
            said=WEEKDAY_NAMES[_WEEKDAYS[said.group(1)]],
            year=day.year,
            actual=WEEKDAY_NAMES[day.weekday()],
        )


def _check_intro(text: str, holidays: list[Holiday]) -> None:
    intro = _INTRO.search(text)
    if intro is None:
        return
    given = {part for h in holidays for part in h.name.split("、")}
    named = [n for n in re.split(r"[、和及与]", intro.group(2)) if n]
    missing = [n for n in named if n not in given]
    if missing:
        raise NoticeError(
            N_(
                "The notice names {names} in its first sentence, but their arrangements were "
                "not found. Please give the whole notice."
            ),
            names="、".join(missing),
        )


def _check_overlaps(holidays: list[Holiday]) -> None:
    seen: dict[date, tuple[str, bool]] = {}
    for holiday in holidays:
        for day, is_workday in [(d, False) for d in holiday.days_off] + [
            (d, True) for d in holiday.workdays
        ]:
            before = seen.get(day)
            if before is not None:
                raise NoticeError(
                    N_("{date} is given twice: in {first} and in {second}."),
                    date=day.isoformat(),
                    first=before[0],
                    second=holiday.name,
                )
            seen[day] = (holiday.name, is_workday)
