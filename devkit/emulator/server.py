"""Tornado HTTP layer: parses any Bot API request encoding and writes Telegram-shaped answers."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import tornado.web

from bot.web.botapi.core import idempotency_key, request_params
from devkit.emulator.models import ApiError, Signal

if TYPE_CHECKING:
    from devkit.emulator.core import BotApiEmulator

log = logging.getLogger(__name__)


class _Base(tornado.web.RequestHandler):
    emu: BotApiEmulator

    def initialize(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.disconnected = asyncio.Event()

    def on_connection_close(self) -> None:
        self.disconnected.set()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self._json(
            status_code, {"ok": False, "error_code": status_code, "description": self._reason}
        )


class ApiHandler(_Base):
    async def get(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def _handle(self, token: str, method: str) -> None:
        try:
            p = request_params(self.request)
            key = idempotency_key(self.request) if self.emu.keeps_answers else None
        except ApiError as error:
            self.emu.stats.responses_4xx += 1
            self._json(error.code, error.to_json())
            return
        reply = await self.emu.dispatch(token, method, p.values, p.files, self.disconnected, key)
        if reply.action == "drop":
            self.detach().close()
            return
        if reply.action == "hold":
            # The work is done; answer only after the client has given up (or much later).
            await Signal().wait_for(
                lambda: None,
                self.emu.limits.fault_timeout_hold,
                (self.disconnected, self.emu.stopping),
            )
            if self.disconnected.is_set():
                return
        self.set_status(reply.status)
        self.set_header("Content-Type", reply.content_type)
        self.finish(reply.body)


class FileHandler(_Base):
    async def get(self, token: str, path: str) -> None:
        try:
            self.emu.resolve_bot(token)
        except ApiError as error:
            self._json(error.code, error.to_json())
            return
        for record in self.emu.files.values():
            if record.file_path == path:
                self.set_header("Content-Type", record.mime_type or "application/octet-stream")
                self.finish(record.data)
                return
        self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})


class NotFoundHandler(_Base):
    def prepare(self) -> None:
        self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})


def make_app(emu: BotApiEmulator) -> tornado.web.Application:
    args = {"emu": emu}
    return tornado.web.Application(
        [
            (r"/bot([^/]*)/([^/]*)", ApiHandler, args),
            (r"/file/bot([^/]+)/(.+)", FileHandler, args),
            (r".*", NotFoundHandler, args),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args=args,
        log_function=_log_request,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Error answers are part of normal operation here; keep them out of warning logs.
    request = handler.request
    log.debug("%s %s %s", handler.get_status(), request.method, request.path)
