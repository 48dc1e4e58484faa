"""The visit logs' units of work, each in the caller's transaction: store a log written in
/visit, and read a saved log with what its card shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import queries as case_db
from bot.core.access import Actor
from bot.core.db.directory import VillageInfo
from bot.visits import queries as visit_db
from bot.visits.actions import Draft
from bot.visits.rules import location_check
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from bot.week.place import Place
from bot.week.weeks import week_of


def village_point(village: VillageInfo) -> tuple[float, float] | None:
    return None if village.lat is None or village.lon is None else (village.lat, village.lon)


async def save(
    session: AsyncSession,
    *,
    member_id: int,
    place: Place,
    draft: Draft,
    village: VillageInfo,
    now: datetime,
) -> int | None:
    """Store the draft as a new log, or over the log it edits; the log's id, or None when the
    edited log is gone (deleted meanwhile) or not the member's."""
    metres, checked = location_check(draft.shared, village_point(village), village.radius_m)
    stored = visit_db.VisitDraft(
        village_id=village.id,
        visit_date=draft.day,
        activities=tuple(draft.activities),
        dispute_screenings=draft.screenings,
        problems=tuple(draft.problems),
        notes=draft.notes,
        lat=draft.lat,
        lon=draft.lon,
        distance_m=metres,
        location_checked=checked,
        photo_file_id=draft.photo,
    )
    today = place.rules.today(now)
    if draft.visit_id is None:
        return await visit_db.create_visit(
            session,
            member_id=member_id,
            township_id=place.township_id,
            draft=stored,
            today=today,
            now=now,
        )
    updated = await visit_db.update_visit(
        session, draft.visit_id, member_id=member_id, draft=stored, today=today, now=now
    )
    return draft.visit_id if updated else None


@dataclass(frozen=True)
class SavedLog:
    """A stored log as its card shows it, with the member's week in its township."""

    row: visit_db.VisitRow
    week: CadreWeek
    case_number: str  # of the linked dispute case, "" when none
    editable: bool  # a log of the current week


def in_current_week(row: visit_db.VisitRow, place: Place, now: datetime) -> bool:
    """A log may be changed while its week is the township's current one."""
    return week_of(row.visit_date) == place.rules.current_week(now)


async def own_log(session: AsyncSession, member_id: int, visit_id: int) -> visit_db.VisitRow | None:
    """The member's live log `visit_id`; None when it is gone or someone else's."""
    row = await visit_db.visit_row(session, visit_id)
    return row if row is not None and row.member_id == member_id else None


async def saved_log(
    session: AsyncSession, member: Actor, place: Place, visit_id: int, now: datetime
) -> SavedLog | None:
    """The member's log `visit_id` in `place` with this week's figures; None when it is gone,
    someone else's or another township's."""
    row = await own_log(session, member.member_id, visit_id)
    if row is None or row.township_id != place.township_id:
        return None
    monday = place.rules.current_week(now)
    week = await facts.member_week(
        session, member.member_id, place.township_id, monday, place.rules, now, name=member.name
    )
    number = ""
    if row.dispute_case_id is not None:
        found = await case_db.case_summaries(session, place.township_id, ids=[row.dispute_case_id])
        number = found[0].number if found else ""
    return SavedLog(row, week, number, in_current_week(row, place, now))
