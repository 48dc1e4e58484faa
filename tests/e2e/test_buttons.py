"""Buttons for what people do every week: the reply keyboard of a private chat, /export's
periods."""

from __future__ import annotations

from bot.core.flows import STALE
from bot.lists.replies import NOT_YOURS
from devkit.sample import GROUP_CHAT_ID, OTHER_PERSON
from tests.e2e.helpers import (
    CADRE_LI,
    MEDIATOR_ZHOU,
    NEWCOMER_ID,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    press_alert,
    zh,
)

LI, SEC = CADRE_LI.telegram_user_id, SECRETARY.telegram_user_id


async def test_start_gives_each_role_its_keys_and_a_key_acts_as_its_command(world) -> None:
    await ask(world, LI, "/start", 2)
    assert world.user(LI).reply_keyboard == [["登记下乡", "交周报"], ["我的本周", "请假"]]
    typed = await ask1(world, LI, "/me")
    tapped = await ask1(world, LI, "我的本周")
    assert tapped.text == typed.text and "本周" in tapped.text

    await ask(world, SEC, "/start", 2)
    assert world.user(SEC).reply_keyboard == [
        ["请假", "交账情况"],
        ["例会议程", "案件列表"],
        ["导出台账"],
    ]
    await ask(world, MEDIATOR_ZHOU.telegram_user_id, "/start", 2)
    assert world.user(MEDIATOR_ZHOU.telegram_user_id).reply_keyboard == [
        ["登记下乡", "交周报"],
        ["我的本周", "请假"],
        ["登记案件", "案件列表"],
    ]
    # A key's command checks roles as the command does: a cadre typing a secretary's key.
    refused = await ask1(world, LI, "导出台账")
    assert refused.text == zh("Sorry, this is only for: {roles}.").format(
        roles="、".join([zh("secretary"), zh("admin")])
    )


async def test_keys_follow_the_language_and_never_show_in_a_group(world) -> None:
    await ask(world, LI, "/lang en", 1)
    await ask(world, LI, "/help", 1)
    assert world.user(LI).reply_keyboard == [
        ["Log a visit", "Submit the report"],
        ["My week", "Ask for leave"],
    ]
    # The Chinese label still works after switching (an old keyboard may still be shown).
    old = await ask1(world, LI, "我的本周")
    new = await ask1(world, LI, "My week")
    assert old.text == new.text

    # In the group: /help and /start answer without any keyboard; a key's text does nothing.
    group = world.emu.chat(GROUP_CHAT_ID)
    for text in ("/help", "/start", "我的本周"):
        await world.user(LI).send_in_group(GROUP_CHAT_ID, text)
    await group.replies(1, timeout=10)
    assert group.reply_keyboard is None
    assert all(m.reply_keyboard is None for m in group.messages)
    # A stranger gets no keyboard, and a key's text is refused as the command would be.
    world.emu.add_user(NEWCOMER_ID, "新来的")
    await ask(world, NEWCOMER_ID, "/start", 1)
    refused = await ask1(world, NEWCOMER_ID, "我的本周")
    assert refused.text == (await ask1(world, NEWCOMER_ID, "/me")).text
    assert world.user(NEWCOMER_ID).reply_keyboard is None


async def test_export_without_a_period_offers_the_periods_as_buttons(world) -> None:
    offer = await ask1(world, SEC, "/export")
    assert offer.text == zh("Which period should the ledger (台账) of {township} cover?").format(
        township="沙河子镇"
    )
    assert button_labels(offer) == ["本周", "上周", "本月", "上月", "本季度", "上季度"]
    # Someone else pressing the secretary's button (here: a cadre, with its data).
    data = dict(b for row in offer.buttons for b in row)["上周"]
    answer = await press_alert(world, LI, offer, data)
    assert answer.show_alert and answer.text == zh(STALE)
    # The same period through the button and through the command give the same ledger.
    user = world.user(SEC)
    await user.press(offer, "上周")
    sent = await user.replies(3, timeout=240)
    assert sent[0].file.file_name == "台账-SHZ-2026-W47.xlsx"
    await user.send("/export week")
    assert (await user.replies(3, timeout=240))[0].text == sent[0].text

    # An old or forged button (a period that does not parse) changes nothing.
    forged = world.svc.codec.pack(SEC, "rb", "exp", 1, "2026-W99")
    answer = await press_alert(world, SEC, offer, forged)
    assert answer.show_alert and answer.text == zh(STALE)
    # A secretary of another township cannot export ours with a button signed for them.
    other = OTHER_PERSON.telegram_user_id
    mine = world.svc.codec.pack(other, "rb", "exp", 1, "2026-W47")
    answer = await press_alert(world, other, offer, mine)
    assert answer.show_alert and answer.text in (zh(NOT_YOURS), zh(STALE))
    assert not world.user(SEC).unread
