"""Red and black lists (红黑榜): preview, objections, publication, corrections, /why, exports.

Due process: the secretary previews; everybody named is told privately, with the facts, and
may /object within the configured window; the secretary decides each objection with buttons;
only then can the list be published to the township group chat, as an immutable snapshot.
A correction is a new issue with a stated reason; both stay visible in /redblack history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.flows import flow
from bot.core.i18n import N_, gettext_for
from bot.core.models import RedBlackIssue, RedBlackObjection, Township
from bot.core.outbox import Outgoing, enqueue
from bot.core.render import format_datetime
from bot.core.roles import ALL_ROLES, MANAGERS, Role
from bot.core.text import clean_text, esc, quoted
from bot.core.turn import App, Button, Context, FlowState, Turn, admitted, member_only
from bot.lists import queries as rb_db
from bot.lists.facts import provider
from bot.lists.ledger import (
    export_filename,
    issue_context,
    ledger_workbook,
    lists_for,
    render_lists,
)
from bot.lists.pdf import export_documents, list_document
from bot.lists.periods import PERIOD_WORDS, parse_period, period_from_key
from bot.lists.rules import Period
from bot.lists.snapshot import listed
from bot.lists.text import LIST_LABELS, STATUS_LABELS
from bot.lists.views import explanation_view, period_text, view

REASON_MIN, REASON_MAX = 4, 500
NOTE_MAX = 300
OBJECT_FLOW = "rb_object"
DECIDE_FLOW = "rb_decide"
OBJECT_BUTTON = N_("✋ Object")
UPHOLD_BUTTON = N_("✅ Uphold")
REJECT_BUTTON = N_("❌ Reject")
UPHELD_TEXT = N_("Your objection was upheld: you are taken off the list for {period}.")
REJECTED_TEXT = N_(
    "Your objection was rejected: you stay on the list for {period}. Send /why for the facts."
)
DECISION_NOTE_TEXT = N_("The secretary's note: {note}")

register_commands(
    CommandSpec(
        "redblack",
        N_("Red and black lists: preview, publish, correct"),
        MANAGERS,
    ),
    CommandSpec("export", N_("Export the township ledger (台账)"), MANAGERS),
    CommandSpec("why", N_("Why you are (not) on the red or black list"), ALL_ROLES),
    CommandSpec("object", N_("Object to being named on a list preview"), ALL_ROLES),
)


# --- helpers -------------------------------------------------------------------------------


def _stale(turn: Turn) -> str:
    return turn._("This button is from an old message and no longer works.")


async def deliver(turn: Turn, items: Sequence[Outgoing]) -> None:
    """Queue durably, then send at once (the scheduler's timer retries anything left)."""
    if not items:
        return
    async with turn.svc.transaction() as session:
        await enqueue(session, items, turn.now)
    scheduler = turn.context.application.bot_data.get("scheduler")
    if scheduler is not None:
        await scheduler.sender.drain()


def _split_args(turn: Turn) -> tuple[list[str], str | None]:
    """Arguments without a trailing/leading township code, and that code (if any)."""
    codes = {t.code for t in turn.svc.settings.townships}
    args: list[str] = []
    code = None
    for arg in turn.context.args or []:
        if arg.upper() in codes and code is None and not arg[:1].isdigit():
            code = arg.upper()
        else:
            args.append(arg)
    return args, code


async def managed_township(turn: Turn, code: str | None) -> Township | None:
    """The township a secretary/admin acts on; refuses politely when it is not theirs."""
    assert turn.actor is not None
    _ = turn._
    async with turn.svc.transaction() as session:
        if code is not None:
            township = await member_db.township_by_code(session, code)
            if township is None or not turn.actor.manages(township.id):
                await turn.send(_("You can only manage the lists of your own township."))
                return None
            return township
        ids = None if turn.actor.is_admin else turn.actor.township_ids(Role.SECRETARY)
        townships = await member_db.townships(session, ids)
    if len(townships) == 1:
        return townships[0]
    if not townships:
        await turn.send(_("No township is configured yet."))
    else:
        await turn.send(
            _("You look after several townships; add the code, e.g. {example}.").format(
                example=esc(f"/redblack preview month {townships[0].code}")
            )
        )
    return None


async def member_township(turn: Turn) -> Township | None:
    assert turn.actor is not None
    ids = turn.actor.township_ids()
    async with turn.svc.transaction() as session:
        townships = await member_db.townships(session, ids or set())
    return townships[0] if townships else None


def bad_period_text(turn: Turn, word: str) -> str:
    return turn._(
        "I do not know the period “{word}”. Use week, month or quarter, or a key such as "
        "2026-W47, 2026-10 or 2026-Q4."
    ).format(word=quoted(word))


def _parse_period(turn: Turn, words: list[str], default: str = "week") -> Period | None:
    text = words[0] if words else ""
    return parse_period(text, turn.now.astimezone(turn.svc.settings.tz).date(), default)  # type: ignore[arg-type]


def _is_period_word(word: str) -> bool:
    return word.lower() in PERIOD_WORDS or period_from_key(word) is not None


def _fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]


