"""The township group, set by adding the bot to it.

When someone adds the bot to a group, Telegram sends a `my_chat_member` update. The
secretaries of the townships that person manages (every township for an admin; for a cadre
or mediator, the secretaries of their townships) are told privately, with a button that
makes it the township group (agendas and published lists are posted there). The button
announces it in the group first, so a group the bot was removed from meanwhile is refused.
When the bot is removed from a township's group, it is no longer that township's group and
the secretaries are told. A group upgraded to a supergroup (a new chat id) stays the group.
"""

from __future__ import annotations

import contextlib

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.core.flows import Press
from bot.core.turn import App, Context, MemberTurn, Turn
from bot.members import township_service as work
from bot.members.flow import GROUP, GroupAct
from bot.members.managing import managed

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def inside(member: ChatMember) -> bool:
    """Whether this chat member (the bot) is in the chat."""
    if member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return True
    return member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))


def event_key(change: ChatMemberUpdated) -> str:
    return f"group:{change.chat.id}:{int(change.date.timestamp())}"


async def on_my_chat_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type not in GROUPS:
        return
    was, now = inside(change.old_chat_member), inside(change.new_chat_member)
    if was == now:
        return
    turn = await Turn.load(update, context)
    if now:
        known = await work.bot_added(turn, change.chat, change.from_user, event_key(change))
        if not known:
            await _introduce(turn, change)
    else:
        await work.bot_removed(turn, change.chat, event_key(change))


async def _introduce(turn: Turn, change: ChatMemberUpdated) -> None:
    """Added by someone the bot does not know: the group learns what the bot is for and how
    it becomes a township group (it names nobody)."""
    _ = turn._
    # Removed again at once, or not allowed to post: nothing to tell.
    with contextlib.suppress(Forbidden, BadRequest):
        await turn.send(
            _(
                "I keep a township's weekly work. A secretary of the township who adds me to "
                "this group can make it the township group, where agendas and published lists "
                "are posted."
            ),
            chat_id=change.chat.id,
        )


async def on_migrate(update: Update, context: Context) -> None:
    """A group upgraded to a supergroup gets a new id; the township group follows it."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    turn = await Turn.load(update, context)
    await work.group_moved(turn, message.chat.id, message.migrate_to_chat_id)


@GROUP.on(GroupAct.SET)
@managed
async def make_group(turn: MemberTurn, township_id: int, press: Press) -> None:
    _ = turn._
    chat_id = press.number(1)
    township = await work.group_of(turn, township_id)
    if township is None or chat_id >= 0:
        await turn.answer(_("That township is no longer in use."), alert=True)
        return
    if township.group_chat_id == chat_id:
        await turn.answer(
            _("It is already the township group of {township}.").format(township=township.name),
            alert=True,
        )
        return
    try:
        posted = await turn.send(
            _(
                "This is now the township group of {township}: the Monday meeting agenda and "
                "the published red and black lists are posted here."
            ).format(township=township.name),
            chat_id=chat_id,
        )
    except (Forbidden, BadRequest):
        await turn.answer(
            _("I am no longer in that group: add me to it again, then use the new button."),
            alert=True,
        )
        return
    # The group's id now: a group upgraded to a supergroup since the offer has a new one.
    await work.make_group(turn, township_id, posted.chat.id)
    await turn.answer(_("Done"))
    await turn.show(
        _("“{title}” is now the township group of {township}.").format(
            title=posted.chat.title or "", township=township.name
        )
    )


def register(app: App) -> None:
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    GROUP.register(app)
