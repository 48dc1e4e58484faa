"""The imported holiday notices in the database, and keeping the work calendar in step.

Each process holds the notices in memory (`bot.week.schedule.use_notice_days`), since every
calendar question is answered from memory: they are loaded at start-up, again right after an
import in this process, and on the scheduler's tick when the table changed (an import by
`township-bot calendar import` or by another instance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.calendar import NoticeDay, NoticeDays
from bot.core.config import Settings
from bot.core.db import members as member_db
from bot.core.models import CalendarDay
from bot.week.schedule import notice_days, use_notice_days


@dataclass(frozen=True)
class Stored:
    year: int
    days_off: int
    workdays: int
    #: When the notice this import replaced was imported, if there was one.
    replaced: datetime | None


async def load_notice_days(session: AsyncSession) -> NoticeDays:
    rows = await session.execute(
        select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.holiday, CalendarDay.year)
    )
    days = tuple(sorted(NoticeDay(*row) for row in rows))
    return NoticeDays(days, await _stamp(session))


async def imported_years(session: AsyncSession) -> dict[int, datetime]:
    """Each year with an imported notice, and when it was imported."""
    rows = await session.execute(
        select(CalendarDay.year, func.max(CalendarDay.imported_at)).group_by(CalendarDay.year)
    )
    return {year: at for year, at in rows}


async def store_days(
    session: AsyncSession,
    year: int,
    days: Sequence[NoticeDay],
    now: datetime,
    *,
    actor_member_id: int | None = None,
    via: str,
) -> Stored:
    """Store a notice's days as `year`'s, replacing whatever an earlier import stored for it."""
    replaced = (await imported_years(session)).get(year)
    await session.execute(
        delete(CalendarDay).where(
            or_(CalendarDay.year == year, CalendarDay.day.in_([d.day for d in days]))
        )
    )
    session.add_all(
        CalendarDay(
            day=d.day, year=year, is_workday=d.is_workday, holiday=d.holiday, imported_at=now
        )
        for d in days
    )
    stored = Stored(
        year,
        days_off=sum(not d.is_workday for d in days),
        workdays=sum(d.is_workday for d in days),
        replaced=replaced,
    )
    await member_db.audit(
        session,
        at=now,
        action="calendar.import",
        entity="calendar",
        entity_id=year,
        actor_member_id=actor_member_id,
        details={"days_off": stored.days_off, "workdays": stored.workdays, "via": via},
    )
    return stored


async def _stamp(session: AsyncSession) -> tuple[int, str]:
    """Changes whenever an import changes the table (cheap to ask on every tick)."""
    count, latest = (
        await session.execute(select(func.count(), func.max(CalendarDay.imported_at)))
    ).one()
    return int(count), str(latest)


async def reload(session: AsyncSession, settings: Settings) -> NoticeDays:
    """Load the notices into the work calendar of `settings`' database."""
    days = await load_notice_days(session)
    use_notice_days(settings, days)
    return days


async def refresh(session: AsyncSession, settings: Settings) -> bool:
    """Reload the notices if the table changed since they were loaded; True if it did."""
    if await _stamp(session) == notice_days(settings).stamp:
        return False
    await reload(session, settings)
    return True