# --- /redblack -----------------------------------------------------------------------------


@member_only(Role.SECRETARY, Role.ADMIN)
async def redblack_command(turn: Turn) -> None:
    _ = turn._
    args, code = _split_args(turn)
    action = args[0].lower() if args else ""
    rest = args[1:]
    if action in ("preview", "publish", "correct", "history"):
        township = await managed_township(turn, code)
        if township is None:
            return
        if action == "preview":
            await preview(turn, township, rest)
        elif action == "publish":
            await publish(turn, township, rest)
        elif action == "correct":
            await correct(turn, township, rest)
        else:
            await show_history(turn, township, rest)
        return
    await turn.send(
        _(
            "Usage:\n/redblack preview [week|month|quarter]\n/redblack publish "
            "[week|month|quarter]\n/redblack correct [week|month|quarter] &lt;reason&gt;\n"
            "/redblack history"
        )
    )


async def preview(turn: Turn, township: Township, words: list[str]) -> None:
    assert turn.actor is not None
    _ = turn._
    period = _parse_period(turn, words)
    if period is None:
        await turn.send(bad_period_text(turn, words[0]))
        return
    settings = turn.svc.settings
    config = settings.township_redblack(township.code)
    facts = provider(turn.svc.extras)
    async with turn.svc.transaction() as session:
        done = await rb_db.published_issue(session, township.id, _key(period))
        if done is not None:
            await turn.send(
                _(
                    "Issue {number} for {period} is already published. To change it, use "
                    "/redblack correct with the reason."
                ).format(number=done.number, period=esc(period_text(done.snapshot, turn.lang)))
            )
            return
        snapshot = await rb_db.compute_snapshot(
            session, settings, township, period, facts, turn.now
        )
        issue = await rb_db.save_preview(
            session,
            township,
            period,
            snapshot,
            actor_id=turn.actor.member_id,
            now=turn.now,
            window=timedelta(hours=config.objection_window_hours),
        )
        notices = await _told_notices(turn, session, township, issue)
        open_count = len(await rb_db.open_objections(session, issue.id))
    for part in render_lists(
        turn.svc.renderer, settings, township.code, issue.snapshot, issue, turn.lang
    ):
        await turn.send(part)
    await deliver(turn, notices)
    summary = _("{n} members named on the lists were told privately.").format(
        n=len(listed(issue.snapshot))
    )
    if open_count:
        summary += "\n" + _("Open objections: {n}.").format(n=open_count)
    await turn.send(summary)


