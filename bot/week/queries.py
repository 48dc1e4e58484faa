"""Queries for the cadre week: visit logs, weekly reports and their revisions, 问题与需求 items,
leave / official duty, and the per-township week overview the scheduler (周一例会, reminders)
and the red/black lists read.

Every function takes an `AsyncSession`; none loops over rows issuing queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db.bulk import gc_paused
from bot.core.db.members import audit
from bot.core.models import (
    FieldVisit,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    ReportItem,
    ReportState,
    Role,
    Village,
    VillageAssignment,
    VisitProblem,
    WeeklyReport,
    WeeklyReportRevision,
)
from bot.lists import rules as redblack
from bot.reports.rules import WeekReportStatus, find_village, report_status, split_items
from bot.week.rules import ExemptKind, ExemptSpan, VisitFact, WeekStatus, week_of
from bot.week.schedule import WeekRules

# --- visit logs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitDraft:
    """What a visit log holds; the /visit flow keeps it as JSON in conversation state."""

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

    @property
    def fact(self) -> VisitFact:
        return VisitFact(self.visit_date, self.village, self.dispute_screenings, len(self.problems))


def _apply(visit: FieldVisit, draft: VisitDraft) -> None:
    visit.village_id = draft.village_id
    visit.visit_date = draft.visit_date
    visit.activities = list(draft.activities)
    visit.dispute_screenings = draft.dispute_screenings
    visit.problems_solved = len(draft.problems)
    visit.notes = draft.notes
    visit.lat, visit.lon = draft.lat, draft.lon
    visit.distance_m = draft.distance_m
    visit.location_checked = draft.location_checked
    visit.photo_file_id = draft.photo_file_id


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
    visit = FieldVisit(
        member_id=member_id,
        township_id=township_id,
        backfilled=draft.visit_date < today,
        created_at=now,
        updated_at=now,
    )
    _apply(visit, draft)
    session.add(visit)
    await session.flush()
    session.add_all(
        VisitProblem(visit_id=visit.id, position=i, description=text)
        for i, text in enumerate(draft.problems)
    )
    await audit(
        session,
        at=now,
        action="visit.create",
        entity="field_visit",
        entity_id=visit.id,
        actor_member_id=member_id,
        township_id=township_id,
        details=_summary(draft),
    )
    return visit.id


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


async def _visit_rows(session: AsyncSession, *conditions: Any) -> list[VisitRow]:
    visits = (
        await session.execute(
            select(FieldVisit, Village.name)
            .join(Village, Village.id == FieldVisit.village_id)
            .where(FieldVisit.deleted_at.is_(None), *conditions)
            .order_by(FieldVisit.visit_date, FieldVisit.id)
        )
    ).all()
    problems: dict[int, list[str]] = {}
    if visits:
        # Joined on the same conditions rather than `IN (ids)`: no limit on the list's size.
        for visit_id, text in await session.execute(
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
            village_id=v.village_id,
            village=name,
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
        for v, name in visits
    ]


async def link_case(
    session: AsyncSession, visit_id: int, case_id: int | None, *, member_id: int, now: datetime
) -> None:
    """Link a visit log (its 矛盾化解) to a dispute case, or unlink it with None."""
    visit = await session.get(FieldVisit, visit_id)
    assert visit is not None
    visit.dispute_case_id = case_id
    visit.updated_at = now
    await audit(
        session,
        at=now,
        action="visit.link_case" if case_id else "visit.unlink_case",
        entity="visit",
        entity_id=visit_id,
        actor_member_id=member_id,
        township_id=visit.township_id,
        details={"case_id": case_id},
    )


async def visit_row(session: AsyncSession, visit_id: int) -> VisitRow | None:
    """One live (not deleted) visit log."""
    rows = await _visit_rows(session, FieldVisit.id == visit_id)
    return rows[0] if rows else None


async def member_visits(
    session: AsyncSession, member_id: int, start: date, end: date
) -> list[VisitRow]:
    """A member's live visit logs dated within [start, end], oldest first."""
    return await _visit_rows(
        session,
        FieldVisit.member_id == member_id,
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


# --- leave and official duty ---------------------------------------------------------------


@dataclass(frozen=True)
class LeaveRow:
    id: int
    member_id: int
    member_name: str
    township_id: int
    kind: str
    start: date
    end: date
    reason: str
    status: str
    decided_by: int | None

    @property
    def span(self) -> ExemptSpan:
        kind: ExemptKind = "official_duty" if self.kind == "official_duty" else "leave"
        return ExemptSpan(self.start, self.end, kind, self.reason)


async def _leave_rows(session: AsyncSession, *conditions: Any) -> list[LeaveRow]:
    rows = await session.execute(
        select(LeaveRequest, Member.display_name)
        .join(Member, Member.id == LeaveRequest.member_id)
        .where(*conditions)
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
    return [
        LeaveRow(
            id=r.id,
            member_id=r.member_id,
            member_name=name,
            township_id=r.township_id,
            kind=r.kind,
            start=r.start_date,
            end=r.end_date,
            reason=r.reason,
            status=r.status,
            decided_by=r.decided_by,
        )
        for r, name in rows
    ]


async def leave_row(session: AsyncSession, leave_id: int) -> LeaveRow | None:
    rows = await _leave_rows(session, LeaveRequest.id == leave_id)
    return rows[0] if rows else None


async def create_leave(
    session: AsyncSession,
    *,
    member_id: int,
    township_id: int,
    kind: str,
    start: date,
    end: date,
    reason: str,
    requested_by: int,
    now: datetime,
    approved: bool = False,
) -> int:
    """A pending request, or (`approved`, recorded by a secretary) an approved one."""
    leave = LeaveRequest(
        member_id=member_id,
        township_id=township_id,
        kind=kind,
        start_date=start,
        end_date=end,
        reason=reason,
        status=LeaveStatus.APPROVED if approved else LeaveStatus.PENDING,
        requested_by=requested_by,
        decided_by=requested_by if approved else None,
        decided_at=now if approved else None,
        created_at=now,
    )
    session.add(leave)
    await session.flush()
    await audit(
        session,
        at=now,
        action="leave.record" if approved else "leave.request",
        entity="leave_request",
        entity_id=leave.id,
        actor_member_id=requested_by,
        township_id=township_id,
        details={
            "member_id": member_id,
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    return leave.id


async def decide_leave(
    session: AsyncSession,
    leave_id: int,
    *,
    approve: bool,
    decided_by: int,
    township_id: int,
    now: datetime,
) -> bool:
    """Approve or reject a pending request of `township_id`, atomically: False when it was
    already decided (by anyone) or belongs to another township."""
    result = await session.execute(
        update(LeaveRequest)
        .where(
            LeaveRequest.id == leave_id,
            LeaveRequest.township_id == township_id,
            LeaveRequest.status == LeaveStatus.PENDING,
        )
        .values(
            status=LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED,
            decided_by=decided_by,
            decided_at=now,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await audit(
        session,
        at=now,
        action="leave.approve" if approve else "leave.reject",
        entity="leave_request",
        entity_id=leave_id,
        actor_member_id=decided_by,
        township_id=township_id,
    )
    return True


async def open_leaves(session: AsyncSession, member_id: int, today: date) -> list[LeaveRow]:
    """The member's pending and approved requests that have not ended by `today`: what they
    may still withdraw."""
    return await _leave_rows(
        session,
        LeaveRequest.member_id == member_id,
        LeaveRequest.status.in_([LeaveStatus.PENDING, LeaveStatus.APPROVED]),
        LeaveRequest.end_date >= today,
    )


async def township_approved_leaves(
    session: AsyncSession, township_id: int, today: date
) -> list[LeaveRow]:
    """The township's approved leave and official duty that has not ended by `today`: what a
    secretary may cancel or end early on a cadre's behalf."""
    return await _leave_rows(
        session,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status == LeaveStatus.APPROVED,
        LeaveRequest.end_date >= today,
    )


WithdrawOutcome = Literal["withdrawn", "shortened"]


async def withdraw_leave(
    session: AsyncSession,
    leave_id: int,
    *,
    member_id: int,
    today: date,
    now: datetime,
    by: int | None = None,
) -> WithdrawOutcome | None:
    """`member_id`'s request is taken back, by the member or (`by`, audited as the actor) by a
    secretary on their behalf. A pending one, or an approved one that has not started, is
    withdrawn; an approved one under way ends yesterday (the days already taken stay
    exempt). None when it is not `member_id`'s, already decided against, or over. Whether
    `by` may act for the member is the caller's check."""
    row = await session.get(LeaveRequest, leave_id, with_for_update=True)
    if (
        row is None
        or row.member_id != member_id
        or row.status not in (LeaveStatus.PENDING, LeaveStatus.APPROVED)
        or row.end_date < today
    ):
        return None
    before = {
        "status": row.status,
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat(),
    }
    outcome: WithdrawOutcome
    if row.status == LeaveStatus.PENDING or row.start_date >= today:
        row.status = LeaveStatus.WITHDRAWN
        outcome = "withdrawn"
    else:
        row.end_date = today - timedelta(days=1)
        outcome = "shortened"
    await audit(
        session,
        at=now,
        action=f"leave.{'withdraw' if outcome == 'withdrawn' else 'shorten'}",
        entity="leave_request",
        entity_id=leave_id,
        actor_member_id=member_id if by is None else by,
        township_id=row.township_id,
        details={
            "member_id": member_id,
            "before": before,
            "after": {"status": row.status, "end": row.end_date.isoformat()},
        },
    )
    await session.flush()
    return outcome


async def overlapping_leave(
    session: AsyncSession, member_id: int, start: date, end: date
) -> LeaveRow | None:
    """A pending or approved request of the member that overlaps [start, end]."""
    rows = await _leave_rows(
        session,
        LeaveRequest.member_id == member_id,
        LeaveRequest.status.in_([LeaveStatus.PENDING, LeaveStatus.APPROVED]),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )
    return rows[0] if rows else None


async def member_leaves(
    session: AsyncSession, member_id: int, start: date, end: date
) -> list[LeaveRow]:
    """The member's pending and approved requests overlapping [start, end]."""
    return await _leave_rows(
        session,
        LeaveRequest.member_id == member_id,
        LeaveRequest.status.in_([LeaveStatus.PENDING, LeaveStatus.APPROVED]),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )


async def township_leaves(
    session: AsyncSession, township_id: int, start: date, end: date, *, approved_only: bool = True
) -> list[LeaveRow]:
    """Leave / official duty of a township overlapping [start, end] ("who is on leave")."""
    statuses = (
        [LeaveStatus.APPROVED] if approved_only else [LeaveStatus.APPROVED, LeaveStatus.PENDING]
    )
    return await _leave_rows(
        session,
        LeaveRequest.township_id == township_id,
        LeaveRequest.status.in_(statuses),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )


async def exempt_spans(
    session: AsyncSession, township_id: int, start: date, end: date
) -> dict[int, list[ExemptSpan]]:
    """Approved leave / official-duty spans overlapping [start, end], by member id."""
    result: dict[int, list[ExemptSpan]] = {}
    for row in await township_leaves(session, township_id, start, end):
        result.setdefault(row.member_id, []).append(row.span)
    return result


# --- weekly reports ------------------------------------------------------------------------


async def report_for(
    session: AsyncSession, member_id: int, week_start: date
) -> WeeklyReport | None:
    return await session.scalar(
        select(WeeklyReport).where(
            WeeklyReport.member_id == member_id, WeeklyReport.week_start == week_of(week_start)
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
    existing = await report_for(session, member_id, week_start)
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
        found = await report_for(session, member_id, week_start)
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


# --- the week overview (scheduler, agenda, red/black lists) --------------------------------


@dataclass(frozen=True)
class CadreWeek:
    """One cadre's week: quota evaluation, leave, and the report's status."""

    member_id: int
    name: str
    status: WeekStatus
    report: WeekReportStatus
    submitted_at: datetime | None
    leave: tuple[ExemptSpan, ...] = field(default=())

    def member_week(self) -> redblack.MemberWeek:
        """The red/black-list facts of this week (call after the deadline: a still
        pending report counts as missing)."""
        s = self.status
        report: redblack.ReportStatus = "missing" if self.report == "pending" else self.report
        return redblack.MemberWeek(
            member_id=self.member_id,
            week_start=s.week_start,
            report=report,
            field_days_done=s.done.field_days,
            field_days_required=s.required.field_days,
            screenings_done=s.done.dispute_screenings,
            screenings_required=s.required.dispute_screenings,
            problems_done=s.done.problems_solved,
            problems_required=s.required.problems_solved,
            exempt_days=len(s.exempt_days),
            fully_exempt=s.fully_exempt,
            field_day_dates=tuple(d.day for d in s.field_days),
        )


async def cadres_of(session: AsyncSession, township_id: int) -> list[tuple[int, str]]:
    """Active members holding the cadre role in the township: (member id, name), by id."""
    rows = await session.execute(
        select(Member.id, Member.display_name)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.CADRE,
            Member.active.is_(True),
        )
        .order_by(Member.id)
    )
    return [(mid, name) for mid, name in rows]


async def _first_submissions(
    session: AsyncSession, mondays: Sequence[date], member_ids: Iterable[int]
) -> dict[tuple[int, date], datetime | None]:
    """(member id, week) -> first submission of that week's report."""
    ids = list(member_ids)
    if not ids or not mondays:
        return {}
    rows = await session.execute(
        select(
            WeeklyReport.member_id, WeeklyReport.week_start, WeeklyReport.first_submitted_at
        ).where(WeeklyReport.week_start.in_(list(mondays)), WeeklyReport.member_id.in_(ids))
    )
    return {(mid, week): at for mid, week, at in rows}


async def _visit_facts(
    session: AsyncSession, township_id: int, start: date, end: date
) -> dict[tuple[int, date], list[VisitFact]]:
    """(member id, week) -> the quota facts of the township's live visit logs dated within
    [start, end]: one query, no ORM objects."""
    rows = await session.execute(
        select(
            FieldVisit.member_id,
            FieldVisit.visit_date,
            Village.name,
            FieldVisit.dispute_screenings,
            FieldVisit.problems_solved,
        )
        .join(Village, Village.id == FieldVisit.village_id)
        .where(
            FieldVisit.township_id == township_id,
            FieldVisit.visit_date >= start,
            FieldVisit.visit_date <= end,
            FieldVisit.deleted_at.is_(None),
        )
        .order_by(FieldVisit.visit_date, FieldVisit.id)
    )
    result: dict[tuple[int, date], list[VisitFact]] = {}
    for member_id, day, village, screenings, solved in rows:
        result.setdefault((member_id, week_of(day)), []).append(
            VisitFact(day, village, screenings, solved)
        )
    return result


async def cadre_weeks(
    session: AsyncSession,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None = None,
) -> list[CadreWeek]:
    """Every active cadre's week in the township (or only `member_ids`), by member id.

    Four queries whatever the size of the township. This is what the report reminders, the
    mid-week nudges, the Monday agenda and the red/black lists read.
    """
    monday = week_of(week_start)
    weeks = await cadre_weeks_between(session, township_id, [monday], rules, now, member_ids)
    return weeks[monday]


async def cadre_weeks_between(
    session: AsyncSession,
    township_id: int,
    week_starts: Iterable[date],
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None = None,
) -> dict[date, list[CadreWeek]]:
    """`cadre_weeks` for several weeks at once (a month, a quarter for the red/black
    lists): still four queries, whatever the number of weeks or cadres."""
    mondays = sorted({week_of(w) for w in week_starts})
    if not mondays:
        return {}
    with gc_paused():  # every row and week built here stays alive until the caller is done
        return await _cadre_weeks(session, township_id, mondays, rules, now, member_ids)


async def _cadre_weeks(
    session: AsyncSession,
    township_id: int,
    mondays: Sequence[date],
    rules: WeekRules,
    now: datetime,
    member_ids: Sequence[int] | None,
) -> dict[date, list[CadreWeek]]:
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    cadres = await cadres_of(session, township_id)
    if member_ids is not None:
        wanted = set(member_ids)
        cadres = [c for c in cadres if c[0] in wanted]
    visits = await _visit_facts(session, township_id, first, last)
    spans = await exempt_spans(session, township_id, first, last)
    submitted = await _first_submissions(session, mondays, [mid for mid, _ in cadres])
    result: dict[date, list[CadreWeek]] = {}
    for monday in mondays:
        sunday = monday + timedelta(days=6)
        window = rules.window(monday)
        weeks = result[monday] = []
        for member_id, name in cadres:
            leave = tuple(
                s for s in spans.get(member_id, ()) if s.start <= sunday and s.end >= monday
            )
            status = rules.evaluate(monday, visits.get((member_id, monday), []), leave)
            at = submitted.get((member_id, monday))
            weeks.append(
                CadreWeek(
                    member_id=member_id,
                    name=name,
                    status=status,
                    report=report_status(window, at, now, status.fully_exempt),
                    submitted_at=at,
                    leave=leave,
                )
            )
    return result


async def member_week(
    session: AsyncSession,
    member_id: int,
    township_id: int,
    week_start: date,
    rules: WeekRules,
    now: datetime,
) -> tuple[WeekStatus, WeekReportStatus, list[VisitRow], list[LeaveRow]]:
    """One member's week for /me: evaluation, report status, the visits and leave rows
    (pending leave included, shown as pending; only approved leave exempts)."""
    monday = week_of(week_start)
    sunday = monday + timedelta(days=6)
    visits = await member_visits(session, member_id, monday, sunday)
    leaves = await member_leaves(session, member_id, monday, sunday)
    approved = [row.span for row in leaves if row.status == LeaveStatus.APPROVED]
    status = rules.evaluate(monday, [v.fact for v in visits], approved)
    submitted = await _first_submissions(session, [monday], [member_id])
    at = submitted.get((member_id, monday))
    report = report_status(rules.window(monday), at, now, status.fully_exempt)
    return status, report, visits, leaves


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
class Contact:
    member_id: int
    telegram_user_id: int
    name: str
    language: str


async def secretaries_of(session: AsyncSession, township_id: int) -> list[Contact]:
    """Active secretaries of the township, who decide leave requests."""
    rows = await session.execute(
        select(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.SECRETARY,
            Member.active.is_(True),
        )
        .order_by(Member.id)
    )
    return [Contact(m.id, m.telegram_user_id, m.display_name, m.language) for m in rows.scalars()]


async def contact(session: AsyncSession, member_id: int) -> Contact | None:
    member = await session.get(Member, member_id)
    if member is None:
        return None
    return Contact(member.id, member.telegram_user_id, member.display_name, member.language)


async def joined_weeks(session: AsyncSession, township_id: int, tz: ZoneInfo) -> dict[int, date]:
    """Monday of the week each member joined (was created). Lists, agendas and summaries
    judge a member from the first full week after that, never the week they joined."""
    rows = await session.execute(
        select(Member.id, Member.created_at)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(MemberRole.township_id == township_id)
    )
    return {mid: week_of(created.astimezone(tz).date()) for mid, created in rows}
