"""The Friday reports' scheduled work: the window opens, the last call, and at the deadline
the secretaries' roll of who submitted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.agenda.rules import week_figures
from bot.core.outbox import Outgoing
from bot.core.render import format_date, format_datetime
from bot.reports.chase import chase_markup
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from jobs.context import JobContext
from jobs.outgoing import cadres_this_week, secretaries, to


async def _report_reminder(
    ctx: JobContext, template: str, wanted: Callable[[CadreWeek], bool]
) -> list[Outgoing]:
    window = ctx.week.window(ctx.occurrence.subject)
    if window is None:
        return []
    out = []
    for person, line in await cadres_this_week(ctx, wanted):
        deadline = format_datetime(window.deadline, ctx.tz, person.language)
        text = ctx.svc.renderer.render(template, person.language, name=line.name, deadline=deadline)
        out.append(to(ctx, person, text))
    return out


async def report_open(ctx: JobContext) -> list[Outgoing]:
    """The report window opens: every cadre who is not away all week."""
    return await _report_reminder(
        ctx,
        "reports/report_open.html.j2",
        lambda line: not line.fully_exempt and line.report != "on_time",
    )


async def report_last_call(ctx: JobContext) -> list[Outgoing]:
    """A while before the deadline: only those who have not submitted."""
    return await _report_reminder(
        ctx, "reports/report_last_call.html.j2", lambda line: line.report == "pending"
    )


async def report_deadline(ctx: JobContext) -> list[Outgoing]:
    """At the deadline, to the secretaries: who submitted, who has not, who is away. Each
    report as the one rule has it at this moment (`report_status`): during the deadline's
    minute a report not in yet can still come in on time, so it is not called late."""
    lines = await facts.cadre_weeks(
        ctx.session, ctx.township.id, ctx.occurrence.subject, ctx.week, ctx.now, judged_only=True
    )
    on_time = [x.name for x in lines if x.report == "on_time"]
    pending = [x.name for x in lines if x.report == "pending"]
    overdue = [x.name for x in lines if x.report == "missing"]
    late = [x.name for x in lines if x.report == "late"]
    away = [x.name for x in lines if x.fully_exempt]
    figures = week_figures(lines)
    return [
        replace(
            to(
                ctx,
                s,
                ctx.svc.renderer.render(
                    "reports/report_deadline.html.j2",
                    s.language,
                    township=ctx.township.name,
                    week=format_date(ctx.occurrence.subject, s.language, False),
                    on_time=on_time,
                    pending=pending,
                    overdue=overdue,
                    late=late,
                    away=away,
                    count=figures.on_time,
                    total=figures.reports_due,
                ),
            ),
            # 催交, while someone's report is not in.
            reply_markup=chase_markup(
                ctx.svc.codec,
                ctx.township.id,
                ctx.occurrence.subject,
                s.language,
                s.telegram_user_id,
            )
            if pending or overdue
            else None,
        )
        for s in await secretaries(ctx)
    ]
