"""The Bot API clients (bot/core/telegram_request.py): aiohttp and httpx behave alike.

Each test runs on both clients against the emulator (real HTTP on loopback, with its fault
injection) or, for the proxies, against a small HTTPS Bot API stand-in behind loopback HTTP
and SOCKS5 proxies (tests/unit/loopback_proxies.py)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import traceback
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.core.config import ConfigError, parse_settings
from bot.core.telegram_request import (
    AiohttpRequest,
    ReadableUpdatesAiohttp,
    ReadableUpdatesHttpx,
    Retrying,
    RetryingAiohttpRequest,
    RetryingRequest,
    bot_api_request,
    keyed,
    proxy_for_display,
    redact_proxy,
)
from devkit.emulator import BotApiEmulator, tiny_png
from tests.processes import free_port
from tests.unit.loopback_proxies import HttpProxy, LoopbackProxy, Socks5Proxy

TOKEN = "7000000001:CLIENT-token-for-the-emulator"
USER = 1001
CLIENTS = ["aiohttp", "httpx"]
PASSWORD = "s3cret-proxy-pass"


def client(
    kind: str,
    *,
    retrying: bool = True,
    timeout: float = 2.0,
    pool_size: int = 8,
    proxy: str | None = None,
    trust: ssl.SSLContext | None = None,
) -> BaseRequest:
    options: dict[str, Any] = {
        "connection_pool_size": pool_size,
        "read_timeout": timeout,
        "write_timeout": timeout,
        "connect_timeout": timeout,
        "pool_timeout": timeout,
        "proxy": proxy,
    }
    if retrying:
        options["backoff"] = 0.01
    if kind == "aiohttp":
        if trust is not None:
            options["ssl"] = trust
        return (RetryingAiohttpRequest if retrying else AiohttpRequest)(**options)
    if trust is not None:
        options["httpx_kwargs"] = {"verify": trust}
    return (RetryingRequest if retrying else HTTPXRequest)(**options)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN, username="client_test_bot")
    emulator.add_user(USER, "张三")
    yield emulator
    await emulator.stop()


@contextlib.asynccontextmanager
async def bot_on(emu: BotApiEmulator, request: BaseRequest) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url, request=request)
    async with bot:
        yield bot


def bot_messages(emu: BotApiEmulator) -> list[Any]:
    chat = emu.chat(USER, TOKEN)
    return [m for m in chat.all_messages.values() if m.from_bot]


# Answers, errors and timeouts


@pytest.mark.parametrize("kind", CLIENTS)
async def test_a_call_answers_and_a_refused_connection_is_a_network_error(
    emu: BotApiEmulator, kind: str
) -> None:
    async with bot_on(emu, client(kind)) as bot:
        me = await bot.get_me()
        assert me.username == "client_test_bot"
        sent = await bot.send_message(USER, "<b>你好</b>", parse_mode="HTML")
        assert sent.text == "你好"

    request = client(kind, retrying=False)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")
        assert not isinstance(caught.value, TimedOut)
    finally:
        await request.shutdown()


@pytest.mark.parametrize("kind", CLIENTS)
async def test_an_answer_that_comes_too_late_is_timed_out(emu: BotApiEmulator, kind: str) -> None:
    async with bot_on(emu, client(kind, retrying=False, timeout=0.3)) as bot:
        emu.faults.inject("getMe", "timeout")
        with pytest.raises(TimedOut):
            await bot.get_me()
        assert emu.stats.requests["getMe"] == 2  # the one in initialize, the one that timed out


# The retry policy


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("fault", ["500", "502", "drop"])
async def test_a_send_is_retried_after_a_5xx_or_a_dropped_connection(
    emu: BotApiEmulator, kind: str, fault: str
) -> None:
    request = client(kind)
    async with bot_on(emu, request) as bot:
        emu.faults.inject("sendMessage", fault)  # "drop": closed before doing anything
        await bot.send_message(USER, "到村走访")
    assert emu.stats.requests["sendMessage"] == 2
    assert [m.text for m in bot_messages(emu)] == ["到村走访"]
    assert request.retried == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", CLIENTS)
async def test_retries_stop_after_the_last_attempt(emu: BotApiEmulator, kind: str) -> None:
    request = client(kind)
    async with bot_on(emu, request) as bot:
        emu.faults.inject("sendMessage", "500", count=3)
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "到村走访")
    assert emu.stats.requests["sendMessage"] == 3
    assert bot_messages(emu) == []


@pytest.mark.parametrize("kind", CLIENTS)
async def test_a_timed_out_send_is_not_retried_but_a_timed_out_read_is(
    emu: BotApiEmulator, kind: str
) -> None:
    request = client(kind, timeout=0.3)
    async with bot_on(emu, request) as bot:
        # "timeout": the emulator sends the message, then answers too late.
        emu.faults.inject("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "只发一次")
        assert emu.stats.requests["sendMessage"] == 1
        assert [m.text for m in bot_messages(emu)] == ["只发一次"]  # sent once, not twice

        emu.faults.inject("getMe", "timeout")
        await bot.get_me()
        assert emu.stats.requests["getMe"] == 3  # initialize, the timed out one, the retry
    assert request.retried == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", CLIENTS)
async def test_a_send_that_never_got_a_connection_is_retried(
    emu: BotApiEmulator, kind: str
) -> None:
    """Waiting for a connection from a full pool times out before anything is sent, so a
    send is tried again (and here times out again: the only connection stays busy)."""
    request = client(kind, pool_size=1, timeout=0.2)
    async with bot_on(emu, request) as bot:
        emu.faults.inject("getMe", "stall")  # holds the pool's one connection
        busy = asyncio.create_task(bot.get_me(read_timeout=60))
        stalled = emu.resolve_bot(TOKEN).events_signal.wait_for(
            lambda: emu.stats.stalled or None, timeout=10
        )
        assert await stalled == 1
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "排队")
        busy.cancel()
        with contextlib.suppress(asyncio.CancelledError, NetworkError):
            await busy
    assert emu.stats.requests["sendMessage"] == 0
    assert request.retried == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", CLIENTS)
async def test_the_updates_client_does_not_retry(emu: BotApiEmulator, kind: str) -> None:
    settings = parse_settings({"telegram": {"http_client": kind}})
    request = bot_api_request(settings.telegram, updates=True)
    assert not hasattr(request, "retried")
    async with bot_on(emu, request) as bot:
        emu.faults.inject("getMe", "500")
        with pytest.raises(NetworkError):
            await bot.get_me()
    assert emu.stats.requests["getMe"] == 2


# Uploads and downloads


@pytest.mark.parametrize("kind", CLIENTS)
async def test_documents_and_photos_round_trip(emu: BotApiEmulator, kind: str) -> None:
    workbook = b"PK\x03\x04" + bytes(range(256)) * 40  # binary, every byte value
    async with bot_on(emu, client(kind)) as bot:
        sent = await bot.send_document(
            USER,
            workbook,
            filename="红黑榜（第四季度）.xlsx",
            caption="<b>季度</b>榜单",
            parse_mode="HTML",
        )
        assert sent.document is not None and sent.caption == "季度榜单"
        assert sent.document.file_name == "红黑榜（第四季度）.xlsx"
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
        assert bytes(downloaded) == workbook

        page = "<html><body>周报</body></html>".encode()
        html = await bot.send_document(USER, page, filename="周报.html")
        assert html.document is not None and html.document.file_name == "周报.html"

        photo = await bot.send_photo(USER, tiny_png(), caption="现场")
        assert photo.photo and photo.caption == "现场"
        file = await bot.get_file(photo.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == tiny_png()
    files = [m.file for m in bot_messages(emu)]
    assert [f.data if f else None for f in files] == [workbook, page, tiny_png()]


# Proxies


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def https_api(authority: trustme.CA) -> AsyncIterator[str]:
    """A Bot API stand-in over HTTPS (so an HTTP proxy must tunnel with CONNECT)."""

    async def answer(request: web.Request) -> web.Response:
        form = await request.post()
        method = request.match_info["method"]
        return web.json_response({"ok": True, "result": {"method": method, **form}})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", answer)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(ssl=context)
    yield f"https://localhost:{server.port}"
    await server.close()


@pytest.fixture
def trust(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


@contextlib.asynccontextmanager
async def running(proxy: LoopbackProxy) -> AsyncIterator[LoopbackProxy]:
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


async def call(request: BaseRequest, url: str, **params: Any) -> Any:
    await request.initialize()
    try:
        return await request.post(url, RequestData([]) if not params else _data(params))
    finally:
        await request.shutdown()


def _data(params: dict[str, Any]) -> RequestData:
    from telegram.request._requestparameter import RequestParameter

    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("proxy_class", [HttpProxy, Socks5Proxy])
async def test_every_call_goes_through_the_proxy_with_its_credentials(
    https_api: str, trust: ssl.SSLContext, kind: str, proxy_class: type[LoopbackProxy]
) -> None:
    async with running(proxy_class("county", PASSWORD)) as proxy:
        request = client(kind, proxy=proxy.url(), trust=trust)
        result = await call(request, f"{https_api}/bot{TOKEN}/sendMessage", text="经代理")
    assert result == {"method": "sendMessage", "text": "经代理"}
    [passage] = proxy.passages
    # Telegram's name reaches the proxy, which resolves it (local DNS may be poisoned).
    assert (passage.host, passage.user) == ("localhost", "county")
    assert passage.kind == ("connect" if proxy_class is HttpProxy else "socks5")


@pytest.mark.parametrize("kind", CLIENTS)
async def test_a_proxy_reached_over_tls(
    https_api: str, authority: trustme.CA, trust: ssl.SSLContext, kind: str
) -> None:
    """An https:// proxy: TLS to the proxy, then a CONNECT tunnel with TLS to Telegram."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    async with running(HttpProxy("county", PASSWORD, tls=context)) as proxy:
        url = proxy.url()
        if kind == "aiohttp":
            request = client(kind, proxy=url, trust=trust)
        else:  # httpx takes the proxy's own TLS settings from an httpx.Proxy
            request = RetryingRequest(
                proxy=httpx.Proxy(url, ssl_context=trust), httpx_kwargs={"verify": trust}
            )
        result = await call(request, f"{https_api}/bot{TOKEN}/sendMessage", text="加密代理")
    assert result == {"method": "sendMessage", "text": "加密代理"}
    [passage] = proxy.passages
    assert (passage.kind, passage.host, passage.user) == ("connect", "localhost", "county")


