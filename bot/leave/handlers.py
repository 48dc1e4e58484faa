"""/leave: ask for leave (请假) or record official duty (公务外出) for a date range.

A cadre's request goes to the township's secretaries, who approve or reject it in chat with
the buttons under it. A secretary can also record leave for a cadre directly (approved at
once). Approved workdays are exempt from the week's quotas and shown as leave, never as
missed. /leave also lists the cadre's own requests that are not over yet, each with a button
to withdraw it (one already under way ends yesterday instead); the secretaries are told. A
secretary's /leave offers the township's approved leave not over yet, to cancel or end early
on a cadre's behalf (a cadre recalled to work); the cadre and the other secretaries are told.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.core.access import Actor
from bot.core.commands import CommandSpec, register_commands
from bot.core.dates import parse_day_range
from bot.core.db import members as member_db
from bot.core.flows import flow
from bot.core.i18n import N_, gettext_for
from bot.core.render import format_date
from bot.core.roles import Role
from bot.core.text import Html, clean_line, esc, join_html, quoted
from bot.core.turn import (
    App,
    Button,
    Context,
    FlowState,
    Turn,
    admitted,
    member_only,
    page_buttons,
    page_of,
    resumable,
)
from bot.leave import queries as leave_db
from bot.week import facts
from bot.week.place import STALE, Place, leave_kind_label, place_for, too_long

log = logging.getLogger(__name__)

FLOW = "leave"
REASON_MAX = 200
MAX_DAYS = 60  # longest span one request may cover
PAST_DAYS = 30  # how far back a span may start (official duty recorded afterwards)
AHEAD_DAYS = 120  # how far ahead a span may end
KINDS = {"l": "leave", "d": "official_duty"}


def _worth_keeping(state: FlowState) -> bool:
    """A request survives another command once its kind is chosen (its days and reason may
    follow); before that it is a tap or two, and /leave starts afresh."""
    return bool(state.data.get("kind"))


resumable(FLOW, _worth_keeping)

register_commands(
    CommandSpec(
        "leave",
        N_("Ask for leave (请假) or record official duty (公务外出)"),
        frozenset({Role.CADRE, Role.SECRETARY}),
    ),
)


def _range_label(turn: Turn, start: date, end: date) -> str:
    return _range_label_lang(turn.lang, start, end)


async def _township_for(turn: Turn) -> tuple[Place, bool] | None:
    """The township the actor files in, and whether they record as its secretary."""
    actor = turn.actor
    assert actor is not None
    secretary_of = sorted(actor.township_ids(Role.SECRETARY))
    if secretary_of:
        place = await place_for(turn, secretary_of[0])
        return (place, True) if place else None
    place = await place_for(turn)
    return (place, False) if place else None


# --- command -------------------------------------------------------------------------------


@member_only(Role.CADRE, Role.SECRETARY)
async def leave_command(turn: Turn) -> None:
    _ = turn._
    assert turn.actor is not None
    found = await _township_for(turn)
    if found is None:
        await turn.send(_("You are not a cadre of any township."))
        return
    place, secretary = found
    async with turn.svc.transaction() as session:
        resumed = await turn.resume(
            session,
            FLOW,
            lambda draft: (
                draft.data.get("tid") == place.township_id
                and bool(draft.data.get("direct")) == secretary
                and _worth_keeping(draft)
            ),
        )
    if resumed is not None:
        await _reprompt(
            turn, place, resumed, _("You have an unfinished leave request; here it is.")
        )
        return
    data: dict[str, Any] = {"tid": place.township_id, "direct": secretary}
    if secretary:
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "who", data)
        await _ask_who(turn, place, version, 0, edit=False)
        return
    data["for"] = turn.actor.member_id
    today = place.rules.today(turn.now)
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, FLOW, "kind", data)
        mine = await leave_db.open_leaves(session, turn.actor.member_id, today)
    await _ask_kind(turn, version, edit=False, open_leaves=mine)


CADRE_PAGE = 30  # cadres per page of the secretary's picker (Telegram allows 100 buttons)


async def _ask_who(turn: Turn, place: Place, version: int, page: int, *, edit: bool) -> None:
    """The secretary's "for whom?": the township's cadres, a page at a time, and the way to
    the approved leave not over yet."""
    _ = turn._
    today = place.rules.today(turn.now)
    async with turn.svc.transaction() as session:
        cadres = await facts.cadres_of(session, place.township_id)
        in_force = await leave_db.township_approved_leaves(session, place.township_id, today)
    if not cadres:
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(_("There are no cadres in your township yet."))
        return
    shown, page, pages = page_of(cadres, page, CADRE_PAGE)
    buttons: list[Button] = [(name, turn.cb("lv", "who", version, mid)) for mid, name in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(page_buttons(turn, page, pages, "lv", "pg", version))
    if in_force:
        label = _("↩️ Cancel or end a leave early ({count})").format(count=len(in_force))
        rows.append([(label, turn.cb("lv", "ls", place.township_id))])
    rows.append([(_("✖️ Cancel"), turn.cb("lv", "x", version))])
    text = _("Record leave or official duty for whom? It is recorded as approved.")
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    if edit:
        await turn.show(text, rows)
    else:
        await turn.send(text, rows)


async def _ask_kind(
    turn: Turn,
    version: int,
    *,
    edit: bool,
    open_leaves: Sequence[leave_db.LeaveRow] = (),
) -> None:
    _ = turn._
    rows: list[list[Button]] = [
        [
            (_("🏖 Leave (请假)"), turn.cb("lv", "kind", version, "l")),
            (_("🚗 Official duty (公务外出)"), turn.cb("lv", "kind", version, "d")),
        ],
    ]
    text = _("Leave or official duty?")
    if open_leaves:
        lines = [_("Your requests not yet over:")]
        for row in open_leaves:
            label = f"{leave_kind_label(_, row.kind)} {_range_label(turn, row.start, row.end)}"
            state = _("approved") if row.status == "approved" else _("waiting for approval")
            lines.append(Html("• {label} · {state}").format(label=label, state=state))
            rows.append([(_("↩️ Withdraw: {what}").format(what=label), turn.cb("lv", "wd", row.id))])
        text = join_html([*lines, "", text])
    rows.append([(_("✖️ Cancel"), turn.cb("lv", "x", version))])
    if edit:
        await turn.show(text, rows)
    else:
        await turn.send(text, rows)


def _dates_prompt(turn: Turn, today: date) -> str:
    _ = turn._
    return _(
        "Which days? Tap below, or type one day such as {day} or a range such as {range}."
    ).format(
        day=f"{today + timedelta(days=1):%m-%d}",
        range=f"{today + timedelta(days=1):%m-%d} 至 {today + timedelta(days=3):%m-%d}",
    )


def _dates_rows(turn: Turn, version: int, today: date) -> list[list[Button]]:
    _ = turn._
    tomorrow = today + timedelta(days=1)
    return [
        [
            (_("Today"), turn.cb("lv", "d", version, f"{today:%Y%m%d}", f"{today:%Y%m%d}")),
            (
                _("Tomorrow"),
                turn.cb("lv", "d", version, f"{tomorrow:%Y%m%d}", f"{tomorrow:%Y%m%d}"),
            ),
        ],
        [(_("✖️ Cancel"), turn.cb("lv", "x", version))],
    ]


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn):
        return
    _ = turn._
    parts = turn.callback_parts()
    if not parts or len(parts) < 2:
        await turn.answer(_(STALE), True)
        return
    if parts[0] in {"ok", "no", "wd", "wdy", "wdn", "ls"}:
        # Buttons outside a flow: the action and one id (a leave request, or a township).
        target = int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None
        if target is None:
            await turn.answer(_(STALE), True)
        elif parts[0] in {"ok", "no"}:
            await _decide(turn, parts[0], target)
        elif parts[0] == "ls":
            await _list_in_force(turn, target)
        else:
            await _withdraw(turn, parts[0], target)
        return
    state = turn.flow_state
    if state is None or state.flow != FLOW or parts[1] != str(state.version):
        await turn.answer(_(STALE), True)
        return
    place = await place_for(turn, int(state.data["tid"]))
    if place is None:
        await turn.answer(_(STALE), True)
        return
    action, args = parts[0], parts[2:]
    data = dict(state.data)
    today = place.rules.today(turn.now)
    if action == "x":
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.answer()
        await turn.show(_("Cancelled; nothing was recorded."))
        return
    if action == "who" and args and args[0].isdigit() and state.step == "who":
        assert turn.actor is not None
        if not turn.actor.manages(place.township_id):
            await turn.answer(_("Only a secretary of this township can do that."), True)
            return
        async with turn.svc.transaction() as session:
            cadres = dict(await facts.cadres_of(session, place.township_id))
        if int(args[0]) not in cadres:
            await turn.answer(_("That member was not found in this township."), True)
            return
        data["for"] = int(args[0])
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "kind", data)
        await turn.answer()
        await _ask_kind(turn, version, edit=True)
    elif action == "pg" and args and args[0].isdigit() and state.step == "who":
        await turn.answer()
        await _ask_who(turn, place, state.version, int(args[0]), edit=True)
    elif action == "kind" and args and args[0] in KINDS and state.step == "kind":
        data["kind"] = KINDS[args[0]]
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "dates", data)
        await turn.answer()
        await turn.show(_dates_prompt(turn, today), _dates_rows(turn, version, today))
    elif action == "d" and len(args) == 2 and state.step == "dates":
        try:
            start = date(int(args[0][:4]), int(args[0][4:6]), int(args[0][6:]))
            end = date(int(args[1][:4]), int(args[1][4:6]), int(args[1][6:]))
        except ValueError:
            await turn.answer(_(STALE), True)
            return
        await turn.answer()
        await _dates_chosen(turn, place, state, start, end, edit=True)
    elif action == "send" and state.step == "confirm":
        await _file(turn, place, state)
    else:
        await turn.answer(_(STALE), True)


async def _dates_problem(
    turn: Turn, today: date, member_id: int, start: date, end: date
) -> str | None:
    """Why these days cannot be requested, or None."""
    _ = turn._
    if start < today - timedelta(days=PAST_DAYS):
        return _("Leave can be recorded at most {n} days back.").format(n=PAST_DAYS)
    if end > today + timedelta(days=AHEAD_DAYS):
        return _("Leave can be requested at most {n} days ahead.").format(n=AHEAD_DAYS)
    if (end - start).days + 1 > MAX_DAYS:
        return _("One request may cover at most {n} days.").format(n=MAX_DAYS)
    async with turn.svc.transaction() as session:
        overlap = await leave_db.overlapping_leave(session, member_id, start, end)
    if overlap is not None:
        return _("There is already a request for {range} that overlaps these days.").format(
            range=_range_label(turn, overlap.start, overlap.end)
        )
    return None


async def _dates_chosen(
    turn: Turn, place: Place, state: FlowState, start: date, end: date, *, edit: bool
) -> None:
    _ = turn._
    today = place.rules.today(turn.now)
    problem = await _dates_problem(turn, today, int(state.data["for"]), start, end)
    if problem:
        text = f"{problem}\n\n{_dates_prompt(turn, today)}"
        rows = _dates_rows(turn, state.version, today)
        if edit:
            await turn.show(text, rows)
        else:
            await turn.send(text, rows)
        return
    data = {**state.data, "start": start.isoformat(), "end": end.isoformat()}
    # A reason is already there when a resumed request's dates had to be chosen again.
    step = "confirm" if data.get("reason") else "reason"
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, FLOW, step, data)
    if step == "confirm":
        await _confirm(turn, place, data, version)
    else:
        await _ask_reason(turn, start, end, version, edit=edit)


async def _ask_reason(
    turn: Turn, start: date, end: date, version: int, *, edit: bool, note: str = ""
) -> None:
    _ = turn._
    text = _("{range}. Now type the reason in one line (at most {limit} characters).").format(
        range=_range_label(turn, start, end), limit=REASON_MAX
    )
    if note:
        text = join_html([note, text], "\n\n")
    rows = [[(_("✖️ Cancel"), turn.cb("lv", "x", version))]]
    if edit:
        await turn.show(text, rows)
    else:
        await turn.send(text, rows)


async def _reprompt(turn: Turn, place: Place, state: FlowState, note: str) -> None:
    """Ask again for what a request set aside (or interrupted) was waiting for: its dates,
    its reason or the confirmation. Days may have passed since its dates were chosen: they
    are checked again, and asked for again (the reason kept) if they no longer fit."""
    data, version = state.data, state.version
    today = place.rules.today(turn.now)
    if state.step in {"reason", "confirm"}:
        start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
        problem = await _dates_problem(turn, today, int(data["for"]), start, end)
        if problem is None and state.step == "confirm":
            await _confirm(turn, place, data, version, note=note)
            return
        if problem is None:
            await _ask_reason(turn, start, end, version, edit=False, note=note)
            return
        kept = {k: v for k, v in data.items() if k not in {"start", "end"}}  # the reason stays
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "dates", kept)
        note = f"{note}\n\n{problem}"
    await turn.send(f"{note}\n\n{_dates_prompt(turn, today)}", _dates_rows(turn, version, today))


def _workdays(place: Place, start: date, end: date) -> int:
    return len(place.rules.calendar.workdays_between(start, end))


async def _confirm(
    turn: Turn, place: Place, data: dict[str, Any], version: int, *, note: str = ""
) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        who = await member_db.contact(session, int(data["for"]))
    start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
    text = turn.svc.renderer.render(
        "cadre_week/leave.html.j2",
        turn.lang,
        title=_("Please check:"),
        name=who.name if who else "",
        kind=leave_kind_label(_, data["kind"]),
        range=_range_label(turn, start, end),
        workdays=_workdays(place, start, end),
        reason=data["reason"],
        status="",
    )
    if note:
        text = join_html([note, text], "\n\n")
    label = _("✅ Record as approved") if data.get("direct") else _("✅ Send to the secretary")
    await turn.send(
        text,
        [
            [(label, turn.cb("lv", "send", version))],
            [(_("✖️ Cancel"), turn.cb("lv", "x", version))],
        ],
    )


async def _file(turn: Turn, place: Place, state: FlowState) -> None:
    _ = turn._
    assert turn.actor is not None
    data = state.data
    direct = bool(data.get("direct")) and turn.actor.manages(place.township_id)
    member_id = int(data["for"])
    if not direct and member_id != turn.actor.member_id:
        await turn.answer(_(STALE), True)
        return
    start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
    async with turn.svc.transaction() as session:
        current = await turn.state(session)
        if current is None or current.version != state.version:
            await turn.answer(_(STALE), True)
            return
        if await leave_db.overlapping_leave(session, member_id, start, end) is not None:
            await turn.clear_state(session)
            await turn.answer(_("There is already a request that overlaps these days."), True)
            return
        leave_id = await leave_db.create_leave(
            session,
            member_id=member_id,
            township_id=place.township_id,
            kind=str(data["kind"]),
            start=start,
            end=end,
            reason=str(data["reason"]),
            requested_by=turn.actor.member_id,
            now=turn.now,
            approved=direct,
        )
        await turn.clear_state(session)
        row = await leave_db.leave_row(session, leave_id)
        secretaries = await member_db.secretaries_of(session, place.township_id)
    assert row is not None
    await turn.answer(_("Recorded") if direct else _("Sent"))
    if direct:
        await turn.show(
            _("Recorded as approved: {name}, {kind}, {range}.").format(
                name=esc(row.member_name),
                kind=leave_kind_label(_, row.kind),
                range=_range_label(turn, start, end),
            )
        )
        if member_id != turn.actor.member_id:
            await _tell_member(turn, row, approved=True, by=turn.actor.name)
        return
    targets = [s for s in secretaries if s.member_id != turn.actor.member_id]
    if not targets:
        await turn.show(
            _(
                "Your request is saved, but your township has no registered secretary yet to "
                "approve it. Please tell the township office."
            )
        )
        return
    await turn.show(
        _("Your request was sent to the secretary. You will get a message when it is decided.")
    )
    for secretary in targets:
        await _ask_secretary(turn, place, row, secretary)


async def _ask_secretary(
    turn: Turn, place: Place, row: leave_db.LeaveRow, secretary: member_db.Contact
) -> None:
    _ = gettext_for(secretary.language)
    text = turn.svc.renderer.render(
        "cadre_week/leave.html.j2",
        secretary.language,
        title=_("Leave request"),
        name=row.member_name,
        kind=leave_kind_label(_, row.kind),
        range=_range_label_lang(secretary.language, row.start, row.end),
        workdays=_workdays(place, row.start, row.end),
        reason=row.reason,
        status="",
    )
    rows = [
        [
            (_("✅ Approve"), turn.cb("lv", "ok", row.id)),
            (_("❌ Reject"), turn.cb("lv", "no", row.id)),
        ]
    ]
    await _send_to(turn, secretary.telegram_user_id, text, rows, about="a leave request")


async def _send_to(
    turn: Turn,
    chat_id: int,
    text: str,
    rows: Sequence[Sequence[Button]] = (),
    *,
    about: str,
) -> None:
    """Tell another member; one who blocked the bot is marked unreachable, and a failed send
    never fails the action of the person pressing the button."""
    try:
        await turn.send(text, rows, chat_id=chat_id)
    except Forbidden:
        async with turn.svc.transaction() as session:
            await member_db.mark_reachable(session, chat_id, False)
    except TelegramError as exc:
        log.warning("could not send %s: %s", about, type(exc).__name__)


def _range_label_lang(language: str, start: date, end: date) -> str:
    if start == end:
        return format_date(start, language)
    return f"{format_date(start, language)} – {format_date(end, language)}"


async def _tell_member(turn: Turn, row: leave_db.LeaveRow, *, approved: bool, by: str) -> None:
    async with turn.svc.transaction() as session:
        who = await member_db.contact(session, row.member_id)
    if who is None:
        return
    _ = gettext_for(who.language)
    template = (
        _("Your {kind} for {range} was approved by {name}.")
        if approved
        else _("Your {kind} for {range} was not approved by {name}.")
    )
    text = template.format(
        kind=leave_kind_label(_, row.kind),
        range=_range_label_lang(who.language, row.start, row.end),
        name=esc(by),
    )
    await _send_to(turn, who.telegram_user_id, text, about="a leave decision")


async def _decide(turn: Turn, action: str, target: int) -> None:
    _ = turn._
    actor = turn.actor
    assert actor is not None
    approve = action == "ok"
    async with turn.svc.transaction() as session:
        row = await leave_db.leave_row(session, target)
    if row is None:
        await turn.answer(_(STALE), True)
        return
    if not _secretary_for(actor, row.township_id):
        await turn.answer(_("Only a secretary of this township can do that."), True)
        return
    async with turn.svc.transaction() as session:
        decided = await leave_db.decide_leave(
            session,
            row.id,
            approve=approve,
            decided_by=actor.member_id,
            township_id=row.township_id,
            now=turn.now,
        )
        fresh = await leave_db.leave_row(session, row.id)
        decider = (
            await member_db.contact(session, fresh.decided_by)
            if fresh and fresh.decided_by
            else None
        )
    assert fresh is not None
    place = await place_for(turn, row.township_id)
    verdict = (
        _("✅ Approved by {name}.") if fresh.status == "approved" else _("❌ Rejected by {name}.")
    ).format(name=decider.name if decider else "?")
    text = turn.svc.renderer.render(
        "cadre_week/leave.html.j2",
        turn.lang,
        title=_("Leave request"),
        name=fresh.member_name,
        kind=leave_kind_label(_, fresh.kind),
        range=_range_label(turn, fresh.start, fresh.end),
        workdays=_workdays(place, fresh.start, fresh.end) if place else None,
        reason=fresh.reason,
        status=verdict,
    )
    if not decided:
        await turn.answer(_("This request was already decided."), True)
        await turn.show(text)
        return
    await turn.answer(_("Approved") if approve else _("Rejected"))
    await turn.show(text)
    await _tell_member(turn, fresh, approved=approve, by=actor.name)


def _secretary_for(actor: Actor, township_id: int) -> bool:
    """Whether `actor` decides leave in the township: its secretary, or an admin there."""
    return actor.manages(township_id) and (
        actor.has_role(Role.SECRETARY, township_id) or actor.has_role(Role.ADMIN)
    )


LIST_MAX = 20  # requests listed at once for a secretary (the soonest first)


async def _list_in_force(turn: Turn, target: int) -> None:
    """A secretary's list of the township's approved leave not over yet, each with a button
    to cancel it or end it early on the cadre's behalf (a cadre recalled to work)."""
    _ = turn._
    actor = turn.actor
    assert actor is not None
    place = await place_for(turn, target)
    if place is None or not _secretary_for(actor, place.township_id):
        await turn.answer(_("Only a secretary of this township can do that."), True)
        return
    async with turn.svc.transaction() as session:
        await turn.clear_state(session)  # the "for whom?" question is left behind
        in_force = await leave_db.township_approved_leaves(
            session, place.township_id, place.rules.today(turn.now)
        )
    await turn.answer()
    if not in_force:
        await turn.show(_("No approved leave or official duty is in force or ahead."))
        return
    lines: list[str] = [_("Approved leave and official duty in force or ahead:")]
    rows: list[list[Button]] = []
    for row in in_force[:LIST_MAX]:
        what = _whose(turn, row)
        lines.append(Html("• {what}").format(what=what))
        rows.append([(_("↩️ {what}").format(what=what), turn.cb("lv", "wd", row.id))])
    if len(in_force) > LIST_MAX:
        lines.append(
            _("… and {count} more, starting later.").format(count=len(in_force) - LIST_MAX)
        )
    lines += ["", _("Tap one to cancel it or end it early; the cadre is told.")]
    await turn.show(join_html(lines), rows)


