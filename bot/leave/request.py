"""A cadre's request for leave or official duty, in the township it concerns: the kind
(with their requests not over yet, to take one back), the days, the reason, then it goes to
that township's secretaries, whose buttons approve or reject it (`bot.leave.decisions`)."""

from __future__ import annotations

from bot.core.flows import Press
from bot.core.outbox import enqueue
from bot.core.turn import MemberTurn
from bot.leave import notify, service, steps, views
from bot.leave import queries as leave_db
from bot.leave.flow import REQUEST, Act, LeaveDraft, Step, worth_keeping
from bot.leave.views import LeaveTurn
from bot.week.place import Place


async def start(turn: MemberTurn, place: Place) -> None:
    """Take up the cadre's unfinished request in this township, or start one."""
    member_id = turn.actor.member_id
    async with turn.svc.transaction() as session:
        ctx = await REQUEST.resume(
            turn,
            session,
            lambda d: (
                d.township_id == place.township_id and d.member_id == member_id and worth_keeping(d)
            ),
            steps.resume_at,
        )
        if ctx is None:
            draft = LeaveDraft(township_id=place.township_id, member_id=member_id)
            ctx = await REQUEST.start(turn, session, Step.KIND, draft)
            mine = await leave_db.open_leaves(
                session, member_id, place.township_id, place.rules.today(turn.now)
            )
            card = views.kind_card(ctx, mine)
        else:
            card = None
    if card is None:
        await steps.ask_again(ctx, place)
    else:
        await turn.send(*card)


@REQUEST.on(Step.CONFIRM, Act.SEND)
async def send(ctx: LeaveTurn, press: Press) -> None:
    turn, _ = ctx.turn, ctx._
    filing = ctx.draft.filing()
    place = await steps.place_or_end(ctx)
    if place is None:
        return
    if filing is None or filing.member_id != turn.actor.member_id:
        await ctx.stale()
        return
    async with turn.svc.transaction() as session:
        ended = await ctx.end(session)
        filed = (
            await service.file(session, filing, turn.actor, approved=False, now=turn.now)
            if ended
            else None
        )
        if isinstance(filed, service.Filed):
            asks = [notify.ask_secretary(turn, place, filed.row, s) for s in filed.secretaries]
            await enqueue(session, asks, turn.now)
    if filed is None:
        await ctx.stale()
        return
    if isinstance(filed, leave_db.LeaveRow):
        await turn.answer(_("There is already a request that overlaps these days."), alert=True)
        return
    await turn.answer(_("Sent"))
    if not filed.secretaries:
        await turn.show(
            _(
                "Your request is saved, but your township has no registered secretary yet to "
                "approve it. Please tell the township office."
            )
        )
        return
    await turn.show(
        _("Your request was sent to the secretary. You will get a message when it is decided.")
    )
    await turn.send_queued()
