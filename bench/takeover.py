"""Takeover after `kill -9`: how soon a standby resumes a fan-out.

    python bench/takeover.py --members 3000 --kills 3 [--lease 20 --renew 5 --tick 30]
        [--db sqlite|postgresql]

Two `township-bot run` processes on one database, one active and one standing by, and a
fan-out of one message per member queued in the outbox. Whenever a share of it has gone out,
the active instance is killed with SIGKILL and started again (it becomes the standby). For
each kill: seconds until the survivor says it is active (/health) and until the next message
reaches the emulator, against the bound lease + 10 s; over the whole run: messages lost and
sent twice (a message in flight at the kill may go out twice, never none).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    TOKEN,
    add_common_args,
    bench_settings,
    bot_run,
    database_url,
    free_port,
    fresh_database,
    generate_members,
    machine,
    start_process,
    workdir,
)
from bot.core.db.engine import session_factory
from bot.core.outbox import Outgoing, enqueue
from devkit.emulator import BotApiEmulator
from devkit.sample import TOWNSHIP_CODE, TOWNSHIP_NAME, VILLAGES


def config_toml(
    api_base: str, url: str, port: int, lease: int, renew: float, tick: int, batch: int
) -> str:
    return f"""timezone = "Asia/Shanghai"
language = "zh_CN"
[telegram]
token = "{TOKEN}"
api_base_url = "{api_base}"
bot_username = "bench_bot"
[database]
url = "{url}"
[instance]
lease_seconds = {lease}
renew_seconds = {renew}
health_port = {port}
[scheduler]
enabled = false
tick_seconds = {tick}
send_batch = {batch}
[[townships]]
code = "{TOWNSHIP_CODE}"
name = "{TOWNSHIP_NAME}"
""" + "".join(f'[[townships.villages]]\nname = "{v["name"]}"\n' for v in VILLAGES)


class Instance:
    def __init__(self, name: str, config: Path, port: int, log: Path) -> None:
        self.name, self.config, self.port, self.log = name, config, port, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await start_process(bot_run(self.config), stderr=log)

    async def role(self, client: httpx.AsyncClient) -> str | None:
        try:
            answer = await client.get(f"http://127.0.0.1:{self.port}/health", timeout=2)
            return str(answer.json()["role"])
        except (httpx.HTTPError, ValueError, KeyError):
            return None

    async def wait_role(self, client: httpx.AsyncClient, role: str, within: float = 120) -> None:
        async with asyncio.timeout(within):
            while True:
                if await self.role(client) == role:
                    return
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


class Sends:
    """Counts the messages that reach the emulator; wakes waiters on each."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.count = 0
        self.chats: set[int] = set()
        self.changed = asyncio.Event()
        original = emu.add_event

        def add_event(bot: Any, kind: str, chat_id: int, *args: Any, **kwargs: Any) -> None:
            original(bot, kind, chat_id, *args, **kwargs)
            if kind == "send":
                self.count += 1
                self.chats.add(chat_id)
                self.changed.set()

        emu.add_event = add_event  # type: ignore[method-assign]

    async def reach(self, count: int, chats: int = 0) -> None:
        while self.count < count or len(self.chats) < chats:
            self.changed.clear()
            await self.changed.wait()


async def main(
    members: int,
    kills: int,
    db: str,
    lease: int = 20,
    renew: float = 5,
    tick: int = 30,
    batch: int = 20,
) -> dict[str, Any]:
    work = workdir()
    url = database_url(db, work)
    engine = await fresh_database(url)
    emu = BotApiEmulator()
    await emu.start()
    emu.add_bot(TOKEN, username="bench_bot")
    api_base = emu.base_url.removesuffix("/bot")
    settings = bench_settings(api_base, url, 30)
    ids = await generate_members(engine, settings, members)
    for telegram_id in ids:
        emu.add_user(telegram_id, f"u{telegram_id}")
    sends = Sends(emu)
    instances = []
    for name in ("a", "b"):
        port = free_port()
        config = work / f"{name}.toml"
        config.write_text(config_toml(api_base, url, port, lease, renew, tick, batch), "utf-8")
        instances.append(Instance(name, config, port, work / f"{name}.log"))
    loop = asyncio.get_running_loop()
    takeovers: list[dict[str, float]] = []
    async with httpx.AsyncClient() as client:
        try:
            active, standby = instances
            await active.start()
            await active.wait_role(client, "active")
            await standby.start()
            await standby.wait_role(client, "standby")
            items = [
                Outgoing(key=f"takeover:{t}", job="takeover", chat_id=t, text=f"通知 {t}")
                for t in ids
            ]
            async with session_factory(engine)() as session, session.begin():
                await enqueue(session, items, datetime.now(UTC))
            for k in range(1, kills + 1):
                await sends.reach(members * k // (kills + 1))
                assert active.process is not None
                active.process.send_signal(signal.SIGKILL)
                killed_at, at_kill = loop.time(), sends.count
                await active.process.wait()
                resumed, became_active = asyncio.create_task(sends.reach(at_kill + 1)), None
                while became_active is None:
                    if await standby.role(client) == "active":
                        became_active = loop.time() - killed_at
                    else:
                        await asyncio.sleep(0.05)
                await resumed
                takeovers.append(
                    {
                        "active_after_s": round(became_active, 2),
                        "next_send_after_s": round(loop.time() - killed_at, 2),
                    }
                )
                active, standby = standby, active
                await standby.start()
                await standby.wait_role(client, "standby")
            # `sends` counts a message sent twice twice: wait for every member's own.
            await sends.reach(members, chats=members)
        finally:
            for instance in instances:
                await instance.stop()
            await emu.stop()
            await engine.dispose()
    per_chat = Counter({t: len(emu.chat(t).messages) for t in ids})
    return {
        "benchmark": "takeover",
        "database": db if db in ("sqlite", "postgresql") else db.split(":")[0],
        "members": members,
        "lease_seconds": lease,
        "renew_seconds": renew,
        "tick_seconds": tick,
        "bound_seconds": lease + 10,
        "takeovers": takeovers,
        "worst_next_send_s": max(t["next_send_after_s"] for t in takeovers) if takeovers else 0,
        "sent_twice": sum(n - 1 for n in per_chat.values() if n > 1),
        "lost": sum(1 for n in per_chat.values() if n == 0),
        "machine": machine(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--lease", type=int, default=20)
    parser.add_argument("--renew", type=float, default=5)
    parser.add_argument("--tick", type=int, default=30)
    parser.add_argument("--batch", type=int, default=20)
    add_common_args(parser)
    args = parser.parse_args()
    result = asyncio.run(
        main(args.members, args.kills, args.db, args.lease, args.renew, args.tick, args.batch)
    )
    print(
        json.dumps(result, ensure_ascii=False)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in result.items())
    )
