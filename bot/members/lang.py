"""/lang: switch the interface language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.core.db import members as member_db
from bot.core.i18n import LANGUAGE_NAMES, SUPPORTED, gettext_for
from bot.core.turn import App, Context, Turn, admitted, member_only
from bot.members.help import sync_command_menu


@member_only()
async def lang_command(turn: Turn) -> None:
    _ = turn._
    args = turn.context.args or []
    if args and args[0] in SUPPORTED:
        await _switch(turn, args[0])
        return
    await turn.send(
        _("Choose your language:"),
        [[(LANGUAGE_NAMES[code], turn.cb("lang", code)) for code in SUPPORTED]],
    )


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn):
        return
    parts = turn.callback_parts()
    if not parts or parts[0] not in SUPPORTED:
        await turn.answer(turn._("This button is from an old message and no longer works."), True)
        return
    await turn.answer()
    await _switch(turn, parts[0])


async def _switch(turn: Turn, language: str) -> None:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        await member_db.set_language(session, turn.actor.member_id, language)
        actor = await member_db.actor_by_member_id(session, turn.actor.member_id)
    _ = gettext_for(language)
    await turn.show(_("Language set to {language}.").format(language=LANGUAGE_NAMES[language]))
    if actor is not None:
        await sync_command_menu(turn.context, actor)


def register(app: App) -> None:
    app.add_handler(CommandHandler("lang", lang_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^lang:"))
