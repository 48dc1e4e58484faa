"""What every feature's scheduled work shares: who gets a message and the message itself.

Everything goes out through the outbox with a key per recipient, so it is sent exactly once.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.agenda.charts import chart_caption
from bot.core.db import members as member_db
from bot.core.db.members import Recipient
from bot.core.outbox import Attachment, Outgoing, to_member
from bot.core.text import Html
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from jobs.context import JobContext


def to(ctx: JobContext, person: Recipient, text: Html) -> Outgoing:
    return to_member(person, ctx.key_prefix, ctx.occurrence.job, text, township_id=ctx.township.id)


def photo(ctx: JobContext, person: Recipient, picture: Attachment) -> Outgoing:
    return Outgoing(
        key=ctx.key(f"chart-{person.member_id}"),
        job=ctx.occurrence.job,
        chat_id=person.telegram_user_id,
        township_id=ctx.township.id,
        member_id=person.member_id,
        text=chart_caption(person.language),
        attachment=picture,
    )


async def cadres_by_id(ctx: JobContext) -> dict[int, Recipient]:
    return {
        r.member_id: r for r in await member_db.recipients(ctx.session, ctx.township.id, "cadre")
    }


async def secretaries(ctx: JobContext) -> list[Recipient]:
    return await member_db.recipients(ctx.session, ctx.township.id, "secretary")


async def cadres_this_week(
    ctx: JobContext, wanted: Callable[[CadreWeek], bool]
) -> list[tuple[Recipient, CadreWeek]]:
    """Reachable cadres (newcomers included) whose week of the occurrence is `wanted`."""
    people = await cadres_by_id(ctx)
    lines = await facts.cadre_weeks(
        ctx.session, ctx.township.id, ctx.occurrence.subject, ctx.week, ctx.now
    )
    return [(people[x.member_id], x) for x in lines if x.member_id in people and wanted(x)]
