"""Production entry point: active/standby on a database lease, polling or webhook, health.

Every instance connects to the database and waits; the one holding the `active` lease
fetches updates (long polling or webhook) and runs the scheduler timer. When it dies its
lease expires and a standby takes over; conversations continue because their state lives
in the database, scheduled jobs run once (job_runs), and the outbox sends nothing twice.

With `[instance] active = "all"` (PostgreSQL) every instance handles updates: they are stored
first (bot/core/ingress.py: the webhook on every instance, getUpdates by the lease holder) and
shared by key (bot/core/inbound.py); the lease holder still runs the scheduler and the outbox.

Telegram out of reach is an expected condition for a service: at start-up the instance keeps
asking the Bot API (getMe) with a growing pause, capped at a minute, and logs one line per
failure saying what failed and what to check; a rejected token ends it (TokenRejected).

getUpdates answered 409 Conflict means something else takes this bot's updates: another
deployment polling with the same token (said in one line; it ends when that one stops), or
a webhook set after this instance started polling (an older deployment in webhook mode, or
one left behind): Telegram would send every update there, so the polling instance deletes
it, says so, and goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import text
from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from tornado.httpserver import HTTPServer
from tornado.log import access_log
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.app import AppType, build_application
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.db.leases import acquire_lease, release_lease
from bot.core.i18n import normalize_language, translations
from bot.core.inbound import DRAIN_SECONDS, Sharing
from bot.core.ingress import Poller, serve_webhook, storing, webhook_server
from bot.core.outbox import release_claims
from bot.core.reach import Route, TelegramUnreachable, reason_of, sentences, token_problem
from bot.core.services import Services
from bot.core.tasks import stop_task
from bot.core.telegram_request import RetryingRequest
from bot.web.channel import WebChannel, on_web_channel
from jobs.scheduler import Scheduler

log = logging.getLogger(__name__)
ACTIVE_LEASE = "active"
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


class Backoff:
    """Pauses between attempts: 1 s, doubling, at most a minute."""

    def __init__(self) -> None:
        self.seconds = FIRST_RETRY_SECONDS

    def next(self) -> float:
        seconds = self.seconds
        self.seconds = min(self.seconds * 2, MAX_RETRY_SECONDS)
        return seconds

    def reset(self) -> None:
        self.seconds = FIRST_RETRY_SECONDS


@contextlib.contextmanager
def _without_quick_retries(request: object) -> Iterator[None]:
    """The start-up loop retries by itself: the request's own quick retries would only add
    lines to the log."""
    if not isinstance(request, RetryingRequest):
        yield
        return
    saved, request.retries = request.retries, 0
    try:
        yield
    finally:
        request.retries = saved


class Instance:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        name: str | None = None,
        language: str | None = None,
    ) -> None:
        self.settings = settings
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self._clock: Clock = clock or SystemClock()
        self.app: AppType = build_application(settings, clock=clock, instance=self.name)
        self.active = False
        self.database_ok = True
        self.stopping = asyncio.Event()
        self.route = Route.of(settings)
        self._ = translations(normalize_language(language or settings.language)).gettext
        self._activation = Backoff()
        self._activate_after = 0.0
        self._due_now: asyncio.Task[None] | None = None
        self._conflict: asyncio.Task[None] | None = None
        self.sharing = settings.instance.active == "all"
        self._poller: asyncio.Task[None] | None = None
        self._hook: HTTPServer | None = None  # the webhook with one active instance
        self._shared: Sharing | None = None

    @property
    def svc(self) -> Services:
        svc: Services = self.app.bot_data["services"]
        return svc

    async def run(self) -> None:
        web = await self._start_web()
        try:
            await self._run(web)
        finally:
            if web is not None:
                await web.stop()

    async def _start_web(self) -> WebChannel | None:
        """The township's own Bot API server and web chat, before the bot first asks it."""
        if not self.settings.channel.web:
            return None
        web = WebChannel(self.settings, self._clock)
        await web.start()
        return web

    async def _run(self, web: WebChannel | None) -> None:
        if not await self._reach_telegram():
            return
        if self.app.post_init:
            await self.app.post_init(self.app)
        if web is not None:
            await web.server.open_groups()
            await self.svc.reload_directory()
        health = await self._start_health()
        ttl = timedelta(seconds=self.settings.instance.lease_seconds)
        shared, hook = self._start_sharing()
        try:
            while not self.stopping.is_set():
                holds = await self._try_lease(ttl)
                if holds and not self.active:
                    await self._try_become_active()
                elif holds is False and self.active:
                    log.warning("instance %s lost the active lease; standing by", self.name)
                    await self._stand_by()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self.stopping.wait(), timeout=self.settings.instance.renew_seconds
                    )
        finally:
            if self.active:
                await self._stand_by()
            if hook is not None:
                hook.stop()
            if shared is not None and self._shared is not None:
                self._shared.wake()  # it drains the updates under way (DRAIN_SECONDS)
                await asyncio.wait({shared}, timeout=DRAIN_SECONDS + 5)
                await stop_task(shared)
            with contextlib.suppress(Exception):
                async with self.svc.transaction() as session:
                    await release_lease(session, ACTIVE_LEASE, self.name)
            if health is not None:
                health.stop()
            await self.app.shutdown()
            if self.app.post_shutdown:
                await self.app.post_shutdown(self.app)

    def _start_sharing(self) -> tuple[asyncio.Task[None] | None, HTTPServer | None]:
        """With active = "all": handle the stored updates, and take webhook POSTs."""
        if not self.sharing:
            return None, None
        self._shared = shared = Sharing(
            self.app,
            self.name,
            claim_seconds=self.settings.instance.lease_seconds,
            retention=timedelta(hours=self.settings.instance.inbound_retention_hours),
            affinity=self.settings.instance.affinity_seconds,
        )
        task = asyncio.create_task(shared.run(self.stopping))
        hook = None
        tg = self.settings.telegram
        if tg.mode == "webhook":
            hook = webhook_server(
                url_path=tg.webhook.url_path,
                secret_token=tg.webhook.secret_token,
                take=storing(self.svc, shared.stored),
            )
            hook.listen(tg.webhook.port, tg.webhook.listen)
        return task, hook

    def _unreachable(self, exc: BaseException, seconds: float) -> str:
        reason = reason_of(exc, self._, (self.settings.telegram.token,))
        line = TelegramUnreachable(self.route, reason).render(self._)
        return sentences(self._, line, self._("Retrying in {seconds:g} s.").format(seconds=seconds))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)

    async def _reach_telegram(self) -> bool:
        """Initialize the bot (getMe) once the Bot API answers; False when stopped first."""
        backoff = Backoff()
        failed = False
        with _without_quick_retries(self.app.bot.request):
            while not self.stopping.is_set():
                try:
                    await self.app.initialize()
                except InvalidToken as exc:
                    await self.app.bot.shutdown()
                    raise token_problem(self.route, exc) from None
                except TelegramError as exc:
                    failed = True
                    seconds = backoff.next()
                    log.warning("%s", self._unreachable(exc, seconds))
                    await self._pause(seconds)
                else:
                    if failed:
                        reached = self._("Reached the Telegram Bot API: the bot is @{username}.")
                        log.info("%s", reached.format(username=self.app.bot.username))
                    return True
        await self.app.bot.shutdown()
        return False

    async def _try_become_active(self) -> None:
        """Start fetching updates; when the Bot API fails now, stand by and try again later."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._activate_after:
            return
        try:
            await self._become_active()
        except InvalidToken as exc:
            raise token_problem(self.route, exc) from None
        except TelegramError as exc:
            seconds = self._activation.next()
            self._activate_after = loop.time() + seconds
            log.warning("%s", self._unreachable(exc, seconds))
            await self._stand_by()
        else:
            self._activation.reset()

    def _polling_failed(self, exc: TelegramError) -> None:
        # PTB retries getUpdates by itself (pausing up to 30 s); one line, not a traceback.
        if isinstance(exc, Conflict):
            if self._conflict is None or self._conflict.done():
                self._conflict = asyncio.create_task(self._updates_taken_elsewhere())
            return
        log.warning(
            "getUpdates failed: %s", reason_of(exc, self._, (self.settings.telegram.token,))
        )

    async def _updates_taken_elsewhere(self) -> None:
        """getUpdates answered 409: a webhook set meanwhile is deleted; another poller is
        named as the cause."""
        _ = self._
        try:
            info = await self.app.bot.get_webhook_info()
            if info.url:
                await self.app.bot.delete_webhook()
        except TelegramError as exc:
            reason = reason_of(exc, _, (self.settings.telegram.token,))
            log.warning("getUpdates answered 409 Conflict; getWebhookInfo failed: %s", reason)
            return
        if info.url:
            line = _(
                "A webhook was set for this bot (to {host}), so Telegram sent its updates there "
                "instead of to this instance, which polls: another deployment of the bot in "
                "webhook mode, or one left behind. The webhook was deleted; stop the other "
                "deployment."
            ).format(host=urlsplit(info.url).hostname or "?")
        else:
            line = _(
                "Another program is fetching this bot's updates (getUpdates answered 409 "
                "Conflict): only one deployment of the bot may poll with its token. Stop the "
                "other one (several instances of this bot share one database: [instance]). "
                "Retrying."
            )
        log.warning("%s", line)

    async def _try_lease(self, ttl: timedelta) -> bool | None:
        """True/False when the database answered; None when it could not be reached."""
        try:
            holds = await self.svc.in_transaction(
                lambda session: acquire_lease(session, ACTIVE_LEASE, self.name, ttl)
            )
        except Exception as exc:  # the database is down: keep doing what we were doing
            if self.database_ok:
                log.error("database unreachable (%s); keeping current role", type(exc).__name__)
            self.database_ok = False
            return None
        self.database_ok = True
        return holds

    async def _become_active(self) -> None:
        log.info("instance %s is now active", self.name)
        released = 0
        if not self.sharing:
            # With active = "all" the other instances send too (a handler's notices), so
            # their claims are not a dead instance's: they run out after the sender's claim_for.
            async with self.svc.transaction() as session:
                released = await release_claims(session, self.name)
        if released:
            log.warning("released %s outbox message(s) a previous instance had claimed", released)
        # Villages may have changed in chat while this instance stood by.
        await self.svc.refresh_directory()
        updater = self.app.updater
        assert updater is not None
        tg = self.settings.telegram
        if self.sharing:
            await self._start_ingress()
        elif tg.mode == "webhook":
            # Not the library's webhook server: it answers an update it cannot read with 400,
            # and Telegram sends it again for ever (bot/core/ingress.py).
            self._hook = await serve_webhook(self.app, tg.webhook)
        else:
            await updater.start_polling(
                allowed_updates=Update.ALL_TYPES, error_callback=self._polling_failed
            )
        await self.app.start()
        self.active = True
        if self.settings.scheduler.tick_seconds:
            self._due_now = asyncio.create_task(self._run_due_now())

    async def _start_ingress(self) -> None:
        """The lease holder's part of ingress with active = "all": register the webhook, or
        be the one poller."""
        tg = self.settings.telegram
        if tg.mode == "webhook":
            hook = tg.webhook
            if hook.public_url:
                await self.app.bot.set_webhook(
                    f"{hook.public_url.rstrip('/')}/{hook.url_path}",
                    secret_token=hook.secret_token or None,
                    allowed_updates=Update.ALL_TYPES,
                )
            return
        assert self._shared is not None
        poller = Poller(
            self.app.bot, self.svc, on_stored=self._shared.stored, on_error=self._polling_failed
        )
        self._poller = asyncio.create_task(poller.run())

    async def _run_due_now(self) -> None:
        """On becoming active, take the scheduler over and run the due work and the outbox at
        once, rather than at the timer's next tick (up to `tick_seconds` later)."""
        scheduler: Scheduler | None = self.app.bot_data.get("scheduler")
        if scheduler is None:
            return
        try:
            if self.settings.scheduler.enabled:
                await scheduler.take_over()
            await scheduler.tick()
        except Exception as exc:  # the timer's next tick tries again
            log.warning("the due work after becoming active failed (%s)", type(exc).__name__)

    async def _stand_by(self) -> None:
        await stop_task(self._due_now)
        self._due_now = None
        await stop_task(self._conflict)
        self._conflict = None
        await stop_task(self._poller)
        self._poller = None
        if self._hook is not None:
            self._hook.stop()
            self._hook = None
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.app.running:
            await self.app.stop()
        self.active = False

    async def _start_health(self) -> HTTPServer | None:
        cfg = self.settings.instance
        if not cfg.health_port:
            return None
        instance = self

        class Health(RequestHandler):
            async def get(self) -> None:
                database = "ok"
                try:
                    async with instance.svc.sessions() as session:
                        await session.execute(text("SELECT 1"))
                except Exception:
                    database = "down"
                # With active = "all" every instance handles updates (and takes webhook POSTs);
                # the lease holder is also the leader (scheduler, outbox, getUpdates).
                serving = instance.active or instance.sharing
                role = "active" if serving else "standby"
                self.set_status(200 if serving and database == "ok" else 503)
                self.set_header("Content-Type", "application/json")
                answer: dict[str, object] = {
                    "instance": instance.name,
                    "role": role,
                    "database": database,
                }
                if instance.sharing:
                    answer["leader"] = instance.active
                self.finish(json.dumps(answer))

        class Live(RequestHandler):
            def get(self) -> None:
                self.finish("ok")

        app = WebApplication(
            [(r"/health", Health), (r"/live", Live)], log_function=log_health_request
        )
        server = HTTPServer(app)
        server.listen(cfg.health_port, cfg.health_listen)
        return server


def log_health_request(handler: RequestHandler) -> None:
    """Tornado's access log, except that a 503 from /health is what a standby (or an instance
    without its database, which logs that itself) answers by design: not an error to alert on."""
    status = handler.get_status()
    request = handler.request
    expected = status == 503 and request.path == "/health"
    if status < 400 or expected:
        level = logging.INFO
    else:
        level = logging.WARNING if status < 500 else logging.ERROR
    access_log.log(
        level,
        "%d %s %s (%s) %.2fms",
        status,
        request.method,
        request.uri,
        request.remote_ip,
        1000.0 * request.request_time(),
    )


def run_forever(settings: Settings, language: str | None = None) -> None:
    settings = on_web_channel(settings)

    async def main() -> None:
        instance = Instance(settings, language=language)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, instance.stopping.set)
        await instance.run()

    asyncio.run(main())
