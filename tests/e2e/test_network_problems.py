"""Telegram out of reach, a rejected token, a Bot API server without setMyCommands: each is one
clear line, never a traceback. `township-bot run` waits for Telegram and starts once it
answers; the commands that need the network stop with a non-zero exit code.

The bot runs as a real process (`township-bot run`), against a closed port or the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from devkit.emulator import BotApiEmulator
from devkit.emulator.methods import METHODS
from tests.conftest import TOKEN
from tests.e2e.helpers import NEWCOMER_ID
from tests.processes import (
    cli,
    free_port,
    logs,
    start_instance,
    stop,
    wait_health,
    write_config,
)

REJECTED = "7000000002:a-token-the-emulator-does-not-know"
UNREACHABLE = "无法连接 Telegram Bot API"


async def wait_log(path: Path, done: Callable[[str], bool], within: float = 60.0) -> str:
    """Poll a process's log until `done` (a separate process has no other signal)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        text = logs(path)
        if done(text):
            return text
        if loop.time() > deadline:
            raise TimeoutError(text[-3000:])
        await asyncio.sleep(0.1)


async def answers_a_stranger(
    emulator: BotApiEmulator,
    database_url: str,
    tmp_path: Path,
    meanwhile: Callable[[Path], Awaitable[None]] | None = None,
    within: float = 20,
) -> str:
    """Run an instance against `emulator` until it has answered a stranger's /start (after
    `meanwhile`, given the log, once the instance is active), stop it cleanly, and return
    its log."""
    health = free_port()
    api = emulator.base_url.removesuffix("/bot")
    config = write_config(tmp_path / "bot.toml", database_url, api=api, health_port=health)
    log = tmp_path / "bot.log"
    proc = await start_instance(config, log)
    try:
        await wait_health(health, "active", within=60)
        if meanwhile is not None:
            await meanwhile(log)
        stranger = emulator.add_user(NEWCOMER_ID, "吴小平")
        await stranger.send("/start")
        assert (await stranger.reply(timeout=within)).text
    finally:
        assert await stop([proc]) == [0]
    return log.read_text(encoding="utf-8")


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


@pytest.mark.e2e
async def test_run_waits_for_telegram_and_starts_when_it_answers(
    database_url: str, tmp_path: Path
) -> None:
    port, health = free_port(), free_port()
    config = write_config(
        tmp_path / "bot.toml", database_url, api=f"http://127.0.0.1:{port}", health_port=health
    )
    log = tmp_path / "bot.log"
    proc = await start_instance(config, log)
    emulator = None
    try:
        # Nothing listens on the port: the instance says so, once per attempt, and retries.
        await wait_log(log, lambda text: len(lines_with(text, UNREACHABLE)) >= 2)
        # Telegram comes back: the instance starts and answers.
        emulator = BotApiEmulator(port=port)
        await emulator.start()
        emulator.add_bot(TOKEN, username="township_test_bot")
        await wait_health(health, "active", within=90)
        stranger = emulator.add_user(NEWCOMER_ID, "吴小平")
        await stranger.send("/start")
        assert (await stranger.reply(timeout=20)).text
    finally:
        assert await stop([proc]) == [0]
        if emulator is not None:
            await emulator.stop()
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text
    failures = lines_with(text, UNREACHABLE)
    assert len(failures) >= 2
    for line in failures:
        assert "连接被拒绝" in line and "[telegram] proxy" in line and "api_base_url" in line
        assert "秒后重试" in line
    assert "1秒后重试" in failures[0] and "2秒后重试" in failures[1]
    assert len(lines_with(text, "已连接 Telegram Bot API：机器人为 @township_test_bot。")) == 1
    assert TOKEN.split(":")[1] not in text


