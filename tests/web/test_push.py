"""Web Push for members away from the page, against a push service on loopback. The test
plays the browser: it makes the P-256 key pair and auth secret a browser would, subscribes
through the HTTP API, and decrypts what arrives (aes128gcm) after checking the VAPID
signature. Each send is one explicit tick of the pusher, so "nothing twice" is checked."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import http_ece
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import func, select, update

from bot.core.models import Member, Township, WebPush, WebPushKey, WebPushSubscription
from bot.web import auth, push
from tests.conftest import SENSITIVE
from tests.web.conftest import Browser, WebWorld
from tests.web.test_access import CADRE
from tests.web.test_botapi import SECRETARY, call


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """A push service on loopback: records every push; answers 201, or what `answers` says."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.origin = ""
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        service = self

        class Endpoint(tornado.web.RequestHandler):
            def post(self, path: str) -> None:
                service.received.append(
                    Received(path, dict(self.request.headers), self.request.body)
                )
                self.set_status(service.answers.pop(0) if service.answers else 201)
                self.finish()

        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        app = tornado.web.Application([(r"/push/([a-z0-9-]+)", Endpoint)])
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self.origin = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


@pytest.fixture
async def service() -> AsyncIterator[PushService]:
    svc = PushService()
    await svc.start()
    yield svc
    await svc.stop()


@pytest.fixture
def channel_extra(service: PushService) -> dict[str, Any]:
    return {"push_services": [service.origin]}


