"""Resident memory of the running bot with many members registered.

    python bench/memory.py --members 10000 --active 200 [--db sqlite|postgresql] [--json]

`township-bot run` runs as a subprocess (as in production) against the emulator in this
process, on a database with `--members` registered cadres. Its resident memory (VmRSS from
/proc) is read after start-up and after traffic: `--active` cadres each log `--visits` visits
through /visit and ask /me. VmHWM is the peak resident memory over the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    TOKEN,
    Inbox,
    add_common_args,
    bench_settings,
    bot_run,
    database_url,
    fresh_database,
    generate_members,
    machine,
    start_process,
    workdir,
)
from bench.throughput import Visitor
from devkit.emulator import BotApiEmulator, EmulatorLimits
from devkit.sample import TOWNSHIP_CODE, TOWNSHIP_NAME, VILLAGES


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # strings and numbers are valid TOML this way


def config_toml(api_base: str, url: str, telegram: dict[str, object] | None = None) -> str:
    lines = [
        'timezone = "Asia/Shanghai"',
        'language = "zh_CN"',
        "[telegram]",
        f"token = {_toml(TOKEN)}",
        f"api_base_url = {_toml(api_base)}",
        'bot_username = "bench_bot"',
        *(f"{key} = {_toml(value)}" for key, value in (telegram or {}).items()),
        "[telegram.flood_limits]",
        "messages_per_second = 10000",
        "[database]",
        f"url = {_toml(url)}",
        "[scheduler]",
        "tick_seconds = 0",  # the wall clock must not start real reminders mid-benchmark
        "[[townships]]",
        f"code = {_toml(TOWNSHIP_CODE)}",
        f"name = {_toml(TOWNSHIP_NAME)}",
    ]
    for village in VILLAGES:
        lines.append("[[townships.villages]]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in village.items())
    return "\n".join(lines) + "\n"


def rss_kb(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


async def main(members: int, active: int, visits: int, db: str) -> dict[str, Any]:
    work = workdir()
    url = database_url(db, work)
    engine = await fresh_database(url)
    emu = BotApiEmulator(
        limits=EmulatorLimits(messages_per_second=None, group_messages_per_minute=None)
    )
    await emu.start()
    inbox = Inbox(emu)
    emu.add_bot(TOKEN, username="bench_bot")
    api_base = emu.base_url.removesuffix("/bot")
    settings = bench_settings(api_base, url, 10_000)
    ids = await generate_members(engine, settings, members)
    await engine.dispose()
    for telegram_id in ids:
        emu.add_user(telegram_id, f"u{telegram_id}")
    config = work / "config.toml"
    config.write_text(config_toml(api_base, url), encoding="utf-8")
    process = await start_process(bot_run(config), stderr=asyncio.subprocess.PIPE, cwd=work)
    try:
        await emu.wait_polling(timeout=60)
        await asyncio.sleep(1)  # let start-up finish (command menu, first long poll)
        started = rss_kb(process.pid)
        activity = settings.visits.activities[0]
        visitors = [Visitor(emu, inbox, t, TOKEN) for t in ids[:active]]

        async def traffic(visitor: Visitor) -> None:
            for _ in range(visits):
                await visitor.bot_visit(activity)
            await visitor.say("/me")

        await asyncio.gather(*(traffic(v) for v in visitors))
        after = rss_kb(process.pid)
    finally:
        if process.returncode is None:
            process.terminate()
        _, stderr = await process.communicate()
        await emu.stop()
    if process.returncode not in (0, -15):
        raise RuntimeError(f"the bot exited with {process.returncode}: {stderr.decode()[-2000:]}")
    return {
        "benchmark": "memory",
        "database": db,
        "members": members,
        "active_cadres": active,
        "visits": sum(len(v.latencies) for v in visitors),
        "rss_after_start_mb": round(started["VmRSS"] / 1024, 1),
        "rss_after_traffic_mb": round(after["VmRSS"] / 1024, 1),
        "peak_rss_mb": round(after["VmHWM"] / 1024, 1),
        "machine": machine(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--active", type=int, default=200, help="cadres sending traffic")
    parser.add_argument("--visits", type=int, default=2, help="visits per active cadre")
    add_common_args(parser)
    args = parser.parse_args()
    result = asyncio.run(main(args.members, args.active, args.visits, args.db))
    print(
        json.dumps(result, ensure_ascii=False)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in result.items())
    )
