"""/report: the Friday report (周五交账).

A draft can be started any time; submission opens in the window (default Thursday 12:00 to
Friday 18:00, township time). The digest section (本周完成) is pre-filled from the week's
visit logs, so a cadre who logged visits submits with one tap. Each section can be replaced
or appended to over several messages; text typed while no section is open waits until the
cadre taps the section it belongs to. Editing is allowed until the deadline; a first
submission after it is accepted and flagged late; every submission is kept as a revision.
The report's text lives in `weekly_reports.draft`, the conversation in `conversation_states`
(`bot.reports.flow`), so nothing is lost across a restart.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.config import ReportConfig
from bot.core.flows import BadPress, Press
from bot.core.i18n import N_
from bot.core.models import WeeklyReport
from bot.core.roles import Role
from bot.core.text import Html, clean_text
from bot.core.townships import reruns
from bot.core.turn import App, Button, MemberTurn, member_only
from bot.reports import chase, rules, service, status, views
from bot.reports.flow import REPORT, Act, Ctx, ReportDraft, Step
from bot.reports.rules import Mode, Refusal
from bot.week.place import Place, cadre_place, moment_label, place_of, too_long
from bot.week.weeks import previous_week

register_commands(
    CommandSpec(
        "report", N_("Write and submit the weekly report (周五交账)"), frozenset({Role.CADRE})
    ),
)


def _config(turn: MemberTurn) -> ReportConfig:
    return turn.svc.settings.report


# --- /report, /report last -----------------------------------------------------------------


@member_only(Role.CADRE)
@reruns("report")
async def report_command(turn: MemberTurn) -> None:
    args = [a.lower() for a in turn.context.args or []]
    if args and args[0] in {"last", "上周"}:
        await report_last(turn)
    else:
        await open_report(turn, "report", last=False)


@reruns("report_last")
async def report_last(turn: MemberTurn) -> None:
    await open_report(turn, "report_last", last=True)


async def open_report(turn: MemberTurn, command: str, *, last: bool) -> None:
    """The week's report card in the cadre's township (this week's, or last week's); text
    typed on the card and not yet placed is asked about again."""
    place = await cadre_place(turn, command)
    if place is None:
        return
    config = _config(turn)
    this_week = place.rules.current_week(turn.now)
    monday = previous_week(this_week) if last else this_week
    member_id = turn.actor.member_id
    async with turn.svc.transaction() as session:
        report = await service.open_week(
            session,
            member_id=member_id,
            township_id=place.township_id,
            monday=monday,
            config=config,
            digest=lambda visits: views.digest(turn, visits, config.section_limit),
            now=turn.now,
        )
        ctx = await REPORT.resume(
            turn,
            session,
            lambda d: d.report_id == report.id and bool(d.waiting),
            lambda _d, _s: Step.WHERE,
        )
        if ctx is None:
            draft = ReportDraft(report_id=report.id, township_id=place.township_id)
            ctx = await REPORT.start(turn, session, Step.CARD, draft)
        sheet = await service.sheet(session, report)
        missing = not last and await service.last_week_missing(
            session, member_id, place.township_id, this_week, place.rules, turn.now
        )
    if ctx.step == Step.WHERE:
        await views.show_where(ctx, edit=False)
        return
    await views.show_card(
        ctx, place, sheet, edit=False, note=turn._(views.LAST_WEEK_MISSING) if missing else ""
    )


# --- buttons -------------------------------------------------------------------------------


async def _report(ctx: Ctx, session: AsyncSession) -> tuple[Place, WeeklyReport] | None:
    """The flow's report and township, while the cadre still works there."""
    place = place_of(ctx.turn, ctx.draft.township_id)
    if place is None:
        return None
    report = await service.report_of(
        session, ctx.draft.report_id, ctx.turn.actor.member_id, place.township_id
    )
    return None if report is None else (place, report)


def _editable(ctx: Ctx, place: Place, report: WeeklyReport) -> bool:
    window = place.rules.window(report.week_start)
    return rules.can_edit(window, report.first_submitted_at, ctx.turn.now)


def _section_index(ctx: Ctx, press: Press) -> int:
    index = press.number(0)
    if not 0 <= index < len(_config(ctx.turn).sections):
        raise BadPress(0)
    return index


