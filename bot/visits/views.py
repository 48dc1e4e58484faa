"""What the visit logs show: the card being filled in and its pickers, a saved log, the
week's list; button labels and short replies. Message bodies come from templates/visits/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.core.db.directory import VillageInfo
from bot.core.flows import date_arg
from bot.core.i18n import N_, Gettext
from bot.core.render import weekday_name
from bot.core.text import Html, join_html, quoted
from bot.core.turn import Button, MemberTurn, checkbox
from bot.visits.actions import LOGS, Act, Ctx, Draft, LogAct, Step
from bot.visits.queries import VisitRow
from bot.visits.rules import MAX_SCREENINGS, PROBLEM_MAX, location_check
from bot.visits.service import SavedLog, village_point
from bot.week.place import Place, day_label, distance_label

PAGE = 8  # villages per page of the picker

GONE = N_("That visit log no longer exists.")
NOT_IN_TOWNSHIP = N_("That village is not in your township.")
OUTSIDE_WINDOW = N_("That day is outside the window for logging visits.")
NOT_A_CADRE_THERE = N_("You are no longer a cadre of that log's township.")
ONLY_THIS_WEEK = N_("Only logs of the current week can be changed.")
VILLAGE_FIRST = N_("Please choose the village first.")
ACTIVITY_FIRST = N_("Please choose at least one activity before saving.")
TOO_MANY_PROBLEMS = N_("At most {n} problems per log.")
SAVED = N_("Saved")
DELETED = N_("Deleted")
CANCELLED = N_("Visit log cancelled; nothing was saved.")
ENDED = N_("That visit log can no longer be continued. Send /visit to start again.")
RESUMED = N_("You have an unfinished visit log; here it is.")
LOGGED = N_("✅ Visit logged.")
CHANGES_SAVED = N_("✅ Changes saved.")
LOCATION_RECEIVED = N_("📍 Location received.")
PHOTO_ATTACHED = N_("📷 Photo attached.")
PROBLEM_ADDED = N_("Problem added.")
NOTES_ADDED = N_("Notes added.")
SCREENINGS_SET = N_("Dispute screenings: {n}")
NOT_A_COUNT = N_(
    "I could not read “{text}” as a number. Please type a whole number from 0 to {max}."
)
TOO_MANY_SCREENINGS = N_(
    "That is more than a visit log can hold: at most {max} dispute screenings. Please type a "
    "number from 0 to {max}."
)
NOT_A_DATE = N_("I could not read “{text}” as a date.")
DAY_OUTSIDE = N_("{day} is outside the window: visits can be logged from {first} to {last}.")
NO_SUCH_VILLAGE = N_("There is no village called “{name}” in {township}.")
DID_YOU_MEAN = N_("There is no village called “{name}” in {township}. Did you mean:")
# What to send instead of something that is not text (a sticker, a voice message), by step.
NOT_TEXT = {
    Step.VILLAGE: N_("Please choose the village with a button, or type its name."),
    Step.DATE: N_("Please tap a day, or type a date."),
    Step.PROBLEM: N_("Please type the problem as one line of text."),
    Step.SCREENINGS: N_("Please type the number of dispute screenings, from 0 to {max}."),
    Step.CARD: N_(
        "I can only use text, a location or a photo here. Please use the buttons, type "
        "notes, or send a location or a photo."
    ),
}


@dataclass
class View:
    """A message: its body and its buttons."""

    text: Html
    rows: list[list[Button]] = field(default_factory=list)

    def noted(self, note: str) -> View:
        """The same message with `note` (what just happened) above it."""
        return View(join_html([note, self.text], "\n\n"), self.rows) if note else self


async def put(turn: MemberTurn, view: View, *, edit: bool) -> None:
    """Edit the message whose button was pressed, or send a new one."""
    if edit:
        await turn.show(view.text, view.rows)
    else:
        await turn.send(view.text, view.rows)


def not_text(_: Gettext, step: Step) -> Html:
    return _(NOT_TEXT[step]).format(max=MAX_SCREENINGS)


def visit_village(turn: MemberTurn, village_id: int | None, township_id: int) -> VillageInfo | None:
    """An active village of the township, by id."""
    village = None if village_id is None else turn.svc.directory.village(village_id)
    if village is None or village.township_id != township_id or not village.active:
        return None
    return village


def allowed_days(turn: MemberTurn, place: Place, draft: Draft) -> list[date]:
    """The days the log may be dated: today and the days back allowed, newest first, and an
    edited log's own day."""
    days = place.rules.backfill_dates(turn.now, turn.svc.settings.visits.backfill_days)
    if draft.original_day is not None and draft.original_day not in days:
        days.append(draft.original_day)
    return days