async def _told_notices(
    turn: Turn, session: Any, township: Township, issue: RedBlackIssue, corrected: bool = False
) -> list[Outgoing]:
    """A private notice to everybody named, with the facts (once per distinct listing)."""
    named = listed(issue.snapshot)
    if not named:
        return []
    people = {
        r.member_id: r
        for r in await member_db.recipients(session, township.id, "cadre")
        if r.member_id in named
    }
    v_cache: dict[str, dict[str, Any]] = {}
    out = []
    tz = turn.svc.settings.township_tz(township.code)
    for member_id, list_name in sorted(named.items()):
        person = people.get(member_id)
        if person is None:
            continue
        lang = person.language
        v = v_cache.setdefault(lang, view(issue.snapshot, lang))
        item = next(x for x in v[list_name] if x["member_id"] == member_id)
        _p = gettext_for(lang)
        text = turn.svc.renderer.render(
            "redblack/told.html.j2",
            lang,
            v=v,
            list_name=list_name,
            list_label=_p(LIST_LABELS[list_name]),
            reasons=item["reasons"],
            until=format_datetime(issue.objections_until, tz, lang)
            if issue.objections_until
            else "",
            corrected=corrected,
            number=issue.number or 0,
        )
        fingerprint = _fingerprint([list_name, item["reasons"], corrected])
        markup = None
        if not corrected:
            markup = turn.keyboard(
                [[(_p(OBJECT_BUTTON), turn.cb("rb", "obj", issue.id))]],
                owner=person.telegram_user_id,
            ).to_dict()  # type: ignore[union-attr]
        out.append(
            Outgoing(
                key=f"redblack:told:{issue.id}:{member_id}:{fingerprint}",
                job="redblack_told",
                chat_id=person.telegram_user_id,
                text=text,
                township_id=township.id,
                member_id=member_id,
                reply_markup=markup,
            )
        )
    return out


def _key(period: Period) -> str:
    from bot.lists.periods import period_key

    return period_key(period)


async def publish(turn: Turn, township: Township, words: list[str]) -> None:
    assert turn.actor is not None
    _ = turn._
    settings = turn.svc.settings
    async with turn.svc.transaction() as session:
        if words:
            period = _parse_period(turn, words)
            if period is None:
                await turn.send(bad_period_text(turn, words[0]))
                return
            issue = await rb_db.preview_issue(session, township.id, _key(period))
            key = _key(period)
        else:
            issue = await _latest_preview(session, township.id)
            key = issue.period_key if issue else ""
        done = await rb_db.published_issue(session, township.id, key) if key else None
        if done is not None:
            await turn.send(
                _(
                    "Issue {number} for {period} is already published; it is not published "
                    "twice. To change it, use /redblack correct with the reason."
                ).format(number=done.number, period=esc(period_text(done.snapshot, turn.lang)))
            )
            return
        if issue is None:
            await turn.send(
                _(
                    "There is no preview to publish. Start with "
                    "/redblack preview [week|month|quarter]."
                )
            )
            return
        if township.group_chat_id is None:
            await turn.send(
                _(
                    "No group chat is configured for this township (group_chat_id); "
                    "nothing was published."
                )
            )
            return
        tz = settings.township_tz(township.code)
        if issue.objections_until is not None and issue.objections_until > turn.now:
            await turn.send(
                _(
                    "The objection window is open until {until}. The list can be published after "
                    "it closes."
                ).format(until=format_datetime(issue.objections_until, tz, turn.lang))
            )
            return
        pending = await rb_db.open_objections(session, issue.id)
        if pending:
            await turn.send(
                _("Please decide the {n} open objections first (/object shows them).").format(
                    n=len(pending)
                )
            )
            return
        await rb_db.publish(session, issue, actor_id=turn.actor.member_id, now=turn.now)
        await _post_to_group(turn, session, township, issue)
        snapshot, number = issue.snapshot, issue.number
    await _after_publication(turn, township, issue)
    await turn.send(
        _("Published as issue {number} of {period} and posted to the township group chat.").format(
            number=number, period=esc(period_text(snapshot, turn.lang))
        )
    )


async def _latest_preview(session: Any, township_id: int) -> RedBlackIssue | None:
    from sqlalchemy import select

    issue: RedBlackIssue | None = await session.scalar(
        select(RedBlackIssue)
        .where(RedBlackIssue.township_id == township_id, RedBlackIssue.status == "preview")
        .order_by(RedBlackIssue.created_at.desc(), RedBlackIssue.id.desc())
        .limit(1)
    )
    return issue


