"""The real bot on the web channel: the township's own Bot API server and web chat on
loopback, the sample township, and members' browsers as httpx clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import AppType, build_application, running, running_webhook
from bot.core.clock import ManualClock
from bot.core.config import ChannelConfig, Settings, WebhookConfig, parse_settings
from bot.core.db.engine import session_factory
from bot.core.models import WebChat, WebMessage, WebUpdate, WebUser
from bot.core.services import Services
from bot.web import auth, store
from bot.web.server import WebServer
from devkit.sample import ADMIN, OTHER_PERSON, OTHER_TOWNSHIP, PEOPLE, sample_config, seed_people
from tests.conftest import START, TOKEN, _merge


@dataclass
class WebWorld:
    server: WebServer
    app: AppType
    settings: Settings
    clock: ManualClock
    member_ids: dict[int, int] = field(default_factory=dict)
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def svc(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.url, timeout=30, **kwargs)
        self.clients.append(client)
        return client

    async def browser_of(
        self, user_id: int, name: str = "", device: str = "test", address: str = "127.0.0.1"
    ) -> Browser:
        """A browser signed in as this person (as if they had used an invitation); sign-ins
        from one `address` count towards its hourly limit."""
        async with self.svc.transaction() as session:
            if await session.get(WebUser, user_id) is None:
                session.add(WebUser(id=user_id, first_name=name or str(user_id), created_at=START))
                session.add(WebChat(id=user_id, type="private", title=None, last_message_id=0))
                await session.flush()
            user = await session.get(WebUser, user_id)
            assert user is not None
            token = await auth.open_session(
                session, user, device, address, self.clock.now(), days=30
            )
        client = self.client(cookies={auth.COOKIE: token}, headers={"Origin": self.url})
        me = (await client.get("/api/me")).json()
        client.headers[auth.CSRF_HEADER] = me["csrf"]
        return Browser(client, token, me)


@dataclass
class Browser:
    http: httpx.AsyncClient
    token: str
    me: dict[str, Any]

    def chat_ids(self) -> list[int]:
        return [c["id"] for c in self.me["chats"]]

    async def messages(self, chat_id: int) -> dict[str, Any]:
        response = await self.http.get(f"/api/chats/{chat_id}/messages")
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    async def wait_messages(self, chat_id: int, count: int) -> list[dict[str, Any]]:
        """Long-poll until the chat holds at least `count` messages (no sleeping)."""
        return await self.wait_for(chat_id, lambda messages: len(messages) >= count)

    async def wait_for(
        self, chat_id: int, predicate: Callable[[list[dict[str, Any]]], bool]
    ) -> list[dict[str, Any]]:
        known = ""
        for _ in range(20):
            response = await self.http.get(
                f"/api/chats/{chat_id}/messages", params={"known": known, "wait": 10}
            )
            payload = response.json()
            messages: list[dict[str, Any]] = payload["messages"]
            if predicate(messages):
                return messages
            known = payload["version"]
        raise AssertionError(f"chat {chat_id} never showed what was expected")

    async def press(self, chat_id: int, label: str) -> dict[str, Any] | None:
        """Press the newest button with this label, once a message shows it (the card it is
        on may still be on its way); the bot's answer once it comes."""

        def has_button(messages: list[dict[str, Any]]) -> bool:
            return any(b["text"] == label for m in messages for row in m["buttons"] for b in row)

        messages = await self.wait_for(chat_id, has_button)
        message, button = next(
            (m, b)
            for m in reversed(messages)
            for row in m["buttons"]
            for b in row
            if b["text"] == label
        )
        pressed = await self.http.post(
            f"/api/chats/{chat_id}/press",
            json={"message_id": message["id"], "data": button["data"]},
        )
        assert pressed.status_code == 200, pressed.text
        answer = await self.http.get(f"/api/answers/{pressed.json()['query']}", params={"wait": 10})
        result: dict[str, Any] | None = answer.json()["answer"]
        return result

    async def say(self, chat_id: int, text: str) -> httpx.Response:
        return await self.http.post(f"/api/chats/{chat_id}/messages", json={"text": text})

    async def member_button(self, chat_id: int, name: str) -> str:
        """Ask for /members; the label of the member's button once the list shows it."""
        await self.say(chat_id, "/members")

        def listed(messages: list[dict[str, Any]]) -> bool:
            return any(b["text"].startswith(name) for r in messages[-1]["buttons"] for b in r)

        messages = await self.wait_for(chat_id, listed)
        return next(
            b["text"] for r in messages[-1]["buttons"] for b in r if b["text"].startswith(name)
        )


