"""/calendar: an admin pastes the State Council's holiday notice, checks the days the bot
read from it and stores them with ✅, or drops them with ✖️. The work calendar uses them at
once (bot/calendar/queries.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.calendar import queries as calendar_db
from bot.calendar.rules import NoticeError, parse_notice
from bot.calendar.views import day_line, replaces_text, source_text, stored_text, summary
from bot.core.calendar import NoticeDay
from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import flow
from bot.core.i18n import N_
from bot.core.roles import Role
from bot.core.text import Html, clean_text, join_html
from bot.core.turn import App, Context, FlowState, Turn, admitted, member_only
from bot.week.schedule import work_calendar

FLOW = "calendar"
ADMINS = (Role.ADMIN,)
STALE = N_("This button is from an old message and no longer works.")

register_commands(
    CommandSpec(
        "calendar", N_("Import next year's holidays (State Council notice)"), frozenset(ADMINS)
    )
)


@member_only(*ADMINS)
async def calendar_command(turn: Turn) -> None:
    _ = turn._
    this_year = turn.now.astimezone(turn.svc.settings.tz).year
    async with turn.svc.transaction() as session:
        await calendar_db.refresh(session, turn.svc.settings)
        imported = await calendar_db.imported_years(session)
        await turn.set_state(session, FLOW, "notice", {})
    calendar = work_calendar(turn.svc.settings)
    tz = turn.svc.settings.tz
    known = join_html(
        source_text(_, calendar, year, imported, tz) for year in (this_year, this_year + 1)
    )
    await turn.send(
        Html("🗓 <b>{}</b>\n{}\n\n{}").format(
            _("Holiday calendar"),
            known,
            _(
                "Paste the State Council's notice (国务院办公厅关于XXXX年部分节假日安排的通知) "
                "as published, from its title to the last arrangement. I will show the days "
                "I read from it before anything is stored. Send /cancel to stop."
            ),
        )
    )


@flow(FLOW)
async def on_message(turn: Turn, state: FlowState) -> None:
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
            Html("⚠️ {}\n{}").format(
                exc.text(_), _("Nothing was stored. Paste the whole notice again, or /cancel.")
            )
        )
        return
    days = notice.days()
    async with turn.svc.transaction() as session:
        imported = await calendar_db.imported_years(session)
        version = await turn.set_state(
            session,
            FLOW,
            "confirm",
            {"year": notice.year, "days": [_day_data(d) for d in days]},
        )
    replaces = replaces_text(
        _, work_calendar(turn.svc.settings), notice.year, imported, turn.svc.settings.tz
    )
    await turn.send(
        _preview(turn, notice.year, days, replaces),
        [
            [
                (_("✅ Store"), turn.cb("cal", "ok", version)),
                (_("✖️ Cancel"), turn.cb("cal", "no", version)),
            ]
        ],
    )


def _preview(
    turn: Turn, year: int, days: list[NoticeDay], replaces: Html, done: Html | None = None
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
    )


def _day_data(day: NoticeDay) -> list[Any]:
    return [day.day.isoformat(), day.is_workday, day.holiday]


def _days_from(data: dict[str, Any]) -> tuple[int, list[NoticeDay]]:
    year = int(data["year"])
    return year, [
        NoticeDay(date.fromisoformat(str(d)), bool(w), str(name), year)
        for d, w, name in data["days"]
    ]


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn, ADMINS):
        return
    assert turn.actor is not None
    _ = turn._
    parts = turn.callback_parts()
    state = turn.flow_state
    if (
        not parts
        or len(parts) != 2
        or parts[0] not in ("ok", "no")
        or state is None
        or state.flow != FLOW
        or state.step != "confirm"
        or parts[1] != str(state.version)
    ):
        await turn.answer(_(STALE), True)
        return
    year, days = _days_from(state.data)
    stored = None
    async with turn.svc.transaction() as session:
        if not await turn.take_state(session, FLOW, state.version):
            await turn.answer(_(STALE), True)
            return
        if parts[0] == "ok":
            stored = await calendar_db.store_days(
                session, year, days, turn.now, actor_member_id=turn.actor.member_id, via="chat"
            )
    if stored is not None:
        async with turn.svc.transaction() as session:
            await calendar_db.reload(session, turn.svc.settings)
    await turn.answer()
    done = Html("{} {}").format(
        *(
            ("✅", stored_text(_, stored))
            if stored is not None
            else ("✖️", _("Cancelled: nothing was stored."))
        )
    )
    await turn.show(_preview(turn, year, days, Html(""), done))


def register(app: App) -> None:
    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^cal:"))