@pytest.mark.parametrize("kind", CLIENTS)
async def test_a_plain_http_api_server_is_reached_through_an_http_proxy(
    emu: BotApiEmulator, kind: str
) -> None:
    """A self-hosted Bot API server on plain HTTP: the proxy forwards the requests."""
    proxy = HttpProxy("county", PASSWORD)
    async with running(proxy), bot_on(emu, client(kind, proxy=proxy.url())) as bot:
        await bot.send_message(USER, "自建服务器")
    assert {p.kind for p in proxy.passages} == {"forward"}
    assert [m.text for m in bot_messages(emu)] == ["自建服务器"]


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("proxy_class", [HttpProxy, Socks5Proxy])
async def test_a_refused_proxy_login_is_a_network_error_without_the_password(
    https_api: str, trust: ssl.SSLContext, kind: str, proxy_class: type[LoopbackProxy]
) -> None:
    async with running(proxy_class("county", "the-right-one")) as proxy:
        url = proxy.url(password=PASSWORD)
        request = client(kind, retrying=False, proxy=url, trust=trust)
        with pytest.raises(NetworkError) as caught:
            await call(request, f"{https_api}/bot{TOKEN}/getMe")
    assert proxy.refused == 1 and proxy.passages == []
    shown = "".join(traceback.format_exception(caught.value))
    assert PASSWORD not in shown and PASSWORD not in str(caught.value)