# --- the card being filled in -------------------------------------------------------------


def _draft_location(_: Gettext, village: VillageInfo | None, draft: Draft) -> Html | str:
    if draft.shared is None:
        return ""
    point = None if village is None else village_point(village)
    radius = village.radius_m if village is not None else 0
    metres, checked = location_check(draft.shared, point, radius)
    if metres is None:
        return _("Location shared (this village has no map point configured)")
    if checked:
        return _("Location checked: {distance} from the village").format(
            distance=distance_label(_, metres)
        )
    return _("Location shared: {distance} from the village (outside its {radius} radius)").format(
        distance=distance_label(_, metres), radius=distance_label(_, radius)
    )


def card(ctx: Ctx, place: Place) -> View:
    turn, draft = ctx.turn, ctx.draft
    _ = turn._
    village = visit_village(turn, draft.village_id, place.township_id)
    text = turn.svc.renderer.render(
        "visits/visit.html.j2",
        turn.lang,
        title=_("Editing the visit log") if draft.visit_id else _("New visit log"),
        village=village.name if village else "",
        day=day_label(turn, draft.day),
        backfilled=draft.day < place.rules.today(turn.now),
        activities=draft.activities,
        screenings=draft.screenings,
        problems=draft.problems,
        notes=draft.notes,
        location=_draft_location(_, village, draft),
        photo=draft.photo is not None,
        hint=_(
            "Tap the buttons to fill in the log, then Save. Type a message to add notes. "
            "You may also send a location or a photo (optional)."
        ),
        linked="",
    )
    return View(text, _card_rows(ctx, place))


def _day_row(ctx: Ctx, place: Place) -> list[Button]:
    turn, chosen = ctx.turn, ctx.draft.day
    _ = turn._
    allowed = allowed_days(turn, place, ctx.draft)
    if len(allowed) < 2:
        return []
    today = place.rules.today(turn.now)
    yesterday = today - timedelta(days=1)
    row = [ctx.button(checkbox(chosen == today, _("Today")), Act.DAY, date_arg(today))]
    if yesterday in allowed:
        row.append(
            ctx.button(checkbox(chosen == yesterday, _("Yesterday")), Act.DAY, date_arg(yesterday))
        )
    if any(d < yesterday for d in allowed):
        if chosen < yesterday:
            row.append(ctx.button(checkbox(True, day_label(turn, chosen, False)), Act.MORE_DAYS))
        else:
            row.append(ctx.button(f"📅 {_('Earlier…')}", Act.MORE_DAYS))
    return row


def _card_rows(ctx: Ctx, place: Place) -> list[list[Button]]:
    turn, draft = ctx.turn, ctx.draft
    _ = turn._
    rows = [_day_row(ctx, place)]
    activities = [
        ctx.button(checkbox(name in draft.activities, name), Act.ACTIVITY, i)
        for i, name in enumerate(turn.svc.settings.visits.activities)
    ]
    rows.extend(activities[i : i + 3] for i in range(0, len(activities), 3))
    n = draft.screenings
    rows.append(
        [
            ctx.button("➖", Act.SCREENINGS, max(0, n - 1)),
            ctx.button(_("Screenings: {n}").format(n=n), Act.TYPE_SCREENINGS),
            ctx.button("➕", Act.SCREENINGS, min(MAX_SCREENINGS, n + 1)),
        ]
    )
    problems = [ctx.button(_("➕ Problem solved"), Act.PROBLEM)]
    if draft.problems:
        problems.append(ctx.button(_("↩️ Remove last problem"), Act.DROP_PROBLEM))
    rows.append(problems)
    if draft.notes:
        rows.append([ctx.button(_("🧹 Clear notes"), Act.CLEAR_NOTES)])
    rows.append(
        [
            ctx.button(_("✅ Save changes") if draft.visit_id else _("✅ Save"), Act.SAVE),
            ctx.button(_("✖️ Cancel"), Act.CANCEL),
        ]
    )
    return rows


