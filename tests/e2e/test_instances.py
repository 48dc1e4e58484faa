"""Real processes: `township-bot run` as active and standby on one database, SIGKILL, takeover."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.core.db import members as member_db
from bot.core.db.engine import session_factory
from bot.members import queries as member_queries
from devkit.sample import PEOPLE
from tests.e2e.helpers import NEWCOMER_ID, SECRETARY, zh
from tests.processes import (
    assert_no_secrets,
    free_port,
    logs,
    seed,
    start_instance,
    stop,
    wait_health,
    write_config,
)
from tests.updates import private_message


@pytest.mark.e2e
async def test_standby_takes_over_and_the_conversation_continues(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    await seed(emulator, engine, database_url, PEOPLE[:2])
    emulator.add_user(NEWCOMER_ID, "吴小平")

    api = emulator.base_url.removesuffix("/bot")
    ports = free_port(), free_port()
    procs = []
    try:
        for i, port in enumerate(ports):
            config = tmp_path / f"instance{i}.toml"
            write_config(config, database_url, api=api, health_port=port)
            procs.append(await start_instance(config, tmp_path / f"instance{i}.log"))
            if i == 0:
                await wait_health(port, "active")
        await wait_health(ports[1], "standby")

        first = emulator.user(SECRETARY.telegram_user_id)
        await first.send("/help")
        assert "/members" in (await first.reply(timeout=20)).text

        async with session_factory(engine)() as session, session.begin():
            township = await member_db.township_by_code(session, "SHZ")
            token = await member_queries.create_invite(
                session,
                township_id=township.id,
                role="cadre",
                now=datetime.now(UTC),
                valid_for=timedelta(hours=1),
            )
        newcomer = emulator.user(NEWCOMER_ID)
        await newcomer.send(f"/start {token}")
        card = await newcomer.reply(timeout=20)

        procs[0].send_signal(signal.SIGKILL)
        await procs[0].wait()

        # The standby takes over within lease_seconds + renew_seconds and finishes the flow.
        await newcomer.press(card, zh("✅ Confirm"))
        done = await newcomer.wait_edit(card, timeout=30)
        assert "注册成功" in done.text
        assert (await wait_health(ports[1], "active"))["database"] == "ok"
    finally:
        await stop(procs)
    assert_no_secrets(logs(*(tmp_path / f"instance{i}.log" for i in range(2))))


@pytest.mark.e2e
async def test_webhook_mode_checks_the_secret_token(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    await seed(emulator, engine, database_url, PEOPLE[:1])
    hook_port, health_port = free_port(), free_port()
    secret = "webhook-secret-0123456789"
    config = tmp_path / "webhook.toml"
    write_config(
        config,
        database_url,
        api=emulator.base_url.removesuffix("/bot"),
        health_port=health_port,
        telegram=f"""mode = "webhook"
[telegram.webhook]
listen = "127.0.0.1"
port = {hook_port}
url_path = "tg"
public_url = "http://127.0.0.1:{hook_port}"
secret_token = "{secret}"
""",
    )
    proc = await start_instance(config, tmp_path / "webhook.log")
    try:
        await wait_health(health_port, "active")
        user = emulator.user(SECRETARY.telegram_user_id)
        await user.send("/help")
        assert "/members" in (await user.reply(timeout=20)).text
        assert emulator.stats.webhook_deliveries >= 1
        update = private_message(999999, 1, "/help")
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{hook_port}/tg"
            missing = await client.post(url, json=update)
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            latin = await client.post(
                url,
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "nopé".encode("latin-1")},
            )
        assert missing.status_code == wrong.status_code == latin.status_code == 403
    finally:
        await stop([proc])
    assert_no_secrets(logs(tmp_path / "webhook.log"), secret)
