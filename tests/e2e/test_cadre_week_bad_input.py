"""Bad input in the cadre-week flows: each gets a clear, polite reply and loses no data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.core.models import ConversationState, FieldVisit, LeaveRequest, WeeklyReport
from tests.e2e.cadre_helpers import Tapper, at, log_visit
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, ask1, button_labels, zh

LI = CADRE_LI.telegram_user_id
STALE = zh("This button is from an old message and no longer works.")


async def state_of(world, user_id: int) -> ConversationState | None:
    async with world.svc.transaction() as session:
        return await session.get(ConversationState, user_id)


async def start_card(world, village: str = "东岭村") -> tuple[Tapper, object]:
    tap = Tapper(world, LI)
    card = await tap.say("/visit")
    card = await tap.press(card, village)
    return tap, card


async def test_sticker_photo_and_voice_where_text_is_expected(world) -> None:
    tap, card = await start_card(world)
    card = await tap.press(card, "⬜ 听取民意")
    await tap.press(card, zh("➕ Problem solved"))
    user = world.user(LI)
    await user.send_sticker()
    reply = await user.reply(timeout=10)
    assert zh("Please type the problem as one line of text.") in reply.text
    await user.send_voice()
    reply = await user.reply(timeout=10)
    assert zh("Please type the problem as one line of text.") in reply.text
    card = await tap.say("修复路灯")
    assert "☑️ 听取民意" in button_labels(card) and "修复路灯" in card.text
    # On the card a sticker is refused; a photo is welcome (optional) and kept.
    await user.send_sticker()
    reply = await user.reply(timeout=10)
    assert (
        zh(
            "I can only use text, a location or a photo here. Please use the buttons, type "
            "notes, or send a location or a photo."
        )
        in reply.text
    )
    await user.send_photo()
    card = await user.reply(timeout=10)
    assert zh("📷 Photo attached.") in card.text and zh("Photo attached") in card.text
    saved = await tap.press(card, zh("✅ Save"))
    assert "修复路灯" in saved.text
    async with world.svc.transaction() as session:
        visit = await session.scalar(select(FieldVisit))
    assert visit.photo_file_id and visit.location_checked is False and visit.lat is None

    # A photo where report text is expected.
    world.clock.set(at(26, 14))
    preview = await tap.say("/report")
    await tap.press(preview, "✏️ 下周计划")
    await tap.say("第一条计划")
    await user.send_photo()
    reply = await user.reply(timeout=10)
    assert reply.text == zh(
        "Please send the report text as a text message (photos and stickers cannot be used)."
    )
    async with world.svc.transaction() as session:
        report = await session.scalar(select(WeeklyReport))
    assert report.draft["下周计划"] == "第一条计划"


async def test_over_long_text_says_the_limit(world) -> None:
    tap, card = await start_card(world)
    await tap.press(card, zh("➕ Problem solved"))
    reply = await tap.say("很" * 101)
    assert reply.text == zh(
        "That is too long: at most {limit} characters are allowed, and yours has {count}. "
        "Please shorten it and send it again."
    ).format(limit=100, count=101)
    card = await tap.say("修好水井")  # the flow continues
    assert "修好水井" in card.text
    reply = await tap.say("记" * 501)
    assert (
        zh(
            "That is too long: at most {limit} characters are allowed, and yours has {count}. "
            "Please shorten it and send it again."
        ).format(limit=500, count=501)
        == reply.text
    )

    preview = await tap.say("/report")
    await tap.press(preview, "✏️ 重点工作进展")
    await tap.say("甲" * 990)
    reply = await tap.say("乙" * 20)
    assert (
        zh(
            "【{section}】 may have at most {limit} characters; with this message it would "
            "have {count}. Nothing was added: please shorten it and send it again."
        ).format(section="重点工作进展", limit=1000, count=1011)
        in reply.text
    )
    async with world.svc.transaction() as session:
        report = await session.scalar(select(WeeklyReport))
    assert report.draft["重点工作进展"] == "甲" * 990


async def test_date_outside_the_window(world) -> None:
    world.clock.set(at(26, 10))
    tap, card = await start_card(world)
    dates = await tap.press(card, "📅 " + zh("Earlier…"))
    assert len(button_labels(dates)) == 4 + 1  # 3 days back + today, and Back
    reply = await tap.say("11-10")
    assert (
        zh("{day} is outside the window: visits can be logged from {first} to {last}.").format(
            day="11月10日（周二）", first="11月23日（周一）", last="11月26日（周四）"
        )
        in reply.text
    )
    reply = await tap.say("11-30")
    assert "11月30日" in reply.text and zh("{day} is outside the window").split("{")[0] in (
        reply.text
    )
    reply = await tap.say("周八")
    assert zh("I could not read “{text}” as a date.").format(text="周八") in reply.text
    card = await tap.say("11月23日")
    assert "11月23日（周一）" in card.text and zh("backfilled") in card.text
    # A forged-but-signed date outside the window is refused too.
    data = world.svc.codec.pack(LI, "vis", "d", (await state_of(world, LI)).version, "20261101")
    query = await world.user(LI).press_data(card, data)
    answer = await world.user(LI).callback_answer(query, timeout=10)
    assert answer.text == zh("That day is outside the window for logging visits.")
    card = await tap.press(card, "⬜ 听取民意")
    await tap.press(card, zh("✅ Save"))
    async with world.svc.transaction() as session:
        visit = await session.scalar(select(FieldVisit))
    assert visit.visit_date == date(2026, 11, 23) and visit.backfilled is True


async def test_unknown_village_suggests_near_matches(world) -> None:
    tap = Tapper(world, LI)
    await tap.say("/visit")
    reply = await tap.say("杨村")
    assert (
        zh("There is no village called “{name}” in {township}. Did you mean:").format(
            name="杨村", township="沙河子镇"
        )
        == reply.text
    )
    assert "杨庄村" in button_labels(reply)
    reply = await tap.say("火星基地")
    assert (
        zh("There is no village called “{name}” in {township}.").format(
            name="火星基地", township="沙河子镇"
        )
        in reply.text
    )
    assert "沙河子村" in button_labels(reply)  # the list to choose from
    reply = await tap.say("<b>东</b> & 岭")
    assert "<b>东</b> & 岭" in reply.text  # shown literally
    card = await tap.press(reply, "东岭村")
    assert "🏘 东岭村" in card.text


async def test_stale_and_forged_buttons(world) -> None:
    tap, card = await start_card(world)
    newer = await tap.press(card, "⬜ 听取民意")
    answer = await tap.press_old(card, "⬜ 政策宣传")  # the card before the last change
    assert answer.text == STALE
    user = world.user(LI)
    for data in ("vis:ok:1:AAAAAAAA", "vis:ok", "rep:sub:3:xxxxxxxx", "lv:ok:1:zzzzzzzz", "x" * 70):
        query = await user.press_data(newer, data)
        assert (await user.callback_answer(query, timeout=10)).text == STALE
    async with world.svc.transaction() as session:
        assert await session.scalar(select(func.count(FieldVisit.id))) == 0

    # A correctly signed button for another cadre's log does nothing.
    await log_visit(world, CADRE_WANG.telegram_user_id, "西坡村")
    async with world.svc.transaction() as session:
        wang_visit = await session.scalar(select(FieldVisit.id))
    for action in ("dely", "edit", "show"):
        query = await user.press_data(newer, world.svc.codec.pack(LI, "vl", action, wang_visit))
        assert (await user.callback_answer(query, timeout=10)).text == zh(
            "That visit log no longer exists."
        )
    async with world.svc.transaction() as session:
        assert (await session.get(FieldVisit, wang_visit)).deleted_at is None


async def test_save_tapped_twice_logs_one_visit(world) -> None:
    tap, card = await start_card(world)
    card = await tap.press(card, "⬜ 听取民意")
    user = world.user(LI)
    data = next(d for row in card.buttons for text, d in row if text == zh("✅ Save"))
    # Both taps reach the bot before it answers the first.
    first = await user.press_data(card, data)
    second = await user.press_data(card, data)
    assert (await user.callback_answer(first, timeout=10)).text == zh("Saved")
    assert (await user.callback_answer(second, timeout=10)).text == STALE
    async with world.svc.transaction() as session:
        assert await session.scalar(select(func.count(FieldVisit.id))) == 1
    assert await state_of(world, LI) is None


async def test_cancel_at_any_point(world) -> None:
    tap, card = await start_card(world)
    await tap.press(card, zh("➕ Problem solved"))
    reply = await tap.say("/cancel")
    assert reply.text == zh(
        "Cancelled. Nothing was saved from that step. Send /help to see what you can do."
    )
    assert await state_of(world, LI) is None
    answer = await tap.press_old(card, zh("✅ Save"))
    assert answer.text == STALE
    # Cancel in the middle of a report section keeps the draft.
    preview = await tap.say("/report")
    await tap.press(preview, "✏️ 下周计划")
    await tap.say("保留这段草稿")
    await tap.say("/cancel")
    preview = await tap.say("/report")
    assert "保留这段草稿" in preview.text
    # Cancel in the middle of /leave records nothing.
    kind = await tap.say("/leave")
    await tap.press(kind, zh("🏖 Leave (请假)"))
    await tap.say("/cancel")
    reply = await tap.say("11-25")
    assert reply.text == zh("I did not understand that. Send /help to see what you can do.")
    async with world.svc.transaction() as session:
        assert await session.scalar(select(func.count(LeaveRequest.id))) == 0
        assert await session.scalar(select(func.count(FieldVisit.id))) == 0


async def test_markup_is_stored_verbatim_and_shown_escaped(world) -> None:
    evil = "<b>粗体</b> & <i>x</i> <script>"
    tap, card = await start_card(world)
    card = await tap.press(card, "⬜ 帮办实事")
    await tap.press(card, zh("➕ Problem solved"))
    card = await tap.say(evil)
    card = await tap.say(f"备注 {evil}")
    saved = await tap.press(card, zh("✅ Save"))
    assert saved.text.count(evil) == 2
    assert not any(
        e["type"] in {"bold", "italic"}
        and "粗体" in saved.text[e["offset"] : e["offset"] + e["length"]]
        for e in saved.entities
    )
    async with world.svc.transaction() as session:
        visit = await session.scalar(select(FieldVisit))
    assert visit.notes == f"备注 {evil}"
    world.clock.set(at(26, 13))
    preview = await tap.say("/report")
    assert evil in preview.text  # in the digest, literally
    await tap.press(preview, "✏️ 问题与需求")
    await tap.say(evil)
    async with world.svc.transaction() as session:
        report = await session.scalar(select(WeeklyReport))
    assert report.draft["问题与需求"] == evil
    listing = await ask1(world, LI, "/visits")
    assert "帮办实事" in listing.text


async def test_leave_bad_dates_and_overlap(world) -> None:
    tap = Tapper(world, LI)
    kind = await tap.say("/leave")
    await tap.press(kind, zh("🏖 Leave (请假)"))
    reply = await tap.say("周八")
    assert zh("I could not read “{text}” as a date or a range.").format(text="周八") in reply.text
    reply = await tap.say("11-27 至 11-25")
    assert zh("I could not read “{text}” as a date or a range.").split("{")[0] in reply.text
    reply = await tap.say("2026-09-01")
    assert zh("Leave can be recorded at most {n} days back.").format(n=30) in reply.text
    await world.user(LI).send_sticker()
    reply = await world.user(LI).reply(timeout=10)
    assert zh("Please type the dates as text.") in reply.text
    await tap.say("11-25")
    confirm = await tap.say("事假")
    await tap.press(confirm, zh("✅ Send to the secretary"))
    await world.user(SECRETARY.telegram_user_id).reply(timeout=10)
    kind = await tap.say("/leave")
    await tap.press(kind, zh("🚗 Official duty (公务外出)"))
    reply = await tap.say("11-24 至 11-26")
    assert (
        zh("There is already a request for {range} that overlaps these days.").format(
            range="11月25日（周三）"
        )
        in reply.text
    )


async def test_a_message_changed_after_it_was_sent_is_answered_not_ignored(world) -> None:
    """A cadre corrects a typo by editing the text typed into the report: the report keeps
    what was sent, and the cadre is told so and how to correct it."""
    world.clock.set(at(26, 13))
    tap = Tapper(world, LI)
    preview = await tap.say("/report")
    await tap.press(preview, "✏️ 问题与需求")
    sent = await world.user(LI).send("东岭村水渠需要修缮")
    await world.user(LI).reply(timeout=10)
    await world.user(LI).edit(sent, "东岭村水渠需要加固")
    told = await world.user(LI).reply(timeout=10)
    assert told.text == zh(
        "I do not see changes made to a message after it was sent: I have what you sent "
        "first. To correct it, send the correction as a new message."
    )
    async with world.svc.transaction() as session:
        report = await session.scalar(select(WeeklyReport))
    assert report.draft["问题与需求"] == "东岭村水渠需要修缮"


EDIT_NOT_SEEN = zh(
    "I do not see changes made to a message after it was sent: I have what you sent "
    "first. To correct it, send the correction as a new message."
)


async def test_a_command_changed_after_it_was_sent_is_not_run_again(world) -> None:
    """Editing `/help` into `/visit` starts nothing: the cadre is told the edit is not seen."""
    user = world.user(LI)
    sent = await user.send("/help")
    assert "/visit" in (await user.reply(timeout=10)).text
    await user.edit(sent, "/visit")
    assert (await user.reply(timeout=10)).text == EDIT_NOT_SEEN
    assert await state_of(world, LI) is None


async def test_a_live_location_moving_is_not_answered(world) -> None:
    """Telegram sends a live location's every move as an edit: the first position is kept
    for the visit and the moves pass in silence (the next answer is to the next message)."""
    await start_card(world)
    user = world.user(LI)
    shared = await user.send_location(34.05, 110.21, live_period=900)
    received = await user.reply(timeout=10)
    assert EDIT_NOT_SEEN not in received.text
    await user.move(shared, 34.06, 110.22)
    await user.move(shared, 34.07, 110.23)
    state = await state_of(world, LI)
    assert state is not None and (state.data["lat"], state.data["lon"]) == (34.05, 110.21)
    await user.send("/help")
    assert "/visit" in (await user.reply(timeout=10)).text


async def test_a_command_typed_with_a_chinese_keyboard_slash_is_pointed_to_the_command(
    world,
) -> None:
    """A Chinese keyboard's slash key types 、 or ／: Telegram sees plain text. A known
    command so typed gets the command to send; anything else the usual 'not understood'."""
    user = world.user(LI)
    for typed, command in (("、visit", "visit"), ("／HELP", "help"), ("、 report", "report")):
        await user.send(typed)
        answer = (await user.reply(timeout=10)).text
        assert answer == zh(
            'A command starts with the half-width slash "/": send /{command}'
        ).format(command=command)
    await user.send("、不是命令")
    assert (await user.reply(timeout=10)).text == zh(
        "I did not understand that. Send /help to see what you can do."
    )
    assert await state_of(world, LI) is None
