"""Builds the PTB Application: HTML defaults, rate limiter, handlers, services in post_init."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, Defaults

from bot.calendar import queries as calendar_db
from bot.core.callbacks import CallbackCodec
from bot.core.clock import CLOCK_MOVED_HOOK, Clock, SystemClock
from bot.core.config import Settings, WebhookConfig
from bot.core.db import members as member_db
from bot.core.db.directory import REFRESH_SECONDS, Directory
from bot.core.db.engine import create_engine, session_factory
from bot.core.db.migrate import upgrade
from bot.core.delivery import OutboxSender
from bot.core.i18n import gettext_for
from bot.core.ingress import serve_webhook
from bot.core.ratelimit import FloodLimiter
from bot.core.refusals import PlainTextFallback
from bot.core.render import Renderer
from bot.core.services import Services
from bot.core.telegram_request import bot_api_request, proxy_for_display
from bot.core.turn import App
from bot.core.unreadable import UpdatesBot
from bot.core.updates import PerUserUpdateProcessor
from bot.core.work import CommitFirst
from bot.features import register_all
from bot.lists.facts import EXTRAS_KEY as FACTS_KEY
from bot.lists.facts import database_facts
from jobs.registry import JOBS
from jobs.scheduler import Scheduler

log = logging.getLogger(__name__)

AppType = App
# Updates of different users processed at once; one user's updates stay in order.
CONCURRENT_UPDATES = 32


def telegram_builder(
    settings: Settings, token: str | None = None
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """PTB as the bot runs it: the Bot API address, the configured HTTP client (retrying
    requests, the proxy) for every call and for getUpdates, HTML by default, the flood
    limiter, per-user ordered concurrent updates, and updates the library cannot read
    skipped (`UpdatesBot`). (bench/throughput.py builds its echo bot
    from this too, to tell the framework's cost from the bot's own.)"""
    if proxy := settings.telegram.proxy:
        log.info("Bot API calls go through the proxy %s", proxy_for_display(proxy))
    bot = UpdatesBot(
        token=token or settings.telegram.token,
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
        request=bot_api_request(settings.telegram),
        get_updates_request=bot_api_request(settings.telegram, updates=True),
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            tzinfo=settings.tz,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        # Telegram's windows on an absolute timetable: ~98% of the allowed rate, no 429s,
        # edits and callback answers not held up (bot/core/ratelimit.py, docs/benchmarks.md).
        # The update's database work is committed before each call (bot/core/work.py).
        rate_limiter=CommitFirst(
            PlainTextFallback(
                FloodLimiter(
                    settings.telegram.flood_limits.messages_per_second,
                    settings.telegram.flood_limits.group_messages_per_minute,
                    max_retries=5,
                )
            )
        ),
    )
    return (
        ApplicationBuilder().bot(bot).concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES))
    )


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    migrate: bool = True,
    instance: str | None = None,
) -> AppType:
    """The bot as it runs in production, in the demo and in the tests (only `clock` differs)."""
    owns_engine = engine is None
    instance = instance or f"{socket.gethostname()}-{os.getpid()}"

    async def post_init(app: AppType) -> None:
        db = engine or create_engine(
            settings.database.url,
            echo=settings.database.echo,
            sqlite_busy_timeout=settings.database.sqlite_busy_timeout_seconds,
        )
        if migrate:
            await upgrade(db)
        svc = Services(
            settings=settings,
            engine=db,
            sessions=session_factory(db),
            clock=clock or SystemClock(),
            codec=CallbackCodec.from_token(settings.telegram.token),
            renderer=Renderer(),
        )
        svc.extras[FACTS_KEY] = database_facts(settings)
        app.bot_data["services"] = svc
        async with svc.transaction() as session:
            await member_db.sync_townships(session, settings)
            svc.directory = await Directory.load(session)
            await calendar_db.reload(session, settings)
        scheduler = Scheduler(
            svc,
            OutboxSender(
                svc.sessions, app.bot, svc.clock, instance, batch=settings.scheduler.send_batch
            ),
            JOBS,
            instance=instance,
        )
        app.bot_data["scheduler"] = scheduler
        svc.extras["scheduler"] = scheduler
        app.bot_data[CLOCK_MOVED_HOOK] = scheduler.on_clock_moved
        if settings.scheduler.tick_seconds and app.job_queue is not None:

            async def tick(_: object) -> None:
                await scheduler.tick()

            async def refresh_directory(_: object) -> None:
                await svc.refresh_directory()

            app.job_queue.run_repeating(
                tick, interval=settings.scheduler.tick_seconds, first=1, name="scheduler"
            )
            # Villages changed in chat through another instance (tests, which drive time by
            # hand, set tick_seconds to 0 and have no real-time timers at all).
            app.job_queue.run_repeating(
                refresh_directory, interval=REFRESH_SECONDS, first=REFRESH_SECONDS, name="directory"
            )
        with contextlib.suppress(RuntimeError):  # known once the bot is initialised
            svc.extras["bot_username"] = app.bot.username
        _ = gettext_for(settings.language)
        try:
            await app.bot.set_my_commands([BotCommand("start", _("Start or register"))])
        except TelegramError as exc:
            # The default menu is a convenience (members get their own per chat): a Bot API
            # server without setMyCommands, or a few failures in a row, must not stop the bot.
            log.warning("setMyCommands failed (%s); the bot runs without its default menu", exc)

    async def post_shutdown(app: AppType) -> None:
        scheduler: Scheduler | None = app.bot_data.get("scheduler")
        if scheduler is not None:
            with contextlib.suppress(Exception):  # the database may be gone already
                await scheduler.stop()
        svc: Services | None = app.bot_data.get("services")
        if svc is not None and owns_engine:
            await svc.engine.dispose()

    app: AppType = (
        telegram_builder(settings).post_init(post_init).post_shutdown(post_shutdown).build()
    )
    register_all(app)
    return app


@asynccontextmanager
async def running_webhook(app: AppType, hook: WebhookConfig) -> AsyncIterator[AppType]:
    """Run the bot with its webhook (the runner's, with one active instance) inside the
    current event loop (tests)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    server = await serve_webhook(app, hook)
    await app.start()
    try:
        yield app
    finally:
        server.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


@asynccontextmanager
async def running(app: AppType, *, poll_timeout: int = 10) -> AsyncIterator[AppType]:
    """Run the bot with long polling inside the current event loop (demo and tests)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(  # type: ignore[union-attr]
        poll_interval=0.0, timeout=poll_timeout, drop_pending_updates=False
    )
    await app.start()
    try:
        yield app
    finally:
        if app.updater and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
