"""Database leases: which instance holds a role only one may have (active bot, scheduler)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import Lease


async def acquire_lease(
    session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew a lease; True when `holder` has it until now + ttl."""
    renewed = await session.execute(
        update(Lease)
        .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if renewed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = await session.execute(
        insert(Lease)
        .values(name=name, holder=holder, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    )
    return created.first() is not None


async def take_lease(
    session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta
) -> None:
    """Take a lease whoever holds it: for a role that follows from another lease (the active
    instance runs the scheduler), so a dead holder's lease need not run out first."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Lease).values(name=name, holder=holder, expires_at=now + ttl)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        )
    )


async def release_lease(session: AsyncSession, name: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (graceful shutdown), so a standby need not wait for expiry."""
    await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=now - timedelta(seconds=1))
    )
