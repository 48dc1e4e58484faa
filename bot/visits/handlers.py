"""/visit: log a field visit (下乡记录) in at most five taps plus any text typed;
/visits: this week's logs, to see, edit or delete them.

The half-finished log lives in `conversation_states` (flow "visit"), so it survives a
restart; every button carries the state version, so a tap on an old card is refused.
Location and photo are optional and never required.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.dates import parse_day
from bot.core.db import members as member_db
from bot.core.db.directory import VillageInfo
from bot.core.flows import flow
from bot.core.i18n import N_
from bot.core.roles import Role
from bot.core.text import clean_line, clean_text, join_html, quoted
from bot.core.text import esc as _esc
from bot.core.turn import (
    App,
    Button,
    Context,
    FlowState,
    Turn,
    admitted,
    checkbox,
    member_only,
    resumable,
)
from bot.visits import case_link as visit_case
from bot.visits import queries as visit_db
from bot.visits.rules import distance_m, suggest_names
from bot.week import facts
from bot.week.place import (
    STALE,
    Place,
    day_label,
    distance_label,
    place_for,
    too_long,
)
from bot.week.rules import WeekStatus, week_of

FLOW = "visit"
resumable(FLOW)  # an unfinished log survives another command
PAGE = 8
PROBLEM_MAX = 100
NOTES_MAX = 500
MAX_PROBLEMS = 10
MAX_SCREENINGS = 99

register_commands(
    CommandSpec("visit", N_("Log a village visit (下乡)"), frozenset({Role.CADRE})),
    CommandSpec("visits", N_("This week's visit logs: edit or delete"), frozenset({Role.CADRE})),
)


# --- state helpers -------------------------------------------------------------------------


def _new_data(place: Place, today: date) -> dict[str, Any]:
    return {
        "tid": place.township_id,
        "vid": None,
        "village_id": None,
        "date": today.isoformat(),
        "acts": [],
        "scr": 0,
        "probs": [],
        "notes": "",
        "lat": None,
        "lon": None,
        "photo": None,
        "page": 0,
    }


def _data_from_row(row: visit_db.VisitRow, township_id: int) -> dict[str, Any]:
    return {
        "tid": township_id,
        "vid": row.id,
        "village_id": row.village_id,
        "date": row.visit_date.isoformat(),
        "orig_date": row.visit_date.isoformat(),
        "acts": list(row.activities),
        "scr": row.dispute_screenings,
        "probs": list(row.problems),
        "notes": row.notes,
        "lat": row.lat,
        "lon": row.lon,
        "photo": row.photo_file_id,
        "page": 0,
    }


def _allowed_dates(turn: Turn, place: Place, data: dict[str, Any]) -> list[date]:
    days = place.rules.backfill_dates(turn.now, turn.svc.settings.visits.backfill_days)
    original = data.get("orig_date")
    if original and date.fromisoformat(original) not in days:
        days.append(date.fromisoformat(original))
    return days


def _village(turn: Turn, village_id: int | None, township_id: int) -> VillageInfo | None:
    if village_id is None:
        return None
    village = turn.svc.directory.village(village_id)
    if village is None or village.township_id != township_id or not village.active:
        return None
    return village


def _location(village: VillageInfo | None, data: dict[str, Any]) -> tuple[float | None, bool]:
    """(distance to the village point in metres or None, location checked)."""
    if village is None or data.get("lat") is None or village.lat is None or village.lon is None:
        return None, False
    metres = distance_m(float(data["lat"]), float(data["lon"]), village.lat, village.lon)
    return metres, metres <= village.radius_m


def _location_text(turn: Turn, village: VillageInfo | None, data: dict[str, Any]) -> str:
    _ = turn._
    if data.get("lat") is None:
        return ""
    metres, checked = _location(village, data)
    if metres is None:
        return _("Location shared (this village has no map point configured)")
    if checked:
        return _("Location checked: {distance} from the village").format(
            distance=distance_label(_, metres)
        )
    return _("Location shared: {distance} from the village (outside its {radius} radius)").format(
        distance=distance_label(_, metres),
        radius=distance_label(_, village.radius_m if village else 0),
    )


# --- rendering -----------------------------------------------------------------------------


def _card_text(
    turn: Turn,
    place: Place,
    data: dict[str, Any],
    village: VillageInfo | None,
    title: str,
    hint: str,
) -> str:
    day = date.fromisoformat(data["date"])
    return turn.svc.renderer.render(
        "cadre_week/visit.html.j2",
        turn.lang,
        title=title,
        village=village.name if village else "",
        day=day_label(turn, day),
        backfilled=day < place.rules.today(turn.now),
        activities=data["acts"],
        screenings=data["scr"],
        problems=data["probs"],
        notes=data["notes"],
        location=_location_text(turn, village, data),
        photo=bool(data.get("photo")),
        hint=hint,
    )


def _card_rows(turn: Turn, place: Place, data: dict[str, Any], version: int) -> list[list[Button]]:
    _ = turn._
    cb = turn.cb
    today = place.rules.today(turn.now)
    chosen = date.fromisoformat(data["date"])
    rows: list[list[Button]] = []
    allowed = _allowed_dates(turn, place, data)
    if len(allowed) > 1:
        yesterday = today - timedelta(days=1)
        date_row: list[Button] = [
            (checkbox(chosen == today, _("Today")), cb("vis", "d", version, f"{today:%Y%m%d}"))
        ]
        if yesterday in allowed:
            date_row.append(
                (
                    checkbox(chosen == yesterday, _("Yesterday")),
                    cb("vis", "d", version, f"{yesterday:%Y%m%d}"),
                )
            )
        if any(d < yesterday for d in allowed):
            earlier = chosen < yesterday
            label = day_label(turn, chosen, False) if earlier else _("Earlier…")
            date_row.append(
                (checkbox(earlier, label) if earlier else f"📅 {label}", cb("vis", "dm", version))
            )
        rows.append(date_row)
    activities = turn.svc.settings.visits.activities
    acts: list[Button] = [
        (checkbox(name in data["acts"], name), cb("vis", "a", version, i))
        for i, name in enumerate(activities)
    ]
    rows.extend(acts[i : i + 3] for i in range(0, len(acts), 3))
    screenings = int(data["scr"])
    rows.append(
        [
            ("➖", cb("vis", "s", version, max(0, screenings - 1))),
            (_("Screenings: {n}").format(n=screenings), cb("vis", "s", version, screenings)),
            ("➕", cb("vis", "s", version, min(MAX_SCREENINGS, screenings + 1))),
        ]
    )
    problem_row: list[Button] = [(_("➕ Problem solved"), cb("vis", "p", version))]
    if data["probs"]:
        problem_row.append((_("↩️ Remove last problem"), cb("vis", "px", version)))
    rows.append(problem_row)
    if data["notes"]:
        rows.append([(_("🧹 Clear notes"), cb("vis", "nx", version))])
    rows.append(
        [
            (_("✅ Save changes") if data.get("vid") else _("✅ Save"), cb("vis", "ok", version)),
            (_("✖️ Cancel"), cb("vis", "x", version)),
        ]
    )
    return rows


async def send_card(
    turn: Turn, place: Place, data: dict[str, Any], version: int, *, edit: bool, note: str = ""
) -> None:
    _ = turn._
    village = _village(turn, data.get("village_id"), place.township_id)
    title = _("Editing the visit log") if data.get("vid") else _("New visit log")
    hint = _(
        "Tap the buttons to fill in the log, then Save. Type a message to add notes. "
        "You may also send a location or a photo (optional)."
    )
    text = _card_text(turn, place, data, village, title, hint)
    if note:
        text = join_html([note, text], "\n\n")
    rows = _card_rows(turn, place, data, version)
    if edit:
        await turn.show(text, rows)
    else:
        await turn.send(text, rows)


async def send_village_picker(
    turn: Turn,
    place: Place,
    data: dict[str, Any],
    version: int,
    *,
    edit: bool,
    note: str = "",
    assigned: set[int] | None = None,
) -> None:
    """`assigned`: the cadre's 包村 village ids, when the caller has read them already."""
    _ = turn._
    assert turn.actor is not None
    villages = turn.svc.directory.villages_of(place.township_id)
    if assigned is None:
        async with turn.svc.transaction() as session:
            assigned = await member_db.assigned_village_ids(session, turn.actor.member_id)
    mine = [v for v in villages if v.id in assigned]
    others = [v for v in villages if v.id not in assigned] if mine else villages
    pages = max(1, (len(others) + PAGE - 1) // PAGE)
    page = int(data.get("page", 0))
    if not mine and page == 0:
        page = 1
    page = min(max(page, 0), pages)
    rows: list[list[Button]] = []
    if page == 0:
        shown = mine
        text = _(
            "Which village did you visit? Your villages (包村) are listed first; you can also "
            "type a village name."
        )
    else:
        shown = others[(page - 1) * PAGE : page * PAGE]
        text = _("Which village did you visit? You can also type a village name.")
    for i in range(0, len(shown), 2):
        rows.append([(v.name, turn.cb("vis", "v", version, v.id)) for v in shown[i : i + 2]])
    nav: list[Button] = []
    if page == 0 and others:
        nav.append((_("🏘 Other villages"), turn.cb("vis", "vp", version, 1)))
    else:
        if page > 1:
            nav.append(("◀️", turn.cb("vis", "vp", version, page - 1)))
        if mine:
            nav.append((_("⭐ My villages"), turn.cb("vis", "vp", version, 0)))
        if page < pages and others[page * PAGE :]:
            nav.append(("▶️", turn.cb("vis", "vp", version, page + 1)))
    rows.append(nav)
    rows.append([(_("✖️ Cancel"), turn.cb("vis", "x", version))])
    if note:
        text = join_html([note, text], "\n\n")
    if edit:
        await turn.show(text, rows)
    else:
        await turn.send(text, rows)


async def send_date_picker(
    turn: Turn, place: Place, data: dict[str, Any], version: int, *, edit: bool, note: str = ""
) -> None:
    _ = turn._
    allowed = sorted(_allowed_dates(turn, place, data), reverse=True)
    chosen = date.fromisoformat(data["date"])
    buttons = [
        (checkbox(d == chosen, day_label(turn, d)), turn.cb("vis", "d", version, f"{d:%Y%m%d}"))
        for d in allowed
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(_("◀️ Back"), turn.cb("vis", "bk", version))])
    text = _(
        "Which day was the visit? Tap a day, or type a date such as {example}. Visits can be "
        "logged up to {days} days back."
    ).format(example=f"{allowed[-1]:%m-%d}", days=turn.svc.settings.visits.backfill_days)
    if note:
        text = join_html([note, text], "\n\n")
    if edit:
        await turn.show(text, rows)
    else:
        await turn.send(text, rows)


