"""The steps a cadre's request and a secretary's recording share: the kind, the days (a
button, or typed), the reason, cancelling, and asking again for what a request set aside
was waiting for. Registered on both flows' tables below."""

from __future__ import annotations

from datetime import date

from bot.core.dates import Direction, parse_day_range
from bot.core.db import members as member_db
from bot.core.flows import Press
from bot.leave import service, views
from bot.leave.flow import KIND_ARGS, RECORD, REQUEST, Act, LeaveDraft, Step
from bot.leave.rules import REASON_MAX, clean_reason
from bot.leave.views import LeaveTurn
from bot.week.place import Place, place_of, too_long


async def end_lost(ctx: LeaveTurn) -> None:
    """The request cannot go on (the member no longer works in its township): the flow
    ends and they are told."""
    async with ctx.turn.svc.transaction() as session:
        await ctx.end(session)
    await ctx.turn.answer()
    await ctx.turn.show(views.lost(ctx._))


async def place_or_end(ctx: LeaveTurn) -> Place | None:
    place = place_of(ctx.turn, ctx.draft.township_id)
    if place is None:
        await end_lost(ctx)
    return place


async def pick_kind(ctx: LeaveTurn, press: Press) -> None:
    kind = KIND_ARGS[press.choice(0, tuple(KIND_ARGS))]
    place = await place_or_end(ctx)
    if place is None:
        return
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session, Step.DATES, ctx.draft.model_copy(update={"kind": kind}))
    await ctx.turn.answer()
    await ctx.turn.show(*views.dates_card(ctx, place.rules.today(ctx.turn.now)))


async def pick_dates(ctx: LeaveTurn, press: Press) -> None:
    start, end = press.day(0), press.day(1)
    place = await place_or_end(ctx)
    if place is None:
        return
    await ctx.turn.answer()
    await ctx.turn.show(*await choose_days(ctx, place, start, end))


async def type_dates(ctx: LeaveTurn) -> None:
    place = await place_or_end(ctx)
    if place is None:
        return
    today = place.rules.today(ctx.turn.now)
    typed = ctx.turn.text()
    # Leave is asked for ahead: 周三 is the next Wednesday, today included.
    span = parse_day_range(typed, today, Direction.AHEAD) if typed else None
    if span is None:
        await ctx.turn.send(*views.dates_card(ctx, today, views.unreadable(ctx.turn, typed)))
        return
    await ctx.turn.send(*await choose_days(ctx, place, *span))


async def choose_days(
    ctx: LeaveTurn, place: Place, start: date, end: date, *notes: str
) -> views.Card:
    """Check the days (the window, overlaps in the township); then ask for the reason, or
    show the request to confirm when its reason is already there (a request taken back up).
    Days that do not fit are asked for again, the reason kept."""
    turn = ctx.turn
    today = place.rules.today(turn.now)
    member_id = ctx.draft.member_id
    async with turn.svc.transaction() as session:
        if member_id is None:
            await ctx.end(session)
            return views.lost(ctx._), []
        problem = await service.days_problem(
            session, member_id, place.township_id, start, end, today
        )
        if problem is None:
            draft = ctx.draft.model_copy(update={"start": start, "end": end})
            await ctx.save(session, Step.CONFIRM if draft.reason else Step.REASON, draft)
            who = await member_db.contact(session, member_id)
        elif ctx.step is not Step.DATES:
            await ctx.save(
                session, Step.DATES, ctx.draft.model_copy(update={"start": None, "end": None})
            )
    if problem is not None:
        return views.dates_card(ctx, today, *notes, views.problem_text(turn, problem, today))
    if ctx.step is Step.CONFIRM:
        return views.confirm_card(ctx, place, who.name if who else "", start, end, *notes)
    return views.reason_card(ctx, start, end, *notes)


async def type_reason(ctx: LeaveTurn) -> None:
    turn, _ = ctx.turn, ctx._
    message = turn.update.effective_message
    reason = clean_reason(message.text) if message is not None and message.text else ""
    if len(reason) > REASON_MAX:
        await turn.send(too_long(_, REASON_MAX, len(reason)))
        return
    if not reason:
        await turn.send(_("Please type the reason as text."))
        return
    place = place_of(turn, ctx.draft.township_id)
    draft = ctx.draft.model_copy(update={"reason": reason})
    filing = draft.filing()
    if place is None or filing is None:
        await end_lost(ctx)
        return
    async with turn.svc.transaction() as session:
        await ctx.save(session, Step.CONFIRM, draft)
        who = await member_db.contact(session, filing.member_id)
    await turn.send(
        *views.confirm_card(ctx, place, who.name if who else "", filing.start, filing.end)
    )


async def cancel(ctx: LeaveTurn, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        ended = await ctx.end(session)
    if not ended:
        await ctx.stale()
        return
    await ctx.turn.answer()
    await ctx.turn.show(ctx._("Cancelled; nothing was recorded."))


def resume_at(draft: LeaveDraft, step: Step) -> Step:
    """Where a request set aside is taken back up: the first thing it still needs."""
    if draft.start is None or draft.end is None:
        return Step.DATES
    return Step.CONFIRM if draft.reason else Step.REASON


async def ask_again(ctx: LeaveTurn, place: Place) -> None:
    """Ask again for what a request taken back up was waiting for: its days, its reason or
    the confirmation. Days may have passed since they were chosen: they are checked again
    (and asked for again, the reason kept, when they no longer fit)."""
    note = ctx._("You have an unfinished leave request; here it is.")
    start, end = ctx.draft.start, ctx.draft.end
    if start is None or end is None:
        today = place.rules.today(ctx.turn.now)
        await ctx.turn.send(*views.dates_card(ctx, today, note))
        return
    await ctx.turn.send(*await choose_days(ctx, place, start, end, note))


for flow in (REQUEST, RECORD):
    flow.on(Step.KIND, Act.KIND)(pick_kind)
    flow.on(Step.DATES, Act.DATES)(pick_dates)
    flow.on_message(Step.DATES)(type_dates)
    flow.on_message(Step.REASON)(type_reason)
    flow.on(None, Act.CANCEL)(cancel)
