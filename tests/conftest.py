"""Shared fixtures. The database comes from TOWNSHIP_TEST_DATABASE_URL (default: SQLite files);
CI runs the whole suite once on SQLite and once on PostgreSQL. Under pytest-xdist each worker
has its own PostgreSQL database (the URL's name with the worker's id appended), since a test
empties every table before it starts."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import AppType, build_application, running, running_webhook
from bot.core.clock import ManualClock
from bot.core.config import Settings, parse_settings
from bot.core.db.engine import create_engine, is_sqlite
from bot.core.db.migrate import upgrade_sync
from bot.core.logsetup import setup_logging
from bot.core.models import metadata
from bot.core.services import Services
from bot.week.schedule import forget_notice_days
from devkit.emulator import BotApiEmulator
from devkit.sample import (
    ADMIN,
    GROUP_CHAT_ID,
    GROUP_TITLE,
    OTHER_PERSON,
    OTHER_TOWNSHIP,
    PEOPLE,
    sample_config,
    seed_people,
)
from jobs.scheduler import Scheduler

TOKEN = "7000000001:TEST-token-for-the-emulator"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday morning, so a test knows which week it is in.
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


# Values that must never appear in any log line (tests add case parties' names and phones).
SENSITIVE: set[str] = {TOKEN, TOKEN.split(":")[1]}
_LOG_BUFFER = io.StringIO()


@pytest.fixture(scope="session", autouse=True)
def production_logging() -> Iterator[None]:
    """Log the way production does, into a buffer every test is checked against."""
    handler = setup_logging([TOKEN], level=logging.INFO, stream=_LOG_BUFFER)
    yield
    logging.getLogger().removeHandler(handler)


@pytest.fixture(autouse=True)
def no_secrets_in_logs() -> Iterator[None]:
    start = _LOG_BUFFER.tell()
    yield
    written = _LOG_BUFFER.getvalue()[start:]
    leaked = sorted(value for value in SENSITIVE if value and value in written)
    assert not leaked, f"sensitive values appeared in the logs: {leaked}"


@pytest.fixture(autouse=True)
def fresh_calendar_notices() -> Iterator[None]:
    """Holiday notices loaded for a database URL stay with that database's test (PostgreSQL
    runs use one URL for every test)."""
    yield
    forget_notice_days()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With TOWNSHIP_TEST_DATABASE_ONLY=1 (CI's PostgreSQL run) only the tests that use a
    database run: the others would repeat the SQLite run exactly, and CI has a time budget."""
    if os.environ.get("TOWNSHIP_TEST_DATABASE_ONLY") != "1":
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        names = getattr(item, "fixturenames", ())
        uses_database = "database_url" in names or "migrated_template" in names
        (kept if uses_database else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _test_database_url() -> str | None:
    url = os.environ.get("TOWNSHIP_TEST_DATABASE_URL") or None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or worker is None:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the latest migration: a SQLite file to copy, or the PostgreSQL URL."""
    url = _test_database_url()
    if url is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade_sync(f"sqlite+aiosqlite:///{path}")
        return str(path)
    asyncio.run(_reset_postgres(url))
    upgrade_sync(url)
    return url


async def _reset_postgres(url: str) -> None:
    await _create_database(url)
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
        # No test crashes the server: a commit need not wait for the disk (a millisecond or
        # more each, and the bot commits for nearly every update).
        name = make_url(url).database
        await conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    await engine.dispose()


async def _create_database(url: str) -> None:
    """Create a worker's database next to the configured one, the first time."""
    name = make_url(url).database
    configured = os.environ.get("TOWNSHIP_TEST_DATABASE_URL") or url
    if name == make_url(configured).database:
        return
    engine = create_engine(configured)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        exists = await conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    if not migrated_template.startswith("postgresql"):
        target = tmp_path / "township.db"
        shutil.copyfile(migrated_template, target)
        return f"sqlite+aiosqlite:///{target}"
    return migrated_template


# Every sequence back to its start, as TRUNCATE ... RESTART IDENTITY did.
_RESTART_SEQUENCES = text(
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
    " FROM pg_sequences WHERE schemaname = current_schema()"
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    if not is_sqlite(database_url):
        # DELETE rather than TRUNCATE: a test leaves a few rows, and TRUNCATE replaces every
        # table's files (several times slower on fifty tables).
        async with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(table.delete())
            await conn.execute(_RESTART_SEQUENCES)
    yield engine
    await engine.dispose()


@dataclass
class World:
    """A running bot, its emulator and the sample township; tests act through `user()`."""

    emu: BotApiEmulator
    app: AppType
    settings: Settings
    clock: ManualClock
    member_ids: dict[int, int] = field(default_factory=dict)

    @property
    def svc(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    @property
    def scheduler(self) -> Scheduler:
        scheduler: Scheduler = self.app.bot_data["scheduler"]
        return scheduler

    def user(self, telegram_user_id: int) -> Any:
        return self.emu.user(telegram_user_id)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator()
    await emu.start()
    emu.add_bot(TOKEN, username="township_test_bot")
    yield emu
    await emu.stop()


def make_settings(emu: BotApiEmulator, database_url: str, **extra: Any) -> Settings:
    # Tests drive the scheduler themselves (world.scheduler.tick/travel): no real-time timer.
    config = sample_config(TOKEN, emu.base_url.removesuffix("/bot"), database_url)
    return parse_settings(_merge(config, {"scheduler": {"tick_seconds": 0}}, extra), "test")


def _merge(*layers: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge config dicts: later layers win, tables merge key by key."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge(merged[key], value)
            else:
                merged[key] = value
    return merged


@pytest.fixture
def settings_extra() -> dict[str, Any]:
    """Override in a test module to change the bot's configuration."""
    return {}


@pytest.fixture
async def world(
    emulator: BotApiEmulator, engine: AsyncEngine, database_url: str, settings_extra: dict[str, Any]
) -> AsyncIterator[World]:
    settings = make_settings(emulator, database_url, **settings_extra)
    clock = ManualClock(START)
    app = build_application(settings, clock=clock, engine=engine, migrate=False)
    for person in [*PEOPLE, ADMIN, OTHER_PERSON]:
        emulator.add_user(person.telegram_user_id, person.name)
    # The sample township's group chat (settings: townships[SHZ].group_chat_id).
    emulator.add_group(GROUP_CHAT_ID, GROUP_TITLE, [p.telegram_user_id for p in [*PEOPLE, ADMIN]])
    started = (
        running_webhook(app, settings.telegram.webhook)
        if settings.telegram.mode == "webhook"
        else running(app, poll_timeout=5)
    )
    async with started:
        w = World(emu=emulator, app=app, settings=settings, clock=clock)
        async with w.svc.transaction() as session:
            w.member_ids = await seed_people(session, clock.now(), [*PEOPLE, ADMIN])
            w.member_ids.update(
                await seed_people(session, clock.now(), [OTHER_PERSON], code=OTHER_TOWNSHIP["code"])
            )
        yield w


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ("TOWNSHIP_BOT_TOKEN", "TOWNSHIP_BOT_DATABASE_URL", "TOWNSHIP_BOT_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    yield
