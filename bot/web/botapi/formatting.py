"""Telegram message formatting: HTML / MarkdownV2 / Markdown to plain text + entities.

Offsets and lengths are in UTF-16 code units, like the Bot API. The HTML parser follows the
documented rules strictly (every ``<`` and ``&`` outside a tag or entity must be escaped), which
is slightly stricter than Telegram's own parser (it lets a bare ``&`` through), so a bot that
passes here works against any Bot API implementation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Malformed formatted text; the message is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _sort(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, moving/clipping entities accordingly."""
    left = len(text) - len(text.lstrip())
    shift = utf16_len(text[:left])
    stripped = text.strip()
    total = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Parse ``text`` according to ``parse_mode`` (case-insensitive, like Telegram)."""
    mode = (parse_mode or "").strip().lower()
    if mode == "":
        plain, entities = text, list[Entity]()
    elif mode == "html":
        plain, entities = parse_html(text)
    elif mode == "markdownv2":
        plain, entities = parse_markdown(text, v2=True)
    elif mode == "markdown":
        plain, entities = parse_markdown(text, v2=False)
    else:
        raise ValueError("unsupported parse_mode")
    return strip_text(plain, entities)


# --- HTML ------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NUMERIC_ENTITY = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITY = re.compile(r"&([a-zA-Z]{1,10});")


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str] = field(default_factory=dict)


def _decode_entity(src: str, i: int) -> tuple[str, int]:
    """Decode the HTML entity starting at ``src[i] == "&"``; return (char, next index)."""
    m = _NUMERIC_ENTITY.match(src, i)
    if m:
        code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), m.end()
    m = _NAMED_ENTITY.match(src, i)
    if m and m.group(1) in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[m.group(1)], m.end()
    raise EntityParseError(
        f"Character '&' must be escaped as '&amp;' at byte offset {_byte_offset(src, i)}"
    )


def _decode_attr(src: str, value: str, base: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            try:
                ch, i = _decode_entity(value, i)
            except EntityParseError:
                raise EntityParseError(
                    "Character '&' must be escaped as '&amp;' at byte offset "
                    f"{_byte_offset(src, base + i)}"
                ) from None
            out.append(ch)
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _parse_attrs(src: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``i`` up to and including ``>``."""
    attrs: dict[str, str] = {}
    n = len(src)
    unclosed = EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise unclosed
        if src[i] == ">":
            return attrs, i + 1
        start = i
        while i < n and not src[i].isspace() and src[i] not in "=>":
            i += 1
        name = src[start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, i)}'
            )
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise unclosed
        if src[i] != "=":
            attrs[name] = ""
            continue
        i += 1
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise unclosed
        if src[i] in "\"'":
            end = src.find(src[i], i + 1)
            if end == -1:
                raise unclosed
            raw, value_start, i = src[i + 1 : end], i + 1, end + 1
        else:
            value_start = i
            while i < n and not src[i].isspace() and src[i] != ">":
                i += 1
            raw = src[value_start:i]
        attrs[name] = _decode_attr(src, raw, value_start)


def _close_entity(tag: _OpenTag, end: int, src: str, entities: list[Entity]) -> None:
    length = end - tag.start
    kind = _HTML_TAGS[tag.name]
    if kind == "text_link":
        url = tag.attrs.get("href", "")
        if not url or length == 0:
            return
        entities.append({"type": "text_link", "offset": tag.start, "length": length, "url": url})
        return
    if length == 0:
        return
    entity: Entity = {"type": kind, "offset": tag.start, "length": length}
    if kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "code":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            entity["_language"] = language[len("language-") :]
    elif kind == "pre":
        # <pre><code class="language-x">...</code></pre> becomes one pre entity with a language.
        for inner in list(entities):
            if inner["type"] == "code" and (inner["offset"], inner["length"]) == (
                tag.start,
                length,
            ):
                entities.remove(inner)
                if inner.get("_language"):
                    entity["language"] = inner["_language"]
    entities.append(entity)