def _label(turn: Turn, row: leave_db.LeaveRow) -> str:
    return f"{leave_kind_label(turn._, row.kind)} {_range_label(turn, row.start, row.end)}"


def _whose(turn: Turn, row: leave_db.LeaveRow) -> str:
    return f"{row.member_name} {_label(turn, row)}"


async def _withdraw(turn: Turn, action: str, target: int) -> None:
    """A member takes back their own request, or a secretary an approved one of the
    township's cadres: `wd` asks to confirm, `wdy` withdraws, `wdn` keeps it. The buttons
    carry the request's id; who may act on it is checked here."""
    _ = turn._
    actor = turn.actor
    assert actor is not None
    async with turn.svc.transaction() as session:
        row = await leave_db.leave_row(session, target)
    place = await place_for(turn, row.township_id) if row is not None else None
    own = row is not None and row.member_id == actor.member_id
    if row is None or place is None or not (own or _secretary_for(actor, row.township_id)):
        await turn.answer(_(STALE), True)
        return
    today = place.rules.today(turn.now)
    label = esc(_label(turn, row) if own else _whose(turn, row))  # shown as HTML
    if action == "wdn":
        await turn.answer()
        await turn.show(_("Kept: {what}.").format(what=label))
        return
    # A secretary rejects a pending request with the buttons under it instead.
    allowed = ("pending", "approved") if own else ("approved",)
    if row.status not in allowed or row.end < today:
        await turn.answer(_("This request can no longer be withdrawn."), True)
        return
    if action == "wd":
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)  # no new request is being filed meanwhile
        await turn.answer()
        await turn.show(
            _withdraw_question(turn, row, today, own).format(what=label),
            [
                [
                    (_("↩️ Yes, withdraw"), turn.cb("lv", "wdy", row.id)),
                    (_("Keep it"), turn.cb("lv", "wdn", row.id)),
                ]
            ],
        )
        return
    async with turn.svc.transaction() as session:
        outcome = await leave_db.withdraw_leave(
            session, row.id, member_id=row.member_id, today=today, now=turn.now, by=actor.member_id
        )
        fresh = await leave_db.leave_row(session, row.id)
        secretaries = await member_db.secretaries_of(session, row.township_id)
        cadre = None if own else await member_db.contact(session, row.member_id)
    if outcome is None or fresh is None:
        await turn.answer(_("This request can no longer be withdrawn."), True)
        return
    await turn.answer(_("Withdrawn"))
    if outcome == "withdrawn":
        await turn.show(_("Withdrawn: {what}.").format(what=label))
    else:
        await turn.show(
            _("Ended early: {kind} now covers {range}.").format(
                kind=leave_kind_label(_, fresh.kind)
                if own
                else f"{esc(fresh.member_name)} {leave_kind_label(_, fresh.kind)}",
                range=_range_label(turn, fresh.start, fresh.end),
            )
        )
    if cadre is not None:
        await _tell_withdrawn(turn, fresh, row, outcome, cadre)
    for secretary in secretaries:
        if secretary.member_id not in (actor.member_id, row.member_id):  # each told once
            await _tell_withdrawn(turn, fresh, row, outcome, secretary)


