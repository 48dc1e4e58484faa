"""What /villages and the township group show: the villages (in use and retired), a
village's card, the prompts for a typed name or a shared point, and why a name cannot be
used. Message bodies from `templates/members/`; a typed name is only ever a value."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.flows import FlowTurn
from bot.core.i18n import N_
from bot.core.text import Html, quoted
from bot.core.turn import Button, Turn, page_buttons, page_of
from bot.members.flow import (
    VILLAGES,
    VillageAct,
    VillageDraft,
    VillagesAct,
    VillageStep,
)
from bot.members.rules import VILLAGE_MAX, VILLAGE_MIN, VILLAGE_PUNCTUATION, VillageNameProblem
from bot.members.township_queries import VillageRow

Card = tuple[Html, list[list[Button]]]
VillageTurn = FlowTurn[VillageDraft, VillageStep]

PAGE = 12
ALREADY_RETIRED = N_("That village is already retired.")
ALREADY_IN_USE = N_("That village is already in use.")
SHARE_POINT = N_("Please share the village's location (📎 → Location), or send /cancel to stop.")
TYPE_NAME = N_("Please type the village's name as text, or send /cancel to stop.")


def villages_card(
    turn: Turn,
    township_id: int,
    township: str,
    villages: Sequence[VillageRow],
    page: int,
    *,
    retired: bool,
) -> Card:
    _ = turn._
    listed = [v for v in villages if v.active != retired]
    shown, page, pages = page_of(listed, page, PAGE)
    first = page * PAGE
    text = turn.svc.renderer.render(
        "members/villages.html.j2",
        turn.lang,
        township=township,
        retired=retired,
        villages=[
            {"number": first + i + 1, "name": v.name, "point": v.has_point}
            for i, v in enumerate(shown)
        ],
        total=len(listed),
        page=page + 1,
        pages=pages,
    )
    buttons = [
        VILLAGES.button(
            turn, f"{v.name} 📍" if v.has_point else v.name, VillagesAct.OPEN, township_id, v.id
        )
        for v in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    listing = VillagesAct.RETIRED if retired else VillagesAct.LIST
    rows.append(page_buttons(turn, page, pages, VILLAGES.code, listing, township_id))
    if retired:
        rows.append(
            [VILLAGES.button(turn, _("◀️ Villages in use"), VillagesAct.LIST, township_id, 0)]
        )
    else:
        rows.append([VILLAGES.button(turn, _("➕ Add a village"), VillagesAct.ADD, township_id)])
        count = sum(1 for v in villages if not v.active)
        if count:
            label = _("🗄 Retired villages ({count})").format(count=count)
            rows.append([VILLAGES.button(turn, label, VillagesAct.RETIRED, township_id, 0)])
    return text, rows


def village_card(
    turn: Turn, township_id: int, township: str, village: VillageRow, *, saved: bool = False
) -> Card:
    """The village's card (under "Saved." right after a change)."""
    _ = turn._
    text = turn.svc.renderer.render(
        "members/village.html.j2",
        turn.lang,
        name=village.name,
        township=township,
        active=village.active,
        point=(f"{village.lat:.5f}", f"{village.lon:.5f}") if village.has_point else None,
        radius=village.radius_m,
        saved=saved,
    )
    vid = village.id
    rename = VILLAGES.button(turn, _("✏️ Rename"), VillagesAct.RENAME, township_id, vid)
    if village.active:
        return text, [
            [
                rename,
                VILLAGES.button(turn, _("📍 Set the point"), VillagesAct.POINT, township_id, vid),
            ],
            [VILLAGES.button(turn, _("🗄 Retire"), VillagesAct.RETIRE, township_id, vid)],
            [VILLAGES.button(turn, _("◀️ Back to the villages"), VillagesAct.LIST, township_id, 0)],
        ]
    return text, [
        [VILLAGES.button(turn, _("♻️ Restore"), VillagesAct.RESTORE, township_id, vid), rename],
        [
            VILLAGES.button(
                turn, _("◀️ Back to the retired villages"), VillagesAct.RETIRED, township_id, 0
            )
        ],
    ]


def name_prompt(ctx: VillageTurn, village: VillageRow | None) -> Card:
    _ = ctx._
    limits = {"min": VILLAGE_MIN, "max": VILLAGE_MAX}
    text = (
        _("Type the name of the new village ({min}–{max} characters).").format(**limits)
        if village is None
        else _("Type the new name of {name} ({min}–{max} characters).").format(
            name=village.name, **limits
        )
    )
    return text, [[ctx.button(_("✖️ Cancel"), VillageAct.CANCEL)]]


def point_prompt(ctx: VillageTurn, village: VillageRow) -> Card:
    _ = ctx._
    text = _(
        "Share the location of {name}: 📎 → Location, then pick the middle of the village. "
        "The location of a visit to {name} is checked against it: within {radius} m counts "
        "as in the village."
    ).format(name=village.name, radius=village.radius_m)
    return text, [[ctx.button(_("✖️ Cancel"), VillageAct.CANCEL)]]


def name_problem(
    turn: Turn, problem: VillageNameProblem, typed: str, other: VillageRow | None
) -> Html:
    _ = turn._
    if problem is VillageNameProblem.LENGTH:
        return _(
            "A village name must be {min}–{max} characters long, and “{name}” has {count}. "
            "Please type another."
        ).format(min=VILLAGE_MIN, max=VILLAGE_MAX, name=quoted(typed, 30), count=len(typed))
    if problem is VillageNameProblem.CHARACTERS:
        return _(
            "A village name may hold letters, digits, single spaces and {marks} only. "
            "Please type another."
        ).format(marks=" ".join(VILLAGE_PUNCTUATION.split()))
    name = other.name if other is not None else typed
    if problem is VillageNameProblem.SAME:
        return _("That is already its name. Type another, or send /cancel.")
    if problem is VillageNameProblem.RETIRED:
        return _(
            "{name} is a retired village of this township: restore it from the retired "
            "villages instead. Type another name, or send /cancel."
        ).format(name=name)
    return _("This township already has a village called {name}. Please type another.").format(
        name=name
    )
