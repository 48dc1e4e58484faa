"""The township's own Bot API server and web chat, on one port (`[channel] kind = "web"`).

The bot talks to `/bot<token>/<method>` exactly as to Telegram; members' browsers talk to
`/api/...` with a session cookie and, for every change, the CSRF header."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tornado.netutil
import tornado.web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tornado.httpserver import HTTPServer

from bot.core.clock import Clock
from bot.core.config import ChannelConfig
from bot.core.digest import same_secret
from bot.core.models import WebFile
from bot.web import nudges, push, store, webhook
from bot.web.botapi.core import (
    allowed_updates,
    idempotency_key,
    repeated,
    request_params,
    webhook_active,
)
from bot.web.botapi.rules import ApiError, Params
from bot.web.methods import METHODS, Call

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SENDS = ("sendmessage", "senddocument", "sendphoto")
WEBHOOK_METHODS = ("setwebhook", "deletewebhook")
# Long polls give up after this many seconds; a page or the bot simply asks again.
POLL_LIMIT = 25.0


@dataclass
class Web:
    """What every handler shares."""

    channel: ChannelConfig
    token: str
    transaction: Transaction
    clock: Clock
    updates: store.Wakeup
    chats: store.Wakeup
    nudged: store.Wakeup
    # setWebhook or deleteWebhook was called.
    hooks: store.Wakeup = field(default_factory=store.Wakeup)
    answers_forgotten_at: datetime | None = None

    @property
    def bot(self) -> dict[str, Any]:
        bot_id = int(self.token.split(":", 1)[0]) if self.token[:1].isdigit() else 1
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.channel.bot_name,
            "username": "township_web_bot",
        }


class Base(tornado.web.RequestHandler):
    web: Web

    def initialize(self, web: Web) -> None:
        self.web = web

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("X-Frame-Options", "DENY")

    def send_json(self, status: int, payload: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(payload, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.send_json(status_code, {"ok": False, "error_code": status_code})

    def log_exception(self, _typ: Any, value: Any, tb: Any) -> None:
        # Tornado's own line names the path, which holds the bot token or a sign-in code.
        if isinstance(value, tornado.web.HTTPError):
            return
        log.error("%s request to the web channel failed", self.request.method, exc_info=value)


class BotApi(Base):
    """`/bot<token>/<method>`: the Bot API for the bot (and only the bot: the token)."""

    async def get(self, token: str, name: str) -> None:
        await self.post(token, name)

    async def post(self, token: str, name: str) -> None:
        try:
            result = await self._call(token, name)
        except ApiError as error:
            self.send_json(error.code, error.to_json())
            return
        self.send_json(200, {"ok": True, "result": result})

    async def _call(self, token: str, name: str) -> Any:
        if not same_secret(token, self.web.token):
            raise ApiError(401, "Unauthorized")
        p = request_params(self.request)
        if name.lower() == "getupdates":
            return await self._updates(p)
        method = METHODS.get(name.lower())
        if method is None:
            raise ApiError(404, "Not Found")
        key = idempotency_key(self.request)
        now = self.web.clock.now()
        nudged = False
        async with self.web.transaction() as session:
            if key is not None:
                first = await store.first_answer(session, key, name, now)
                if first is not None:
                    return repeated(name, first.method, first.result)
                await self._forget_answers(session, now)
            result = await method(Call(session, p, self.web.bot, now))
            if key is not None:
                await store.answered(session, key, result)
            if name.lower() in SENDS:
                chat_id = result["chat"]["id"]
                nudged = await nudges.note(session, chat_id, self.web.channel, now)
                nudged = await push.note(session, chat_id, self.web.channel, now) or nudged
        self.web.chats.notify()
        if name.lower() in WEBHOOK_METHODS:
            self.web.hooks.notify()
            self.web.updates.notify()
        if nudged:
            self.web.nudged.notify()
        return result

    async def _forget_answers(self, session: AsyncSession, now: datetime) -> None:
        """Hourly: the answers kept for idempotency keys beyond `KEEP_ANSWERS` go."""
        last = self.web.answers_forgotten_at
        if last is not None and timedelta(0) <= now - last < timedelta(hours=1):
            return
        await store.forget_answers(session, now)
        self.web.answers_forgotten_at = now

    async def _updates(self, p: Params) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(p.integer("timeout") or 0), POLL_LIMIT)
        offset, limit = p.integer("offset"), max(1, min(p.integer("limit") or 100, 100))
        asked = allowed_updates(p)
        while True:
            async with self.web.transaction() as session:
                hook = await webhook.settings(session)
                if hook.url:
                    raise webhook_active()
                webhook.remember_allowed(hook, asked)
                updates = await webhook.pending(session, offset, limit, webhook.allowed(hook))
            left = deadline - loop.time()
            if updates or left <= 0 or self.request.connection is None:
                return updates
            # Another instance's updates are seen within a second.
            await self.web.updates.wait(min(left, 1.0))


class BotFile(Base):
    async def get(self, token: str, path: str) -> None:
        if not same_secret(token, self.web.token):
            self.send_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        async with self.web.transaction() as session:
            record = await session.scalar(select(WebFile).where(WebFile.file_path == path))
            if record is None:
                self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            data, mime = record.data, record.mime_type
        self.set_header("Content-Type", mime or "application/octet-stream")
        self.finish(data)


class Page(Base):
    """The chat's shell: the same for everyone; what it shows comes from /api."""

    def get(self, name: str = "index.html") -> None:
        path = STATIC / name
        types = {
            ".html": "text/html; charset=utf-8",
            ".js": "text/javascript; charset=utf-8",
            ".css": "text/css; charset=utf-8",
            ".webmanifest": "application/manifest+json",
            ".svg": "image/svg+xml",
        }
        if not path.is_file() or path.suffix not in types:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", types[path.suffix])
        self.set_header("Cache-Control", "no-cache")
        self.finish(path.read_bytes())


