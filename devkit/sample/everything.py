"""Seed the whole sample township (people, last week's work, dispute cases) in one call,
for the demo and the sandbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from devkit.sample import seed_people
from devkit.sample.cases import seed_cases
from devkit.sample.week import seed_week


async def seed_sample(session: AsyncSession, settings: Settings, now: datetime) -> dict[int, int]:
    """Returns telegram id -> member id of the sample people."""
    ids = await seed_people(session, now)
    await seed_week(session, settings, now, ids)
    await seed_cases(session, settings, now)
    return ids
