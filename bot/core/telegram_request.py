"""The Bot API's HTTP clients: aiohttp (the default) or httpx, with one retry policy.

Two clients implement python-telegram-bot's `BaseRequest`: `AiohttpRequest` (a fifth of the
CPU per Bot API call of PTB's own httpx stack, bench/http_client.py) and PTB's
`HTTPXRequest`, kept as the fallback (`[telegram] http_client`). Both honour the same
timeouts, connection pool size and proxy (`[telegram] proxy`, and only that: not the
environment's HTTP(S)_PROXY; HTTP(S), or SOCKS5 through aiohttp-socks / httpx[socks]), and map
their errors to PTB's `NetworkError` and `TimedOut`.

A reply to a user (the edited card that says "✅ Visit logged.", a callback answer) that is
lost to one 502 or one dropped connection makes the user wonder whether their work was
saved, and do it again. So every Bot API call except getUpdates (which the updater already
retries in its own loop) is retried a few times with a short backoff when it fails with a
network error or a 5xx answer (`Retrying`, shared by both clients):

- methods that change nothing new when repeated (edits, callback answers, deletes, getMe,
  setMyCommands, ...) are retried on every network error, timeouts included;
- methods that create a message (`send*`) are not retried after a timeout that may have come
  after the request reached Telegram (reading the answer, writing the body), because a retry
  would send the message twice; they are retried after a 5xx answer, a connection that failed
  or closed without an answer, and a timeout while connecting (nothing was sent yet).

The client for getUpdates keeps the answer it last read (`ReadableUpdates`), so that when
python-telegram-bot cannot read an update of it (a Bot API server of another version),
`bot.core.unreadable.UpdatesBot` reads its updates one by one and skips that one only.

Answers that are not the Bot API's own are made into ones the library and the bot read
(`ServerAnswers`, under the retry policy): a reverse proxy's 502/503/504 HTML page, or any
error whose body is not JSON, becomes the Bot API error of its status (one short line, no
HTML in the logs, no traceback from the library's JSON reader); a 2xx whose body is empty or
not JSON is a network error (`UnreadableAnswer`; a send that got one is not retried, it may
have arrived); a 429 without `parameters.retry_after` gets one, from its description ("retry
after 5") or a short default, so the rate limiter waits instead of failing the request; a
method the server does not have (404 once the token was accepted, 405, 501, or a 400 that
says so) raises `Unsupported`, a `BadRequest`, not the library's `InvalidToken`: the token is
fine, that method is missing.

429 is otherwise not handled here: the rate limiter waits `retry_after` and retries.

A send of the durable outbox carries its row's key in the `Idempotency-Key` header (`keyed`),
the same on every attempt: the township's own server (`[channel] kind = "web"`) performs a
key once and answers a repeat with the first answer; Telegram ignores the header.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from base64 import b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode, urlsplit

import aiohttp
import httpx
from aiohttp_socks import (
    ProxyConnectionError,
    ProxyConnector,
    ProxyError,
    ProxyTimeoutError,
    ProxyType,
)
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import BadRequest, InvalidToken, NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from yarl import URL

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

    from bot.core.config import TelegramConfig

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
_key: ContextVar[str | None] = ContextVar("idempotency_key", default=None)


@contextmanager
def keyed(key: str) -> Iterator[None]:
    """Bot API requests made inside carry `key` as their idempotency key."""
    token = _key.set(key)
    try:
        yield
    finally:
        _key.reset(token)


def key_headers() -> dict[str, str]:
    key = _key.get()
    return {} if key is None else {IDEMPOTENCY_HEADER: key}


async def _add_key(request: httpx.Request) -> None:
    request.headers.update(key_headers())


# Timeouts that fire before a byte of the request left: a send may be tried again.
_NOTHING_SENT = (
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    aiohttp.ConnectionTimeoutError,
    ProxyTimeoutError,
)


def is_send(url: str) -> bool:
    method = url.rsplit("/", 1)[-1]
    return method.startswith("send") and method != "sendChatAction"


class UnreadableAnswer(NetworkError):
    """A success status whose body is not the Bot API's JSON (a proxy's empty 200): the
    request may have been carried out."""


class Unsupported(BadRequest):
    """The Bot API server does not have this method (a third-party or older server)."""


class NotFound(InvalidToken):
    """getMe answered 404: no Bot API at this address (a wrong `api_base_url` path), or a
    token of the wrong form; 401 is a token the server does not know."""


def may_have_arrived(error: NetworkError) -> bool:
    """Whether Telegram may have received and acted on a request that failed this way."""
    if isinstance(error, UnreadableAnswer):
        return True
    return isinstance(error, TimedOut) and not isinstance(error.__cause__, _NOTHING_SENT)


# A 429 without `parameters.retry_after`: the wait its description names, else this many s.
DEFAULT_RETRY_AFTER = 5
_RETRY_AFTER = re.compile(r"retry\D{0,12}?(\d+(?:\.\d+)?)", re.IGNORECASE)
_NO_METHOD = re.compile(
    r"method\b.{0,40}\b(not found|not supported|unsupported|unknown|not implemented)"
    r"|(unknown|unsupported|invalid) method",
    re.IGNORECASE,
)
# The statuses a server answers for a method it does not have (404 once getMe worked).
_MISSING_METHOD = (404, 405, 501)
# Methods whose 404 means the address or the token is wrong, not that the method is missing.
_FIRST_CALLS = ("getme", "logout", "close")


def _json_object(payload: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "HTTP error"


def _is_json_object(payload: bytes) -> bool:
    """Cheap, for every successful answer: the first byte of a JSON object."""
    return payload.lstrip()[:1] == b"{"


def server_answer(url: str, code: int, payload: bytes) -> tuple[int, bytes]:
    """The answer as the Bot API would give it (the module's docstring says what changes);
    raises `UnreadableAnswer` or `Unsupported`."""
    method = url.rsplit("/", 1)[-1]
    if 200 <= code <= 299:
        if _is_json_object(payload):
            return code, payload
        what = "an empty body" if not payload.strip() else "a body that is not JSON"
        raise UnreadableAnswer(f"The Bot API server answered {method} with {code} and {what}")
    data = _json_object(payload)
    if data is None:
        description = f"{_phrase(code)} ({code}); the answer was not the Bot API's JSON"
        data = {"ok": False, "error_code": code, "description": description}
    description = str(data.get("description") or _phrase(code))
    if code == 404 and method.lower() == "getme":
        raise NotFound(f"getMe: {description}")
    missing = code in _MISSING_METHOD and method.lower() not in _FIRST_CALLS
    if missing or (code == 400 and _NO_METHOD.search(description)):
        raise Unsupported(f"{method} is not supported by the Bot API server: {description}")
    parameters = data.get("parameters")
    if code == 429 and not (isinstance(parameters, dict) and parameters.get("retry_after")):
        found = _RETRY_AFTER.search(description)
        wait = float(found.group(1)) if found else DEFAULT_RETRY_AFTER
        data["parameters"] = {
            **(parameters if isinstance(parameters, dict) else {}),
            "retry_after": max(wait, 1),
        }
    return code, json.dumps(data).encode()


class ServerAnswers(BaseRequest):
    """`server_answer` on every Bot API call's answer (a file download, a GET, is left as
    it came): list it after `Retrying` and before the client."""

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, method, *args, **kwargs)  # type: ignore[safe-super]
        if method != "POST":
            return code, payload
        return server_answer(url, code, payload)


def redact_proxy(text: str, proxy: str | None) -> str:
    """`text` without the proxy's user name and password (error messages, log lines)."""
    if not proxy:
        return text
    parts = urlsplit(proxy)
    for secret in (parts.password, parts.username):
        if secret:
            text = text.replace(secret, "***").replace(unquote(secret), "***")
    return text


