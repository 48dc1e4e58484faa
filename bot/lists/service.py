"""The lists' units of work, each in the caller's transaction: prepare a preview (and tell
everybody named), publish it, correct a published issue, file and decide objections. Each
returns what happened (or why it was refused) and the messages to queue; the handlers and
the scheduled job render and send."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.config import parse_hhmm
from bot.core.db import members as member_db
from bot.core.models import RedBlackIssue, RedBlackObjection, Township
from bot.core.outbox import Outgoing
from bot.core.roles import Role
from bot.core.services import Services
from bot.lists import notices
from bot.lists import queries as rb_db
from bot.lists.facts import provider
from bot.lists.periods import period_from_key, period_key
from bot.lists.rules import Period
from bot.lists.snapshot import listed
from bot.lists.timeline import next_meeting, objections_close
from bot.week.schedule import week_rules


class Refusal(enum.StrEnum):
    ALREADY_PUBLISHED = "already_published"
    NO_PREVIEW = "no_preview"
    NO_GROUP = "no_group"
    WINDOW_OPEN = "window_open"
    OBJECTIONS_OPEN = "objections_open"
    NOTHING_TO_CORRECT = "nothing_to_correct"
    NOT_NAMED = "not_named"
    WINDOW_CLOSED = "window_closed"
    ALREADY_OBJECTED = "already_objected"
    STALE = "stale"
    NOT_YOURS = "not_yours"
    DECIDED = "decided"


@dataclass
class Outcome:
    """What a unit of work did: `refusal` is None when it was done."""

    refusal: Refusal | None = None
    issue: RedBlackIssue | None = None
    # The issue that stands in the way (already published), or the one replaced.
    other: RedBlackIssue | None = None
    objection: RedBlackObjection | None = None
    count: int = 0
    until: datetime | None = None
    status: str = ""
    name: str = ""
    messages: list[Outgoing] = field(default_factory=list)


def objections_until(svc: Services, township: Township, period: Period, now: datetime) -> datetime:
    settings = svc.settings
    rules = week_rules(settings, township.code)
    meeting = next_meeting(
        period,
        rules.calendar,
        parse_hhmm(settings.township_jobs(township.code).agenda_time),
        rules.tz,
    )
    hours = settings.township_redblack(township.code).objection_window_hours
    return objections_close(now, hours, meeting)


async def prepare_preview(
    session: AsyncSession,
    svc: Services,
    township: Township,
    period: Period,
    now: datetime,
    *,
    actor_id: int | None,
) -> Outcome:
    """The period's preview from the current facts (refreshed when one exists), and a private
    notice to everybody named. Refused once the period is published."""
    done = await rb_db.published_issue(session, township.id, period_key(period))
    if done is not None:
        return Outcome(Refusal.ALREADY_PUBLISHED, other=done)
    snapshot = await rb_db.compute_snapshot(
        session, svc.settings, township, period, provider(svc.extras), now
    )
    issue = await rb_db.save_preview(
        session,
        township,
        period,
        snapshot,
        actor_id=actor_id,
        now=now,
        until=objections_until(svc, township, period, now),
    )
    cadres = await member_db.recipients(session, township.id, Role.CADRE)
    return Outcome(
        issue=issue,
        count=len(await rb_db.open_objections(session, issue.id)),
        messages=notices.told_notices(svc, township, issue, cadres),
    )


async def publish(
    session: AsyncSession,
    svc: Services,
    township: Township,
    period: Period | None,
    actor: Actor,
    now: datetime,
) -> Outcome:
    """Publish the period's preview (when no period is given: the latest one whose objection
    window has ended, else the latest) to the township group, once the objection window has
    ended and every objection is decided."""
    if period is not None:
        key = period_key(period)
        issue = await rb_db.preview_issue(session, township.id, key)
    else:
        # The latest that can be published now, else the latest (to say when it can be).
        issue = await rb_db.latest_preview(
            session, township.id, closed_by=now
        ) or await rb_db.latest_preview(session, township.id)
        key = issue.period_key if issue else ""
    done = await rb_db.published_issue(session, township.id, key) if key else None
    if done is not None:
        return Outcome(Refusal.ALREADY_PUBLISHED, other=done)
    if issue is None:
        return Outcome(Refusal.NO_PREVIEW)
    if township.group_chat_id is None:
        return Outcome(Refusal.NO_GROUP)
    if issue.objections_until is not None and issue.objections_until > now:
        return Outcome(Refusal.WINDOW_OPEN, until=issue.objections_until)
    pending = await rb_db.open_objections(session, issue.id)
    if pending:
        return Outcome(Refusal.OBJECTIONS_OPEN, count=len(pending))
    await rb_db.publish(session, issue, actor_id=actor.member_id, now=now)
    return Outcome(issue=issue, messages=notices.group_posts(svc, township, issue))


async def correct(
    session: AsyncSession,
    svc: Services,
    township: Township,
    period: Period | None,
    reason: str,
    actor: Actor,
    now: datetime,
) -> Outcome:
    """A new issue of a published period from the current facts, with the reason; those
    whose listing changed are told."""
    if period is not None:
        previous = await rb_db.published_issue(session, township.id, period_key(period))
    else:
        previous = await rb_db.latest_published(session, township.id)
    if previous is None:
        return Outcome(Refusal.NOTHING_TO_CORRECT)
    if township.group_chat_id is None:
        return Outcome(Refusal.NO_GROUP)
    target = period_from_key(previous.period_key)
    assert target is not None  # stored keys are made by period_key
    snapshot = await rb_db.compute_snapshot(
        session, svc.settings, township, target, provider(svc.extras), now
    )
    before = listed(previous.snapshot)
    issue = await rb_db.correct(
        session, previous, snapshot, reason, actor_id=actor.member_id, now=now
    )
    after = listed(issue.snapshot)
    cadres = await member_db.recipients(session, township.id, Role.CADRE)
    told = [
        n
        for n in notices.told_notices(svc, township, issue, cadres, corrected=True)
        if n.member_id is not None and before.get(n.member_id) != after.get(n.member_id)
    ]
    return Outcome(
        issue=issue, other=previous, messages=notices.group_posts(svc, township, issue) + told
    )


async def objection_refusal(
    session: AsyncSession, actor: Actor, issue_id: int, now: datetime
) -> Outcome | None:
    """Why `actor` may not object to the issue now, or None."""
    issue = await rb_db.issue_by_id(session, issue_id)
    if (
        issue is None
        or issue.status != rb_db.PREVIEW
        or actor.member_id not in listed(issue.snapshot)
        or issue.township_id not in actor.township_ids()
    ):
        return Outcome(Refusal.NOT_NAMED)
    if issue.objections_until is None or issue.objections_until <= now:
        return Outcome(Refusal.WINDOW_CLOSED, until=issue.objections_until)
    existing = await rb_db.member_objection(session, issue.id, actor.member_id)
    if existing is not None:
        return Outcome(Refusal.ALREADY_OBJECTED, status=existing.status)
    return None


async def file_objection(
    session: AsyncSession, svc: Services, actor: Actor, issue_id: int, text: str, now: datetime
) -> Outcome:
    """Record the member's objection and tell the township's secretaries."""
    refused = await objection_refusal(session, actor, issue_id, now)
    if refused is not None:
        return refused
    issue = await rb_db.issue_by_id(session, issue_id)
    assert issue is not None  # checked just above
    list_name = listed(issue.snapshot)[actor.member_id]
    objection = await rb_db.create_objection(session, issue, actor.member_id, list_name, text, now)
    secretaries = await member_db.recipients(session, issue.township_id, Role.SECRETARY)
    return Outcome(
        issue=issue,
        objection=objection,
        messages=notices.objection_notices(svc, issue, objection, actor.name, secretaries),
    )


async def open_objection(session: AsyncSession, actor: Actor, objection_id: int) -> Outcome:
    """The objection and its preview when `actor` may still decide it, with the member's
    name; else why not."""
    objection = await rb_db.objection_by_id(session, objection_id)
    issue = await rb_db.issue_by_id(session, objection.issue_id) if objection else None
    if objection is None or issue is None:
        return Outcome(Refusal.STALE)
    if not actor.manages(issue.township_id):
        return Outcome(Refusal.NOT_YOURS)
    if objection.status != rb_db.OPEN or issue.status != rb_db.PREVIEW:
        return Outcome(Refusal.DECIDED)
    member = await member_db.actor_by_member_id(session, objection.member_id)
    return Outcome(issue=issue, objection=objection, name=member.name if member else "")


async def decide(
    session: AsyncSession,
    actor: Actor,
    objection_id: int,
    upheld: bool,
    note: str | None,
    now: datetime,
) -> Outcome:
    """Record the secretary's decision (upheld: the member comes off the preview) and tell
    the member, with the note when there is one."""
    found = await open_objection(session, actor, objection_id)
    if found.refusal is not None:
        return found
    objection, issue = found.objection, found.issue
    assert objection is not None and issue is not None
    await rb_db.decide_objection(
        session, objection, issue, upheld, actor_id=actor.member_id, note=note, now=now
    )
    member = await member_db.actor_by_member_id(session, objection.member_id)
    if member is not None:
        found.messages.append(
            notices.decision_notice(
                issue, objection, member.member_id, member.telegram_user_id, member.language
            )
        )
    return found
