"""The members' queries: members, their roles and 包村 villages, invitations and
registration. (What every feature needs of members, such as who is acting and who is told,
is in `bot.core.db.members`.)"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.config import Settings
from bot.core.db.members import actor_of, audit, township_by_code
from bot.core.models import (
    Invite,
    Member,
    MemberRole,
    Role,
    Township,
    VillageAssignment,
)


async def _grants(session: AsyncSession, member_id: int) -> set[tuple[int | None, str]]:
    rows = await session.execute(
        select(MemberRole.township_id, MemberRole.role).where(MemberRole.member_id == member_id)
    )
    return {(t, r) for t, r in rows}


async def ensure_bootstrap_member(
    session: AsyncSession, settings: Settings, telegram_user_id: int, name: str, now: datetime
) -> Actor | None:
    """Config-listed admins and secretaries become members the first time they write."""
    grants: list[tuple[int | None, str]] = []
    if telegram_user_id in settings.roles.admins:
        grants.append((None, Role.ADMIN))
    for cfg in settings.townships:
        if telegram_user_id in cfg.secretaries:
            township = await township_by_code(session, cfg.code)
            if township is not None:
                grants.append((township.id, Role.SECRETARY))
    if not grants:
        return None
    member = await session.scalar(select(Member).where(Member.telegram_user_id == telegram_user_id))
    if member is None:
        member = Member(
            telegram_user_id=telegram_user_id,
            display_name=name[:64],
            language=settings.language,
            created_at=now,
        )
        session.add(member)
        await session.flush()
    held = await _grants(session, member.id)
    for township_id, role in grants:
        if (township_id, role) not in held:
            session.add(
                MemberRole(
                    member_id=member.id, township_id=township_id, role=str(role), joined_at=now
                )
            )
            await audit(
                session,
                at=now,
                action="role.bootstrap",
                entity="member",
                entity_id=member.id,
                township_id=township_id,
                details={"role": str(role)},
            )
    await session.flush()
    await session.refresh(member, ["roles"])
    return actor_of(member)


async def member_in_township(
    session: AsyncSession, member_id: int, township_id: int
) -> Member | None:
    return await session.scalar(
        select(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(Member.id == member_id, MemberRole.township_id == township_id)
        .limit(1)
    )


async def set_active(
    session: AsyncSession,
    member_id: int,
    active: bool,
    *,
    actor: Actor,
    township_id: int,
    now: datetime,
) -> None:
    await session.execute(update(Member).where(Member.id == member_id).values(active=active))
    await audit(
        session,
        at=now,
        action="member.activate" if active else "member.deactivate",
        entity="member",
        entity_id=member_id,
        actor_member_id=actor.member_id,
        township_id=township_id,
    )


async def toggle_role(
    session: AsyncSession,
    member_id: int,
    township_id: int,
    role: str,
    *,
    actor: Actor,
    now: datetime,
) -> bool | None:
    """Add or remove a role; returns whether the member now holds it, or None when it is
    their last role in the township (which stays)."""
    held = list(
        await session.scalars(
            select(MemberRole).where(
                MemberRole.member_id == member_id, MemberRole.township_id == township_id
            )
        )
    )
    current = next((r for r in held if r.role == role), None)
    if current is not None:
        if len(held) == 1:
            return None
        await session.delete(current)
        holds = False
    else:
        session.add(
            MemberRole(member_id=member_id, township_id=township_id, role=role, joined_at=now)
        )
        holds = True
    await audit(
        session,
        at=now,
        action="role.grant" if holds else "role.revoke",
        entity="member",
        entity_id=member_id,
        actor_member_id=actor.member_id,
        township_id=township_id,
        details={"role": role},
    )
    return holds


async def toggle_village(
    session: AsyncSession,
    member_id: int,
    village_id: int,
    *,
    actor: Actor,
    township_id: int,
    now: datetime,
) -> bool:
    existing = await session.scalar(
        select(VillageAssignment).where(
            VillageAssignment.member_id == member_id, VillageAssignment.village_id == village_id
        )
    )
    if existing is not None:
        await session.delete(existing)
    else:
        session.add(VillageAssignment(member_id=member_id, village_id=village_id))
    await audit(
        session,
        at=now,
        action="village.unassign" if existing else "village.assign",
        entity="member",
        entity_id=member_id,
        actor_member_id=actor.member_id,
        township_id=township_id,
        details={"village_id": village_id},
    )
    return existing is None


async def set_language(session: AsyncSession, member_id: int, language: str) -> None:
    await session.execute(update(Member).where(Member.id == member_id).values(language=language))


# --- invites ----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_invite(
    session: AsyncSession,
    *,
    township_id: int,
    role: str,
    now: datetime,
    valid_for: timedelta,
    created_by: int | None = None,
) -> str:
    token = secrets.token_urlsafe(24)  # 32 chars, within Telegram's 64-char start parameter
    session.add(
        Invite(
            token_hash=hash_token(token),
            township_id=township_id,
            role=role,
            created_by=created_by,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    await audit(
        session,
        at=now,
        action="invite.create",
        entity="invite",
        actor_member_id=created_by,
        township_id=township_id,
        details={"role": role},
    )
    return token


async def find_invite(session: AsyncSession, token: str) -> Invite | None:
    if not token or len(token) > 64:
        return None
    return await session.scalar(select(Invite).where(Invite.token_hash == hash_token(token)))


async def redeem_invite(
    session: AsyncSession,
    *,
    invite_id: int,
    telegram_user_id: int,
    name: str,
    language: str,
    now: datetime,
) -> Actor | None:
    """Atomically use the invite and grant exactly its role. None if it was used or expired."""
    invite = await session.get(Invite, invite_id)
    if invite is None:
        return None
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    member = await session.scalar(select(Member).where(Member.telegram_user_id == telegram_user_id))
    if member is None:
        member = Member(
            telegram_user_id=telegram_user_id, display_name=name, language=language, created_at=now
        )
        session.add(member)
        await session.flush()
    else:
        member.display_name = name
        if not member.active:
            # Deactivated: the invitation brings them back with its one role, not with every
            # role they held before (a former secretary invited as a cadre is a cadre).
            await forget_member_roles(session, member.id)
            member.active = True
    if (invite.township_id, invite.role) not in await _grants(session, member.id):
        session.add(
            MemberRole(
                member_id=member.id,
                township_id=invite.township_id,
                role=invite.role,
                joined_at=now,
            )
        )
    await session.execute(update(Invite).where(Invite.id == invite_id).values(used_by=member.id))
    await audit(
        session,
        at=now,
        action="invite.redeem",
        entity="member",
        entity_id=member.id,
        actor_member_id=member.id,
        township_id=invite.township_id,
        details={"role": invite.role},
    )
    await session.flush()
    await session.refresh(member, ["roles"])
    return actor_of(member)


async def forget_member_roles(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(MemberRole).where(MemberRole.member_id == member_id))


async def township_names_of(
    session: AsyncSession, telegram_user_id: int, other_than: int
) -> tuple[str, ...]:
    """The townships other than `other_than` where an active person holds a role (a
    deactivated one comes back with the invitation's role only)."""
    rows = await session.scalars(
        select(Township.name)
        .join(MemberRole, MemberRole.township_id == Township.id)
        .join(Member, Member.id == MemberRole.member_id)
        .where(
            Member.telegram_user_id == telegram_user_id,
            Member.active.is_(True),
            Township.active.is_(True),
            Township.id != other_than,
        )
        .group_by(Township.id, Township.name)
        .order_by(Township.id)
    )
    return tuple(rows)


@dataclass(frozen=True)
class InviteInfo:
    id: int
    township_id: int
    township: str
    role: str
    created_by: int | None


async def invite_info(session: AsyncSession, invite: Invite) -> InviteInfo:
    township = await session.get(Township, invite.township_id)
    return InviteInfo(
        invite.id,
        invite.township_id,
        township.name if township else "",
        invite.role,
        invite.created_by,
    )
