"""The buttons of /leave outside its flows, each carrying a request's id (or a township's):
a secretary approves or rejects a request with the buttons sent to them; a cadre takes back
their own request, a secretary an approved one of the township's cadres (a cadre recalled
to work), after a question; a secretary lists the township's approved leave not over yet.
Each press is checked again here: the button is the presser's, but may be old."""

from __future__ import annotations

from bot.core.flows import STALE, Press
from bot.core.i18n import N_
from bot.core.outbox import enqueue
from bot.core.text import Html
from bot.core.turn import MemberTurn
from bot.leave import notify, service, views
from bot.leave import queries as leave_db
from bot.leave.flow import BUTTONS, RECORD, REQUEST, Do, Step
from bot.leave.rules import LIST_MAX, withdrawable
from bot.week.place import leave_kind_label, place_of

NOT_SECRETARY = N_("Only a secretary of this township can do that.")


@BUTTONS.on(Do.APPROVE, Do.REJECT)
async def decide(turn: MemberTurn, press: Press) -> None:
    _ = turn._
    approve = press.action == Do.APPROVE
    async with turn.svc.transaction() as session:
        outcome = await service.decide(
            session, press.number(0), turn.actor, approve=approve, now=turn.now
        )
        if isinstance(outcome, service.Decision) and outcome.cadre is not None:
            told = notify.tell_decision(
                turn, outcome.row, outcome.cadre, approved=approve, by=turn.actor.name
            )
            await enqueue(session, [told], turn.now)
    if outcome is service.Refused.GONE:
        await turn.answer(_(STALE), alert=True)
        return
    if outcome is service.Refused.NOT_SECRETARY:
        await turn.answer(_(NOT_SECRETARY), alert=True)
        return
    row = outcome.row
    card = views.request_card(
        turn,
        turn.lang,
        row,
        place_of(turn, row.township_id),
        views.verdict(_, row, outcome.decider),
    )
    if not outcome.decided:
        await turn.answer(_("This request was already decided."), alert=True)
        await turn.show(card)
        return
    await turn.answer(_("Approved") if approve else _("Rejected"))
    await turn.show(card)
    await turn.send_queued()


@BUTTONS.on(Do.IN_FORCE)
async def in_force(turn: MemberTurn, press: Press) -> None:
    """The township's approved leave not over yet, the soonest first, each with a button to
    cancel it or end it early."""
    _ = turn._
    place = place_of(turn, press.number(0))
    if place is None or not service.decides(turn.actor, place.township_id):
        await turn.answer(_(NOT_SECRETARY), alert=True)
        return
    today = place.rules.today(turn.now)
    asking = RECORD.current(turn)
    async with turn.svc.transaction() as session:
        if asking is not None and asking.step is Step.WHO:
            await asking.end(session)  # the "for whom?" card becomes the list
        rows = await leave_db.township_approved_leaves(session, place.township_id, today)
    await turn.answer()
    if not rows:
        await turn.show(_("No approved leave or official duty is in force or ahead."))
        return
    await turn.show(*views.in_force_card(turn, rows, LIST_MAX))


@BUTTONS.on(Do.WITHDRAW)
async def ask_withdraw(turn: MemberTurn, press: Press) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        found = await service.target(session, press.number(0), turn.actor)
    place = place_of(turn, found.row.township_id) if found is not None else None
    if found is None or place is None:
        await turn.answer(_(STALE), alert=True)
        return
    today = place.rules.today(turn.now)
    row = found.row
    if not withdrawable(row.status, row.end, today, own=found.own):
        await turn.answer(_("This request can no longer be withdrawn."), alert=True)
        return
    for flow in (REQUEST, RECORD):
        asking = flow.current(turn)
        if asking is not None and asking.step in (Step.WHO, Step.KIND):
            async with turn.svc.transaction() as session:
                await asking.end(session)  # no new request is being filed meanwhile
    await turn.answer()
    await turn.show(*views.withdraw_question(turn, row, today, own=found.own))


@BUTTONS.on(Do.WITHDRAW_NO)
async def keep(turn: MemberTurn, press: Press) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        found = await service.target(session, press.number(0), turn.actor)
    if found is None:
        await turn.answer(_(STALE), alert=True)
        return
    label = views.what(turn, found.row) if found.own else views.whose(turn, found.row)
    await turn.answer()
    await turn.show(_("Kept: {what}.").format(what=label))


@BUTTONS.on(Do.WITHDRAW_YES)
async def withdraw(turn: MemberTurn, press: Press) -> None:
    _ = turn._
    actor = turn.actor
    done = None
    async with turn.svc.transaction() as session:
        found = await service.target(session, press.number(0), actor)
        place = None if found is None else place_of(turn, found.row.township_id)
        if found is not None and place is not None:
            today = place.rules.today(turn.now)
            done = await service.withdraw(session, found, actor, today=today, now=turn.now)
            if done is not None:
                told = [
                    notify.tell_withdrawn(turn, actor, done.after, done.before, done.outcome, p)
                    for p in ([done.cadre] if done.cadre else []) + done.secretaries
                ]
                await enqueue(session, told, turn.now)
    if found is None or place is None:
        await turn.answer(_(STALE), alert=True)
        return
    if done is None:
        await turn.answer(_("This request can no longer be withdrawn."), alert=True)
        return
    await turn.answer(_("Withdrawn"))
    before, after = done.before, done.after
    if done.outcome == "withdrawn":
        label = views.what(turn, before) if found.own else views.whose(turn, before)
        await turn.show(_("Withdrawn: {what}.").format(what=label))
    else:
        kind = leave_kind_label(_, after.kind)
        await turn.show(
            _("Ended early: {kind} now covers {range}.").format(
                kind=kind
                if found.own
                else Html("{name} {kind}").format(name=after.member_name, kind=kind),
                range=views.range_label(turn.lang, after.start, after.end),
            )
        )
    await turn.send_queued()
