"""Where updates come in: Telegram's webhook POSTs, and getUpdates when every instance is
active.

The webhook (`webhook_server`) answers 200 once the update is taken, 500 when it could not
be (Telegram sends it again), 400 for a body that is not an update, 403 without the secret
token. An update python-telegram-bot cannot read is taken like any other (answered 200, not
400, which Telegram would repeat for ever) and skipped when handled (`bot.core.unreadable`).

With one active instance (`serve_webhook`), the active one takes the POST and hands the update
to the application at once (`handing_on`), as the library's own webhook server would. When
every instance is active (`[instance] active = "all"`), updates are stored (bot/core/inbound.py)
before Telegram is told they arrived: any instance behind the reverse proxy accepts the POST
(`storing`); with long polling, as Telegram allows one poller, only the lease holder calls
getUpdates, stores each batch and only then acknowledges it (the next call's offset).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update
from telegram.error import TelegramError
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.core.digest import same_secret
from bot.core.inbound import receive
from bot.core.services import Services
from bot.core.turn import App
from bot.core.unreadable import read_update

if TYPE_CHECKING:
    from bot.core.config import WebhookConfig

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


Take = Callable[[dict[str, Any]], Awaitable[None]]


def webhook_server(*, url_path: str, secret_token: str, take: Take) -> HTTPServer:
    """Telegram's POSTs, each answered once `take` has taken its update."""

    class Hook(RequestHandler):
        async def post(self) -> None:
            given = self.request.headers.get(SECRET_HEADER, "")
            if secret_token and not same_secret(given, secret_token):
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
                await take(payload)
            except Exception as exc:
                log.warning("taking an update failed (%s)", type(exc).__name__)
                self.set_status(500)
                return
            self.set_status(200)

    path = "/" + url_path.strip("/")
    return HTTPServer(WebApplication([(path, Hook)], log_function=_quiet))


def storing(svc: Services, on_stored: Callable[[Sequence[Update]], None]) -> Take:
    """Every instance active: the update is stored before Telegram is answered."""

    async def take(payload: dict[str, Any]) -> None:
        await receive(svc.engine, [payload])
        on_stored(())

    return take


def handing_on(app: App) -> Take:
    """One active instance: the update is read (`read_update`) and queued for the application."""

    async def take(payload: dict[str, Any]) -> None:
        await app.update_queue.put(read_update(payload, app.bot))

    return take


async def serve_webhook(app: App, hook: WebhookConfig) -> HTTPServer:
    """The active instance's webhook: its server, then the webhook registered with Telegram
    (`public_url`/`url_path`, else the server's own address: a Bot API server beside it). The
    caller stops the server, also when registering failed."""
    server = webhook_server(
        url_path=hook.url_path, secret_token=hook.secret_token, take=handing_on(app)
    )
    server.listen(hook.port, hook.listen)
    base = hook.public_url.rstrip("/") or f"http://{hook.listen}:{hook.port}"
    try:
        await app.bot.set_webhook(
            f"{base}/{hook.url_path.strip('/')}",
            secret_token=hook.secret_token or None,
            allowed_updates=Update.ALL_TYPES,
        )
    except BaseException:
        server.stop()
        raise
    return server


def _quiet(handler: RequestHandler) -> None:
    status = handler.get_status()
    if status >= 400:
        log.warning("webhook answered %d", status)