def proxy_for_display(proxy: str) -> str:
    """scheme://host:port of a proxy URL, for log lines."""
    parts = urlsplit(proxy)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}"


class Retrying(BaseRequest):
    """The retry policy above, for any `BaseRequest`: list it before the client class
    (`class RetryingRequest(Retrying, HTTPXRequest)`)."""

    def __init__(self, *args: Any, retries: int = 2, backoff: float = 0.2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retries = retries
        self.backoff = backoff
        self.retried = 0

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                code, payload = await super().do_request(url, *args, **kwargs)  # type: ignore[safe-super]
            except NetworkError as exc:
                if last or (is_send(url) and may_have_arrived(exc)):
                    raise
                reason = type(exc.__cause__ or exc).__name__
            else:
                if code < 500 or last:
                    return code, payload
                reason = str(code)
            self.retried += 1
            log.info("Bot API %s failed (%s); retrying", url.rsplit("/", 1)[-1], reason)
            await asyncio.sleep(delay)
            delay *= 3
        raise AssertionError("unreachable")


class ReadableUpdates(BaseRequest):
    """Keeps getUpdates' last answer (`answer`, the body as it came) for
    `bot.core.unreadable.UpdatesBot`, which clears it: list it before the client class."""

    answer: bytes | None = None

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, *args, **kwargs)  # type: ignore[safe-super]
        if url.endswith("/getUpdates"):
            self.answer = payload
        return code, payload


