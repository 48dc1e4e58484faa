"""The scheduled messages of the weekly discipline: report reminders, field-visit nudges,
the Monday agenda, dispute reminders and the weekly / monthly summaries.

Each job reads the database through the data layer, computes figures with the pure rules in
bot/agenda/rules.py and renders Jinja templates in each recipient's language. Everything
goes out through the outbox with a key per recipient, so it is sent exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.agenda.build import (
    Audience,
    agenda_html,
    cadre_lines,
    counted_weeks,
    dispute_context,
    figures_context,
)
from bot.agenda.charts import chart_caption, month_photo, week_photo
from bot.agenda.rules import (
    CadreLine,
    merge_month,
    week_figures,
)
from bot.cases import facts as case_facts
from bot.cases.reminders import reminder_markup
from bot.core.db import members as member_db
from bot.core.db.members import Recipient
from bot.core.outbox import Attachment, Outgoing
from bot.core.render import format_date, format_datetime
from bot.core.text import Html
from bot.lists.periods import month_period
from bot.reports.chase import chase_markup
from bot.reports.status import status_markup
from bot.week.rules import month_weeks
from jobs.context import JobContext


def _to(ctx: JobContext, person: Recipient, text: Html) -> Outgoing:
    return Outgoing(
        key=ctx.key(person.member_id),
        job=ctx.occurrence.job,
        chat_id=person.telegram_user_id,
        township_id=ctx.township.id,
        member_id=person.member_id,
        text=text,
    )


def _photo(ctx: JobContext, person: Recipient, photo: Attachment) -> Outgoing:
    return Outgoing(
        key=ctx.key(f"chart-{person.member_id}"),
        job=ctx.occurrence.job,
        chat_id=person.telegram_user_id,
        township_id=ctx.township.id,
        member_id=person.member_id,
        text=chart_caption(person.language),
        attachment=photo,
    )


async def _cadres_by_id(ctx: JobContext) -> dict[int, Recipient]:
    return {
        r.member_id: r for r in await member_db.recipients(ctx.session, ctx.township.id, "cadre")
    }


async def _secretaries(ctx: JobContext) -> list[Recipient]:
    return await member_db.recipients(ctx.session, ctx.township.id, "secretary")


# --- report reminders -----------------------------------------------------------------------


async def _cadres_this_week(
    ctx: JobContext, wanted: Callable[[CadreLine], bool]
) -> list[tuple[Recipient, CadreLine]]:
    """Reachable cadres (newcomers included) whose week of the occurrence is `wanted`."""
    people = await _cadres_by_id(ctx)
    lines = await cadre_lines(
        ctx.session, ctx.township.id, ctx.occurrence.subject, ctx.week, ctx.now, judged_only=False
    )
    return [(people[x.member_id], x) for x in lines if x.member_id in people and wanted(x)]


async def _report_reminder(
    ctx: JobContext, template: str, wanted: Callable[[CadreLine], bool]
) -> list[Outgoing]:
    window = ctx.week.window(ctx.occurrence.subject)
    if window is None:
        return []
    out = []
    for person, line in await _cadres_this_week(ctx, wanted):
        deadline = format_datetime(window.deadline, ctx.tz, person.language)
        text = ctx.svc.renderer.render(template, person.language, name=line.name, deadline=deadline)
        out.append(_to(ctx, person, text))
    return out


async def report_open(ctx: JobContext) -> list[Outgoing]:
    """The report window opens: every cadre who is not away all week."""
    return await _report_reminder(
        ctx,
        "jobs/report_open.html.j2",
        lambda line: not line.fully_exempt and line.report != "on_time",
    )


async def report_last_call(ctx: JobContext) -> list[Outgoing]:
    """A while before the deadline: only those who have not submitted."""
    return await _report_reminder(
        ctx, "jobs/report_last_call.html.j2", lambda line: line.report == "pending"
    )


async def report_deadline(ctx: JobContext) -> list[Outgoing]:
    """At the deadline, to the secretaries: who submitted, who has not, who is away. Each
    report as the one rule has it at this moment (`report_status`): during the deadline's
    minute a report not in yet can still come in on time, so it is not called late."""
    lines = await cadre_lines(
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
            _to(
                ctx,
                s,
                ctx.svc.renderer.render(
                    "jobs/report_deadline.html.j2",
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
        for s in await _secretaries(ctx)
    ]


# --- field-visit nudges ---------------------------------------------------------------------


async def _nudge(ctx: JobContext, last_call: bool) -> list[Outgoing]:
    out = []
    for person, line in await _cadres_this_week(ctx, lambda x: x.behind):
        days, screenings, problems = line.shortfall
        out.append(
            _to(
                ctx,
                person,
                ctx.svc.renderer.render(
                    "jobs/field_nudge.html.j2",
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


# --- Monday agenda --------------------------------------------------------------------------


async def monday_agenda(ctx: JobContext) -> list[Outgoing]:
    """The agenda to each secretary, followed by its charts (a photo); to the group, the
    agenda's figures only."""
    out = []
    photos: dict[str, Attachment | None] = {}
    for s in await _secretaries(ctx):
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
        out.append(replace(_to(ctx, s, text), reply_markup=markup))
        if s.language not in photos:
            photos[s.language] = await week_photo(
                ctx.session, ctx.township, ctx.occurrence.subject, ctx.week, ctx.now, s.language
            )
        photo = photos[s.language]
        if photo is not None:
            out.append(_photo(ctx, s, photo))
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


