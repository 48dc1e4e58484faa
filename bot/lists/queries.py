"""Red and black list issues (previews, publications, corrections) and objections."""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.db.bulk import gc_paused
from bot.core.db.members import audit
from bot.core.models import Member, RedBlackIssue, RedBlackObjection, Township
from bot.lists.facts import FactsProvider, members_for_lists
from bot.lists.periods import period_key
from bot.lists.rules import Period, evaluate, rules_from_config
from bot.lists.snapshot import apply_removal, build_snapshot, listed

PREVIEW, PUBLISHED, SUPERSEDED = "preview", "published", "superseded"
OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"


async def compute_snapshot(
    session: AsyncSession,
    settings: Settings,
    township: Township,
    period: Period,
    facts: FactsProvider,
    now: datetime,
) -> dict[str, Any]:
    """Evaluate the lists from the current facts and freeze them into a snapshot.

    The cyclic garbage collector is paused throughout (see `gc_paused`), the queries too:
    their rows are what the collections would walk again and again."""
    with gc_paused():
        config = settings.township_redblack(township.code)
        rules = rules_from_config(config)
        members = await members_for_lists(session, township.id, config.village_units)
        known = {m.member_id for m in members}
        period_weeks = set(period.weeks)
        weeks = await facts.member_weeks(session, township.id, period)
        # Checked a column at a time, in C; filtered row by row only when something is off.
        if not (
            known.issuperset(map(_MEMBER_OF, weeks))
            and period_weeks.issuperset(map(_WEEK_OF, weeks))
        ):
            weeks = [w for w in weeks if w.member_id in known and w.week_start in period_weeks]
        cases = [
            c
            for c in await facts.member_case_facts(session, township.id, period)
            if c.member_id in known
        ]
        result = evaluate(period, members, weeks, cases, rules)
        snapshot = build_snapshot(
            result,
            rules,
            township_code=township.code,
            township_name=township.name,
            period_key=period_key(period),
            generated_at=now.isoformat(),
            weeks=weeks,
        )
        # Freed before collection resumes, or its first pass would walk them all.
        del members, known, weeks, cases, result
    return snapshot


_MEMBER_OF = itemgetter(0)  # a `CadreWeek`'s member_id
_WEEK_OF = itemgetter(1)  # and week_start


async def issue_by_id(session: AsyncSession, issue_id: int) -> RedBlackIssue | None:
    return await session.get(RedBlackIssue, issue_id)


async def preview_issue(session: AsyncSession, township_id: int, key: str) -> RedBlackIssue | None:
    return await session.scalar(
        select(RedBlackIssue).where(
            RedBlackIssue.township_id == township_id,
            RedBlackIssue.period_key == key,
            RedBlackIssue.status == PREVIEW,
        )
    )


async def published_issue(
    session: AsyncSession, township_id: int, key: str
) -> RedBlackIssue | None:
    """The issue in force for the period (the latest publication or correction)."""
    return await session.scalar(
        select(RedBlackIssue).where(
            RedBlackIssue.township_id == township_id,
            RedBlackIssue.period_key == key,
            RedBlackIssue.status == PUBLISHED,
        )
    )


async def latest_published(
    session: AsyncSession, township_id: int, kind: str | None = None
) -> RedBlackIssue | None:
    query = select(RedBlackIssue).where(
        RedBlackIssue.township_id == township_id, RedBlackIssue.status == PUBLISHED
    )
    if kind is not None:
        query = query.where(RedBlackIssue.period_kind == kind)
    return await session.scalar(
        query.order_by(RedBlackIssue.published_at.desc(), RedBlackIssue.id.desc()).limit(1)
    )


async def history(
    session: AsyncSession, township_id: int, kind: str | None = None, limit: int = 20
) -> list[RedBlackIssue]:
    """Published and superseded issues, newest first: corrections and what they replaced."""
    query = select(RedBlackIssue).where(
        RedBlackIssue.township_id == township_id,
        RedBlackIssue.status.in_((PUBLISHED, SUPERSEDED)),
    )
    if kind is not None:
        query = query.where(RedBlackIssue.period_kind == kind)
    return list(
        await session.scalars(
            query.order_by(RedBlackIssue.published_at.desc(), RedBlackIssue.id.desc()).limit(limit)
        )
    )


async def _upheld(session: AsyncSession, township_id: int, key: str) -> list[RedBlackObjection]:
    return list(
        await session.scalars(
            select(RedBlackObjection)
            .join(RedBlackIssue, RedBlackIssue.id == RedBlackObjection.issue_id)
            .where(
                RedBlackIssue.township_id == township_id,
                RedBlackIssue.period_key == key,
                RedBlackObjection.status == UPHELD,
            )
            .order_by(RedBlackObjection.id)
        )
    )


