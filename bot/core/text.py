"""Telegram HTML messages: escaping by construction, plain-text forms, splitting.

Every message the bot sends is `Html` (markupsafe's `Markup`): rendered from a template, or
a translated message (`_()` returns `Html`) whose `.format()` escapes each value it is
given. Anything else is text, escaped when it becomes part of a message. So a name or a
note a user typed is escaped wherever it is shown, without any call site remembering to.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

Html = Markup

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that show nothing themselves but hide or reorder what is around them: zero-width
# spaces and joiners between words, direction marks, embeddings, overrides and isolates (a
# right-to-left override makes a typed “华春李” read “李春华”), the byte order mark. The
# zero-width joiner of emoji sequences (U+200D) and the non-joiner (U+200C) stay.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def esc(value: object) -> Html:
    """Escape text for Telegram HTML (numeric entities only, which Telegram accepts); `Html`
    is returned unchanged."""
    return escape(value)


def as_html(value: object) -> Html:
    """A message body: `Html` as it is, anything else escaped as text."""
    return escape(value)


def join_html(parts: Iterable[str], sep: str = "\n") -> Html:
    """Join message pieces, escaping those that are text."""
    return Markup(sep).join(parts)


_TAG = re.compile(r"<[^>]+>")


def plain(value: object) -> str:
    """The text a reader sees: for `Html`, tags dropped and entities decoded (an alert, a
    button label or a document cell shows no HTML); anything else as it is."""
    if isinstance(value, Markup):
        return html.unescape(_TAG.sub("", str(value)))
    return str(value)


def quoted(value: str, limit: int = 60) -> Html:
    """User input echoed back in a reply ("no village called “…”"): escaped and shortened, so
    a 10,000-character message cannot make the reply longer than Telegram allows."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return esc(text)


def clean_line(text: str) -> str:
    """User-typed single-line text: strip control and invisible formatting characters and
    surrounding space."""
    return _INVISIBLE.sub("", _CONTROL.sub("", unicodedata.normalize("NFC", text))).strip()


def clean_text(text: str) -> str:
    """User-typed multi-line text: keep newlines, drop other control characters and the
    invisible formatting characters."""
    return _INVISIBLE.sub("", _CONTROL.sub("", unicodedata.normalize("NFC", text))).strip()


def visible_length(html: str) -> int:
    """Length Telegram counts after entity parsing, in UTF-16 code units (an upper bound)."""
    plain = re.sub(r"<[^>]+>", "", html)
    plain = re.sub(r"&(#\d+|#x[0-9a-fA-F]+|[a-z]+);", "x", plain)
    return len(plain.encode("utf-16-le")) // 2


def split_message(html: str, limit: int = MESSAGE_LIMIT) -> list[Html]:
    """Split at paragraph, then line boundaries; tags never span lines in our templates."""
    whole = as_html(html)
    if visible_length(whole) <= limit:
        return [whole]
    chunks: list[str] = []
    current = ""
    for paragraph in str(whole).split("\n\n"):
        pieces = [paragraph] if visible_length(paragraph) <= limit else paragraph.split("\n")
        for piece in pieces:
            while visible_length(piece) > limit:  # one enormous line: hard cut outside tags
                cut = _safe_cut(piece, limit)
                if current:
                    chunks.append(current)
                    current = ""
                chunks.append(piece[:cut])
                piece = piece[cut:]
            sep = "\n\n" if piece is paragraph else "\n"
            candidate = f"{current}{sep}{piece}" if current else piece
            if visible_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return [Markup(c) for c in chunks if c.strip()]


def _safe_cut(line: str, limit: int) -> int:
    count = 0
    i = 0
    while i < len(line) and count < limit - 1:
        if line[i] == "<":
            end = line.find(">", i)
            i = end + 1 if end != -1 else i + 1
            continue
        if line[i] == "&":
            end = line.find(";", i)
            if end != -1 and end - i <= 10:
                i = end + 1
                count += 1
                continue
        count += 2 if ord(line[i]) > 0xFFFF else 1
        i += 1
    return i
