"""One update's database work in one session, committed before every Bot API call.

Every `Services.transaction()` inside an update (PerUserUpdateProcessor opens the unit) uses
the update's session instead of a session and transaction of its own; the work is committed
when the bot is about to call the Bot API (`CommitFirst`, around the rate limiter) or to send
the outbox, and at the end of the update. So a tap costs one transaction, and no connection
is held while Telegram answers. A block that fails rolls back what the update has not
committed yet, and its error goes where it went before.

An update stored in the database (`[instance] active = "all"`, bot/core/inbound.py) is marked
handled by its `FirstCommit`, in the transaction of the unit's first commit: the update's first
database effects and its being handled commit together, so another instance that handles it
too (after this one's claim expired) finds it handled and rolls its own work back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ApplicationHandlerStop, BaseRateLimiter

JSON = bool | dict[str, Any] | list[dict[str, Any]]


class AlreadyHandled(ApplicationHandlerStop):
    """Another instance committed this update first: stop handling it, quietly (PTB stops
    at an ApplicationHandlerStop without calling the error handler)."""


@dataclass
class FirstCommit:
    """Statements run in the transaction of the unit's first commit, before any Bot API call
    (`run` raises AlreadyHandled when the work must not count)."""

    sessions: async_sessionmaker[AsyncSession]
    run: Callable[[AsyncSession], Coroutine[Any, Any, None]]
    done: bool = False


class Work:
    def __init__(self, first: FirstCommit | None = None) -> None:
        self._session: AsyncSession | None = None
        self._first = first
        self._fenced = False
        self.closed = False
        # A user's flow state as this update last read or wrote it before its handler
        # loads it (`bot.core.flows.leave_open_steps`), boxed: the state may be None.
        self._flow_state: tuple[int, tuple[Any]] | None = None

    def know_flow_state(self, user_id: int, state: object) -> None:
        self._flow_state = (user_id, (state,))

    def take_flow_state(self, user_id: int) -> tuple[Any] | None:
        """The state `know_flow_state` was told (once), boxed; None when not told for
        `user_id`."""
        known, self._flow_state = self._flow_state, None
        return known[1] if known is not None and known[0] == user_id else None

    def session(self, sessions: async_sessionmaker[AsyncSession]) -> AsyncSession:
        if self._session is None:
            self._session = sessions()
        return self._session

    async def detach(self) -> None:
        """After a block: its changes are flushed and its objects no longer belong to a
        session, as when each block had its own (no stale object is served from the identity
        map to a later block)."""
        if self._session is not None:
            await self._session.flush()
            self._session.expunge_all()

    async def commit(self) -> None:
        if self._fenced:
            raise AlreadyHandled
        first = self._first
        if first is not None and not first.done:
            session = self.session(first.sessions)
            try:
                await first.run(session)
            except AlreadyHandled:
                self._fenced = True
                await session.rollback()
                raise
            await session.commit()
            first.done = True
            return
        if self._session is not None and self._session.in_transaction():
            await self._session.commit()

    async def rollback(self) -> None:
        if self._session is not None and self._session.in_transaction():
            await self._session.rollback()

    async def close(self) -> None:
        self.closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


_current: ContextVar[Work | None] = ContextVar("township_update_work", default=None)


def current() -> Work | None:
    work = _current.get()
    return None if work is None or work.closed else work


@asynccontextmanager
async def unit_of_work(first: FirstCommit | None = None) -> AsyncIterator[Work]:
    """The scope of one update."""
    work = Work(first)
    token = _current.set(work)
    try:
        yield work
        await work.commit()
    except BaseException:
        with suppress(Exception):
            await work.rollback()
        raise
    finally:
        _current.reset(token)
        with suppress(Exception):
            await work.close()


async def commit_pending() -> None:
    """Commit what the current update has done so far (nothing outside an update)."""
    work = current()
    if work is not None:
        await work.commit()


class CommitFirst(BaseRateLimiter[int]):
    """Wraps the bot's rate limiter: the update's database work is committed before each
    Bot API call, so the connection is back in the pool while Telegram answers."""

    def __init__(self, inner: BaseRateLimiter[int]) -> None:
        self.inner = inner

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        await commit_pending()
        return await self.inner.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
