"""The Chinese font the charts and the PDFs are drawn with.

Found through fontconfig (`fc-list`, which WeasyPrint's Pango uses too), preferring Noto Sans
CJK SC (Debian's fonts-noto-cjk); where fontconfig is missing, a fixed list of the usual
paths. Without one, Chinese would come out as empty boxes, so drawing stops with
`NoCjkFont`, whose message says what to install.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
KNOWN_FILES = (
    ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    ("Noto Sans CJK SC", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    ("Noto Sans CJK SC", "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
    ("WenQuanYi Micro Hei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
INSTALL_HINT = (
    "No Chinese (CJK) font is installed, so charts and PDFs cannot be drawn. Install one: "
    "on Debian or Ubuntu `apt-get install fonts-noto-cjk`."
)


class NoCjkFont(RuntimeError):
    def __init__(self, message: str = INSTALL_HINT) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path


def choose(listing: Iterable[tuple[str, str, str]]) -> CjkFont | None:
    """The preferred family among fontconfig's (family, file, style) lines; regular faces
    before bold ones."""
    found: dict[str, CjkFont] = {}
    regular: set[str] = set()
    for family, file, style in listing:
        is_regular = style.lower() in ("regular", "book", "normal", "")
        if family not in found or (is_regular and family not in regular):
            found[family] = CjkFont(family, Path(file))
            if is_regular:
                regular.add(family)
    for family in PREFERRED:
        if family in found:
            return found[family]
    return next(iter(sorted(found.values(), key=lambda f: f.family)), None)


def _fontconfig() -> list[tuple[str, str, str]] | None:
    """fc-list's Chinese fonts, or None without fontconfig."""
    try:
        done = subprocess.run(
            ["fc-list", "--format", "%{family[0]}|%{file}|%{style[0]}\n", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = []
    for line in done.stdout.splitlines():
        family, _, rest = line.partition("|")
        file, _, style = rest.partition("|")
        if family and file:
            lines.append((family, file, style))
    return lines


def find_cjk_font(
    listing: Sequence[tuple[str, str, str]] | None,
    known: Sequence[tuple[str, str]] = KNOWN_FILES,
) -> CjkFont:
    """From fontconfig's listing, or (None: no fontconfig) from the known paths."""
    if listing is not None:
        font = choose(listing)
    else:
        font = next((CjkFont(f, Path(p)) for f, p in known if Path(p).is_file()), None)
    if font is None:
        raise NoCjkFont()
    return font


@cache
def cjk_font() -> CjkFont:
    return find_cjk_font(_fontconfig())


__all__ = ["INSTALL_HINT", "CjkFont", "NoCjkFont", "cjk_font", "find_cjk_font"]
