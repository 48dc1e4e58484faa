"""/cases: a township's cases, a page at a time: the member's own, those not yet closed, the
overdue ones, or a village's. Lines carry the case number, village, category and status,
never a party; a cadre lists only the cases they registered."""

from __future__ import annotations

import enum
from datetime import date

from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.access import VIEWERS, sees_parties
from bot.cases.buttons import BUTTONS, Act
from bot.cases.rules import Status
from bot.cases.township import Purpose, opens, township_seen, view_of
from bot.cases.views import BACK_TO_LIST, Screen, pairs
from bot.core.db.directory import TownshipInfo
from bot.core.flows import Press
from bot.core.i18n import N_
from bot.core.turn import Button, MemberTurn, page_of

PAGE = 8
VILLAGE_PAGE = 12


class Filter(enum.StrEnum):
    MINE = "m"
    OPEN = "o"
    OVERDUE = "d"
    VILLAGE = "v"


TITLES = {
    Filter.MINE: N_("My cases"),
    Filter.OPEN: N_("Cases not yet closed"),
    Filter.OVERDUE: N_("Overdue cases"),
    Filter.VILLAGE: N_("Cases in {village}"),
}


@opens(Purpose.LIST)
async def first_list(turn: MemberTurn, township: TownshipInfo, purpose: Purpose) -> list[Screen]:
    default = Filter.OPEN if sees_parties(turn.actor, township.id) else Filter.MINE
    return [await list_screen(turn, township, default, 0, 0)]


def list_order(case: case_db.CaseSummary, today: date) -> tuple[int, int, str]:
    """Open cases first, most urgent deadline first; then the rest, newest first."""
    s = case.state
    if s.status is Status.CLOSED:
        return (1, -s.registered_on.toordinal(), s.number)
    return (0, s.deadline.toordinal(), s.number)


async def list_screen(
    turn: MemberTurn, township: TownshipInfo, kind: Filter, village_id: int, page: int
) -> Screen:
    _ = turn._
    view = view_of(turn, township)
    me = turn.actor.member_id
    # Mediators and the secretary list every case of the township; a cadre their own.
    opened_by = None if sees_parties(turn.actor, township.id) else me
    async with turn.svc.transaction() as session:
        cases = await case_db.case_summaries(
            session,
            township.id,
            involving=me if kind is Filter.MINE else None,
            village_id=village_id if kind is Filter.VILLAGE else None,
            opened_by=opened_by,
        )
    if kind is Filter.OPEN:
        cases = [c for c in cases if c.state.status is not Status.CLOSED]
    elif kind is Filter.OVERDUE:
        cases = [c for c in cases if rules.is_overdue(c.state, view.today)]
    cases.sort(key=lambda c: list_order(c, view.today))
    shown, page, pages = page_of(cases, page, PAGE)
    village = turn.svc.directory.village(village_id) if kind is Filter.VILLAGE else None
    text = turn.svc.renderer.render(
        "cases/list.html.j2",
        turn.lang,
        title=_(TITLES[kind]).format(village=village.name if village else ""),
        township=township.name,
        total=len(cases),
        cases=[view.line(c) for c in shown],
        offset=page * PAGE,
        page=page + 1,
        pages=pages,
    )
    rows = pairs([BUTTONS.button(turn, view.case_button(c), Act.CARD, c.id) for c in shown])
    rows.append(nav_row(turn, page, pages, Act.LIST, township.id, kind, village_id))
    rows.append(
        [
            BUTTONS.button(turn, _("👤 Mine"), Act.LIST, township.id, Filter.MINE, 0, 0),
            BUTTONS.button(turn, _("📂 Open"), Act.LIST, township.id, Filter.OPEN, 0, 0),
            BUTTONS.button(turn, _("⚠️ Overdue"), Act.LIST, township.id, Filter.OVERDUE, 0, 0),
            BUTTONS.button(turn, _("🏘 By village"), Act.VILLAGES, township.id, 0),
        ]
    )
    return Screen(text, rows)


def nav_row(turn: MemberTurn, page: int, pages: int, act: Act, *prefix: object) -> list[Button]:
    """◀️ / ▶️ for a paged list; the page is the buttons' last argument."""
    row: list[Button] = []
    if page > 0:
        row.append(BUTTONS.button(turn, "◀️", act, *prefix, page - 1))
    if page < pages - 1:
        row.append(BUTTONS.button(turn, "▶️", act, *prefix, page + 1))
    return row


@BUTTONS.on(Act.LIST)
async def listed(turn: MemberTurn, press: Press) -> None:
    kind = Filter(press.choice(1, list(Filter)))
    village_id, page = press.number(2), press.number(3)
    township = await township_seen(turn, press.number(0), VIEWERS)
    if township is None:
        return
    await turn.answer()
    screen = await list_screen(turn, township, kind, village_id, page)
    await turn.show(screen.text, screen.rows)


@BUTTONS.on(Act.VILLAGES)
async def villages(turn: MemberTurn, press: Press) -> None:
    page = press.number(1)
    township = await township_seen(turn, press.number(0), VIEWERS)
    if township is None:
        return
    await turn.answer()
    _ = turn._
    shown, page, pages = page_of(turn.svc.directory.villages_of(township.id), page, VILLAGE_PAGE)
    rows = pairs(
        [
            BUTTONS.button(turn, v.name, Act.LIST, township.id, Filter.VILLAGE, v.id, 0)
            for v in shown
        ]
    )
    rows.append(nav_row(turn, page, pages, Act.VILLAGES, township.id))
    rows.append([BUTTONS.button(turn, _(BACK_TO_LIST), Act.LIST, township.id, Filter.OPEN, 0, 0)])
    await turn.show(_("Cases of which village?"), rows)
