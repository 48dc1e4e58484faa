"""The scheduled jobs: each turns one occurrence into outbox messages."""

from __future__ import annotations

from bot.db import members as member_db
from bot.render import format_datetime
from jobs.context import JobContext
from jobs.outbox import Outgoing
from jobs.plan import REPORT_OPEN
from jobs.scheduler import JobFunc


async def report_open(ctx: JobContext) -> list[Outgoing]:
    """The Friday report window opens: remind every cadre."""
    window = ctx.schedule
    from bot.domain.week import report_window

    report = report_window(ctx.occurrence.subject, ctx.calendar, window, ctx.tz)
    if report is None:
        return []
    out = []
    for cadre in await member_db.recipients(ctx.session, ctx.township.id, "cadre"):
        out.append(
            Outgoing(
                key=ctx.key(cadre.member_id),
                job=ctx.occurrence.job,
                chat_id=cadre.telegram_user_id,
                township_id=ctx.township.id,
                member_id=cadre.member_id,
                text=ctx.svc.renderer.render(
                    "jobs/report_open.html.j2",
                    cadre.language,
                    name=cadre.name,
                    deadline=format_datetime(report.deadline, ctx.tz, cadre.language),
                ),
            )
        )
    return out


JOBS: dict[str, JobFunc] = {
    REPORT_OPEN: report_open,
}