def _with_upheld(snapshot: dict[str, Any], upheld: list[RedBlackObjection]) -> dict[str, Any]:
    """Decisions stand: members whose objection was upheld stay off the lists of the period."""
    for objection in upheld:
        snapshot = apply_removal(
            snapshot, objection.member_id, objection.id, objection.decision_note
        )
    return snapshot


async def save_preview(
    session: AsyncSession,
    township: Township,
    period: Period,
    snapshot: dict[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
    until: datetime,
) -> RedBlackIssue:
    """Create the period's preview, or refresh it with new facts (objections are kept);
    objections are heard `until` then."""
    key = period_key(period)
    snapshot = _with_upheld(snapshot, await _upheld(session, township.id, key))
    issue = await preview_issue(session, township.id, key)
    if issue is None:
        issue = RedBlackIssue(
            township_id=township.id,
            period_kind=period.kind,
            period_key=key,
            period_start=period.start,
            period_end=period.end,
            status=PREVIEW,
            created_at=now,
            created_by=actor_id,
        )
        session.add(issue)
    issue.snapshot = snapshot
    issue.objections_until = until
    await session.flush()
    await audit(
        session,
        at=now,
        action="redblack.preview",
        entity="redblack_issue",
        entity_id=issue.id,
        actor_member_id=actor_id,
        township_id=township.id,
        details={"period": key, "listed": {str(k): v for k, v in listed(snapshot).items()}},
    )
    return issue


async def open_objections(session: AsyncSession, issue_id: int) -> list[RedBlackObjection]:
    return list(
        await session.scalars(
            select(RedBlackObjection)
            .where(RedBlackObjection.issue_id == issue_id, RedBlackObjection.status == OPEN)
            .order_by(RedBlackObjection.id)
        )
    )


async def _next_number(session: AsyncSession, township_id: int, key: str) -> int:
    highest = await session.scalar(
        select(func.max(RedBlackIssue.number)).where(
            RedBlackIssue.township_id == township_id, RedBlackIssue.period_key == key
        )
    )
    return int(highest or 0) + 1


async def publish(
    session: AsyncSession, issue: RedBlackIssue, *, actor_id: int | None, now: datetime
) -> RedBlackIssue:
    """Freeze a preview as the period's first issue. The caller checks that none exists."""
    if issue.status != PREVIEW:
        raise ValueError("only a preview can be published")
    issue.number = await _next_number(session, issue.township_id, issue.period_key)
    issue.status = PUBLISHED
    issue.published_at = now
    issue.published_by = actor_id
    await session.flush()
    await audit(
        session,
        at=now,
        action="redblack.publish",
        entity="redblack_issue",
        entity_id=issue.id,
        actor_member_id=actor_id,
        township_id=issue.township_id,
        details={"period": issue.period_key, "number": issue.number},
    )
    return issue


async def correct(
    session: AsyncSession,
    previous: RedBlackIssue,
    snapshot: dict[str, Any],
    reason: str,
    *,
    actor_id: int | None,
    now: datetime,
) -> RedBlackIssue:
    """Publish a new issue for `previous`'s period with a stated reason; both stay visible."""
    if previous.status != PUBLISHED:
        raise ValueError("only the issue in force can be corrected")
    snapshot = _with_upheld(
        snapshot, await _upheld(session, previous.township_id, previous.period_key)
    )
    previous.status = SUPERSEDED
    await session.flush()
    issue = RedBlackIssue(
        township_id=previous.township_id,
        period_kind=previous.period_kind,
        period_key=previous.period_key,
        period_start=previous.period_start,
        period_end=previous.period_end,
        number=await _next_number(session, previous.township_id, previous.period_key),
        status=PUBLISHED,
        created_at=now,
        created_by=actor_id,
        published_at=now,
        published_by=actor_id,
        reason=reason,
        corrects_id=previous.id,
        snapshot=snapshot,
    )
    session.add(issue)
    # A preview still open for the period is replaced by the correction.
    stale = await preview_issue(session, previous.township_id, previous.period_key)
    if stale is not None:
        stale.status = SUPERSEDED
    await session.flush()
    await audit(
        session,
        at=now,
        action="redblack.correct",
        entity="redblack_issue",
        entity_id=issue.id,
        actor_member_id=actor_id,
        township_id=issue.township_id,
        details={
            "period": issue.period_key,
            "number": issue.number,
            "corrects": previous.id,
            "reason": reason,
        },
    )
    return issue


async def objection_by_id(session: AsyncSession, objection_id: int) -> RedBlackObjection | None:
    return await session.get(RedBlackObjection, objection_id)


async def member_objection(
    session: AsyncSession, issue_id: int, member_id: int
) -> RedBlackObjection | None:
    return await session.scalar(
        select(RedBlackObjection).where(
            RedBlackObjection.issue_id == issue_id, RedBlackObjection.member_id == member_id
        )
    )


async def create_objection(
    session: AsyncSession,
    issue: RedBlackIssue,
    member_id: int,
    list_name: str,
    text: str,
    now: datetime,
) -> RedBlackObjection:
    objection = RedBlackObjection(
        issue_id=issue.id,
        member_id=member_id,
        list_name=list_name,
        text=text,
        status=OPEN,
        created_at=now,
    )
    session.add(objection)
    await session.flush()
    await audit(
        session,
        at=now,
        action="redblack.object",
        entity="redblack_objection",
        entity_id=objection.id,
        actor_member_id=member_id,
        township_id=issue.township_id,
        details={"issue": issue.id, "list": list_name},
    )
    return objection


async def decide_objection(
    session: AsyncSession,
    objection: RedBlackObjection,
    issue: RedBlackIssue,
    upheld: bool,
    *,
    actor_id: int,
    note: str | None,
    now: datetime,
) -> None:
    """Record the decision; an upheld objection takes the member off the preview's list."""
    if objection.status != OPEN or issue.status != PREVIEW:
        raise ValueError("objection already decided or list already published")
    objection.status = UPHELD if upheld else REJECTED
    objection.decided_by = actor_id
    objection.decided_at = now
    objection.decision_note = note
    if upheld:
        issue.snapshot = apply_removal(issue.snapshot, objection.member_id, objection.id, note)
    await session.flush()
    await audit(
        session,
        at=now,
        action="redblack.objection.uphold" if upheld else "redblack.objection.reject",
        entity="redblack_objection",
        entity_id=objection.id,
        actor_member_id=actor_id,
        township_id=issue.township_id,
        details={"issue": issue.id, "member": objection.member_id},
    )


async def objectable_previews(
    session: AsyncSession, township_ids: set[int], member_id: int, now: datetime
) -> list[RedBlackIssue]:
    """Previews naming `member_id` whose objection window is still open."""
    if not township_ids:
        return []
    previews = await session.scalars(
        select(RedBlackIssue)
        .where(
            RedBlackIssue.township_id.in_(township_ids),
            RedBlackIssue.status == PREVIEW,
            RedBlackIssue.objections_until > now,
        )
        .order_by(RedBlackIssue.id)
    )
    return [p for p in previews if member_id in listed(p.snapshot)]


async def latest_preview(
    session: AsyncSession, township_id: int, closed_by: datetime | None = None
) -> RedBlackIssue | None:
    """The latest preview (whose objection window ended by `closed_by`, when given)."""
    query = select(RedBlackIssue).where(
        RedBlackIssue.township_id == township_id, RedBlackIssue.status == PREVIEW
    )
    if closed_by is not None:
        query = query.where(RedBlackIssue.objections_until <= closed_by)
    return await session.scalar(
        query.order_by(RedBlackIssue.created_at.desc(), RedBlackIssue.id.desc()).limit(1)
    )


async def closed_preview(
    session: AsyncSession, township_ids: set[int], member_id: int
) -> RedBlackIssue | None:
    """The latest preview naming `member_id` (its window may have closed)."""
    if not township_ids:
        return None
    rows = await session.scalars(
        select(RedBlackIssue)
        .where(RedBlackIssue.township_id.in_(township_ids), RedBlackIssue.status == PREVIEW)
        .order_by(RedBlackIssue.id.desc())
    )
    return next((r for r in rows if member_id in listed(r.snapshot)), None)


async def undecided(
    session: AsyncSession, township_ids: set[int]
) -> list[tuple[RedBlackObjection, RedBlackIssue, str]]:
    """Open objections to the townships' previews, oldest first, with the member's name."""
    rows = await session.execute(
        select(RedBlackObjection, RedBlackIssue, Member.display_name)
        .join(RedBlackIssue, RedBlackIssue.id == RedBlackObjection.issue_id)
        .join(Member, Member.id == RedBlackObjection.member_id)
        .where(
            RedBlackIssue.township_id.in_(township_ids),
            RedBlackIssue.status == PREVIEW,
            RedBlackObjection.status == OPEN,
        )
        .order_by(RedBlackObjection.id)
    )
    return [(objection, issue, name) for objection, issue, name in rows]
