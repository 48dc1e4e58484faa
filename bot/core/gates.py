"""Checks every update passes before any feature sees it (handler group -1):

- a button answers only the person it was signed for (`bot.core.callbacks`): anyone else,
  in any chat, gets a short alert and nothing changes;
- a command used in a group chat runs there only if the command table allows it
  (`CommandSpec.chats`); otherwise the group gets a short answer with a button that opens
  the private chat, and nothing personal is posted;
- a message changed after it was sent never acts (again): a command is not run twice, a
  corrected text does not replace what was taken. Its writer is told so in a private chat;
  a live location's moves and edits in groups pass in silence;
- an update the bot cannot read (`bot.core.unreadable`) goes no further. Its sender in a
  private chat is asked to send it again, once per update (an outbox row keyed by the
  update), and a press of theirs is answered so the button stops spinning; in a group nothing
  is said.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.commands import ChatScope, spec_for
from bot.core.i18n import N_, Gettext, gettext_for
from bot.core.outbox import Outgoing, enqueue
from bot.core.services import services
from bot.core.text import plain
from bot.core.turn import App, Context, Turn
from bot.core.unreadable import UnreadableUpdate

GATES = -1

NOT_YOURS = N_("This button is not for you.")
STALE = N_("This button is from an old message and no longer works.")
PRIVATE_ONLY = N_(
    "Please use /{command} in a private chat with me: the group never shows anyone's "
    "personal information."
)
OPEN_PRIVATE = N_("💬 Open a private chat")
UNREADABLE_MESSAGE = N_("Sorry, this message could not be read. Please send it again.")
UNREADABLE_PRESS = N_("Sorry, this could not be read. Please try again.")
EDIT_NOT_SEEN = N_(
    "I do not see changes made to a message after it was sent: I have what you sent "
    "first. To correct it, send the correction as a new message."
)


async def _language(context: Context, user_id: int) -> str | None:
    from bot.core.db.members import actor_for

    async with services(context).transaction() as session:
        actor = await actor_for(session, user_id)
    return actor.language if actor else None


async def button_gate(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    if services(context).codec.unpack(query.data, query.from_user.id) is not None:
        return
    _ = gettext_for(await _language(context, query.from_user.id))
    # In a private chat every button was sent to its one person: data that does not verify
    # there was forged or is from an old version. In a group it is someone else's button.
    chat = query.message.chat if query.message is not None else None
    private = chat is not None and chat.type == "private"
    text = _(STALE) if private else _(NOT_YOURS)
    with contextlib.suppress(TelegramError):  # too old to answer: it changes nothing anyway
        await query.answer(plain(text), show_alert=True)
    raise ApplicationHandlerStop


async def edited_gate(update: Update, context: Context) -> None:
    message = update.edited_message
    if (
        message is not None
        and message.chat.type == "private"
        and (message.text is not None or message.caption is not None)
    ):
        turn = await Turn.load(update, context)
        await turn.send(turn._(EDIT_NOT_SEEN))
    raise ApplicationHandlerStop


async def unreadable_gate(update: Update, context: Context) -> None:
    if not isinstance(update, UnreadableUpdate):
        return
    facts = update.unreadable
    user_id = facts.user_id
    if user_id is None or not facts.private:  # nothing is said in a group
        raise ApplicationHandlerStop
    from bot.core.db.members import actor_for

    svc = services(context)
    async with svc.transaction() as session:
        actor = await actor_for(session, user_id)
        turn = Turn(update, context, actor)
        if facts.callback_query_id is None:
            notice = Outgoing(
                # A re-delivered update is answered once; ids are reused after a quiet week.
                key=f"unreadable:{facts.update_id}:{user_id}",
                job="unreadable",
                chat_id=user_id,
                text=turn._(UNREADABLE_MESSAGE),
                member_id=actor.member_id if actor is not None else None,
            )
            await enqueue(session, [notice], turn.now)
    if facts.callback_query_id is not None:
        with contextlib.suppress(TelegramError):  # too old to answer: it stopped spinning
            await context.bot.answer_callback_query(
                facts.callback_query_id, plain(turn._(UNREADABLE_PRESS))
            )
    else:
        await turn.send_queued()
    raise ApplicationHandlerStop


def command_of(text: str, bot_username: str | None) -> str | None:
    """`/agenda@township_bot arg` -> "agenda"; None for a command addressed to another bot."""
    head = text.split(maxsplit=1)[0] if text.strip() else ""
    if not head.startswith("/"):
        return None
    name, _, target = head[1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower()


async def group_command_gate(update: Update, context: Context) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    name = command_of(message.text, context.bot.username)
    if name is None:
        raise ApplicationHandlerStop  # another bot's command: not ours to answer
    spec = spec_for(name)
    if spec is not None and spec.chats is ChatScope.ANY:
        return
    if spec is None and name != "start":
        raise ApplicationHandlerStop  # not one of ours: groups have other bots
    _ = gettext_for(await _language(context, user.id))
    answer = _(spec.group_answer) if spec is not None and spec.group_answer else None
    await message.reply_text(
        answer or _(PRIVATE_ONLY).format(command=name),
        reply_markup=private_chat_button(context, _),
    )
    raise ApplicationHandlerStop


def private_chat_button(context: Context, _: Gettext) -> InlineKeyboardMarkup | None:
    """A button that opens the private chat with the bot (in a group's answers)."""
    username = context.bot.username
    if not username:
        return None
    label = plain(_(OPEN_PRIVATE))
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=f"https://t.me/{username}")]])


def register(app: App) -> None:
    app.add_handler(TypeHandler(UnreadableUpdate, unreadable_gate), group=GATES)
    app.add_handler(CallbackQueryHandler(button_gate), group=GATES)
    # Before the group commands' gate: the first handler of a group that matches takes it.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, edited_gate), group=GATES)
    app.add_handler(
        MessageHandler(filters.COMMAND & ~filters.ChatType.PRIVATE, group_command_gate),
        group=GATES,
    )
