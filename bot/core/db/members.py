"""What every feature needs of townships and members: the townships and villages (seeded from
the config), who is acting, who is told (recipients, secretaries, admins), reachability and
the audit log. Managing members, invitations and villages is `bot.members`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.config import Settings
from bot.core.db.directory import bump
from bot.core.db.engine import core
from bot.core.models import (
    AuditEntry,
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
    await (await core(session)).execute(
        _AUDIT,
        {
            "at": at,
            "action": action,
            "entity": entity,
            "entity_id": None if entity_id is None else str(entity_id),
            "actor_member_id": actor_member_id,
            "township_id": township_id,
            "details": details or {},
        },
    )


_AUDIT = insert(AuditEntry)


# --- townships and villages -------------------------------------------------------------


async def sync_townships(session: AsyncSession, settings: Settings) -> None:
    """Seed the database from the config's townships. A township new to the database is
    created with its villages and its group; afterwards the database wins, since villages
    and the group are managed in chat: a village is added only under a name the config
    never introduced before (one renamed or retired in chat stays so, one removed from the
    config stays), and the group is never overwritten. A township's name and time zone
    follow the config (they are not edited in chat); one no longer in the config is
    inactive."""
    existing = {t.code: t for t in (await session.scalars(select(Township))).all()}
    for cfg in settings.townships:
        township = existing.get(cfg.code)
        changed = township is None
        if township is None:
            township = Township(code=cfg.code, name=cfg.name, group_chat_id=cfg.group_chat_id)
            session.add(township)
        changed = changed or township.name != cfg.name or not township.active
        township.name = cfg.name
        township.timezone = cfg.timezone
        township.active = True
        await session.flush()
        known: set[str] = set()
        for village in await session.scalars(
            select(Village).where(Village.township_id == township.id)
        ):
            known.add(village.name)
            if village.config_name is not None:
                known.add(village.config_name)
        for vcfg in cfg.villages:
            if vcfg.name in known:
                continue
            session.add(
                Village(
                    township_id=township.id,
                    name=vcfg.name,
                    config_name=vcfg.name,
                    lat=vcfg.lat,
                    lon=vcfg.lon,
                    radius_m=vcfg.radius_m,
                    active=True,
                )
            )
            changed = True
        if changed:
            await session.flush()
            await bump(session, township.id)
    for code, township in existing.items():
        if settings.township(code) is None and township.active:
            township.active = False
            await bump(session, township.id)
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


def actor_of(member: Member) -> Actor:
    return Actor(
        member_id=member.id,
        telegram_user_id=member.telegram_user_id,
        name=member.display_name,
        language=member.language,
        active=member.active,
        unreachable=member.unreachable,
        grants=frozenset((r.township_id, r.role) for r in member.roles),
    )


# Who is acting, as every update reads it (`actor_of_rows`; `bot.core.turn` reads them with
# the user's flow state).
ACTOR_COLUMNS = (
    Member.id,
    Member.display_name,
    Member.language,
    Member.active,
    Member.unreachable,
    MemberRole.township_id,
    MemberRole.role,
)

# Built once (and its cache key computed once).
_ACTOR = (
    select(*ACTOR_COLUMNS)
    .outerjoin(MemberRole, MemberRole.member_id == Member.id)
    .where(Member.telegram_user_id == bindparam("telegram_user_id"))
)


async def actor_for(session: AsyncSession, telegram_user_id: int) -> Actor | None:
    """The member with their roles, in one statement."""
    connection = await core(session)
    rows = (await connection.execute(_ACTOR, {"telegram_user_id": telegram_user_id})).all()
    return actor_of_rows(telegram_user_id, rows)


def actor_of_rows(telegram_user_id: int, rows: Sequence[Any]) -> Actor | None:
    """The actor from rows of `_ACTOR`'s columns (one per role; a member without roles has
    one row whose role is None, a stranger none, or only rows whose `id` is None)."""
    if not rows or rows[0].id is None:
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
    return None if member is None else actor_of(member)


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


_ASSIGNED = select(VillageAssignment.village_id).where(
    VillageAssignment.member_id == bindparam("member_id")
)


async def assigned_village_ids(session: AsyncSession, member_id: int) -> set[int]:
    return set(await (await core(session)).scalars(_ASSIGNED, {"member_id": member_id}))


async def mark_reachable(session: AsyncSession, telegram_user_id: int, reachable: bool) -> None:
    await session.execute(
        update(Member)
        .where(Member.telegram_user_id == telegram_user_id, Member.unreachable.is_(reachable))
        .values(unreachable=not reachable)
    )


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


async def secretaries_of(session: AsyncSession, township_id: int) -> list[Recipient]:
    """Active secretaries of the township, who decide leave requests (reachable or not: a
    decision waits for them either way)."""
    return await recipients(session, township_id, Role.SECRETARY, reachable_only=False)


async def contact(session: AsyncSession, member_id: int) -> Recipient | None:
    member = await session.get(Member, member_id)
    if member is None:
        return None
    return Recipient(member.id, member.telegram_user_id, member.display_name, member.language)


async def move_group(session: AsyncSession, old: int, new: int, now: datetime) -> int:
    """A group became a supergroup (a new chat id): it stays the group of the townships it
    was. Returns how many."""
    townships = list(await session.scalars(select(Township).where(Township.group_chat_id == old)))
    for township in townships:
        township.group_chat_id = new
        await audit(
            session,
            at=now,
            action="township.group_moved",
            entity="township",
            entity_id=township.id,
            township_id=township.id,
        )
        await bump(session, township.id)
    return len(townships)
