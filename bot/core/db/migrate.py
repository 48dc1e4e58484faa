"""Run Alembic migrations from code (the CLI, the demo and the tests use this).

On SQLite, migrations run with foreign keys off. Batch mode changes a table by copying it
into a new one and dropping the old: with foreign keys on, that DROP deletes every row that
references the table through ON DELETE CASCADE (a visit log's problems, for one). The
references are checked (`PRAGMA foreign_key_check`) before the migration commits.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.db.engine import create_engine


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("migrations")))
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_sync(database_url: str, revision: str = "head") -> None:
    """Upgrade from synchronous code (the CLI, the test fixtures)."""

    async def run() -> None:
        engine = create_engine(database_url)
        try:
            await migrate(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(run())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade using an existing async engine (no nested event loop)."""
    await migrate(engine, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await migrate(engine, revision, down=True)


async def migrate(engine: AsyncEngine, revision: str, *, down: bool = False) -> None:
    def _run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)

    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await _foreign_keys(connection, on=False)
        try:
            if not sqlite:
                # Instances starting together must not migrate at the same time.
                await connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
            await connection.run_sync(_run)
            await connection.commit()
        finally:
            if sqlite:
                await connection.rollback()
                await _foreign_keys(connection, on=True)


async def _foreign_keys(connection: AsyncConnection, *, on: bool) -> None:
    """Outside a transaction (SQLite ignores the pragma inside one), and committed so that the
    connection goes back to the pool with foreign keys on again."""
    await connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    await connection.commit()


def check_foreign_keys(connection: Connection) -> None:
    """Raise if a migration left a row pointing at nothing (SQLite, foreign keys off)."""
    broken: list[Any] = list(connection.exec_driver_sql("PRAGMA foreign_key_check"))
    if broken:
        raise RuntimeError(f"migration left {len(broken)} broken references: {broken[:5]}")
