"""What members management and registration show: button labels, short replies and
alerts, and the cards (message bodies from `templates/members/`). A name someone typed is
only ever a value given to a template or to `.format()`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.db.members import MemberRow
from bot.core.i18n import N_, Gettext
from bot.core.render import format_datetime
from bot.core.text import Html
from bot.core.turn import Button, Turn, checkbox, page_buttons, page_of, stranger_text
from bot.members.devices import Device
from bot.members.flow import (
    INVITABLE,
    MEMBERS,
    ROLE_ARGS,
    JoinAct,
    JoinDraft,
    JoinStep,
    MemberAct,
)
from bot.members.guest import GuestTurn
from bot.members.queries import InviteInfo
from bot.members.rules import NAME_MAX, NAME_MIN, Belonging, InviteProblem, RoleChange

Card = tuple[Html, list[list[Button]]]
JoinTurn = GuestTurn[JoinDraft, JoinStep]

PAGE = 8
VILLAGE_PAGE = 12

NOT_YOURS = N_("You can only manage members of your own township.")
NO_MEMBER = N_("That member was not found in this township.")
NO_VILLAGE = N_("That village is not in this township.")
NO_TOWNSHIP = N_("No township is configured yet.")
DEACTIVATED = N_("Your account has been deactivated. Please contact your township secretary.")
STRANGER_ID = N_(
    "Your Telegram user id is <code>{id}</code>. Whoever manages this bot may ask you for it, "
    "for example to make you a county admin."
)


def township_choice(
    turn: Turn, townships: Sequence[tuple[int, str]], button: Callable[[str, int], Button]
) -> Card:
    return turn._("Which township?"), [[button(name, tid)] for tid, name in townships]


# --- invitations --------------------------------------------------------------------------


def invite_roles(turn: Turn, township_id: int) -> Card:
    codes = {role: code for code, role in ROLE_ARGS.items()}
    rows = [
        [MEMBERS.button(turn, turn.role_label(r), MemberAct.NEW_INVITE, township_id, codes[r])]
        for r in INVITABLE
    ]
    return turn._("Invite a new member as:"), rows


def invitation(turn: Turn, township: str, role: str, hours: int, link: str) -> Html:
    return turn._(
        "Invitation for <b>{township}</b> as <b>{role}</b>, valid for {hours} hours and for "
        "one person only. Forward this link to them:\n\n{link}"
    ).format(township=township, role=turn.role_label(role), hours=hours, link=link)


# --- the list and the card ----------------------------------------------------------------


def member_list(
    turn: Turn, township_id: int, township: str, rows: Sequence[MemberRow], page: int
) -> Card:
    _ = turn._
    shown, page, pages = page_of(rows, page, PAGE)
    text = turn.svc.renderer.render(
        "members/list.html.j2",
        turn.lang,
        township=township,
        members=[
            {
                "name": r.name,
                "roles": [turn.role_label(x) for x in r.roles],
                "villages": r.villages,
                "active": r.active,
                "unreachable": r.unreachable,
            }
            for r in shown
        ],
        total=len(rows),
        page=page + 1,
        pages=pages,
    )
    buttons: list[list[Button]] = [
        [
            MEMBERS.button(
                turn,
                r.name if r.active else f"🚫 {r.name}",
                MemberAct.CARD,
                township_id,
                r.member_id,
            )
        ]
        for r in shown
    ]
    buttons.append(page_buttons(turn, page, pages, MEMBERS.code, MemberAct.LIST, township_id))
    buttons.append([MEMBERS.button(turn, _("➕ Invite a member"), MemberAct.INVITE, township_id)])
    return text, buttons


def member_card(turn: Turn, township_id: int, row: MemberRow) -> Card:
    _ = turn._
    text = turn.svc.renderer.render(
        "members/card.html.j2",
        turn.lang,
        name=row.name,
        roles=[turn.role_label(x) for x in row.roles],
        villages=row.villages,
        active=row.active,
        unreachable=row.unreachable,
    )
    member_id = row.member_id
    roles_row = [
        MEMBERS.button(
            turn,
            checkbox(role in row.roles, turn.role_label(role)),
            MemberAct.ROLE,
            township_id,
            member_id,
            code,
        )
        for code, role in ROLE_ARGS.items()
    ]
    active_label = _("🚫 Deactivate") if row.active else _("✅ Reactivate")
    return text, [
        roles_row,
        [
            MEMBERS.button(
                turn, _("🏘 Villages (包村)"), MemberAct.VILLAGES, township_id, member_id, 0
            )
        ],
        [
            MEMBERS.button(
                turn, active_label, MemberAct.ACTIVE, township_id, member_id, 0 if row.active else 1
            )
        ],
        *(
            [[MEMBERS.button(turn, _("📱 Devices"), MemberAct.DEVICES, township_id, member_id)]]
            if turn.svc.settings.channel.web
            else []
        ),
        [MEMBERS.button(turn, _("◀️ Back to the list"), MemberAct.LIST, township_id, 0)],
    ]


def device_list(
    turn: Turn, township_id: int, member_id: int, name: str, devices: list[Device]
) -> Card:
    """The member's devices signed in to the web chat, each with a button that signs it out."""
    _ = turn._
    tz = turn.svc.settings.tz
    text = turn.svc.renderer.render(
        "members/devices.html.j2",
        turn.lang,
        name=name,
        devices=[
            (
                d.kind or _("a browser"),
                format_datetime(d.signed_in, tz, turn.lang),
                format_datetime(d.last_used, tz, turn.lang),
            )
            for d in devices
        ],
    )
    buttons = [
        [
            MEMBERS.button(
                turn,
                _("Sign out device {number}").format(number=number),
                MemberAct.SIGN_OUT,
                township_id,
                member_id,
                d.id,
            )
        ]
        for number, d in enumerate(devices, start=1)
    ]
    back = MEMBERS.button(turn, _("◀️ Back"), MemberAct.CARD, township_id, member_id)
    return text, [*buttons, [back]]