def parse_html(src: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    pos = 0  # current UTF-16 offset in the output
    stack: list[_OpenTag] = []
    entities: list[Entity] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            ch, i = _decode_entity(src, i)
            out.append(ch)
            pos += utf16_len(ch)
            continue
        if c != "<":
            out.append(c)
            pos += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if i < n and src[i] == "/":
            end = src.find(">", i)
            if end == -1:
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(src, begin)}"
                )
            name = src[i + 1 : end].strip().lower()
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(src, begin)}"
                )
            open_tag = stack.pop()
            if name != open_tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                    f'expected "</{open_tag.name}>", found "</{name}>"'
                )
            _close_entity(open_tag, pos, src, entities)
            i = end + 1
            continue
        start = i
        while i < n and not src[i].isspace() and src[i] != ">":
            i += 1
        name = src[start:i].lower()
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if not name:
            raise EntityParseError(f"Empty tag name at byte offset {_byte_offset(src, begin)}")
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}'
            )
        attrs, i = _parse_attrs(src, i, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError(
                f"Custom emoji entity must contain a valid emoji-id at byte offset "
                f"{_byte_offset(src, begin)}"
            )
        stack.append(_OpenTag(name, pos, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    return "".join(out), _sort(entities)


# --- Markdown ---------------------------------------------------------------------------------

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def parse_markdown(src: str, *, v2: bool) -> tuple[str, list[Entity]]:
    """MarkdownV2 (and legacy Markdown) without blockquotes and custom emoji."""
    out: list[str] = []
    pos = 0
    stack: list[tuple[str, int, int, str]] = []  # (type, start, byte offset, language)
    entities: list[Entity] = []
    markers = (
        {"*": "bold", "_": "italic", "~": "strikethrough"} if v2 else {"*": "bold", "_": "italic"}
    )
    i, n = 0, len(src)

    def emit(ch: str) -> None:
        nonlocal pos
        out.append(ch)
        pos += utf16_len(ch)

    def toggle(kind: str, at: int) -> None:
        if stack and stack[-1][0] == kind:
            _, start, _, _ = stack.pop()
            if pos > start:
                entities.append({"type": kind, "offset": start, "length": pos - start})
        elif any(item[0] == kind for item in stack):
            top = stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MD_NAMES[top[0]]} entity at byte offset {top[2]}"
            )
        else:
            stack.append((kind, pos, _byte_offset(src, at), ""))

    while i < n:
        c = src[i]
        top = stack[-1][0] if stack else None
        if c == "\\" and i + 1 < n and (0 < ord(src[i + 1]) < 127 if v2 else src[i + 1] in "_*`["):
            emit(src[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            closing = "```" if top == "pre" else "`"
            if src.startswith(closing, i):
                kind, start, _, language = stack.pop()
                entity: Entity = {"type": kind, "offset": start, "length": pos - start}
                if language:
                    entity["language"] = language
                if pos > start:
                    entities.append(entity)
                i += len(closing)
            else:
                emit(c)
                i += 1
            continue
        if src.startswith("```", i):
            end_of_line = src.find("\n", i + 3)
            language = src[i + 3 : end_of_line].strip() if end_of_line != -1 else ""
            stack.append(("pre", pos, _byte_offset(src, i), language))
            i = end_of_line + 1 if end_of_line != -1 and language else i + 3
            continue
        if c == "`":
            stack.append(("code", pos, _byte_offset(src, i), ""))
            i += 1
            continue
        if v2 and src.startswith("__", i):
            toggle("underline", i)
            i += 2
            continue
        if v2 and src.startswith("||", i):
            toggle("spoiler", i)
            i += 2
            continue
        if c in markers:
            toggle(markers[c], i)
            i += 1
            continue
        if c == "[":
            stack.append(("text_link", pos, _byte_offset(src, i), ""))
            i += 1
            continue
        if c == "]" and top == "text_link":
            if not src.startswith("(", i + 1):
                raise EntityParseError(
                    f"Can't find end of TextUrl entity at byte offset {stack[-1][2]}"
                )
            url_chars: list[str] = []
            j = i + 2
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                url_chars.append(src[j])
                j += 1
            if j >= n:
                raise EntityParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(src, i + 1)}"
                )
            _, start, _, _ = stack.pop()
            if pos > start:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": start,
                        "length": pos - start,
                        "url": "".join(url_chars),
                    }
                )
            i = j + 1
            continue
        if v2 and c in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(c)
        i += 1
    if stack:
        kind, _, offset, _ = stack[-1]
        if v2:
            raise EntityParseError(
                f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {offset}"
            )
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {offset}")
    return "".join(out), _sort(entities)


# --- entity detection in user messages --------------------------------------------------------

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def detect_commands(text: str) -> list[Entity]:
    """bot_command entities the way Telegram marks them in incoming messages."""
    entities: list[Entity] = []
    for m in _COMMAND.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
        )
    return entities
