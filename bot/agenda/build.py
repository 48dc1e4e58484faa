"""The Monday meeting agenda (周一例会) and the figures of a cadre's week that the agenda and
the summaries show: built from the cadre-week facts, rendered in the reader's language."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda.rules import (
    LeaveLine,
    judged,
    leave_this_week,
    next_meeting,
    percent,
    period_figures,
)
from bot.arena import queries as arena_db
from bot.arena import rules as arena_rules
from bot.cases import facts as case_facts
from bot.core.models import Township
from bot.core.render import format_date, format_span
from bot.core.services import Services
from bot.core.text import Html
from bot.leave import queries as leave_db
from bot.lists.facts import provider
from bot.lists.ledger import weekly_preview_block
from bot.lists.periods import week_period
from bot.reports import queries as report_db
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from bot.week.schedule import week_rules

KEY_WORK_SECTION = "重点工作进展"


class Audience(enum.Enum):
    """Who reads an agenda: the secretary's own copy names people; the township group's copy
    carries figures only, and names nobody who fell short, was away or raised an item."""

    SECRETARY = "secretary"
    GROUP = "group"


def figures_context(weeks: Sequence[Sequence[CadreWeek]]) -> dict[str, Any]:
    """What `jobs/_figures.html.j2` shows, for one week or for the weeks of a month: the
    figures of the judged weeks, and how many cadres were not counted (joined that week)."""
    figures = period_figures([judged(week) for week in weeks])
    return {
        "f": figures,
        "on_time_rate": percent(figures.on_time_rate),
        "field_rate": percent(figures.field_rate),
        "per_week": len(weeks) > 1,
        "newcomers": sum(not w.judged for w in weeks[0]) if len(weeks) == 1 else 0,
    }


async def dispute_context(
    session: AsyncSession, township_id: int, start: date, end: date, today: date
) -> dict[str, int]:
    stats = await case_facts.dispute_figures(session, township_id, start, end, today)
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
    audience: Audience,
) -> Html:
    """The Monday meeting agenda about `reported_week` (the week before the meeting). The
    secretary's copy names who fell short and adds the red/black preview; the group's copy
    carries figures only (names go to the group only in a published list)."""
    rules = week_rules(svc.settings, township.code)
    today = rules.today(now)
    week_end = reported_week + timedelta(days=6)
    reported = await facts.cadre_weeks(session, township.id, reported_week, rules, now)
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
    private = audience is Audience.SECRETARY
    lists: str = ""
    if private:
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
        "agenda/agenda.html.j2",
        language,
        township=township.name,
        week=format_span(reported_week, week_end, language),
        meeting=format_date(
            next_meeting(today, rules.calendar.first_workday_of_week) or today, language
        ),
        private=private,
        **figures_context([reported]),
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
                "span": format_span(x.start, x.end, language),
            }
            for x in leave
        ],
        lists=lists,
    )
