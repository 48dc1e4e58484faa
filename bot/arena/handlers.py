"""擂台赛: the key work scoreboard. Everybody sees the standings with /arena; the secretary
adds items and owners with buttons and a short flow; owners update progress."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.arena import queries as arena_db
from bot.arena.rules import standings
from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.flows import flow
from bot.core.i18n import N_
from bot.core.models import Township
from bot.core.render import format_datetime
from bot.core.roles import ALL_ROLES, Role
from bot.core.text import clean_line, esc
from bot.core.turn import (
    App,
    Button,
    Context,
    FlowState,
    Turn,
    admitted,
    checkbox,
    member_only,
    page_buttons,
    page_of,
)

FLOW = "arena"
PROGRESS = re.compile(r"^\s*(\d{1,3})\s*%?\s*(.*)$", re.S)

register_commands(CommandSpec("arena", N_("Key work scoreboard (擂台赛)"), ALL_ROLES))


async def _township(turn: Turn) -> Township | None:
    assert turn.actor is not None
    ids = turn.actor.township_ids() or None
    async with turn.svc.transaction() as session:
        found = await member_db.townships(session, ids if ids else set())
    return found[0] if found else None


@member_only()
async def arena_command(turn: Turn) -> None:
    township = await _township(turn)
    if township is None:
        await turn.send(turn._("No township is configured yet."))
        return
    await show(turn, township.id, edit=False)


async def show(turn: Turn, township_id: int, edit: bool = True) -> None:
    assert turn.actor is not None
    _ = turn._
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, township_id)
        items = await arena_db.items(session, township_id)
        mine = set(await arena_db.owned_item_ids(session, turn.actor.member_id, township_id))
    assert township is not None
    tz = turn.svc.settings.township_tz(township.code)
    rows = [
        {
            "rank": r.rank,
            "tied": r.tied,
            "item": r.item,
            "updated": format_datetime(r.item.updated_at, tz, turn.lang)
            if r.item.updated_at
            else "",
        }
        for r in standings(items)
    ]
    text = turn.svc.renderer.render(
        "redblack/arena.html.j2", turn.lang, township=township.name, rows=rows
    )
    manages = turn.actor.manages(township_id)
    buttons: list[list[Button]] = []
    for item in items:
        row: list[Button] = []
        if item.item_id in mine or manages:
            row.append(
                (_("📈 {title}").format(title=item.title), turn.cb("ar", "upd", item.item_id))
            )
        if manages:
            row.append((_("👥 Owners"), turn.cb("ar", "own", item.item_id)))
        if row:
            buttons.append(row)
    if manages:
        buttons.append([(_("➕ Add a key work item"), turn.cb("ar", "add", township_id))])
    if edit:
        await turn.show(text, buttons)
    else:
        await turn.send(text, buttons)


OWNERS_PAGE = 20  # cadres per page (Telegram allows 100 buttons in a keyboard)


async def show_owners(turn: Turn, item_id: int, township_id: int, page: int = 0) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        item = await arena_db.item_in_township(session, item_id, township_id)
        owners = await arena_db.owner_ids(session, item_id)
        cadres = await member_db.recipients(session, township_id, "cadre", reachable_only=False)
    if item is None:
        await turn.show(_("That key work item was not found."))
        return
    shown, page, pages = page_of(cadres, page, OWNERS_PAGE)
    rows: list[list[Button]] = [
        [
            (
                checkbox(c.member_id in owners, c.name),
                turn.cb("ar", "tog", item_id, c.member_id, page),
            )
        ]
        for c in shown
    ]
    rows.append(page_buttons(turn, page, pages, "ar", "own", item_id))
    rows.append([(_("✔️ Done"), turn.cb("ar", "list", township_id))])
    text = _("Owners of <b>{title}</b>. Tap to add or remove:").format(title=esc(item.title))
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    await turn.show(text, rows)


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn):
        return
    assert turn.actor is not None
    _ = turn._
    parts = turn.callback_parts()
    try:
        action, ident = parts[0], int(parts[1])  # type: ignore[index]
        extra = [int(p) for p in parts[2:]]  # type: ignore[index]
    except (TypeError, IndexError, ValueError):
        await turn.answer(_("This button is from an old message and no longer works."), True)
        return
    if action in ("add", "list"):
        township_id = ident
    else:
        async with turn.svc.transaction() as session:
            from bot.core.models import ArenaItem

            item = await session.get(ArenaItem, ident)
        if item is None or not item.active:
            await turn.answer(_("That key work item was not found."), True)
            return
        township_id = item.township_id
    if not turn.actor.can_see_township(township_id):
        await turn.answer(_("You can only see your own township's key work."), True)
        return
    manages = turn.actor.manages(township_id)
    if action == "list":
        await turn.answer()
        await show(turn, township_id)
    elif action == "add" and manages:
        async with turn.svc.transaction() as session:
            await turn.set_state(session, FLOW, "title", {"township_id": township_id})
        await turn.answer()
        await turn.send(
            _("Type the title of the key work item (at most {n} characters).").format(
                n=arena_db.TITLE_MAX
            )
        )
    elif action == "own" and manages:
        await turn.answer()
        await show_owners(turn, ident, township_id, extra[0] if extra else 0)
    elif action == "tog" and manages and extra:
        async with turn.svc.transaction() as session:
            cadres = {
                c.member_id
                for c in await member_db.recipients(
                    session, township_id, "cadre", reachable_only=False
                )
            }
            item = await arena_db.item_in_township(session, ident, township_id)
            if item is None or extra[0] not in cadres:
                await turn.answer(_("That member was not found in this township."), True)
                return
            await arena_db.toggle_owner(
                session, item, extra[0], actor_id=turn.actor.member_id, now=turn.now
            )
        await turn.answer()
        await show_owners(turn, ident, township_id, extra[1] if len(extra) > 1 else 0)
    elif action == "upd":
        async with turn.svc.transaction() as session:
            owners = await arena_db.owner_ids(session, ident)
            if turn.actor.member_id not in owners and not manages:
                await turn.answer(_("Only the item's owners can update its progress."), True)
                return
            await turn.set_state(session, FLOW, "progress", {"item_id": ident})
        await turn.answer()
        await turn.send(
            _(
                "<b>{title}</b>: type the progress as a percentage and a short note, "
                "e.g. “60 foundations finished”."
            ).format(title=esc(item.title if item is not None else ""))
        )
    else:
        await turn.answer(
            _("Sorry, this is only for: {roles}.").format(
                roles="、".join(turn.role_label(r) for r in (Role.SECRETARY, Role.ADMIN))
            ),
            True,
        )


@flow(FLOW)
async def on_message(turn: Turn, state: FlowState) -> None:
    assert turn.actor is not None
    _ = turn._
    message = turn.update.effective_message
    text = clean_line(message.text or "") if message and message.text else ""
    if not text:
        await turn.send(_("Please type text, or /cancel."))
        return
    if state.step == "title":
        if len(text) > arena_db.TITLE_MAX:
            await turn.send(
                _("That is too long (at most {n} characters). Please try again.").format(
                    n=arena_db.TITLE_MAX
                )
            )
            return
        async with turn.svc.transaction() as session:
            await turn.set_state(session, FLOW, "target", {**state.data, "title": text})
        await turn.send(_("Type the target (e.g. “complete by 30 December”), or “-” for none."))
        return
    if state.step == "target":
        target = "" if text in ("-", "—", "无") else text
        if len(target) > arena_db.TARGET_MAX:
            await turn.send(
                _("That is too long (at most {n} characters). Please try again.").format(
                    n=arena_db.TARGET_MAX
                )
            )
            return
        township_id = int(state.data["township_id"])
        if not turn.actor.manages(township_id):
            async with turn.svc.transaction() as session:
                await turn.clear_state(session)
            return
        async with turn.svc.transaction() as session:
            item = await arena_db.add_item(
                session,
                township_id,
                str(state.data["title"]),
                target,
                actor_id=turn.actor.member_id,
                now=turn.now,
            )
            await turn.clear_state(session)
            item_id = item.id
        await turn.send(_("Key work item added. Now choose its owners."))
        await show_owners(turn, item_id, township_id)
        return
    if state.step == "progress":
        match = PROGRESS.match(text)
        percent = int(match.group(1)) if match else -1
        if not 0 <= percent <= 100:
            await turn.send(
                _("Please start with a percentage from 0 to 100, e.g. “60 foundations finished”.")
            )
            return
        note = match.group(2).strip() if match else ""
        async with turn.svc.transaction() as session:
            try:
                await arena_db.record_progress(
                    session,
                    int(state.data["item_id"]),
                    turn.actor.member_id,
                    percent,
                    note,
                    turn.now,
                )
            except ValueError:
                await turn.clear_state(session)
                await turn.send(_("That key work item was not found."))
                return
            await turn.clear_state(session)
        await turn.send(_("Progress recorded: {percent}%.").format(percent=percent))
        township = await _township(turn)
        if township is not None:
            await show(turn, township.id, edit=False)


def register(app: App) -> None:
    app.add_handler(CommandHandler("arena", arena_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ar:"))
