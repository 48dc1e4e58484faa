"""A visit log with 矛盾化解 links to a dispute case, or opens one (issue: 矛盾纠纷台账).

Buttons on the saved visit card: `vis:lk:<visit>` lists the village's open cases the cadre
may see (their own; mediators and secretaries see all), `vis:lc:<visit>:<case>` links (0
unlinks) and notes it on the case's timeline, `vis:nc:<visit>` starts a new case in the
visit's village; the new case is linked to the visit when it is saved.
"""

from __future__ import annotations

import contextlib

from bot.cases import queries as case_db
from bot.cases.access import domain_actor
from bot.cases.registration import start_registration_from_visit
from bot.cases.rules import Action, ActionPayload, CaseRuleError
from bot.core.roles import Role
from bot.core.turn import Button, MemberTurn, Turn
from bot.visits import queries as visit_db
from bot.week.place import Place

STALE = "This button is from an old message and no longer works."


def can_link(turn: Turn, activities: tuple[str, ...]) -> bool:
    wanted = turn.svc.settings.visits.dispute_activity
    return bool(wanted) and wanted in activities


async def _visible_cases(turn: Turn, place: Place, village_id: int) -> list[case_db.CaseSummary]:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        cases = await case_db.open_cases_in_village(session, place.township_id, village_id)
    if (
        turn.actor.roles_in(place.township_id) & {Role.MEDIATOR, Role.SECRETARY}
        or turn.actor.is_admin
    ):
        return cases
    # A cadre sees only the cases they registered.
    return [c for c in cases if c.state.opened_by == turn.actor.member_id]


async def case_label(turn: Turn, place: Place, case_id: int | None) -> str:
    if case_id is None:
        return ""
    async with turn.svc.transaction() as session:
        found = await case_db.case_summaries(session, place.township_id, ids=[case_id])
    return found[0].number if found else ""


async def show_choices(turn: Turn, place: Place, row: visit_db.VisitRow) -> None:
    _ = turn._
    cases = await _visible_cases(turn, place, row.village_id)
    config = case_db.case_config(turn.svc.settings)
    labels = {t.key: t.label for t in config.categories}
    rows: list[list[Button]] = [
        [
            (
                f"{c.number} · {labels.get(c.state.category, c.state.category)}",
                turn.cb("vis", "lc", row.id, c.id),
            )
        ]
        for c in cases[:10]
    ]
    rows.append([(_("➕ Register a new case here"), turn.cb("vis", "nc", row.id))])
    if row.dispute_case_id:
        rows.append([(_("✖️ Remove the link"), turn.cb("vis", "lc", row.id, 0))])
    rows.append([(_("◀️ Back"), turn.cb("vis", "show", row.id))])
    text = (
        _("Which dispute case was this visit's 矛盾化解 about? Open cases in {village}:")
        if cases
        else _("There is no open case in {village} that you can see. Register one?")
    ).format(village=row.village)
    await turn.show(text, rows)


async def link(turn: Turn, place: Place, row: visit_db.VisitRow, case_id: int) -> str | None:
    """Link (or with 0 unlink); returns an error message, or None when done."""
    _ = turn._
    assert turn.actor is not None
    if case_id == 0:
        async with turn.svc.transaction() as session:
            await case_db.link_visit(
                session, row.id, None, member_id=turn.actor.member_id, now=turn.now
            )
        return None
    if case_id not in {c.id for c in await _visible_cases(turn, place, row.village_id)}:
        return _("That case is not open in this village, or you cannot see it.")
    config = case_db.case_config(turn.svc.settings)
    day = row.visit_date.isoformat()
    async with turn.svc.transaction() as session:
        await case_db.link_visit(
            session, row.id, case_id, member_id=turn.actor.member_id, now=turn.now
        )
        # The link stands even if this role may not add notes to the case.
        with contextlib.suppress(CaseRuleError):
            await case_db.act(
                session,
                case_id=case_id,
                action=Action.ADD_NOTE,
                payload=ActionPayload(note=f"下乡走访（{day}，{turn.actor.name}）与本案关联"),
                actor=domain_actor(turn.actor, place.township_id),
                at=turn.now.astimezone(place.rules.tz),
                config=config,
            )
    return None


async def start_new_case(turn: Turn, place: Place, row: visit_db.VisitRow) -> None:
    await start_registration_from_visit(
        MemberTurn.of(turn),
        township_id=place.township_id,
        village_id=row.village_id,
        visit_id=row.id,
    )