async def _post_to_group(
    turn: Turn, session: Any, township: Township, issue: RedBlackIssue
) -> None:
    assert township.group_chat_id is not None
    language = turn.svc.settings.language
    parts = render_lists(
        turn.svc.renderer, turn.svc.settings, township.code, issue.snapshot, issue, language
    )
    await enqueue(
        session,
        [
            Outgoing(
                key=f"redblack:publish:{issue.id}#{i}",
                job="redblack_publish",
                chat_id=township.group_chat_id,
                text=part,
                township_id=township.id,
            )
            for i, part in enumerate(parts, start=1)
        ],
        turn.now,
    )


async def _after_publication(turn: Turn, township: Township, issue: RedBlackIssue) -> None:
    """Deliver the group post and hand the secretary the printable page."""
    scheduler = turn.context.application.bot_data.get("scheduler")
    if scheduler is not None:
        await scheduler.sender.drain()
    page = await list_document(
        turn.svc.renderer,
        turn.svc.settings,
        township.code,
        issue.snapshot,
        issue,
        turn.svc.settings.language,
        turn.now,
    )
    chat = turn.update.effective_chat
    if chat is not None:
        await turn.context.bot.send_document(
            chat.id,
            document=page.data,
            filename=page.filename,
            caption=turn._("Printable page for the notice board (A4)."),
        )


async def correct(turn: Turn, township: Township, words: list[str]) -> None:
    assert turn.actor is not None
    _ = turn._
    settings = turn.svc.settings
    period: Period | None = None
    if words and _is_period_word(words[0]):
        period = _parse_period(turn, words)
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
    facts = provider(turn.svc.extras)
    async with turn.svc.transaction() as session:
        if period is not None:
            previous = await rb_db.published_issue(session, township.id, _key(period))
        else:
            previous = await rb_db.latest_published(session, township.id)
        if previous is None:
            await turn.send(_("There is no published list to correct. Nothing was changed."))
            return
        if township.group_chat_id is None:
            await turn.send(
                _(
                    "No group chat is configured for this township (group_chat_id); "
                    "nothing was published."
                )
            )
            return
        target = period_from_key(previous.period_key)
        assert target is not None
        snapshot = await rb_db.compute_snapshot(
            session, settings, township, target, facts, turn.now
        )
        before = listed(previous.snapshot)
        issue = await rb_db.correct(
            session, previous, snapshot, reason, actor_id=turn.actor.member_id, now=turn.now
        )
        await _post_to_group(turn, session, township, issue)
        notices = [
            n
            for n in await _told_notices(turn, session, township, issue, corrected=True)
            if n.member_id is not None
            and before.get(n.member_id) != listed(issue.snapshot).get(n.member_id)
        ]
        await enqueue(session, notices, turn.now)
        number, old = issue.number, previous.number
    await _after_publication(turn, township, issue)
    await turn.send(
        _(
            "Correction published as issue {number} (replacing issue {old}) and posted to the "
            "township group chat. Both stay in /redblack history."
        ).format(number=number, old=old)
    )


async def show_history(turn: Turn, township: Township, words: list[str]) -> None:
    _ = turn._
    kind = PERIOD_WORDS.get(words[0].lower()) if words else None
    if words and kind is None:
        await turn.send(bad_period_text(turn, words[0]))
        return
    tz = turn.svc.settings.township_tz(township.code)
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
            (
                _("Show issue {number} · {key}").format(number=i.number, key=i.period_key),
                turn.cb("rb", "show", i.id),
            )
        ]
        for i in issues[:10]
    ]
    await turn.send(
        turn.svc.renderer.render(
            "redblack/history.html.j2", turn.lang, township=township.name, issues=rows
        ),
        buttons,
    )


# --- /object ------------------------------------------------------------------------------


@member_only()
async def object_command(turn: Turn) -> None:
    assert turn.actor is not None
    _ = turn._
    if turn.actor.roles & {Role.SECRETARY, Role.ADMIN} and await _show_objections(turn):
        return
    reason = clean_text(" ".join(turn.context.args or []))
    township_ids = turn.actor.township_ids()
    async with turn.svc.transaction() as session:
        issues = await rb_db.objectable_previews(
            session, township_ids, turn.actor.member_id, turn.now
        )
        if not issues:
            closed = await _closed_preview(session, township_ids, turn.actor.member_id)
    if not issues:
        if closed is not None and closed.objections_until is not None:
            tz = turn.svc.settings.township_tz(await _code(turn, closed.township_id))
            await turn.send(
                _("The objection window closed at {until}; objections are no longer taken.").format(
                    until=format_datetime(closed.objections_until, tz, turn.lang)
                )
            )
        else:
            await turn.send(_("You are not named on any list preview that is open for objections."))
        return
    if len(issues) > 1:
        await turn.send(
            _("Which list do you object to?"),
            [[(period_text(i.snapshot, turn.lang), turn.cb("rb", "obj", i.id))] for i in issues],
        )
        return
    if reason:
        await _file_objection(turn, issues[0].id, reason)
    else:
        await _ask_reason(turn, issues[0].id)