@REPORT.on(Step.CARD, Act.CLOSE)
async def close(ctx: Ctx, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        found = await _report(ctx, session)
        ended = found is not None and await ctx.end(session)
    if found is None or not ended:
        await ctx.stale()
        return
    _ = ctx.turn._
    await ctx.turn.answer()
    await ctx.turn.show(_(views.CLOSED if found[1].first_submitted_at else views.CLOSED_DRAFT))


@REPORT.on(Step.CARD, Act.SECTION)
async def open_section(ctx: Ctx, press: Press) -> None:
    index = _section_index(ctx, press)
    name = _config(ctx.turn).sections[index]
    async with ctx.turn.svc.transaction() as session:
        found = await _report(ctx, session)
        if found is None:
            await ctx.stale()
            return
        place, report = found
        if not _editable(ctx, place, report):
            await ctx.turn.answer(ctx.turn._(views.NOT_NOW), alert=True)
            return
        mode = Mode.APPEND if report.draft.get(name) else Mode.REPLACE
        draft = ctx.draft.model_copy(
            update={"section": index, "mode": mode, "fresh": mode == Mode.REPLACE}
        )
        await ctx.save(session, Step.SECTION, draft)
    await ctx.turn.answer()
    await views.show_section(ctx, report, edit=True)


@REPORT.on(Step.SECTION, Act.MODE, Act.CLEAR)
async def section_mode(ctx: Ctx, press: Press) -> None:
    mode = Mode.REPLACE if press.action == Act.CLEAR else Mode(press.choice(0, list(Mode)))
    config = _config(ctx.turn)
    async with ctx.turn.svc.transaction() as session:
        found = await _report(ctx, session)
        if found is None:
            await ctx.stale()
            return
        place, report = found
        if not _editable(ctx, place, report):
            await ctx.turn.answer(ctx.turn._(views.NOT_NOW), alert=True)
            return
        if press.action == Act.CLEAR:
            name = config.sections[ctx.draft.section or 0]
            await service.set_section(session, report, name, "", config=config, now=ctx.turn.now)
        draft = ctx.draft.model_copy(update={"mode": mode, "fresh": mode == Mode.REPLACE})
        await ctx.save(session, draft=draft)
    await ctx.turn.answer()
    await views.show_section(ctx, report, edit=True)


@REPORT.on(Step.SECTION, Act.DONE)
async def section_done(ctx: Ctx, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        found = await _report(ctx, session)
        if found is None:
            await ctx.stale()
            return
        place, report = found
        draft = ctx.draft.model_copy(update={"section": None, "mode": Mode.APPEND, "fresh": False})
        await ctx.save(session, Step.CARD, draft)
        sheet = await service.sheet(session, report)
    await ctx.turn.answer()
    await views.show_card(ctx, place, sheet, edit=True)


@REPORT.on(Step.CARD, Act.SUBMIT)
async def submit(ctx: Ctx, press: Press) -> None:
    turn = ctx.turn
    async with turn.svc.transaction() as session:
        found = await _report(ctx, session)
        current = await turn.state(session)
        if found is None or current is None or current.version != ctx.version:
            await ctx.stale()
            return
        place, report = found
        outcome = await _submit(ctx, session, place, report)
    _ = turn._
    if isinstance(outcome, Refusal):
        await turn.answer(_refusal(ctx, place, report, outcome), alert=True)
        return
    number, late, sheet = outcome
    if number > 1:
        note = _(views.CHANGES_SUBMITTED).format(n=number)
    else:
        note = _(views.SUBMITTED_AFTER if late else views.SUBMITTED_ON_TIME)
    await turn.answer(_(views.SUBMITTED_LATE if late and number == 1 else views.SUBMITTED))
    await views.show_card(ctx, place, sheet, edit=True, note=note)


async def _submit(
    ctx: Ctx, session: AsyncSession, place: Place, report: WeeklyReport
) -> Refusal | tuple[int, bool, service.Sheet]:
    turn = ctx.turn
    config = _config(turn)
    window = place.rules.window(report.week_start)
    refusal = rules.submit_refusal(
        window, report.first_submitted_at, report.draft, config.sections, turn.now
    )
    if refusal is not None:
        return refusal
    number, late = await service.submit(
        session, report, place.rules, config=config, member_id=turn.actor.member_id, now=turn.now
    )
    await ctx.save(session)
    return number, late, await service.sheet(session, report)


def _refusal(ctx: Ctx, place: Place, report: WeeklyReport, refusal: Refusal) -> Html:
    _ = ctx.turn._
    window = place.rules.window(report.week_start)
    if refusal == Refusal.NOT_OPEN and window is not None:
        opens = moment_label(ctx.turn, window.opens_at, place.rules)
        return _(views.OPENS).format(opens=opens)
    return _(views.EMPTY if refusal == Refusal.EMPTY else views.NOT_NOW)


@REPORT.on(Step.WHERE, Act.PUT)
async def put_waiting(ctx: Ctx, press: Press) -> None:
    index = _section_index(ctx, press)
    config = _config(ctx.turn)
    name = config.sections[index]
    async with ctx.turn.svc.transaction() as session:
        found = await _report(ctx, session)
        if found is None:
            await ctx.stale()
            return
        place, report = found
        if not _editable(ctx, place, report):
            await ctx.turn.answer(ctx.turn._(views.NOT_NOW), alert=True)
            return
        written = await service.write(
            session,
            report,
            name,
            ctx.draft.waiting,
            replace=False,
            config=config,
            now=ctx.turn.now,
        )
        if written.ok:
            draft = ctx.draft.model_copy(
                update={"section": index, "mode": Mode.APPEND, "fresh": False, "waiting": ""}
            )
            await ctx.save(session, Step.SECTION, draft)
    _ = ctx.turn._
    await ctx.turn.answer()
    if not written.ok:
        note = _(views.TOO_LONG).format(
            section=name, limit=config.section_limit, count=written.count
        )
        await views.show_where(ctx, edit=True, note=note)
        return
    note = _(views.SAVED).format(section=name, count=written.count, limit=config.section_limit)
    await views.show_section(ctx, report, edit=True, note=note)


@REPORT.on(Step.WHERE, Act.DROP)
async def drop_waiting(ctx: Ctx, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        found = await _report(ctx, session)
        if found is None:
            await ctx.stale()
            return
        place, report = found
        await ctx.save(session, Step.CARD, ctx.draft.model_copy(update={"waiting": ""}))
        sheet = await service.sheet(session, report)
    await ctx.turn.answer()
    await views.show_card(ctx, place, sheet, edit=True, note=ctx.turn._(views.DROPPED))


# --- typed text ----------------------------------------------------------------------------


def _typed(ctx: Ctx) -> str:
    """The text of the message, cleaned; "" for a photo, a sticker or control characters."""
    message = ctx.turn.update.effective_message
    return clean_text(message.text) if message is not None and message.text else ""


Reply = tuple[Html, list[list[Button]]]


async def _gone(ctx: Ctx, session: AsyncSession) -> Reply:
    await ctx.turn.clear_state(session)
    return ctx.turn._(views.GONE), []


@REPORT.on_message(Step.SECTION)
async def type_into_section(ctx: Ctx) -> None:
    text = _typed(ctx)
    async with ctx.turn.svc.transaction() as session:
        message, rows = await _write_typed(ctx, session, text)
    await ctx.turn.send(message, rows)


async def _write_typed(ctx: Ctx, session: AsyncSession, text: str) -> Reply:
    turn = ctx.turn
    _ = turn._
    config = _config(turn)
    name = config.sections[ctx.draft.section or 0]
    if not text:
        return _(views.NOT_TEXT), views.section_rows(turn, ctx.button, ctx.draft.mode)
    found = await _report(ctx, session)
    if found is None:
        return await _gone(ctx, session)
    if not _editable(ctx, *found):
        return _(views.NOT_NOW), []
    replace = ctx.draft.mode == Mode.REPLACE and ctx.draft.fresh
    written = await service.write(
        session, found[1], name, text, replace=replace, config=config, now=turn.now
    )
    limit = config.section_limit
    if not written.ok:
        message = _(views.TOO_LONG).format(section=name, limit=limit, count=written.count)
        return message, views.section_rows(turn, ctx.button, ctx.draft.mode)
    await ctx.save(
        session, draft=ctx.draft.model_copy(update={"mode": Mode.APPEND, "fresh": False})
    )
    message = _(views.SAVED).format(section=name, count=written.count, limit=limit)
    return message, views.section_rows(turn, ctx.button, Mode.APPEND)


@REPORT.on_message(Step.CARD)
async def type_on_card(ctx: Ctx) -> None:
    """Text typed on the card is never put anywhere by itself: the cadre is asked which
    section it belongs to, and it waits in the flow's draft until they tap one."""
    turn = ctx.turn
    _ = turn._
    limit = _config(turn).section_limit
    text = _typed(ctx)
    reply: Reply | None = None
    card: tuple[Place, service.Sheet] | None = None
    async with turn.svc.transaction() as session:
        found = await _report(ctx, session)
        if found is None:
            reply = await _gone(ctx, session)
        elif not _editable(ctx, *found):
            reply = _(views.NOT_NOW), []
        elif len(text) > limit:
            reply = too_long(_, limit, len(text)), []
        elif text:
            await ctx.save(session, Step.WHERE, ctx.draft.model_copy(update={"waiting": text}))
        else:
            card = found[0], await service.sheet(session, found[1])
    if reply is not None:
        await turn.send(*reply)
    elif card is not None:
        await views.show_card(ctx, *card, edit=False, note=_(views.TAP_A_SECTION))
    else:
        await views.show_where(ctx, edit=False)


@REPORT.on_message(Step.WHERE)
async def type_while_asked(ctx: Ctx) -> None:
    """More text while the bot asks where the first goes: it joins the waiting text."""
    turn = ctx.turn
    _ = turn._
    limit = _config(turn).section_limit
    text = _typed(ctx)
    combined = rules.combine(ctx.draft.waiting, text, replace=False)
    if not text:
        await views.show_where(ctx, edit=False, note=_(views.NOT_TEXT))
    elif len(combined) > limit:
        note = _(views.WAITING_TOO_LONG).format(count=len(combined), limit=limit)
        await views.show_where(ctx, edit=False, note=note)
    else:
        async with turn.svc.transaction() as session:
            await ctx.save(session, draft=ctx.draft.model_copy(update={"waiting": combined}))
        await views.show_where(ctx, edit=False)


def register(app: App) -> None:
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(CommandHandler("status", status.status_command))
    chase.BUTTONS.register(app)
    REPORT.register(app)
