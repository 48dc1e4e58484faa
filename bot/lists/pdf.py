"""The lists' documents for print, as A4 PDFs: the red/black list as published (or the
provisional one) and the 台账 summary of a week or a month (figures, charts, each cadre's
weeks, the 问题与需求 raised, the dispute cases with their 承办人). Same facts as the XLSX
ledger; made by `bot.core.worker` in a child process."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import facts as case_facts
from bot.cases.charts import dispute_funnel
from bot.core.charts import Chart
from bot.core.config import Settings
from bot.core.fonts import NoCjkFont
from bot.core.models import RedBlackIssue, Township
from bot.core.printing import chart_src, page_css
from bot.core.render import Renderer, format_datetime
from bot.core.services import Services
from bot.core.worker import RenderFailed, inline_charts, print_pdf
from bot.lists.charts import snapshot_field_days, weeks_field_days
from bot.lists.facts import FactsProvider
from bot.lists.ledger import lists_for, printable_html
from bot.lists.periods import period_key
from bot.lists.rules import CadreWeek, Period
from bot.lists.views import period_text
from bot.reports.queries import needs_by_village
from bot.week.schedule import week_rules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    data: bytes
    filename: str


def list_filename(code: str, key: str, extension: str = "pdf") -> str:
    return f"红黑榜-{code}-{key}.{extension}"


def summary_filename(code: str, key: str) -> str:
    return f"台账汇总-{code}-{key}.pdf"


def list_charts(snapshot: dict[str, Any]) -> dict[str, Chart]:
    return {"field_days": snapshot_field_days(snapshot)}


async def list_pdf(
    renderer: Renderer,
    settings: Settings,
    code: str,
    snapshot: dict[str, Any],
    issue: RedBlackIssue | None,
    language: str,
    printed_at: datetime,
) -> bytes:
    """The printable list (`printable_html`) as an A4 PDF."""
    html = printable_html(renderer, settings, code, snapshot, issue, language, printed_at)
    return await print_pdf(html, list_charts(snapshot), language)


async def list_document(
    renderer: Renderer,
    settings: Settings,
    code: str,
    snapshot: dict[str, Any],
    issue: RedBlackIssue | None,
    language: str,
    printed_at: datetime,
) -> Document:
    """The list as a PDF for the chat; the HTML page (without its chart) when no PDF can be
    made here (no Chinese font installed, or the child failed: logged), so the secretary
    still has something to print."""
    key = snapshot["period"]["key"]
    try:
        data = await list_pdf(renderer, settings, code, snapshot, issue, language, printed_at)
    except (NoCjkFont, RenderFailed) as exc:
        log.warning("the list's PDF could not be made (%s); sending the HTML page", exc)
        html = printable_html(renderer, settings, code, snapshot, issue, language, printed_at)
        return Document(html.encode(), list_filename(code, key, "html"))
    return Document(data, list_filename(code, key))


async def list_page(
    renderer: Renderer,
    settings: Settings,
    code: str,
    snapshot: dict[str, Any],
    issue: RedBlackIssue | None,
    language: str,
    printed_at: datetime,
) -> str:
    """The printable list as one HTML file, its chart drawn in as SVG."""
    html = printable_html(renderer, settings, code, snapshot, issue, language, printed_at)
    return await inline_charts(html, list_charts(snapshot), language)


# --- the 台账 summary ---------------------------------------------------------------------


def _cadre_rows(weeks: list[CadreWeek], members: dict[str, Any]) -> list[dict[str, Any]]:
    by_member: dict[int, list[CadreWeek]] = {}
    for w in weeks:
        by_member.setdefault(w.member_id, []).append(w)
    rows = []
    for mid, own in by_member.items():
        due = [w for w in own if not w.fully_exempt]
        member = members.get(str(mid), {})
        rows.append(
            {
                "name": member.get("name", str(mid)),
                "unit": member.get("unit") or "",
                "on_time": sum(1 for w in due if w.report == "on_time"),
                "due": len(due),
                "done": sum(w.field_days_done for w in own),
                "required": sum(w.field_days_required for w in due),
                "leave": sum(w.exempt_days for w in own),
                "screenings": sum(w.screenings_done for w in own),
                "problems": sum(w.problems_done for w in own),
            }
        )
    return sorted(rows, key=lambda r: (r["done"] - r["required"], r["name"]))


def _figures(weeks: list[CadreWeek]) -> dict[str, int]:
    due = [w for w in weeks if not w.fully_exempt]
    reports = Counter(w.report for w in due)
    with_quota = [w for w in due if w.field_days_required > 0]
    return {
        "cadres": len({w.member_id for w in weeks}),
        "due": len(due),
        "on_time": reports["on_time"],
        "late": reports["late"],
        "missing": reports["missing"],
        "field_due": len(with_quota),
        "field_met": sum(1 for w in with_quota if w.field_days_done >= w.field_days_required),
        "field_days": sum(w.field_days_done for w in weeks),
        "screenings": sum(w.screenings_done for w in weeks),
        "problems": sum(w.problems_done for w in weeks),
    }


@dataclass(frozen=True)
class Page:
    """An HTML page to print, and the charts it shows."""

    html: str
    charts: dict[str, Chart]
    filename: str
    language: str

    async def pdf(self) -> Document:
        return Document(await print_pdf(self.html, self.charts, self.language), self.filename)


async def summary_page(
    session: AsyncSession,
    settings: Settings,
    renderer: Renderer,
    township: Township,
    period: Period,
    facts: FactsProvider,
    now: datetime,
    language: str,
) -> Page:
    """The 台账 summary of `period`, to print (`await page.pdf()`)."""
    lists = await lists_for(session, settings, township, period, facts, now)
    weeks = await facts.member_weeks(session, township.id, period)
    members = lists.snapshot["members"]
    names = {int(mid): str(m["name"]) for mid, m in members.items()}
    rules = week_rules(settings, township.code)
    today = rules.today(now)
    stats = await case_facts.dispute_figures(session, township.id, period.start, period.end, today)
    needs: dict[str, list[dict[str, str]]] = {}
    for week in period.weeks:
        for group in await needs_by_village(session, township.id, week):
            for item in group.items:
                needs.setdefault(group.village or "", []).append(
                    {"name": item.member_name, "text": item.text}
                )
    cases = await facts.case_rows(session, township.id, period.start, period.end)
    charts: dict[str, Chart] = {
        "field_days": weeks_field_days(weeks, names),
        "funnel": dispute_funnel(stats, language),
    }
    html = renderer.render(
        "print/ledger.html.j2",
        language,
        page_css=page_css(language),
        township=township.name,
        period=period_text(lists.snapshot, language),
        printed=format_datetime(now, rules.tz, language),
        f=_figures(weeks),
        disputes={
            "screened": stats.screened.count,
            "registered": stats.registered.count,
            "closed": stats.closed_in_period.count,
            "overdue": stats.overdue_total.count,
        },
        cadres=_cadre_rows(weeks, members),
        needs=sorted(needs.items(), key=lambda kv: (kv[0] == "", kv[0])),
        cases=[
            {
                "number": r[0],
                "registered": r[1],
                "village": r[2],
                "category": r[3],
                "handler": r[4],
                "deadline": r[5],
                "status": r[6],
                "resolved": r[7] or "",
            }
            for r in cases
        ],
        charts={name: chart_src(name) for name in charts},
    )
    return Page(html, charts, summary_filename(township.code, period_key(period)), language)


async def export_documents(
    svc: Services,
    township: Township,
    period: Period,
    facts: FactsProvider,
    now: datetime,
    language: str,
) -> list[Document]:
    """What /export sends besides the XLSX: the 台账 summary and the list, as PDFs (read in
    one transaction, drawn after it). Without a Chinese font there is no summary and the
    list comes as its HTML page."""
    async with svc.transaction() as session:
        summary = await summary_page(
            session, svc.settings, svc.renderer, township, period, facts, now, language
        )
        lists = await lists_for(session, svc.settings, township, period, facts, now)
    try:
        documents = [await summary.pdf()]
    except (NoCjkFont, RenderFailed) as exc:
        log.warning("the ledger summary's PDF could not be made: %s", exc)
        documents = []
    listing = await list_document(
        svc.renderer, svc.settings, township.code, lists.snapshot, lists.issue, language, now
    )
    return [*documents, listing]


__all__ = [
    "Document",
    "Page",
    "export_documents",
    "list_document",
    "list_filename",
    "list_page",
    "list_pdf",
    "summary_filename",
    "summary_page",
]
