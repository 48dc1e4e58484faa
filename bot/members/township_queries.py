"""A township managed in chat: its villages (added, renamed, retired, restored, given their
point) and its group chat. Every change is audited and bumps the township's revision in the
same transaction, so every running instance reloads its directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.directory import bump
from bot.core.db.members import audit
from bot.core.models import Township, Village
from bot.members.rules import DEFAULT_RADIUS_M, ExistingVillage


@dataclass(frozen=True)
class VillageRow:
    id: int
    name: str
    active: bool
    lat: float | None
    lon: float | None
    radius_m: int

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def existing(self) -> ExistingVillage:
        return ExistingVillage(self.id, self.name, self.active)


def _row(village: Village) -> VillageRow:
    return VillageRow(
        village.id, village.name, village.active, village.lat, village.lon, village.radius_m
    )


async def all_villages(session: AsyncSession, township_id: int) -> list[VillageRow]:
    """The township's villages, retired ones too, in the order they were added."""
    rows = await session.scalars(
        select(Village).where(Village.township_id == township_id).order_by(Village.id)
    )
    return [_row(v) for v in rows]


async def village_in(session: AsyncSession, township_id: int, village_id: int) -> VillageRow | None:
    village = await session.get(Village, village_id)
    if village is None or village.township_id != township_id:
        return None
    return _row(village)


async def _changed(
    session: AsyncSession,
    township_id: int,
    village_id: int,
    action: str,
    actor_member_id: int | None,
    now: datetime,
    **details: object,
) -> None:
    await audit(
        session,
        at=now,
        action=action,
        entity="village",
        entity_id=village_id,
        actor_member_id=actor_member_id,
        township_id=township_id,
        details=dict(details),
    )
    await bump(session, township_id)


async def add_village(
    session: AsyncSession,
    township_id: int,
    name: str,
    *,
    actor_member_id: int | None,
    now: datetime,
) -> VillageRow:
    village = Village(township_id=township_id, name=name, radius_m=DEFAULT_RADIUS_M, active=True)
    session.add(village)
    await session.flush()
    await _changed(session, township_id, village.id, "village.add", actor_member_id, now, name=name)
    return _row(village)


async def rename_village(
    session: AsyncSession,
    township_id: int,
    village_id: int,
    name: str,
    *,
    actor_member_id: int | None,
    now: datetime,
) -> VillageRow | None:
    village = await session.get(Village, village_id)
    if village is None or village.township_id != township_id:
        return None
    old, village.name = village.name, name
    await session.flush()
    await _changed(
        session, township_id, village_id, "village.rename", actor_member_id, now, old=old, new=name
    )
    return _row(village)


async def set_village_active(
    session: AsyncSession,
    township_id: int,
    village_id: int,
    active: bool,
    *,
    actor_member_id: int | None,
    now: datetime,
) -> VillageRow | None:
    """Retire or restore a village; None when it is not the township's. A retired village
    keeps its history (visits, cases, 包村) but is no longer offered."""
    village = await session.get(Village, village_id)
    if village is None or village.township_id != township_id:
        return None
    if village.active != active:
        village.active = active
        await session.flush()
        action = "village.restore" if active else "village.retire"
        await _changed(session, township_id, village_id, action, actor_member_id, now)
    return _row(village)


async def set_village_point(
    session: AsyncSession,
    township_id: int,
    village_id: int,
    lat: float,
    lon: float,
    *,
    actor_member_id: int | None,
    now: datetime,
) -> VillageRow | None:
    village = await session.get(Village, village_id)
    if village is None or village.township_id != township_id:
        return None
    village.lat, village.lon = lat, lon
    await session.flush()
    # The point itself is not audited: a village's place is not a person's.
    await _changed(session, township_id, village_id, "village.point", actor_member_id, now)
    return _row(village)


# --- the township group -------------------------------------------------------------------


@dataclass(frozen=True)
class TownshipGroup:
    township_id: int
    name: str
    group_chat_id: int | None


async def groups_of(session: AsyncSession, township_ids: set[int] | None) -> list[TownshipGroup]:
    """Active townships (all when `township_ids` is None) with their group, by id."""
    query = select(Township).where(Township.active.is_(True)).order_by(Township.id)
    if township_ids is not None:
        query = query.where(Township.id.in_(township_ids))
    return [TownshipGroup(t.id, t.name, t.group_chat_id) for t in await session.scalars(query)]


async def set_group(
    session: AsyncSession,
    township_id: int,
    chat_id: int,
    *,
    actor_member_id: int | None,
    now: datetime,
) -> bool:
    """Make `chat_id` the township's group; False when it already was."""
    township = await session.get(Township, township_id)
    if township is None or township.group_chat_id == chat_id:
        return False
    township.group_chat_id = chat_id
    await session.flush()
    await audit(
        session,
        at=now,
        action="township.group",
        entity="township",
        entity_id=township_id,
        actor_member_id=actor_member_id,
        township_id=township_id,
    )
    await bump(session, township_id)
    return True


async def forget_group(session: AsyncSession, chat_id: int, now: datetime) -> list[TownshipGroup]:
    """The bot left `chat_id`: it is no longer the group of the townships it was (returned)."""
    townships = list(
        await session.scalars(select(Township).where(Township.group_chat_id == chat_id))
    )
    for township in townships:
        await session.execute(
            update(Township).where(Township.id == township.id).values(group_chat_id=None)
        )
        await audit(
            session,
            at=now,
            action="township.group_left",
            entity="township",
            entity_id=township.id,
            township_id=township.id,
        )
        await bump(session, township.id)
    return [TownshipGroup(t.id, t.name, None) for t in townships]
