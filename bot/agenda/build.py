"""The Monday meeting agenda (周一例会) and the figures of a cadre's week that the agenda and
the summaries show: built from the cadre-week facts, rendered in the reader's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda.rules import (
    CadreLine,
    LeaveLine,
    leave_this_week,
    percent,
    week_figures,
)
from bot.arena import queries as arena_db
from bot.arena import rules as arena_rules
from bot.cases import queries as case_db
from bot.core.models import Township
from bot.core.render import format_date
from bot.core.services import Services
from bot.core.text import Html
from bot.leave import queries as leave_db
from bot.lists.facts import provider
from bot.lists.ledger import weekly_preview_block
from bot.lists.periods import week_period
from bot.reports import queries as report_db
from bot.week import facts
from bot.week.schedule import WeekRules, week_rules

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


def figures_context(lines: list[CadreLine]) -> dict[str, Any]:
    figures = week_figures(lines)
    return {
        "f": figures,
        "on_time_rate": percent(figures.on_time_rate),
        "field_rate": percent(figures.field_rate),
    }


async def dispute_context(
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
        **figures_context(lines),
        disputes=await dispute_context(session, township.id, reported_week, week_end, today),
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
