"""The units of work of the Friday report, each inside the caller's transaction: open the
week's report (its digest refreshed), read what its card shows, write typed text into a
section, submit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.arena import queries as arena_db
from bot.arena.rules import ArenaItem
from bot.core.config import ReportConfig
from bot.core.models import WeeklyReport
from bot.reports import queries as report_db
from bot.reports.rules import combine
from bot.visits import queries as visit_db
from bot.week import facts
from bot.week.schedule import WeekRules
from bot.week.weeks import previous_week

Digest = Callable[[Sequence[visit_db.VisitRow]], str]


@dataclass(frozen=True)
class Sheet:
    """A report with what its card shows besides the draft."""

    report: WeeklyReport
    # The sections of the last submitted revision (None: never submitted).
    latest: dict[str, Any] | None
    # The 擂台赛 items the cadre owns, offered for a progress update once submitted.
    key_work: tuple[ArenaItem, ...]


async def open_week(
    session: AsyncSession,
    *,
    member_id: int,
    township_id: int,
    monday: date,
    config: ReportConfig,
    digest: Digest,
    now: datetime,
) -> WeeklyReport:
    """The member's report of the week to the township, created the first time; while the
    digest section is untouched and nothing is submitted, it is refreshed from the week's
    visit logs."""
    report = await report_db.get_or_create_report(
        session,
        member_id=member_id,
        township_id=township_id,
        week_start=monday,
        sections=config.sections,
        now=now,
    )
    draft = {name: str(report.draft.get(name, "")) for name in config.sections}
    if config.digest_section and report.digest_auto and report.first_submitted_at is None:
        visits = await visit_db.member_visits(
            session, member_id, township_id, monday, monday + timedelta(days=6)
        )
        draft[config.digest_section] = digest(visits)
    if draft != report.draft:
        await report_db.save_draft(
            session, report.id, draft, digest_auto=report.digest_auto, now=now
        )
        report.draft = draft
    return report


async def sheet(session: AsyncSession, report: WeeklyReport) -> Sheet:
    latest = await report_db.latest_revision(session, report.id)
    key_work: tuple[ArenaItem, ...] = ()
    if report.first_submitted_at is not None:
        owned = set(await arena_db.owned_item_ids(session, report.member_id, report.township_id))
        items = await arena_db.items(session, report.township_id)
        key_work = tuple(i for i in items if i.item_id in owned)
    return Sheet(report, dict(latest.sections) if latest else None, key_work)


async def report_of(
    session: AsyncSession, report_id: int, member_id: int, township_id: int
) -> WeeklyReport | None:
    """The report a flow is about, if it is still the member's, in that township."""
    report = await session.get(WeeklyReport, report_id)
    if report is None or report.member_id != member_id or report.township_id != township_id:
        return None
    return report


@dataclass(frozen=True)
class Written:
    """The outcome of adding typed text to a section: its new length, or, when it would
    not fit, the length it would have had (nothing was written)."""

    ok: bool
    count: int


async def write(
    session: AsyncSession,
    report: WeeklyReport,
    section: str,
    text: str,
    *,
    replace: bool,
    config: ReportConfig,
    now: datetime,
) -> Written:
    """Add `text` to (or put it in place of) a section of the draft, within the limit."""
    combined = combine(str(report.draft.get(section, "")), text, replace=replace)
    if len(combined) > config.section_limit:
        return Written(False, len(combined))
    await set_section(session, report, section, combined, config=config, now=now)
    return Written(True, len(combined))


async def set_section(
    session: AsyncSession,
    report: WeeklyReport,
    section: str,
    text: str,
    *,
    config: ReportConfig,
    now: datetime,
) -> None:
    """Store a section's text; the digest section stops following the visit logs once the
    cadre writes in it."""
    draft = {k: str(v) for k, v in {**report.draft, section: text}.items()}
    digest_auto = report.digest_auto and section != config.digest_section
    await report_db.save_draft(session, report.id, draft, digest_auto=digest_auto, now=now)
    report.draft = draft
    report.digest_auto = digest_auto


async def submit(
    session: AsyncSession,
    report: WeeklyReport,
    rules: WeekRules,
    *,
    config: ReportConfig,
    member_id: int,
    now: datetime,
) -> tuple[int, bool]:
    """Store the draft as a new revision: (its number, whether it counts as late). Lateness
    is the one rule (`ReportWindow.is_late`); the first submission decides it for good."""
    window = rules.window(report.week_start)
    late = window is not None and window.is_late(now)
    number = await report_db.submit_report(
        session,
        report.id,
        late=late,
        needs_section=config.needs_section,
        submitted_by=member_id,
        now=now,
    )
    await session.refresh(report)
    return number, late


async def last_week_missing(
    session: AsyncSession,
    member_id: int,
    township_id: int,
    this_week: date,
    rules: WeekRules,
    now: datetime,
) -> bool:
    """Last week's report is missing, for a cadre who was active last week (not for a
    newcomer's first week): they started it or logged a field day."""
    last = previous_week(this_week)
    week = await facts.member_week(session, member_id, township_id, last, rules, now)
    if week.report != "missing":
        return False
    started = await report_db.report_for(session, member_id, township_id, last)
    return started is not None or bool(week.field_days_done)
