"""The answers of `township-bot init` and how each is checked: a check returns the value
and "" when the answer will do, or "" and a polite sentence saying why not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.config import TOWNSHIP_CODE
from bot.core.reach import Route, Text

DEFAULT_TIMEZONE = "Asia/Shanghai"
TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
BOT_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


@dataclass
class Answers:
    name: str = ""
    code: str = ""
    villages: list[str] = field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE
    token: str = ""  # pasted; "" when it comes from the environment (or later)
    route: Route = field(default_factory=Route)
    bot_username: str = ""


class AnswerChecks:
    def __init__(self, _: Text) -> None:
        self._ = _

    def parse_name(self, answer: str) -> tuple[str, str]:
        if not answer or len(answer) > 64:
            return "", self._("Please type the township's name (at most 64 characters).")
        return answer, ""

    def parse_code(self, answer: str) -> tuple[str, str]:
        code = answer.upper()
        if not re.fullmatch(TOWNSHIP_CODE, code):
            return "", self._(
                "{answer} is not a township code: use 2–10 capital letters or digits, starting "
                "with a letter (such as SHZ)."
            ).format(answer=repr(answer))
        return code, ""

    def parse_timezone(self, answer: str) -> tuple[str, str]:
        name = answer or DEFAULT_TIMEZONE
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return "", self._(
                "{answer} is not a time zone this computer knows: use a name such as "
                "Asia/Shanghai or Asia/Urumqi."
            ).format(answer=repr(answer))
        return name, ""

    def parse_choice(self, answer: str) -> tuple[str, str]:
        choice = answer or "1"
        if choice not in ("1", "2", "3"):
            return "", self._("Please answer 1, 2 or 3.")
        return choice, ""

    def parse_proxy(self, answer: str) -> tuple[str, str]:
        try:
            parts = urlsplit(answer)
            ok = parts.scheme in PROXY_SCHEMES and bool(parts.hostname) and bool(parts.port)
        except ValueError:
            ok = False
        if not ok:
            return "", self._(
                "{answer} is not a proxy address: write it as http://host:port or "
                "socks5://host:port (user:password@ may come before the host)."
            ).format(answer=repr(answer))
        return answer, ""

    def parse_server(self, answer: str) -> tuple[str, str]:
        url = answer.rstrip("/").removesuffix("/bot").rstrip("/")
        try:
            ok = urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).hostname)
        except ValueError:
            ok = False
        if not ok:
            return "", self._(
                "{answer} is not a web address: it starts with http:// or https://."
            ).format(answer=repr(answer))
        return url, ""

    def parse_token(self, answer: str) -> tuple[str, str]:
        if answer and not TOKEN.fullmatch(answer):
            return "", self._(
                "This does not look like a bot token (digits, a colon, then about 35 letters, "
                "digits, - and _). Paste it again, or press Enter to skip."
            )
        return answer, ""

    def parse_username(self, answer: str) -> tuple[str, str]:
        name = re.sub(r"^(https?://)?(t\.me/|@)", "", answer).strip("/")
        if not BOT_USERNAME.fullmatch(name) or not name.lower().endswith("bot"):
            return "", self._(
                "{answer} is not a bot's username: 5–32 letters, digits and _, ending in bot "
                "(such as shz_work_bot)."
            ).format(answer=repr(answer))
        return name, ""
