"""What every handler and job needs, built once in post_init and kept in bot_data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ContextTypes

from bot.core.callbacks import CallbackCodec
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db.directory import Directory, current
from bot.core.db.engine import once_more_if_dropped
from bot.core.render import Renderer
from bot.core.work import current as current_work

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    codec: CallbackCodec
    renderer: Renderer
    extras: dict[str, Any] = field(default_factory=dict)
    # Townships and villages; loaded after the start-up sync (bot/core/db/directory.py).
    directory: Directory = field(default_factory=Directory)

    async def reload_directory(self) -> None:
        """Read the townships and villages again (after this process changed them)."""
        async with self.transaction() as session:
            self.directory = await Directory.load(session)

    async def refresh_directory(self) -> None:
        """Reload the townships and villages if another process changed them."""
        async with self.transaction() as session:
            self.directory = await current(session, self.directory)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed on success, rolled back on any error. Inside an update
        it is part of the update's work (`bot.core.work`), committed before the bot answers."""
        work = current_work()
        if work is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        session = work.session(self.sessions)
        try:
            yield session
            await work.detach()
        except BaseException:
            await work.rollback()
            session.expunge_all()
            raise

    async def in_transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` in one transaction, run once more on a new connection if the first attempt
        found its connection dropped: for the first database work of an update or a timer."""

        async def attempt() -> T:
            async with self.transaction() as session:
                return await work(session)

        return await once_more_if_dropped(attempt)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    svc: Services = context.application.bot_data["services"]
    return svc
