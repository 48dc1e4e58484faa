"""/report: the Friday report (周五交账).

A draft can be started any time; submission opens in the window (default Thursday 12:00 to
Friday 18:00, township time). The digest section (本周完成) is pre-filled from the week's
visit logs, so a cadre who logged visits submits with one tap. Each section can be replaced
or appended to over several messages. Editing is allowed until the deadline; a first
submission after it is accepted and flagged late; every submission is kept as a revision.
The draft lives in `weekly_reports.draft`, the conversation step in `conversation_states`,
so nothing is lost across a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.arena import queries as arena_db
from bot.core.commands import CommandSpec, register_commands
from bot.core.flows import flow
from bot.core.i18n import N_, Gettext
from bot.core.models import WeeklyReport
from bot.core.roles import Role
from bot.core.text import Html, clean_text, esc, join_html, plain, split_message
from bot.core.turn import App, Button, Context, FlowState, Turn, admitted, checkbox, member_only
from bot.reports import queries as report_db
from bot.visits import queries as visit_db
from bot.week import facts
from bot.week.place import (
    STALE,
    Place,
    day_label,
    moment_label,
    place_for,
    report_line,
    sentences,
)
from bot.week.rules import previous_week

FLOW = "report"

register_commands(
    CommandSpec(
        "report", N_("Write and submit the weekly report (周五交账)"), frozenset({Role.CADRE})
    ),
)


# --- the digest of the week's visit logs ---------------------------------------------------


def digest(turn: Turn, visits: Sequence[visit_db.VisitRow], limit: int) -> str:
    """本周完成 pre-filled from the visit logs, in the cadre's language, within `limit`."""
    _ = turn._
    if not visits:
        return ""
    days = sorted({v.visit_date for v in visits})
    lines = [_("Field visits on {n} day(s):").format(n=len(days))]
    for v in visits:
        line = Html("· {day} {village}：{activities}").format(
            day=day_label(turn, v.visit_date), village=v.village, activities="、".join(v.activities)
        )
        if v.dispute_screenings:
            line += _("; dispute screenings: {n}").format(n=v.dispute_screenings)
        if v.problems:
            line += _("; solved: {list}").format(list="；".join(v.problems))
        lines.append(line)
    lines.append(
        _("In total: {s} dispute screening(s), {p} problem(s) solved.").format(
            s=sum(v.dispute_screenings for v in visits),
            p=sum(len(v.problems) for v in visits),
        )
    )
    # Report content is plain text (shown escaped wherever it appears).
    text = plain(join_html(lines))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


# --- opening a report ----------------------------------------------------------------------


async def open_report(turn: Turn, place: Place, monday: date) -> tuple[WeeklyReport, int]:
    """Get or create the week's report, refresh an untouched digest, enter the flow."""
    assert turn.actor is not None
    settings = turn.svc.settings.report
    async with turn.svc.transaction() as session:
        report = await report_db.get_or_create_report(
            session,
            member_id=turn.actor.member_id,
            township_id=place.township_id,
            week_start=monday,
            sections=settings.sections,
            now=turn.now,
        )
        draft = {name: str(report.draft.get(name, "")) for name in settings.sections}
        if settings.digest_section and report.digest_auto and report.first_submitted_at is None:
            visits = await visit_db.member_visits(
                session,
                turn.actor.member_id,
                place.township_id,
                monday,
                monday + timedelta(days=6),
            )
            draft[settings.digest_section] = digest(turn, visits, settings.section_limit)
        if draft != report.draft:
            await report_db.save_draft(
                session, report.id, draft, digest_auto=report.digest_auto, now=turn.now
            )
            report.draft = draft
        version = await turn.set_state(
            session,
            FLOW,
            "preview",
            {"rid": report.id, "tid": place.township_id, "week": monday.isoformat()},
        )
    return report, version


def _can_edit(turn: Turn, place: Place, report: WeeklyReport) -> bool:
    """Before the deadline, or never submitted (a late first submission is still taken)."""
    window = place.rules.window(report.week_start)
    if report.first_submitted_at is None:
        return True
    return window is not None and not window.is_past(turn.now)


async def _latest_sections(turn: Turn, report: WeeklyReport) -> dict[str, Any] | None:
    async with turn.svc.transaction() as session:
        latest = await report_db.latest_revision(session, report.id)
    return dict(latest.sections) if latest else None