@dataclass
class PushBrowser:
    """A browser's side of a subscription: its ECDH key pair and auth secret."""

    browser: Browser
    endpoint: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes

    def subscription(self) -> dict[str, Any]:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def read(self, received: Received) -> dict[str, Any]:
        text = http_ece.decrypt(
            received.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        notice: dict[str, Any] = json.loads(text)
        return notice


async def subscribed(web: WebWorld, service: PushService, name: str, device: str) -> PushBrowser:
    browser = await web.browser_of(CADRE.telegram_user_id, CADRE.name, device=device)
    endpoint = f"{service.origin}/push/{name}"
    SENSITIVE.add(endpoint)  # a subscription's address is its secret
    side = PushBrowser(browser, endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    answer = await browser.http.post("/api/push", json=side.subscription())
    assert answer.status_code == 200, answer.text
    return side


def check_vapid(received: Received, public_key: str, origin: str, now: float) -> dict[str, Any]:
    """The Authorization header is a JWT signed by the deployment's key for this origin."""
    scheme, _, params = received.headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    head, claims, signature = fields["t"].split(".")
    assert json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        key.verify(der, f"{head}.{claims}x".encode(), ec.ECDSA(hashes.SHA256()))
    payload: dict[str, Any] = json.loads(unb64(claims))
    assert payload["aud"] == origin
    assert payload["exp"] > now and payload["sub"].startswith(("mailto:", "https://"))
    return payload


async def tick(web: WebWorld) -> int:
    async with aiohttp.ClientSession() as http:
        return await web.server.pusher.send_due(http)


async def pushes(web: WebWorld) -> list[WebPush]:
    async with web.svc.transaction() as session:
        return list(await session.scalars(select(WebPush).order_by(WebPush.id)))


async def subscriptions(web: WebWorld) -> list[WebPushSubscription]:
    async with web.svc.transaction() as session:
        rows = await session.scalars(select(WebPushSubscription).order_by(WebPushSubscription.id))
        return list(rows)


@pytest.fixture
async def ticking(web: WebWorld) -> WebWorld:
    """The world with its pusher stopped: each test ticks it itself."""
    await web.server.pusher.stop()
    return web


async def test_a_member_away_from_the_page_gets_one_push(
    ticking: WebWorld, service: PushService
) -> None:
    web = ticking
    phone = await subscribed(web, service, "phone", "iPhone")
    key = (await phone.browser.http.get("/api/push")).json()
    assert key["available"] and key["subscribed"] and len(unb64(key["key"])) == 65
    async with web.svc.transaction() as session:
        [stored] = await session.scalars(select(WebPushKey))
        SENSITIVE.add(stored.private_key)  # the VAPID private key never reaches the logs
        assert stored.public_key == key["key"]

    chat = CADRE.telegram_user_id
    await call(web, "sendMessage", chat_id=chat, text="周五交账提醒：张三的案件已逾期")
    await call(web, "sendMessage", chat_id=chat, text="第二条")
    assert await tick(web) == 1
    assert await tick(web) == 0  # a second tick sends nothing twice
    [received] = service.received
    assert received.path == "phone"
    check_vapid(received, key["key"], service.origin, web.clock.now().timestamp() - 3600)
    assert received.headers["Content-Encoding"] == "aes128gcm"
    assert received.headers["Ttl"] == str(push.TTL)
    assert received.headers["Urgency"] == "normal" and received.headers["Topic"]
    notice = phone.read(received)
    assert notice == {"title": "乡镇工作助手", "body": push.TEXT, "url": "http://127.0.0.1/"}
    assert "张三" not in received.body.decode("latin-1")
    assert [p.status for p in await pushes(web)] == ["sent"]

    # Looking at the page: nothing while there; away again, one more.
    await phone.browser.messages(chat)
    await call(web, "sendMessage", chat_id=chat, text="第三条")
    assert await tick(web) == 0
    web.clock.advance(timedelta(minutes=3))
    await call(web, "sendMessage", chat_id=chat, text="第四条")
    assert await tick(web) == 1
    assert len(service.received) == 2
    assert [p.status for p in await pushes(web)] == ["sent", "sent"]


async def test_a_gone_subscription_is_removed(ticking: WebWorld, service: PushService) -> None:
    web = ticking
    await subscribed(web, service, "gone", "Firefox")
    service.answers = [410]
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    assert await tick(web) == 0
    assert [p.status for p in await pushes(web)] == ["gone"]
    assert await subscriptions(web) == []
    web.clock.advance(timedelta(minutes=3))
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    assert await tick(web) == 0
    assert len(service.received) == 1


async def test_a_busy_push_service_is_tried_again_later(
    ticking: WebWorld, service: PushService
) -> None:
    web = ticking
    await subscribed(web, service, "busy", "Edge")
    service.answers = [503]
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    assert await tick(web) == 0
    [row] = await pushes(web)
    assert row.status == "pending" and row.attempts == 1
    assert await tick(web) == 0 and len(service.received) == 1  # not due yet
    web.clock.advance(timedelta(seconds=31))
    assert await tick(web) == 1
    [row] = await pushes(web)
    assert row.status == "sent" and row.attempts == 2 and len(service.received) == 2


async def test_a_revoked_device_gets_nothing(ticking: WebWorld, service: PushService) -> None:
    web = ticking
    phone = await subscribed(web, service, "phone", "iPhone")
    await subscribed(web, service, "laptop", "Windows NT 10.0")
    assert (await phone.browser.http.post("/api/signout")).status_code == 200
    assert len(await subscriptions(web)) == 1
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    assert await tick(web) == 1
    assert [r.path for r in service.received] == ["laptop"]


async def test_a_push_queued_before_deactivation_is_not_sent(
    ticking: WebWorld, service: PushService
) -> None:
    web = ticking
    await subscribed(web, service, "phone", "iPhone")
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    async with web.svc.transaction() as session:
        await session.execute(
            update(Member)
            .where(Member.telegram_user_id == CADRE.telegram_user_id)
            .values(active=False)
        )
    assert await tick(web) == 0
    assert service.received == [] and await subscriptions(web) == []
    assert [p.status for p in await pushes(web)] == ["gone"]
    web.clock.advance(timedelta(minutes=3))
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    assert len(await pushes(web)) == 1  # nothing new is queued


async def test_only_a_checked_subscription_is_taken(
    ticking: WebWorld, service: PushService
) -> None:
    web = ticking
    side = await subscribed(web, service, "phone", "iPhone")
    http = side.browser.http
    good = side.subscription()
    bad = [
        {**good, "endpoint": "https://attacker.example/push/x"},  # not a push service
        {**good, "endpoint": "http://10.0.0.1/push/x"},
        {**good, "endpoint": f"{service.origin.replace('http:', 'https:')}/push/x"},
        {**good, "keys": {**good["keys"], "p256dh": b64(b"\x04" + bytes(64))}},  # off the curve
        {**good, "keys": {**good["keys"], "auth": b64(bytes(8))}},
        {"endpoint": good["endpoint"]},
    ]
    for body in bad:
        assert (await http.post("/api/push", json=body)).status_code == 400, body
    no_csrf = web.client(cookies={auth.COOKIE: side.browser.token}, headers={"Origin": web.url})
    assert (await no_csrf.post("/api/push", json=good)).status_code == 403
    async with web.svc.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(WebPushSubscription))
    assert count == 1
    other_origin = await http.post(
        "/api/push", json=good, headers={"Origin": "https://evil.example"}
    )
    assert other_origin.status_code == 403
    anonymous = web.client()
    assert (await anonymous.get("/api/push")).status_code == 401
    assert (await http.delete("/api/push")).status_code == 200
    assert await subscriptions(web) == []
    assert (await http.get("/api/push")).json()["subscribed"] is False


async def test_an_endpoint_stays_with_the_device_that_registered_it(
    ticking: WebWorld, service: PushService
) -> None:
    """Someone who learns a browser's endpoint cannot bind it to themselves: only the same
    browser (its keys) moves it to another session, as when its member signs in again."""
    web = ticking
    phone = await subscribed(web, service, "phone", "iPhone")
    [before] = await subscriptions(web)
    other = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name, device="laptop")
    stolen = PushBrowser(other, phone.endpoint, ec.generate_private_key(ec.SECP256R1()), b"k" * 16)
    answer = await other.http.post("/api/push", json=stolen.subscription())
    assert answer.status_code == 409 and answer.json()["error"] == "endpoint_taken"
    half = {
        **stolen.subscription(),
        "keys": {**phone.subscription()["keys"], "auth": b64(b"k" * 16)},
    }
    assert (await other.http.post("/api/push", json=half)).status_code == 409
    assert [(s.session_id, s.user_id, s.p256dh) for s in await subscriptions(web)] == [
        (before.session_id, CADRE.telegram_user_id, before.p256dh)
    ]
    assert (await other.http.get("/api/push")).json()["subscribed"] is False

    again = await web.browser_of(CADRE.telegram_user_id, CADRE.name, device="iPhone")
    assert (await again.http.post("/api/push", json=phone.subscription())).status_code == 200
    [after] = await subscriptions(web)
    assert after.session_id != before.session_id and after.endpoint == phone.endpoint
    assert (await again.http.get("/api/push")).json()["subscribed"] is True


