"""Reaching the Bot API (getMe), and saying in one line why it failed.

A network problem is an expected condition for a server in a township office (no route to
Telegram, a proxy that is down, a mistyped address), so it is reported as one sentence that
says what failed and what to check, never as a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.core.config import ENV_TOKEN, Settings
from bot.core.logsetup import RedactingFormatter

DEFAULT_API = "https://api.telegram.org"
# Plain-text translations (the terminal, the log), not Telegram HTML.
Text = Callable[[str], str]
# Long enough for a slow proxy, short enough that a command without network answers soon.
CHECK_TIMEOUT = 5.0


@dataclass(frozen=True)
class Route:
    """How the bot reaches the Bot API: its address and an optional outbound proxy."""

    api_base_url: str = DEFAULT_API
    proxy: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> Route:
        return cls(settings.telegram.api_base_url, settings.telegram.proxy)


def sentences(_: Text, first: str, *more: str) -> str:
    """Sentences on one line (Chinese sentences follow each other without a space)."""
    for sentence in more:
        first = _("{sentence} {next}").format(sentence=first, next=sentence)
    return first


def safe_proxy(proxy: str) -> str:
    """The proxy address without its user name and password (they are never printed)."""
    try:
        parts = urlsplit(proxy)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "?"
    return f"{parts.scheme}://{host}{port}" if parts.scheme and host else "?"


class TelegramProblem(Exception):
    """The Bot API could not be used; `render` says why in one line."""

    exit_code = 3

    def __init__(self, route: Route, reason: str = "") -> None:
        super().__init__(reason)
        self.route = route
        self.reason = reason

    def render(self, _: Text) -> str:
        raise NotImplementedError


class TelegramUnreachable(TelegramProblem):
    def render(self, _: Text) -> str:
        via = (
            _(" through the proxy {proxy}").format(proxy=safe_proxy(self.route.proxy))
            if self.route.proxy
            else ""
        )
        line = _(
            "Cannot reach the Telegram Bot API at {url}{via}: {reason}. Check the network "
            "connection, [telegram] proxy and [telegram] api_base_url."
        ).format(url=self.route.api_base_url, via=via, reason=self.reason)
        if self.route.api_base_url == DEFAULT_API and not self.route.proxy:
            hint = _(
                "From mainland China, Telegram is reached through a proxy or a Bot API server "
                "abroad (see the README)."
            )
            return sentences(_, line, hint)
        return line


class TokenRejected(TelegramProblem):
    exit_code = 2

    def render(self, _: Text) -> str:
        return _(
            "The Bot API at {url} rejected the bot token: check [telegram] token (or the "
            "environment variable {env}) and [telegram] api_base_url."
        ).format(url=self.route.api_base_url, env=ENV_TOKEN)


class NoBotApiThere(TokenRejected):
    """getMe answered 404 Not Found: most often an address with a wrong path."""

    def render(self, _: Text) -> str:
        return _(
            "The server at {url} answered 404 Not Found to getMe: there is no Bot API at this "
            "address, or the token is malformed. Check [telegram] api_base_url (the server's "
            "address, without /bot and the token) and [telegram] token (or the environment "
            "variable {env})."
        ).format(url=self.route.api_base_url, env=ENV_TOKEN)


def token_problem(route: Route, error: BaseException) -> TokenRejected:
    """What the Bot API's refusal of getMe (`InvalidToken`, or the library's own that
    wraps it while initializing) says to check."""
    from bot.core.telegram_request import NotFound

    not_found = isinstance(error, NotFound) or isinstance(error.__cause__, NotFound)
    return (NoBotApiThere if not_found else TokenRejected)(route)


_DNS = re.compile(
    r"name or service not known|temporary failure in name resolution|nodename nor servname"
    r"|getaddrinfo failed|no address associated|name resolution",
    re.IGNORECASE,
)
_REFUSED = re.compile(
    r"connection refused|all connection attempts failed|connect call failed", re.IGNORECASE
)


def reason_of(exc: BaseException, _: Text, secrets: tuple[str, ...] = ()) -> str:
    """A short, translated description of a failed Bot API request (never the token)."""
    from telegram.error import TimedOut

    text = RedactingFormatter(list(secrets), "").redact(str(exc)).strip()
    if isinstance(exc, TimedOut) or "timed out" in text.lower():
        return _("no answer in time")
    if "proxy" in text.lower() or type(exc).__name__ == "ProxyError":
        return _("the proxy failed: {detail}").format(detail=text or type(exc).__name__)
    if _DNS.search(text):
        return _("the server name could not be resolved")
    if _REFUSED.search(text):
        return _("the connection was refused")
    return text or type(exc).__name__


async def get_me(token: str, route: Route, _: Text, seconds: float = CHECK_TIMEOUT) -> str:
    """The bot's @username from getMe; raises TelegramUnreachable or TokenRejected."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from bot.core.telegram_request import CheckRequest

    try:
        request = CheckRequest(
            connect_timeout=seconds,
            read_timeout=seconds,
            write_timeout=seconds,
            pool_timeout=seconds,
            proxy=route.proxy,
        )
        bot = Bot(
            token,
            base_url=f"{route.api_base_url}/bot",
            base_file_url=f"{route.api_base_url}/file/bot",
            request=request,
            get_updates_request=request,
        )
        async with bot:
            return str(bot.username)
    except InvalidToken as exc:
        raise token_problem(route, exc) from None
    except (TelegramError, RuntimeError, ValueError, OSError) as exc:
        # RuntimeError: a SOCKS proxy without its optional package; ValueError: a malformed
        # proxy address.
        raise TelegramUnreachable(route, reason_of(exc, _, (token,))) from None