def _client_timeout(
    read: float | None, write: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    parts = (pool, connect, write, read)
    return aiohttp.ClientTimeout(
        total=None if None in parts else sum(p for p in parts if p is not None),
        # aiohttp's `connect` is waiting for a pooled connection plus making a new one.
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on aiohttp, with `HTTPXRequest`'s parameters and errors.

    aiohttp has no write timeout: the read timeout starts once the request is written, and
    the whole request is capped at the sum of the pool, connect, write and read timeouts."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
        ssl: Any = True,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._proxy = proxy or None
        self._ssl = ssl
        self._session: aiohttp.ClientSession | None = None
        self._http_proxy: URL | None = None
        self._proxy_headers: dict[str, str] | None = None
        self._headers = {"User-Agent": self.USER_AGENT}
        self._form_headers = {**self._headers, "Content-Type": "application/x-www-form-urlencoded"}
        self._timeout = _client_timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_timeout = _client_timeout(
            read_timeout, media_write_timeout, connect_timeout, pool_timeout
        )

    @property
    def read_timeout(self) -> float | None:
        return self._read

    def _build_session(self) -> aiohttp.ClientSession:
        connector: aiohttp.TCPConnector
        self._http_proxy = self._proxy_headers = None
        parts = urlsplit(self._proxy or "")
        if parts.scheme in ("socks5", "socks5h"):
            # The proxy resolves Telegram's name: local DNS may be poisoned or blocked.
            connector = ProxyConnector(
                proxy_type=ProxyType.SOCKS5,
                host=parts.hostname or "",
                port=parts.port or 1080,
                username=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                rdns=True,
                limit=self._pool_size,
                ssl=self._ssl,
            )
        else:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=self._ssl)
            if self._proxy:
                # The credentials go in a header, never in the URL: aiohttp's errors quote it.
                self._http_proxy = URL(f"{parts.scheme}://{parts.hostname}:{parts.port}")
                if parts.username is not None:
                    login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
                    self._proxy_headers = {
                        "Proxy-Authorization": "Basic " + b64encode(login.encode()).decode()
                    }
        return aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, headers=self._headers
        )

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = self._build_session()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        timeout = self._media_timeout if files else self._timeout
        if not all(
            isinstance(t, DefaultValue)
            for t in (read_timeout, write_timeout, connect_timeout, pool_timeout)
        ):
            timeout = _client_timeout(
                self._read if isinstance(read_timeout, DefaultValue) else read_timeout,
                (self._media_write if files else self._write)
                if isinstance(write_timeout, DefaultValue)
                else write_timeout,
                self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout,
                self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout,
            )
        data: Any = None
        headers = self._headers
        if request_data is not None:
            if files:
                data = self._multipart(request_data)
            else:
                data = urlencode(request_data.json_parameters).encode()
                headers = self._form_headers
        if self._proxy_headers is not None and url.startswith("http:"):
            headers = {**headers, **self._proxy_headers}  # forwarded, not tunnelled
        keys = key_headers()
        if keys:
            headers = {**headers, **keys}
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=self._http_proxy,
                proxy_headers=self._proxy_headers,  # sent with CONNECT
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            if isinstance(err, aiohttp.ConnectionTimeoutError):
                raise TimedOut(
                    "Timed out waiting for a connection: the request was not sent"
                ) from err
            raise TimedOut from err
        except ProxyTimeoutError as err:
            raise TimedOut(redact_proxy(f"Proxy timed out: {err}", self._proxy)) from err
        except (aiohttp.ClientError, ProxyError, ProxyConnectionError, OSError) as err:
            message = f"aiohttp.{type(err).__name__}: {err}"
            raise NetworkError(redact_proxy(message, self._proxy)) from err

    @staticmethod
    def _multipart(request_data: RequestData) -> aiohttp.FormData:
        # quote_fields=False: file names as UTF-8 (as httpx and browsers send them), not
        # percent-encoded, so 周报.xlsx arrives as 周报.xlsx.
        form = aiohttp.FormData(quote_fields=False)
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form


