"""A secretary records leave or official duty for one of the township's cadres, approved at
once (the cadre is told): the cadre (a page of the township's cadres at a time), then the
same steps as a request. The "for whom?" card also leads to the township's approved leave
not over yet, to cancel or end early (`bot.leave.decisions`)."""

from __future__ import annotations

from bot.core.flows import Press
from bot.core.outbox import enqueue
from bot.core.turn import MemberTurn, page_of
from bot.leave import notify, service, steps, views
from bot.leave import queries as leave_db
from bot.leave.flow import RECORD, Act, LeaveDraft, Step, worth_keeping
from bot.leave.rules import CADRE_PAGE
from bot.leave.views import LeaveTurn
from bot.week import facts
from bot.week.place import Place, leave_kind_label


async def start(turn: MemberTurn, place: Place) -> None:
    """Take up the secretary's unfinished recording in this township, or ask for whom."""
    today = place.rules.today(turn.now)
    card = None
    async with turn.svc.transaction() as session:
        ctx = await RECORD.resume(
            turn,
            session,
            lambda d: d.township_id == place.township_id and worth_keeping(d),
            steps.resume_at,
        )
        cadres = [] if ctx is not None else await facts.cadres_of(session, place.township_id)
        if cadres:
            ctx = await RECORD.start(
                turn, session, Step.WHO, LeaveDraft(township_id=place.township_id)
            )
            in_force = await leave_db.township_approved_leaves(session, place.township_id, today)
            shown, page, pages = page_of(cadres, 0, CADRE_PAGE)
            card = views.who_card(ctx, place, shown, page, pages, len(in_force))
    if ctx is None:
        await turn.send(turn._("There are no cadres in your township yet."))
    elif card is None:
        await steps.ask_again(ctx, place)
    else:
        await turn.send(*card)


@RECORD.on(Step.WHO, Act.PAGE)
async def turn_page(ctx: LeaveTurn, press: Press) -> None:
    page = press.number(0)
    place = await steps.place_or_end(ctx)
    if place is None:
        return
    async with ctx.turn.svc.transaction() as session:
        cadres = await facts.cadres_of(session, place.township_id)
        in_force = await leave_db.township_approved_leaves(
            session, place.township_id, place.rules.today(ctx.turn.now)
        )
    shown, page, pages = page_of(cadres, page, CADRE_PAGE)
    await ctx.turn.answer()
    await ctx.turn.show(*views.who_card(ctx, place, shown, page, pages, len(in_force)))


@RECORD.on(Step.WHO, Act.WHO)
async def pick_cadre(ctx: LeaveTurn, press: Press) -> None:
    turn, _ = ctx.turn, ctx._
    member_id = press.number(0)
    place = await steps.place_or_end(ctx)
    if place is None:
        return
    if not service.decides(turn.actor, place.township_id):
        await turn.answer(_("Only a secretary of this township can do that."), alert=True)
        return
    async with turn.svc.transaction() as session:
        cadres = dict(await facts.cadres_of(session, place.township_id))
        if member_id in cadres:
            draft = ctx.draft.model_copy(update={"member_id": member_id})
            await ctx.save(session, Step.KIND, draft)
    if member_id not in cadres:
        await turn.answer(_("That member was not found in this township."), alert=True)
        return
    await turn.answer()
    await turn.show(*views.kind_card(ctx))


@RECORD.on(Step.CONFIRM, Act.SEND)
async def record(ctx: LeaveTurn, press: Press) -> None:
    turn, _ = ctx.turn, ctx._
    filing = ctx.draft.filing()
    place = await steps.place_or_end(ctx)
    if place is None:
        return
    if filing is None or not service.decides(turn.actor, place.township_id):
        await ctx.stale()
        return
    async with turn.svc.transaction() as session:
        ended = await ctx.end(session)
        filed = (
            await service.file(session, filing, turn.actor, approved=True, now=turn.now)
            if ended
            else None
        )
        if isinstance(filed, service.Filed) and filed.cadre is not None:
            told = notify.tell_decision(
                turn, filed.row, filed.cadre, approved=True, by=turn.actor.name
            )
            await enqueue(session, [told], turn.now)
    if filed is None:
        await ctx.stale()
        return
    if isinstance(filed, leave_db.LeaveRow):
        await turn.answer(_("There is already a request that overlaps these days."), alert=True)
        return
    row = filed.row
    await turn.answer(_("Recorded"))
    await turn.show(
        _("Recorded as approved: {name}, {kind}, {range}.").format(
            name=row.member_name,
            kind=leave_kind_label(_, row.kind),
            range=views.range_label(turn.lang, row.start, row.end),
        )
    )
    await turn.send_queued()
