"""/status: a secretary's view of this week's reports so far (on time, late, not yet, on
leave), with the 催交 button while someone's report is not in. Private chat only: it names
people."""

from __future__ import annotations

from bot.core.commands import CommandSpec, register_commands
from bot.core.i18n import N_
from bot.core.render import format_date, format_datetime
from bot.core.roles import MANAGERS, Role
from bot.core.text import Html
from bot.core.townships import reruns, township_for
from bot.core.turn import Button, MemberTurn, member_only
from bot.reports import queries as report_db
from bot.reports.chase import BUTTONS, CHASE_BUTTON, Act, not_in
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
    away = [w.name for w in weeks if w.status.fully_exempt]
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