async def _code(turn: Turn, township_id: int) -> str:
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, township_id)
    return township.code if township else ""


async def _closed_preview(
    session: Any, township_ids: set[int], member_id: int
) -> RedBlackIssue | None:
    from sqlalchemy import select

    if not township_ids:
        return None
    rows = await session.scalars(
        select(RedBlackIssue)
        .where(RedBlackIssue.township_id.in_(township_ids), RedBlackIssue.status == "preview")
        .order_by(RedBlackIssue.id.desc())
    )
    return next((r for r in rows if member_id in listed(r.snapshot)), None)


async def _ask_reason(turn: Turn, issue_id: int) -> None:
    assert turn.actor is not None
    _ = turn._
    async with turn.svc.transaction() as session:
        problem = await _objection_problem(turn, session, issue_id)
        if problem is None:
            await turn.set_state(session, OBJECT_FLOW, "reason", {"issue_id": issue_id})
    if problem is not None:
        await turn.send(problem)
        return
    await turn.send(
        _(
            "Please type your reason in one message: which fact is wrong, or the leave or "
            "official duty that was not counted ({min}–{max} characters). /cancel stops."
        ).format(min=REASON_MIN, max=REASON_MAX)
    )


async def _objection_problem(turn: Turn, session: Any, issue_id: int) -> str | None:
    """Why this member may not object to this issue now, or None."""
    assert turn.actor is not None
    _ = turn._
    issue = await rb_db.issue_by_id(session, issue_id)
    named = listed(issue.snapshot) if issue else {}
    if (
        issue is None
        or issue.status != "preview"
        or turn.actor.member_id not in named
        or issue.township_id not in turn.actor.township_ids()
    ):
        return _("You are not named on any list preview that is open for objections.")
    if issue.objections_until is None or issue.objections_until <= turn.now:
        return _("The objection window has closed; objections are no longer taken.")
    existing = await rb_db.member_objection(session, issue.id, turn.actor.member_id)
    if existing is not None:
        return _already(turn, existing.status)
    return None


def _already(turn: Turn, status: str) -> str:
    return turn._("You have already objected to this list; the objection is {status}.").format(
        status=turn._(STATUS_LABELS.get(status, status))
    )


@flow(OBJECT_FLOW)
async def on_object_reason(turn: Turn, state: FlowState) -> None:
    _ = turn._
    message = turn.update.effective_message
    text = clean_text(message.text or "") if message and message.text else ""
    if not text:
        await turn.send(_("Please type your reason as text, or /cancel."))
        return
    await _file_objection(turn, int(state.data["issue_id"]), text)


async def _file_objection(turn: Turn, issue_id: int, text: str) -> None:
    assert turn.actor is not None
    _ = turn._
    if len(text) < REASON_MIN:
        await turn.send(
            _("Please give a reason of at least {n} characters. Nothing was saved.").format(
                n=REASON_MIN
            )
        )
        return
    if len(text) > REASON_MAX:
        await turn.send(_("The reason is too long (at most {n} characters).").format(n=REASON_MAX))
        return
    async with turn.svc.transaction() as session:
        problem = await _objection_problem(turn, session, issue_id)
        if problem is not None:
            await turn.clear_state(session)
            await turn.send(problem)
            return
        issue = await rb_db.issue_by_id(session, issue_id)
        assert issue is not None
        named = listed(issue.snapshot)
        list_name = named[turn.actor.member_id]
        objection = await rb_db.create_objection(
            session, issue, turn.actor.member_id, list_name, text, turn.now
        )
        await turn.clear_state(session)
        notices = []
        for secretary in await member_db.recipients(session, issue.township_id, Role.SECRETARY):
            notices.append(_objection_notice(turn, issue, objection.id, secretary, text, list_name))
    await deliver(turn, notices)
    await turn.send(
        _("Your objection was recorded and the secretary was told. You will hear the decision.")
    )