def _withdraw_question(turn: Turn, row: leave_db.LeaveRow, today: date, own: bool) -> str:
    _ = turn._
    if row.status == "approved" and row.start < today:
        return (
            _(
                "End {what} early? The days before today stay exempt; from today on, your "
                "field days, screenings and problems count again."
            )
            if own
            else _(
                "End {what} early? The days before today stay exempt; from today on, their "
                "field days, screenings and problems count again. They are told."
            )
        )
    if not own:
        return _("Cancel {what}? Its days will count towards their quotas again. They are told.")
    return _("Withdraw {what}?") + (
        " " + _("Its days will count towards your quotas again.")
        if row.status == "approved"
        else ""
    )


async def _tell_withdrawn(
    turn: Turn,
    fresh: leave_db.LeaveRow,
    before: leave_db.LeaveRow,
    outcome: str,
    person: member_db.Contact,
) -> None:
    """Tell the cadre (when a secretary acted for them) or a secretary that a request was
    withdrawn, or ended early (`fresh` is its new span, `before` the old one)."""
    actor = turn.actor
    assert actor is not None
    _ = gettext_for(person.language)
    if person.member_id == fresh.member_id:  # the cadre, told what a secretary did
        name = actor.name
        withdrawn = _("{name} cancelled your {kind} for {range}.")
        shortened = _(
            "{name} ended your {kind} early: it now covers {range} (was {before}). From today "
            "on, your field days, screenings and problems count again."
        )
    elif actor.member_id == fresh.member_id:  # a secretary, told what the cadre did
        name = fresh.member_name
        withdrawn = _("{name} withdrew their {kind} for {range}.")
        shortened = _("{name} ended their {kind} early: it now covers {range} (was {before}).")
    else:  # another secretary, told what a secretary did
        name = fresh.member_name
        withdrawn = _("{by} cancelled {name}'s {kind} for {range}.")
        shortened = _("{by} ended {name}'s {kind} early: it now covers {range} (was {before}).")
    was = _range_label_lang(person.language, before.start, before.end)
    text = (withdrawn if outcome == "withdrawn" else shortened).format(
        by=esc(actor.name),
        name=esc(name),
        kind=leave_kind_label(_, fresh.kind),
        range=was
        if outcome == "withdrawn"
        else _range_label_lang(person.language, fresh.start, fresh.end),
        before=was,
    )
    await _send_to(turn, person.telegram_user_id, text, about="withdrawn leave")


