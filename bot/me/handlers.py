"""/me: this week's field days, screenings, problems solved, leave and report status;
/me last: the previous week."""

from __future__ import annotations

from datetime import date, timedelta

from telegram.ext import CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.i18n import N_
from bot.core.render import format_span, listing
from bot.core.roles import Role
from bot.core.townships import reruns
from bot.core.turn import App, MemberTurn, Turn, member_only
from bot.leave import queries as leave_db
from bot.reports import queries as report_db
from bot.visits import queries as visit_db
from bot.week import facts
from bot.week.place import Place, cadre_place, day_label, leave_kind_label, report_line
from bot.week.weeks import previous_week

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


async def render_week(turn: MemberTurn, place: Place, monday: date, *, last: bool) -> str:
    _ = turn._
    async with turn.svc.transaction() as session:
        week = await facts.member_week(
            session,
            turn.actor.member_id,
            place.township_id,
            monday,
            place.rules,
            turn.now,
            name=turn.actor.name,
        )
        sunday = monday + timedelta(days=6)
        visits = await visit_db.member_visits(
            session, turn.actor.member_id, place.township_id, monday, sunday
        )
        leaves = await leave_db.member_leaves(
            session, turn.actor.member_id, place.township_id, monday, sunday
        )
        draft = await report_db.report_for(session, turn.actor.member_id, place.township_id, monday)
    report = week.report
    submitted_at = draft.first_submitted_at if draft is not None else None
    shortfall = week.shortfall
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
        still_text = template.format(items=listing(turn.lang, still))
    return turn.svc.renderer.render(
        "cadre_week/me.html.j2",
        turn.lang,
        title=_("Last week") if last else _("This week"),
        # Named when the member works in several townships, so they know which one this is.
        township=place.name if len(turn.actor.township_ids()) > 1 else "",
        span=format_span(monday, sunday, turn.lang),
        workdays=week.workdays,
        exempt_count=week.exempt_days,
        fully_exempt=week.fully_exempt,
        fd=week.field_days_done,
        fdr=week.field_days_required,
        fd_met=week.field_days_met,
        s=week.screenings_done,
        sr=week.screenings_required,
        s_met=week.dispute_screenings_met,
        p=week.problems_done,
        pr=week.problems_required,
        p_met=week.problems_solved_met,
        field_days=[
            {
                "day": day_label(turn, day),
                "villages": tuple(sorted({v.village for v in visits if v.visit_date == day})),
            }
            for day in week.field_day_dates
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
    return format_span(start, end, turn.lang, weekday=True)


def register(app: App) -> None:
    app.add_handler(CommandHandler("me", me_command))