def _objection_notice(
    turn: Turn, issue: RedBlackIssue, objection_id: int, secretary: Any, text: str, list_name: str
) -> Outgoing:
    assert turn.actor is not None
    lang = secretary.language
    _p = gettext_for(lang)
    v = view(issue.snapshot, lang)
    item = next((x for x in v[list_name] if x["member_id"] == turn.actor.member_id), None)
    body = turn.svc.renderer.render(
        "redblack/objection.html.j2",
        lang,
        name=turn.actor.name,
        period=v["period"],
        list_label=_p(LIST_LABELS[list_name]),
        reasons=item["reasons"] if item else [],
        text=text,
    )
    markup = turn.keyboard(
        [
            [
                (_p(UPHOLD_BUTTON), turn.cb("rb", "dec", objection_id, "u")),
                (_p(REJECT_BUTTON), turn.cb("rb", "dec", objection_id, "r")),
            ]
        ],
        owner=secretary.telegram_user_id,
    )
    return Outgoing(
        key=f"redblack:objection:{objection_id}:{secretary.member_id}",
        job="redblack_objection",
        chat_id=secretary.telegram_user_id,
        text=body,
        township_id=issue.township_id,
        member_id=secretary.member_id,
        reply_markup=markup.to_dict() if markup else None,
    )


async def _show_objections(turn: Turn) -> bool:
    """A secretary's /object lists the open objections with decision buttons."""
    assert turn.actor is not None
    _ = turn._
    ids = turn.actor.township_ids(Role.SECRETARY)
    from sqlalchemy import select

    from bot.core.models import Member, RedBlackObjection

    async with turn.svc.transaction() as session:
        rows = (
            await session.execute(
                select(RedBlackObjection, RedBlackIssue, Member.display_name)
                .join(RedBlackIssue, RedBlackIssue.id == RedBlackObjection.issue_id)
                .join(Member, Member.id == RedBlackObjection.member_id)
                .where(
                    RedBlackIssue.township_id.in_(ids),
                    RedBlackIssue.status == "preview",
                    RedBlackObjection.status == "open",
                )
                .order_by(RedBlackObjection.id)
            )
        ).all()
    if not rows and "cadre" in turn.actor.roles:
        return False
    if not rows:
        await turn.send(_("There are no open objections."))
        return True
    for objection, issue, name in rows:
        await turn.send(
            turn.svc.renderer.render(
                "redblack/objection.html.j2",
                turn.lang,
                name=name,
                period=period_text(issue.snapshot, turn.lang),
                list_label=_(LIST_LABELS[objection.list_name]),
                reasons=next(
                    (
                        x["reasons"]
                        for x in view(issue.snapshot, turn.lang)[objection.list_name]
                        if x["member_id"] == objection.member_id
                    ),
                    [],
                ),
                text=objection.text,
            ),
            [
                [
                    (_(UPHOLD_BUTTON), turn.cb("rb", "dec", objection.id, "u")),
                    (_(REJECT_BUTTON), turn.cb("rb", "dec", objection.id, "r")),
                ]
            ],
        )
    return True


# --- buttons ------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn):
        return
    assert turn.actor is not None
    parts = turn.callback_parts()
    try:
        action, ident = parts[0], int(parts[1])  # type: ignore[index]
    except (TypeError, IndexError, ValueError):
        await turn.answer(_stale(turn), True)
        return
    if action == "obj" and len(parts) == 2:  # type: ignore[arg-type]
        await turn.answer()
        await _ask_reason(turn, ident)
    elif action == "dec" and len(parts) == 3 and parts[2] in ("u", "r"):  # type: ignore[index, arg-type]
        await _ask_note(turn, ident, parts[2] == "u")  # type: ignore[index]
    elif action == "dn" and len(parts) == 3 and parts[2] in ("u", "r"):  # type: ignore[index, arg-type]
        await _decide(turn, ident, parts[2] == "u", None)  # type: ignore[index]
    elif action == "show" and len(parts) == 2:  # type: ignore[arg-type]
        await _show_issue(turn, ident)
    else:
        await turn.answer(_stale(turn), True)


