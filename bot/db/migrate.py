"""Run Alembic migrations from code (the CLI, the demo and the tests use this)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("migrations")))
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_sync(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade using an existing async engine (no nested event loop)."""

    def _run(connection: object) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together must not migrate at the same time.
            await connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        await connection.run_sync(_run)
