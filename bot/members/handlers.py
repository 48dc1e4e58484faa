"""Secretaries and admins manage members in chat: /members (the list, a member's card with
their roles, 包村 villages and (de)activation) and /invite (single-use invitation links).
The township itself is managed with /villages (`bot.members.villages`) and its group by
adding the bot to it (`bot.members.group`)."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.core.flows import Press
from bot.core.roles import Role
from bot.core.turn import App, MemberTurn, member_only
from bot.members import group, service, villages
from bot.members import views as v
from bot.members.flow import INVITABLE, MEMBERS, ROLE_ARGS, MemberAct
from bot.members.help import sync_command_menu
from bot.members.managing import managed, pick_township
from bot.members.rules import RoleChange


@member_only(Role.SECRETARY, Role.ADMIN)
async def members_command(turn: MemberTurn) -> None:
    township_id = await pick_township(
        turn, lambda name, tid: MEMBERS.button(turn, name, MemberAct.LIST, tid, 0)
    )
    if township_id is not None:
        await show_list(turn, township_id, 0)


@member_only(Role.SECRETARY, Role.ADMIN)
async def invite_command(turn: MemberTurn) -> None:
    township_id = await pick_township(
        turn, lambda name, tid: MEMBERS.button(turn, name, MemberAct.INVITE, tid)
    )
    if township_id is None:
        return
    args = [a.lower() for a in turn.context.args or []]
    if args and args[0] in INVITABLE:
        await make_invite(turn, township_id, Role(args[0]))
    else:
        await turn.show(*v.invite_roles(turn, township_id))


async def make_invite(turn: MemberTurn, township_id: int, role: Role) -> None:
    token = await service.invite(turn, township_id, role)
    link = turn.svc.settings.invite_link(turn.context.bot.username, token)
    hours = turn.svc.settings.invites.valid_hours
    await turn.show(v.invitation(turn, service.township_name(turn, township_id), role, hours, link))


async def show_list(turn: MemberTurn, township_id: int, page: int) -> None:
    rows = await service.members_of(turn, township_id)
    name = service.township_name(turn, township_id)
    await turn.show(*v.member_list(turn, township_id, name, rows, page))


async def show_card(turn: MemberTurn, township_id: int, member_id: int) -> None:
    row = await service.member_row(turn, township_id, member_id)
    if row is None:
        await turn.show(turn._(v.NO_MEMBER))
        return
    await turn.show(*v.member_card(turn, township_id, row))


async def show_villages(turn: MemberTurn, township_id: int, member_id: int, page: int) -> None:
    found = await service.assignment(turn, township_id, member_id)
    if found is None:
        await turn.show(turn._(v.NO_MEMBER))
        return
    await turn.show(
        *v.village_toggles(
            turn,
            township_id,
            service.township_name(turn, township_id),
            member_id,
            found.name,
            found.villages,
            found.assigned,
            page,
        )
    )


# --- the buttons: each carries the township first ---------------------------------------


@MEMBERS.on(MemberAct.LIST)
@managed
async def list_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    await turn.answer()
    await show_list(turn, township_id, press.number(1) if len(press.args) > 1 else 0)


@MEMBERS.on(MemberAct.INVITE)
@managed
async def invite_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    await turn.answer()
    await turn.show(*v.invite_roles(turn, township_id))


@MEMBERS.on(MemberAct.NEW_INVITE)
@managed
async def role_chosen(turn: MemberTurn, township_id: int, press: Press) -> None:
    role = ROLE_ARGS[press.choice(1, tuple(ROLE_ARGS))]
    await turn.answer()
    await make_invite(turn, township_id, role)


@MEMBERS.on(MemberAct.CARD)
@managed
async def card_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    member_id = press.number(1)
    if await service.member_row(turn, township_id, member_id) is None:
        await turn.answer(turn._(v.NO_MEMBER), alert=True)
        return
    await turn.answer()
    await show_card(turn, township_id, member_id)


@MEMBERS.on(MemberAct.ROLE)
@managed
async def role_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    member_id, role = press.number(1), ROLE_ARGS[press.choice(2, tuple(ROLE_ARGS))]
    outcome = await service.change_role(turn, township_id, member_id, role)
    if outcome is None:
        await turn.answer(turn._(v.NO_MEMBER), alert=True)
        return
    change, target = outcome
    alert = change in (RoleChange.LAST, RoleChange.OWN_SECRETARY)
    await turn.answer(v.role_changed(turn, change, role), alert=alert)
    if alert:
        return
    await show_card(turn, township_id, member_id)
    await turn.send_queued()
    if target is not None:
        await sync_command_menu(turn.context, target)


@MEMBERS.on(MemberAct.ACTIVE)
@managed
async def active_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    _ = turn._
    member_id, active = press.number(1), press.choice(2, ("0", "1")) == "1"
    if member_id == turn.actor.member_id:
        await turn.answer(_("You cannot deactivate yourself."), alert=True)
        return
    target = await service.change_active(turn, township_id, member_id, active)
    if target is None:
        await turn.answer(_(v.NO_MEMBER), alert=True)
        return
    await turn.answer(_("Reactivated") if active else _("Deactivated"))
    await show_card(turn, township_id, member_id)
    await turn.send_queued()
    await sync_command_menu(turn.context, target)


@MEMBERS.on(MemberAct.VILLAGES)
@managed
async def villages_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    member_id = press.number(1)
    page = press.number(2) if len(press.args) > 2 else 0
    if await service.assignment(turn, township_id, member_id) is None:
        await turn.answer(turn._(v.NO_MEMBER), alert=True)
        return
    await turn.answer()
    await show_villages(turn, township_id, member_id, page)


@MEMBERS.on(MemberAct.VILLAGE)
@managed
async def village_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    member_id, village_id, page = press.number(1), press.number(2), press.number(3)
    if await service.assignment(turn, township_id, member_id) is None:
        await turn.answer(turn._(v.NO_MEMBER), alert=True)
        return
    if not await service.toggle_assignment(turn, township_id, member_id, village_id):
        await turn.answer(turn._(v.NO_VILLAGE), alert=True)
        return
    await turn.answer()
    await show_villages(turn, township_id, member_id, page)


@MEMBERS.on(MemberAct.DEVICES)
@managed
async def devices_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    member_id = press.number(1)
    found = await service.devices(turn, township_id, member_id)
    if found is None:
        await turn.answer(turn._(v.NO_MEMBER), alert=True)
        return
    await turn.answer()
    await turn.show(*v.device_list(turn, township_id, member_id, *found))


@MEMBERS.on(MemberAct.SIGN_OUT)
@managed
async def sign_out_pressed(turn: MemberTurn, township_id: int, press: Press) -> None:
    member_id, device_id = press.number(1), press.number(2)
    done = await service.revoke_device(turn, township_id, member_id, device_id)
    if done is None:
        await turn.answer(turn._(v.NO_MEMBER), alert=True)
        return
    _ = turn._
    await turn.answer(_("Signed out") if done else _("That device was already signed out."))
    found = await service.devices(turn, township_id, member_id)
    if found is not None:
        await turn.show(*v.device_list(turn, township_id, member_id, *found))


def register(app: App) -> None:
    app.add_handler(CommandHandler("members", members_command))
    app.add_handler(CommandHandler("invite", invite_command))
    MEMBERS.register(app)
    villages.register(app)
    group.register(app)
