"""Production entry point: active/standby on a database lease, polling or webhook, health.

Every instance connects to the database and waits; the one holding the `active` lease
fetches updates (long polling or webhook) and runs the scheduler timer. When it dies its
lease expires and a standby takes over; conversations continue because their state lives
in the database, scheduled jobs run once (job_runs), and the outbox sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
from datetime import timedelta

from sqlalchemy import text
from telegram import Update
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.app import AppType, build_application
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db.leases import acquire_lease, release_lease
from bot.core.outbox import release_claims
from bot.core.services import Services

log = logging.getLogger(__name__)
ACTIVE_LEASE = "active"


class Instance:
    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, name: str | None = None
    ) -> None:
        self.settings = settings
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.app: AppType = build_application(settings, clock=clock, instance=self.name)
        self.active = False
        self.database_ok = True
        self.stopping = asyncio.Event()

    @property
    def svc(self) -> Services:
        svc: Services = self.app.bot_data["services"]
        return svc

    async def run(self) -> None:
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        health = await self._start_health()
        ttl = timedelta(seconds=self.settings.instance.lease_seconds)
        try:
            while not self.stopping.is_set():
                holds = await self._try_lease(ttl)
                if holds and not self.active:
                    await self._become_active()
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
            with contextlib.suppress(Exception):
                async with self.svc.transaction() as session:
                    await release_lease(session, ACTIVE_LEASE, self.name, self.svc.clock.now())
            if health is not None:
                health.stop()
            await self.app.shutdown()
            if self.app.post_shutdown:
                await self.app.post_shutdown(self.app)

    async def _try_lease(self, ttl: timedelta) -> bool | None:
        """True/False when the database answered; None when it could not be reached."""
        try:
            async with self.svc.transaction() as session:
                holds = await acquire_lease(
                    session, ACTIVE_LEASE, self.name, self.svc.clock.now(), ttl
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
        async with self.svc.transaction() as session:
            released = await release_claims(session, self.name)
        if released:
            log.warning("released %s outbox message(s) a previous instance had claimed", released)
        updater = self.app.updater
        assert updater is not None
        tg = self.settings.telegram
        if tg.mode == "webhook":
            hook = tg.webhook
            await updater.start_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=hook.url_path,
                webhook_url=f"{hook.public_url.rstrip('/')}/{hook.url_path}"
                if hook.public_url
                else None,
                secret_token=hook.secret_token or None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await self.app.start()
        self.active = True

    async def _stand_by(self) -> None:
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
                role = "active" if instance.active else "standby"
                self.set_status(200 if instance.active and database == "ok" else 503)
                self.set_header("Content-Type", "application/json")
                self.finish(
                    json.dumps({"instance": instance.name, "role": role, "database": database})
                )

        class Live(RequestHandler):
            def get(self) -> None:
                self.finish("ok")

        server = HTTPServer(WebApplication([(r"/health", Health), (r"/live", Live)]))
        server.listen(cfg.health_port, cfg.health_listen)
        return server


def run_forever(settings: Settings) -> None:
    async def main() -> None:
        instance = Instance(settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, instance.stopping.set)
        await instance.run()

    asyncio.run(main())
