"""Rendering the lists and the township's ledger (台账) from stored snapshots or live facts:
Telegram messages, the printable A4 page, the XLSX workbook and the Monday agenda block.
Shared by the handlers, the CLI (`township-bot export`), the demo and the agenda job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.arena import queries as arena_db
from bot.arena.rules import standings
from bot.core.config import Settings
from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.models import RedBlackIssue, Township
from bot.core.printing import chart_src, page_css
from bot.core.render import Renderer, format_datetime
from bot.core.text import Html
from bot.core.xlsx import CASE_HEADERS, REPORT_HEADERS, VISIT_HEADERS, Sheet, write_xlsx
from bot.lists import queries as rb_db
from bot.lists.facts import DEFAULT_PROVIDER, FactsProvider
from bot.lists.periods import period_key
from bot.lists.rules import Period, rules_from_config
from bot.lists.text import RULE_LABELS, STATUS_LABELS
from bot.lists.views import period_text, view


@dataclass
class Lists:
    """The lists for a period: the issue in force, else (optionally) the preview, else live."""

    snapshot: dict[str, Any]
    source: str  # published | preview | live
    issue: RedBlackIssue | None


async def lists_for(
    session: AsyncSession,
    settings: Settings,
    township: Township,
    period: Period,
    facts: FactsProvider,
    now: datetime,
    *,
    include_preview: bool = False,
) -> Lists:
    key = period_key(period)
    issue = await rb_db.published_issue(session, township.id, key)
    if issue is not None:
        return Lists(issue.snapshot, "published", issue)
    if include_preview:
        issue = await rb_db.preview_issue(session, township.id, key)
        if issue is not None:
            return Lists(issue.snapshot, "preview", issue)
    snapshot = await rb_db.compute_snapshot(session, settings, township, period, facts, now)
    return Lists(snapshot, "live", None)


def issue_context(
    issue: RedBlackIssue | None, settings: Settings, code: str, language: str
) -> dict[str, Any]:
    tz = settings.township_tz(code)
    hours = settings.township_redblack(code).objection_window_hours
    if issue is None:
        return {
            "status": "live",
            "number": 0,
            "published": "",
            "reason": "",
            "until": "",
            "window_hours": hours,
        }
    return {
        "window_hours": hours,
        "status": issue.status,
        "number": issue.number or 0,
        "published": format_datetime(issue.published_at, tz, language)
        if issue.published_at
        else "",
        "reason": issue.reason or "",
        "until": (
            format_datetime(issue.objections_until, tz, language) if issue.objections_until else ""
        ),
    }


def render_lists(
    renderer: Renderer,
    settings: Settings,
    code: str,
    snapshot: dict[str, Any],
    issue: RedBlackIssue | None,
    language: str,
    *,
    full_rules: bool = True,
) -> list[Html]:
    """The lists as Telegram HTML, split at the message limit. Without `full_rules` the rules
    are a short summary, for a message whose last part carries the button to the full text."""
    return renderer.render_parts(
        "lists/lists.html.j2",
        language,
        v=public_view(snapshot, language, issue),
        full_rules=full_rules,
        **issue_context(issue, settings, code, language),
    )


def render_rules(
    renderer: Renderer, settings: Settings, code: str, issue: RedBlackIssue, language: str
) -> Html:
    """The full rules an issue was drawn up under."""
    return renderer.render(
        "lists/rules.html.j2",
        language,
        v=public_view(issue.snapshot, language, issue),
        **issue_context(issue, settings, code, language),
    )


def public_view(
    snapshot: dict[str, Any], language: str, issue: RedBlackIssue | None
) -> dict[str, Any]:
    """The lists as shown: a published list names only who is on it (whoever came off after
    an objection is not mentioned; the secretary's preview and the audit keep the decision)."""
    v = view(snapshot, language)
    if issue is None or issue.status != rb_db.PREVIEW:
        v["removed"] = []
    return v


def printable_html(
    renderer: Renderer,
    settings: Settings,
    code: str,
    snapshot: dict[str, Any],
    issue: RedBlackIssue | None,
    language: str,
    printed_at: datetime,
) -> str:
    """The A4 notice-board page: township, period, rules, lists, date, and the chart of field
    days per cadre (`chart:field_days`, drawn by `bot.lists.pdf`)."""
    v = public_view(snapshot, language, None)
    chart = chart_src("field_days") if v["field_days"] else ""
    tz = settings.township_tz(code)
    context = issue_context(issue, settings, code, language)
    if context["status"] != "published" and issue is not None and issue.status == "superseded":
        context["status"] = "published"
    return renderer.render(
        "lists/print.html.j2",
        language,
        v=v,
        chart=chart,
        page_css=page_css(language),
        printed=format_datetime(printed_at, tz, language),
        **context,
    )


def _list_rows(snapshot: dict[str, Any], name: str, language: str) -> list[tuple[Any, ...]]:
    v = view(snapshot, language)
    rows: list[tuple[Any, ...]] = []
    for i, x in enumerate(v[name], start=1):
        reasons = "\n".join(x["reasons"] + x["notes"])
        if name == "red":
            rows.append((i, x["name"], x["unit"], x["points"], reasons))
        else:
            rows.append((i, x["name"], x["unit"], reasons))
    return rows


async def ledger_workbook(
    session: AsyncSession,
    settings: Settings,
    township: Township,
    period: Period,
    facts: FactsProvider,
    now: datetime,
) -> bytes:
    """The township's 台账 for the period as an XLSX workbook (headers in Chinese)."""
    language = "zh_CN"
    _ = gettext_for(language)
    lists = await lists_for(session, settings, township, period, facts, now)
    snapshot = lists.snapshot
    v = view(snapshot, language)
    tz = settings.township_tz(township.code)
    status = _(STATUS_LABELS.get(lists.source, "")) if lists.source != "live" else "未发布（临时）"
    about = Sheet(
        "说明",
        ("项目", "内容"),
        [
            ("乡镇", township.name),
            ("期间", v["period"]),
            ("开始日期", period.start),
            ("结束日期", period.end),
            ("红黑榜状态", status),
            ("期号", lists.issue.number if lists.issue and lists.issue.number else ""),
            ("导出时间", now),
            *(("规则", rule) for rule in v["rules"]),
        ],
    )
    rules = [
        rule
        for rule, _w in rules_from_config(settings.township_redblack(township.code)).weights.items()
    ]
    score_headers = ("名次", "姓名", "包村", "积分", "并列", *(_(RULE_LABELS[r]) for r in rules))
    raw_scores = {str(r["member_id"]): r for r in snapshot["scoreboard"]}
    score_rows = []
    for row in snapshot["scoreboard"]:
        name = snapshot["members"][str(row["member_id"])]
        score_rows.append(
            (
                row["rank"],
                name["name"],
                name.get("unit") or "",
                row["points"],
                "是" if row["tied"] else "",
                *(raw_scores[str(row["member_id"])]["breakdown"].get(r, 0) for r in rules),
            )
        )
    arena_rows = [
        (
            r.rank,
            r.item.title,
            r.item.target,
            "、".join(r.item.owners),
            r.item.percent,
            r.item.note,
            r.item.updated_at,
        )
        for r in standings(await arena_db.items(session, township.id))
    ]
    progress = [
        (title, who, percent, note, at)
        for title, who, percent, note, at, _t in await arena_db.progress_rows(session, township.id)
    ]
    members = [
        (
            m.name,
            "、".join(_(role) for role in m.roles),
            "、".join(m.villages),
            "在岗" if m.active else "已停用",
        )
        for m in await member_db.members_of(session, township.id)
    ]
    start, end = period.start, period.end
    sheets = [
        about,
        Sheet(
            "红榜",
            ("序号", "姓名", "包村", "积分", "上榜依据"),
            _list_rows(snapshot, "red", language),
        ),
        Sheet(
            "黑榜", ("序号", "姓名", "包村", "上榜依据"), _list_rows(snapshot, "black", language)
        ),
        Sheet("积分榜", score_headers, score_rows),
        Sheet(
            "重点工作擂台赛",
            ("名次", "重点工作", "目标", "责任人", "进度(%)", "最新进展", "更新时间"),
            arena_rows,
        ),
        Sheet("进度记录", ("重点工作", "填报人", "进度(%)", "说明", "时间"), progress),
        Sheet("干部名册", ("姓名", "角色", "包村", "状态"), members),
        Sheet(
            "走访台账", VISIT_HEADERS, await facts.visit_log_rows(session, township.id, start, end)
        ),
        Sheet(
            "周五交账", REPORT_HEADERS, await facts.report_rows(session, township.id, start, end)
        ),
        Sheet(
            "矛盾纠纷台账", CASE_HEADERS, await facts.case_rows(session, township.id, start, end)
        ),
    ]
    return write_xlsx(sheets, tz)


async def weekly_preview_block(
    session: AsyncSession,
    township: Township,
    period: Period,
    language: str,
    *,
    settings: Settings,
    now: datetime,
    facts: FactsProvider | None = None,
    renderer: Renderer | None = None,
) -> str:
    """A short HTML section for the Monday agenda: who would be on each list this week,
    from the current facts (or the issue in force, if the week is already published)."""
    lists = await lists_for(session, settings, township, period, facts or DEFAULT_PROVIDER, now)
    return (renderer or Renderer()).render(
        "lists/agenda_block.html.j2", language, v=view(lists.snapshot, language)
    )


def export_filename(code: str, key: str, extension: str) -> str:
    return f"台账-{code}-{key}.{extension}"


def page_filename(code: str, key: str) -> str:
    return f"红黑榜-{code}-{key}.html"


__all__ = [
    "Lists",
    "export_filename",
    "issue_context",
    "ledger_workbook",
    "lists_for",
    "page_filename",
    "period_text",
    "printable_html",
    "render_lists",
    "weekly_preview_block",
]
