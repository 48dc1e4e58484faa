"""Secretaries and admins manage members in chat: list, roles, 包村 villages, (de)activation,
and invitation links."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.core.db import members as member_db
from bot.core.roles import Role
from bot.core.text import esc
from bot.core.turn import (
    App,
    Button,
    Context,
    Turn,
    admitted,
    checkbox,
    member_only,
    page_buttons,
    page_of,
)
from bot.members.help import sync_command_menu

PAGE = 8
VILLAGE_PAGE = 12
ROLE_CODES = {"c": Role.CADRE, "m": Role.MEDIATOR, "s": Role.SECRETARY}
INVITABLE = (Role.CADRE, Role.MEDIATOR, Role.SECRETARY)


async def _managed_townships(turn: Turn) -> list[tuple[int, str]]:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        ids = None if turn.actor.is_admin else turn.actor.township_ids(Role.SECRETARY)
        return [(t.id, t.name) for t in await member_db.townships(session, ids)]


async def _pick_township(turn: Turn, purpose: str) -> int | None:
    townships = await _managed_townships(turn)
    if len(townships) == 1:
        return townships[0][0]
    _ = turn._
    if not townships:
        await turn.send(_("No township is configured yet."))
        return None
    await turn.send(
        _("Which township?"),
        [[(name, turn.cb("mem", purpose, tid))] for tid, name in townships],
    )
    return None


@member_only(Role.SECRETARY, Role.ADMIN)
async def members_command(turn: Turn) -> None:
    township_id = await _pick_township(turn, "list")
    if township_id is not None:
        await show_list(turn, township_id, 0)


@member_only(Role.SECRETARY, Role.ADMIN)
async def invite_command(turn: Turn) -> None:
    township_id = await _pick_township(turn, "inv")
    if township_id is None:
        return
    args = [a.lower() for a in turn.context.args or []]
    if args and args[0] in INVITABLE:
        await make_invite(turn, township_id, args[0])
        return
    await ask_invite_role(turn, township_id)


async def ask_invite_role(turn: Turn, township_id: int) -> None:
    _ = turn._
    await turn.show(
        _("Invite a new member as:"),
        [[(turn.role_label(r), turn.cb("mem", "newinv", township_id, r[0]))] for r in INVITABLE],
    )


async def make_invite(turn: Turn, township_id: int, role: str) -> None:
    assert turn.actor is not None
    _ = turn._
    hours = turn.svc.settings.invites.valid_hours
    async with turn.svc.transaction() as session:
        token = await member_db.create_invite(
            session,
            township_id=township_id,
            role=role,
            now=turn.now,
            valid_for=timedelta(hours=hours),
            created_by=turn.actor.member_id,
        )
        township = await member_db.township_by_id(session, township_id)
    link = f"https://t.me/{turn.context.bot.username}?start={token}"
    await turn.show(
        _(
            "Invitation for <b>{township}</b> as <b>{role}</b>, valid for {hours} hours and for "
            "one person only. Forward this link to them:\n\n{link}"
        ).format(
            township=esc(township.name if township else ""),
            role=esc(turn.role_label(role)),
            hours=hours,
            link=esc(link),
        )
    )


async def show_list(turn: Turn, township_id: int, page: int) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        rows = await member_db.members_of(session, township_id)
        township = await member_db.township_by_id(session, township_id)
    shown, page, pages = page_of(rows, page, PAGE)
    text = turn.svc.renderer.render(
        "members.html.j2",
        turn.lang,
        township=township.name if township else "",
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
        [(r.name if r.active else f"🚫 {r.name}", turn.cb("mem", "card", township_id, r.member_id))]
        for r in shown
    ]
    buttons.append(page_buttons(turn, page, pages, "mem", "list", township_id))
    buttons.append([(_("➕ Invite a member"), turn.cb("mem", "inv", township_id))])
    await turn.show(text, buttons)


async def show_card(turn: Turn, township_id: int, member_id: int) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        rows = await member_db.members_of(session, township_id)
    row = next((r for r in rows if r.member_id == member_id), None)
    if row is None:
        await turn.show(_("That member was not found in this township."))
        return
    text = turn.svc.renderer.render(
        "member_card.html.j2",
        turn.lang,
        name=row.name,
        roles=[turn.role_label(x) for x in row.roles],
        villages=row.villages,
        active=row.active,
        unreachable=row.unreachable,
    )
    roles_row: list[Button] = [
        (
            checkbox(role in row.roles, turn.role_label(role)),
            turn.cb("mem", "role", township_id, member_id, code),
        )
        for code, role in ROLE_CODES.items()
    ]
    await turn.show(
        text,
        [
            roles_row,
            [(_("🏘 Villages (包村)"), turn.cb("mem", "vils", township_id, member_id, 0))],
            [
                (
                    _("🚫 Deactivate") if row.active else _("✅ Reactivate"),
                    turn.cb("mem", "act", township_id, member_id, 0 if row.active else 1),
                )
            ],
            [(_("◀️ Back to the list"), turn.cb("mem", "list", township_id, 0))],
        ],
    )


async def show_villages(turn: Turn, township_id: int, member_id: int, page: int) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        villages = await member_db.villages_of(session, township_id)
        assigned = await member_db.assigned_village_ids(session, member_id)
        member = await member_db.member_in_township(session, member_id, township_id)
    if member is None:
        await turn.show(_("That member was not found in this township."))
        return
    shown, page, pages = page_of(villages, page, VILLAGE_PAGE)
    rows: list[list[Button]] = []
    for i in range(0, len(shown), 2):
        rows.append(
            [
                (
                    checkbox(v.id in assigned, v.name),
                    turn.cb("mem", "vil", township_id, member_id, v.id, page),
                )
                for v in shown[i : i + 2]
            ]
        )
    rows.append(page_buttons(turn, page, pages, "mem", "vils", township_id, member_id))
    rows.append([(_("✔️ Done"), turn.cb("mem", "card", township_id, member_id))])
    await turn.show(
        _("Villages looked after by <b>{name}</b> (包村). Tap to assign or remove:").format(
            name=esc(member.display_name)
        ),
        rows,
    )


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn, (Role.SECRETARY, Role.ADMIN)):
        return
    assert turn.actor is not None
    _ = turn._
    parts = turn.callback_parts()
    try:
        action, township_id = parts[0], int(parts[1])  # type: ignore[index]
        args = [int(p) if p.isdigit() else p for p in parts[2:]]  # type: ignore[index]
    except (TypeError, IndexError, ValueError):
        await turn.answer(_("This button is from an old message and no longer works."), True)
        return
    if not turn.actor.manages(township_id):
        await turn.answer(_("You can only manage members of your own township."), True)
        return
    if action == "list":
        await turn.answer()
        await show_list(turn, township_id, int(args[0]) if args else 0)
    elif action == "inv":
        await turn.answer()
        await ask_invite_role(turn, township_id)
    elif action == "newinv" and args and args[0] in ROLE_CODES:
        await turn.answer()
        await make_invite(turn, township_id, ROLE_CODES[str(args[0])])
    elif action in {"card", "role", "vils", "vil", "act"} and args:
        await _member_action(turn, action, township_id, args)
    else:
        await turn.answer(_("This button is from an old message and no longer works."), True)


async def _member_action(turn: Turn, action: str, township_id: int, args: list[int | str]) -> None:
    assert turn.actor is not None
    _ = turn._
    member_id = int(args[0])
    async with turn.svc.transaction() as session:
        member = await member_db.member_in_township(session, member_id, township_id)
    if member is None:
        await turn.answer(_("That member was not found in this township."), True)
        return
    changed_roles = False
    if action == "role" and len(args) > 1 and args[1] in ROLE_CODES:
        role = ROLE_CODES[str(args[1])]
        if member_id == turn.actor.member_id and role == Role.SECRETARY and not turn.actor.is_admin:
            await turn.answer(_("You cannot remove your own secretary role."), True)
            return
        async with turn.svc.transaction() as session:
            holds = await member_db.toggle_role(
                session, member_id, township_id, role, actor=turn.actor, now=turn.now
            )
        changed_roles = True
        await turn.answer(
            (_("Role granted: {role}") if holds else _("Role removed: {role}")).format(
                role=turn.role_label(role)
            )
        )
        await show_card(turn, township_id, member_id)
    elif action == "act" and len(args) > 1:
        if member_id == turn.actor.member_id:
            await turn.answer(_("You cannot deactivate yourself."), True)
            return
        active = args[1] == 1
        async with turn.svc.transaction() as session:
            await member_db.set_active(
                session, member_id, active, actor=turn.actor, township_id=township_id, now=turn.now
            )
        changed_roles = True
        await turn.answer(_("Reactivated") if active else _("Deactivated"))
        await show_card(turn, township_id, member_id)
    elif action == "vils":
        await turn.answer()
        await show_villages(turn, township_id, member_id, int(args[1]) if len(args) > 1 else 0)
    elif action == "vil" and len(args) > 2:
        async with turn.svc.transaction() as session:
            villages = {v.id for v in await member_db.villages_of(session, township_id)}
            if int(args[1]) not in villages:
                await turn.answer(_("That village is not in this township."), True)
                return
            await member_db.toggle_village(
                session,
                member_id,
                int(args[1]),
                actor=turn.actor,
                township_id=township_id,
                now=turn.now,
            )
        await turn.answer()
        await show_villages(turn, township_id, member_id, int(args[2]))
    else:
        await turn.answer()
        await show_card(turn, township_id, member_id)
    if changed_roles:
        async with turn.svc.transaction() as session:
            target = await member_db.actor_by_member_id(session, member_id)
        if target is not None:
            await sync_command_menu(turn.context, target)


def register(app: App) -> None:
    app.add_handler(CommandHandler("members", members_command))
    app.add_handler(CommandHandler("invite", invite_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^mem:"))
