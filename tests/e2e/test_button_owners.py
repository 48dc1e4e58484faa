"""Every button answers only the person it was sent to, in a private chat or in a group."""

from __future__ import annotations

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.gates import NOT_YOURS
from bot.core.models import ConversationState, WeeklyReport
from devkit.sample import GROUP_CHAT_ID
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, ask1, zh

LI, WANG = CADRE_LI.telegram_user_id, CADRE_WANG.telegram_user_id


async def states(world) -> dict[int, tuple[str, int]]:
    async with world.svc.transaction() as session:
        rows = await session.scalars(select(ConversationState))
        return {r.telegram_user_id: (r.step, r.version) for r in rows}


async def test_someone_elses_report_card_does_nothing_for_them(world) -> None:
    world.clock.set(at(26, 15))
    card = await ask1(world, LI, "/report")
    before = await states(world)
    wang = world.user(WANG)
    for _label, data in [b for row in card.buttons for b in row]:
        query = await wang.press_data(card, data)
        answer = await wang.callback_answer(query, timeout=10)
        assert answer.show_alert and answer.text == zh(
            "This button is from an old message and no longer works."
        )
    # Nothing changed: LI's card, LI's flow, no report or draft for WANG, no message to WANG.
    assert world.user(LI).chat.live(card).snapshot().text == card.text
    assert await states(world) == before
    async with world.svc.transaction() as session:
        wang_id = world.member_ids[WANG]
        assert (
            await session.scalar(select(WeeklyReport.id).where(WeeklyReport.member_id == wang_id))
            is None
        )
    assert not wang.unread


async def test_a_button_in_a_group_answers_only_its_owner(world) -> None:
    members = [SECRETARY.telegram_user_id, LI, WANG]
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", members)
    data = world.svc.codec.pack(SECRETARY.telegram_user_id, "tw", "p", 1, "")
    sent = await world.app.bot.send_message(
        GROUP_CHAT_ID,
        "📋",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("沙河子镇", callback_data=data)]]),
    )
    [message] = [
        m for m in world.emu.chat(GROUP_CHAT_ID).messages if m.message_id == sent.message_id
    ]
    for other in (LI, WANG):
        query = await world.user(other).press_data(message, data)
        answer = await world.user(other).callback_answer(query, timeout=10)
        assert answer.show_alert and answer.text == zh(NOT_YOURS)
    # Its owner's press is handled by the feature.
    query = await world.user(SECRETARY.telegram_user_id).press_data(message, data)
    answer = await world.user(SECRETARY.telegram_user_id).callback_answer(query, timeout=10)
    assert answer.text != zh(NOT_YOURS)