@pytest.mark.parametrize("kind", CLIENTS)
async def test_an_unreachable_proxy_is_a_network_error_without_the_password(kind: str) -> None:
    url = f"socks5://county:{PASSWORD}@127.0.0.1:{free_port()}"
    request = client(kind, retrying=False, proxy=url)
    with pytest.raises(NetworkError) as caught:
        await call(request, f"https://localhost:1/bot{TOKEN}/getMe")
    assert PASSWORD not in "".join(traceback.format_exception(caught.value))


@pytest.mark.parametrize("kind", CLIENTS)
async def test_the_environment_proxy_variables_are_not_used(
    emu: BotApiEmulator, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead)
    settings = parse_settings({"telegram": {"http_client": kind}})
    async with bot_on(emu, bot_api_request(settings.telegram)) as bot:
        await bot.send_message(USER, "直连")
    assert [m.text for m in bot_messages(emu)] == ["直连"]


def test_proxy_urls_are_shown_without_credentials() -> None:
    url = f"socks5://county:{PASSWORD}@10.1.2.3:1080"
    assert proxy_for_display(url) == "socks5://10.1.2.3:1080"
    assert redact_proxy(f"failed via {url}", url) == "failed via socks5://***:***@10.1.2.3:1080"
    assert redact_proxy("no proxy", None) == "no proxy"


