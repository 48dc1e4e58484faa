"""The red and black lists' scheduled work: when a period closes (the week at its report
deadline, a month or quarter with its last week), its preview is prepared and everybody
named is told privately, with the facts and how to object. The secretary still decides the
objections and publishes by hand (bot/lists)."""

from __future__ import annotations

from bot.core.outbox import Outgoing
from bot.lists import service
from bot.lists.periods import period_from_key
from jobs.context import JobContext


async def lists_preview(ctx: JobContext) -> list[Outgoing]:
    period = period_from_key(ctx.occurrence.period)
    if period is None:
        return []
    outcome = await service.prepare_preview(
        ctx.session, ctx.svc, ctx.township, period, ctx.now, actor_id=None
    )
    return outcome.messages
