"""Real `township-bot` processes for the tests: a config file, `township-bot run` started from
it, its readiness (the health endpoint: a separate process has no other signal), its end, and
one-shot commands (`init`, `invite`, `check-config`)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db import members as member_db
from bot.core.db.engine import session_factory
from devkit.emulator import BotApiEmulator
from devkit.sample import SamplePerson, seed_people
from tests.conftest import TOKEN, make_settings

ROOT = Path(__file__).resolve().parents[1]
ONE_TOWNSHIP = """[[townships]]
code = "SHZ"
name = "沙河子镇"
  [[townships.villages]]
  name = "沙河子村"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment() -> dict[str, str]:
    """This environment without the bot's own variables, with this checkout importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def write_config(
    path: Path,
    database_url: str,
    *,
    api: str = "",
    token: str = TOKEN,
    telegram: str = "",
    tables: str = "",
    health_port: int = 0,
    lease_seconds: float = 3,
    renew_seconds: float = 0.5,
    tick_seconds: int = 0,
    instance: str = "",
    scheduler: str = "",
    townships: str = ONE_TOWNSHIP,
) -> Path:
    """A config file for one instance. `telegram`: more lines of [telegram] (and its
    [telegram.webhook] table); `tables`: whole tables after it ([channel]); `instance` and
    `scheduler`: more lines of [instance] and [scheduler]."""
    api_line = f'api_base_url = "{api}"\n' if api else ""
    path.write_text(
        f"""
[telegram]
token = "{token}"
{api_line}{telegram}
{tables}
[database]
url = "{database_url}"
[instance]
lease_seconds = {lease_seconds}
renew_seconds = {renew_seconds}
health_port = {health_port}
{instance}
[scheduler]
tick_seconds = {tick_seconds}
{scheduler}
{townships}""",
        encoding="utf-8",
    )
    return path


async def seed(
    emulator: BotApiEmulator, engine: AsyncEngine, database_url: str, people: list[SamplePerson]
) -> dict[int, int]:
    """The database the processes will share: the townships of the test config and `people`,
    who are users of the emulator too. Returns the people's member ids by Telegram id."""
    settings = make_settings(emulator, database_url)
    async with session_factory(engine)() as session, session.begin():
        await member_db.sync_townships(session, settings)
        ids = await seed_people(session, datetime.now(UTC), people)
    for person in people:
        emulator.add_user(person.telegram_user_id, person.name)
    return ids


async def start_instance(config: Path, log: Path) -> asyncio.subprocess.Process:
    """`township-bot run --config config`, its output in `log`."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
        env=environment(),
    )


async def wait_health(port: int, role: str, within: float = 30.0) -> dict:
    """Poll the health endpoint until it reports `role` (a subprocess has no other signal)."""
    async with httpx.AsyncClient() as client:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            try:
                answer = (await client.get(f"http://127.0.0.1:{port}/health", timeout=2)).json()
                if answer["role"] == role:
                    return answer
            except (httpx.HTTPError, ValueError):
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no instance on port {port} became {role}")
            await asyncio.sleep(0.1)


async def stop(processes: Iterable[asyncio.subprocess.Process]) -> list[int]:
    """SIGTERM to those still running; their exit codes once all have ended."""
    codes = []
    for process in processes:
        if process.returncode is None:
            process.terminate()
        codes.append(await process.wait())
    return codes


def logs(*paths: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in paths if p.exists())


def assert_no_secrets(text: str, *secrets: str) -> None:
    """The bot token's secret part (and any other secret given) never reaches a log."""
    for secret in (TOKEN.split(":")[1], *secrets):
        assert secret not in text


async def cli(*args: str, cwd: Path, stdin: str | None = None) -> tuple[int, str, str]:
    """A one-shot command (`township-bot *args`): exit code, stdout, stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=environment(),
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        proc.communicate(None if stdin is None else stdin.encode()), 120
    )
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
