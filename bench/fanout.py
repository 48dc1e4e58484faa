"""Reminder fan-out against Telegram's flood limit.

    python bench/fanout.py --members 10000 --rate 30 [--db sqlite|postgresql]

The real bot queues the Thursday "report window open" reminder for every cadre through the
durable outbox and sends it through PTB's rate limiter; the emulator enforces the same
limit (429 beyond it). Reports the achieved rate as a share of the allowed rate, 429s,
duplicates and losses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    TOKEN,
    add_common_args,
    bench_settings,
    database_url,
    fresh_database,
    generate_members,
    machine,
    workdir,
)
from bot.app import build_application, running
from bot.core.clock import ManualClock
from devkit.emulator import BotApiEmulator, EmulatorLimits

TZ = ZoneInfo("Asia/Shanghai")


async def main(members: int, rate: float, db: str) -> dict[str, object]:
    url = database_url(db, workdir())
    engine = await fresh_database(url)
    emu = BotApiEmulator(limits=EmulatorLimits(messages_per_second=int(rate)))
    await emu.start()
    emu.add_bot(TOKEN, username="bench_bot")
    settings = bench_settings(emu.base_url.removesuffix("/bot"), url, rate)
    ids = await generate_members(engine, settings, members)
    for telegram_id in ids:
        emu.add_user(telegram_id, f"u{telegram_id}")
    clock = ManualClock(datetime(2026, 11, 26, 11, 0, tzinfo=TZ))
    app = build_application(settings, clock=clock, engine=engine, migrate=False)
    async with running(app):
        scheduler = app.bot_data["scheduler"]
        await scheduler.tick()
        clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=TZ))
        started = time.perf_counter()
        await scheduler.run_due(clock.now())
        queued = time.perf_counter() - started
        await scheduler.sender.drain()
        elapsed = time.perf_counter() - started
    await emu.stop()
    await engine.dispose()
    per_chat = Counter({t: len(emu.chat(t).messages) for t in ids})
    achieved = members / elapsed
    return {
        "benchmark": "fanout",
        "database": db,
        "members": members,
        "allowed_rate": rate,
        "seconds": round(elapsed, 2),
        "queue_seconds": round(queued, 2),
        "achieved_rate": round(achieved, 2),
        "share_of_allowed": round(achieved / rate, 3),
        "responses_429": emu.stats.responses_429,
        "duplicates": sum(1 for n in per_chat.values() if n > 1),
        "lost": sum(1 for n in per_chat.values() if n == 0),
        "machine": machine(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30)
    add_common_args(parser)
    args = parser.parse_args()
    result = asyncio.run(main(args.members, args.rate, args.db))
    print(
        json.dumps(result, ensure_ascii=False)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in result.items())
    )
