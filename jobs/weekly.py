"""The scheduled messages of the weekly discipline: report reminders, field-visit nudges,
the Monday agenda, dispute reminders and the weekly / monthly summaries.

Each job reads the database through the data layer, computes figures with the pure rules in
bot/agenda/rules.py and renders Jinja templates in each recipient's language. Everything
goes out through the outbox with a key per recipient, so it is sent exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda.rules import (
    CadreLine,
    LeaveLine,
    leave_this_week,
    merge_month,
    percent,
    week_figures,
)
from bot.arena import queries as arena_db
from bot.arena import rules as arena_rules
from bot.cases import queries as case_db
from bot.core.db import members as member_db
from bot.core.db.members import Recipient
from bot.core.models import Township
from bot.core.outbox import Outgoing
from bot.core.render import format_date, format_datetime
from bot.core.services import Services
from bot.core.text import Html
from bot.leave import queries as leave_db
from bot.lists.facts import provider
from bot.lists.ledger import weekly_preview_block
from bot.lists.periods import month_period, week_period
from bot.reports import queries as report_db
from bot.week import facts
from bot.week.rules import month_weeks
from bot.week.schedule import WeekRules, week_rules
from jobs.context import JobContext

KEY_WORK_SECTION = "重点工作进展"


async def cadre_lines(
    session: AsyncSession,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
    *,
    judged_only: bool,
) -> list[CadreLine]:
    """Each cadre's week. `judged_only` (figures, summaries, agendas) leaves out members in
    the week they joined; reminders and nudges go to newcomers too."""
    by_week = await cadre_lines_between(
        session, township_id, [week_start], rules, now, judged_only=judged_only
    )
    return by_week.get(week_start, [])


async def cadre_lines_between(
    session: AsyncSession,
    township_id: int,
    weeks: list[date],
    rules: WeekRules,
    now: datetime,
    *,
    judged_only: bool,
) -> dict[date, list[CadreLine]]:
    """`cadre_lines` for several weeks in the same few queries (monthly summary)."""
    joined = await facts.joined_weeks(session, township_id, rules.tz) if judged_only else {}
    found = await facts.cadre_weeks_between(session, township_id, weeks, rules, now)
    return {week: _lines(found.get(week, []), week, joined) for week in weeks}


def _lines(
    weeks: list[facts.CadreWeek], week_start: date, joined: dict[int, date]
) -> list[CadreLine]:
    lines = []
    for cw in weeks:
        if cw.member_id in joined and joined[cw.member_id] >= week_start:
            continue  # joined this week: judged from the next full week on
        s = cw.status
        lines.append(
            CadreLine(
                member_id=cw.member_id,
                name=cw.name,
                report=cw.report,
                field_days_done=s.done.field_days,
                field_days_required=s.required.field_days,
                screenings_done=s.done.dispute_screenings,
                screenings_required=s.required.dispute_screenings,
                problems_done=s.done.problems_solved,
                problems_required=s.required.problems_solved,
                fully_exempt=s.fully_exempt,
                exempt_days=len(s.exempt_days),
            )
        )
    return lines


def _figures_context(lines: list[CadreLine]) -> dict[str, Any]:
    figures = week_figures(lines)
    return {
        "f": figures,
        "on_time_rate": percent(figures.on_time_rate),
        "field_rate": percent(figures.field_rate),
    }


async def _dispute_context(
    session: AsyncSession, township_id: int, start: date, end: date, today: date
) -> dict[str, int]:
    stats = await case_db.dispute_figures(session, township_id, start, end, today)
    return {
        "screened": stats.screened.count,
        "registered": stats.registered.count,
        "closed": stats.closed_in_period.count,
        "overdue": stats.overdue_total.count,
    }


async def agenda_html(
    session: AsyncSession,
    svc: Services,
    township: Township,
    reported_week: date,
    now: datetime,
    language: str,
    *,
    with_lists: bool,
) -> Html:
    """The Monday meeting agenda about `reported_week` (the week before the meeting).

    `with_lists`: include the red/black preview (the secretary's copy only: names go to the
    group chat only after the secretary has previewed and published a list)."""
    rules = week_rules(svc.settings, township.code)
    today = rules.today(now)
    week_end = reported_week + timedelta(days=6)
    lines = await cadre_lines(session, township.id, reported_week, rules, now, judged_only=True)
    this_week = rules.current_week(now)
    spans = await leave_db.township_leaves(
        session, township.id, this_week, this_week + timedelta(days=6)
    )
    leave = leave_this_week(
        [LeaveLine(row.member_name, str(row.kind), row.start, row.end) for row in spans],
        this_week,
        this_week + timedelta(days=6),
    )
    items = await arena_db.items(session, township.id)
    lists = ""
    if with_lists:
        lists = await weekly_preview_block(
            session,
            township,
            week_period(reported_week),
            language,
            settings=svc.settings,
            now=now,
            facts=provider(svc.extras),
            renderer=svc.renderer,
        )
    return svc.renderer.render(
        "jobs/agenda.html.j2",
        language,
        township=township.name,
        week="–".join(format_date(d, language, False) for d in (reported_week, week_end)),
        meeting=format_date(today, language),
        **_figures_context(lines),
        disputes=await _dispute_context(session, township.id, reported_week, week_end, today),
        needs=await report_db.needs_by_village(session, township.id, reported_week),
        key_work=await report_db.section_texts(
            session, township.id, reported_week, KEY_WORK_SECTION
        ),
        arena=arena_rules.standings(items),
        leave=[
            {
                "name": x.name,
                "kind": x.kind,
                "start": format_date(x.start, language, False),
                "end": format_date(x.end, language, False),
            }
            for x in leave
        ],
        lists=lists,
    )


def _to(ctx: JobContext, person: Recipient, text: Html) -> Outgoing:
    return Outgoing(
        key=ctx.key(person.member_id),
        job=ctx.occurrence.job,
        chat_id=person.telegram_user_id,
        township_id=ctx.township.id,
        member_id=person.member_id,
        text=text,
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
    """At the deadline, to the secretaries: who submitted, who has not, who is away."""
    lines = await cadre_lines(
        ctx.session, ctx.township.id, ctx.occurrence.subject, ctx.week, ctx.now, judged_only=True
    )
    on_time = [x.name for x in lines if x.report == "on_time"]
    late = [x.name for x in lines if x.report in ("pending", "missing", "late")]
    away = [x.name for x in lines if x.fully_exempt]
    return [
        _to(
            ctx,
            s,
            ctx.svc.renderer.render(
                "jobs/report_deadline.html.j2",
                s.language,
                township=ctx.township.name,
                week=format_date(ctx.occurrence.subject, s.language, False),
                on_time=on_time,
                late=late,
                away=away,
                total=len(lines),
            ),
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
    out = []
    for s in await _secretaries(ctx):
        text = await agenda_html(
            ctx.session,
            ctx.svc,
            ctx.township,
            ctx.occurrence.subject,
            ctx.now,
            s.language,
            with_lists=True,
        )
        out.append(_to(ctx, s, text))
    if ctx.township.group_chat_id:
        language = ctx.svc.settings.language
        text = await agenda_html(
            ctx.session,
            ctx.svc,
            ctx.township,
            ctx.occurrence.subject,
            ctx.now,
            language,
            with_lists=False,
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
    reminders = await case_db.reminders_due(ctx.session, ctx.township.id, today, ctx.svc.settings)
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
        out.append(
            _to(
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
        )
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
    lines = await cadre_lines(
        ctx.session, ctx.township.id, week, ctx.week, ctx.now, judged_only=True
    )
    disputes = await _dispute_context(
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
                **_figures_context(lines),
            ),
        )
        for s in await _secretaries(ctx)
    ]


async def monthly_summary(ctx: JobContext) -> list[Outgoing]:
    first = ctx.occurrence.subject
    period = month_period(first.year, first.month)
    weeks = month_weeks(first.year, first.month)
    by_week = await cadre_lines_between(
        ctx.session, ctx.township.id, weeks, ctx.week, ctx.now, judged_only=True
    )
    per_week = [by_week[w] for w in weeks]
    merged = merge_month(per_week)
    today = ctx.week.today(ctx.now)
    disputes = await _dispute_context(ctx.session, ctx.township.id, period.start, period.end, today)
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
    return [
        _to(
            ctx,
            s,
            ctx.svc.renderer.render(
                "jobs/monthly_summary.html.j2",
                s.language,
                township=ctx.township.name,
                month=f"{first.year}-{first.month:02d}",
                disputes=disputes,
                rows=[
                    {"line": x, "met": compliant_weeks[x.member_id], "due": due_weeks[x.member_id]}
                    for x in merged
                ],
                **_figures_context(merged),
            ),
        )
        for s in await _secretaries(ctx)
    ]
