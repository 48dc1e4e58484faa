"""What every printed page shares: A4, the township and the period at the top of each
page (taken from the elements of class `township` and `period`), page numbers at the
bottom, a Chinese font. Templates put `{{ page_css }}` in their style sheet; the PDF
itself is made by `bot.core.worker.print_pdf`."""

from __future__ import annotations

import re

from markupsafe import Markup

from bot.core.i18n import gettext_for

FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
SERIF_FONTS = '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif'


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def counter_content(pattern: str) -> str:
    """A CSS `content` value from a sentence with {page} and {pages}."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


CHART_SRC = re.compile(r'src="chart:([a-z_]+)"')


def chart_src(name: str) -> str:
    """Where a page shows chart `name` (`<img class="chart" src="{{ chart }}">`); the worker
    draws it in."""
    return f"chart:{name}"


def page_css(language: str) -> Markup:
    _ = gettext_for(language)
    pages = counter_content(str(_("Page {page} of {pages}")))
    return Markup(
        "@page { size: A4; margin: 20mm 16mm 18mm;\n"
        "  @top-left { content: string(township); font-size: 8.5pt; color: #555; }\n"
        "  @top-right { content: string(period); font-size: 8.5pt; color: #555; }\n"
        f"  @bottom-center {{ content: {pages}; font-size: 8.5pt; color: #555; }} }}\n"
        ".township { string-set: township content(); }\n"
        ".period { string-set: period content(); }\n"
        "img.chart { width: 100%; }\n"
    )


__all__ = ["CHART_SRC", "FONTS", "SERIF_FONTS", "chart_src", "counter_content", "page_css"]
