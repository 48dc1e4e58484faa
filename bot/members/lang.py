"""/lang: switch the interface language."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.core.db import members as member_db
from bot.core.flows import Press
from bot.core.i18n import LANGUAGE_NAMES, SUPPORTED, gettext_for
from bot.core.turn import App, MemberTurn, member_only
from bot.members import queries as db
from bot.members.flow import LANGUAGE, LanguageAct
from bot.members.help import send_with_keys, sync_command_menu


@member_only()
async def lang_command(turn: MemberTurn) -> None:
    args = turn.context.args or []
    if args and args[0] in SUPPORTED:
        await switch(turn, args[0])
        return
    await turn.send(
        turn._("Choose your language:"),
        [
            [
                LANGUAGE.button(turn, LANGUAGE_NAMES[code], LanguageAct.SET, code)
                for code in SUPPORTED
            ]
        ],
    )


@LANGUAGE.on(LanguageAct.SET)
async def chosen(turn: MemberTurn, press: Press) -> None:
    language = press.choice(0, SUPPORTED)
    await turn.answer()
    await switch(turn, language)


async def switch(turn: MemberTurn, language: str) -> None:
    async with turn.svc.transaction() as session:
        await db.set_language(session, turn.actor.member_id, language)
        actor = await member_db.actor_by_member_id(session, turn.actor.member_id)
    _ = gettext_for(language)
    done = _("Language set to {language}.").format(language=LANGUAGE_NAMES[language])
    if actor is None or actor.language == turn.actor.language:
        await turn.show(done)
    else:
        # The keys' labels change with the language: the confirmation brings the new ones (a
        # new message: an edited one cannot carry a reply keyboard).
        if turn.query is not None:
            await turn.show(turn._("Choose your language:"))  # chosen: the buttons go
        await send_with_keys(turn, done, actor)
    if actor is not None:
        await sync_command_menu(turn.context, actor)


def register(app: App) -> None:
    app.add_handler(CommandHandler("lang", lang_command))
    LANGUAGE.register(app)
