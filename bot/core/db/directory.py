"""Townships and villages, kept in memory by each process.

They come from the config and change only when `members.sync_townships` runs at start-up
(every instance runs the same config), yet a cadre's every tap needs them. So the
application reads them once after the sync and answers lookups from memory instead of a
transaction per tap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import Township, Village


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
        self, townships: Iterable[TownshipInfo] = (), villages: Iterable[VillageInfo] = ()
    ) -> None:
        self._townships = {t.id: t for t in townships}
        self._villages = {v.id: v for v in villages}
        self._by_township: dict[int, list[VillageInfo]] = {}
        for village in sorted(self._villages.values(), key=lambda v: v.id):
            if village.active:
                self._by_township.setdefault(village.township_id, []).append(village)

    @classmethod
    async def load(cls, session: AsyncSession) -> Directory:
        townships = [
            TownshipInfo(t.id, t.code, t.name, t.active)
            for t in await session.scalars(select(Township))
        ]
        villages = [
            VillageInfo(v.id, v.township_id, v.name, v.lat, v.lon, v.radius_m, v.active)
            for v in await session.scalars(select(Village))
        ]
        return cls(townships, villages)

    def active_township_ids(self) -> list[int]:
        return sorted(t.id for t in self._townships.values() if t.active)

    def township(self, township_id: int) -> TownshipInfo | None:
        return self._townships.get(township_id)

    def village(self, village_id: int) -> VillageInfo | None:
        return self._villages.get(village_id)

    def villages_of(self, township_id: int) -> list[VillageInfo]:
        return list(self._by_township.get(township_id, ()))
