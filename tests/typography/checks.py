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
