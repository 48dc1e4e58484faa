"""Helpers for the Friday report's end-to-end tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.core.models import ConversationState, WeeklyReport


async def report_of(world: Any, user_id: int, township_id: int | None = None) -> WeeklyReport:
    """The member's only report (in `township_id`, when given)."""
    query = select(WeeklyReport).where(WeeklyReport.member_id == world.member_ids[user_id])
    if township_id is not None:
        query = query.where(WeeklyReport.township_id == township_id)
    async with world.svc.transaction() as session:
        report = await session.scalar(query)
    assert report is not None
    return report


async def state_of(world: Any, user_id: int) -> ConversationState | None:
    async with world.svc.transaction() as session:
        return await session.get(ConversationState, user_id)