def web_settings(url: str, database_url: str, **extra: Any) -> Settings:
    config = sample_config(TOKEN, url, database_url)
    channel = {"kind": "web", "public_url": url, "secure_cookies": False}
    layers = _merge(config, {"scheduler": {"tick_seconds": 0}, "channel": channel}, extra)
    return parse_settings(layers, "test")


@pytest.fixture
def channel_extra() -> dict[str, Any]:
    """Override in a test module to change the web channel's configuration."""
    return {}


@pytest.fixture
def bot_mode() -> str:
    """Override in a test module with "webhook": the server posts updates to the bot."""
    return "polling"


def webhook_on_loopback() -> WebhookConfig:
    """`[telegram] mode = "webhook"`: the bot's webhook server on loopback, set as the
    township server's webhook."""
    from tests.processes import free_port

    port = free_port()
    return WebhookConfig(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        public_url=f"http://127.0.0.1:{port}",
        secret_token="web_hook-secret",
    )


@pytest.fixture
async def web(
    engine: AsyncEngine, database_url: str, channel_extra: dict[str, Any], bot_mode: str
) -> AsyncIterator[WebWorld]:
    clock = ManualClock(START)
    channel = ChannelConfig(
        kind="web",
        public_url="http://127.0.0.1",
        secure_cookies=False,
        upload_max_bytes=64 * 1024,
        signin_attempts_per_hour=5,
        **channel_extra,
    )
    server = WebServer(channel, TOKEN, session_factory(engine).begin, clock)
    await server.start(port=0)
    settings = web_settings(server.url, database_url)
    app = build_application(settings, clock=clock, engine=engine, migrate=False)
    started: AbstractAsyncContextManager[AppType] = (
        running_webhook(app, webhook_on_loopback())
        if bot_mode == "webhook"
        else running(app, poll_timeout=5)
    )
    try:
        async with started:
            world = WebWorld(server=server, app=app, settings=settings, clock=clock)
            async with world.svc.transaction() as session:
                world.member_ids = await seed_people(session, clock.now(), [*PEOPLE, ADMIN])
                world.member_ids.update(
                    await seed_people(
                        session, clock.now(), [OTHER_PERSON], code=OTHER_TOWNSHIP["code"]
                    )
                )
            await server.open_groups()
            await world.svc.reload_directory()
            yield world
            for client in world.clients:
                await client.aclose()
    finally:
        await server.stop()


USER = 700_000_001


class Township:
    """The township's server alone (no bot): the test is the bot."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.clock = ManualClock(START)
        self.server = self._server()

    def _server(self) -> WebServer:
        channel = ChannelConfig(kind="web", public_url="http://127.0.0.1", secure_cookies=False)
        sessions = session_factory(self.engine).begin
        return WebServer(channel, TOKEN, sessions, self.clock, webhook_retry_seconds=0.01)

    async def restart(self) -> None:
        await self.server.stop()
        self.server = self._server()
        await self.server.start(port=0)

    async def call(self, method: str, **params: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as http:
            return await http.post(f"/bot{TOKEN}/{method}", json=params)

    async def says(self, text: str) -> None:
        """A member writes to the bot: an update."""
        async with self.server.web.transaction() as session:
            user = await session.get(WebUser, USER)
            if user is None:
                user = WebUser(id=USER, first_name="吴", created_at=START)
                session.add(user)
                session.add(WebChat(id=USER, type="private", title=None, last_message_id=0))
                await session.flush()
            chat = await session.get(WebChat, USER)
            assert chat is not None
            await store.member_message(session, user, chat, self.clock.now(), text=text)
        self.server.web.updates.notify()

    async def presses(self) -> None:
        """A member presses a button of the bot's last message: a callback_query update."""
        async with self.server.web.transaction() as session:
            user = await session.get(WebUser, USER)
            assert user is not None
            message = await session.scalar(
                select(WebMessage).where(WebMessage.from_bot).order_by(WebMessage.message_id.desc())
            )
            assert message is not None
            await store.press(session, user, message, "yes", self.clock.now())
        self.server.web.updates.notify()

    async def settled(self) -> None:
        """Wait until the server has recorded every delivery (the webhook answers first)."""
        for _ in range(40):
            if await self.pending() == 0:
                return
            await self.server.delivery.delivered.wait(0.5)
        raise AssertionError("updates are still pending")

    async def pending(self) -> int:
        async with self.server.web.transaction() as session:
            return await session.scalar(select(func.count()).select_from(WebUpdate)) or 0


@pytest.fixture
async def township(engine: AsyncEngine) -> AsyncIterator[Township]:
    place = Township(engine)
    await place.server.start(port=0)
    yield place
    await place.server.stop()
