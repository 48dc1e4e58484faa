"""Web Push for members away from the page, where their browser's push service can be reached
(Firefox's, Edge's, Safari's; Chrome's is FCM, unreachable from mainland China, where the
group robot of `bot.web.nudges` is the route that always works).

A push carries a fixed short text and the chat's address, never what the bot wrote. One push
per subscription and absence from the page; a claimed one is never sent again (a crash
between sending and recording loses it rather than repeating). Only live devices get one: the
subscription's session is neither revoked nor expired and its member is not deactivated.
pywebpush (the `push` extra) is imported only here, when a push is sent or a key is made."""

from __future__ import annotations

import base64
import binascii
import functools
import importlib.util
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.config import ChannelConfig
from bot.core.db.engine import insert_for
from bot.core.digest import same_secret
from bot.core.models import Member, WebPush, WebPushKey, WebPushSubscription, WebSession, WebUser
from bot.web.sender import Outcome, QueuedSender
from bot.web.store import Wakeup

log = logging.getLogger(__name__)
TEXT = "您有新的消息，请打开查看。"
# A notice older than half a day is not worth showing; "normal" lets a phone wait for its
# next wake-up; a newer notice replaces one still waiting at the push service.
TTL = 12 * 3600
URGENCY = "normal"
TOPIC = "township-new-messages"
TIMEOUT = 10.0


