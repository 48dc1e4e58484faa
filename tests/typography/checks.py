"""What an official Chinese text does not do, as checks over rendered zh_CN text."""

from __future__ import annotations

import html
import re

CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
_HALF_WIDTH = re.compile(rf"{CJK} ?[:;,()!?]|[:;,()!?] ?{CJK}")
_NESTED = re.compile(r"（[^（）]*（")
_TAG = re.compile(r"<[^>]+>")

# Where half-width punctuation beside Chinese is right: a URL or proxy address written as
# the user must type it, and a formula in the configuration's comments.
ALLOWED = (
    re.compile(r"[a-z0-9]+://"),
    re.compile(r"用户名:密码"),
    re.compile(r"round\("),
)


def problems(text: str) -> list[str]:
    """Lines of `text` (Telegram HTML or a page) that break the typography rules."""
    found = []
    for line in html.unescape(_TAG.sub("", text)).splitlines():
        if any(a.search(line) for a in ALLOWED):
            continue
        if _HALF_WIDTH.search(line):
            found.append(f"half-width punctuation beside Chinese: {line.strip()}")
        if _NESTED.search(line):
            found.append(f"nested parentheses: {line.strip()}")
        if re.search(r"还有 ?0 ?天", line):
            found.append(f"还有 0 天 for 今天: {line.strip()}")
    return found


# A catalogue string, before its values are put in: no space between Chinese and a number
# or a value (共{count}笔, 12月3日（周四）15:00). A space stays beside Latin text, which a value
# may hold too: these values are codes, paths, addresses, commands or what the user typed.
LATIN_VALUES = frozenset(
    {
        "actual", "answer", "attr", "backup", "case", "code", "configured", "document", "env",
        "error", "example", "format", "job", "key", "known", "language", "link", "path",
        "pattern", "proxy", "revision", "source", "timezone", "token", "url", "value",
        "number",  # a case number (SHZ-2026-0058); a list's issue (第{number}期) is a count
    }
)  # fmt: skip
_CJK_CHAR = re.compile(CJK)
_VALUE_FIRST = re.compile(r"^\{([^{}:!]*)[^{}]*\}")
_VALUE_LAST = re.compile(r"\{([^{}:!]*)[^{}]*\}$")
_TAGS_AT_START = re.compile(r"^(?:<[^>]+>)+")
_TAGS_AT_END = re.compile(r"(?:<[^>]+>)+$")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")
_PHONE = re.compile(r"^1\d{10}(?!\d)")  # a mobile number, as an example of what to type


def _latin_number(token: str) -> bool:
    """A number that is part of Latin text: GB18030, UTF-8, a URL, an address."""
    return bool(re.search(r"[A-Za-z@]|://", token) or _IP.search(token) or _PHONE.match(token))


def _value_or_number(token: str, cjk: str, at_start: bool) -> bool:
    """Whether `token` (the text beside a space, on the side away from Chinese `cjk`) is a
    value or a number written against Chinese."""
    token = (_TAGS_AT_START if at_start else _TAGS_AT_END).sub("", token)
    if not token:
        return False
    value = (_VALUE_FIRST if at_start else _VALUE_LAST).search(token)
    if value is not None:
        return value.group(1) not in LATIN_VALUES or cjk in "第期"
    digit = token[0] if at_start else token[-1]
    return digit.isdigit() and not _latin_number(token)


def spaced_values(text: str) -> list[str]:
    """The places in a zh_CN catalogue string where a space stands between Chinese and a
    number or a value. Inside “quotes” (an example of what to type) a space is content."""
    found = []
    for space in re.finditer(r" +", text):
        start, end = space.span()
        if text[:start].count("“") > text[:start].count("”"):
            continue
        left = text[:start].split()[-1] if text[:start].split() else ""
        right = text[end:].split()[0] if text[end:].split() else ""
        left_char, right_char = text[start - 1 : start], text[end : end + 1]
        if (_CJK_CHAR.match(left_char) and _value_or_number(right, left_char, True)) or (
            _CJK_CHAR.match(right_char) and _value_or_number(left, right_char, False)
        ):
            found.append(text[max(0, start - 8) : end + 8])
    return found
