"""Reading the lists: /why (the facts behind a member's outcome), /export (the ledger and the
printable page) and a published issue shown again from /redblack history."""

from __future__ import annotations

from bot.core import links
from bot.core.db import members as member_db
from bot.core.flows import STALE, BadPress, Press
from bot.core.i18n import N_
from bot.core.models import RedBlackIssue, Township
from bot.core.roles import Role
from bot.core.text import Html
from bot.core.townships import reruns, township_for
from bot.core.turn import Button, MemberTurn, Turn, member_only
from bot.lists import queries as rb_db
from bot.lists.actions import BUTTONS, RULES_BUTTON, RULES_LINK, Act
from bot.lists.chat import managed_township, period_of, pressed_township, split_args
from bot.lists.facts import provider
from bot.lists.ledger import (
    export_filename,
    ledger_workbook,
    lists_for,
    render_lists,
    render_rules,
)
from bot.lists.pdf import export_documents
from bot.lists.periods import offered_periods, period_from_key, period_key
from bot.lists.replies import NOT_YOURS, bad_period_text
from bot.lists.rules import Period
from bot.lists.views import explanation_view, period_text

RULES_NOT_FOR_YOU = N_(
    "These rules belong to a list of a township you are not a member of, or the list is gone."
)


@member_only()
@reruns("why")
async def why_command(turn: MemberTurn) -> None:
    _ = turn._
    words = list(turn.context.args or [])
    period = period_of(turn, words)
    if period is None:
        await turn.send(bad_period_text(_, words[0]))
        return
    township_id = await township_for(turn, (), "why", _("No township is configured yet."))
    if township_id is None:
        return
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, township_id)
        assert township is not None  # the member holds a role there
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
        "lists/why.html.j2",
        turn.lang,
        name=turn.actor.name,
        township=township.name,
        period=period_text(lists.snapshot, turn.lang),
        source=lists.source,
        number=lists.issue.number if lists.issue else 0,
        e=e,
    ):
        await turn.send(part)


# The periods /export offers as buttons (bot.lists.periods.offered_periods), by name.
PERIOD_LABELS = {
    "this week": N_("This week"),
    "last week": N_("Last week"),
    "this month": N_("This month"),
    "last month": N_("Last month"),
    "this quarter": N_("This quarter"),
    "last quarter": N_("Last quarter"),
}


@member_only(Role.SECRETARY, Role.ADMIN)
async def export_command(turn: MemberTurn) -> None:
    _ = turn._
    args, code = split_args(turn)
    if args and period_of(turn, args) is None:
        await turn.send(
            _("Usage: /export, then choose the period; or /export week, month or quarter")
        )
        return
    township = await managed_township(turn, code)
    if township is None:
        return
    if not args:
        today = turn.now.astimezone(turn.svc.settings.tz).date()
        buttons = [
            BUTTONS.button(turn, _(PERIOD_LABELS[name]), Act.EXPORT, township.id, period_key(p))
            for name, p in offered_periods(today)
        ]
        await turn.send(
            _("Which period should the ledger (台账) of {township} cover?").format(
                township=township.name
            ),
            [buttons[i : i + 2] for i in range(0, len(buttons), 2)],
        )
        return
    period = period_of(turn, args)
    if period is not None:
        await export(turn, township, period)


@BUTTONS.on(Act.EXPORT)
async def export_pressed(turn: MemberTurn, press: Press) -> None:
    township_id, period = press.number(0), period_from_key(press.arg(1))
    if period is None:
        raise BadPress(1)
    township = await pressed_township(turn, township_id)
    if township is None:
        return
    await turn.answer(turn._("Preparing the ledger…"))
    await export(turn, township, period)