async def _open_objection(
    turn: Turn, session: Any, objection_id: int
) -> tuple[RedBlackObjection, RedBlackIssue] | str:
    """The objection and its preview, when this actor may still decide it; else why not."""
    assert turn.actor is not None
    _ = turn._
    objection = await rb_db.objection_by_id(session, objection_id)
    issue = await rb_db.issue_by_id(session, objection.issue_id) if objection else None
    if objection is None or issue is None:
        return _stale(turn)
    if not turn.actor.manages(issue.township_id):
        return _("You can only manage the lists of your own township.")
    if objection.status != "open" or issue.status != "preview":
        return _("This objection has already been decided.")
    return objection, issue


async def _ask_note(turn: Turn, objection_id: int, upheld: bool) -> None:
    """Before deciding, the secretary may type a note for the member (why); the member gets
    it with the decision."""
    _ = turn._
    async with turn.svc.transaction() as session:
        found = await _open_objection(turn, session, objection_id)
        if isinstance(found, str):
            await turn.answer(found, True)
            return
        objection, _issue = found
        member = await member_db.actor_by_member_id(session, objection.member_id)
        await turn.set_state(
            session, DECIDE_FLOW, "note", {"objection_id": objection_id, "upheld": upheld}
        )
    await turn.answer()
    name = esc(member.name if member else "")
    await turn.send(
        (
            _("Upholding the objection from {name}.")
            if upheld
            else _("Rejecting the objection from {name}.")
        ).format(name=name)
        + "\n"
        + _(
            "Type a short note for them (why; up to {n} characters), or decide without one."
        ).format(n=NOTE_MAX),
        [
            [
                (
                    _("Decide without a note"),
                    turn.cb("rb", "dn", objection_id, "u" if upheld else "r"),
                )
            ]
        ],
    )


@flow(DECIDE_FLOW)
async def on_decision_note(turn: Turn, state: FlowState) -> None:
    _ = turn._
    message = turn.update.effective_message
    note = clean_text(message.text or "") if message and message.text else ""
    if not note:
        await turn.send(_("Please type the note as text, or tap “Decide without a note”."))
        return
    if len(note) > NOTE_MAX:
        await turn.send(
            _("The note is {n} characters long; please keep it to {max}.").format(
                n=len(note), max=NOTE_MAX
            )
        )
        return
    await _decide(
        turn, int(state.data["objection_id"]), bool(state.data["upheld"]), note, typed=True
    )


async def _decide(
    turn: Turn, objection_id: int, upheld: bool, note: str | None, *, typed: bool = False
) -> None:
    assert turn.actor is not None
    _ = turn._
    async with turn.svc.transaction() as session:
        found = await _open_objection(turn, session, objection_id)
        if isinstance(found, str):
            if typed:
                await turn.clear_state(session)
                await turn.send(found)
            else:
                await turn.answer(found, True)
            return
        objection, issue = found
        await rb_db.decide_objection(
            session,
            objection,
            issue,
            upheld,
            actor_id=turn.actor.member_id,
            note=note,
            now=turn.now,
        )
        current = turn.flow_state
        if current is not None and current.flow == DECIDE_FLOW:
            await turn.clear_state(session)
        member = await member_db.actor_by_member_id(session, objection.member_id)
        period = period_text(issue.snapshot, turn.lang)
    name = member.name if member else ""
    text = (
        _("Objection from {name} upheld: they are taken off the list for {period}.")
        if upheld
        else _("Objection from {name} rejected: they stay on the list for {period}.")
    ).format(name=esc(name), period=esc(period))
    if note:
        text += "\n" + _("Your note: {note}").format(note=esc(note))
    if typed:
        await turn.send(text)
    else:
        await turn.answer(_("Upheld") if upheld else _("Rejected"))
        await turn.show(text)
    if member is not None:
        _m = gettext_for(member.language)
        told = (_m(UPHELD_TEXT) if upheld else _m(REJECTED_TEXT)).format(
            period=esc(period_text(issue.snapshot, member.language))
        )
        if note:
            told += "\n" + _m(DECISION_NOTE_TEXT).format(note=esc(note))
        await deliver(
            turn,
            [
                Outgoing(
                    key=f"redblack:decision:{objection_id}",
                    job="redblack_decision",
                    chat_id=member.telegram_user_id,
                    member_id=member.member_id,
                    township_id=issue.township_id,
                    text=told,
                )
            ],
        )


