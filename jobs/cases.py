"""The dispute cases' scheduled work: due soon, overdue and 回访 due to the case's mediator
(or whoever registered it); cases overdue beyond the escalation threshold also to the
secretaries. Case numbers and villages only: no party names."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.cases import facts as case_facts
from bot.cases.reminders import reminder_markup
from bot.core.db import members as member_db
from bot.core.outbox import Outgoing
from bot.core.render import format_date
from jobs.context import JobContext
from jobs.outgoing import secretaries, to


async def dispute_reminders(ctx: JobContext) -> list[Outgoing]:
    today = ctx.week.today(ctx.now)
    reminders = await case_facts.reminders_due(
        ctx.session, ctx.township.id, today, ctx.svc.settings
    )
    if not reminders:
        return []
    members = {
        r.member_id: r
        for role in ("mediator", "cadre", "secretary")
        for r in await member_db.recipients(ctx.session, ctx.township.id, role)
    }
    per_person: dict[int, list[Any]] = {}
    escalations = []
    for reminder in reminders:
        owner = reminder.mediator_id or reminder.opened_by
        per_person.setdefault(owner, []).append(reminder)
        if reminder.kind == "escalation_due":
            escalations.append(reminder)
    out = []
    for member_id, items in per_person.items():
        person = members.get(member_id)
        if person is None:
            continue
        message = to(
            ctx,
            person,
            ctx.svc.renderer.render(
                "cases/reminders.html.j2",
                person.language,
                name=person.name,
                items=[_reminder(r, person.language) for r in items],
                escalation=False,
            ),
        )
        markup = reminder_markup(ctx.svc.codec, items, person.telegram_user_id)
        out.append(replace(message, reply_markup=markup))
    if escalations:
        for s in await secretaries(ctx):
            out.append(
                Outgoing(
                    key=ctx.key(f"escalate-{s.member_id}"),
                    job=ctx.occurrence.job,
                    chat_id=s.telegram_user_id,
                    township_id=ctx.township.id,
                    member_id=s.member_id,
                    text=ctx.svc.renderer.render(
                        "cases/reminders.html.j2",
                        s.language,
                        name=s.name,
                        items=[_reminder(r, s.language) for r in escalations],
                        escalation=True,
                    ),
                    reply_markup=reminder_markup(ctx.svc.codec, escalations, s.telegram_user_id),
                )
            )
    return out


def _reminder(reminder: Any, language: str) -> dict[str, Any]:
    return {
        "number": reminder.number,
        "village": reminder.village,
        "kind": reminder.kind,
        "days": reminder.days,
        "deadline": format_date(reminder.deadline, language, False),
    }