async def export(turn: MemberTurn, township: Township, period: Period) -> None:
    """Send the ledger (XLSX) and the printable documents of `township` for `period`."""
    _ = turn._
    settings = turn.svc.settings
    facts = provider(turn.svc.extras)
    async with turn.svc.transaction() as session:
        workbook = await ledger_workbook(session, settings, township, period, facts, turn.now)
        lists = await lists_for(session, settings, township, period, facts, turn.now)
    key = period_key(period)
    documents = await export_documents(turn.svc, township, period, facts, turn.now, turn.lang)
    chat = turn.update.effective_chat
    if chat is None:
        return
    await turn.context.bot.send_document(
        chat.id,
        document=workbook,
        filename=export_filename(township.code, key, "xlsx"),
        caption=_("Ledger (台账) of {township}, {period}").format(
            township=township.name, period=period_text(lists.snapshot, turn.lang)
        ),
    )
    for document in documents:
        await turn.context.bot.send_document(
            chat.id,
            document=document.data,
            filename=document.filename,
            caption=_("For print (A4)."),
        )


@BUTTONS.on(Act.SHOW)
async def show_issue(turn: MemberTurn, press: Press) -> None:
    issue_id = press.number(0)
    async with turn.svc.transaction() as session:
        issue = await rb_db.issue_by_id(session, issue_id)
        township = await member_db.township_by_id(session, issue.township_id) if issue else None
    if issue is None or township is None:
        await turn.answer(turn._(STALE), alert=True)
        return
    if not turn.actor.manages(issue.township_id):
        await turn.answer(turn._(NOT_YOURS), alert=True)
        return
    if issue.status == rb_db.PREVIEW:
        await turn.answer(turn._(STALE), alert=True)
        return
    await turn.answer()
    await send_lists(turn, township, issue)


def rules_rows(turn: Turn, issue_id: int) -> list[list[Button]]:
    """The button to an issue's full rules: bound to the reader in a private chat; in a group,
    a deep link that anyone may follow into their own private chat."""
    label = turn._(RULES_BUTTON)
    chat = turn.update.effective_chat
    if chat is not None and chat.type == "private":
        return [[BUTTONS.button(turn, label, Act.RULES, issue_id)]]
    username = links.bot_username(turn.svc) or (turn.context.bot.username or "")
    return [[(label, links.deep_link(username, RULES_LINK, issue_id))]] if username else []


async def send_lists(turn: Turn, township: Township, issue: RedBlackIssue) -> None:
    """An issue's lists with the rules in short, and the button to the full rules."""
    rows = rules_rows(turn, issue.id)
    parts = render_lists(
        turn.svc.renderer,
        turn.svc.settings,
        township.code,
        issue.snapshot,
        issue,
        turn.lang,
        full_rules=not rows,
    )
    for part in parts[:-1]:
        await turn.send(part)
    await turn.send(parts[-1], rows)


async def rules_text(turn: Turn, issue_id: int) -> Html | None:
    """The full rules of an issue for a member of its township, else None."""
    async with turn.svc.transaction() as session:
        issue = await rb_db.issue_by_id(session, issue_id)
        township = await member_db.township_by_id(session, issue.township_id) if issue else None
    actor = turn.actor
    if issue is None or township is None or actor is None:
        return None
    if issue.township_id not in actor.township_ids() and not actor.manages(issue.township_id):
        return None
    return render_rules(turn.svc.renderer, turn.svc.settings, township.code, issue, turn.lang)


@BUTTONS.on(Act.RULES)
async def show_rules(turn: MemberTurn, press: Press) -> None:
    text = await rules_text(turn, press.number(0))
    if text is None:
        await turn.answer(turn._(STALE), alert=True)
        return
    await turn.answer()
    await turn.send(text)


@links.on_start(RULES_LINK)
async def rules_from_link(turn: Turn, arg: str) -> None:
    """`/start rules-<issue>`: the full rules, from the button under a list in the group."""
    issue_id = links.link_id(arg)
    text = await rules_text(turn, issue_id) if issue_id is not None else None
    await turn.send(text or turn._(RULES_NOT_FOR_YOU))
