"""The sandbox's HTTP side (tornado): the web chat's own page (`bot/web/static`) in demo mode,
the chat's API as the person the demo acts as (`devkit.sandbox.webchat`), and the sandbox's
JSON API (the demo bar's clock and reset, tests)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import tornado.httpserver
import tornado.netutil
import tornado.web

import bot.web
from devkit.sandbox.runtime import Sandbox, SandboxError

log = logging.getLogger(__name__)

STATIC_DIR = Path(bot.web.__file__).parent / "static"
# The web chat's page gains the demo bar: who the page acts as, the clock, a fresh start.
DEMO_SCRIPT = '<script src="/static/demo.js" defer></script>\n'
LONG_POLL_SECONDS = 25.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Nothing may be loaded from elsewhere; inline styles only for computed sizes.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class _Base(tornado.web.RequestHandler):
    sandbox: Sandbox

    def initialize(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.disconnected = asyncio.Event()

    def on_connection_close(self) -> None:
        self.disconnected.set()

    def prepare(self) -> None:
        # DNS rebinding: a page on another site must not reach the sandbox by a hostname.
        host = (
            self.request.host.rsplit(":", 1)[0]
            if "]" not in self.request.host
            else (self.request.host.split("]")[0] + "]")
        )
        if host not in LOOPBACK_HOSTS:
            raise tornado.web.HTTPError(403, reason="loopback only")

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def send_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(payload, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.send_json({"ok": False, "error": self._reason}, status_code)

    def body(self) -> dict[str, Any]:
        # Only JSON: a cross-site form cannot send it without a CORS preflight we never allow.
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise tornado.web.HTTPError(415, reason="send application/json")
        try:
            value = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400, reason="invalid JSON") from None
        if not isinstance(value, dict):
            raise tornado.web.HTTPError(400, reason="a JSON object is expected")
        return value

    @staticmethod
    def integer(body: dict[str, Any], key: str, required: bool = True) -> int | None:
        value = body.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise tornado.web.HTTPError(400, reason=f"{key} must be an integer")
        try:
            return int(value)
        except ValueError:
            raise tornado.web.HTTPError(400, reason=f"{key} must be an integer") from None

    @staticmethod
    def number(body: dict[str, Any], key: str) -> float | None:
        value = body.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise tornado.web.HTTPError(400, reason=f"{key} must be a number")
        return float(value)

    async def act(self, action: Any) -> None:
        try:
            result = await action
        except SandboxError as exc:
            self.send_json({"ok": False, "error": str(exc)}, 400)
            return
        self.send_json({"ok": True, "result": result, "cursor": self.sandbox.cursor})


class PageHandler(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", PAGE_CSP)
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        self.finish(page.replace("</head>", f"{DEMO_SCRIPT}</head>", 1))


class StaticHandler(_Base):
    TYPES: ClassVar[dict[str, str]] = {
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml; charset=utf-8",
        ".webmanifest": "application/manifest+json",
    }

    def get(self, name: str) -> None:
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise tornado.web.HTTPError(404, reason="Not Found")
        kind = self.TYPES.get(path.suffix, "application/octet-stream")
        self.set_header("Content-Type", kind)
        self.finish(path.read_bytes())


class StateHandler(_Base):
    async def get(self) -> None:
        self.send_json(await self.sandbox.state())


class EventsHandler(_Base):
    """Long poll: answers with the state as soon as the cursor passes ``after``."""

    async def get(self) -> None:
        try:
            after = int(self.get_query_argument("after", "0"))
            timeout = float(self.get_query_argument("timeout", str(LONG_POLL_SECONDS)))
        except ValueError:
            raise tornado.web.HTTPError(400, reason="after and timeout are numbers") from None
        timeout = max(0.0, min(timeout, 60.0))
        await self.sandbox.wait_change(after, timeout, self.disconnected)
        if self.disconnected.is_set():
            return
        self.send_json(await self.sandbox.state())


class SendHandler(_Base):
    async def post(self) -> None:
        body = self.body()
        user = self.integer(body, "user")
        chat = self.integer(body, "chat", required=False)
        text = body.get("text")
        if not isinstance(text, str):
            raise tornado.web.HTTPError(400, reason="text must be a string")
        assert user is not None
        await self.act(self.sandbox.send_text(user, text, chat))


class PressHandler(_Base):
    async def post(self) -> None:
        body = self.body()
        user, chat, message = (self.integer(body, k) for k in ("user", "chat", "message_id"))
        data = body.get("data")
        if not isinstance(data, str):
            raise tornado.web.HTTPError(400, reason="data must be a string")
        assert user is not None and chat is not None and message is not None
        await self.act(self.sandbox.press(user, chat, message, data))


class LocationHandler(_Base):
    async def post(self) -> None:
        body = self.body()
        user = self.integer(body, "user")
        village = body.get("village")
        if village is not None and not isinstance(village, str):
            raise tornado.web.HTTPError(400, reason="village must be a string")
        assert user is not None
        await self.act(
            self.sandbox.share_location(
                user, village=village, lat=self.number(body, "lat"), lon=self.number(body, "lon")
            )
        )


class PhotoHandler(_Base):
    async def post(self) -> None:
        body = self.body()
        user = self.integer(body, "user")
        caption = body.get("caption")
        if caption is not None and not isinstance(caption, str):
            raise tornado.web.HTTPError(400, reason="caption must be a string")
        assert user is not None
        await self.act(self.sandbox.send_photo(user, caption))


class ClockHandler(_Base):
    async def post(self) -> None:
        action = self.body().get("action")
        if not isinstance(action, str):
            raise tornado.web.HTTPError(400, reason="action must be a string")

        async def move() -> str:
            return (await self.sandbox.move_clock(action)).isoformat()

        await self.act(move())


class ResetHandler(_Base):
    async def post(self) -> None:
        self.body()

        async def reset() -> int:
            await self.sandbox.reset()
            return self.sandbox.epoch

        await self.act(reset())


class FileHandler(_Base):
    """Files the bot sent or a person shared. HTML pages open in a locked-down sandbox."""

    def get(self, file_id: str) -> None:
        try:
            data, mime, name, kind = self.sandbox.file(file_id)
        except SandboxError:
            raise tornado.web.HTTPError(404, reason="Not Found") from None
        download = self.get_query_argument("download", "") == "1"
        if mime.startswith("text/") and "charset" not in mime:
            mime += "; charset=utf-8"
        self.set_header("Content-Type", mime)
        # Whatever the file holds, it runs no script and reaches nothing.
        self.set_header(
            "Content-Security-Policy",
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        )
        disposition = "attachment" if download or not _viewable(mime, kind) else "inline"
        self.set_header("Content-Disposition", f"{disposition}; filename*=UTF-8''{quote(name)}")
        self.finish(data)


def _viewable(mime: str, kind: str) -> bool:
    return kind == "photo" or mime.startswith(
        ("image/png", "image/jpeg", "text/html", "text/plain", "application/pdf")
    )


class NotFound(_Base):
    def prepare(self) -> None:
        super().prepare()
        raise tornado.web.HTTPError(404, reason="Not Found")


def make_app(sandbox: Sandbox) -> tornado.web.Application:
    from devkit.sandbox.webchat import routes

    args = {"sandbox": sandbox}
    return tornado.web.Application(
        [
            (r"/", PageHandler, args),
            (r"/static/([^/]+)", StaticHandler, args),
            (r"/(sw\.js|manifest\.webmanifest)", StaticHandler, args),
            *routes(args),
            (r"/api/state", StateHandler, args),
            (r"/api/events", EventsHandler, args),
            (r"/api/send", SendHandler, args),
            (r"/api/press", PressHandler, args),
            (r"/api/location", LocationHandler, args),
            (r"/api/photo", PhotoHandler, args),
            (r"/api/clock", ClockHandler, args),
            (r"/api/reset", ResetHandler, args),
            (r"/files/([A-Za-z0-9_-]+)", FileHandler, args),
        ],
        default_handler_class=NotFound,
        default_handler_args=args,
        log_function=lambda h: log.debug(
            "%s %s %s", h.get_status(), h.request.method, h.request.path
        ),
    )


class SandboxServer:
    """The page server on loopback; ``port=0`` picks a free port."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.host = host
        self.port = port
        self._server: tornado.httpserver.HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> None:
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(make_app(self.sandbox))
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        self.sandbox.closing.set()  # ends the long polls, so connections can close
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
