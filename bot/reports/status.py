"""/status: a secretary's view of this week's reports so far (on time, late, not yet, on
leave), with the 催交 button while someone's report is not in. Private chat only: it names
people."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callbacks import CallbackCodec
from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import STALE, Press
from bot.core.i18n import N_, gettext_for
from bot.core.render import format_date, format_datetime
from bot.core.roles import MANAGERS, Role
from bot.core.text import Html, plain
from bot.core.townships import reruns, township_for
from bot.core.turn import Button, MemberTurn, Turn, member_only
from bot.reports import queries as report_db
from bot.reports.chase import BUTTONS, CHASE_BUTTON, NOT_YOURS, Act, not_in
from bot.week import facts
from bot.week.schedule import week_rules

register_commands(
    CommandSpec("status", N_("Who has submitted this week's report so far"), MANAGERS),
    before="agenda",
)


async def status_view(turn: MemberTurn, township_id: int) -> tuple[Html, list[list[Button]]] | None:
    """This week's reports in the township so far, and the 催交 button when it is due."""
    township = turn.svc.directory.township(township_id)
    if township is None:
        return None
    rules = week_rules(turn.svc.settings, township.code)
    week = rules.current_week(turn.now)
    async with turn.svc.transaction() as session:
        weeks = await facts.cadre_weeks(session, township_id, week, rules, turn.now)
        chase = await report_db.chase_of(session, township_id, week)
    away = [w.name for w in weeks if w.fully_exempt]
    window = rules.window(week)
    text = turn.svc.renderer.render(
        "reports/status.html.j2",
        turn.lang,
        township=township.name,
        week=format_date(week, turn.lang, False),
        deadline=format_datetime(window.deadline, rules.tz, turn.lang) if window else "—",
        on_time=[w.name for w in weeks if w.report == "on_time"],
        late=[w.name for w in weeks if w.report == "late"],
        not_yet=[w.name for w in not_in(weeks)],
        away=away,
        chase=chase,
        chase_at=format_datetime(chase.at, rules.tz, turn.lang) if chase else "",
    )
    rows: list[list[Button]] = []
    if not_in(weeks) and chase is None:
        rows.append(
            [BUTTONS.button(turn, turn._(CHASE_BUTTON), Act.CHASE, township_id, f"{week:%Y%m%d}")]
        )
    return text, rows


STATUS_BUTTON = N_("📋 Who has submitted this week")


def status_button(turn: Turn, township_id: int) -> Button:
    """Opens /status for the township (under the agenda)."""
    return BUTTONS.button(turn, turn._(STATUS_BUTTON), Act.STATUS, township_id)


def status_markup(codec: CallbackCodec, township_id: int, language: str, owner: int) -> Any:
    """The same button under a message to a secretary (`owner`), signed for them."""
    label = plain(gettext_for(language)(STATUS_BUTTON))
    data = codec.sign(codec.action(BUTTONS.code, Act.STATUS, township_id), owner)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]]).to_dict()


@BUTTONS.on(Act.STATUS)
async def status_pressed(turn: MemberTurn, press: Press) -> None:
    township_id = press.number(0)
    if not turn.actor.manages(township_id):
        await turn.answer(turn._(NOT_YOURS), alert=True)
        return
    view = await status_view(turn, township_id)
    if view is None:
        await turn.answer(turn._(STALE), alert=True)
        return
    await turn.answer()
    await turn.send(*view)


@member_only(Role.SECRETARY, Role.ADMIN)
@reruns("status")
async def status_command(turn: MemberTurn) -> None:
    township_id = await township_for(
        turn, (Role.SECRETARY, Role.ADMIN), "status", turn._("No township is configured yet.")
    )
    if township_id is None:
        return
    view = await status_view(turn, township_id)
    if view is not None:
        await turn.send(*view)
