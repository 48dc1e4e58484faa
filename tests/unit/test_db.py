"""Database layer: constraints on both engines, and migrations matching the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from bot.core.models import Village, metadata


async def test_foreign_keys_are_enforced(engine) -> None:
    from bot.core.db.engine import session_factory

    with pytest.raises(IntegrityError):
        async with session_factory(engine)() as session, session.begin():
            session.add(Village(township_id=987654, name="nowhere"))


async def test_migrations_match_the_models(engine) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        changes = await connection.run_sync(diff)
    assert changes == [], f"models and migrations differ; add a migration: {changes}"
