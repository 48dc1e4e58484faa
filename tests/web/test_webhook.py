"""Webhook delivery from the township's own Bot API server: the secret header, retries, the
409 of getUpdates, drop_pending_updates, allowed_updates, a restart, and the bot itself in
`[telegram] mode = "webhook"`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import tornado.httpserver
import tornado.web
from sqlalchemy import func, select

from bot.core.clock import ManualClock
from bot.core.models import WebCallback, WebUpdate, WebWebhook
from bot.web.store import Wakeup
from bot.web.webhook import ROW, Delivery
from tests.conftest import TOKEN
from tests.processes import free_port
from tests.web.conftest import USER, Township, WebWorld
from tests.web.test_access import CADRE, SECRETARY


@dataclass
class Receiver:
    """A webhook on loopback that refuses the first `fail` posts."""

    fail: int = 0
    attempts: int = 0
    secrets: list[str | None] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    url: str = ""

    async def until(self, count: int, attempts: int = 0) -> None:
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(
                    lambda: len(self.updates) >= count and self.attempts >= attempts
                ),
                20,
            )


class Hook(tornado.web.RequestHandler):
    def initialize(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def post(self) -> None:
        receiver = self.receiver
        async with receiver.arrived:
            receiver.attempts += 1
            receiver.secrets.append(self.request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
            if receiver.attempts > receiver.fail:
                receiver.updates.append(json.loads(self.request.body))
            else:
                self.set_status(500)
            receiver.arrived.notify_all()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    port = free_port()
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([(r"/hook", Hook, {"receiver": hook})])
    )
    server.listen(port, "127.0.0.1")
    hook.url = f"http://127.0.0.1:{port}/hook"
    yield hook
    server.stop()


async def test_updates_are_posted_with_the_secret_and_retried(
    township: Township, receiver: Receiver
) -> None:
    receiver.fail = 2
    set_hook = await township.call("setWebhook", url=receiver.url, secret_token="abc_1")
    assert set_hook.json() == {"ok": True, "result": True}
    await township.says("/start")
    await township.says("第二条")
    await receiver.until(2)
    assert [u["message"]["text"] for u in receiver.updates] == ["/start", "第二条"]
    assert receiver.attempts == 4 and receiver.secrets == ["abc_1"] * 4
    await township.settled()
    info = (await township.call("getWebhookInfo")).json()["result"]
    assert info["url"] == receiver.url and info["pending_update_count"] == 0
    assert info["last_error_message"] == "Wrong response from the webhook: 500"


async def test_get_updates_is_refused_while_a_webhook_is_set(
    township: Township, receiver: Receiver
) -> None:
    receiver.fail = 10**6
    await township.call("setWebhook", url=receiver.url)
    refused = await township.call("getUpdates")
    assert refused.status_code == 409
    assert refused.json()["description"].startswith("Conflict: can't use getUpdates")
    assert (await township.call("deleteWebhook")).json()["result"] is True
    assert (await township.call("getUpdates")).json() == {"ok": True, "result": []}
    assert (await township.call("getWebhookInfo")).json()["result"]["url"] == ""


async def test_bad_webhook_requests_are_refused(township: Township) -> None:
    bad_url = await township.call("setWebhook", url="ftp://example.com/hook")
    assert bad_url.json()["description"].startswith("Bad Request: bad webhook")
    bad_secret = await township.call("setWebhook", url="http://127.0.0.1:9/h", secret_token="a b")
    assert bad_secret.json()["description"] == (
        "Bad Request: secret token contains unallowed characters"
    )


async def test_drop_pending_updates(township: Township, receiver: Receiver) -> None:
    await township.says("早")
    await township.says("还在吗")
    assert await township.pending() == 2
    await township.call("setWebhook", url=receiver.url, drop_pending_updates=True)
    assert await township.pending() == 0
    await township.says("/start")
    await receiver.until(1)
    assert [u["message"]["text"] for u in receiver.updates] == ["/start"]


async def test_allowed_updates_are_honoured(township: Township, receiver: Receiver) -> None:
    await township.says("/start")
    buttons = {"inline_keyboard": [[{"text": "是", "callback_data": "yes"}]]}
    sent = await township.call("sendMessage", chat_id=USER, text="好吗？", reply_markup=buttons)
    assert sent.status_code == 200, sent.text
    await township.presses()
    await township.call("setWebhook", url=receiver.url, allowed_updates=["callback_query"])
    await receiver.until(1)
    [update] = receiver.updates
    assert update["callback_query"]["data"] == "yes"
    await township.settled()  # the message was dropped, not kept
    info = (await township.call("getWebhookInfo")).json()["result"]
    assert info["allowed_updates"] == ["callback_query"]
    async with township.server.web.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(WebCallback)) == 1


async def test_undelivered_updates_survive_a_restart(
    township: Township, receiver: Receiver
) -> None:
    receiver.fail = 1
    await township.call("setWebhook", url=receiver.url, secret_token="s")
    await township.server.delivery.stop()  # as if the process stopped after one refusal
    await township.says("/start")
    assert await township.pending() == 1
    await township.restart()
    await receiver.until(1)
    assert receiver.updates[0]["message"]["text"] == "/start"
    assert receiver.secrets[-1] == "s"


@pytest.fixture
def bot_mode() -> str:
    return "webhook"


async def test_the_bot_in_webhook_mode_answers_a_tap(web: WebWorld) -> None:
    secretary = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    chat = SECRETARY.telegram_user_id
    label = await secretary.member_button(chat, CADRE.name)
    answer = await secretary.press(chat, label)
    assert answer is not None
    messages = await secretary.wait_for(chat, lambda ms: CADRE.name in ms[-1]["text"])
    assert messages[-1]["from_bot"]
    async with web.svc.transaction() as session:
        hook = await session.get(WebWebhook, ROW)
        left = await session.scalar(select(func.count()).select_from(WebUpdate))
    assert hook is not None and hook.url.endswith("/telegram") and left == 0


def test_webhook_mode_on_the_web_channel_posts_on_loopback() -> None:
    from bot.core.config import parse_settings
    from bot.web.channel import on_web_channel

    config = {
        "telegram": {"token": TOKEN, "mode": "webhook", "webhook": {"port": 8444}},
        "channel": {"kind": "web", "port": 8090},
        "townships": [{"code": "SHZ", "name": "沙河子镇"}],
    }
    telegram = on_web_channel(parse_settings(config)).telegram
    assert telegram.mode == "webhook" and telegram.api_base_url == "http://127.0.0.1:8090"
    assert telegram.webhook.public_url == "http://127.0.0.1:8444"


async def test_two_instances_deliver_each_update_once(
    township: Township, receiver: Receiver
) -> None:
    other = Township(township.engine)
    await other.server.start(port=0)
    try:
        await township.call("setWebhook", url=receiver.url)
        for number in range(6):
            await (township if number % 2 else other).says(f"第{number}条")
            other.server.web.updates.notify()
        await receiver.until(6)
        await township.settled()
    finally:
        await other.server.stop()
    texts = [u["message"]["text"] for u in receiver.updates]
    assert texts == [f"第{number}条" for number in range(6)]


async def test_a_skewed_instance_clock_takes_no_live_delivery_claim(
    township: Township, receiver: Receiver
) -> None:
    """Who delivers runs out by the database's clock: a server whose clock runs 10 minutes
    ahead does not take the webhook from the one delivering."""
    await township.server.delivery.stop()
    await township.call("setWebhook", url=receiver.url)
    await township.says("你好")
    web = township.server.web

    def delivery(clock: ManualClock) -> Delivery:
        return Delivery(web.transaction, clock, Wakeup(), Wakeup())

    delivering = delivery(township.clock)
    assert await delivering._claim() is not None
    ahead = delivery(ManualClock(township.clock.now() + timedelta(minutes=10)))
    assert await ahead._claim() is None
    async with web.transaction() as session:
        row = await session.get(WebWebhook, ROW)
    assert row is not None and row.delivering_by == delivering.name
