"""`township-bot run` with `[channel] kind = "web"`: one process serves the bot, its Bot API
and the web chat on the configured port; a member signs in and the bot answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.core.db import members as member_db
from bot.core.db.engine import create_engine, session_factory
from bot.core.models import WebWebhook
from bot.members import queries as member_queries
from tests import processes
from tests.conftest import TOKEN
from tests.e2e.helpers import zh
from tests.processes import cli, free_port, start_instance, stop, wait_health
from tests.web.conftest import Browser


def write_config(
    path: Path, database_url: str, port: int, health_port: int, telegram: str = ""
) -> Path:
    return processes.write_config(
        path,
        database_url,
        telegram=telegram,
        tables=f"""[channel]
kind = "web"
port = {port}
public_url = "http://localhost:{port}"
secure_cookies = false
""",
        health_port=health_port,
    )


WEBHOOK = """mode = "webhook"
[telegram.webhook]
port = {port}
secret_token = "run-test_secret"
"""


@pytest.mark.e2e
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_run_serves_the_bot_and_the_web_chat_in_one_process(
    tmp_path: Path, mode: str
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'township.db'}"
    port, health = free_port(), free_port()
    config = tmp_path / "config.toml"
    telegram = WEBHOOK.format(port=free_port()) if mode == "webhook" else ""
    write_config(config, database_url, port, health, telegram)
    process = await start_instance(config, tmp_path / "run.log")
    try:
        await wait_health(health, "active")
        engine = create_engine(database_url)
        async with session_factory(engine)() as session, session.begin():
            township = await member_db.township_by_code(session, "SHZ")
            assert township is not None and township.group_chat_id is not None
            code = await member_queries.create_invite(
                session,
                township_id=township.id,
                role="cadre",
                now=datetime.now(UTC),
                valid_for=timedelta(hours=1),
            )
        await engine.dispose()
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, headers={"Origin": url}, timeout=30) as http:
            joined = await http.post(f"/join/{code}", data={"name": "吴小平"})
            assert joined.status_code == 303
            me = (await http.get("/api/me")).json()
            http.headers["X-CSRF-Token"] = me["csrf"]
            browser = Browser(http, "", me)
            [chat] = browser.chat_ids()
            _, card = await browser.wait_messages(chat, 2)
            assert "沙河子镇" in card["text"] and "吴小平" in card["text"]
            assert await browser.press(chat, zh("✅ Confirm")) is not None
            welcome = zh("Welcome, {name}! You are registered.").format(name="吴小平")
            await browser.wait_for(chat, lambda ms: any(welcome in m["text"] for m in ms))
        engine = create_engine(database_url)
        async with session_factory(engine)() as session:
            hook = await session.get(WebWebhook, 1)
        await engine.dispose()
        assert (hook is not None and hook.url.startswith("http://127.0.0.1:")) == (
            mode == "webhook"
        )
    finally:
        assert await stop([process]) == [0], processes.logs(tmp_path / "run.log")


async def test_the_invite_command_prints_a_web_link(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    write_config(config, f"sqlite+aiosqlite:///{tmp_path / 'township.db'}", 8080, 0)
    command = ["invite", "--config", str(config), "--township", "SHZ", "--role", "secretary"]
    code, out, err = await cli(*command, cwd=tmp_path)
    assert code == 0, err
    assert out.startswith("http://localhost:8080/join/")


async def test_check_config_does_not_ask_telegram_on_the_web_channel(no_network: None) -> None:
    from bot.cli.check import Findings, check_telegram
    from bot.cli.common import text_for
    from bot.core.config import parse_settings

    config = {
        "telegram": {"token": TOKEN, "api_base_url": "http://127.0.0.1:9"},
        "channel": {"kind": "web"},
        "townships": [{"code": "SHZ", "name": "沙河子镇"}],
    }
    findings = Findings()
    await check_telegram(parse_settings(config), findings, text_for("en"), offline=False)
    assert findings == Findings()