async def reprompt(turn: Turn, place: Place, state: FlowState, note: str = "") -> None:
    """Show the current step again as a new message (after typed input or a bad input)."""
    if state.step == "village":
        await send_village_picker(turn, place, state.data, state.version, edit=False, note=note)
    elif state.step == "date":
        await send_date_picker(turn, place, state.data, state.version, edit=False, note=note)
    elif state.step == "problem":
        _ = turn._
        text = _(
            "Type the problem you helped solve, in one line (at most {limit} characters)."
        ).format(limit=PROBLEM_MAX)
        await turn.send(
            f"{note}\n\n{text}" if note else text,
            [[(_("◀️ Back"), turn.cb("vis", "bk", state.version))]],
        )
    else:
        await send_card(turn, place, state.data, state.version, edit=False, note=note)


# --- commands ------------------------------------------------------------------------------


@member_only(Role.CADRE)
async def visit_command(turn: Turn) -> None:
    await start_visit(turn)


async def start_visit(turn: Turn) -> None:
    _ = turn._
    place = await place_for(turn)
    if place is None:
        await turn.send(_("You are not a cadre of any township."))
        return
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        # An unfinished log (set aside by another command, or from before a restart).
        resumed = await turn.resume(
            session,
            FLOW,
            lambda draft: draft.data.get("tid") == place.township_id,
            lambda draft: "card" if draft.data.get("village_id") else "village",
        )
        if resumed is None:
            data = _new_data(place, place.rules.today(turn.now))
            version = await turn.set_state(session, FLOW, "village", data)
            assigned = await member_db.assigned_village_ids(session, turn.actor.member_id)
    if resumed is not None:
        await reprompt(turn, place, resumed, _("You have an unfinished visit log; here it is."))
        return
    await send_village_picker(turn, place, data, version, edit=False, assigned=assigned)