# --- pickers and prompts ------------------------------------------------------------------


def village_picker(ctx: Ctx, place: Place, assigned: set[int]) -> View:
    """The township's villages: the cadre's own (包村) first, the others a page at a time."""
    _ = ctx.turn._
    villages = ctx.turn.svc.directory.villages_of(place.township_id)
    mine = [v for v in villages if v.id in assigned]
    others = [v for v in villages if v.id not in assigned] if mine else villages
    pages = max(1, (len(others) + PAGE - 1) // PAGE)
    page = ctx.draft.page if mine or ctx.draft.page else 1
    page = min(max(page, 0), pages)
    if page == 0:
        shown = mine
        text = _(
            "Which village did you visit? Your villages (包村) are listed first; you can also "
            "type a village name."
        )
    else:
        shown = others[(page - 1) * PAGE : page * PAGE]
        text = _("Which village did you visit? You can also type a village name.")
    rows = [
        [ctx.button(v.name, Act.VILLAGE, v.id) for v in shown[i : i + 2]]
        for i in range(0, len(shown), 2)
    ]
    nav: list[Button] = []
    if page == 0 and others:
        nav.append(ctx.button(_("🏘 Other villages"), Act.VILLAGE_PAGE, 1))
    else:
        if page > 1:
            nav.append(ctx.button("◀️", Act.VILLAGE_PAGE, page - 1))
        if mine:
            nav.append(ctx.button(_("⭐ My villages"), Act.VILLAGE_PAGE, 0))
        if page < pages and others[page * PAGE :]:
            nav.append(ctx.button("▶️", Act.VILLAGE_PAGE, page + 1))
    rows.append(nav)
    rows.append([ctx.button(_("✖️ Cancel"), Act.CANCEL)])
    return View(text, rows)


def suggestions(ctx: Ctx, place: Place, typed: str, names: list[str]) -> View:
    """Villages whose names are close to what was typed."""
    _ = ctx.turn._
    by_name = {v.name: v for v in ctx.turn.svc.directory.villages_of(place.township_id)}
    rows = [[ctx.button(name, Act.VILLAGE, by_name[name].id)] for name in names]
    rows.append([ctx.button(_("◀️ All villages"), Act.VILLAGE_PAGE, 0)])
    return View(_(DID_YOU_MEAN).format(name=quoted(typed), township=place.name), rows)


def date_picker(ctx: Ctx, place: Place) -> View:
    turn = ctx.turn
    _ = turn._
    allowed = sorted(allowed_days(turn, place, ctx.draft), reverse=True)
    buttons = [
        ctx.button(checkbox(d == ctx.draft.day, day_label(turn, d)), Act.DAY, date_arg(d))
        for d in allowed
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ctx.button(_("◀️ Back"), Act.BACK)])
    days = turn.svc.settings.visits.backfill_days
    window = place.rules.backfill_dates(turn.now, days)
    text = _(
        "Which day was the visit? Tap a day, or type a date such as {example} or a weekday "
        "such as {weekday}. Visits can be logged up to {days} days back."
    ).format(
        example=f"{allowed[-1]:%m-%d}",
        # Yesterday's (today's without days back): the one a visit's day reads it as.
        weekday=weekday_name(window[min(1, len(window) - 1)], turn.lang),
        days=days,
    )
    return View(text, rows)


def problem_prompt(ctx: Ctx) -> View:
    _ = ctx.turn._
    text = _("Type the problem you helped solve, in one line (at most {limit} characters).")
    return View(text.format(limit=PROBLEM_MAX), [[ctx.button(_("◀️ Back"), Act.BACK)]])


def screenings_prompt(ctx: Ctx) -> View:
    _ = ctx.turn._
    text = _(
        "How many dispute screenings (矛盾纠纷排查) did this visit include? Type a number from 0 "
        "to {max}."
    ).format(max=MAX_SCREENINGS)
    return View(text, [[ctx.button(_("◀️ Back"), Act.BACK)]])


