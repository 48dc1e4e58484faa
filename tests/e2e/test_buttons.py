"""Buttons for what people do every week: the reply keyboard of a private chat, /export's
periods."""

from __future__ import annotations

from bot.core.flows import STALE
from bot.lists.replies import NOT_YOURS
from devkit.sample import GROUP_CHAT_ID, OTHER_PERSON
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_WANG,
    MEDIATOR_ZHOU,
    NEWCOMER_ID,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    press,
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
    await ask(world, LI, "/start", 2)
    # Right after /lang, without /start or /help: the confirmation brings the new keys.
    await ask(world, LI, "/lang en", 1)
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


async def test_status_shows_the_week_so_far_and_chase_reminds_once(world) -> None:
    from datetime import date

    from sqlalchemy import func, select

    from bot.core.models import AuditEntry, OutboxMessage
    from bot.reports.chase import NOT_YOURS as NOT_YOUR_CADRES
    from tests.e2e.helpers import CADRE_SUN, CADRE_WANG, CADRE_ZHAO, press
    from tests.e2e.test_weekly_jobs import approved_leave, at, log_visit, mark_read

    await world.scheduler.tick()  # Monday 23 November, 09:00
    await approved_leave(world, CADRE_ZHAO, date(2026, 11, 23), date(2026, 11, 27))
    await log_visit(world, CADRE_LI, date(2026, 11, 24), "沙河子村")
    await world.scheduler.travel(at(26, 12))  # Thursday: the window opens
    await mark_read(world, LI)
    card = await ask1(world, LI, "/report")
    await press(world, LI, card, zh("✅ Submit"))

    await mark_read(world, SEC)
    status = await ask1(world, SEC, "交账情况")  # the key, as /status
    assert "本周交账情况" in status.text
    assert f"按时提交：{CADRE_LI.name}" in status.text
    not_yet = "、".join([CADRE_WANG.name, CADRE_SUN.name, MEDIATOR_ZHOU.name])
    assert f"尚未提交：{not_yet}" in status.text
    assert f"整周请假或公务外出：{CADRE_ZHAO.name}" in status.text
    assert button_labels(status) == ["📮 催交未提交的干部"]
    assert (await ask1(world, SEC, "/status")).text == status.text
    # Not in a group: /status names people.
    group = world.emu.chat(GROUP_CHAT_ID)
    await world.user(SEC).send_in_group(GROUP_CHAT_ID, "/status")
    [answer] = await group.replies(1, timeout=10)
    assert CADRE_WANG.name not in answer.text and "尚未提交" not in answer.text

    # The deadline message carries the same button.
    await world.scheduler.travel(at(27, 19))
    deadline = next(
        m for m in world.user(SEC).history if zh("Weekly reports at the deadline") in (m.text or "")
    )
    assert button_labels(deadline) == ["📮 催交未提交的干部"]
    await mark_read(world, SEC)
    for person in (CADRE_WANG, CADRE_ZHAO, CADRE_LI):
        await mark_read(world, person.telegram_user_id)

    # Someone else pressing it (a cadre with the secretary's data) changes nothing.
    data = deadline.buttons[0][0][1]
    refused = await press_alert(world, LI, deadline, data)
    assert refused.show_alert and refused.text == zh(STALE)
    # A secretary of another township, with data signed for them, cannot remind ours.
    other = OTHER_PERSON.telegram_user_id
    await ask(world, other, "/help", 1)
    forged = world.svc.codec.pack(other, "rc", "go", status_township(world), "20261123")
    refused = await press_alert(world, other, world.user(other).history[-1], forged)
    assert refused.show_alert and refused.text == zh(NOT_YOUR_CADRES)

    await world.user(SEC).press(deadline, "📮 催交未提交的干部")
    [sent] = await world.user(SEC).replies(1, timeout=10)
    assert sent.text == f"已向3名干部发送催交提醒：{not_yet}。"
    [reminder] = await world.user(CADRE_WANG.telegram_user_id).replies(1, timeout=10)
    assert f"{CADRE_WANG.name}，您11月23日这一周的周报尚未提交" in reminder.text
    assert not world.user(CADRE_ZHAO.telegram_user_id).unread
    assert not world.user(LI).unread

    # A second press (the old button on /status) says who sent it and when; nothing more goes out.
    await world.user(SEC).press(status, "📮 催交未提交的干部")
    [again] = await world.user(SEC).replies(1, timeout=10)
    assert (
        again.text
        == f"本周的催交提醒已由{SECRETARY.name}于11月27日（周五）19:00发送，每周只发送一次。"
    )
    assert "已于11月27日（周五）19:00催交" in (await ask1(world, SEC, "/status")).text
    assert button_labels(world.user(SEC).history[-1]) == []
    async with world.svc.transaction() as session:
        jobs = await session.scalar(select(func.count()).where(OutboxMessage.job == "report_chase"))
        audited = await session.scalar(
            select(func.count()).where(AuditEntry.action == "report_chase")
        )
    assert (jobs, audited) == (3, 1)
    assert not world.user(CADRE_WANG.telegram_user_id).unread


