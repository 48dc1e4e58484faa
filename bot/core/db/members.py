"""Queries for townships, villages, members, roles, assignments, invites and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.config import Settings
from bot.core.models import (
    AuditEntry,
    Invite,
    Member,
    MemberRole,
    Role,
    Township,
    Village,
    VillageAssignment,
)


async def audit(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    entity: str,
    entity_id: object = None,
    actor_member_id: int | None = None,
    township_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            actor_member_id=actor_member_id,
            township_id=township_id,
            details=details or {},
        )
    )


# --- townships and villages -------------------------------------------------------------


async def sync_townships(session: AsyncSession, settings: Settings) -> None:
    """Make the database match the townships and villages in the config (never deletes data)."""
    existing = {t.code: t for t in (await session.scalars(select(Township))).all()}
    for cfg in settings.townships:
        township = existing.get(cfg.code)
        if township is None:
            township = Township(code=cfg.code, name=cfg.name)
            session.add(township)
        township.name = cfg.name
        township.timezone = cfg.timezone
        township.group_chat_id = cfg.group_chat_id
        township.active = True
        await session.flush()
        villages = {
            v.name: v
            for v in await session.scalars(
                select(Village).where(Village.township_id == township.id)
            )
        }
        for vcfg in cfg.villages:
            village = villages.get(vcfg.name)
            if village is None:
                village = Village(township_id=township.id, name=vcfg.name)
                session.add(village)
            village.lat, village.lon, village.radius_m = vcfg.lat, vcfg.lon, vcfg.radius_m
            village.active = True
        for name, village in villages.items():
            if name not in {v.name for v in cfg.villages}:
                village.active = False
    for code, township in existing.items():
        if settings.township(code) is None:
            township.active = False
    await session.flush()


async def townships(session: AsyncSession, ids: set[int] | None = None) -> list[Township]:
    query = select(Township).where(Township.active.is_(True)).order_by(Township.id)
    if ids is not None:
        query = query.where(Township.id.in_(ids))
    return list(await session.scalars(query))


async def township_by_code(session: AsyncSession, code: str) -> Township | None:
    return await session.scalar(select(Township).where(Township.code == code))


async def township_by_id(session: AsyncSession, township_id: int) -> Township | None:
    return await session.get(Township, township_id)


async def villages_of(session: AsyncSession, township_id: int) -> list[Village]:
    return list(
        await session.scalars(
            select(Village)
            .where(Village.township_id == township_id, Village.active.is_(True))
            .order_by(Village.id)
        )
    )


# --- members ----------------------------------------------------------------------------


async def _grants(session: AsyncSession, member_id: int) -> set[tuple[int | None, str]]:
    rows = await session.execute(
        select(MemberRole.township_id, MemberRole.role).where(MemberRole.member_id == member_id)
    )
    return {(t, r) for t, r in rows}


def _actor(member: Member) -> Actor:
    return Actor(
        member_id=member.id,
        telegram_user_id=member.telegram_user_id,
        name=member.display_name,
        language=member.language,
        active=member.active,
        unreachable=member.unreachable,
        grants=frozenset((r.township_id, r.role) for r in member.roles),
    )


# Every update starts here, so the statement is built (and its cache key computed) once.
_ACTOR = (
    select(
        Member.id,
        Member.display_name,
        Member.language,
        Member.active,
        Member.unreachable,
        MemberRole.township_id,
        MemberRole.role,
    )
    .outerjoin(MemberRole, MemberRole.member_id == Member.id)
    .where(Member.telegram_user_id == bindparam("telegram_user_id"))
)


async def actor_for(session: AsyncSession, telegram_user_id: int) -> Actor | None:
    """The member with their roles, in one statement."""
    rows = (await session.execute(_ACTOR, {"telegram_user_id": telegram_user_id})).all()
    if not rows:
        return None
    first = rows[0]
    return Actor(
        member_id=first.id,
        telegram_user_id=telegram_user_id,
        name=first.display_name,
        language=first.language,
        active=first.active,
        unreachable=first.unreachable,
        grants=frozenset((r.township_id, r.role) for r in rows if r.role is not None),
    )


async def actor_by_member_id(session: AsyncSession, member_id: int) -> Actor | None:
    member = await session.get(Member, member_id)
    return None if member is None else _actor(member)


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
    return _actor(member)


@dataclass(frozen=True)
class MemberRow:
    member_id: int
    name: str
    active: bool
    unreachable: bool
    roles: tuple[str, ...]
    villages: tuple[str, ...]


async def members_of(session: AsyncSession, township_id: int) -> list[MemberRow]:
    rows = (
        await session.execute(
            select(Member, MemberRole.role)
            .join(MemberRole, MemberRole.member_id == Member.id)
            .where(MemberRole.township_id == township_id)
            .order_by(Member.id)
        )
    ).all()
    roles: dict[int, list[str]] = {}
    members: dict[int, Member] = {}
    for member, role in rows:
        members[member.id] = member
        roles.setdefault(member.id, []).append(role)
    villages = await assigned_village_names(session, list(members), township_id)
    order = [Role.SECRETARY, Role.MEDIATOR, Role.CADRE]
    return [
        MemberRow(
            member_id=m.id,
            name=m.display_name,
            active=m.active,
            unreachable=m.unreachable,
            roles=tuple(
                sorted(roles[m.id], key=lambda r: order.index(Role(r)) if r in order else 9)
            ),
            villages=tuple(villages.get(m.id, ())),
        )
        for m in members.values()
    ]


async def assigned_village_names(
    session: AsyncSession, member_ids: Sequence[int], township_id: int
) -> dict[int, list[str]]:
    if not member_ids:
        return {}
    rows = await session.execute(
        select(VillageAssignment.member_id, Village.name)
        .join(Village, Village.id == VillageAssignment.village_id)
        .where(VillageAssignment.member_id.in_(member_ids), Village.township_id == township_id)
        .order_by(Village.id)
    )
    result: dict[int, list[str]] = {}
    for member_id, name in rows:
        result.setdefault(member_id, []).append(name)
    return result


async def assigned_village_ids(session: AsyncSession, member_id: int) -> set[int]:
    return set(
        await session.scalars(
            select(VillageAssignment.village_id).where(VillageAssignment.member_id == member_id)
        )
    )


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
) -> bool:
    """Add or remove a role; returns whether the member now holds it. The last role stays."""
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
            return True
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


async def mark_reachable(session: AsyncSession, telegram_user_id: int, reachable: bool) -> None:
    await session.execute(
        update(Member)
        .where(Member.telegram_user_id == telegram_user_id, Member.unreachable.is_(reachable))
        .values(unreachable=not reachable)
    )


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
    return _actor(member)


async def forget_member_roles(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(MemberRole).where(MemberRole.member_id == member_id))


@dataclass(frozen=True)
class Recipient:
    member_id: int
    telegram_user_id: int
    name: str
    language: str


def _recipient_query(*conditions: Any) -> Any:
    return (
        select(Member.id, Member.telegram_user_id, Member.display_name, Member.language)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(Member.active.is_(True), *conditions)
        .distinct()
        .order_by(Member.id)
    )


async def recipients(
    session: AsyncSession, township_id: int, *roles: str, reachable_only: bool = True
) -> list[Recipient]:
    """Active members holding any of `roles` in the township (each once), for fan-outs."""
    conditions = [MemberRole.township_id == township_id, MemberRole.role.in_(roles)]
    if reachable_only:
        conditions.append(Member.unreachable.is_(False))
    return [Recipient(*row) for row in await session.execute(_recipient_query(*conditions))]


async def admins(session: AsyncSession) -> list[Recipient]:
    query = _recipient_query(MemberRole.role == Role.ADMIN)
    return [Recipient(*row) for row in await session.execute(query)]


@dataclass(frozen=True)
class Contact:
    member_id: int
    telegram_user_id: int
    name: str
    language: str


async def secretaries_of(session: AsyncSession, township_id: int) -> list[Contact]:
    """Active secretaries of the township, who decide leave requests."""
    rows = await session.execute(
        select(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.SECRETARY,
            Member.active.is_(True),
        )
        .order_by(Member.id)
    )
    return [Contact(m.id, m.telegram_user_id, m.display_name, m.language) for m in rows.scalars()]


async def contact(session: AsyncSession, member_id: int) -> Contact | None:
    member = await session.get(Member, member_id)
    if member is None:
        return None
    return Contact(member.id, member.telegram_user_id, member.display_name, member.language)
