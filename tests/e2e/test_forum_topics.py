"""A township group that is a forum (a supergroup with topics): answers stay in the topic
they were asked in, and a closed General topic is explained to the secretaries."""

from __future__ import annotations

from datetime import datetime

import pytest
from telegram.error import BadRequest

from bot.core.notices import GROUP_POSTS, TOPIC_CLOSED
from devkit.sample import GROUP_CHAT_ID
from tests.conftest import SHANGHAI
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, zh

SEC, LI, WANG = SECRETARY.telegram_user_id, CADRE_LI.telegram_user_id, CADRE_WANG.telegram_user_id


async def test_an_answer_in_a_group_stays_in_the_topic_it_was_asked_in(world) -> None:
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [SEC, LI, WANG], forum=True)
    meeting = world.emu.add_topic(GROUP_CHAT_ID)
    villages = world.emu.add_topic(GROUP_CHAT_ID)
    group = world.emu.chat(GROUP_CHAT_ID)

    await world.user(SEC).send_in_group(GROUP_CHAT_ID, "/status", topic=meeting)
    [answer] = await group.replies(1, timeout=10)
    assert answer.topic == meeting and "/status" in (answer.text or "")

    # Another topic, another person, a command that sends them to the private chat.
    await world.user(LI).send_in_group(GROUP_CHAT_ID, "/visit", topic=villages)
    [redirect] = await group.replies(1, timeout=10)
    assert redirect.topic == villages

    # Asked in General: answered in General.
    await world.user(SEC).send_in_group(GROUP_CHAT_ID, "/status")
    [general] = await group.replies(1, timeout=10)
    assert general.topic is None and general.text == answer.text


async def test_the_emulator_refuses_closed_and_unknown_topics_as_telegram_does(world) -> None:
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [SEC], forum=True)
    topic = world.emu.add_topic(GROUP_CHAT_ID)
    sent = await world.app.bot.send_message(GROUP_CHAT_ID, "一", message_thread_id=topic)
    assert sent.message_thread_id == topic and sent.is_topic_message
    world.emu.close_topic(GROUP_CHAT_ID, topic)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await world.app.bot.send_message(GROUP_CHAT_ID, "二", message_thread_id=topic)
    with pytest.raises(BadRequest, match="thread not found"):
        await world.app.bot.send_message(GROUP_CHAT_ID, "三", message_thread_id=topic + 100)
    world.emu.close_topic(GROUP_CHAT_ID, None)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await world.app.bot.send_message(GROUP_CHAT_ID, "四")


async def test_a_closed_general_topic_is_explained_to_the_secretary(world) -> None:
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [SEC, LI, WANG], forum=True)
    world.emu.close_topic(GROUP_CHAT_ID, None)
    await world.scheduler.travel(datetime(2026, 11, 30, 8, tzinfo=SHANGHAI))  # Monday's agenda
    assert not world.emu.chat(GROUP_CHAT_ID).messages
    told = [m.text or "" for m in world.user(SEC).history]
    what = zh(GROUP_POSTS["monday_agenda"])
    expected = zh(TOPIC_CLOSED).split("{reason}")[1].strip("）)")
    assert any(t.startswith(f"⚠️ {what}") and expected in t for t in told), told
