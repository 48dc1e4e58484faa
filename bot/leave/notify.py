"""What /leave tells other people, each in their own language: a secretary asked to decide
(with buttons signed for that secretary), a cadre told of a decision, anyone concerned told
of a request taken back."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram.error import Forbidden, TelegramError

from bot.core.access import Actor
from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.text import Html
from bot.core.turn import Button, Turn
from bot.leave import views
from bot.leave.queries import LeaveRow, WithdrawOutcome
from bot.week.place import Place, leave_kind_label

log = logging.getLogger(__name__)


async def send_to(
    turn: Turn, person: member_db.Contact, text: Html, rows: Sequence[Sequence[Button]] = ()
) -> None:
    """Tell another member (their buttons are signed for them); one who blocked the bot is
    marked unreachable, and a failed send never fails the action of the person acting."""
    try:
        await turn.send(text, rows, chat_id=person.telegram_user_id)
    except Forbidden:
        async with turn.svc.transaction() as session:
            await member_db.mark_reachable(session, person.telegram_user_id, False)
    except TelegramError as exc:
        log.warning("could not send a leave message: %s", type(exc).__name__)


async def ask_secretary(
    turn: Turn, place: Place, row: LeaveRow, secretary: member_db.Contact
) -> None:
    language = secretary.language
    await send_to(
        turn,
        secretary,
        views.request_card(turn, language, row, place),
        views.decision_rows(turn, language, row),
    )


async def tell_decision(
    turn: Turn, row: LeaveRow, cadre: member_db.Contact, *, approved: bool, by: str
) -> None:
    _ = gettext_for(cadre.language)
    template = (
        _("Your {kind} for {range} was approved by {name}.")
        if approved
        else _("Your {kind} for {range} was not approved by {name}.")
    )
    text = template.format(
        kind=leave_kind_label(_, row.kind),
        range=views.range_label(cadre.language, row.start, row.end),
        name=by,
    )
    await send_to(turn, cadre, text)


async def tell_withdrawn(
    turn: Turn,
    actor: Actor,
    after: LeaveRow,
    before: LeaveRow,
    outcome: WithdrawOutcome,
    person: member_db.Contact,
) -> None:
    """Tell the cadre (when a secretary acted for them) or a secretary that a request was
    withdrawn, or ended early (`after` is its new span, `before` the old one)."""
    _ = gettext_for(person.language)
    if person.member_id == after.member_id:
        name = actor.name
        withdrawn = _("{name} cancelled your {kind} for {range}.")
        shortened = _(
            "{name} ended your {kind} early: it now covers {range} (was {before}). From today "
            "on, your field days, screenings and problems count again."
        )
    elif actor.member_id == after.member_id:
        name = after.member_name
        withdrawn = _("{name} withdrew their {kind} for {range}.")
        shortened = _("{name} ended their {kind} early: it now covers {range} (was {before}).")
    else:
        name = after.member_name
        withdrawn = _("{by} cancelled {name}'s {kind} for {range}.")
        shortened = _("{by} ended {name}'s {kind} early: it now covers {range} (was {before}).")
    was = views.range_label(person.language, before.start, before.end)
    now = views.range_label(person.language, after.start, after.end)
    text = (withdrawn if outcome == "withdrawn" else shortened).format(
        by=actor.name,
        name=name,
        kind=leave_kind_label(_, after.kind),
        range=was if outcome == "withdrawn" else now,
        before=was,
    )
    await send_to(turn, person, text)
