"""Registration: /start with an invitation link, the name confirmed or typed, the person a
member with exactly the invitation's role. A person who already belongs to another township
is told, before and after confirming, that they will belong to both. /start without a link
welcomes a member back, makes a config-listed admin or secretary a member, and tells a
stranger that the bot is for invited members, with their Telegram user id."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.core import links
from bot.core.flows import STALE, Press
from bot.core.text import clean_line
from bot.core.turn import App, Context, Turn
from bot.members import queries as db
from bot.members import service
from bot.members import views as v
from bot.members.flow import JOIN, JoinAct, JoinDraft, JoinStep
from bot.members.guest import GuestTurn
from bot.members.help import send_help, sync_command_menu
from bot.members.rules import InviteProblem, name_length_ok

JoinTurn = GuestTurn[JoinDraft, JoinStep]


async def start(update: Update, context: Context) -> None:
    if update.effective_chat is None or update.effective_chat.type != "private":
        return
    turn = await Turn.load(update, context)
    token = context.args[0] if context.args else ""
    if not token:
        await welcome_back(turn)
        return
    linked = links.handler_for(token)
    if linked is not None:  # a deep link from a group post, not an invitation
        show, arg = linked
        await show(turn, arg)
        return
    opened = await service.open_invitation(turn, token)
    if isinstance(opened, InviteProblem):
        await turn.send(v.invite_problem(turn._, opened))
        return
    await turn.show(*v.confirm_card(opened.ctx, opened.info, opened.belonging))


async def welcome_back(turn: Turn) -> None:
    _ = turn._
    actor = turn.actor
    if actor is None or not actor.grants:
        user = turn.update.effective_user
        async with turn.svc.transaction() as session:
            actor = await db.ensure_bootstrap_member(
                session,
                turn.svc.settings,
                turn.user_id,
                clean_line(user.full_name if user else ""),
                turn.now,
            )
        if actor is not None:
            turn = await Turn.load(turn.update, turn.context)
            await sync_command_menu(turn.context, actor)
    if actor is None or not actor.grants:
        await turn.send(v.stranger_start(turn))
        return
    if not actor.active:
        await turn.send(_(v.DEACTIVATED))
        return
    await turn.send(_("Welcome back, {name}.").format(name=actor.name))
    await send_help(turn, actor)


@JOIN.on(JoinStep.CONFIRM, JoinAct.NAME)
async def change_name(ctx: JoinTurn, press: Press) -> None:
    await service.ask_name(ctx)
    await ctx.turn.answer()
    await ctx.turn.show(v.name_prompt(ctx._))


@JOIN.on(JoinStep.CONFIRM, JoinAct.CONFIRM)
async def confirm(ctx: JoinTurn, press: Press) -> None:
    turn, _ = ctx.turn, ctx._
    joined = await service.join(ctx)
    if joined is None:
        await turn.answer(_(STALE), alert=True)
        return
    if isinstance(joined, InviteProblem):
        await turn.answer()
        await turn.show(v.invite_problem(_, joined))
        return
    await turn.answer(_("Registered"))
    await turn.show(v.welcome(turn, joined.actor.name, joined.belonging))
    await sync_command_menu(turn.context, joined.actor)
    await send_help(turn, joined.actor)


@JOIN.on_message(JoinStep.CONFIRM)
async def typed_at_confirm(ctx: JoinTurn) -> None:
    await ctx.turn.send(ctx._("Please use the buttons above: confirm your name or change it."))


@JOIN.on_message(JoinStep.NAME)
async def typed_name(ctx: JoinTurn) -> None:
    _ = ctx._
    message = ctx.turn.update.effective_message
    if message is None or not message.text:
        await ctx.turn.send(_("Please type your name as text."))
        return
    name = clean_line(message.text)
    if not name_length_ok(name):
        await ctx.turn.send(v.name_length(_))
        return
    opened = await service.retype_name(ctx, name)
    if isinstance(opened, InviteProblem):
        await ctx.turn.send(v.invite_problem(_, opened))
        return
    await ctx.turn.send(*v.confirm_card(opened.ctx, opened.info, opened.belonging))


def register(app: App) -> None:
    app.add_handler(CommandHandler("start", start))
    JOIN.register(app)
