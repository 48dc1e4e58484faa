"""The charts the secretary's Monday agenda and the monthly summary carry, as one PNG:
field days per cadre against the quota (leave shown), the dispute funnel and the trend of
the last weeks (reports on time, field-day quota met), built from the same figures as the
text."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda.rules import period_figures
from bot.cases import facts as case_facts
from bot.cases.charts import dispute_funnel
from bot.core.charts import Dashboard, FieldDaysChart, FieldDaysRow, TrendChart, TrendPoint
from bot.core.fonts import NoCjkFont
from bot.core.i18n import gettext_for
from bot.core.models import Township
from bot.core.outbox import Attachment
from bot.core.render import format_date
from bot.core.text import Html
from bot.core.worker import RenderFailed, draw_png
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from bot.week.schedule import WeekRules

log = logging.getLogger(__name__)

TREND_WEEKS = 8


def field_days_chart(lines: Sequence[CadreWeek]) -> FieldDaysChart:
    return FieldDaysChart(
        rows=[
            FieldDaysRow(
                name=x.name,
                done=x.field_days_done,
                required=x.field_days_required,
                leave_days=x.exempt_days,
                away=x.fully_exempt,
            )
            for x in lines
        ]
    )


def _share(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


async def trend_chart(
    session: AsyncSession,
    township_id: int,
    last_week: date,
    rules: WeekRules,
    now: datetime,
    language: str,
) -> TrendChart:
    """The TREND_WEEKS weeks up to `last_week`, each with the figures its agenda showed."""
    weeks = [last_week - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    counted = await facts.cadre_weeks_between(
        session, township_id, weeks, rules, now, judged_only=True
    )
    points = []
    for week in weeks:
        figures = period_figures([counted[week]])
        points.append(
            TrendPoint(
                label=format_date(week, language, False),
                on_time=_share(figures.on_time_rate),
                field=_share(figures.field_rate),
            )
        )
    return TrendChart(points=points)


async def dashboard(
    session: AsyncSession,
    township: Township,
    lines: Sequence[CadreWeek],
    start: date,
    end: date,
    rules: WeekRules,
    now: datetime,
    language: str,
) -> Dashboard:
    """The charts of a week or a month (`lines`: each cadre's figures over it)."""
    today = rules.today(now)
    stats = await case_facts.dispute_figures(session, township.id, start, end, today)
    trend = await trend_chart(
        session, township.id, end - timedelta(days=end.weekday()), rules, now, language
    )
    span = "–".join(format_date(d, language, False) for d in (start, end))
    return Dashboard(
        title=f"{township.name} · {span}",
        language=language,
        charts=[field_days_chart(lines), dispute_funnel(stats, language), trend],
    )


async def chart_photo(board: Dashboard, filename: str) -> Attachment | None:
    """The dashboard as a photo; None (and a warning in the log) when it cannot be drawn, so
    the text still goes out."""
    try:
        data = await draw_png(board)
    except NoCjkFont as exc:
        log.warning("charts left out: %s", exc)
        return None
    except RenderFailed:
        return None
    return Attachment("photo", data, filename)


async def week_photo(
    session: AsyncSession,
    township: Township,
    week: date,
    rules: WeekRules,
    now: datetime,
    language: str,
) -> Attachment | None:
    """The charts of the week reported at the Monday meeting."""
    lines = await facts.cadre_weeks(session, township.id, week, rules, now, judged_only=True)
    end = week + timedelta(days=6)
    board = await dashboard(session, township, lines, week, end, rules, now, language)
    return await chart_photo(board, f"{township.code}-{week.isoformat()}.png")


async def month_photo(
    session: AsyncSession,
    township: Township,
    lines: Sequence[CadreWeek],
    start: date,
    end: date,
    rules: WeekRules,
    now: datetime,
    language: str,
) -> Attachment | None:
    """The charts of a month (`lines`: each cadre's figures summed over its weeks)."""
    board = await dashboard(session, township, lines, start, end, rules, now, language)
    return await chart_photo(board, f"{township.code}-{start:%Y-%m}.png")


def chart_caption(language: str) -> Html:
    _ = gettext_for(language)
    return _("In charts: field days per cadre against the quota, disputes, the last weeks.")


__all__ = [
    "chart_caption",
    "chart_photo",
    "dashboard",
    "field_days_chart",
    "month_photo",
    "trend_chart",
    "week_photo",
]