async def send_preview(
    turn: Turn,
    place: Place,
    report: WeeklyReport,
    version: int,
    *,
    edit: bool,
    note: str = "",
) -> None:
    _ = turn._
    settings = turn.svc.settings.report
    monday = report.week_start
    window = place.rules.window(monday)
    latest = await _latest_sections(turn, report)
    changed = latest is not None and any(
        str(latest.get(n, "")) != str(report.draft.get(n, "")) for n in settings.sections
    )
    editable = _can_edit(turn, place, report)
    if report.first_submitted_at is None:
        status = _("Draft, not submitted yet.")
    else:
        status = report_line(
            turn, place, monday, "late" if report.late else "on_time", report.first_submitted_at
        )
        status = sentences(turn, status, _("Revision {n}.").format(n=report.revision))
        if changed and editable:
            status = sentences(turn, status, _("You have changes that are not submitted yet."))
    window_text = ""
    hint = ""
    can_submit = False
    if window is None:
        window_text = _("No report is due this week; you can still keep notes here.")
    elif not editable:
        window_text = _("The deadline has passed; this report can no longer be changed.")
    elif turn.now < window.opens_at:
        window_text = _(
            "Submission opens {opens}; deadline {deadline}. Your draft is saved."
        ).format(
            opens=moment_label(turn, window.opens_at, place.rules),
            deadline=moment_label(turn, window.deadline, place.rules),
        )
    else:
        can_submit = report.first_submitted_at is None or changed
        if window.is_past(turn.now):
            window_text = _(
                "The deadline ({deadline}) has passed: a report submitted now is recorded as late."
            ).format(deadline=moment_label(turn, window.deadline, place.rules))
        else:
            window_text = _("Deadline: {deadline}.").format(
                deadline=moment_label(turn, window.deadline, place.rules)
            )
    if editable:
        hint = _("Tap a section to replace it or add to it.")
        if can_submit:
            hint = sentences(turn, hint, _("Tap Submit when it is ready."))
    text = turn.svc.renderer.render(
        "cadre_week/report.html.j2",
        turn.lang,
        title=_("Weekly report"),
        start=day_label(turn, monday, False),
        end=day_label(turn, monday + timedelta(days=6), False),
        status=status,
        window=window_text,
        sections=[{"name": n, "text": str(report.draft.get(n, ""))} for n in settings.sections],
        hint=hint,
    )
    if note:
        text = join_html([note, text], "\n\n")
    rows: list[list[Button]] = []
    if editable:
        buttons: list[Button] = [
            (f"✏️ {name}", turn.cb("rep", "sec", version, i))
            for i, name in enumerate(settings.sections)
        ]
        rows.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    last: list[Button] = []
    if can_submit:
        label = _("✅ Submit changes") if report.first_submitted_at else _("✅ Submit")
        last.append((label, turn.cb("rep", "sub", version)))
    last.append((_("✖️ Close"), turn.cb("rep", "x", version)))
    if report.first_submitted_at is not None:
        rows.extend(await _key_work_buttons(turn, place))
    rows.append(last)
    await deliver(turn, text, rows, edit=edit)


async def _key_work_buttons(turn: Turn, place: Place) -> list[list[Button]]:
    """With the Friday report, owners update the 擂台赛 progress of their key work items."""
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        owned = set(await arena_db.owned_item_ids(session, turn.actor.member_id, place.township_id))
        items = [i for i in await arena_db.items(session, place.township_id) if i.item_id in owned]
    return [
        [(_key_work_label(turn, item.title, item.percent), turn.cb("ar", "upd", item.item_id))]
        for item in items
    ]


def _key_work_label(turn: Turn, title: str, percent: int) -> str:
    return turn._("📈 Update key work: {title} ({percent}%)").format(title=title, percent=percent)


async def deliver(turn: Turn, text: str, rows: list[list[Button]], *, edit: bool) -> None:
    """Show `text`; when it is longer than one Telegram message, send it in parts with the
    buttons under the last part."""
    parts = split_message(text)
    if len(parts) == 1:
        if edit:
            await turn.show(text, rows)
        else:
            await turn.send(text, rows)
        return
    if edit:
        await turn.show(parts[0])
        parts = parts[1:]
    for part in parts[:-1]:
        await turn.send(part)
    await turn.send(parts[-1], rows)


# --- commands ------------------------------------------------------------------------------


