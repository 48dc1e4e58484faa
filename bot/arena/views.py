"""What /arena shows: the standings with their buttons, and the owners picker. Message bodies
are templates (templates/arena/arena.html.j2); labels and short alerts are here."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from bot.arena import queries as arena_db
from bot.arena.rules import ArenaItem, standings
from bot.core.db import members as member_db
from bot.core.flows import Buttons
from bot.core.i18n import N_
from bot.core.models import Township
from bot.core.render import format_datetime
from bot.core.text import Html
from bot.core.turn import Button, MemberTurn, checkbox, page_buttons, page_of

ADD_BUTTON = N_("➕ Add a key work item")
OWNERS_BUTTON = N_("👥 Owners")
DONE_BUTTON = N_("✔️ Done")
NOT_FOUND = N_("That key work item was not found.")


class Act(enum.StrEnum):
    LIST = "list"  # <township>
    ADD = "add"  # <township>
    OWNERS = "own"  # <item>[:<page>]
    TOGGLE = "tog"  # <item>:<member>[:<page>]
    UPDATE = "upd"  # <item>


BUTTONS = Buttons("ar")


def arena_text(turn: MemberTurn, township: Township, items: Sequence[ArenaItem]) -> Html:
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
        for r in standings(list(items))
    ]
    return turn.svc.renderer.render(
        "arena/arena.html.j2", turn.lang, township=township.name, rows=rows
    )


OWNERS_PAGE = 20  # cadres per page (Telegram allows 100 buttons in a keyboard)


async def show(turn: MemberTurn, township_id: int, edit: bool = True) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, township_id)
        items = await arena_db.items(session, township_id)
        mine = set(await arena_db.owned_item_ids(session, turn.actor.member_id, township_id))
    if township is None:
        return
    text = arena_text(turn, township, items)
    manages = turn.actor.manages(township_id)
    buttons: list[list[Button]] = []
    for item in items:
        row: list[Button] = []
        if item.item_id in mine or manages:
            row.append(
                BUTTONS.button(
                    turn, _("📈 {title}").format(title=item.title), Act.UPDATE, item.item_id
                )
            )
        if manages:
            row.append(BUTTONS.button(turn, _(OWNERS_BUTTON), Act.OWNERS, item.item_id))
        if row:
            buttons.append(row)
    if manages:
        buttons.append([BUTTONS.button(turn, _(ADD_BUTTON), Act.ADD, township_id)])
    if edit:
        await turn.show(text, buttons)
    else:
        await turn.send(text, buttons)


async def show_owners(turn: MemberTurn, item_id: int, township_id: int, page: int = 0) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        item = await arena_db.item_in_township(session, item_id, township_id)
        owners = await arena_db.owner_ids(session, item_id)
        cadres = await member_db.recipients(session, township_id, "cadre", reachable_only=False)
    if item is None:
        await turn.show(_(NOT_FOUND))
        return
    shown, page, pages = page_of(cadres, page, OWNERS_PAGE)
    rows: list[list[Button]] = [
        [
            BUTTONS.button(
                turn,
                checkbox(c.member_id in owners, c.name),
                Act.TOGGLE,
                item_id,
                c.member_id,
                page,
            )
        ]
        for c in shown
    ]
    rows.append(page_buttons(turn, page, pages, BUTTONS.code, Act.OWNERS, item_id))
    rows.append([BUTTONS.button(turn, _(DONE_BUTTON), Act.LIST, township_id)])
    text = _("Owners of <b>{title}</b>. Tap to add or remove:").format(title=item.title)
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    await turn.show(text, rows)