@functools.cache
def available() -> bool:
    return importlib.util.find_spec("pywebpush") is not None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def vapid_keys(session: AsyncSession, now: datetime) -> WebPushKey:
    """The deployment's key pair, made by whichever instance needs it first."""
    row = await session.get(WebPushKey, 1)
    if row is not None:
        return row
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    values = {
        "id": 1,
        "private_key": b64url(key.private_numbers().private_value.to_bytes(32, "big")),
        "public_key": b64url(public),
        "created_at": now,
    }
    await session.execute(
        insert_for(session, WebPushKey).on_conflict_do_nothing(index_elements=["id"]), values
    )
    row = await session.get(WebPushKey, 1, populate_existing=True)
    assert row is not None
    return row


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def allowed_endpoint(endpoint: str, services: list[str]) -> bool:
    """An https address (or one the configuration names) of an allowed push service: the
    server posts to nowhere else, whatever a page sends."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    if parts.username or parts.password or not parts.hostname:
        return False
    for service in services:
        allowed = urlsplit(service)
        host = allowed.hostname or ""
        if parts.scheme != allowed.scheme or port != allowed.port:
            continue
        if host.startswith("*."):
            if parts.hostname.endswith(host[1:]):
                return True
        elif parts.hostname == host:
            return True
    return False


def parse_subscription(body: dict[str, Any], services: list[str]) -> Subscription | None:
    """A browser's PushSubscription (its toJSON()), checked: None when anything is off."""
    from cryptography.hazmat.primitives.asymmetric import ec

    endpoint, keys = body.get("endpoint"), body.get("keys")
    if not isinstance(endpoint, str) or len(endpoint) > 1024 or not isinstance(keys, dict):
        return None
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str) or len(p256dh) > 128:
        return None
    if not allowed_endpoint(endpoint, services):
        return None
    try:
        point, secret = unb64url(p256dh), unb64url(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        return None
    if len(point) != 65 or len(secret) != 16:
        return None
    return Subscription(endpoint, b64url(point), b64url(secret))


async def subscribe(
    session: AsyncSession, user_id: int, session_id: int, sub: Subscription, now: datetime
) -> bool:
    """Bind a subscription to the signed-in device; it replaces that device's previous one.
    An endpoint another device registered moves here only with the keys it was registered
    with (the same browser, signed in again or as someone else): knowing a browser's
    endpoint is not enough to take its pushes. False, and nothing changes, otherwise."""
    held = await session.scalar(
        select(WebPushSubscription).where(WebPushSubscription.endpoint == sub.endpoint)
    )
    if held is not None and held.session_id != session_id and not same_keys(held, sub):
        return False
    await session.execute(
        delete(WebPushSubscription).where(
            (WebPushSubscription.session_id == session_id)
            | (WebPushSubscription.endpoint == sub.endpoint)
        )
    )
    session.add(
        WebPushSubscription(
            user_id=user_id,
            session_id=session_id,
            endpoint=sub.endpoint,
            p256dh=sub.p256dh,
            auth=sub.auth,
            created_at=now,
        )
    )
    await session.flush()
    return True


def same_keys(held: WebPushSubscription, sub: Subscription) -> bool:
    return same_secret(sub.p256dh, held.p256dh) & same_secret(sub.auth, held.auth)


async def unsubscribe(session: AsyncSession, session_id: int) -> None:
    await session.execute(
        delete(WebPushSubscription).where(WebPushSubscription.session_id == session_id)
    )


async def subscribed(session: AsyncSession, session_id: int) -> bool:
    found = await session.scalar(
        select(WebPushSubscription.id).where(WebPushSubscription.session_id == session_id)
    )
    return found is not None


def _live(now: datetime) -> Any:
    """Subscriptions whose device is still signed in and whose member is not deactivated."""
    deactivated = select(Member.id).where(
        Member.telegram_user_id == WebPushSubscription.user_id, Member.active.is_(False)
    )
    return (
        select(WebPushSubscription)
        .join(WebSession, WebSession.id == WebPushSubscription.session_id)
        .where(
            WebSession.user_id == WebPushSubscription.user_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
            ~deactivated.exists(),
        )
    )


async def note(session: AsyncSession, chat_id: int, channel: ChannelConfig, now: datetime) -> bool:
    """After the bot wrote to a private chat: queue a push to each live subscription of its
    person when they are away and that subscription was not pushed to since the page last saw
    them. True when one was queued."""
    if not available():
        return False
    user = await session.get(WebUser, chat_id)
    away = timedelta(seconds=channel.nudge_after_seconds)
    if user is None or (user.page_seen_at is not None and now - user.page_seen_at < away):
        return False
    queued = False
    for sub in await session.scalars(_live(now).where(WebPushSubscription.user_id == user.id)):
        since = select(WebPush.id).where(
            WebPush.subscription_id == sub.id, WebPush.status.in_(("pending", "sending", "sent"))
        )
        if user.page_seen_at is not None:
            since = since.where(WebPush.created_at > user.page_seen_at)
        if await session.scalar(since.limit(1)) is not None:
            continue
        session.add(
            WebPush(
                subscription_id=sub.id,
                user_id=user.id,
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
        queued = True
    return queued


def payload(channel: ChannelConfig) -> bytes:
    notice = {"title": channel.bot_name, "body": TEXT, "url": f"{channel.public_url}/"}
    return json.dumps(notice, ensure_ascii=False).encode()


def contact(channel: ChannelConfig) -> str:
    if channel.push_contact:
        return channel.push_contact
    if channel.public_url.startswith("https://"):
        return channel.public_url
    return "mailto:webmaster@localhost"


@dataclass(frozen=True)
class _Target:
    endpoint: str
    p256dh: str
    auth: str
    private_key: str


class Pusher(QueuedSender[_Target]):
    """Sends the waiting pushes; a push whose device was signed out or whose member was
    deactivated since it was queued is gone, and so is its subscription."""

    table = WebPush
    nowhere = "gone"
    what = "web pushes"

    def __init__(
        self, channel: ChannelConfig, transaction: Any, clock: Clock, wakeup: Wakeup
    ) -> None:
        super().__init__(transaction, clock, wakeup)
        self.channel = channel

    def start(self) -> None:
        if available():
            super().start()

    def client(self) -> Any:
        import aiohttp

        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))

    async def target(self, session: AsyncSession, row: Any, now: datetime) -> _Target | None:
        sub = await session.scalar(_live(now).where(WebPushSubscription.id == row.subscription_id))
        if sub is None:
            return None
        keys = await vapid_keys(session, now)
        return _Target(sub.endpoint, sub.p256dh, sub.auth, keys.private_key)

    async def forget(self, session: AsyncSession, row: Any) -> None:
        await session.execute(
            delete(WebPushSubscription).where(WebPushSubscription.id == row.subscription_id)
        )

    async def post(self, http: Any, target: _Target) -> Outcome:
        """sent, gone (404 or 410: the browser dropped the subscription), retry or failed."""
        import aiohttp
        from py_vapid import Vapid
        from pywebpush import WebPushException, webpush_async

        host = urlsplit(target.endpoint).hostname
        try:
            await webpush_async(
                {
                    "endpoint": target.endpoint,
                    "keys": {"p256dh": target.p256dh, "auth": target.auth},
                },
                data=payload(self.channel).decode(),
                vapid_private_key=Vapid.from_raw(target.private_key.encode()),
                vapid_claims={"sub": contact(self.channel)},
                ttl=TTL,
                headers={"Urgency": URGENCY, "Topic": TOPIC},
                aiohttp_session=http,
            )
        except WebPushException as exc:
            status = exc.status_code
            # The endpoint is the subscription's secret: name only its host.
            log.warning("the push service at %s answered %s", host, status)
            if status in (404, 410):
                return "gone"
            return "retry" if status is None or status == 429 or status >= 500 else "failed"
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("the push service at %s failed: %s", host, type(exc).__name__)
            return "retry"
        return "sent"