@pytest.mark.e2e
async def test_a_rejected_token_stops_run_with_one_line(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    api = emulator.base_url.removesuffix("/bot")
    config = write_config(tmp_path / "bot.toml", database_url, api=api, token=REJECTED)
    log = tmp_path / "bot.log"
    proc = await start_instance(config, log)
    assert await asyncio.wait_for(proc.wait(), 60) == 2
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text
    [line] = lines_with(text, "拒绝了机器人令牌")
    assert line.startswith(f"{api} 的 Bot API 拒绝了机器人令牌") and "TOWNSHIP_BOT_TOKEN" in line
    assert REJECTED.split(":")[1] not in text


@pytest.mark.e2e
@pytest.mark.parametrize("server", ["failing", "without setMyCommands"])
async def test_set_my_commands_failing_at_start_up_does_not_stop_the_bot(
    emulator: BotApiEmulator,
    database_url: str,
    tmp_path: Path,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if server == "failing":
        emulator.faults.inject("setMyCommands", "500", count=5)  # more than the retries
    else:
        monkeypatch.delitem(METHODS, "setmycommands")  # answered 404 Not Found
    text = await answers_a_stranger(emulator, database_url, tmp_path)
    assert "Traceback" not in text
    assert len(lines_with(text, "WARNING bot.app: setMyCommands failed")) == 1
    assert emulator.commands({"type": "default"}) == []


@pytest.mark.e2e
async def test_commands_that_need_telegram_fail_with_one_line(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    database = f"sqlite+aiosqlite:///{tmp_path}/t.db"
    offline = str(write_config(tmp_path / "offline.toml", database, api=closed))
    invite = ("invite", "--township", "SHZ", "--role", "secretary")

    # invite needs getMe for the bot's username when bot_username is empty.
    code, out, err = await cli(*invite, "--config", offline, cwd=tmp_path)
    assert (code, out) == (3, "")
    [line] = err.splitlines()
    assert line.startswith(f"{UNREACHABLE} {closed}：连接被拒绝。")
    assert not (tmp_path / "t.db").exists()  # nothing was created for a link never printed

    code, out, err = await cli("check-config", "--config", offline, cwd=tmp_path)
    assert code == 3 and "Traceback" not in err
    assert lines_with(err, UNREACHABLE) == err.splitlines()
    assert "配置有效" in out
    code, out, err = await cli("check-config", "--offline", "--config", offline, cwd=tmp_path)
    assert code == 0 and err == ""

    rejected = str(
        write_config(
            tmp_path / "rejected.toml",
            database,
            api=emulator.base_url.removesuffix("/bot"),
            token=REJECTED,
        )
    )
    code, out, err = await cli(*invite, "--config", rejected, "--lang", "en", cwd=tmp_path)
    assert (code, out) == (2, "")
    [line] = err.splitlines()
    assert "rejected the bot token" in line and "TOWNSHIP_BOT_TOKEN" in line
    code, out, err = await cli("check-config", "--config", rejected, cwd=tmp_path)
    assert code == 2 and "Traceback" not in err
    [line] = err.splitlines()
    assert line.startswith("错误：") and "拒绝了机器人令牌" in line

    # The emulator knows the token: getMe names the bot, and a wrong bot_username is an error.
    good = write_config(
        tmp_path / "good.toml", database, api=emulator.base_url.removesuffix("/bot")
    )
    code, out, err = await cli(*invite, "--config", str(good), cwd=tmp_path)
    assert code == 0 and out.startswith("https://t.me/township_test_bot?start=")
    good.write_text(
        good.read_text(encoding="utf-8").replace(
            "[telegram]\n", '[telegram]\nbot_username = "someone_elses_bot"\n'
        ),
        encoding="utf-8",
    )
    code, out, err = await cli("check-config", "--lang", "en", "--config", str(good), cwd=tmp_path)
    assert code == 2 and "The token works: the bot is @township_test_bot." in out
    assert "'someone_elses_bot', but the token belongs to @township_test_bot" in err


@pytest.mark.e2e
@pytest.mark.parametrize("missing", ["deletewebhook", "setmycommands and deletewebhook"])
async def test_a_bot_api_server_without_delete_webhook_still_polls(
    emulator: BotApiEmulator,
    database_url: str,
    tmp_path: Path,
    missing: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Long polling deletes any webhook first; a server without deleteWebhook answers 404,
    which is not a rejected token (getMe worked): one line, and the bot polls and answers."""
    for method in missing.split(" and "):
        monkeypatch.delitem(METHODS, method)  # answered 404 Not Found
    text = await answers_a_stranger(emulator, database_url, tmp_path)
    assert "Traceback" not in text and "拒绝了机器人令牌" not in text
    [line] = lines_with(text, "deleteWebhook is not supported by the Bot API server")
    assert "polling for updates without it" in line


@pytest.mark.e2e
async def test_a_wrong_api_address_path_is_not_called_a_rejected_token(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    """getMe answered 404 (a path that is no Bot API's): `run` stops and `check-config`
    fails with one line that names the address first; 401 stays a rejected token."""
    api = emulator.base_url.removesuffix("/bot") + "/telegram-api"
    config = write_config(tmp_path / "bot.toml", database_url, api=api)
    log = tmp_path / "bot.log"
    proc = await start_instance(config, log)
    assert await asyncio.wait_for(proc.wait(), 60) == 2
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text and "拒绝了机器人令牌" not in text
    [line] = lines_with(text, "回答“404 Not Found”")
    assert line.startswith(f"{api} 的服务器对 getMe 回答“404 Not Found”") and "api_base_url" in line
    code, _, err = await cli("check-config", "--lang", "en", "--config", str(config), cwd=tmp_path)
    assert code == 2 and "Traceback" not in err
    [line] = err.splitlines()
    assert "answered 404 Not Found to getMe" in line and "rejected" not in line


@pytest.mark.e2e
async def test_a_webhook_set_behind_a_polling_bot_is_deleted_and_said(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    """An old deployment in webhook mode sets its webhook while this instance polls:
    getUpdates answers 409 Conflict, and every update would go to the old address. The
    instance deletes the webhook, says so in one line, and answers again."""

    async def set_old_webhook(_: Path) -> None:
        old = f"https://old-deployment.example/{free_port()}/hook"
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"{emulator.base_url}{TOKEN}/setWebhook", data={"url": old})
        assert answer.json()["result"] is True

    text = await answers_a_stranger(emulator, database_url, tmp_path, set_old_webhook, within=60)
    assert "Traceback" not in text
    [line] = lines_with(text, "已删除该 webhook")
    assert "old-deployment.example" in line and "/hook" not in line


@pytest.mark.e2e
async def test_another_poller_with_the_same_token_is_named_in_one_line(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    """Another program calls getUpdates with the bot's token: the instance's long poll is
    answered 409 Conflict, the line says what to stop, and the instance keeps polling."""

    async def poll_as_another_program(log: Path) -> None:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{emulator.base_url}{TOKEN}/getUpdates", data={"timeout": "0", "limit": "1"}
            )
        assert answer.json()["ok"] is True
        await wait_log(log, lambda text: "另有程序在获取本机器人的更新" in text)

    text = await answers_a_stranger(
        emulator, database_url, tmp_path, poll_as_another_program, within=60
    )
    assert "Traceback" not in text and "已删除该 webhook" not in text
