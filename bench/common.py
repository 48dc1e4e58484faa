"""Shared set-up for the benchmarks: a database with generated members, the emulator."""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, parse_settings
from bot.db import members as member_db
from bot.db.engine import create_engine, is_sqlite, session_factory
from bot.db.migrate import upgrade
from bot.models import Member, MemberRole, Township, Village, VillageAssignment, metadata
from bot.sample import sample_config

TOKEN = "7000000001:BENCH-token-for-the-emulator"


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


__all__ = ["metadata"]
