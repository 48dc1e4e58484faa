"""Queries of visit logs (下乡记录): write, edit, soft-delete, and read a member's or a
township's logs with their problems solved. Every function takes an `AsyncSession`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.engine import core
from bot.core.db.members import audit
from bot.core.models import (
    FieldVisit,
    Village,
    VisitProblem,
)


@dataclass(frozen=True)
class VisitDraft:
    """What a visit log holds, as stored."""

    village_id: int
    visit_date: date
    activities: tuple[str, ...] = ()
    dispute_screenings: int = 0
    problems: tuple[str, ...] = ()
    notes: str = ""
    lat: float | None = None
    lon: float | None = None
    distance_m: float | None = None
    location_checked: bool = False
    photo_file_id: str | None = None


@dataclass(frozen=True)
class VisitRow:
    id: int
    member_id: int
    township_id: int
    village_id: int
    village: str
    visit_date: date
    backfilled: bool
    activities: tuple[str, ...]
    dispute_screenings: int
    problems: tuple[str, ...]
    notes: str
    lat: float | None
    lon: float | None
    distance_m: float | None
    location_checked: bool
    photo_file_id: str | None
    dispute_case_id: int | None = None

    @property
    def has_location(self) -> bool:
        return self.lat is not None


def _columns(draft: VisitDraft) -> dict[str, Any]:
    """The log's columns that the draft sets."""
    return {
        "village_id": draft.village_id,
        "visit_date": draft.visit_date,
        "activities": list(draft.activities),
        "dispute_screenings": draft.dispute_screenings,
        "problems_solved": len(draft.problems),
        "notes": draft.notes,
        "lat": draft.lat,
        "lon": draft.lon,
        "distance_m": draft.distance_m,
        "location_checked": draft.location_checked,
        "photo_file_id": draft.photo_file_id,
    }


def _apply(visit: FieldVisit, draft: VisitDraft) -> None:
    for name, value in _columns(draft).items():
        setattr(visit, name, value)


async def _replace_problems(session: AsyncSession, visit_id: int, problems: Sequence[str]) -> None:
    existing = await session.scalars(select(VisitProblem).where(VisitProblem.visit_id == visit_id))
    for row in existing:
        await session.delete(row)
    await session.flush()
    session.add_all(
        VisitProblem(visit_id=visit_id, position=i, description=text)
        for i, text in enumerate(problems)
    )


def _summary(draft: VisitDraft) -> dict[str, Any]:
    return {
        "village_id": draft.village_id,
        "date": draft.visit_date.isoformat(),
        "activities": list(draft.activities),
        "screenings": draft.dispute_screenings,
        "problems": len(draft.problems),
        "location_checked": draft.location_checked,
        "photo": draft.photo_file_id is not None,
    }


async def create_visit(
    session: AsyncSession,
    *,
    member_id: int,
    township_id: int,
    draft: VisitDraft,
    today: date,
    now: datetime,
) -> int:
    """Store a new visit log; `backfilled` when its date is before `today` (township time)."""
    connection = await core(session)
    visit_id = await connection.scalar(
        insert(FieldVisit)
        .values(
            member_id=member_id,
            township_id=township_id,
            backfilled=draft.visit_date < today,
            created_at=now,
            updated_at=now,
            **_columns(draft),
        )
        .returning(FieldVisit.id)
    )
    assert visit_id is not None  # an insert's RETURNING always has its row
    if draft.problems:
        await connection.execute(
            insert(VisitProblem),
            [
                {"visit_id": visit_id, "position": i, "description": text}
                for i, text in enumerate(draft.problems)
            ],
        )
    await audit(
        session,
        at=now,
        action="visit.create",
        entity="field_visit",
        entity_id=visit_id,
        actor_member_id=member_id,
        township_id=township_id,
        details=_summary(draft),
    )
    return int(visit_id)


async def update_visit(
    session: AsyncSession,
    visit_id: int,
    *,
    member_id: int,
    draft: VisitDraft,
    today: date,
    now: datetime,
) -> bool:
    """Replace an own, not deleted log. False when it is gone or someone else's."""
    visit = await session.get(FieldVisit, visit_id, with_for_update=True)
    if visit is None or visit.member_id != member_id or visit.deleted_at is not None:
        return False
    before = await visit_row(session, visit_id)
    _apply(visit, draft)
    visit.backfilled = draft.visit_date < today
    visit.updated_at = now
    await _replace_problems(session, visit.id, draft.problems)
    await audit(
        session,
        at=now,
        action="visit.update",
        entity="field_visit",
        entity_id=visit.id,
        actor_member_id=member_id,
        township_id=visit.township_id,
        details={
            "before": _summary(draft_of(before)) if before else {},
            "after": _summary(draft),
        },
    )
    return True