@member_only(Role.CADRE)
async def visits_command(turn: Turn) -> None:
    await show_list(turn, edit=False)


async def show_list(turn: Turn, *, edit: bool) -> None:
    _ = turn._
    assert turn.actor is not None
    place = await place_for(turn)
    if place is None:
        await turn.send(_("You are not a cadre of any township."))
        return
    monday = place.rules.current_week(turn.now)
    async with turn.svc.transaction() as session:
        rows = await visit_db.member_visits(
            session, turn.actor.member_id, place.township_id, monday, monday + timedelta(days=6)
        )
    text = turn.svc.renderer.render(
        "cadre_week/visits.html.j2",
        turn.lang,
        start=day_label(turn, monday, False),
        end=day_label(turn, monday + timedelta(days=6), False),
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
        [(f"{i}. {day_label(turn, r.visit_date, False)} {r.village}", turn.cb("vis", "show", r.id))]
        for i, r in enumerate(rows, 1)
    ]
    buttons.append([(_("➕ Log a visit"), turn.cb("vis", "new"))])
    if edit:
        await turn.show(text, buttons)
    else:
        await turn.send(text, buttons)


SavedView = tuple[visit_db.VisitRow, WeekStatus]  # (the stored log, this week's status)


async def load_saved(
    turn: Turn, session: AsyncSession, place: Place, visit_id: int
) -> SavedView | None:
    """What `show_saved` shows, read in the caller's transaction; None when the log is gone
    or not the actor's."""
    assert turn.actor is not None
    monday = place.rules.current_week(turn.now)
    status = (
        await facts.member_week(
            session, turn.actor.member_id, place.township_id, monday, place.rules, turn.now
        )
    ).status
    visits = await visit_db.member_visits(
        session, turn.actor.member_id, place.township_id, monday, monday + timedelta(days=6)
    )
    # Usually a log of this week, already read with the week; else (backfilled into last
    # week) read on its own.
    row = next((v for v in visits if v.id == visit_id), None)
    if row is None:
        row = await visit_db.visit_row(session, visit_id)
    if row is None or row.member_id != turn.actor.member_id:
        return None
    return row, status


