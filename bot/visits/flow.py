"""/visit, the flow: a field visit (下乡记录) logged in a few taps plus anything typed.

The log being written is the flow's draft (`bot.visits.actions.Draft`), kept in the
database, so it survives a restart and, set aside by another command, is offered back by
the next /visit. It belongs to one township, the one /visit was started for: only that
township's villages are offered, and the log counts there only. Location and photo are
optional and never required.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.dates import Direction, parse_day
from bot.core.db import members as member_db
from bot.core.flows import BadPress, Press
from bot.core.roles import Role
from bot.core.text import clean_line, clean_text, quoted
from bot.core.turn import MemberTurn
from bot.visits import service
from bot.visits import views as v
from bot.visits.actions import VISIT, Act, Ctx, Draft, Step
from bot.visits.queries import VisitRow
from bot.visits.rules import (
    MAX_PROBLEMS,
    MAX_SCREENINGS,
    NOTES_MAX,
    PROBLEM_MAX,
    CountProblem,
    can_link,
    read_count,
    suggest_names,
    toggled,
    with_notes,
)
from bot.week.place import Place, day_label, place_of, too_long

# A photo's caption is added to the notes where typed text is.
CAPTION_STEPS = frozenset({Step.CARD})
COUNT_PROBLEMS = {
    CountProblem.NOT_A_NUMBER: v.NOT_A_COUNT,
    CountProblem.TOO_LARGE: v.TOO_MANY_SCREENINGS,
}


def cadre_place_of(turn: MemberTurn, township_id: int) -> Place | None:
    """The township `township_id` when the member is a cadre there."""
    if not turn.actor.has_role(Role.CADRE, township_id):
        return None
    return place_of(turn, township_id)


def draft_of(row: VisitRow) -> Draft:
    """A saved log, to edit."""
    return Draft(
        township_id=row.township_id,
        visit_id=row.id,
        village_id=row.village_id,
        day=row.visit_date,
        original_day=row.visit_date,
        activities=list(row.activities),
        screenings=row.dispute_screenings,
        problems=list(row.problems),
        notes=row.notes,
        lat=row.lat,
        lon=row.lon,
        photo=row.photo_file_id,
    )


# --- starting, and showing the step the flow is at ---------------------------------------


def _resumed_step(draft: Draft, step: Step) -> Step:
    return Step.CARD if draft.village_id is not None else Step.VILLAGE


async def start(turn: MemberTurn, place: Place) -> None:
    """A new log in `place`, or the member's unfinished one there (active, or set aside by
    another command)."""
    async with turn.svc.transaction() as session:
        resumed = await VISIT.resume(
            turn, session, lambda d: d.township_id == place.township_id, _resumed_step
        )
        if resumed is None:
            draft = Draft(township_id=place.township_id, day=place.rules.today(turn.now))
            ctx = await VISIT.start(turn, session, Step.VILLAGE, draft)
            assigned = await member_db.assigned_village_ids(session, turn.actor.member_id)
    if resumed is not None:
        await present(resumed, place, edit=False, note=turn._(v.RESUMED))
        return
    await v.put(turn, v.village_picker(ctx, place, assigned), edit=False)


async def _village_view(ctx: Ctx, place: Place) -> v.View:
    async with ctx.turn.svc.transaction() as session:
        assigned = await member_db.assigned_village_ids(session, ctx.turn.actor.member_id)
    return v.village_picker(ctx, place, assigned)


async def _card_view(ctx: Ctx, place: Place) -> v.View:
    return v.card(ctx, place)


async def _date_view(ctx: Ctx, place: Place) -> v.View:
    return v.date_picker(ctx, place)


async def _problem_view(ctx: Ctx, place: Place) -> v.View:
    return v.problem_prompt(ctx)


async def _screenings_view(ctx: Ctx, place: Place) -> v.View:
    return v.screenings_prompt(ctx)


PROMPTS: dict[Step, Callable[[Ctx, Place], Awaitable[v.View]]] = {
    Step.VILLAGE: _village_view,
    Step.CARD: _card_view,
    Step.DATE: _date_view,
    Step.PROBLEM: _problem_view,
    Step.SCREENINGS: _screenings_view,
}


async def present(ctx: Ctx, place: Place, *, edit: bool, note: str = "") -> None:
    """Show the step the flow is at: on the pressed message, or as a new one under what was
    sent (with `note` saying what was done with it, or what was wrong)."""
    view = await PROMPTS[ctx.step](ctx, place)
    await v.put(ctx.turn, view.noted(note), edit=edit)


async def advance(ctx: Ctx, place: Place, step: Step, draft: Draft) -> None:
    """A button moved the log on: store it and show `step` on the same message."""
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session, step, draft)
    await ctx.turn.answer()
    await present(ctx, place, edit=True)


async def accept(ctx: Ctx, place: Place, step: Step, draft: Draft, note: str) -> None:
    """Something sent moved the log on: store it and show `step` as a new message."""
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session, step, draft)
    await present(ctx, place, edit=False, note=note)


async def show_saved(turn: MemberTurn, visit_id: int, *, answer: str | None = None) -> None:
    """The card of a stored log of the member's, on the pressed message (whose button is
    answered with `answer`); an alert when the log is gone."""
    async with turn.svc.transaction() as session:
        row = await service.own_log(session, turn.actor.member_id, visit_id)
        place = None if row is None else cadre_place_of(turn, row.township_id)
        saved = (
            None
            if place is None
            else await service.saved_log(session, turn.actor, place, visit_id, turn.now)
        )
    if row is not None and place is None:
        await turn.answer(turn._(v.NOT_A_CADRE_THERE), alert=True)
        return
    if place is None or saved is None:
        await turn.answer(turn._(v.GONE), alert=True)
        return
    await turn.answer(answer)
    linkable = can_link(saved.row.activities, turn.svc.settings.visits.dispute_activity)
    await v.put(turn, v.saved_card(turn, place, saved, linkable), edit=True)


# --- buttons ------------------------------------------------------------------------------

PlacedPress = Callable[[Ctx, Place, Press], Awaitable[None]]


def on(step: Step | None, *actions: Act) -> Callable[[PlacedPress], PlacedPress]:
    """Handle `actions` at `step` with the log's township, while the member is a cadre
    there (else the button is stale)."""

    def register(func: PlacedPress) -> PlacedPress:
        async def handler(ctx: Ctx, press: Press) -> None:
            place = cadre_place_of(ctx.turn, ctx.draft.township_id)
            if place is None:
                await ctx.stale()
                return
            await func(ctx, place, press)

        VISIT.on(step, *actions)(handler)
        return func

    return register


def _changed(ctx: Ctx, **values: object) -> Draft:
    return ctx.draft.model_copy(update=values)


@on(Step.VILLAGE, Act.VILLAGE)
async def pick_village(ctx: Ctx, place: Place, press: Press) -> None:
    village = v.visit_village(ctx.turn, press.number(0), place.township_id)
    if village is None:
        await ctx.turn.answer(ctx._(v.NOT_IN_TOWNSHIP), alert=True)
        return
    await advance(ctx, place, Step.CARD, _changed(ctx, village_id=village.id))


@on(Step.VILLAGE, Act.VILLAGE_PAGE)
async def village_page(ctx: Ctx, place: Place, press: Press) -> None:
    await advance(ctx, place, Step.VILLAGE, _changed(ctx, page=press.number(0)))


@on(Step.CARD, Act.DAY)
@on(Step.DATE, Act.DAY)
async def pick_day(ctx: Ctx, place: Place, press: Press) -> None:
    day = press.day(0)
    if day not in v.allowed_days(ctx.turn, place, ctx.draft):
        await ctx.turn.answer(ctx._(v.OUTSIDE_WINDOW), alert=True)
        return
    await advance(ctx, place, Step.CARD, _changed(ctx, day=day))


@on(Step.CARD, Act.MORE_DAYS)
async def more_days(ctx: Ctx, place: Place, press: Press) -> None:
    await advance(ctx, place, Step.DATE, ctx.draft)


@on(Step.CARD, Act.ACTIVITY)
async def toggle_activity(ctx: Ctx, place: Place, press: Press) -> None:
    configured = ctx.turn.svc.settings.visits.activities
    index = press.number(0)
    if not 0 <= index < len(configured):
        raise BadPress(0)
    chosen = toggled(ctx.draft.activities, configured[index], configured)
    await advance(ctx, place, Step.CARD, _changed(ctx, activities=chosen))


@on(Step.CARD, Act.SCREENINGS)
async def step_screenings(ctx: Ctx, place: Place, press: Press) -> None:
    count = min(MAX_SCREENINGS, max(0, press.number(0)))
    await advance(ctx, place, Step.CARD, _changed(ctx, screenings=count))


@on(Step.CARD, Act.TYPE_SCREENINGS)
async def ask_screenings(ctx: Ctx, place: Place, press: Press) -> None:
    await advance(ctx, place, Step.SCREENINGS, ctx.draft)


@on(Step.CARD, Act.PROBLEM)
async def ask_problem(ctx: Ctx, place: Place, press: Press) -> None:
    if len(ctx.draft.problems) >= MAX_PROBLEMS:
        await ctx.turn.answer(ctx._(v.TOO_MANY_PROBLEMS).format(n=MAX_PROBLEMS), alert=True)
        return
    await advance(ctx, place, Step.PROBLEM, ctx.draft)


@on(Step.CARD, Act.DROP_PROBLEM)
async def drop_problem(ctx: Ctx, place: Place, press: Press) -> None:
    await advance(ctx, place, Step.CARD, _changed(ctx, problems=ctx.draft.problems[:-1]))


@on(Step.CARD, Act.CLEAR_NOTES)
async def clear_notes(ctx: Ctx, place: Place, press: Press) -> None:
    await advance(ctx, place, Step.CARD, _changed(ctx, notes=""))


@on(Step.DATE, Act.BACK)
@on(Step.PROBLEM, Act.BACK)
@on(Step.SCREENINGS, Act.BACK)
async def back(ctx: Ctx, place: Place, press: Press) -> None:
    await advance(ctx, place, Step.CARD, ctx.draft)


@on(None, Act.CANCEL)
async def cancel(ctx: Ctx, place: Place, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        await ctx.turn.clear_state(session)
    await ctx.turn.answer()
    await ctx.turn.show(ctx._(v.CANCELLED))


def _refusal(ctx: Ctx, place: Place) -> str | None:
    """Why the log cannot be saved yet, if it cannot."""
    draft = ctx.draft
    if draft.village_id is None:
        return v.VILLAGE_FIRST
    if not draft.activities:
        return v.ACTIVITY_FIRST
    if draft.day not in v.allowed_days(ctx.turn, place, draft):
        return v.OUTSIDE_WINDOW
    if v.visit_village(ctx.turn, draft.village_id, place.township_id) is None:
        return v.NOT_IN_TOWNSHIP
    return None


@on(Step.CARD, Act.SAVE)
async def save(ctx: Ctx, place: Place, press: Press) -> None:
    turn, draft = ctx.turn, ctx.draft
    _ = turn._
    refusal = _refusal(ctx, place)
    village = v.visit_village(turn, draft.village_id, place.township_id)
    if refusal is not None or village is None:
        await turn.answer(_(refusal or v.NOT_IN_TOWNSHIP), alert=True)
        return
    member = turn.actor.member_id
    saved = None
    async with turn.svc.transaction() as session:
        # The log leaves the flow in the transaction that stores it: a second tap is stale.
        ended = await ctx.end(session)
        if ended:
            visit_id = await service.save(
                session, member_id=member, place=place, draft=draft, village=village, now=turn.now
            )
            if visit_id is not None:
                saved = await service.saved_log(session, turn.actor, place, visit_id, turn.now)
    if not ended:
        await ctx.stale()
        return
    if saved is None:
        await turn.answer(_(v.GONE), alert=True)
        return
    await turn.answer(_(v.SAVED))
    note = _(v.CHANGES_SAVED) if draft.visit_id else _(v.LOGGED)
    linkable = can_link(saved.row.activities, turn.svc.settings.visits.dispute_activity)
    await v.put(turn, v.saved_card(turn, place, saved, linkable).noted(note), edit=True)


# --- what the member sends ----------------------------------------------------------------

TypedFn = Callable[[Ctx, Place, str], Awaitable[None]]
TYPED: dict[Step, TypedFn] = {}


def typed(step: Step) -> Callable[[TypedFn], TypedFn]:
    """Handle text typed at `step`."""

    def register(func: TypedFn) -> TypedFn:
        TYPED[step] = func
        return func

    return register


@VISIT.on_message(*Step)
async def on_message(ctx: Ctx) -> None:
    """Text goes to the step; a location or a photo is kept at any step."""
    turn = ctx.turn
    _ = turn._
    message = turn.update.effective_message
    place = cadre_place_of(turn, ctx.draft.township_id)
    if message is None or place is None:
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(_(v.ENDED))
        return
    if message.location is not None:
        location = message.location
        draft = _changed(ctx, lat=location.latitude, lon=location.longitude)
        await accept(ctx, place, ctx.step, draft, _(v.LOCATION_RECEIVED))
    elif message.photo:
        draft = _changed(ctx, photo=message.photo[-1].file_id)
        caption = clean_text(message.caption or "")
        notes = with_notes(draft.notes, caption)
        if caption and ctx.step in CAPTION_STEPS and len(notes) <= NOTES_MAX:
            draft = draft.model_copy(update={"notes": notes})
        await accept(ctx, place, ctx.step, draft, _(v.PHOTO_ATTACHED))
    elif message.text:
        await TYPED[ctx.step](ctx, place, message.text)
    else:
        await present(ctx, place, edit=False, note=v.not_text(_, ctx.step))


@typed(Step.VILLAGE)
async def typed_village(ctx: Ctx, place: Place, text: str) -> None:
    _ = ctx._
    name = clean_line(text)
    if not name:
        await present(ctx, place, edit=False, note=v.not_text(_, ctx.step))
        return
    by_name = {
        village.name: village for village in ctx.turn.svc.directory.villages_of(place.township_id)
    }
    exact = by_name.get(name) or by_name.get(f"{name}村")
    if exact is not None:
        await accept(ctx, place, Step.CARD, _changed(ctx, village_id=exact.id), "")
        return
    near = suggest_names(name, list(by_name))
    if not near:
        note = _(v.NO_SUCH_VILLAGE).format(name=quoted(name), township=place.name)
        await accept(ctx, place, Step.VILLAGE, ctx.draft, note)
        return
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session)
    await v.put(ctx.turn, v.suggestions(ctx, place, name, near), edit=False)


@typed(Step.DATE)
async def typed_date(ctx: Ctx, place: Place, text: str) -> None:
    _ = ctx._
    typed_text = clean_line(text)
    # A visit is logged afterwards: 周三 is the last Wednesday, today included.
    day = parse_day(typed_text, place.rules.today(ctx.turn.now), Direction.BACK)
    allowed = v.allowed_days(ctx.turn, place, ctx.draft)
    if day is None:
        note = _(v.NOT_A_DATE).format(text=quoted(typed_text))
    elif day not in allowed:
        note = _(v.DAY_OUTSIDE).format(
            day=day_label(ctx.turn, day),
            first=day_label(ctx.turn, min(allowed)),
            last=day_label(ctx.turn, max(allowed)),
        )
    else:
        await accept(ctx, place, Step.CARD, _changed(ctx, day=day), "")
        return
    await present(ctx, place, edit=False, note=note)


@typed(Step.PROBLEM)
async def typed_problem(ctx: Ctx, place: Place, text: str) -> None:
    _ = ctx._
    line = " ".join(clean_line(text).split())
    if not line:
        await present(ctx, place, edit=False, note=v.not_text(_, ctx.step))
        return
    if len(line) > PROBLEM_MAX:
        await ctx.turn.send(too_long(_, PROBLEM_MAX, len(line)))
        return
    problems = [*ctx.draft.problems, line]
    await accept(ctx, place, Step.CARD, _changed(ctx, problems=problems), _(v.PROBLEM_ADDED))


@typed(Step.CARD)
async def typed_notes(ctx: Ctx, place: Place, text: str) -> None:
    _ = ctx._
    added = clean_text(text)
    if not added:
        await present(ctx, place, edit=False, note=v.not_text(_, ctx.step))
        return
    notes = with_notes(ctx.draft.notes, added)
    if len(notes) > NOTES_MAX:
        await ctx.turn.send(too_long(_, NOTES_MAX, len(notes)))
        return
    await accept(ctx, place, Step.CARD, _changed(ctx, notes=notes), _(v.NOTES_ADDED))


@typed(Step.SCREENINGS)
async def typed_screenings(ctx: Ctx, place: Place, text: str) -> None:
    _ = ctx._
    count = read_count(text, MAX_SCREENINGS)
    if isinstance(count, CountProblem):
        note = _(COUNT_PROBLEMS[count]).format(text=quoted(clean_line(text)), max=MAX_SCREENINGS)
        await present(ctx, place, edit=False, note=note)
        return
    note = _(v.SCREENINGS_SET).format(n=count)
    await accept(ctx, place, Step.CARD, _changed(ctx, screenings=count), note)
