"""Registration: /start with an invitation token, confirming the display name."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.core.db import members as member_db
from bot.core.flows import flow
from bot.core.models import Invite
from bot.core.text import clean_line, esc
from bot.core.turn import App, Context, FlowState, Turn, stranger_text
from bot.members.help import send_help, sync_command_menu

NAME_MIN, NAME_MAX = 2, 32


async def start(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    _ = turn._
    if update.effective_chat is None or update.effective_chat.type != "private":
        return
    token = context.args[0] if context.args else ""
    user = update.effective_user
    assert user is not None
    if not token:
        actor = turn.actor
        if actor is None or not actor.grants:
            async with turn.svc.transaction() as session:
                actor = await member_db.ensure_bootstrap_member(
                    session, turn.svc.settings, user.id, clean_line(user.full_name), turn.now
                )
            if actor is not None:
                turn = await Turn.load(update, context)
                await sync_command_menu(context, actor)
        if actor is None or not actor.grants:
            await turn.send(stranger_text(_))
            return
        if not actor.active:
            await turn.send(
                _("Your account has been deactivated. Please contact your township secretary.")
            )
            return
        await turn.send(_("Welcome back, {name}.").format(name=esc(actor.name)))
        await send_help(turn)
        return

    async with turn.svc.transaction() as session:
        invite = await member_db.find_invite(session, token)
        problem = invite_problem(turn, invite)
        if problem or invite is None:
            await turn.send(problem or "")
            return
        name = clean_line(user.full_name)[:NAME_MAX] or str(user.id)
        if turn.actor is not None:
            name = turn.actor.name
        version = await turn.set_state(
            session, "register", "confirm", {"invite_id": invite.id, "name": name}
        )
        township = await member_db.township_by_id(session, invite.township_id)
    await send_confirm(turn, township.name if township else "", invite.role, name, version)


def invite_problem(turn: Turn, invite: Invite | None) -> str | None:
    _ = turn._
    if invite is None:
        return _(
            "This invitation link is not valid. Please ask your township secretary for a new one."
        )
    if invite.used_at is not None:
        return _(
            "This invitation link has already been used. Each link works once; please ask your "
            "township secretary for a new one."
        )
    if invite.expires_at <= turn.now:
        return _(
            "This invitation link has expired. Please ask your township secretary for a new one."
        )
    return None


async def send_confirm(turn: Turn, township: str, role: str, name: str, version: int) -> None:
    _ = turn._
    text = _(
        "You are invited to join <b>{township}</b> as <b>{role}</b>.\n"
        "Your name will be shown to colleagues as: <b>{name}</b>\n\nIs this right?"
    ).format(township=esc(township), role=esc(turn.role_label(role)), name=esc(name))
    await turn.show(
        text,
        [
            [
                (_("✅ Confirm"), turn.cb("reg", "ok", version)),
                (_("✏️ Change name"), turn.cb("reg", "name", version)),
            ]
        ],
    )


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    _ = turn._
    parts = turn.callback_parts()
    async with turn.svc.transaction() as session:
        state = await turn.state(session)
        if (
            parts is None
            or len(parts) != 2
            or state is None
            or state.flow != "register"
            or parts[1] != str(state.version)
        ):
            await turn.answer(_("This button is from an old message and no longer works."), True)
            return
        if parts[0] == "name":
            await turn.set_state(session, "register", "name", state.data)
            await turn.answer()
            await turn.show(
                _(
                    "Please type your name as your colleagues know it ({min}–{max} characters)."
                ).format(min=NAME_MIN, max=NAME_MAX)
            )
            return
        if parts[0] != "ok":
            await turn.answer(_("This button is from an old message and no longer works."), True)
            return
        actor = await member_db.redeem_invite(
            session,
            invite_id=int(state.data["invite_id"]),
            telegram_user_id=turn.user_id,
            name=str(state.data["name"]),
            language=turn.lang,
            now=turn.now,
        )
        await turn.clear_state(session)
        if actor is None:
            invite = await session.get(Invite, int(state.data["invite_id"]))
            problem = invite_problem(turn, invite) or _("This invitation link is not valid.")
    if actor is None:
        await turn.answer()
        await turn.show(problem)
        return
    await turn.answer(_("Registered"))
    await turn.show(_("Welcome, {name}! You are registered.").format(name=esc(actor.name)))
    turn = await Turn.load(update, context)
    await sync_command_menu(context, actor)
    await send_help(turn)


@flow("register")
async def on_message(turn: Turn, state: FlowState) -> None:
    _ = turn._
    message = turn.update.effective_message
    if state.step != "name":
        await turn.send(_("Please use the buttons above: confirm your name or change it."))
        return
    if message is None or not message.text:
        await turn.send(_("Please type your name as text."))
        return
    name = clean_line(message.text)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        await turn.send(
            _("A name must be {min}–{max} characters long. Please try again.").format(
                min=NAME_MIN, max=NAME_MAX
            )
        )
        return
    async with turn.svc.transaction() as session:
        invite = await session.get(Invite, int(state.data["invite_id"]))
        problem = invite_problem(turn, invite)
        if problem or invite is None:
            await turn.clear_state(session)
            await turn.send(problem or "")
            return
        version = await turn.set_state(session, "register", "confirm", {**state.data, "name": name})
        township = await member_db.township_by_id(session, invite.township_id)
    await send_confirm(turn, township.name if township else "", invite.role, name, version)


def register(app: App) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^reg:"))
