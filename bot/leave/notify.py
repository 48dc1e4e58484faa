"""What /leave tells other people, each in their own language, through the outbox (queued in
the transaction that decided it, so a failed or interrupted send is retried, not lost): a
secretary asked to decide (with buttons signed for that secretary), a cadre told of a
decision, anyone concerned told of a request taken back."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.access import Actor
from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.outbox import Outgoing
from bot.core.text import Html
from bot.core.turn import Button, Turn
from bot.leave import views
from bot.leave.queries import LeaveRow, WithdrawOutcome
from bot.week.place import Place, leave_kind_label


def to(
    turn: Turn,
    person: member_db.Recipient,
    key: str,
    row: LeaveRow,
    text: Html,
    rows: Sequence[Sequence[Button]] = (),
) -> Outgoing:
    """A message to another member (their buttons are signed for them); `key` makes it one."""
    return turn.notice(person, key, "leave", text, rows, township_id=row.township_id)


def ask_secretary(
    turn: Turn, place: Place, row: LeaveRow, secretary: member_db.Recipient
) -> Outgoing:
    language = secretary.language
    return to(
        turn,
        secretary,
        f"leave-ask:{row.id}",
        row,
        views.request_card(turn, language, row, place),
        views.decision_rows(turn, language, row),
    )


def tell_decision(
    turn: Turn, row: LeaveRow, cadre: member_db.Recipient, *, approved: bool, by: str
) -> Outgoing:
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
    return to(turn, cadre, f"leave-decided:{row.id}", row, text)


def tell_withdrawn(
    turn: Turn,
    actor: Actor,
    after: LeaveRow,
    before: LeaveRow,
    outcome: WithdrawOutcome,
    person: member_db.Recipient,
) -> Outgoing:
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
    # Ended early twice is two messages; withdrawn happens once.
    key = f"leave-{outcome}:{after.id}:{after.end.isoformat()}"
    return to(turn, person, key, after, text)
