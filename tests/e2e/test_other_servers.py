"""What a Bot API server other than ours may send: updates of another Bot API version."""

from __future__ import annotations

from typing import Any

from bot.core.unreadable import read_update
from devkit.emulator.models import CallbackQueryRecord
from devkit.sample import GROUP_CHAT_ID
from tests.conftest import SENSITIVE
from tests.e2e.helpers import CADRE_LI, NEWCOMER_ID, ask, ask1, en, zh

LI = CADRE_LI.telegram_user_id
POLL_QUESTION = "村口水井的投票"
# A poll as a server of an older Bot API version sends it: without a field the library
# requires.
OLD_POLL = {
    "id": "1",
    "question": POLL_QUESTION,
    "options": [],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
}
SORRY = "Sorry, this message could not be read. Please send it again."


def message(world: Any, user_id: int, message_id: int, **fields: object) -> dict[str, Any]:
    """A message of `user_id` in their private chat with the bot (or in `chat`)."""
    bot = world.emu.bot()
    sender = world.emu.users[user_id].to_json()
    chat = fields.pop("chat", None) or world.emu.chat_state(bot, user_id).to_json()
    return {
        "message_id": message_id,
        "date": world.emu.now(),
        "chat": chat,
        "from": sender,
        **fields,
    }


async def test_an_update_the_library_cannot_read_is_skipped_and_the_bot_goes_on(world) -> None:
    """A server of an older Bot API version sends a poll without a field the library
    requires: that update is skipped (logged by its id, not its contents), its sender asked
    to send it again; the cadre's messages before and after it are answered."""
    SENSITIVE.add(POLL_QUESTION)
    bot = world.emu.bot()
    world.emu.push_update(bot, "message", message(world, LI, 901, text="你好", future_field={}))
    world.emu.push_update(bot, "message", message(world, LI, 902, poll=OLD_POLL))
    world.emu.push_update(bot, "message", message(world, LI, 903, dice={"emoji": "🎲", "value": 3}))
    not_understood = zh("I did not understand that. Send /help to see what you can do.")
    replies = await world.user(LI).replies(3, timeout=30)
    assert [r.text for r in replies] == [not_understood, zh(SORRY), not_understood]
    reply = await ask1(world, LI, "/help")
    assert "/visit" in reply.text


async def test_an_unreadable_update_is_answered_once_in_the_senders_language(world) -> None:
    """Through the outbox, keyed by the update: the same update delivered again is not
    answered again. A member is answered in their language, anyone else in the default."""
    SENSITIVE.add(POLL_QUESTION)
    await ask(world, LI, "/lang en", 1)
    bot = world.emu.bot()
    pushed = world.emu.push_update(bot, "message", message(world, LI, 911, poll=OLD_POLL))
    assert [r.text for r in await world.user(LI).replies(1, timeout=30)] == [en(SORRY)]
    # Delivered again (a restart before the offset moved on): nothing more is sent.
    await world.app.update_queue.put(read_update(pushed, world.app.bot))
    reply = await ask1(world, LI, "/help")
    assert "/visit" in reply.text and world.user(LI).unread == []
    world.emu.add_user(NEWCOMER_ID, "王新")
    world.emu.push_update(bot, "message", message(world, NEWCOMER_ID, 912, poll=OLD_POLL))
    assert [r.text for r in await world.user(NEWCOMER_ID).replies(1, timeout=30)] == [zh(SORRY)]


async def test_an_unreadable_press_is_answered_and_a_group_hears_nothing(world) -> None:
    """A press whose message cannot be read is answered, so the button stops spinning; an
    unreadable message in a group gets nothing, in the group or privately."""
    SENSITIVE.add(POLL_QUESTION)
    bot = world.emu.bot()
    card = await ask1(world, LI, "/help")
    query_id = "unreadable-press-1"
    bot.callback_queries[query_id] = CallbackQueryRecord(
        query_id, LI, card.chat_id, card.message_id, "x"
    )
    press = {
        "id": query_id,
        "from": world.emu.users[LI].to_json(),
        "message": message(world, LI, card.message_id, poll=OLD_POLL),
        "chat_instance": "1",
        "data": "x",
    }
    world.emu.push_update(bot, "callback_query", press)
    answer = await world.user(LI).callback_answer(query_id, timeout=30)
    assert answer.text == zh("Sorry, this could not be read. Please try again.")
    group = world.emu.chat_state(bot, GROUP_CHAT_ID)
    posted = len(group.messages)
    in_group = message(world, LI, 921, chat=group.to_json(), poll=OLD_POLL)
    world.emu.push_update(bot, "message", in_group)
    reply = await ask1(world, LI, "/help")  # after the group's update: this user's order
    assert "/visit" in reply.text and world.user(LI).unread == []
    assert len(group.messages) == posted


async def test_an_update_of_a_kind_the_bot_does_not_know_is_passed_over(
    world, monkeypatch, caplog
) -> None:
    """A server of a newer Bot API version (or one that ignores allowed_updates) sends an
    update of a kind the library does not know: nothing is answered for it, nothing fails,
    and the messages around it are answered in order."""
    bot = world.emu.bot()
    monkeypatch.setattr(bot, "allowed", lambda update: True)
    world.emu.push_update(bot, "message", message(world, LI, 941, text="你好"))
    world.emu.push_update(bot, "future_kind_of_update", {"id": "1", "from": {"id": LI}})
    world.emu.push_update(bot, "message", message(world, LI, 942, text="你好"))
    not_understood = zh("I did not understand that. Send /help to see what you can do.")
    replies = await world.user(LI).replies(2, timeout=30)
    assert [r.text for r in replies] == [not_understood, not_understood]
    reply = await ask1(world, LI, "/help")
    assert "/visit" in reply.text and world.user(LI).unread == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
