"""/me: this week's field days, screenings, problems solved, leave and report status;
/me last: the previous week."""

from __future__ import annotations

from datetime import date, timedelta

from telegram.ext import CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.i18n import N_
from bot.core.render import format_span
from bot.core.roles import Role
from bot.core.townships import reruns
from bot.core.turn import App, MemberTurn, Turn, member_only
from bot.leave import queries as leave_db
from bot.reports import queries as report_db
from bot.visits import queries as visit_db
from bot.week import facts
from bot.week.place import Place, cadre_place, day_label, leave_kind_label, report_line
from bot.week.rules import previous_week

register_commands(
    CommandSpec(
        "me",
        N_("My week: field days, quotas, report (/me last: last week)"),
        frozenset({Role.CADRE}),
    ),
)


@member_only(Role.CADRE)
@reruns("me")
async def me_command(turn: MemberTurn) -> None:
    _ = turn._
    place = await cadre_place(turn, "me")
    if place is None:
        return
    args = [a.lower() for a in turn.context.args or []]
    this_week = place.rules.current_week(turn.now)
    if args and args[0] in {"last", "上周"}:
        await turn.send(await render_week(turn, place, previous_week(this_week), last=True))
    elif args:
        await turn.send(_("Send /me for this week, or /me last for the previous week."))
    else:
        await turn.send(await render_week(turn, place, this_week, last=False))


async def render_week(turn: Turn, place: Place, monday: date, *, last: bool) -> str:
    _ = turn._
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        week = await facts.member_week(
            session, turn.actor.member_id, place.township_id, monday, place.rules, turn.now
        )
        sunday = monday + timedelta(days=6)
        visits = await visit_db.member_visits(
            session, turn.actor.member_id, place.township_id, monday, sunday
        )
        leaves = await leave_db.member_leaves(
            session, turn.actor.member_id, place.township_id, monday, sunday
        )
        draft = await report_db.report_for(session, turn.actor.member_id, place.township_id, monday)
    status, report, submitted_at = week.status, week.report, week.submitted_at
    shortfall = status.shortfall
    still = []
    if shortfall.field_days:
        still.append(_("{n} field day(s)").format(n=shortfall.field_days))
    if shortfall.dispute_screenings:
        still.append(_("{n} dispute screening(s)").format(n=shortfall.dispute_screenings))
    if shortfall.problems_solved:
        still.append(_("{n} problem(s) solved").format(n=shortfall.problems_solved))
    still_text = ""
    if still:
        template = (
            _("Last week fell short by: {items}.")
            if last
            else _("Still needed this week: {items}.")
        )
        still_text = template.format(items="、".join(still))
    return turn.svc.renderer.render(
        "cadre_week/me.html.j2",
        turn.lang,
        title=_("Last week") if last else _("This week"),
        # Named when the member works in several townships, so they know which one this is.
        township=place.name if len(turn.actor.township_ids()) > 1 else "",
        span=format_span(monday, sunday, turn.lang),
        workdays=len(status.workdays),
        exempt_count=len(status.exempt_days),
        fully_exempt=status.fully_exempt,
        fd=status.done.field_days,
        fdr=status.required.field_days,
        fd_met=status.field_days_met,
        s=status.done.dispute_screenings,
        sr=status.required.dispute_screenings,
        s_met=status.dispute_screenings_met,
        p=status.done.problems_solved,
        pr=status.required.problems_solved,
        p_met=status.problems_solved_met,
        field_days=[
            {"day": day_label(turn, d.day), "villages": d.villages} for d in status.field_days
        ],
        leaves=[
            {
                "range": _range(turn, max(row.start, monday), min(row.end, sunday)),
                "kind": leave_kind_label(_, row.kind),
                "pending": row.status == "pending",
            }
            for row in leaves
        ],
        report=report_line(
            turn,
            place,
            monday,
            report,
            submitted_at,
            has_draft=draft is not None and submitted_at is None,
        ),
        still=still_text,
        visits=len(visits),
    )


def _range(turn: Turn, start: date, end: date) -> str:
    if start == end:
        return day_label(turn, start)
    return f"{day_label(turn, start)} – {day_label(turn, end)}"


def register(app: App) -> None:
    app.add_handler(CommandHandler("me", me_command))