def same_origin(handler: tornado.web.RequestHandler) -> bool:
    """A change comes from a page of this server: Origin (or Referer) names it."""
    sent = handler.request.headers.get("Origin") or handler.request.headers.get("Referer")
    if not sent:
        return False
    parts = urlsplit(sent)
    return f"{parts.scheme}://{parts.netloc}" == origin(handler)


def origin(handler: tornado.web.RequestHandler) -> str:
    return f"{handler.request.protocol}://{handler.request.host}"


def make_app(web: Web) -> tornado.web.Application:
    from bot.web.chat import routes
    from bot.web.push_api import routes as push_routes

    args = {"web": web}
    return tornado.web.Application(
        [
            (r"/bot([^/]*)/([^/]*)", BotApi, args),
            (r"/file/bot([^/]+)/(.+)", BotFile, args),
            *routes(args),
            *push_routes(args),
            (r"/", Page, args),
            (r"/(sw\.js|manifest\.webmanifest)", Page, args),
            (r"/static/([a-z0-9_.-]+)", Page, args),
        ],
        log_function=_log_request,
        xsrf_cookies=False,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Paths hold the bot token and invitation codes: never log them.
    log.debug("%s %s", handler.get_status(), handler.request.method)


class WebServer:
    """The server inside `township-bot run` (and the tests): start, `port`, stop."""

    def __init__(
        self,
        channel: ChannelConfig,
        token: str,
        transaction: Transaction,
        clock: Clock,
        *,
        webhook_retry_seconds: float = 1.0,
    ) -> None:
        self.nudger = nudges.Nudger(channel, transaction, clock)
        self.pusher = push.Pusher(channel, transaction, clock, self.nudger.wakeup)
        self.web = Web(
            channel, token, transaction, clock, store.Wakeup(), store.Wakeup(), self.nudger.wakeup
        )
        self.delivery = webhook.Delivery(
            transaction,
            clock,
            self.web.updates,
            self.web.hooks,
            retry_seconds=webhook_retry_seconds,
        )
        self._server: HTTPServer | None = None
        self.port = channel.port

    async def start(self, port: int | None = None) -> None:
        self._server = HTTPServer(make_app(self.web), max_body_size=64 << 20, xheaders=True)
        sockets = tornado.netutil.bind_sockets(
            self.port if port is None else port, self.web.channel.listen
        )
        self.port = sockets[0].getsockname()[1]
        self._server.add_sockets(sockets)
        self.nudger.start()
        self.delivery.start()
        self.pusher.start()

    async def open_groups(self) -> None:
        """Every township's work group, once the bot has synced the townships."""
        async with self.web.transaction() as session:
            await store.ensure_township_groups(session)

    async def stop(self) -> None:
        await self.delivery.stop()
        await self.nudger.stop()
        await self.pusher.stop()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
