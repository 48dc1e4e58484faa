"""The field visits' scheduled work: nudges to cadres behind on their field days, screenings
or problems, and a last call before the week ends."""

from __future__ import annotations

from bot.core.outbox import Outgoing
from jobs.context import JobContext
from jobs.outgoing import cadres_this_week, to


async def _nudge(ctx: JobContext, last_call: bool) -> list[Outgoing]:
    out = []
    for person, line in await cadres_this_week(ctx, lambda x: x.behind):
        days, screenings, problems = line.shortfall
        out.append(
            to(
                ctx,
                person,
                ctx.svc.renderer.render(
                    "visits/field_nudge.html.j2",
                    person.language,
                    name=line.name,
                    last_call=last_call,
                    days=days,
                    screenings=screenings,
                    problems=problems,
                    done=line.field_days_done,
                    required=line.field_days_required,
                ),
            )
        )
    return out


async def field_nudge(ctx: JobContext) -> list[Outgoing]:
    return await _nudge(ctx, last_call=False)


async def field_last_call(ctx: JobContext) -> list[Outgoing]:
    return await _nudge(ctx, last_call=True)
