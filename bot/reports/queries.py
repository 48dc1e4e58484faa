"""Queries of weekly reports (周五交账): drafts, submissions and their revisions, the
问题与需求 items raised in them. Every function takes an `AsyncSession`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.engine import insert_for
from bot.core.db.members import audit
from bot.core.models import (
    Member,
    ReportChase,
    ReportItem,
    ReportState,
    Village,
    VillageAssignment,
    WeeklyReport,
    WeeklyReportRevision,
)
from bot.reports.rules import find_village, split_items
from bot.week.weeks import week_of


async def report_for(
    session: AsyncSession, member_id: int, township_id: int, week_start: date
) -> WeeklyReport | None:
    """The member's report of that week to the township."""
    return await session.scalar(
        select(WeeklyReport).where(
            WeeklyReport.member_id == member_id,
            WeeklyReport.township_id == township_id,
            WeeklyReport.week_start == week_of(week_start),
        )
    )


async def get_or_create_report(
    session: AsyncSession,
    *,
    member_id: int,
    township_id: int,
    week_start: date,
    sections: Sequence[str],
    now: datetime,
) -> WeeklyReport:
    """The member's report of that week, created as an empty draft the first time."""
    existing = await report_for(session, member_id, township_id, week_start)
    if existing is not None:
        return existing
    report = WeeklyReport(
        member_id=member_id,
        township_id=township_id,
        week_start=week_of(week_start),
        status=ReportState.DRAFT,
        draft={name: "" for name in sections},
        digest_auto=True,
        revision=0,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(report)
    except IntegrityError:  # a concurrent first /report of the same member and week
        found = await report_for(session, member_id, township_id, week_start)
        if found is None:
            raise
        return found
    return report


async def save_draft(
    session: AsyncSession,
    report_id: int,
    draft: dict[str, str],
    *,
    digest_auto: bool,
    now: datetime,
) -> None:
    await session.execute(
        update(WeeklyReport)
        .where(WeeklyReport.id == report_id)
        .values(draft=dict(draft), digest_auto=digest_auto, updated_at=now)
    )


async def latest_revision(session: AsyncSession, report_id: int) -> WeeklyReportRevision | None:
    return await session.scalar(
        select(WeeklyReportRevision)
        .where(WeeklyReportRevision.report_id == report_id)
        .order_by(WeeklyReportRevision.number.desc())
        .limit(1)
    )


async def revisions(session: AsyncSession, report_id: int) -> list[WeeklyReportRevision]:
    return list(
        await session.scalars(
            select(WeeklyReportRevision)
            .where(WeeklyReportRevision.report_id == report_id)
            .order_by(WeeklyReportRevision.number)
        )
    )


async def submit_report(
    session: AsyncSession,
    report_id: int,
    *,
    late: bool,
    needs_section: str,
    submitted_by: int,
    now: datetime,
) -> int:
    """Store the draft as a new revision; refresh the 问题与需求 items from it. The first
    submission decides `late` for good. Returns the revision number."""
    report = await session.get(WeeklyReport, report_id, with_for_update=True)
    assert report is not None
    number = report.revision + 1
    first = report.first_submitted_at is None
    session.add(
        WeeklyReportRevision(
            report_id=report.id,
            number=number,
            sections=dict(report.draft),
            submitted_at=now,
            late=late,
            submitted_by=submitted_by,
        )
    )
    report.revision = number
    report.status = ReportState.SUBMITTED
    report.submitted_at = now
    report.updated_at = now
    if first:
        report.first_submitted_at = now
        report.late = late
    # Items of the current revision only.
    old = await session.scalars(select(ReportItem).where(ReportItem.report_id == report.id))
    for item in old:
        await session.delete(item)
    if needs_section:
        villages = {
            v.name: v.id
            for v in await session.scalars(
                select(Village).where(Village.township_id == report.township_id)
            )
        }
        assigned = list(
            await session.scalars(
                select(VillageAssignment.village_id)
                .join(Village, Village.id == VillageAssignment.village_id)
                .where(
                    VillageAssignment.member_id == report.member_id,
                    Village.township_id == report.township_id,
                )
            )
        )
        sole = assigned[0] if len(assigned) == 1 else None
        for position, text in enumerate(split_items(str(report.draft.get(needs_section, "")))):
            name = find_village(text, list(villages))
            session.add(
                ReportItem(
                    report_id=report.id,
                    township_id=report.township_id,
                    member_id=report.member_id,
                    week_start=report.week_start,
                    village_id=villages[name] if name else sole,
                    position=position,
                    text=text,
                )
            )
    await audit(
        session,
        at=now,
        action="report.submit" if first else "report.revise",
        entity="weekly_report",
        entity_id=report.id,
        actor_member_id=submitted_by,
        township_id=report.township_id,
        details={"revision": number, "late": late, "week": report.week_start.isoformat()},
    )
    return number


@dataclass(frozen=True)
class NeedItem:
    member_id: int
    member_name: str
    text: str


@dataclass(frozen=True)
class VillageNeeds:
    """问题与需求 items of one village (`village` None: not tied to a village)."""

    village_id: int | None
    village: str | None
    items: tuple[NeedItem, ...]


async def needs_by_village(
    session: AsyncSession, township_id: int, week_start: date
) -> list[VillageNeeds]:
    """The 问题与需求 items raised in the week's submitted reports (current revisions),
    grouped by village in village order, items without a village last."""
    rows = await session.execute(
        select(ReportItem, Member.display_name, Village.name)
        .join(Member, Member.id == ReportItem.member_id)
        .outerjoin(Village, Village.id == ReportItem.village_id)
        .where(
            ReportItem.township_id == township_id,
            ReportItem.week_start == week_of(week_start),
        )
        .order_by(
            ReportItem.village_id.is_(None),
            ReportItem.village_id,
            ReportItem.member_id,
            ReportItem.position,
        )
    )
    groups: dict[int | None, tuple[str | None, list[NeedItem]]] = {}
    for item, member_name, village_name in rows:
        entry = groups.setdefault(item.village_id, (village_name, []))
        entry[1].append(NeedItem(item.member_id, member_name, item.text))
    return [
        VillageNeeds(village_id, name, tuple(items)) for village_id, (name, items) in groups.items()
    ]


async def section_texts(
    session: AsyncSession, township_id: int, week_start: date, section: str
) -> list[tuple[int, str, str]]:
    """(member id, name, text) of one section (e.g. 重点工作进展) in the week's current
    revisions, non-empty only, by member id."""
    rows = await session.execute(
        select(WeeklyReport.member_id, Member.display_name, WeeklyReportRevision.sections)
        .join(Member, Member.id == WeeklyReport.member_id)
        .join(
            WeeklyReportRevision,
            and_(
                WeeklyReportRevision.report_id == WeeklyReport.id,
                WeeklyReportRevision.number == WeeklyReport.revision,
            ),
        )
        .where(
            WeeklyReport.township_id == township_id,
            WeeklyReport.week_start == week_of(week_start),
        )
        .order_by(WeeklyReport.member_id)
    )
    result = []
    for member_id, name, sections in rows:
        text = str((sections or {}).get(section, "")).strip()
        if text:
            result.append((member_id, name, text))
    return result


async def report_counts(
    session: AsyncSession, township_id: int, week_start: date
) -> dict[str, int]:
    """Submitted reports of the week: {"submitted": n, "late": m}."""
    row = (
        await session.execute(
            select(
                func.count(WeeklyReport.id),
                func.count(WeeklyReport.id).filter(WeeklyReport.late.is_(True)),
            ).where(
                WeeklyReport.township_id == township_id,
                WeeklyReport.week_start == week_of(week_start),
                WeeklyReport.first_submitted_at.is_not(None),
            )
        )
    ).one()
    return {"submitted": int(row[0]), "late": int(row[1])}


@dataclass(frozen=True)
class Chase:
    """The reminder (催交) of a week's missing reports: who sent it, and when."""

    by: str
    at: datetime


CHASE_ACTION = "report_chase"


def chase_entity(township_id: int, week_start: date) -> str:
    return f"{township_id}:{week_start:%Y-%m-%d}"


async def chase_of(session: AsyncSession, township_id: int, week_start: date) -> Chase | None:
    """The week's reminder, if one was sent."""
    row = (
        await session.execute(
            select(ReportChase.sent_at, Member.display_name)
            .outerjoin(Member, Member.id == ReportChase.sent_by)
            .where(ReportChase.township_id == township_id, ReportChase.week_start == week_start)
        )
    ).first()
    if row is None:
        return None
    return Chase(row.display_name or "", row.sent_at)


async def claim_chase(
    session: AsyncSession, township_id: int, week_start: date, actor_member_id: int, now: datetime
) -> bool:
    """Take the week's reminder for this press; False when another press has it (the unique
    key decides: a press at the same moment waits for the other's transaction)."""
    claimed = await session.scalar(
        insert_for(session, ReportChase)
        .values(
            township_id=township_id, week_start=week_start, sent_by=actor_member_id, sent_at=now
        )
        .on_conflict_do_nothing(index_elements=["township_id", "week_start"])
        .returning(ReportChase.id)
    )
    return claimed is not None


async def record_chase(
    session: AsyncSession,
    township_id: int,
    week_start: date,
    actor_member_id: int,
    member_ids: Sequence[int],
    now: datetime,
) -> None:
    await audit(
        session,
        at=now,
        action=CHASE_ACTION,
        entity="report_week",
        entity_id=chase_entity(township_id, week_start),
        actor_member_id=actor_member_id,
        township_id=township_id,
        details={"members": list(member_ids)},
    )
