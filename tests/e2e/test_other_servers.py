"""What a Bot API server other than ours may send: updates of another Bot API version."""

from __future__ import annotations

from tests.conftest import SENSITIVE
from tests.e2e.helpers import CADRE_LI, ask1, zh

LI = CADRE_LI.telegram_user_id


async def test_an_update_the_library_cannot_read_is_skipped_and_the_bot_goes_on(world) -> None:
    """A server of an older Bot API version sends a poll without a field the library
    requires: that update is skipped (logged by its id, not its contents); the cadre's
    messages before and after it are answered."""
    SENSITIVE.add("村口水井的投票")
    bot = world.emu.bot()
    chat = world.emu.chat_state(bot, LI).to_json()
    sender = {"id": LI, "is_bot": False, "first_name": CADRE_LI.name}

    def message(message_id: int, **fields: object) -> dict[str, object]:
        return {
            "message_id": message_id,
            "date": world.emu.now(),
            "chat": chat,
            "from": sender,
            **fields,
        }

    poll = {
        "id": "1",
        "question": "村口水井的投票",
        "options": [],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    world.emu.push_update(bot, "message", message(901, text="你好", future_field={"x": 1}))
    world.emu.push_update(bot, "message", message(902, poll=poll))
    world.emu.push_update(bot, "message", message(903, dice={"emoji": "🎲", "value": 3}))
    not_understood = zh("I did not understand that. Send /help to see what you can do.")
    replies = await world.user(LI).replies(2, timeout=30)
    assert [r.text for r in replies] == [not_understood, not_understood]
    reply = await ask1(world, LI, "/help")
    assert "/visit" in reply.text
