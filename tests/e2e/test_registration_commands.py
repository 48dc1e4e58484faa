"""A command sent in the middle of registering: /cancel stops the registration, any other
command is told to finish it first, never that the bot is only for registered staff."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.models import ConversationState, Member
from tests.e2e.helpers import NEWCOMER_ID, ask1, make_invite, press, zh

STRANGER_TEXT = zh(
    "This bot is for registered township staff. If you are a cadre, mediator or "
    "secretary, please ask your township secretary for an invitation link."
)
FINISH_FIRST = zh(
    "Please finish registering first: confirm your name or change it with the buttons "
    "above, or send /cancel to stop."
)


async def registered(world) -> bool:
    async with world.svc.transaction() as session:
        member = await session.scalar(
            select(Member.id).where(Member.telegram_user_id == NEWCOMER_ID)
        )
        return member is not None


async def test_cancel_stops_a_registration_and_the_link_still_works(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    cancelled = await ask1(world, NEWCOMER_ID, "/cancel")
    assert cancelled.text == zh(
        "Registration cancelled. Nothing was saved; your invitation link still works "
        "until it expires."
    )
    async with world.svc.transaction() as session:
        assert await session.scalar(select(ConversationState.flow)) is None
    # The cancelled card's buttons no longer register anyone.
    user = world.user(NEWCOMER_ID)
    query = await user.press(card, zh("✅ Confirm"))
    answer = await user.callback_answer(query, timeout=10)
    assert answer.show_alert and not await registered(world)
    # As the message says, the link opens the registration again.
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    done = await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    assert done.text == zh("Welcome, {name}! You are registered.").format(name="吴小平")
    assert await registered(world)


async def test_other_commands_ask_to_finish_registering_first(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    for command in ("/help", "/visit", "/lang", "/nosuchcommand"):
        answer = await ask1(world, NEWCOMER_ID, command)
        assert answer.text == FINISH_FIRST, command
    # The registration is where it was.
    done = await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    assert done.text == zh("Welcome, {name}! You are registered.").format(name="吴小平")


async def test_a_stranger_not_registering_is_still_turned_away(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    for command in ("/cancel", "/help"):
        assert (await ask1(world, NEWCOMER_ID, command)).text == STRANGER_TEXT