# --- saved logs ---------------------------------------------------------------------------


def _saved_location(_: Gettext, row: VisitRow) -> Html | str:
    if row.location_checked and row.distance_m is not None:
        return _("Location checked: {distance} from the village").format(
            distance=distance_label(_, row.distance_m)
        )
    if not row.has_location:
        return ""
    if row.distance_m is None:
        return _("Location shared")
    return _("Location shared: {distance} from the village").format(
        distance=distance_label(_, row.distance_m)
    )


def saved_card(turn: MemberTurn, place: Place, saved: SavedLog, can_link: bool) -> View:
    """A stored log, with edit and delete while it is this week's."""
    _ = turn._
    row, week = saved.row, saved.week
    village = visit_village(turn, row.village_id, place.township_id)
    text = turn.svc.renderer.render(
        "visits/visit.html.j2",
        turn.lang,
        title=_("Visit log"),
        village=village.name if village else row.village,
        day=day_label(turn, row.visit_date),
        backfilled=row.backfilled,
        activities=list(row.activities),
        screenings=row.dispute_screenings,
        problems=list(row.problems),
        notes=row.notes,
        location=_saved_location(_, row),
        photo=bool(row.photo_file_id),
        hint=_(
            "This week: {fd} of {fdr} field days, {s} of {sr} screenings, {p} of {pr} problems "
            "solved."
        ).format(
            fd=week.done.field_days,
            fdr=week.required.field_days,
            s=week.done.dispute_screenings,
            sr=week.required.dispute_screenings,
            p=week.done.problems_solved,
            pr=week.required.problems_solved,
        ),
        linked=saved.case_number,
    )
    rows: list[list[Button]] = []
    if can_link:
        label = _("🔗 Change the linked case") if saved.case_number else _("⚖️ Link a dispute case")
        rows.append([LOGS.button(turn, label, LogAct.LINK, row.id)])
    if saved.editable:
        rows.append(
            [
                LOGS.button(turn, _("✏️ Edit"), LogAct.EDIT, row.id),
                LOGS.button(turn, _("🗑 Delete"), LogAct.DELETE, row.id),
            ]
        )
    rows.append([LOGS.button(turn, _("📋 This week's logs"), LogAct.LIST, place.township_id)])
    return View(text, rows)


def week_list(turn: MemberTurn, place: Place, monday: date, rows: list[VisitRow]) -> View:
    _ = turn._
    sunday = monday + timedelta(days=6)
    text = turn.svc.renderer.render(
        "visits/visits.html.j2",
        turn.lang,
        start=day_label(turn, monday, False),
        end=day_label(turn, sunday, False),
        visits=[
            {
                "day": day_label(turn, r.visit_date),
                "village": r.village,
                "activities": r.activities,
                "screenings": r.dispute_screenings,
                "problems": len(r.problems),
                "checked": r.location_checked,
            }
            for r in rows
        ],
    )
    buttons = [
        [
            LOGS.button(
                turn, f"{i}. {day_label(turn, r.visit_date, False)} {r.village}", LogAct.SHOW, r.id
            )
        ]
        for i, r in enumerate(rows, 1)
    ]
    buttons.append([LOGS.button(turn, _("➕ Log a visit"), LogAct.NEW, place.township_id)])
    return View(text, buttons)


def delete_question(turn: MemberTurn, row: VisitRow) -> View:
    _ = turn._
    text = _("Delete the visit log of {village} on {day}? This cannot be undone.").format(
        village=row.village, day=day_label(turn, row.visit_date)
    )
    rows = [
        [
            LOGS.button(turn, _("🗑 Yes, delete"), LogAct.DELETE_YES, row.id),
            LOGS.button(turn, _("◀️ No, keep it"), LogAct.SHOW, row.id),
        ]
    ]
    return View(text, rows)


def deleted(turn: MemberTurn, row: VisitRow) -> View:
    _ = turn._
    text = _("The visit log of {village} on {day} was deleted.").format(
        village=row.village, day=day_label(turn, row.visit_date)
    )
    return View(text, [[LOGS.button(turn, _("📋 This week's logs"), LogAct.LIST, row.township_id)]])