async def show_saved(
    turn: Turn, place: Place, visit_id: int, note: str = "", view: SavedView | None = None
) -> None:
    """The confirmation card of a stored log, with edit / delete while it is this week's.
    `view`: `load_saved` already read in the caller's transaction."""
    _ = turn._
    if view is None:
        async with turn.svc.transaction() as session:
            view = await load_saved(turn, session, place, visit_id)
    if view is None:
        await turn.show(_("That visit log no longer exists."))
        return
    row, status = view
    monday = place.rules.current_week(turn.now)
    village = _village(turn, row.village_id, place.township_id)
    location = ""
    if row.location_checked and row.distance_m is not None:
        location = _("Location checked: {distance} from the village").format(
            distance=distance_label(_, row.distance_m)
        )
    elif row.has_location:
        location = (
            _("Location shared: {distance} from the village").format(
                distance=distance_label(_, row.distance_m)
            )
            if row.distance_m is not None
            else _("Location shared")
        )
    hint = _(
        "This week: {fd} of {fdr} field days, {s} of {sr} screenings, {p} of {pr} problems solved."
    ).format(
        fd=status.done.field_days,
        fdr=status.required.field_days,
        s=status.done.dispute_screenings,
        sr=status.required.dispute_screenings,
        p=status.done.problems_solved,
        pr=status.required.problems_solved,
    )
    text = turn.svc.renderer.render(
        "cadre_week/visit.html.j2",
        turn.lang,
        title=_("Visit log"),
        village=village.name if village else row.village,
        day=day_label(turn, row.visit_date),
        backfilled=row.backfilled,
        activities=list(row.activities),
        screenings=row.dispute_screenings,
        problems=list(row.problems),
        notes=row.notes,
        location=location,
        photo=bool(row.photo_file_id),
        hint=hint,
    )
    linked = await visit_case.case_label(turn, place, row.dispute_case_id)
    if linked:
        text += "\n" + _("⚖️ Linked dispute case: {number}").format(number=linked)
    if note:
        text = join_html([note, text], "\n\n")
    rows: list[list[Button]] = []
    if visit_case.can_link(turn, row.activities):
        label = _("🔗 Change the linked case") if linked else _("⚖️ Link a dispute case")
        rows.append([(label, turn.cb("vis", "lk", row.id))])
    if week_of(row.visit_date) == monday:
        rows.append(
            [
                (_("✏️ Edit"), turn.cb("vis", "edit", row.id)),
                (_("🗑 Delete"), turn.cb("vis", "del", row.id)),
            ]
        )
    rows.append([(_("📋 This week's logs"), turn.cb("vis", "list"))])
    await turn.show(text, rows)


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn, (Role.CADRE,)):
        return
    _ = turn._
    parts = turn.callback_parts()
    place = await place_for(turn)
    if not parts or place is None:
        await turn.answer(_(STALE), True)
        return
    action, args = parts[0], parts[1:]
    if action in {"lk", "lc", "nc"}:
        await _case_action(turn, place, action, args)
        return
    if action in {"show", "edit", "del", "dely"}:
        if len(args) != 1 or not args[0].isdigit():
            await turn.answer(_(STALE), True)
            return
        await _log_action(turn, place, action, int(args[0]))
        return
    if action == "list":
        await turn.answer()
        await show_list(turn, edit=True)
        return
    if action == "new":
        await turn.answer()
        await start_visit(turn)
        return
    state = turn.flow_state
    if (
        state is None
        or state.flow != FLOW
        or not args
        or args[0] != str(state.version)
        or state.data.get("tid") != place.township_id
    ):
        await turn.answer(_(STALE), True)
        return
    await _flow_action(turn, place, state, action, args[1:])


