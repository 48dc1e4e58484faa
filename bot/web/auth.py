"""Browsers signed in as members: sign-in by invitation, sessions, CSRF and the audit.

A session token lives only in the browser's cookie (Secure, HttpOnly, SameSite=Lax); the
database keeps its SHA-256. The CSRF token the page sends with every change is an HMAC of
the session token, so it needs no storage and means nothing without the cookie. A session
ends when it is revoked, when it expires, and at once when its member is deactivated."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.digest import same_secret
from bot.core.models import (
    Invite,
    Member,
    WebDeviceLink,
    WebPushSubscription,
    WebSession,
    WebSignIn,
    WebUser,
)

COOKIE = "township_session"
CSRF_HEADER = "X-CSRF-Token"
SEEN_EVERY = timedelta(minutes=5)
DEVICE_LINK_VALID = timedelta(minutes=15)


class SignIn(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"
    LIMITED = "limited"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, sent: str | None) -> bool:
    return bool(sent) and same_secret(sent, csrf_token(session_token))


@dataclass(frozen=True)
class Signed:
    user: WebUser
    session_id: int


async def _attempts(session: AsyncSession, address: str, now: datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(WebSignIn)
        .where(WebSignIn.address == address, WebSignIn.at > now - timedelta(hours=1))
    )
    return int(count or 0)


async def check_invitation(
    session: AsyncSession, code: str, address: str, now: datetime, per_hour: int
) -> SignIn:
    """Whether an invitation may sign a browser in; every attempt is recorded."""
    if await _attempts(session, address, now) >= per_hour:
        outcome = SignIn.LIMITED
    else:
        invite = await session.scalar(select(Invite).where(Invite.token_hash == hash_token(code)))
        if invite is None:
            outcome = SignIn.INVALID
        elif invite.used_at is not None or await invitation_holder(session, code) is not None:
            outcome = SignIn.USED
        elif invite.expires_at <= now:
            outcome = SignIn.EXPIRED
        else:
            outcome = SignIn.OK
    if outcome is not SignIn.OK:
        session.add(WebSignIn(at=now, address=address[:64], outcome=outcome.value))
    return outcome


async def invitation_holder(session: AsyncSession, code: str) -> int | None:
    """The person an invitation signed in, if it did: it signs no other browser in, even
    before the registration is confirmed in the chat."""
    held = await session.scalar(select(WebUser.id).where(WebUser.invite_hash == hash_token(code)))
    return int(held) if held is not None else None


async def new_device_link(session: AsyncSession, user_id: int, now: datetime) -> str:
    code = secrets.token_urlsafe(24)
    session.add(
        WebDeviceLink(
            user_id=user_id,
            code_hash=hash_token(code),
            expires_at=now + DEVICE_LINK_VALID,
            used_at=None,
        )
    )
    await session.flush()
    return code


async def use_device_link(
    session: AsyncSession, code: str, address: str, now: datetime, per_hour: int
) -> tuple[SignIn, WebUser | None]:
    """The person a one-time device link signs in (and the link is used up); every attempt is
    recorded like an invitation's."""
    user = None
    if await _attempts(session, address, now) >= per_hour:
        outcome = SignIn.LIMITED
    else:
        link = await session.scalar(
            select(WebDeviceLink).where(WebDeviceLink.code_hash == hash_token(code))
        )
        if link is None:
            outcome = SignIn.INVALID
        elif link.used_at is not None:
            outcome = SignIn.USED
        elif link.expires_at <= now:
            outcome = SignIn.EXPIRED
        else:
            active = await session.scalar(
                select(Member.active).where(Member.telegram_user_id == link.user_id)
            )
            user = await session.get(WebUser, link.user_id) if active is not False else None
            outcome = SignIn.OK if user is not None else SignIn.INVALID
            if user is not None:
                link.used_at = now
    if outcome is not SignIn.OK:
        session.add(WebSignIn(at=now, address=address[:64], outcome=outcome.value))
    return outcome, user


async def open_session(
    session: AsyncSession, user: WebUser, device: str, address: str, now: datetime, days: int
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=user.id,
            token_hash=hash_token(token),
            device=device[:120] or "?",
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            revoked_at=None,
        )
    )
    session.add(WebSignIn(at=now, address=address[:64], outcome=SignIn.OK.value, user_id=user.id))
    await session.flush()
    return token


async def end_sessions(session: AsyncSession, user_id: int, now: datetime) -> int:
    await session.execute(delete(WebPushSubscription).where(WebPushSubscription.user_id == user_id))
    result = await session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def signed_in(
    session: AsyncSession, token: str | None, now: datetime, days: int
) -> Signed | None:
    """The person behind a session cookie, or None (no, unknown, revoked or expired session,
    or a deactivated member, whose sessions all end here)."""
    if not token:
        return None
    row = await session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    active = await session.scalar(
        select(Member.active).where(Member.telegram_user_id == row.user_id)
    )
    if active is False:
        await end_sessions(session, row.user_id, now)
        return None
    user = await session.get(WebUser, row.user_id)
    if user is None:
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
        row.expires_at = max(row.expires_at, now + timedelta(days=days))
    return Signed(user, row.id)


async def devices(session: AsyncSession, user_id: int) -> list[WebSession]:
    rows = await session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .order_by(WebSession.id)
    )
    return list(rows)


async def revoke(session: AsyncSession, user_id: int, session_id: int, now: datetime) -> bool:
    await session.execute(
        delete(WebPushSubscription).where(
            WebPushSubscription.session_id == session_id,
            WebPushSubscription.user_id == user_id,
        )
    )
    result = await session.execute(
        update(WebSession)
        .where(
            WebSession.id == session_id,
            WebSession.user_id == user_id,
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
