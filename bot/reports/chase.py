"""催交: a secretary's one tap that reminds every cadre whose weekly report is not in yet.

Once per township and week: the press that claims the week's row (`report_chases`, unique
per township and week) sends it, and a second press (by that secretary or another, at the
same moment or later) says who sent it and when, and sends nothing. Each reminder goes
through the outbox with a key per cadre and week; the audit log records the press.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callbacks import CallbackCodec, Cb
from bot.core.db import members as member_db
from bot.core.flows import STALE, Buttons, Press
from bot.core.i18n import N_, gettext_for
from bot.core.outbox import Outgoing, enqueue, to_member
from bot.core.render import format_date, format_datetime, listing
from bot.core.roles import Role
from bot.core.services import Services
from bot.core.text import plain
from bot.core.turn import MemberTurn
from bot.reports import queries as report_db
from bot.reports.queries import Chase
from bot.week import facts
from bot.week.cadre_week import CadreWeek
from bot.week.schedule import WeekRules, week_rules

CHASE_BUTTON = N_("📮 Remind those not yet submitted (催交)")
NOT_YOURS = N_("You can only remind the cadres of your own township.")
NOBODY = N_("Everyone has submitted or is on leave; nobody to remind.")
SENT = N_("Reminder sent to {n} cadres: {names}.")
ALREADY = N_("The reminder for this week was already sent by {name} at {at}; it is sent once.")

NOT_IN = ("pending", "missing")


class Act(enum.StrEnum):
    CHASE = "go"  # <township>:<week>: remind every cadre whose report is not in
    STATUS = "st"  # <township>: this week's reports so far (/status)


BUTTONS = Buttons("rc", roles=(Role.SECRETARY, Role.ADMIN))


def chase_action(codec: CallbackCodec, township_id: int, week_start: date) -> Cb:
    return codec.action(BUTTONS.code, Act.CHASE, township_id, f"{week_start:%Y%m%d}")


def chase_markup(
    codec: CallbackCodec, township_id: int, week_start: date, language: str, owner: int
) -> dict[str, Any]:
    """The 催交 button under a message to a secretary (`owner`), signed for them."""
    label = plain(gettext_for(language)(CHASE_BUTTON))
    data = codec.sign(chase_action(codec, township_id, week_start), owner)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]]).to_dict()


def not_in(weeks: list[CadreWeek]) -> list[CadreWeek]:
    return [w for w in weeks if w.report in NOT_IN and not w.fully_exempt]


@dataclass(frozen=True)
class Outcome:
    sent: list[str]  # names of the cadres reminded now
    earlier: Chase | None  # the reminder sent before, when there was one


async def chase(
    session: AsyncSession,
    svc: Services,
    township_id: int,
    code: str,
    week_start: date,
    actor_member_id: int,
    now: datetime,
) -> Outcome:
    earlier = await report_db.chase_of(session, township_id, week_start)
    if earlier is not None:
        return Outcome([], earlier)
    rules = week_rules(svc.settings, code)
    missing = not_in(await facts.cadre_weeks(session, township_id, week_start, rules, now))
    if not missing:
        return Outcome([], None)
    reachable = {
        r.member_id: r for r in await member_db.recipients(session, township_id, Role.CADRE)
    }
    if not await report_db.claim_chase(session, township_id, week_start, actor_member_id, now):
        return Outcome([], await report_db.chase_of(session, township_id, week_start))
    reminders = [
        _reminder(svc, rules, township_id, code, week_start, reachable[w.member_id], w.name)
        for w in missing
        if w.member_id in reachable
    ]
    await enqueue(session, reminders, now)
    await report_db.record_chase(
        session, township_id, week_start, actor_member_id, [w.member_id for w in missing], now
    )
    return Outcome([w.name for w in missing], None)


def _reminder(
    svc: Services,
    rules: WeekRules,
    township_id: int,
    code: str,
    week_start: date,
    person: member_db.Recipient,
    name: str,
) -> Outgoing:
    window = rules.window(week_start)
    deadline = format_datetime(window.deadline, rules.tz, person.language) if window else "—"
    text = svc.renderer.render(
        "reports/chase.html.j2",
        person.language,
        name=name,
        week=format_date(week_start, person.language, False),
        deadline=deadline,
    )
    key = f"report_chase:{code}:{week_start:%Y-%m-%d}"
    return to_member(person, key, "report_chase", text, township_id=township_id)


@BUTTONS.on(Act.CHASE)
async def chase_pressed(turn: MemberTurn, press: Press) -> None:
    _ = turn._
    township_id, week_start = press.number(0), press.day(1)
    if not turn.actor.manages(township_id):
        await turn.answer(_(NOT_YOURS), alert=True)
        return
    township = turn.svc.directory.township(township_id)
    if township is None:
        await turn.answer(_(STALE), alert=True)
        return
    async with turn.svc.transaction() as session:
        outcome = await chase(
            session,
            turn.svc,
            township_id,
            township.code,
            week_start,
            turn.actor.member_id,
            turn.now,
        )
    await turn.answer()
    if outcome.earlier is not None:
        at = format_datetime(
            outcome.earlier.at, turn.svc.settings.township_tz(township.code), turn.lang
        )
        await turn.send(_(ALREADY).format(name=outcome.earlier.by, at=at))
        return
    if not outcome.sent:
        await turn.send(_(NOBODY))
        return
    await turn.send_queued()
    await turn.send(_(SENT).format(n=len(outcome.sent), names=listing(turn.lang, outcome.sent)))
