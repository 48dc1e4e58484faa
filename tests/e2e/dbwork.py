"""Counting the database work of updates with SQLAlchemy's events: statements, transactions,
connection checkouts and the pings before them (docs/benchmarks.md, database work per tap)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class DatabaseWork:
    statements: int = 0
    transactions: int = 0  # BEGIN ... COMMIT/ROLLBACK on a connection
    ended: int = 0
    checkouts: int = 0
    checkins: int = 0
    pings: int = 0  # `pool_pre_ping`: one round trip before each checkout

    def as_dict(self) -> dict[str, int]:
        return {
            "statements": self.statements,
            "transactions": self.transactions,
            "checkouts": self.checkouts,
            "pings": self.pings,
        }

    async def idle(self) -> None:
        """Yield to the bot until every connection it took is back in the pool (the update
        it is handling may still write after its reply went out)."""
        for _ in range(10_000):
            if self.checkins >= self.checkouts and self.ended >= self.transactions:
                return
            await asyncio.sleep(0)
        raise TimeoutError("the bot kept a connection")


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[DatabaseWork]:
    work = DatabaseWork()
    sync = engine.sync_engine
    pre_ping = bool(getattr(sync.pool, "_pre_ping", False))

    def statement(*_: Any) -> None:
        work.statements += 1

    def begin(*_: Any) -> None:
        work.transactions += 1

    def end(*_: Any) -> None:
        work.ended += 1

    def checkout(*_: Any) -> None:
        work.checkouts += 1
        work.pings += pre_ping

    def checkin(*_: Any) -> None:
        work.checkins += 1

    listeners = [
        (sync, "before_cursor_execute", statement),
        (sync, "begin", begin),
        (sync, "commit", end),
        (sync, "rollback", end),
        (sync.pool, "checkout", checkout),
        (sync.pool, "checkin", checkin),
    ]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        yield work
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