class RetryingAiohttpRequest(Retrying, ServerAnswers, AiohttpRequest):
    """aiohttp with the retry policy: the bot's default client."""


class RetryingRequest(Retrying, ServerAnswers, HTTPXRequest):
    """httpx with the retry policy: the fallback (`http_client = "httpx"`)."""


class ReadableUpdatesAiohttp(ReadableUpdates, ServerAnswers, AiohttpRequest):
    """aiohttp for getUpdates."""


class ReadableUpdatesHttpx(ReadableUpdates, ServerAnswers, HTTPXRequest):
    """httpx for getUpdates."""


class CheckRequest(ServerAnswers, HTTPXRequest):
    """httpx for one check of the token (`township-bot check-config`, `init`)."""


def bot_api_request(config: TelegramConfig, *, updates: bool = False) -> BaseRequest:
    """The configured client for the Bot API; with `updates`, the one for getUpdates (one
    connection, no retries: the updater retries in its own loop)."""
    timeout = config.request_timeout_seconds
    proxy = config.proxy or None
    options: dict[str, Any] = {
        "connection_pool_size": 1 if updates else 256,
        "read_timeout": timeout,
        "write_timeout": timeout,
        "connect_timeout": timeout,
        "pool_timeout": timeout,
    }
    if config.http_client == "httpx":
        # Like aiohttp, not the environment's HTTP(S)_PROXY: the config file says it all.
        options["httpx_kwargs"] = {"trust_env": False, "event_hooks": {"request": [_add_key]}}
        return (ReadableUpdatesHttpx if updates else RetryingRequest)(proxy=proxy, **options)
    return (ReadableUpdatesAiohttp if updates else RetryingAiohttpRequest)(proxy=proxy, **options)


__all__ = [
    "IDEMPOTENCY_HEADER",
    "AiohttpRequest",
    "CheckRequest",
    "NotFound",
    "ReadableUpdates",
    "ReadableUpdatesAiohttp",
    "ReadableUpdatesHttpx",
    "Retrying",
    "RetryingAiohttpRequest",
    "RetryingRequest",
    "ServerAnswers",
    "UnreadableAnswer",
    "Unsupported",
    "bot_api_request",
    "is_send",
    "keyed",
    "may_have_arrived",
    "proxy_for_display",
    "redact_proxy",
    "server_answer",
]
