"""Jinja rendering of Telegram HTML messages and documents, in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bot.core.i18n import gettext_for, ngettext_for, normalize_language
from bot.core.text import Html, split_message

WEEKDAYS = {
    "zh_CN": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def weekday_name(value: date, language: str = "zh_CN") -> str:
    """The day's weekday as a date's label says it: 周三, Wed."""
    return WEEKDAYS[normalize_language(language)][value.weekday()]


def format_date(value: date, language: str = "zh_CN", weekday: bool = True) -> str:
    lang = normalize_language(language)
    text = f"{value.month}月{value.day}日" if lang == "zh_CN" else value.strftime("%d %b")
    if weekday:
        name = weekday_name(value, lang)
        text += f"（{name}）" if lang == "zh_CN" else f" ({name})"
    return text


def format_span(start: date, end: date, language: str = "zh_CN", weekday: bool = False) -> str:
    """A range of days, the month said once when it does not change (11月23日–29日,
    11月25日（周三）–27日（周五）), and a single day once (11月23日)."""
    first = format_date(start, language, weekday)
    if start == end:
        return first
    last = format_date(end, language, weekday)
    if normalize_language(language) != "zh_CN":
        return f"{first}–{last}" if not weekday else f"{first} – {last}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{first}–{last.split('月', 1)[1]}"
    return f"{first}–{last}"


_WEEKDAY_ASIDE = re.compile(r"（(周.)）\s*")
_ASIDE = re.compile(r"（([^（）]*)）")


@dataclass(frozen=True)
class Punctuation:
    """The punctuation a template puts between values: full-width in Chinese."""

    colon: str
    comma: str
    semicolon: str
    opening: str
    closing: str
    enumeration: str  # between the items of a list: 、 in Chinese, a comma in English

    def join(self, items: Iterable[object]) -> str:
        """The items as a list is written: 李春华、王建军 / 李春华, 王建军."""
        return self.enumeration.join(str(item) for item in items)

    def paren(self, inner: object) -> Html:
        """An aside in parentheses, never nested: an inner Chinese aside is flattened."""
        text = escape(inner)
        if self.opening == "（":
            text = Markup(_ASIDE.sub(r"，\1", _WEEKDAY_ASIDE.sub(r"\1 ", str(text)).strip()))
        return Markup(self.opening) + text + Markup(self.closing)


PUNCTUATION = {
    "zh_CN": Punctuation("：", "，", "；", "（", "）", "、"),
    "en": Punctuation(": ", ", ", "; ", " (", ")", ", "),
}


def listing(language: str, items: Iterable[object]) -> str:
    """The items joined as a list is written in `language`."""
    return PUNCTUATION[normalize_language(language)].join(items)


def format_datetime(
    value: datetime, tz: ZoneInfo, language: str = "zh_CN", weekday: bool = True
) -> str:
    """A moment as a notice writes it: 12月3日（周四）15:00 (no space in Chinese), or
    03 Dec (Thu) 15:00."""
    local = value.astimezone(tz)
    space = "" if normalize_language(language) == "zh_CN" else " "
    return f"{format_date(local.date(), language, weekday)}{space}{local:%H:%M}"


class Renderer:
    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(resources.files("templates"))),
            autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            extensions=["jinja2.ext.do"],
        )
        self.env.filters["date"] = format_date

    def render(self, template_name: str, language: str, **context: Any) -> Html:
        """A message body; every value the template shows is escaped unless it is `Html`."""
        lang = normalize_language(language)
        template = self.env.get_template(template_name)
        return Html(
            template.render(
                _=gettext_for(lang),
                ngettext=ngettext_for(lang),
                lang=lang,
                punct=PUNCTUATION[lang],
                paren=PUNCTUATION[lang].paren,
                **context,
            ).strip()
        )

    def render_parts(self, template_name: str, language: str, **context: Any) -> list[Html]:
        """Render and split at Telegram's message limit."""
        return split_message(self.render(template_name, language, **context))