# Configuration


@pytest.mark.parametrize(
    ("kind", "expected", "expected_updates"),
    [
        ("aiohttp", RetryingAiohttpRequest, ReadableUpdatesAiohttp),
        ("httpx", RetryingRequest, ReadableUpdatesHttpx),
    ],
)
def test_the_configured_client_is_built_with_the_timeout(
    kind: str, expected: type, expected_updates: type
) -> None:
    settings = parse_settings({"telegram": {"http_client": kind, "request_timeout_seconds": 7}})
    request = bot_api_request(settings.telegram)
    assert type(request) is expected and request.read_timeout == 7
    updates = bot_api_request(settings.telegram, updates=True)
    assert type(updates) is expected_updates and updates.read_timeout == 7
    assert not isinstance(updates, Retrying)  # the updater retries getUpdates itself


@pytest.mark.parametrize("kind", CLIENTS)
async def test_requests_inside_keyed_carry_the_idempotency_key(kind: str) -> None:
    settings = parse_settings({"telegram": {"http_client": kind}})
    async with BotApiEmulator(keeps_answers=True) as emulator:
        emulator.add_bot(TOKEN)
        emulator.add_user(USER, "张三")
        async with bot_on(emulator, bot_api_request(settings.telegram)) as bot:
            with keyed("outbox-1"):
                first = await bot.send_message(USER, "一次")
                again = await bot.send_message(USER, "一次")
            await bot.send_message(USER, "一次")  # no key: sent again
        assert first.message_id == again.message_id
        assert [m.text for m in bot_messages(emulator)] == ["一次", "一次"]


def test_aiohttp_is_the_default_client() -> None:
    assert parse_settings({}).telegram.http_client == "aiohttp"
    assert parse_settings({}).telegram.proxy is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:7890",
        "socks5://127.0.0.1:1080",
        f"socks5://county:{PASSWORD}@proxy.example.org:1080",
        "socks5h://proxy.example.org:1080/",
        "https://proxy.example.org:8443",
    ],
)
def test_proxy_urls_that_are_accepted(url: str) -> None:
    settings = parse_settings({"telegram": {"proxy": url}})
    assert settings.telegram.proxy == url.rstrip("/")
    assert PASSWORD not in repr(settings.telegram)


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://county:{PASSWORD}@127.0.0.1:21",
        f"socks5://county:{PASSWORD}@127.0.0.1",
        f"http://county:{PASSWORD}@127.0.0.1:port",
        f"http://county:{PASSWORD}@:8080",
        f"http://county:{PASSWORD}@127.0.0.1:8080/path",
        f"127.0.0.1:{PASSWORD}",
    ],
)
def test_a_bad_proxy_url_is_named_without_its_password(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"telegram": {"proxy": url}}, "config.toml")
    message = str(caught.value)
    assert "telegram.proxy" in message and "config.toml" in message
    assert PASSWORD not in message


def test_an_unknown_client_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"telegram\.http_client"):
        parse_settings({"telegram": {"http_client": "requests"}})


@pytest.fixture(autouse=True)
def _no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield
