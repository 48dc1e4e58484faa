"""What the Friday report shows: the card, a section being written and the question where
typed text goes (templates in `templates/reports/`), the digest of the week's visit logs,
button labels and short replies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from bot.core.config import ReportConfig
from bot.core.i18n import N_
from bot.core.models import WeeklyReport
from bot.core.render import format_span
from bot.core.text import Html, join_html, plain, split_message
from bot.core.turn import Button, MemberTurn, Turn, checkbox
from bot.reports import rules
from bot.reports.flow import Act, Ctx
from bot.reports.rules import Card, Mode
from bot.reports.service import Sheet
from bot.visits.queries import VisitRow
from bot.week.place import Place, day_label, moment_label, report_line
from bot.week.views import sentences

ButtonFn = Callable[..., Button]

SUBMIT = N_("✅ Submit")
SUBMIT_CHANGES = N_("✅ Submit changes")
CLOSE = N_("✖️ Close")
REPLACE = N_("Replace")
APPEND = N_("Append")
CLEAR = N_("🧹 Clear")
DONE = N_("✔️ Done: back to the report")
DROP = N_("✖️ Discard this text")
KEY_WORK = N_("📈 Update key work: {title} ({percent}%)")

NOT_NOW = N_("The deadline has passed; this report can no longer be changed.")
OPENS = N_("Submission opens {opens}. Your draft is saved.")
EMPTY = N_("The report is empty. Please write at least one section.")
SUBMITTED = N_("Submitted")
SUBMITTED_LATE = N_("Submitted late")
CHANGES_SUBMITTED = N_("✅ Changes submitted (revision {n}).")
SUBMITTED_ON_TIME = N_("✅ Report submitted on time. You can still change it until the deadline.")
SUBMITTED_AFTER = N_("⚠️ Report submitted after the deadline; it is recorded as late.")
CLOSED_DRAFT = N_("Closed. Your draft is kept; send /report to continue.")
CLOSED = N_("Closed. Send /report to look at it again.")
LAST_WEEK_MISSING = N_(
    "Last week's report is missing. Send /report last to submit it (it will be marked late)."
)
GONE = N_("That report can no longer be continued. Send /report to start again.")
TAP_A_SECTION = N_("Please tap a section first, so I know where your text goes.")
NOT_TEXT = N_("Please send the report text as a text message (photos and stickers cannot be used).")
TOO_LONG = N_(
    "【{section}】 may have at most {limit} characters; with this message it would have "
    "{count}. Nothing was added: please shorten it and send it again."
)
SAVED = N_(
    "Saved in 【{section}】 ({count}/{limit} characters). Send more to add to it, or tap Done."
)
WAITING_TOO_LONG = N_(
    "With this message the text would have {count} characters, more than the {limit} a "
    "section may have. This message was not added; the text before it is still waiting."
)
DROPPED = N_("The text was discarded; nothing was added to the report.")

# The excerpt of waiting text shown in the question where it goes.
EXCERPT = 200


# --- the digest of the week's visit logs ---------------------------------------------------


def digest(turn: Turn, visits: Sequence[VisitRow], limit: int) -> str:
    """本周完成 pre-filled from the visit logs, in the cadre's language, within `limit`. Report
    content is plain text, shown escaped wherever it appears."""
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
    text = plain(join_html(lines))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


# --- the card ------------------------------------------------------------------------------


def _sep(turn: Turn) -> str:
    return "" if turn.lang == "zh_CN" else " "


def _status(turn: Turn, place: Place, sheet: Sheet, card: Card) -> Html:
    _ = turn._
    report = sheet.report
    if report.first_submitted_at is None:
        return _("Draft, not submitted yet.")
    status = report_line(
        turn,
        place,
        report.week_start,
        "late" if report.late else "on_time",
        report.first_submitted_at,
    )
    status = sentences(turn, status, _("Revision {n}.").format(n=report.revision))
    if card.changed and card.editable:
        status = sentences(turn, status, _("You have changes that are not submitted yet."))
    return status


def card_text(
    turn: MemberTurn, place: Place, sheet: Sheet, card: Card, config: ReportConfig, note: str = ""
) -> Html:
    report = sheet.report
    window = place.rules.window(report.week_start)
    monday = report.week_start
    return turn.svc.renderer.render(
        "reports/card.html.j2",
        turn.lang,
        note=note,
        # Named when the cadre works in several townships, so they know which one this is.
        township=place.name if len(turn.actor.township_ids()) > 1 else "",
        span=format_span(monday, monday + timedelta(days=6), turn.lang),
        status=_status(turn, place, sheet, card),
        phase=str(card.phase),
        opens=moment_label(turn, window.opens_at, place.rules) if window else "",
        deadline=moment_label(turn, window.deadline, place.rules) if window else "",
        sections=[{"name": n, "text": str(report.draft.get(n, ""))} for n in config.sections],
        editable=card.editable,
        can_submit=card.can_submit,
        sep=_sep(turn),
    )


def card_rows(
    turn: Turn, button: ButtonFn, sheet: Sheet, card: Card, config: ReportConfig
) -> list[list[Button]]:
    _ = turn._
    rows: list[list[Button]] = []
    if card.editable:
        sections = [button(f"✏️ {name}", Act.SECTION, i) for i, name in enumerate(config.sections)]
        rows.extend(sections[i : i + 2] for i in range(0, len(sections), 2))
    last: list[Button] = []
    if card.can_submit:
        last.append(
            button(_(SUBMIT_CHANGES) if sheet.report.first_submitted_at else _(SUBMIT), Act.SUBMIT)
        )
    last.append(button(_(CLOSE), Act.CLOSE))
    rows.extend(
        [(_(KEY_WORK).format(title=i.title, percent=i.percent), turn.cb("ar", "upd", i.item_id))]
        for i in sheet.key_work
    )
    rows.append(last)
    return rows


# --- a section -----------------------------------------------------------------------------


def section_text(
    turn: Turn, name: str, text: str, mode: Mode, config: ReportConfig, note: str = ""
) -> Html:
    return turn.svc.renderer.render(
        "reports/section.html.j2",
        turn.lang,
        note=note,
        name=name,
        text=text,
        limit=config.section_limit,
        replace=mode == Mode.REPLACE,
        sep=_sep(turn),
    )


def section_rows(turn: Turn, button: ButtonFn, mode: Mode) -> list[list[Button]]:
    _ = turn._
    return [
        [
            button(checkbox(mode == Mode.REPLACE, _(REPLACE)), Act.MODE, Mode.REPLACE),
            button(checkbox(mode == Mode.APPEND, _(APPEND)), Act.MODE, Mode.APPEND),
            button(_(CLEAR), Act.CLEAR),
        ],
        [button(_(DONE), Act.DONE)],
    ]


# --- text typed on the card ----------------------------------------------------------------


def where_text(turn: Turn, waiting: str, note: str = "") -> Html:
    excerpt = waiting if len(waiting) <= EXCERPT else waiting[: EXCERPT - 1] + "…"
    return turn.svc.renderer.render(
        "reports/where.html.j2", turn.lang, note=note, excerpt=excerpt, count=len(waiting)
    )


def where_rows(turn: Turn, button: ButtonFn, config: ReportConfig) -> list[list[Button]]:
    sections = [button(f"➡️ {name}", Act.PUT, i) for i, name in enumerate(config.sections)]
    rows = [sections[i : i + 2] for i in range(0, len(sections), 2)]
    rows.append([button(turn._(DROP), Act.DROP)])
    return rows


# --- showing the flow's messages -----------------------------------------------------------


async def deliver(
    turn: MemberTurn, text: Html, rows: Sequence[Sequence[Button]], *, edit: bool
) -> None:
    """Show `text`; when it is longer than one Telegram message, send it in parts with the
    buttons under the last part."""
    parts = split_message(text)
    if edit:
        await turn.show(parts[0], rows if len(parts) == 1 else ())
        parts = parts[1:]
    for i, part in enumerate(parts):
        await turn.send(part, rows if i == len(parts) - 1 else ())


def _card_state(ctx: Ctx, place: Place, sheet: Sheet) -> tuple[rules.Card, ReportConfig]:
    config = ctx.turn.svc.settings.report
    report = sheet.report
    card = rules.card(
        place.rules.window(report.week_start),
        report.first_submitted_at,
        report.draft,
        sheet.latest,
        config.sections,
        ctx.turn.now,
    )
    return card, config


async def show_card(ctx: Ctx, place: Place, sheet: Sheet, *, edit: bool, note: str = "") -> None:
    card, config = _card_state(ctx, place, sheet)
    await deliver(
        ctx.turn,
        card_text(ctx.turn, place, sheet, card, config, note),
        card_rows(ctx.turn, ctx.button, sheet, card, config),
        edit=edit,
    )


async def show_section(ctx: Ctx, report: WeeklyReport, *, edit: bool, note: str = "") -> None:
    config = ctx.turn.svc.settings.report
    name = config.sections[ctx.draft.section or 0]
    text = section_text(
        ctx.turn, name, str(report.draft.get(name, "")), ctx.draft.mode, config, note
    )
    await deliver(ctx.turn, text, section_rows(ctx.turn, ctx.button, ctx.draft.mode), edit=edit)


async def show_where(ctx: Ctx, *, edit: bool, note: str = "") -> None:
    text = where_text(ctx.turn, ctx.draft.waiting, note)
    rows = where_rows(ctx.turn, ctx.button, ctx.turn.svc.settings.report)
    await deliver(ctx.turn, text, rows, edit=edit)
