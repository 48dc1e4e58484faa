"""The straightforward definition of the lists' week facts, for the tests: every active cadre's
`CadreWeek.member_week()` (the week overview that /me, the agenda and the reminders read) for
each week, from the first full week after joining, member by member and week by week.
`bot.week.period.period_member_weeks` must return exactly this."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.week.facts import cadre_weeks_between, joined_weeks
from bot.week.rules import MemberWeek
from bot.week.schedule import WeekRules


async def member_weeks_straight(
    session: AsyncSession,
    township_id: int,
    weeks: Sequence[date],
    rules: WeekRules,
    as_of: datetime,
) -> list[MemberWeek]:
    """The lists' week facts, straight from the week overview."""
    if not weeks:
        return []
    joined = await joined_weeks(session, township_id, rules.tz)
    by_week = await cadre_weeks_between(session, township_id, weeks, rules, as_of)
    found = [
        cadre_week.member_week()
        for week_start in sorted(set(weeks))
        for cadre_week in by_week.get(week_start, [])
        if week_start > joined.get(cadre_week.member_id, week_start)
    ]
    return sorted(found, key=lambda w: (w.member_id, w.week_start))