async def _case_action(turn: Turn, place: Place, action: str, args: list[str]) -> None:
    """Link the visit's 矛盾化解 to a dispute case, or open a new case from it."""
    _ = turn._
    assert turn.actor is not None
    if not args or not all(a.isdigit() for a in args):
        await turn.answer(_(STALE), True)
        return
    async with turn.svc.transaction() as session:
        row = await visit_db.visit_row(session, int(args[0]))
    if (
        row is None
        or row.member_id != turn.actor.member_id
        or not visit_case.can_link(turn, row.activities)
    ):
        await turn.answer(_("That visit log no longer exists."), True)
        return
    if action == "lk":
        await turn.answer()
        await visit_case.show_choices(turn, place, row)
    elif action == "nc":
        await turn.answer()
        await visit_case.start_new_case(turn, place, row)
    elif len(args) == 2:
        problem = await visit_case.link(turn, place, row, int(args[1]))
        if problem:
            await turn.answer(problem, True)
            return
        await turn.answer(_("Linked") if int(args[1]) else _("Link removed"))
        await show_saved(turn, place, row.id)
    else:
        await turn.answer(_(STALE), True)


async def _log_action(turn: Turn, place: Place, action: str, visit_id: int) -> None:
    _ = turn._
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        row = await visit_db.visit_row(session, visit_id)
    if row is None or row.member_id != turn.actor.member_id:
        await turn.answer(_("That visit log no longer exists."), True)
        return
    if action == "show":
        await turn.answer()
        await show_saved(turn, place, visit_id)
        return
    if week_of(row.visit_date) != place.rules.current_week(turn.now):
        await turn.answer(_("Only logs of the current week can be changed."), True)
        return
    if action == "edit":
        data = _data_from_row(row, place.township_id)
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "card", data)
        await turn.answer()
        await send_card(turn, place, data, version, edit=True)
    elif action == "del":
        await turn.answer()
        await turn.show(
            _("Delete the visit log of {village} on {day}? This cannot be undone.").format(
                village=_esc(row.village), day=day_label(turn, row.visit_date)
            ),
            [
                [
                    (_("🗑 Yes, delete"), turn.cb("vis", "dely", visit_id)),
                    (_("◀️ No, keep it"), turn.cb("vis", "show", visit_id)),
                ]
            ],
        )
    else:
        async with turn.svc.transaction() as session:
            deleted = await visit_db.delete_visit(
                session, visit_id, member_id=turn.actor.member_id, now=turn.now
            )
        if not deleted:
            await turn.answer(_("That visit log no longer exists."), True)
            return
        await turn.answer(_("Deleted"))
        await turn.show(
            _("The visit log of {village} on {day} was deleted.").format(
                village=_esc(row.village), day=day_label(turn, row.visit_date)
            ),
            [[(_("📋 This week's logs"), turn.cb("vis", "list"))]],
        )


