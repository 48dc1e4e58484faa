"""Where updates come in when every instance is active (`[instance] active = "all"`): they are
stored (bot/core/inbound.py) before Telegram is told they arrived.

Webhook: any instance behind the reverse proxy accepts Telegram's POST, stores the update and
answers 200 only then; an update it could not store is answered 500, so Telegram sends it
again. Long polling: Telegram allows one poller, so only the lease holder calls getUpdates;
it stores each batch and only then acknowledges it (the next call's offset).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.core.inbound import receive
from bot.core.services import Services

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = 10
PAUSE_SECONDS = (1.0, 30.0)


class Poller:
    """getUpdates, store, acknowledge: run by the lease holder only."""

    def __init__(
        self,
        bot: Bot,
        svc: Services,
        *,
        on_stored: Callable[[Sequence[Update]], None],
        on_error: Callable[[TelegramError], None],
    ) -> None:
        self.bot = bot
        self.svc = svc
        self.on_stored = on_stored
        self.on_error = on_error

    async def run(self) -> None:
        await self.bot.delete_webhook()
        offset: int | None = None
        pause = PAUSE_SECONDS[0]
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
                )
            except TelegramError as exc:
                self.on_error(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, PAUSE_SECONDS[1])
                continue
            if not updates:
                continue
            try:
                await receive(self.svc.engine, [u.to_dict() for u in updates])
            except Exception as exc:  # not acknowledged: Telegram gives them again
                log.warning("storing updates failed (%s)", type(exc).__name__)
                await asyncio.sleep(pause)
                pause = min(pause * 2, PAUSE_SECONDS[1])
                continue
            pause = PAUSE_SECONDS[0]
            offset = updates[-1].update_id + 1
            self.on_stored(updates)


def webhook_server(
    svc: Services,
    *,
    url_path: str,
    secret_token: str,
    on_stored: Callable[[Sequence[Update]], None],
) -> HTTPServer:
    """Telegram's POSTs, stored before they are answered (any instance may take them)."""

    class Hook(RequestHandler):
        async def post(self) -> None:
            given = self.request.headers.get(SECRET_HEADER, "")
            if secret_token and not hmac.compare_digest(given, secret_token):
                self.set_status(403)
                return
            try:
                payload: Any = json.loads(self.request.body)
                if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                    raise ValueError
            except ValueError:
                self.set_status(400)
                return
            try:
                await receive(svc.engine, [payload])
            except Exception as exc:
                log.warning("storing an update failed (%s)", type(exc).__name__)
                self.set_status(500)
                return
            on_stored(())
            self.set_status(200)

    path = "/" + url_path.strip("/")
    return HTTPServer(WebApplication([(path, Hook)], log_function=_quiet))


def _quiet(handler: RequestHandler) -> None:
    status = handler.get_status()
    if status >= 400:
        log.warning("webhook answered %d", status)