# --- dispute reminders ----------------------------------------------------------------------


async def dispute_reminders(ctx: JobContext) -> list[Outgoing]:
    """Due soon / overdue / 回访 due to the case's mediator (or whoever registered it);
    cases overdue beyond the escalation threshold also to the secretaries. Case numbers
    and villages only: no party names."""
    today = ctx.week.today(ctx.now)
    reminders = await case_facts.reminders_due(
        ctx.session, ctx.township.id, today, ctx.svc.settings
    )
    if not reminders:
        return []
    members = {
        r.member_id: r
        for role in ("mediator", "cadre", "secretary")
        for r in await member_db.recipients(ctx.session, ctx.township.id, role)
    }
    per_person: dict[int, list[Any]] = {}
    escalations = []
    for reminder in reminders:
        owner = reminder.mediator_id or reminder.opened_by
        per_person.setdefault(owner, []).append(reminder)
        if reminder.kind == "escalation_due":
            escalations.append(reminder)
    out = []
    for member_id, items in per_person.items():
        person = members.get(member_id)
        if person is None:
            continue
        message = _to(
            ctx,
            person,
            ctx.svc.renderer.render(
                "jobs/dispute_reminders.html.j2",
                person.language,
                name=person.name,
                items=[_reminder(r, person.language) for r in items],
                escalation=False,
            ),
        )
        markup = reminder_markup(ctx.svc.codec, items, person.telegram_user_id)
        out.append(replace(message, reply_markup=markup))
    if escalations:
        for s in await _secretaries(ctx):
            out.append(
                Outgoing(
                    key=ctx.key(f"escalate-{s.member_id}"),
                    job=ctx.occurrence.job,
                    chat_id=s.telegram_user_id,
                    township_id=ctx.township.id,
                    member_id=s.member_id,
                    text=ctx.svc.renderer.render(
                        "jobs/dispute_reminders.html.j2",
                        s.language,
                        name=s.name,
                        items=[_reminder(r, s.language) for r in escalations],
                        escalation=True,
                    ),
                    reply_markup=reminder_markup(ctx.svc.codec, escalations, s.telegram_user_id),
                )
            )
    return out


def _reminder(reminder: Any, language: str) -> dict[str, Any]:
    return {
        "number": reminder.number,
        "village": reminder.village,
        "kind": reminder.kind,
        "days": reminder.days,
        "deadline": format_date(reminder.deadline, language, False),
    }


# --- summaries ------------------------------------------------------------------------------


async def weekly_summary(ctx: JobContext) -> list[Outgoing]:
    week = ctx.occurrence.subject
    today = ctx.week.today(ctx.now)
    counted = await counted_weeks(ctx.session, ctx.township.id, [week], ctx.week, ctx.now)
    disputes = await dispute_context(
        ctx.session, ctx.township.id, week, week + timedelta(days=6), today
    )
    return [
        _to(
            ctx,
            s,
            ctx.svc.renderer.render(
                "jobs/weekly_summary.html.j2",
                s.language,
                township=ctx.township.name,
                week=format_date(week, s.language, False),
                disputes=disputes,
                private=True,
                **figures_context([counted[week]]),
            ),
        )
        for s in await _secretaries(ctx)
    ]


async def monthly_summary(ctx: JobContext) -> list[Outgoing]:
    first = ctx.occurrence.subject
    period = month_period(first.year, first.month)
    weeks = month_weeks(first.year, first.month)
    by_week = await counted_weeks(ctx.session, ctx.township.id, weeks, ctx.week, ctx.now)
    per_week = [by_week[w].lines for w in weeks]
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
    for s in await _secretaries(ctx):
        text = ctx.svc.renderer.render(
            "jobs/monthly_summary.html.j2",
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
        out.append(_to(ctx, s, text))
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
        photo = photos[s.language]
        if photo is not None:
            out.append(_photo(ctx, s, photo))
    return out