def status_township(world) -> int:
    directory = world.svc.directory
    return next(i for i in directory.active_township_ids() if directory.township(i).code == "SHZ")


async def test_dispute_reminders_open_their_cases_with_a_tap(world) -> None:
    from bot.cases.card import NOT_FOUND
    from devkit.sample.cases import seed_cases
    from tests.e2e.test_weekly_jobs import at

    zhou = MEDIATOR_ZHOU.telegram_user_id
    async with world.svc.transaction() as session:
        await seed_cases(session, world.settings, world.clock.now())
    await world.scheduler.tick()
    await world.scheduler.travel(at(24, 9))
    reminder = next(
        m
        for m in world.user(zhou).history
        if zh("Dispute cases needing attention") in (m.text or "")
    )
    assert "/case" not in reminder.text
    assert "点击下方案件按钮" in reminder.text
    labels = button_labels(reminder)
    assert labels and all(label.startswith("📂 ") for label in labels)
    number = labels[0].split()[1]
    assert number in reminder.text
    await world.user(zhou).replies(len(world.user(zhou).unread))

    # Someone else pressing the mediator's button gets the stale alert, and nothing is shown.
    data = reminder.buttons[0][0][1]
    refused = await press_alert(world, LI, reminder, data)
    assert refused.show_alert and refused.text == zh(STALE)
    assert not world.user(LI).unread

    # The mediator's tap opens the card as a new message; the reminder stays as it was.
    await world.user(zhou).press(reminder, labels[0])
    [card] = await world.user(zhou).replies(1, timeout=10)
    assert number in card.text and card.buttons
    assert world.user(zhou).chat.live(reminder).snapshot().text == reminder.text

    # A button for a case that is gone (an old reminder) says so and shows nothing.
    old = world.svc.codec.pack(zhou, "cs", "o", 999999)
    answer = await press_alert(world, zhou, reminder, old)
    assert answer.show_alert and answer.text == zh(NOT_FOUND).format(number="")
    assert not world.user(zhou).unread


async def test_report_text_outside_an_open_section_is_asked_about(world) -> None:
    """Text typed with no section open waits for the cadre to say where it goes; and a key
    tapped while a section is open closes that section, so the next text is asked about
    too instead of being added to it."""
    from tests.e2e.cadre_helpers import Tapper, at
    from tests.reports.helpers import report_of

    where = zh("Which section does this text ({count} characters) go in?")
    world.clock.set(at(26, 15))
    tap = Tapper(world, LI)
    await ask(world, LI, "/start", 2)
    card = await tap.say("交周报")  # the key, as /report
    asked = await tap.say("村道需要硬化")
    assert where.format(count=6) in asked.text
    assert "➡️ 问题与需求" in button_labels(asked)
    assert (await report_of(world, LI)).draft["本周完成"] == ""
    section = await tap.press(asked, "➡️ 本周完成")
    assert "村道需要硬化" in section.text
    # A section is open; the cadre looks at their week with a key, then types again.
    await tap.say("我的本周")
    asked = await tap.say("缺少路灯")
    assert where.format(count=4) in asked.text
    assert (await report_of(world, LI)).draft["本周完成"] == "村道需要硬化"
    put = await tap.press(asked, "➡️ 问题与需求")
    assert "缺少路灯" in put.text
    assert (await report_of(world, LI)).draft["问题与需求"] == "缺少路灯"
    # The old section view's buttons no longer act.
    answer = await tap.press_old(section, zh("✔️ Done: back to the report"))
    assert answer.show_alert and answer.text == zh(STALE)
    assert card.text