@member_only(Role.CADRE)
async def report_command(turn: Turn) -> None:
    _ = turn._
    assert turn.actor is not None
    place = await place_for(turn)
    if place is None:
        await turn.send(_("You are not a cadre of any township."))
        return
    this_week = place.rules.current_week(turn.now)
    args = [a.lower() for a in turn.context.args or []]
    monday = previous_week(this_week) if args and args[0] in {"last", "上周"} else this_week
    report, version = await open_report(turn, place, monday)
    note = ""
    if monday == this_week:
        last = previous_week(this_week)
        async with turn.svc.transaction() as session:
            last_week = await facts.member_week(
                session, turn.actor.member_id, place.township_id, last, place.rules, turn.now
            )
            started = await report_db.report_for(
                session, turn.actor.member_id, place.township_id, last
            )
        # Only for cadres who were active last week (not for a newcomer's first week).
        if last_week.report == "missing" and (started is not None or last_week.status.field_days):
            note = _(
                "Last week's report is missing. Send /report last to submit it (it will be "
                "marked late)."
            )
    await send_preview(turn, place, report, version, edit=False, note=note)


# --- buttons -------------------------------------------------------------------------------


async def _load(turn: Turn, state: FlowState) -> WeeklyReport | None:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        report = await session.get(WeeklyReport, int(state.data["rid"]))
    if report is None or report.member_id != turn.actor.member_id:
        return None
    return report


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn, (Role.CADRE,)):
        return
    _ = turn._
    parts = turn.callback_parts()
    place = await place_for(turn)
    state = turn.flow_state
    if (
        not parts
        or len(parts) < 2
        or place is None
        or state is None
        or state.flow != FLOW
        or parts[1] != str(state.version)
        or state.data.get("tid") != place.township_id
    ):
        await turn.answer(_(STALE), True)
        return
    report = await _load(turn, state)
    if report is None:
        await turn.answer(_(STALE), True)
        return
    action, args = parts[0], parts[2:]
    if action == "x":
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.answer()
        await turn.show(
            _("Closed. Your draft is kept; send /report to continue.")
            if report.first_submitted_at is None
            else _("Closed. Send /report to look at it again.")
        )
        return
    if not _can_edit(turn, place, report):
        await turn.answer(_("The deadline has passed; this report can no longer be changed."), True)
        return
    sections = turn.svc.settings.report.sections
    if action == "sub":
        await _submit(turn, place, state, report)
    elif action == "sec" and args and args[0].isdigit() and int(args[0]) < len(sections):
        index = int(args[0])
        mode = "append" if str(report.draft.get(sections[index], "")) else "replace"
        await _enter_section(turn, place, report, state, index, mode)
    elif action == "mode" and args and args[0] in {"replace", "append"} and "sec" in state.data:
        await _enter_section(turn, place, report, state, int(state.data["sec"]), args[0])
    elif action == "clr" and "sec" in state.data:
        name = sections[int(state.data["sec"])]
        draft = {**report.draft, name: ""}
        await _save(turn, report, draft, name)
        report.draft = draft
        await _enter_section(turn, place, report, state, int(state.data["sec"]), "replace")
    elif action == "done":
        async with turn.svc.transaction() as session:
            version = await turn.set_state(session, FLOW, "preview", _preview_data(state.data))
        await turn.answer()
        await send_preview(turn, place, report, version, edit=True)
    else:
        await turn.answer(_(STALE), True)


def _preview_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("rid", "tid", "week") if k in data}


async def _save(turn: Turn, report: WeeklyReport, draft: dict[str, Any], section: str) -> None:
    settings = turn.svc.settings.report
    digest_auto = report.digest_auto and section != settings.digest_section
    async with turn.svc.transaction() as session:
        await report_db.save_draft(
            session,
            report.id,
            {k: str(v) for k, v in draft.items()},
            digest_auto=digest_auto,
            now=turn.now,
        )
    report.digest_auto = digest_auto


def _section_text(turn: Turn, name: str, text: str, mode: str) -> str:
    _ = turn._
    limit = turn.svc.settings.report.section_limit
    how = (
        _("Your next message replaces this text; further messages are added to it.")
        if mode == "replace"
        else _("Your messages are added at the end of this text.")
    )
    return (
        f"<b>【{esc(name)}】</b> ({len(text)}/{limit})\n"
        f"{esc(text) if text else _('(empty)')}\n\n"
        + sentences(turn, _("Send the text now, in one or several messages."), how)
    )


def _section_rows(turn: Turn, version: int, mode: str) -> list[list[Button]]:
    _ = turn._
    return [
        [
            (checkbox(mode == "replace", _("Replace")), turn.cb("rep", "mode", version, "replace")),
            (checkbox(mode == "append", _("Append")), turn.cb("rep", "mode", version, "append")),
            (_("🧹 Clear"), turn.cb("rep", "clr", version)),
        ],
        [(_("✔️ Done: back to the report"), turn.cb("rep", "done", version))],
    ]