def test_only_allowed_push_services() -> None:
    services = ["https://*.notify.windows.com", "https://web.push.apple.com"]
    assert push.allowed_endpoint("https://wns2-sg2p.notify.windows.com/w/?token=x", services)
    assert push.allowed_endpoint("https://web.push.apple.com/QGZ", services)
    assert not push.allowed_endpoint("https://notify.windows.com.evil.example/x", services)
    assert not push.allowed_endpoint("http://web.push.apple.com/QGZ", services)
    assert not push.allowed_endpoint("https://web.push.apple.com:8443/QGZ", services)
    assert not push.allowed_endpoint("https://user@web.push.apple.com/QGZ", services)


async def test_a_device_a_secretary_signs_out_loses_its_subscription(
    ticking: WebWorld, service: PushService
) -> None:
    from bot.members.devices import revoke

    web = ticking
    await subscribed(web, service, "phone", "iPhone")
    await subscribed(web, service, "laptop", "Windows NT 10.0")
    phone_session = next(s.session_id for s in await subscriptions(web) if "phone" in s.endpoint)
    async with web.svc.transaction() as session:
        township_id = await session.scalar(select(Township.id).where(Township.code == "SHZ"))
        assert township_id is not None
        assert await revoke(
            session,
            web.member_ids[CADRE.telegram_user_id],
            phone_session,
            actor_member_id=web.member_ids[SECRETARY.telegram_user_id],
            township_id=township_id,
            now=web.clock.now(),
        )
    assert [s.endpoint.rsplit("/", 1)[1] for s in await subscriptions(web)] == ["laptop"]
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    assert await tick(web) == 1
    assert [r.path for r in service.received] == ["laptop"]
