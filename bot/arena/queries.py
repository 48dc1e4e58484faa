"""擂台赛: key work items (重点工作), their owners and progress entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.arena import rules as domain
from bot.core.db.members import audit
from bot.core.models import ArenaItem, ArenaOwner, ArenaProgress, Member

TITLE_MAX, TARGET_MAX, NOTE_MAX = 100, 200, 500


async def item_in_township(
    session: AsyncSession, item_id: int, township_id: int
) -> ArenaItem | None:
    return await session.scalar(
        select(ArenaItem).where(
            ArenaItem.id == item_id, ArenaItem.township_id == township_id, ArenaItem.active
        )
    )


async def items(session: AsyncSession, township_id: int) -> list[domain.ArenaItem]:
    """Active items with owners' names and the latest progress (three queries in all)."""
    rows = list(
        await session.scalars(
            select(ArenaItem)
            .where(ArenaItem.township_id == township_id, ArenaItem.active.is_(True))
            .order_by(ArenaItem.id)
        )
    )
    ids = [r.id for r in rows]
    owners: dict[int, list[str]] = {}
    latest: dict[int, ArenaProgress] = {}
    if ids:
        for item_id, name in await session.execute(
            select(ArenaOwner.item_id, Member.display_name)
            .join(Member, Member.id == ArenaOwner.member_id)
            .where(ArenaOwner.item_id.in_(ids))
            .order_by(ArenaOwner.item_id, Member.id)
        ):
            owners.setdefault(item_id, []).append(name)
        for progress in await session.scalars(
            select(ArenaProgress)
            .where(ArenaProgress.item_id.in_(ids))
            .order_by(ArenaProgress.at, ArenaProgress.id)
        ):
            latest[progress.item_id] = progress
    return [
        domain.ArenaItem(
            item_id=r.id,
            title=r.title,
            target=r.target,
            owners=tuple(owners.get(r.id, ())),
            percent=latest[r.id].percent if r.id in latest else 0,
            updated_at=latest[r.id].at if r.id in latest else None,
            note=latest[r.id].note if r.id in latest else "",
        )
        for r in rows
    ]


async def owner_ids(session: AsyncSession, item_id: int) -> set[int]:
    return set(
        await session.scalars(select(ArenaOwner.member_id).where(ArenaOwner.item_id == item_id))
    )


async def owned_item_ids(session: AsyncSession, member_id: int, township_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(ArenaItem.id)
            .join(ArenaOwner, ArenaOwner.item_id == ArenaItem.id)
            .where(
                ArenaOwner.member_id == member_id,
                ArenaItem.township_id == township_id,
                ArenaItem.active.is_(True),
            )
            .order_by(ArenaItem.id)
        )
    )


async def add_item(
    session: AsyncSession,
    township_id: int,
    title: str,
    target: str,
    *,
    actor_id: int | None,
    now: datetime,
) -> ArenaItem:
    if not title or len(title) > TITLE_MAX or len(target) > TARGET_MAX:
        raise ValueError("title or target out of bounds")
    item = ArenaItem(
        township_id=township_id,
        title=title,
        target=target,
        active=True,
        created_at=now,
        created_by=actor_id,
    )
    session.add(item)
    await session.flush()
    await audit(
        session,
        at=now,
        action="arena.item.add",
        entity="arena_item",
        entity_id=item.id,
        actor_member_id=actor_id,
        township_id=township_id,
        details={"title": title},
    )
    return item


async def toggle_owner(
    session: AsyncSession, item: ArenaItem, member_id: int, *, actor_id: int | None, now: datetime
) -> bool:
    """Add or remove an owner; returns whether the member now owns the item."""
    existing = await session.scalar(
        select(ArenaOwner).where(ArenaOwner.item_id == item.id, ArenaOwner.member_id == member_id)
    )
    if existing is not None:
        await session.delete(existing)
    else:
        session.add(ArenaOwner(item_id=item.id, member_id=member_id))
    await session.flush()
    await audit(
        session,
        at=now,
        action="arena.owner.remove" if existing else "arena.owner.add",
        entity="arena_item",
        entity_id=item.id,
        actor_member_id=actor_id,
        township_id=item.township_id,
        details={"member": member_id},
    )
    return existing is None


async def record_progress(
    session: AsyncSession,
    item_id: int,
    member_id: int | None,
    percent: int,
    note: str,
    at: datetime,
) -> ArenaProgress:
    """Record progress on a key work item. The Friday report flow calls this for each item
    the reporting cadre owns. Raises ValueError for an unknown item or a percent out of 0-100.
    """
    if not 0 <= percent <= 100:
        raise ValueError("percent must be 0-100")
    item = await session.get(ArenaItem, item_id)
    if item is None or not item.active:
        raise ValueError(f"unknown key work item {item_id}")
    progress = ArenaProgress(
        item_id=item_id, member_id=member_id, percent=percent, note=note[:NOTE_MAX], at=at
    )
    session.add(progress)
    await session.flush()
    await audit(
        session,
        at=at,
        action="arena.progress",
        entity="arena_item",
        entity_id=item_id,
        actor_member_id=member_id,
        township_id=item.township_id,
        details={"percent": percent},
    )
    return progress


async def progress_rows(
    session: AsyncSession, township_id: int
) -> list[tuple[str, str, int, str, datetime, str]]:
    """(item, owner who reported, percent, note, at, target) for the 重点工作 export sheet."""
    rows = await session.execute(
        select(
            ArenaItem.title,
            Member.display_name,
            ArenaProgress.percent,
            ArenaProgress.note,
            ArenaProgress.at,
            ArenaItem.target,
        )
        .join(ArenaItem, ArenaItem.id == ArenaProgress.item_id)
        .outerjoin(Member, Member.id == ArenaProgress.member_id)
        .where(ArenaItem.township_id == township_id)
        .order_by(ArenaItem.id, ArenaProgress.at, ArenaProgress.id)
    )
    return [(t, n or "", p, note, at, target) for t, n, p, note, at, target in rows]


async def item_by_id(session: AsyncSession, item_id: int) -> ArenaItem | None:
    """An active key work item."""
    item = await session.get(ArenaItem, item_id)
    return item if item is not None and item.active else None