async def _flow_action(
    turn: Turn, place: Place, state: FlowState, action: str, args: list[str]
) -> None:
    _ = turn._
    data = dict(state.data)
    step = state.step
    if action == "x":
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.answer()
        await turn.show(_("Visit log cancelled; nothing was saved."))
        return
    if action == "ok":
        await _save(turn, place, state)
        return
    if action == "v" and args and args[0].isdigit():
        village = _village(turn, int(args[0]), place.township_id)
        if village is None:
            await turn.answer(_("That village is not in your township."), True)
            return
        data["village_id"] = village.id
        step = "card"
    elif action == "vp" and args and args[0].isdigit():
        data["page"] = int(args[0])
        step = "village"
    elif action == "d" and args and len(args[0]) == 8 and args[0].isdigit():
        chosen = date(int(args[0][:4]), int(args[0][4:6]), int(args[0][6:]))
        if chosen not in _allowed_dates(turn, place, data):
            await turn.answer(_("That day is outside the window for logging visits."), True)
            return
        data["date"] = chosen.isoformat()
        step = "card"
    elif action == "dm":
        step = "date"
    elif action == "a" and args and args[0].isdigit():
        activities = turn.svc.settings.visits.activities
        index = int(args[0])
        if index >= len(activities):
            await turn.answer(_(STALE), True)
            return
        name = activities[index]
        acts = list(data["acts"])
        if name in acts:
            acts.remove(name)
        else:
            acts.append(name)
        data["acts"] = [a for a in activities if a in acts] + [
            a for a in acts if a not in activities
        ]
    elif action == "s" and args and args[0].isdigit():
        data["scr"] = min(MAX_SCREENINGS, int(args[0]))
    elif action == "p":
        if len(data["probs"]) >= MAX_PROBLEMS:
            await turn.answer(_("At most {n} problems per log.").format(n=MAX_PROBLEMS), True)
            return
        step = "problem"
    elif action == "px":
        data["probs"] = list(data["probs"])[:-1]
    elif action == "nx":
        data["notes"] = ""
    elif action == "bk":
        step = "card" if data.get("village_id") else "village"
    else:
        await turn.answer(_(STALE), True)
        return
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, FLOW, step, data)
    await turn.answer()
    if step == "village":
        await send_village_picker(turn, place, data, version, edit=True)
    elif step == "date":
        await send_date_picker(turn, place, data, version, edit=True)
    elif step == "problem":
        await turn.show(
            _(
                "Type the problem you helped solve, in one line (at most {limit} characters)."
            ).format(limit=PROBLEM_MAX),
            [[(_("◀️ Back"), turn.cb("vis", "bk", version))]],
        )
    else:
        await send_card(turn, place, data, version, edit=True)


