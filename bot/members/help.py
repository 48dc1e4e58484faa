"""/help, /cancel and per-member command menus."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from bot.core.access import Actor
from bot.core.commands import commands_for
from bot.core.gates import private_chat_button
from bot.core.i18n import N_, gettext_for
from bot.core.keys import keys_of
from bot.core.text import as_html
from bot.core.turn import App, Context, MemberTurn, Turn, admitted, member_only, registering

log = logging.getLogger(__name__)

GROUP_HELP = N_(
    "I keep the township's weekly work: visit logs, Friday reports, the Monday agenda, "
    "dispute cases and the red and black lists. Everything about a person is shown only in "
    "a private chat with me: open it with the button below and send /help there."
)


async def send_help(turn: Turn, actor: Actor) -> None:
    """What the member can do, with their keys under the message (private chats only)."""
    _ = turn._
    commands = [(c.name, _(c.description)) for c in commands_for(actor.roles)]
    roles = [turn.role_label(r) for r in sorted(actor.roles)]
    text = turn.svc.renderer.render(
        "members/help.html.j2", turn.lang, name=actor.name, roles=roles, commands=commands
    )
    await send_with_keys(turn, text, actor)


async def send_with_keys(turn: Turn, text: object, actor: Actor) -> None:
    """Send `text` with the member's keys as they are now (their roles, their language), in
    a private chat; a group never shows them."""
    chat = turn.update.effective_chat
    if chat is None or chat.type != "private":
        await turn.send(text)
        return
    keys = keys_of(gettext_for(actor.language), actor.roles, actor.active)
    await turn.context.bot.send_message(chat.id, as_html(text), reply_markup=keys)


@member_only()
async def help_command(turn: MemberTurn) -> None:
    chat = turn.update.effective_chat
    if chat is not None and chat.type != "private":
        # The group sees the answer: what the bot is for, nobody's name or roles.
        _ = turn._
        message = turn.update.effective_message
        if message is not None:
            await message.reply_text(
                _(GROUP_HELP), reply_markup=private_chat_button(turn.context, _)
            )
        return
    await send_help(turn, turn.actor)


async def cancel(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if registering(turn):
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(
            turn._(
                "Registration cancelled. Nothing was saved; your invitation link still works "
                "until it expires."
            )
        )
        return
    if await admitted(turn):
        await cancel_flow(MemberTurn.of(turn))


async def cancel_flow(turn: MemberTurn) -> None:
    async with turn.svc.transaction() as session:
        had = await turn.state(session)
        await turn.clear_state(session)
    _ = turn._
    if had is None:
        await turn.send(_("There is nothing to cancel."))
    else:
        await turn.send(
            _("Cancelled. Nothing was saved from that step. Send /help to see what you can do.")
        )


async def sync_command_menu(context: Context, actor: Actor) -> None:
    """Telegram's command menu for this member's private chat shows only their commands."""
    _ = gettext_for(actor.language)
    commands = [BotCommand(c.name, _(c.description)) for c in commands_for(actor.roles) if c.menu]
    try:
        if actor.active and commands:
            await context.bot.set_my_commands(
                commands, scope=BotCommandScopeChat(actor.telegram_user_id)
            )
        else:
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(actor.telegram_user_id))
    except TelegramError as exc:  # the menu is a convenience; never fail the action for it
        log.warning("could not set the command menu: %s", type(exc).__name__)


def register(app: App) -> None:
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("cancel", cancel))
