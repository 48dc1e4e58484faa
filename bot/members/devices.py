"""A member's devices signed in to the web chat (`[channel] kind = "web"`): a secretary sees
them on the member's card and signs one out. The web channel ends a session at its next
request once it is revoked here, and its Web Push subscription goes with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.members import audit
from bot.core.models import Member, WebPushSubscription, WebSession

# What a browser's User-Agent says about the device, most specific first.
_KINDS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("HarmonyOS", "HarmonyOS"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class Device:
    id: int
    kind: str | None  # None: a browser the list does not recognise
    signed_in: datetime
    last_used: datetime


def device_kind(user_agent: str) -> str | None:
    return next((name for key, name in _KINDS if key in user_agent), None)


async def devices_of(session: AsyncSession, member_id: int, now: datetime) -> list[Device]:
    rows = await session.scalars(
        select(WebSession)
        .join(Member, Member.telegram_user_id == WebSession.user_id)
        .where(
            Member.id == member_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
        )
        .order_by(WebSession.id)
    )
    return [
        Device(row.id, device_kind(row.device), row.created_at, row.last_seen_at) for row in rows
    ]


async def revoke(
    session: AsyncSession,
    member_id: int,
    device_id: int,
    *,
    actor_member_id: int,
    township_id: int,
    now: datetime,
) -> bool:
    """Sign one of the member's devices out; False when it is not theirs or already out."""
    user_id = select(Member.telegram_user_id).where(Member.id == member_id).scalar_subquery()
    result = await session.execute(
        update(WebSession)
        .where(
            WebSession.id == device_id,
            WebSession.user_id == user_id,
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await session.execute(
        delete(WebPushSubscription).where(WebPushSubscription.session_id == device_id)
    )
    await audit(
        session,
        at=now,
        action="device.revoke",
        entity="member",
        entity_id=member_id,
        actor_member_id=actor_member_id,
        township_id=township_id,
        details={"device": device_id},
    )
    return True
