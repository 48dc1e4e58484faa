"""Async engine and session factory. SQLite gets WAL and foreign keys on every connection.

PostgreSQL connections are not pinged before each use (a round trip per transaction):
they are recycled after `RECYCLE_SECONDS`, and the work that opens an update, a lease
renewal or an outbox claim runs once more when it finds its connection dropped
(`once_more_if_dropped`); SQLAlchemy renews the rest of the pool on that first failure.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
RECYCLE_SECONDS = 300


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


DEFAULT_BUSY_TIMEOUT = 10.0


def _sqlite_pragmas(busy_timeout: float) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    return apply


def create_engine(
    url: str, *, echo: bool = False, sqlite_busy_timeout: float | None = None
) -> AsyncEngine:
    """`sqlite_busy_timeout`: seconds a statement waits for another connection's lock before it
    fails with "database is locked" (default 10)."""
    kwargs: dict[str, Any] = {"echo": echo}
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs.update(pool_recycle=RECYCLE_SECONDS, pool_size=10, max_overflow=10)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        busy = DEFAULT_BUSY_TIMEOUT if sqlite_busy_timeout is None else sqlite_busy_timeout
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy))
    return engine


Bind = AsyncSession | AsyncConnection | AsyncEngine


def dialect_of(bind: Bind) -> str:
    """The name of the database's dialect ("postgresql" or "sqlite")."""
    engine = bind.bind if isinstance(bind, AsyncSession) else bind
    return engine.dialect.name if engine is not None else "sqlite"


def insert_for(bind: Bind | str, table: type[Any]) -> Any:
    """An INSERT with the dialect's ON CONFLICT clauses (`on_conflict_do_nothing`,
    `on_conflict_do_update`) for where it runs, or for the dialect named."""
    dialect = bind if isinstance(bind, str) else dialect_of(bind)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def core(session: AsyncSession) -> AsyncConnection:
    """The session's connection, in its transaction, for the statements every tap runs:
    Core execution skips the ORM's (about half a millisecond of CPU a statement through
    the session, measured on PostgreSQL). What the session holds unflushed is flushed first,
    as the session's own execution would."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await session.connection()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def dropped(exc: BaseException) -> bool:
    """The connection was found closed (server restarted, connection cut): SQLAlchemy has
    invalidated it and the pool, so a new attempt gets a new connection."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def once_more_if_dropped(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` (one whole transaction); once more if its connection had been dropped."""
    try:
        return await work()
    except DBAPIError as exc:
        if not dropped(exc):
            raise
        log.info("a database connection had been dropped; trying again on a new one")
    return await work()