async def _save(turn: Turn, place: Place, state: FlowState) -> None:
    _ = turn._
    assert turn.actor is not None
    data = state.data
    if not data.get("village_id"):
        await turn.answer(_("Please choose the village first."), True)
        return
    if not data["acts"]:
        await turn.answer(_("Please choose at least one activity before saving."), True)
        return
    day = date.fromisoformat(data["date"])
    if day not in _allowed_dates(turn, place, data):
        await turn.answer(_("That day is outside the window for logging visits."), True)
        return
    village = _village(turn, int(data["village_id"]), place.township_id)
    if village is None:
        await turn.answer(_("That village is not in your township."), True)
        return
    metres, checked = _location(village, data)
    today = place.rules.today(turn.now)
    async with turn.svc.transaction() as session:
        # The log leaves the flow state in the same transaction as it is stored.
        if not await turn.take_state(session, FLOW, state.version):
            await turn.answer(_(STALE), True)
            return
        draft = visit_db.VisitDraft(
            village_id=village.id,
            visit_date=day,
            activities=tuple(data["acts"]),
            dispute_screenings=int(data["scr"]),
            problems=tuple(data["probs"]),
            notes=str(data["notes"]),
            lat=data.get("lat"),
            lon=data.get("lon"),
            distance_m=metres,
            location_checked=checked,
            photo_file_id=data.get("photo"),
        )
        if data.get("vid"):
            ok = await visit_db.update_visit(
                session,
                int(data["vid"]),
                member_id=turn.actor.member_id,
                draft=draft,
                today=today,
                now=turn.now,
            )
            if not ok:
                await turn.answer(_("That visit log no longer exists."), True)
                return
            visit_id = int(data["vid"])
        else:
            visit_id = await visit_db.create_visit(
                session,
                member_id=turn.actor.member_id,
                township_id=place.township_id,
                draft=draft,
                today=today,
                now=turn.now,
            )
        view = await load_saved(turn, session, place, visit_id)
    await turn.answer(_("Saved"))
    await show_saved(
        turn,
        place,
        visit_id,
        _("✅ Changes saved.") if data.get("vid") else _("✅ Visit logged."),
        view,
    )


# --- typed input, location and photo -------------------------------------------------------


