"""What /leave shows: button labels, short replies and alerts, and the cards of the two
flows (message bodies from `templates/leave/`). Text a member typed (a reason, a name, dates
that could not be read) is only ever a value given to a template or to `.format()`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.core.flows import FlowTurn
from bot.core.i18n import Gettext, gettext_for
from bot.core.render import format_date, format_span
from bot.core.text import Html, join_html, plain, quoted
from bot.core.turn import Button, Turn, page_buttons
from bot.leave.flow import BUTTONS, KIND_ARGS, RECORD, Act, Do, LeaveDraft, Step
from bot.leave.queries import LeaveRow
from bot.leave.rules import (
    AHEAD_DAYS,
    MAX_DAYS,
    PAST_DAYS,
    REASON_MAX,
    Kind,
    SpanProblem,
    Withdrawal,
    earliest_day,
    latest_day,
    withdrawal,
)
from bot.week.place import Place, leave_kind_label
from bot.week.views import sentences

LeaveTurn = FlowTurn[LeaveDraft, Step]
Card = tuple[Html, list[list[Button]]]
CARD = "leave/card.html.j2"


# --- labels -------------------------------------------------------------------------------


def range_label(language: str, start: date, end: date) -> str:
    return format_span(start, end, language, weekday=True)


def what(turn: Turn, row: LeaveRow) -> str:
    """A request in a few words ("请假 11月25日（周三）–27日（周五）"): plain text."""
    return (
        f"{plain(leave_kind_label(turn._, row.kind))} {range_label(turn.lang, row.start, row.end)}"
    )


def whose(turn: Turn, row: LeaveRow) -> str:
    return f"{row.member_name} {what(turn, row)}"


def workdays(place: Place, start: date, end: date) -> int:
    return len(place.rules.calendar.workdays_between(start, end))


def problem_text(turn: Turn, problem: SpanProblem | LeaveRow, today: date) -> Html:
    _ = turn._
    if isinstance(problem, LeaveRow):
        return _("There is already a request for {range} that overlaps these days.").format(
            range=range_label(turn.lang, problem.start, problem.end)
        )
    if problem is SpanProblem.TOO_LONG:
        return _("One request may cover at most {n} days.").format(n=MAX_DAYS)
    limit = (
        _("Leave can be recorded at most {n} days back.").format(n=PAST_DAYS)
        if problem is SpanProblem.TOO_EARLY
        else _("Leave can be requested at most {n} days ahead.").format(n=AHEAD_DAYS)
    )
    window = _("Days from {first} to {last} can be chosen.").format(
        first=format_date(earliest_day(today), turn.lang),
        last=format_date(latest_day(today), turn.lang),
    )
    return sentences(turn, limit, window)


def unreadable(turn: Turn, typed: str) -> Html:
    _ = turn._
    if not typed:
        return _("Please type the dates as text.")
    return _("I could not read “{text}” as a date or a range.").format(text=quoted(typed))


def lost(_: Gettext) -> Html:
    return _("That request can no longer be continued. Send /leave to start again.")


# --- the cards of the flows -----------------------------------------------------------------


def cancel_row(ctx: LeaveTurn) -> list[Button]:
    return [ctx.button(ctx._("✖️ Cancel"), Act.CANCEL)]


def who_card(
    ctx: LeaveTurn,
    place: Place,
    cadres: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    in_force: int,
) -> Card:
    """The secretary's "for whom?": a page of the township's cadres, and the way to the
    approved leave not over yet."""
    _ = ctx._
    buttons = [ctx.button(name, Act.WHO, member_id) for member_id, name in cadres]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(page_buttons(ctx.turn, page, pages, RECORD.code, Act.PAGE, ctx.version))
    if in_force:
        label = _("↩️ Cancel or end a leave early ({count})").format(count=in_force)
        rows.append([BUTTONS.button(ctx.turn, label, Do.IN_FORCE, place.township_id)])
    rows.append(cancel_row(ctx))
    text = _("Record leave or official duty for whom? It is recorded as approved.")
    if pages > 1:
        text = join_html([text, _("Page {page} of {pages}").format(page=page + 1, pages=pages)])
    return text, rows


def kind_card(ctx: LeaveTurn, open_leaves: Sequence[LeaveRow] = ()) -> Card:
    """Leave or official duty; for a cadre, with their requests not over yet, each with a
    button to take it back."""
    turn, _ = ctx.turn, ctx._
    codes = {kind: code for code, kind in KIND_ARGS.items()}
    rows: list[list[Button]] = [
        [
            ctx.button(_("🏖 Leave (请假)"), Act.KIND, codes[Kind.LEAVE]),
            ctx.button(_("🚗 Official duty (公务外出)"), Act.KIND, codes[Kind.DUTY]),
        ]
    ]
    listed = []
    for row in open_leaves:
        label = what(turn, row)
        state = _("approved") if row.status == "approved" else _("waiting for approval")
        listed.append({"what": label, "state": state})
        withdraw = _("↩️ Withdraw: {what}").format(what=label)
        rows.append([BUTTONS.button(turn, withdraw, Do.WITHDRAW, row.id)])
    rows.append(cancel_row(ctx))
    return turn.svc.renderer.render("leave/kind.html.j2", turn.lang, open=listed), rows


def dates_card(ctx: LeaveTurn, today: date, *notes: str) -> Card:
    _ = ctx._
    tomorrow = today + timedelta(days=1)
    prompt = _(
        "Which days? Tap below, or type one day such as {day} or next Monday, or a range "
        "such as {range}."
    ).format(
        day=f"{tomorrow:%m-%d}",
        range=f"{tomorrow:%m-%d} 至 {today + timedelta(days=3):%m-%d}",
    )
    rows = [
        [
            ctx.button(_("Today"), Act.DATES, f"{today:%Y%m%d}", f"{today:%Y%m%d}"),
            ctx.button(_("Tomorrow"), Act.DATES, f"{tomorrow:%Y%m%d}", f"{tomorrow:%Y%m%d}"),
        ],
        cancel_row(ctx),
    ]
    return join_html([*notes, prompt], "\n\n"), rows


def reason_card(ctx: LeaveTurn, start: date, end: date, *notes: str) -> Card:
    prompt = ctx._("{range}. Now type the reason in one line (at most {limit} characters).").format(
        range=range_label(ctx.turn.lang, start, end), limit=REASON_MAX
    )
    return join_html([*notes, prompt], "\n\n"), [cancel_row(ctx)]


def confirm_card(
    ctx: LeaveTurn, place: Place, name: str, start: date, end: date, *notes: str
) -> Card:
    turn, _ = ctx.turn, ctx._
    draft = ctx.draft
    text = turn.svc.renderer.render(
        CARD,
        turn.lang,
        title=_("Please check:"),
        name=name,
        kind=leave_kind_label(_, draft.kind or "leave"),
        range=range_label(turn.lang, start, end),
        workdays=workdays(place, start, end),
        reason=draft.reason or "",
        status="",
    )
    label = _("✅ Record as approved") if ctx.flow is RECORD else _("✅ Send to the secretary")
    return join_html([*notes, text], "\n\n"), [[ctx.button(label, Act.SEND)], cancel_row(ctx)]


# --- outside the flows ------------------------------------------------------------------------


def request_card(
    turn: Turn, language: str, row: LeaveRow, place: Place | None, status: str = ""
) -> Html:
    """A request as a secretary sees it, in `language`; `status` says how it was decided."""
    _ = gettext_for(language)
    return turn.svc.renderer.render(
        CARD,
        language,
        title=_("Leave request"),
        name=row.member_name,
        kind=leave_kind_label(_, row.kind),
        range=range_label(language, row.start, row.end),
        workdays=workdays(place, row.start, row.end) if place else None,
        reason=row.reason,
        status=status,
    )


def decision_rows(turn: Turn, language: str, row: LeaveRow) -> list[list[Button]]:
    _ = gettext_for(language)
    return [
        [
            BUTTONS.button(turn, _("✅ Approve"), Do.APPROVE, row.id),
            BUTTONS.button(turn, _("❌ Reject"), Do.REJECT, row.id),
        ]
    ]


def verdict(_: Gettext, row: LeaveRow, decider: str) -> Html:
    if row.status == "approved":
        return _("✅ Approved by {name}.").format(name=decider)
    if row.status == "withdrawn":
        return _("↩️ Withdrawn.")
    return _("❌ Rejected by {name}.").format(name=decider)


def in_force_card(turn: Turn, rows: Sequence[LeaveRow], limit: int) -> Card:
    _ = turn._
    shown = [whose(turn, row) for row in rows[:limit]]
    buttons = [
        [BUTTONS.button(turn, _("↩️ {what}").format(what=label), Do.WITHDRAW, row.id)]
        for label, row in zip(shown, rows, strict=False)
    ]
    text = turn.svc.renderer.render(
        "leave/in_force.html.j2", turn.lang, shown=shown, more=max(0, len(rows) - limit)
    )
    return text, buttons


def withdraw_question(turn: Turn, row: LeaveRow, today: date, *, own: bool) -> Card:
    _ = turn._
    label = what(turn, row) if own else whose(turn, row)
    if withdrawal(row.status, row.start, today) is Withdrawal.END_EARLY:
        question = (
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
    elif not own:
        question = _(
            "Cancel {what}? Its days will count towards their quotas again. They are told."
        )
    elif row.status == "approved":
        question = join_html(
            [_("Withdraw {what}?"), _("Its days will count towards your quotas again.")], " "
        )
    else:
        question = _("Withdraw {what}?")
    rows = [
        [
            BUTTONS.button(turn, _("↩️ Yes, withdraw"), Do.WITHDRAW_YES, row.id),
            BUTTONS.button(turn, _("Keep it"), Do.WITHDRAW_NO, row.id),
        ]
    ]
    return question.format(what=label), rows
