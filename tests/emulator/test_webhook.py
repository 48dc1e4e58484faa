"""Webhook delivery: PTB's own webhook server, and retries with the secret header."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import tornado.httpserver
import tornado.web
from telegram import Bot, Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from devkit.emulator import BotApiEmulator, EmulatedUser, EmulatorLimits
from tests.processes import free_port

from .conftest import ALICE, TOKEN


async def hello(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("hello via webhook")


async def test_ptb_run_webhook(emu: BotApiEmulator, alice: EmulatedUser) -> None:
    app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).build()
    app.add_handler(CommandHandler("start", hello))
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg-hook",
            webhook_url=url,
            secret_token="s3cret_Token-1",
        )
        await alice.send("/start")
        assert (await alice.reply()).text == "hello via webhook"
        info = await app.bot.get_webhook_info()
        await app.updater.stop()
        await app.stop()
    assert info.url == url
    assert emu.stats.webhook_deliveries == 1 and emu.stats.webhook_failures == 0


class Receiver(tornado.web.RequestHandler):
    def initialize(self, state: dict[str, Any]) -> None:
        self.state = state

    def post(self) -> None:
        self.state["attempts"] += 1
        self.state["secret"] = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if self.state["attempts"] <= self.state["fail"]:
            self.set_status(500)
            return
        self.state["updates"].append(json.loads(self.request.body))
        self.state["delivered"].set()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, dict[str, Any]]]:
    state: dict[str, Any] = {"attempts": 0, "fail": 2, "updates": [], "delivered": asyncio.Event()}
    port = free_port()
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([(r"/hook", Receiver, {"state": state})])
    )
    server.listen(port, "127.0.0.1")
    yield f"http://127.0.0.1:{port}/hook", state
    server.stop()


async def test_webhook_retries_until_accepted(
    receiver: tuple[str, dict[str, Any]],
) -> None:
    url, state = receiver
    async with BotApiEmulator(limits=EmulatorLimits(webhook_retry_delay=0.01)) as emu:
        emu.add_bot(TOKEN)
        alice = emu.add_user(ALICE, "Alice")
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            await bot.set_webhook(url, secret_token="abc")
            sent = await alice.send("are you there?")
            await asyncio.wait_for(state["delivered"].wait(), 5)
            await emu.wait_idle_updates()
            info = await bot.get_webhook_info()
    assert state["attempts"] == 3 and state["secret"] == "abc"
    [update] = state["updates"]
    assert update["message"]["message_id"] == sent["message_id"]
    assert update["message"]["text"] == "are you there?"
    assert emu.stats.webhook_failures == 2 and emu.stats.webhook_deliveries == 1
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500"