@flow(FLOW)
async def on_message(turn: Turn, state: FlowState) -> None:
    _ = turn._
    message = turn.update.effective_message
    place = await place_for(turn)
    if message is None or place is None or state.data.get("tid") != place.township_id:
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(_("That visit log can no longer be continued. Send /visit to start again."))
        return
    data = dict(state.data)
    if message.location is not None:
        data["lat"], data["lon"] = message.location.latitude, message.location.longitude
        await _store(turn, place, state, data, state.step, _("📍 Location received."))
        return
    if message.photo:
        data["photo"] = message.photo[-1].file_id
        note = _("📷 Photo attached.")
        caption = clean_text(message.caption or "")
        if caption and state.step == "card":
            notes = f"{data['notes']}\n{caption}".strip()
            if len(notes) <= NOTES_MAX:
                data["notes"] = notes
        await _store(turn, place, state, data, state.step, note)
        return
    if not message.text:
        await reprompt(turn, place, state, _not_text(turn, message, state.step))
        return
    if state.step == "village":
        await _typed_village(turn, place, state, clean_line(message.text))
    elif state.step == "date":
        await _typed_date(turn, place, state, clean_line(message.text))
    elif state.step == "problem":
        text = clean_line(message.text)
        if len(text) > PROBLEM_MAX:
            await turn.send(too_long(_, PROBLEM_MAX, len(text)))
            return
        data["probs"] = [*data["probs"], text]
        await _store(turn, place, state, data, "card", _("Problem added."))
    else:
        text = clean_text(message.text)
        notes = f"{data['notes']}\n{text}".strip() if data["notes"] else text
        if len(notes) > NOTES_MAX:
            await turn.send(too_long(_, NOTES_MAX, len(notes)))
            return
        data["notes"] = notes
        await _store(turn, place, state, data, "card", _("Notes added."))


def _not_text(turn: Turn, message: Message, step: str) -> str:
    _ = turn._
    if step == "problem":
        return _("Please type the problem as one line of text.")
    if step == "village":
        return _("Please choose the village with a button, or type its name.")
    if step == "date":
        return _("Please tap a day, or type a date.")
    return _(
        "I can only use text, a location or a photo here. Please use the buttons, type "
        "notes, or send a location or a photo."
    )


async def _store(
    turn: Turn, place: Place, state: FlowState, data: dict[str, Any], step: str, note: str
) -> None:
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, FLOW, step, data)
    await reprompt(turn, place, FlowState(FLOW, step, data, version), note)


async def _typed_village(turn: Turn, place: Place, state: FlowState, typed: str) -> None:
    _ = turn._
    villages = turn.svc.directory.villages_of(place.township_id)
    by_name = {v.name: v for v in villages}
    exact = by_name.get(typed) or by_name.get(f"{typed}村")
    if exact is not None:
        data = {**state.data, "village_id": exact.id}
        await _store(turn, place, state, data, "card", "")
        return
    suggestions = suggest_names(typed, list(by_name))
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, FLOW, "village", state.data)
    if suggestions:
        rows: list[list[Button]] = [
            [(name, turn.cb("vis", "v", version, by_name[name].id))] for name in suggestions
        ]
        rows.append([(_("◀️ All villages"), turn.cb("vis", "vp", version, 0))])
        await turn.send(
            _("There is no village called “{name}” in {township}. Did you mean:").format(
                name=quoted(typed), township=_esc(place.name)
            ),
            rows,
        )
        return
    await send_village_picker(
        turn,
        place,
        state.data,
        version,
        edit=False,
        note=_("There is no village called “{name}” in {township}.").format(
            name=quoted(typed), township=_esc(place.name)
        ),
    )


async def _typed_date(turn: Turn, place: Place, state: FlowState, typed: str) -> None:
    _ = turn._
    today = place.rules.today(turn.now)
    day = parse_day(typed, today)
    if day is None:
        await reprompt(
            turn, place, state, _("I could not read “{text}” as a date.").format(text=quoted(typed))
        )
        return
    allowed = _allowed_dates(turn, place, state.data)
    if day not in allowed:
        await reprompt(
            turn,
            place,
            state,
            _("{day} is outside the window: visits can be logged from {first} to {last}.").format(
                day=day_label(turn, day),
                first=day_label(turn, min(allowed)),
                last=day_label(turn, max(allowed)),
            ),
        )
        return
    await _store(turn, place, state, {**state.data, "date": day.isoformat()}, "card", "")


def register(app: App) -> None:
    app.add_handler(CommandHandler("visit", visit_command))
    app.add_handler(CommandHandler("visits", visits_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^vis:"))