async def delete_visit(
    session: AsyncSession, visit_id: int, *, member_id: int, now: datetime
) -> bool:
    """Soft-delete an own log. False when it is already gone or someone else's."""
    result = await session.execute(
        update(FieldVisit)
        .where(
            FieldVisit.id == visit_id,
            FieldVisit.member_id == member_id,
            FieldVisit.deleted_at.is_(None),
        )
        .values(deleted_at=now, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    township_id = await session.scalar(
        select(FieldVisit.township_id).where(FieldVisit.id == visit_id)
    )
    await audit(
        session,
        at=now,
        action="visit.delete",
        entity="field_visit",
        entity_id=visit_id,
        actor_member_id=member_id,
        township_id=township_id,
    )
    return True


def draft_of(row: VisitRow) -> VisitDraft:
    return VisitDraft(
        village_id=row.village_id,
        visit_date=row.visit_date,
        activities=row.activities,
        dispute_screenings=row.dispute_screenings,
        problems=row.problems,
        notes=row.notes,
        lat=row.lat,
        lon=row.lon,
        distance_m=row.distance_m,
        location_checked=row.location_checked,
        photo_file_id=row.photo_file_id,
    )


# A log's columns as its card and lists show it (Core rows: no ORM objects to load).
_ROW_COLUMNS = (
    FieldVisit.id,
    FieldVisit.member_id,
    FieldVisit.township_id,
    FieldVisit.village_id,
    Village.name,
    FieldVisit.visit_date,
    FieldVisit.backfilled,
    FieldVisit.activities,
    FieldVisit.dispute_screenings,
    FieldVisit.problems_solved,
    FieldVisit.notes,
    FieldVisit.lat,
    FieldVisit.lon,
    FieldVisit.distance_m,
    FieldVisit.location_checked,
    FieldVisit.photo_file_id,
    FieldVisit.dispute_case_id,
)


async def _visit_rows(session: AsyncSession, *conditions: Any) -> list[VisitRow]:
    connection = await core(session)
    visits = (
        await connection.execute(
            select(*_ROW_COLUMNS)
            .join(Village, Village.id == FieldVisit.village_id)
            .where(FieldVisit.deleted_at.is_(None), *conditions)
            .order_by(FieldVisit.visit_date, FieldVisit.id)
        )
    ).all()
    problems: dict[int, list[str]] = {}
    # `problems_solved` counts a log's problems (kept with them): none, nothing to read.
    if any(v.problems_solved for v in visits):
        # Joined on the same conditions rather than `IN (ids)`: no limit on the list's size.
        for visit_id, text in await connection.execute(
            select(VisitProblem.visit_id, VisitProblem.description)
            .join(FieldVisit, FieldVisit.id == VisitProblem.visit_id)
            .where(FieldVisit.deleted_at.is_(None), *conditions)
            .order_by(VisitProblem.visit_id, VisitProblem.position)
        ):
            problems.setdefault(visit_id, []).append(text)
    return [
        VisitRow(
            id=v.id,
            member_id=v.member_id,
            township_id=v.township_id,
            village_id=v.village_id,
            village=v.name,
            visit_date=v.visit_date,
            backfilled=v.backfilled,
            activities=tuple(v.activities or ()),
            dispute_screenings=v.dispute_screenings,
            problems=tuple(problems.get(v.id, ())),
            notes=v.notes,
            distance_m=v.distance_m,
            location_checked=v.location_checked,
            lat=v.lat,
            lon=v.lon,
            photo_file_id=v.photo_file_id,
            dispute_case_id=v.dispute_case_id,
        )
        for v in visits
    ]


async def visit_row(session: AsyncSession, visit_id: int) -> VisitRow | None:
    """One live (not deleted) visit log."""
    rows = await _visit_rows(session, FieldVisit.id == visit_id)
    return rows[0] if rows else None


async def member_visits(
    session: AsyncSession, member_id: int, township_id: int, start: date, end: date
) -> list[VisitRow]:
    """A member's live visit logs in the township dated within [start, end], oldest first."""
    return await _visit_rows(
        session,
        FieldVisit.member_id == member_id,
        FieldVisit.township_id == township_id,
        FieldVisit.visit_date >= start,
        FieldVisit.visit_date <= end,
    )


async def township_visits(
    session: AsyncSession, township_id: int, start: date, end: date
) -> dict[int, list[VisitRow]]:
    """Live visit logs of a township dated within [start, end], by member id."""
    result: dict[int, list[VisitRow]] = {}
    for row in await _visit_rows(
        session,
        FieldVisit.township_id == township_id,
        FieldVisit.visit_date >= start,
        FieldVisit.visit_date <= end,
    ):
        result.setdefault(row.member_id, []).append(row)
    return result
