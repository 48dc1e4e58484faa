"""Database leases: which instance holds a role only one may have (active bot, scheduler).

Leases and claims (these, the outbox's, the web webhook's, the stored updates') measure real
elapsed time on the database's clock (`database_now`), never on an instance's: instances whose
clocks disagree still agree on whether a claim has run out. The township's clock
(`Services.clock`, which tests and the demo move through weeks) says what is due, not who
holds what.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, DateTime, Interval, func, literal, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.core.db.engine import dialect_of, insert_for
from bot.core.models import Lease

# SQLite is a file on the instance's own machine (single-active): its clock is the machine's.
# The text is in the form SQLAlchemy stores, so claims written here compare with it.
_SQLITE_NOW = "%Y-%m-%d %H:%M:%f"


def database_now(
    executor: AsyncSession | AsyncConnection, plus: timedelta = timedelta()
) -> ColumnElement[datetime]:
    """The database's time, plus `plus`, as an SQL expression (evaluated by the database)."""
    if dialect_of(executor) == "postgresql":
        now: ColumnElement[datetime] = func.clock_timestamp()
        if plus:
            now = now + literal(plus, Interval())
        return type_coerce(now, DateTime(timezone=True))
    return type_coerce(
        func.strftime(_SQLITE_NOW, "now", f"{plus.total_seconds():+.3f} seconds"),
        DateTime(timezone=True),
    )


async def acquire_lease(session: AsyncSession, name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew a lease; True when `holder` has it for `ttl` from now (database time)."""
    renewed = await session.execute(
        update(Lease)
        .where(
            Lease.name == name,
            (Lease.holder == holder) | (Lease.expires_at <= database_now(session)),
        )
        .values(holder=holder, expires_at=database_now(session, ttl))
    )
    if renewed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    created = await session.execute(
        insert_for(session, Lease)
        .values(name=name, holder=holder, expires_at=database_now(session, ttl))
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    )
    return created.first() is not None


async def take_lease(session: AsyncSession, name: str, holder: str, ttl: timedelta) -> None:
    """Take a lease whoever holds it: for a role that follows from another lease (the active
    instance runs the scheduler), so a dead holder's lease need not run out first."""
    statement = insert_for(session, Lease).values(
        name=name, holder=holder, expires_at=database_now(session, ttl)
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        )
    )


async def release_lease(session: AsyncSession, name: str, holder: str) -> None:
    """Give the lease up at once (graceful shutdown), so a standby need not wait for expiry."""
    await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=database_now(session, timedelta(seconds=-1)))
    )