async def test_the_agenda_opens_who_has_submitted(world) -> None:
    from bot.reports.chase import NOT_YOURS as NOT_YOUR_CADRES
    from tests.e2e.helpers import CADRE_WANG

    parts = await ask(world, SEC, "/agenda", 1)
    agenda = parts[-1]
    assert button_labels(agenda) == ["📋 本周交账情况"]
    # Someone else's press, with the secretary's data: nothing shown.
    data = agenda.buttons[0][0][1]
    refused = await press_alert(world, LI, agenda, data)
    assert refused.show_alert and refused.text == zh(STALE)
    await world.user(SEC).press(agenda, "📋 本周交账情况")
    [status] = await world.user(SEC).replies(1, timeout=10)
    assert "本周交账情况" in status.text and CADRE_WANG.name in status.text
    assert status.text == (await ask1(world, SEC, "/status")).text
    # An old or forged button: a township that does not parse, or one not theirs.
    for forged, text in (
        (world.svc.codec.pack(SEC, "rc", "st", "x"), zh(STALE)),
        (world.svc.codec.pack(SEC, "rc", "st", 999999), zh(NOT_YOUR_CADRES)),
    ):
        answer = await press_alert(world, SEC, agenda, forged)
        assert answer.show_alert and answer.text == text
    assert not world.user(SEC).unread


async def test_a_member_given_a_role_gets_its_keys_with_the_notice(world) -> None:
    wang = world.user(CADRE_WANG.telegram_user_id)
    await ask(world, CADRE_WANG.telegram_user_id, "/start", 2)
    cadre_keys = [["登记下乡", "交周报"], ["我的本周", "请假"]]
    assert wang.reply_keyboard == cadre_keys
    listing = await ask1(world, SEC, "/members")
    card = await press(world, SEC, listing, CADRE_WANG.name)
    card = await press(world, SEC, card, f"⬜ {zh('secretary')}")
    told = await wang.reply(timeout=30)
    assert told.text == zh("{by} gave you the role {role} in {township}.").format(
        by=SECRETARY.name, role=zh("secretary"), township="沙河子镇"
    )
    assert wang.reply_keyboard == [
        ["登记下乡", "交周报"],
        ["我的本周", "请假"],
        ["交账情况", "例会议程"],
        ["案件列表", "导出台账"],
    ]
    # Taken back: the secretary's keys go at once.
    await press(world, SEC, card, f"☑️ {zh('secretary')}")
    await wang.reply(timeout=30)
    assert wang.reply_keyboard == cadre_keys


async def test_a_secretary_who_changes_their_own_roles_gets_the_keys_at_once(world) -> None:
    sec = world.user(SEC)
    await ask(world, SEC, "/start", 2)
    secretary_keys = sec.reply_keyboard
    assert secretary_keys and not any("登记案件" in row for row in secretary_keys)
    listing = await ask1(world, SEC, "/members")
    card = await press(world, SEC, listing, SECRETARY.name)
    card = await press(world, SEC, card, f"⬜ {zh('mediator')}")
    assert f"☑️ {zh('mediator')}" in button_labels(card)
    told = await sec.reply(timeout=30)
    assert told.text == zh("You now have the role {role} in {township}.").format(
        role=zh("mediator"), township="沙河子镇"
    )
    assert any("登记案件" in row for row in sec.reply_keyboard)
    # Taken back by themselves: the mediator's key goes at once.
    await press(world, SEC, card, f"☑️ {zh('mediator')}")
    told = await sec.reply(timeout=30)
    assert told.text == zh("You no longer have the role {role} in {township}.").format(
        role=zh("mediator"), township="沙河子镇"
    )
    assert sec.reply_keyboard == secretary_keys
    assert not sec.unread