def village_toggles(
    turn: Turn,
    township_id: int,
    township: str,
    member_id: int,
    name: str,
    villages: Sequence[tuple[int, str]],
    assigned: set[int],
    page: int,
) -> Card:
    _ = turn._
    shown, page, pages = page_of(villages, page, VILLAGE_PAGE)
    buttons = [
        MEMBERS.button(
            turn,
            checkbox(vid in assigned, vname),
            MemberAct.VILLAGE,
            township_id,
            member_id,
            vid,
            page,
        )
        for vid, vname in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        page_buttons(turn, page, pages, MEMBERS.code, MemberAct.VILLAGES, township_id, member_id)
    )
    rows.append([MEMBERS.button(turn, _("✔️ Done"), MemberAct.CARD, township_id, member_id)])
    text = _("Villages looked after by <b>{name}</b> (包村). Tap to assign or remove:").format(
        name=name
    )
    if not villages:
        text = _("{township} has no villages yet: add them with /villages.").format(
            township=township
        )
    return text, rows


def role_changed(turn: Turn, change: RoleChange, role: str) -> Html:
    _ = turn._
    if change is RoleChange.LAST:
        return _("A member keeps at least one role: give another role first.")
    if change is RoleChange.OWN_SECRETARY:
        return _("You cannot remove your own secretary role.")
    template = (
        _("Role granted: {role}") if change is RoleChange.GRANTED else _("Role removed: {role}")
    )
    return template.format(role=turn.role_label(role))


# --- registration -------------------------------------------------------------------------


def invite_problem(_: Gettext, problem: InviteProblem) -> Html:
    if problem is InviteProblem.USED:
        return _(
            "This invitation link has already been used. Each link works once; please ask your "
            "township secretary for a new one."
        )
    if problem is InviteProblem.EXPIRED:
        return _(
            "This invitation link has expired. Please ask your township secretary for a new one."
        )
    return _("This invitation link is not valid. Please ask your township secretary for a new one.")


def confirm_card(ctx: JoinTurn, info: InviteInfo, belonging: Belonging) -> Card:
    turn, _ = ctx.turn, ctx._
    text = turn.svc.renderer.render(
        "members/confirm.html.j2",
        turn.lang,
        township=info.township,
        role=turn.role_label(info.role),
        name=ctx.draft.name,
        others=list(belonging.others),
    )
    return text, [
        [
            ctx.button(_("✅ Confirm"), JoinAct.CONFIRM),
            ctx.button(_("✏️ Change name"), JoinAct.NAME),
        ]
    ]


def name_prompt(_: Gettext) -> Html:
    return _("Please type your name as your colleagues know it ({min}–{max} characters).").format(
        min=NAME_MIN, max=NAME_MAX
    )


def name_length(_: Gettext) -> Html:
    return _("A name must be {min}–{max} characters long. Please try again.").format(
        min=NAME_MIN, max=NAME_MAX
    )


def welcome(turn: Turn, name: str, belonging: Belonging) -> Html:
    return turn.svc.renderer.render(
        "members/welcome.html.j2",
        turn.lang,
        name=name,
        township=belonging.joining,
        others=list(belonging.others),
    )


def stranger_start(turn: Turn) -> Html:
    """A stranger's /start: the bot is for invited members, and their id for whoever manages
    the bot (to make them an admin in the config, say)."""
    _ = turn._
    return Html(stranger_text(_)) + Html("\n\n") + _(STRANGER_ID).format(id=turn.user_id)
