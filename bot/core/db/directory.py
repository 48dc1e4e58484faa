"""Townships and villages, kept in memory by each process.

A cadre's every tap needs them, so each process reads them once and answers lookups from
memory instead of a transaction per tap. They change rarely: a village added, renamed,
retired or given its point in chat (`bot.members`), or a new village in the config at
start-up. Every such change bumps its township's `revision` in the same transaction; the
process that made it reloads at once (`Services.reload_directory`), and every process
compares the revisions on a short timer and when it becomes the active instance
(`Services.refresh_directory`), so a second instance sees the change too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import Township, Village

# How often a running instance looks for changes made by another one (a tiny query).
REFRESH_SECONDS = 10


@dataclass(frozen=True, slots=True)
class TownshipInfo:
    id: int
    code: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class VillageInfo:
    id: int
    township_id: int
    name: str
    lat: float | None
    lon: float | None
    radius_m: int
    active: bool


class Directory:
    """Lookups by id; `villages_of` lists a township's active villages in id order, as
    `members.villages_of` does."""

    def __init__(
        self,
        townships: Iterable[TownshipInfo] = (),
        villages: Iterable[VillageInfo] = (),
        revisions: Mapping[int, int] | None = None,
    ) -> None:
        self._townships = {t.id: t for t in townships}
        self._villages = {v.id: v for v in villages}
        self._by_township: dict[int, list[VillageInfo]] = {}
        self.revisions: dict[int, int] = dict(revisions or {})
        for village in sorted(self._villages.values(), key=lambda v: v.id):
            if village.active:
                self._by_township.setdefault(village.township_id, []).append(village)

    @classmethod
    async def load(cls, session: AsyncSession) -> Directory:
        rows = list(await session.scalars(select(Township)))
        townships = [TownshipInfo(t.id, t.code, t.name, t.active) for t in rows]
        villages = [
            VillageInfo(v.id, v.township_id, v.name, v.lat, v.lon, v.radius_m, v.active)
            for v in await session.scalars(select(Village))
        ]
        return cls(townships, villages, {t.id: t.revision for t in rows})

    def active_township_ids(self) -> list[int]:
        return sorted(t.id for t in self._townships.values() if t.active)

    def township(self, township_id: int) -> TownshipInfo | None:
        return self._townships.get(township_id)

    def village(self, village_id: int) -> VillageInfo | None:
        return self._villages.get(village_id)

    def villages_of(self, township_id: int) -> list[VillageInfo]:
        return list(self._by_township.get(township_id, ()))


async def bump(session: AsyncSession, township_id: int) -> None:
    """Record that the township or its villages changed (in the transaction that did it)."""
    await session.execute(
        update(Township)
        .where(Township.id == township_id)
        .values(revision=Township.revision + 1)
        .execution_options(synchronize_session=False)
    )


async def revisions(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(select(Township.id, Township.revision))
    return {township_id: revision for township_id, revision in rows}


async def current(session: AsyncSession, directory: Directory) -> Directory:
    """`directory`, or a fresh one when a township's revision moved since it was loaded."""
    if await revisions(session) == directory.revisions:
        return directory
    return await Directory.load(session)