async def _enter_section(
    turn: Turn, place: Place, report: WeeklyReport, state: FlowState, index: int, mode: str
) -> None:
    name = turn.svc.settings.report.sections[index]
    data = {**_preview_data(state.data), "sec": index, "mode": mode, "fresh": mode == "replace"}
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, FLOW, "section", data)
    await turn.answer()
    text = str(report.draft.get(name, ""))
    await deliver(
        turn, _section_text(turn, name, text, mode), _section_rows(turn, version, mode), edit=True
    )


async def _submit(turn: Turn, place: Place, state: FlowState, report: WeeklyReport) -> None:
    _ = turn._
    assert turn.actor is not None
    settings = turn.svc.settings.report
    window = place.rules.window(report.week_start)
    if window is not None and turn.now < window.opens_at:
        await turn.answer(
            _("Submission opens {opens}. Your draft is saved.").format(
                opens=moment_label(turn, window.opens_at, place.rules)
            ),
            True,
        )
        return
    if not any(str(report.draft.get(n, "")).strip() for n in settings.sections):
        await turn.answer(_("The report is empty. Please write at least one section."), True)
        return
    late = window is not None and window.is_late(turn.now)
    async with turn.svc.transaction() as session:
        current = await turn.state(session)
        if current is None or current.version != state.version:
            await turn.answer(_(STALE), True)
            return
        number = await report_db.submit_report(
            session,
            report.id,
            late=late,
            needs_section=settings.needs_section,
            submitted_by=turn.actor.member_id,
            now=turn.now,
        )
        fresh = await session.get(WeeklyReport, report.id)
        version = await turn.set_state(session, FLOW, "preview", _preview_data(state.data))
    assert fresh is not None
    if number > 1:
        note = _("✅ Changes submitted (revision {n}).").format(n=number)
        await turn.answer(_("Submitted"))
    elif late:
        note = _("⚠️ Report submitted after the deadline; it is recorded as late.")
        await turn.answer(_("Submitted late"))
    else:
        note = _("✅ Report submitted on time. You can still change it until the deadline.")
        await turn.answer(_("Submitted"))
    await send_preview(turn, place, fresh, version, edit=True, note=note)


# --- typed text ----------------------------------------------------------------------------


@flow(FLOW)
async def on_message(turn: Turn, state: FlowState) -> None:
    _ = turn._
    message = turn.update.effective_message
    place = await place_for(turn)
    report = await _load(turn, state) if place is not None else None
    if message is None or place is None or report is None:
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(_("That report can no longer be continued. Send /report to start again."))
        return
    if state.step != "section":
        await send_preview(
            turn,
            place,
            report,
            state.version,
            edit=False,
            note=_("Please tap a section first, so I know where your text goes."),
        )
        return
    sections = turn.svc.settings.report.sections
    name = sections[int(state.data["sec"])]
    mode = str(state.data.get("mode", "append"))
    if not message.text:
        await turn.send(
            _not_text(_),
            _section_rows(turn, state.version, mode),
        )
        return
    if not _can_edit(turn, place, report):
        await turn.send(_("The deadline has passed; this report can no longer be changed."))
        return
    text = clean_text(message.text)
    current = str(report.draft.get(name, ""))
    replace = mode == "replace" and bool(state.data.get("fresh"))
    combined = text if replace or not current else f"{current}\n{text}"
    limit = turn.svc.settings.report.section_limit
    if len(combined) > limit:
        await turn.send(
            _(
                "【{section}】 may have at most {limit} characters; with this message it would "
                "have {count}. Nothing was added: please shorten it and send it again."
            ).format(section=esc(name), limit=limit, count=len(combined)),
            _section_rows(turn, state.version, mode),
        )
        return
    draft = {**report.draft, name: combined}
    await _save(turn, report, draft, name)
    async with turn.svc.transaction() as session:
        version = await turn.set_state(
            session, FLOW, "section", {**state.data, "fresh": False, "mode": "append"}
        )
    await turn.send(
        _(
            "Saved in 【{section}】 ({count}/{limit} characters). Send more to add to it, or tap "
            "Done."
        ).format(section=esc(name), count=len(combined), limit=limit),
        _section_rows(turn, version, "append"),
    )


def _not_text(_: Gettext) -> str:
    return _("Please send the report text as a text message (photos and stickers cannot be used).")


def register(app: App) -> None:
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^rep:"))
