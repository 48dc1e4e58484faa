"""Shared set-up for the benchmarks: a database with generated members, the emulator, the
processes they start (the bot, the echo bot)."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import create_engine, is_sqlite, session_factory
from bot.core.db.migrate import upgrade
from bot.core.models import Member, MemberRole, Township, Village, VillageAssignment, metadata
from devkit.emulator import BotApiEmulator
from devkit.emulator.models import ChatState
from devkit.sample import sample_config

TOKEN = "7000000001:BENCH-token-for-the-emulator"
ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def database_url(choice: str, workdir: Path) -> str:
    if choice == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    if choice == "postgresql":
        return os.environ.get(
            "TOWNSHIP_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
    return choice


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql or a database URL")
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="township-bench-"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_run(config: Path) -> list[str]:
    """The command line of `township-bot run` on `config`."""
    return [sys.executable, "-m", "bot", "run", "--config", str(config)]


async def start_process(
    args: list[str], stderr: Any, cwd: Path | None = None
) -> asyncio.subprocess.Process:
    """A process of the benchmark (the bot, the echo bot) in this environment without the
    bot's own variables and with this checkout importable; its output goes to `stderr` (a
    file or PIPE), nothing to stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_BOT_")}
    return await asyncio.create_subprocess_exec(
        *args,
        cwd=None if cwd is None else str(cwd),
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


async def fresh_database(url: str) -> AsyncEngine:
    engine = create_engine(url)
    if not is_sqlite(url):
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    return engine


def bench_settings(api_base: str, url: str, rate: float, **extra: object) -> Settings:
    config = sample_config(TOKEN, api_base, url)
    config["telegram"]["flood_limits"] = {"messages_per_second": rate}
    config["scheduler"] = {"tick_seconds": 0, "send_batch": 50}
    config.update(extra)
    return parse_settings(config, "bench")


async def generate_members(
    engine: AsyncEngine,
    settings: Settings,
    count: int,
    role: str = "cadre",
    first_id: int = 10_000_000,
) -> list[int]:
    """Insert `count` members of SHZ in bulk (telegram ids from first_id). Returns the ids."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await member_db.sync_townships(session, settings)
        township = await session.scalar(select(Township).where(Township.code == "SHZ"))
        assert township is not None
        villages = list(
            await session.scalars(select(Village.id).where(Village.township_id == township.id))
        )
        ids = list(range(first_id, first_id + count))
        for start in range(0, count, 2000):
            chunk = ids[start : start + 2000]
            member_rows = (
                (
                    await session.execute(
                        insert(Member).returning(Member.id),
                        [
                            {
                                "telegram_user_id": t,
                                "display_name": f"干部{t % 100000:05d}",
                                "language": "zh_CN",
                                "active": True,
                                "unreachable": False,
                            }
                            for t in chunk
                        ],
                    )
                )
                .scalars()
                .all()
            )
            await session.execute(
                insert(MemberRole),
                [{"member_id": m, "township_id": township.id, "role": role} for m in member_rows],
            )
            await session.execute(
                insert(VillageAssignment),
                [
                    {"member_id": m, "village_id": villages[i % len(villages)]}
                    for i, m in enumerate(member_rows)
                ],
            )
    return ids


class Inbox:
    """Cheap waiting for simulated users: one asyncio.Event per chat, set on every bot event
    in it. (The emulator's own `replies()` re-scans all bot events on every event, which is
    fine for tests and would make the benchmark's users, not the bot, the bottleneck.)"""

    def __init__(self, emu: BotApiEmulator) -> None:
        self._events: dict[tuple[int, int], asyncio.Event] = {}
        original = emu.add_event

        def add_event(bot: Any, kind: str, chat_id: int, *args: Any, **kwargs: Any) -> None:
            original(bot, kind, chat_id, *args, **kwargs)
            event = self._events.get((bot.id, chat_id))
            if event is not None:
                event.set()

        emu.add_event = add_event  # type: ignore[method-assign]

    async def wait(self, chat: ChatState, ready: Callable[[], T | None]) -> T:
        """Wait (callers bound it with asyncio.timeout) until `ready()` returns a value."""
        event = self._events.setdefault((chat.bot.id, chat.id), asyncio.Event())
        while True:
            event.clear()
            found = ready()
            if found is not None:
                return found
            await event.wait()


__all__ = ["metadata"]