# --- typed input ---------------------------------------------------------------------------


@flow(FLOW)
async def on_message(turn: Turn, state: FlowState) -> None:
    _ = turn._
    message = turn.update.effective_message
    place = await place_for(turn, int(state.data["tid"]))
    if message is None or place is None:
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(_("That request can no longer be continued. Send /leave to start again."))
        return
    today = place.rules.today(turn.now)
    if state.step == "dates":
        typed = clean_line(message.text or "")
        span = parse_day_range(typed, today) if typed else None
        if span is None:
            note = (
                _("I could not read “{text}” as a date or a range.").format(text=quoted(typed))
                if typed
                else _("Please type the dates as text.")
            )
            await turn.send(
                f"{note}\n\n{_dates_prompt(turn, today)}",
                _dates_rows(turn, state.version, today),
            )
            return
        await _dates_chosen(turn, place, state, span[0], span[1], edit=False)
        return
    if state.step == "reason":
        if not message.text:
            await turn.send(_("Please type the reason as text."))
            return
        reason = clean_line(message.text)
        if len(reason) > REASON_MAX:
            await turn.send(too_long(_, REASON_MAX, len(reason)))
            return
        if not reason:
            await turn.send(_("Please type the reason as text."))
            return
        data = {**state.data, "reason": reason}
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "confirm", data)
        await _confirm(turn, place, data, version)
        return
    await turn.send(_("Please use the buttons above, or send /cancel to stop."))


def register(app: App) -> None:
    app.add_handler(CommandHandler("leave", leave_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^lv:"))
