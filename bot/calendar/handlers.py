"""/calendar: an admin pastes the State Council's holiday notice, checks the days the bot
read from it and stores them with ✅, or drops them with ✖️. The work calendar uses them at
once (bot/calendar/queries.py)."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import BaseModel
from telegram.ext import CommandHandler

from bot.calendar import queries as calendar_db
from bot.calendar.rules import NoticeError, parse_notice
from bot.calendar.views import day_line, replaces_text, source_text, stored_text, summary
from bot.core.calendar import NoticeDay
from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import Flow, FlowTurn, Press
from bot.core.i18n import N_
from bot.core.roles import Role
from bot.core.text import Html, clean_text
from bot.core.turn import App, MemberTurn, Turn, admitted, member_only
from bot.week.schedule import work_calendar

ADMINS = (Role.ADMIN,)


class Step(enum.StrEnum):
    NOTICE = "notice"
    CONFIRM = "confirm"


class Act(enum.StrEnum):
    STORE = "ok"
    CANCEL = "no"


class NoticeDraft(BaseModel):
    """The days read from a pasted notice, until the admin stores or drops them."""

    year: int = 0
    days: list[tuple[date, bool, str]] = []

    def notice_days(self) -> list[NoticeDay]:
        return [NoticeDay(day, workday, name, self.year) for day, workday, name in self.days]


CALENDAR: Flow[NoticeDraft, Step] = Flow("calendar", "cal", NoticeDraft, Step, roles=ADMINS)
Ctx = FlowTurn[NoticeDraft, Step]

register_commands(
    CommandSpec(
        "calendar", N_("Import next year's holidays (State Council notice)"), frozenset(ADMINS)
    )
)


@member_only(*ADMINS)
async def calendar_command(turn: MemberTurn) -> None:
    _ = turn._
    this_year = turn.now.astimezone(turn.svc.settings.tz).year
    async with turn.svc.transaction() as session:
        await calendar_db.refresh(session, turn.svc.settings)
        imported = await calendar_db.imported_years(session)
        await CALENDAR.start(turn, session, Step.NOTICE, NoticeDraft())
    calendar = work_calendar(turn.svc.settings)
    tz = turn.svc.settings.tz
    known = [source_text(_, calendar, year, imported, tz) for year in (this_year, this_year + 1)]
    await turn.send(turn.svc.renderer.render("calendar/intro.html.j2", turn.lang, known=known))


@CALENDAR.on_message(Step.NOTICE, Step.CONFIRM)
async def typed_notice(ctx: Ctx) -> None:
    turn = ctx.turn
    _ = turn._
    if not await admitted(turn, ADMINS):
        return
    message = turn.update.effective_message
    text = clean_text(message.text) if message is not None and message.text else ""
    if not text:
        await turn.send(_("Please paste the notice's text, or /cancel."))
        return
    try:
        notice = parse_notice(text)
    except NoticeError as exc:
        await turn.send(
            turn.svc.renderer.render("calendar/unreadable.html.j2", turn.lang, problem=exc.text(_))
        )
        return
    days = notice.days()
    draft = NoticeDraft(year=notice.year, days=[(d.day, d.is_workday, d.holiday) for d in days])
    async with turn.svc.transaction() as session:
        imported = await calendar_db.imported_years(session)
        await ctx.save(session, Step.CONFIRM, draft)
    replaces = replaces_text(
        _, work_calendar(turn.svc.settings), notice.year, imported, turn.svc.settings.tz
    )
    await turn.send(
        _preview(turn, notice.year, days, replaces),
        [[ctx.button(_("✅ Store"), Act.STORE), ctx.button(_("✖️ Cancel"), Act.CANCEL)]],
    )


def _preview(
    turn: Turn,
    year: int,
    days: list[NoticeDay],
    replaces: Html,
    done: Html | None = None,
    stored: bool = False,
) -> Html:
    _ = turn._
    return turn.svc.renderer.render(
        "calendar/preview.html.j2",
        turn.lang,
        year=year,
        lines=[day_line(d, weekday=True) for d in days],
        summary=summary(_, year, days),
        replaces=replaces,
        done=done or "",
        stored=stored,
    )


@CALENDAR.on(Step.CONFIRM, Act.STORE, Act.CANCEL)
async def decide(ctx: Ctx, press: Press) -> None:
    turn = ctx.turn
    _ = turn._
    year, days = ctx.draft.year, ctx.draft.notice_days()
    stored = None
    async with turn.svc.transaction() as session:
        if not await ctx.end(session):
            await ctx.stale()
            return
        if press.action == Act.STORE:
            stored = await calendar_db.store_days(
                session, year, days, turn.now, actor_member_id=turn.actor.member_id, via="chat"
            )
    if stored is not None:
        async with turn.svc.transaction() as session:
            await calendar_db.reload(session, turn.svc.settings)
    await turn.answer()
    done = stored_text(_, stored) if stored is not None else _("Cancelled: nothing was stored.")
    await turn.show(_preview(turn, year, days, Html(""), done, stored is not None))


def register(app: App) -> None:
    app.add_handler(CommandHandler("calendar", calendar_command))
    CALENDAR.register(app)
