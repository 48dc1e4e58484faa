"""The agenda's and summaries' scheduled work: the Monday agenda (to the secretaries with its
charts, its figures to the group) and the weekly and monthly summaries. Figures come from the
pure rules in bot/agenda/rules.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.agenda.build import (
    Audience,
    agenda_html,
    dispute_context,
    figures_context,
)
from bot.agenda.charts import month_photo, week_photo
from bot.agenda.rules import judged, merge_month
from bot.core.outbox import Attachment, Outgoing
from bot.core.render import format_date
from bot.lists.periods import month_period
from bot.reports.status import status_markup
from bot.week import facts
from bot.week.weeks import month_weeks
from jobs.context import JobContext
from jobs.outgoing import photo, secretaries, to


async def monday_agenda(ctx: JobContext) -> list[Outgoing]:
    """The agenda to each secretary, followed by its charts (a photo); to the group, the
    agenda's figures only."""
    out = []
    photos: dict[str, Attachment | None] = {}
    for s in await secretaries(ctx):
        text = await agenda_html(
            ctx.session,
            ctx.svc,
            ctx.township,
            ctx.occurrence.subject,
            ctx.now,
            s.language,
            Audience.SECRETARY,
        )
        markup = status_markup(ctx.svc.codec, ctx.township.id, s.language, s.telegram_user_id)
        out.append(replace(to(ctx, s, text), reply_markup=markup))
        if s.language not in photos:
            photos[s.language] = await week_photo(
                ctx.session, ctx.township, ctx.occurrence.subject, ctx.week, ctx.now, s.language
            )
        picture = photos[s.language]
        if picture is not None:
            out.append(photo(ctx, s, picture))
    if ctx.township.group_chat_id:
        language = ctx.svc.settings.language
        text = await agenda_html(
            ctx.session,
            ctx.svc,
            ctx.township,
            ctx.occurrence.subject,
            ctx.now,
            language,
            Audience.GROUP,
        )
        out.append(
            Outgoing(
                key=ctx.key("group"),
                job=ctx.occurrence.job,
                chat_id=ctx.township.group_chat_id,
                township_id=ctx.township.id,
                text=text,
            )
        )
    return out


async def weekly_summary(ctx: JobContext) -> list[Outgoing]:
    week = ctx.occurrence.subject
    today = ctx.week.today(ctx.now)
    counted = await facts.cadre_weeks(ctx.session, ctx.township.id, week, ctx.week, ctx.now)
    disputes = await dispute_context(
        ctx.session, ctx.township.id, week, week + timedelta(days=6), today
    )
    return [
        to(
            ctx,
            s,
            ctx.svc.renderer.render(
                "agenda/weekly_summary.html.j2",
                s.language,
                township=ctx.township.name,
                week=format_date(week, s.language, False),
                disputes=disputes,
                private=True,
                **figures_context([counted]),
            ),
        )
        for s in await secretaries(ctx)
    ]


async def monthly_summary(ctx: JobContext) -> list[Outgoing]:
    first = ctx.occurrence.subject
    period = month_period(first.year, first.month)
    weeks = month_weeks(first.year, first.month)
    by_week = await facts.cadre_weeks_between(
        ctx.session, ctx.township.id, weeks, ctx.week, ctx.now
    )
    per_week = [judged(by_week[w]) for w in weeks]
    merged = merge_month(per_week)
    today = ctx.week.today(ctx.now)
    disputes = await dispute_context(ctx.session, ctx.township.id, period.start, period.end, today)
    compliant_weeks = {
        line.member_id: sum(
            1
            for week in per_week
            for x in week
            if x.member_id == line.member_id
            and not x.fully_exempt
            and x.field_days_done >= x.field_days_required
        )
        for line in merged
    }
    due_weeks = {
        line.member_id: sum(
            1
            for week in per_week
            for x in week
            if x.member_id == line.member_id and not x.fully_exempt
        )
        for line in merged
    }
    out = []
    photos: dict[str, Attachment | None] = {}
    for s in await secretaries(ctx):
        text = ctx.svc.renderer.render(
            "agenda/monthly_summary.html.j2",
            s.language,
            township=ctx.township.name,
            month=f"{first.year}-{first.month:02d}",
            disputes=disputes,
            rows=[
                {"line": x, "met": compliant_weeks[x.member_id], "due": due_weeks[x.member_id]}
                for x in merged
            ],
            private=True,
            **figures_context([by_week[w] for w in weeks]),
        )
        markup = status_markup(ctx.svc.codec, ctx.township.id, s.language, s.telegram_user_id)
        out.append(replace(to(ctx, s, text), reply_markup=markup))
        if s.language not in photos:
            photos[s.language] = await month_photo(
                ctx.session,
                ctx.township,
                merged,
                period.start,
                period.end,
                ctx.week,
                ctx.now,
                s.language,
            )
        picture = photos[s.language]
        if picture is not None:
            out.append(photo(ctx, s, picture))
    return out