async def _show_issue(turn: Turn, issue_id: int) -> None:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        issue = await rb_db.issue_by_id(session, issue_id)
        township = await member_db.township_by_id(session, issue.township_id) if issue else None
    if issue is None or township is None:
        await turn.answer(_stale(turn), True)
        return
    if not turn.actor.manages(issue.township_id):
        await turn.answer(turn._("You can only manage the lists of your own township."), True)
        return
    if issue.status == "preview":
        await turn.answer(_stale(turn), True)
        return
    await turn.answer()
    for part in render_lists(
        turn.svc.renderer, turn.svc.settings, township.code, issue.snapshot, issue, turn.lang
    ):
        await turn.send(part)


# --- /why ---------------------------------------------------------------------------------


@member_only()
async def why_command(turn: Turn) -> None:
    assert turn.actor is not None
    _ = turn._
    words = list(turn.context.args or [])
    period = _parse_period(turn, words)
    if period is None:
        await turn.send(bad_period_text(turn, words[0]))
        return
    township = await member_township(turn)
    if township is None:
        await turn.send(_("No township is configured yet."))
        return
    async with turn.svc.transaction() as session:
        lists = await lists_for(
            session,
            turn.svc.settings,
            township,
            period,
            provider(turn.svc.extras),
            turn.now,
            include_preview=True,
        )
    e = explanation_view(lists.snapshot, turn.actor.member_id, turn.lang)
    if not e:
        await turn.send(
            _("Only cadres are assessed for the red and black lists; you are not on them.")
        )
        return
    for part in turn.svc.renderer.render_parts(
        "redblack/why.html.j2",
        turn.lang,
        name=turn.actor.name,
        township=township.name,
        period=period_text(lists.snapshot, turn.lang),
        source=lists.source,
        number=lists.issue.number if lists.issue else 0,
        e=e,
    ):
        await turn.send(part)


# --- /export ------------------------------------------------------------------------------


@member_only(Role.SECRETARY, Role.ADMIN)
async def export_command(turn: Turn) -> None:
    _ = turn._
    args, code = _split_args(turn)
    if not args or args[0].lower() not in ("week", "month", "周", "月"):
        await turn.send(_("Usage: /export week or /export month"))
        return
    township = await managed_township(turn, code)
    if township is None:
        return
    period = _parse_period(turn, args)
    assert period is not None
    settings = turn.svc.settings
    facts = provider(turn.svc.extras)
    async with turn.svc.transaction() as session:
        workbook = await ledger_workbook(session, settings, township, period, facts, turn.now)
        lists = await lists_for(session, settings, township, period, facts, turn.now)
    key = _key(period)
    documents = await export_documents(turn.svc, township, period, facts, turn.now, turn.lang)
    chat = turn.update.effective_chat
    assert chat is not None
    label = period_text(lists.snapshot, turn.lang)
    await turn.context.bot.send_document(
        chat.id,
        document=workbook,
        filename=export_filename(township.code, key, "xlsx"),
        caption=_("Ledger (台账) of {township}, {period}").format(
            township=esc(township.name), period=esc(label)
        ),
    )
    for document in documents:
        await turn.context.bot.send_document(
            chat.id,
            document=document.data,
            filename=document.filename,
            caption=_("For print (A4)."),
        )


def register(app: App) -> None:
    app.add_handler(CommandHandler("redblack", redblack_command))
    app.add_handler(CommandHandler("object", object_command))
    app.add_handler(CommandHandler("why", why_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^rb:"))


__all__ = ["deliver", "issue_context", "register"]
