"""A visit log with 矛盾化解 links to a dispute case, or opens one (矛盾纠纷台账).

Buttons on the saved log's card: `vl:lk:<visit>` lists the village's open cases the member
may see (their own; mediators and secretaries see all), `vl:lc:<visit>:<case>` links (0
unlinks) and notes it on the case's timeline, `vl:nc:<visit>` starts a new case in the
visit's village; the new case is linked to the visit when it is saved.
"""

from __future__ import annotations

import contextlib

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import queries as case_db
from bot.cases.access import domain_actor
from bot.cases.registration import start_registration_from_visit
from bot.cases.rules import Action, ActionPayload, CaseRuleError
from bot.core.flows import Press
from bot.core.i18n import N_
from bot.core.roles import Role
from bot.core.turn import Button, MemberTurn
from bot.visits import service
from bot.visits import views as v
from bot.visits.actions import LOGS, LogAct
from bot.visits.flow import cadre_place_of, show_saved
from bot.visits.queries import VisitRow
from bot.visits.rules import can_link
from bot.week.place import Place

NOT_VISIBLE = N_("That case is not open in this village, or you cannot see it.")
LINKED = N_("Linked")
UNLINKED = N_("Link removed")


async def _visible_cases(
    session: AsyncSession, turn: MemberTurn, place: Place, village_id: int
) -> list[case_db.CaseSummary]:
    cases = await case_db.open_cases_in_village(session, place.township_id, village_id)
    if turn.actor.roles_in(place.township_id) & {Role.MEDIATOR, Role.SECRETARY, Role.ADMIN}:
        return cases
    # A cadre sees only the cases they registered.
    return [c for c in cases if c.state.opened_by == turn.actor.member_id]


async def _linkable(
    session: AsyncSession, turn: MemberTurn, press: Press
) -> tuple[VisitRow, Place] | None:
    """The member's log the button is for, with its township, when it may link to a case."""
    row = await service.own_log(session, turn.actor.member_id, press.number(0))
    place = None if row is None else cadre_place_of(turn, row.township_id)
    if row is None or place is None:
        return None
    if not can_link(row.activities, turn.svc.settings.visits.dispute_activity):
        return None
    return row, place


@LOGS.on(LogAct.LINK)
async def show_choices(turn: MemberTurn, press: Press) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        found = await _linkable(session, turn, press)
        cases = (
            []
            if found is None
            else await _visible_cases(session, turn, found[1], found[0].village_id)
        )
    if found is None:
        await turn.answer(_(v.GONE), alert=True)
        return
    row = found[0]
    labels = {t.key: t.label for t in case_db.case_config(turn.svc.settings).categories}
    rows: list[list[Button]] = [
        [
            LOGS.button(
                turn,
                f"{c.number} · {labels.get(c.state.category, c.state.category)}",
                LogAct.LINK_CASE,
                row.id,
                c.id,
            )
        ]
        for c in cases[:10]
    ]
    rows.append([LOGS.button(turn, _("➕ Register a new case here"), LogAct.NEW_CASE, row.id)])
    if row.dispute_case_id:
        rows.append([LOGS.button(turn, _("✖️ Remove the link"), LogAct.LINK_CASE, row.id, 0)])
    rows.append([LOGS.button(turn, _("◀️ Back"), LogAct.SHOW, row.id)])
    text = (
        _("Which dispute case was this visit's 矛盾化解 about? Open cases in {village}:")
        if cases
        else _("There is no open case in {village} that you can see. Register one?")
    ).format(village=row.village)
    await turn.answer()
    await v.put(turn, v.View(text, rows), edit=True)


@LOGS.on(LogAct.LINK_CASE)
async def link(turn: MemberTurn, press: Press) -> None:
    """Link the log to a case (or with 0 unlink it); linking notes it on the case."""
    _ = turn._
    case_id = press.number(1)
    refusal = None
    async with turn.svc.transaction() as session:
        found = await _linkable(session, turn, press)
        if found is None:
            refusal = v.GONE
        elif case_id and case_id not in {
            c.id for c in await _visible_cases(session, turn, found[1], found[0].village_id)
        }:
            refusal = NOT_VISIBLE
        else:
            await _link(session, turn, *found, case_id)
    if found is None or refusal is not None:
        await turn.answer(_(refusal or v.GONE), alert=True)
        return
    await show_saved(turn, found[0].id, answer=_(LINKED) if case_id else _(UNLINKED))


async def _link(
    session: AsyncSession, turn: MemberTurn, row: VisitRow, place: Place, case_id: int
) -> None:
    actor = turn.actor
    await case_db.link_visit(
        session, row.id, case_id or None, member_id=actor.member_id, now=turn.now
    )
    if not case_id:
        return
    # The link stands even if this role may not add notes to the case.
    with contextlib.suppress(CaseRuleError):
        await case_db.act(
            session,
            case_id=case_id,
            action=Action.ADD_NOTE,
            payload=ActionPayload(
                note=f"下乡走访（{row.visit_date.isoformat()}，{actor.name}）与本案关联"
            ),
            actor=domain_actor(actor, place.township_id),
            at=turn.now.astimezone(place.rules.tz),
            config=case_db.case_config(turn.svc.settings),
        )


@LOGS.on(LogAct.NEW_CASE)
async def new_case(turn: MemberTurn, press: Press) -> None:
    """Register a case in the log's village; it is linked to the log when saved."""
    async with turn.svc.transaction() as session:
        found = await _linkable(session, turn, press)
    if found is None:
        await turn.answer(turn._(v.GONE), alert=True)
        return
    row, place = found
    await turn.answer()
    await start_registration_from_visit(
        turn, township_id=place.township_id, village_id=row.village_id, visit_id=row.id
    )
