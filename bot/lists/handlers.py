"""Red and black lists (红黑榜): /redblack preview, publish, correct and history.

Due process: a period's preview is prepared when it closes (by the scheduler at the report
deadline, or by the secretary); everybody named is told privately, with the facts, and may
/object until the window ends (in time for the Monday meeting); the secretary decides each
objection (bot/lists/objections.py) and then publishes to the township group chat, as an
immutable snapshot. A correction is a new issue with a stated reason; both stay visible in
/redblack history. /why and /export are in bot/lists/reading.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram.ext import CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.flows import Press
from bot.core.i18n import N_
from bot.core.models import RedBlackIssue, Township
from bot.core.outbox import enqueue
from bot.core.render import format_datetime
from bot.core.roles import ALL_ROLES, MANAGERS, Role
from bot.core.text import Html, clean_text
from bot.core.turn import App, Button, MemberTurn, member_only
from bot.lists import objections, reading, service
from bot.lists import queries as rb_db
from bot.lists.actions import BUTTONS, Act
from bot.lists.chat import managed_township, period_of, pressed_township, split_args, tz_of
from bot.lists.pdf import list_document
from bot.lists.periods import PERIOD_WORDS, period_from_key, period_key
from bot.lists.replies import (
    HISTORY_BUTTON,
    MENU_TEXT,
    PREVIEW_LABELS,
    PRINTABLE,
    PUBLISH_BUTTON,
    USAGE,
    bad_period_text,
    refusal_text,
)
from bot.lists.rules import Period
from bot.lists.snapshot import listed
from bot.lists.text import STATUS_LABELS
from bot.lists.views import period_text, preview_summary

REASON_MIN, REASON_MAX = objections.REASON_MIN, objections.REASON_MAX

register_commands(
    CommandSpec("redblack", N_("Red and black lists: preview, publish, correct"), MANAGERS),
    CommandSpec("export", N_("Export the township ledger (台账)"), MANAGERS),
    CommandSpec("why", N_("Why you are (not) on the red or black list"), ALL_ROLES),
    CommandSpec("object", N_("Object to being named on a list preview"), ALL_ROLES),
)


Subcommand = Callable[[MemberTurn, Township, list[str]], Awaitable[None]]


@member_only(Role.SECRETARY, Role.ADMIN)
async def redblack_command(turn: MemberTurn) -> None:
    args, code = split_args(turn)
    name = SUBCOMMAND_WORDS.get(args[0].lower()) if args else None
    if args and name is None:
        await turn.send(turn._(USAGE))
        return
    township = await managed_township(turn, code)
    if township is None:
        return
    if name is None:
        await turn.send(*menu(turn, township))
        return
    await SUBCOMMANDS[name](turn, township, args[1:])


def menu(turn: MemberTurn, township: Township) -> tuple[Html, list[list[Button]]]:
    """/redblack alone: what it does, as buttons (a correction needs its reason typed)."""
    _ = turn._

    def button(label: str, name: str, *period: str) -> Button:
        return BUTTONS.button(turn, _(label), Act.MENU, township.id, name, *period)

    previews = [button(label, "preview", kind) for kind, label in PREVIEW_LABELS.items()]
    return _(MENU_TEXT).format(township=township.name), [
        previews,
        [button(HISTORY_BUTTON, "history")],
    ]


@BUTTONS.on(Act.MENU)
async def menu_pressed(turn: MemberTurn, press: Press) -> None:
    township_id, name, words = press.number(0), press.choice(1, BUTTON_SUBCOMMANDS), press.args[2:]
    township = await pressed_township(turn, township_id)
    if township is None:
        return
    await turn.answer()
    await SUBCOMMANDS[name](turn, township, list(words))


async def preview(turn: MemberTurn, township: Township, words: list[str]) -> None:
    _ = turn._
    period = period_of(turn, words)
    if period is None:
        await turn.send(bad_period_text(_, words[0]))
        return
    async with turn.svc.transaction() as session:
        outcome = await service.prepare_preview(
            session, turn.svc, township, period, turn.now, actor_id=turn.actor.member_id
        )
        await enqueue(session, outcome.messages, turn.now)
    issue = outcome.issue
    if outcome.refusal is not None or issue is None:
        await turn.send(
            refusal_text(_, outcome, turn.lang, tz_of(turn, township), publishing=False)
        )
        return
    await reading.send_lists(turn, township, issue)
    await turn.send_queued()
    publish_button = BUTTONS.button(
        turn, _(PUBLISH_BUTTON), Act.MENU, township.id, "publish", period_key(period)
    )
    await turn.send(
        preview_summary(_, len(listed(issue.snapshot)), outcome.count), [[publish_button]]
    )


async def publish(turn: MemberTurn, township: Township, words: list[str]) -> None:
    _ = turn._
    period = None
    if words:
        period = period_of(turn, words)
        if period is None:
            await turn.send(bad_period_text(_, words[0]))
            return
    async with turn.svc.transaction() as session:
        outcome = await service.publish(session, turn.svc, township, period, turn.actor, turn.now)
        await enqueue(session, outcome.messages, turn.now)
    issue = outcome.issue
    if outcome.refusal is not None or issue is None:
        await turn.send(refusal_text(_, outcome, turn.lang, tz_of(turn, township)))
        return
    await after_publication(turn, township, issue)
    await turn.send(
        _("Published as issue {number} of {period} and posted to the township group chat.").format(
            number=issue.number, period=period_text(issue.snapshot, turn.lang)
        )
    )


async def after_publication(turn: MemberTurn, township: Township, issue: RedBlackIssue) -> None:
    """Deliver the group post and hand the secretary the printable page."""
    await turn.send_queued()
    settings = turn.svc.settings
    page = await list_document(
        turn.svc.renderer,
        settings,
        township.code,
        issue.snapshot,
        issue,
        settings.language,
        turn.now,
    )
    chat = turn.update.effective_chat
    if chat is not None:
        await turn.context.bot.send_document(
            chat.id, document=page.data, filename=page.filename, caption=turn._(PRINTABLE)
        )


def _is_period_word(word: str) -> bool:
    return word.lower() in PERIOD_WORDS or period_from_key(word) is not None


async def correct(turn: MemberTurn, township: Township, words: list[str]) -> None:
    _ = turn._
    period: Period | None = None
    if words and _is_period_word(words[0]):
        period = period_of(turn, words)
        words = words[1:]
    reason = clean_text(" ".join(words))
    if len(reason) < REASON_MIN:
        await turn.send(
            _(
                "Please state the reason for the correction, e.g. /redblack correct month "
                "王建军 was on approved leave in week 45. Nothing was changed."
            )
        )
        return
    if len(reason) > REASON_MAX:
        await turn.send(_("The reason is too long (at most {n} characters).").format(n=REASON_MAX))
        return
    async with turn.svc.transaction() as session:
        outcome = await service.correct(
            session, turn.svc, township, period, reason, turn.actor, turn.now
        )
        await enqueue(session, outcome.messages, turn.now)
    issue, old = outcome.issue, outcome.other
    if outcome.refusal is not None or issue is None or old is None:
        await turn.send(refusal_text(_, outcome, turn.lang, tz_of(turn, township)))
        return
    await after_publication(turn, township, issue)
    await turn.send(
        _(
            "Correction published as issue {number} (replacing issue {old}) and posted to the "
            "township group chat. Both stay in /redblack history."
        ).format(number=issue.number, old=old.number)
    )


async def history(turn: MemberTurn, township: Township, words: list[str]) -> None:
    _ = turn._
    kind = PERIOD_WORDS.get(words[0].lower()) if words else None
    if words and kind is None:
        await turn.send(bad_period_text(_, words[0]))
        return
    tz = tz_of(turn, township)
    async with turn.svc.transaction() as session:
        issues = await rb_db.history(session, township.id, kind)
        people = {m.member_id: m.name for m in await member_db.members_of(session, township.id)}
    rows = [
        {
            "period": period_text(i.snapshot, turn.lang),
            "number": i.number,
            "status": _(STATUS_LABELS[i.status]),
            "published": format_datetime(i.published_at, tz, turn.lang) if i.published_at else "",
            "by": people.get(i.published_by or 0, "—"),
            "reason": i.reason or "",
        }
        for i in issues
    ]
    buttons: list[list[Button]] = [
        [
            BUTTONS.button(
                turn,
                _("Show issue {number} · {key}").format(number=i.number, key=i.period_key),
                Act.SHOW,
                i.id,
            )
        ]
        for i in issues[:10]
    ]
    await turn.send(
        turn.svc.renderer.render(
            "lists/history.html.j2", turn.lang, township=township.name, issues=rows
        ),
        buttons,
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "preview": preview,
    "publish": publish,
    "correct": correct,
    "history": history,
}
# What a secretary may type after /redblack, in English or Chinese.
SUBCOMMAND_WORDS = {name: name for name in SUBCOMMANDS} | {
    "预览": "preview",
    "发布": "publish",
    "更正": "correct",
    "历史": "history",
}
# A correction's reason is typed: it is no button's.
BUTTON_SUBCOMMANDS = ("preview", "publish", "history")


def register(app: App) -> None:
    app.add_handler(CommandHandler("redblack", redblack_command))
    app.add_handler(CommandHandler("object", objections.object_command))
    app.add_handler(CommandHandler("why", reading.why_command))
    app.add_handler(CommandHandler("export", reading.export_command))
    BUTTONS.register(app)
    objections.OBJECTION.register(app)
    objections.DECISION.register(app)
