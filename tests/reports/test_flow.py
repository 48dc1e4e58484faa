"""The /report conversation: text typed on the card waits for the section it belongs to,
limits and markup, someone else's, old and forged buttons, the group chat."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.models import WeeklyReportRevision
from devkit.sample import GROUP_CHAT_ID
from tests.e2e.cadre_helpers import Tapper, at
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, ask1, button_labels, zh
from tests.reports.helpers import report_of, state_of

LI = CADRE_LI.telegram_user_id
WANG = CADRE_WANG.telegram_user_id
STALE = zh("This button is from an old message and no longer works.")
EMPTY_DRAFT = {"本周完成": "", "下周计划": "", "问题与需求": "", "重点工作进展": ""}
WHERE = zh("Which section does this text ({count} characters) go in?")
PUT = ["➡️ 本周完成", "➡️ 下周计划", "➡️ 问题与需求", "➡️ 重点工作进展"]
DROP = zh("✖️ Discard this text")
DONE = zh("✔️ Done: back to the report")
NOT_TEXT = zh("Please send the report text as a text message (photos and stickers cannot be used).")


def saved(section: str, count: int, limit: int = 1000) -> str:
    return zh(
        "Saved in 【{section}】 ({count}/{limit} characters). Send more to add to it, or tap Done."
    ).format(section=section, count=count, limit=limit)


def too_long_for(section: str, count: int, limit: int = 1000) -> str:
    return zh(
        "【{section}】 may have at most {limit} characters; with this message it would have "
        "{count}. Nothing was added: please shorten it and send it again."
    ).format(section=section, limit=limit, count=count)


async def test_text_typed_on_the_card_waits_for_its_section(world) -> None:
    world.clock.set(at(26, 15))
    tap = Tapper(world, LI)
    card = await tap.say("/report")
    asked = await tap.say("村道需要硬化")
    assert WHERE.format(count=6) in asked.text and "村道需要硬化" in asked.text
    assert button_labels(asked) == [*PUT, DROP]
    # Nothing went into the report by itself.
    assert (await report_of(world, LI)).draft == EMPTY_DRAFT
    # More text joins the waiting text.
    asked = await tap.say("缺少路灯")
    assert WHERE.format(count=11) in asked.text
    section = await tap.press(asked, "➡️ 问题与需求")
    assert saved("问题与需求", 11) in section.text
    assert "【问题与需求】" in section.text and "村道需要硬化\n缺少路灯" in section.text
    assert (await report_of(world, LI)).draft["问题与需求"] == "村道需要硬化\n缺少路灯"
    # The section is open now: the next message is added to it.
    reply = await tap.say("渡口护栏老化")
    assert saved("问题与需求", 18) in reply.text
    card = await tap.press(reply, DONE)
    assert "村道需要硬化\n缺少路灯\n渡口护栏老化" in card.text
    assert (await state_of(world, LI)).step == "preview"
    # The asking message is old now: its buttons do nothing.
    answer = await tap.press_old(asked, "➡️ 本周完成")
    assert answer.text == STALE
    assert (await report_of(world, LI)).draft["本周完成"] == ""


async def test_waiting_text_can_be_discarded_or_cancelled(world) -> None:
    tap = Tapper(world, LI)
    await tap.say("/report")
    asked = await tap.say("写错了")
    card = await tap.press(asked, DROP)
    assert zh("The text was discarded; nothing was added to the report.") in card.text
    assert "✏️ 本周完成" in button_labels(card)
    asked = await tap.say("也不要")
    reply = await tap.say("/cancel")
    assert reply.text == zh(
        "Cancelled. Nothing was saved from that step. Send /help to see what you can do."
    )
    assert await state_of(world, LI) is None
    assert (await tap.press_old(asked, "➡️ 下周计划")).text == STALE
    assert (await report_of(world, LI)).draft == EMPTY_DRAFT


async def test_waiting_text_survives_another_command(world) -> None:
    tap = Tapper(world, LI)
    await tap.say("/report")
    await tap.say("走访五保户")
    await tap.say("/visit")  # another flow starts: the waiting text is set aside
    asked = await tap.say("/report")
    assert WHERE.format(count=5) in asked.text and "走访五保户" in asked.text
    section = await tap.press(asked, "➡️ 下周计划")
    assert saved("下周计划", 5) in section.text
    assert (await report_of(world, LI)).draft["下周计划"] == "走访五保户"


async def test_photos_and_control_characters_are_not_report_text(world) -> None:
    tap = Tapper(world, LI)
    user = world.user(LI)
    await tap.say("/report")
    await user.send_photo()
    card = await user.reply(timeout=10)
    assert zh("Please tap a section first, so I know where your text goes.") in card.text
    asked = await tap.say("第一条")
    await user.send_sticker()
    again = await user.reply(timeout=10)
    assert NOT_TEXT in again.text
    assert WHERE.format(count=3) in again.text  # still waiting, still asked
    again = await tap.say("\x00\x01\x02")
    assert WHERE.format(count=3) in again.text
    await tap.press(asked, "➡️ 本周完成")
    assert (await report_of(world, LI)).draft["本周完成"] == "第一条"


async def test_markup_is_kept_literally_and_shown_escaped(world) -> None:
    evil = "<b>粗体</b> & <i>x</i> <script>"
    tap = Tapper(world, LI)
    await tap.say("/report")
    asked = await tap.say(evil)
    assert evil in asked.text
    assert not any(
        e["type"] in {"bold", "italic"}
        and "粗体" in asked.text[e["offset"] : e["offset"] + e["length"]]
        for e in asked.entities
    )
    section = await tap.press(asked, "➡️ 问题与需求")
    assert evil in section.text
    card = await tap.press(section, DONE)
    assert evil in card.text
    assert (await report_of(world, LI)).draft["问题与需求"] == evil
    assert not world.emu.stats.errors


async def test_section_limits_are_told_and_nothing_confirmed_is_lost(world) -> None:
    tap = Tapper(world, LI)
    card = await tap.say("/report")
    # A section at exactly the limit is fine; one character more is refused.
    await tap.press(card, "✏️ 重点工作进展")
    reply = await tap.say("甲" * 1000)
    assert saved("重点工作进展", 1000) in reply.text
    reply = await tap.say("乙")
    assert too_long_for("重点工作进展", 1002) in reply.text
    assert DONE in button_labels(reply)
    card = await tap.press(reply, DONE)
    # On the card: text longer than any section may be is refused at once.
    reply = await tap.say("丙" * 10_000)
    assert zh(
        "That is too long: at most {limit} characters are allowed, and yours has {count}. "
        "Please shorten it and send it again."
    ).format(limit=1000, count=10_000) in (reply.text)
    assert (await state_of(world, LI)).step == "preview"
    # Waiting text that does not fit the chosen section stays waiting for another one.
    asked = await tap.say("丁" * 600)
    more = await tap.say("戊" * 10_000)
    assert zh(
        "With this message the text would have {count} characters, more than the {limit} a "
        "section may have. This message was not added; the text before it is still waiting."
    ).format(count=10_601, limit=1000) in (more.text)
    refused = await tap.press(more, "➡️ 重点工作进展")
    assert too_long_for("重点工作进展", 1601) in refused.text
    assert WHERE.format(count=600) in refused.text and button_labels(refused) == [*PUT, DROP]
    section = await tap.press(refused, "➡️ 下周计划")
    assert saved("下周计划", 600) in section.text
    draft = (await report_of(world, LI)).draft
    assert draft["重点工作进展"] == "甲" * 1000 and draft["下周计划"] == "丁" * 600
    assert (await tap.press_old(asked, "➡️ 本周完成")).text == STALE
    assert not world.emu.stats.errors


async def test_old_forged_and_someone_elses_buttons_change_nothing(world) -> None:
    world.clock.set(at(26, 15))
    tap = Tapper(world, LI)
    card = await tap.say("/report")
    await tap.press(card, "✏️ 下周计划")
    await tap.say("走访西坡村")
    # The card before the section was opened: its Submit is old.
    answer = await tap.press_old(card, zh("✅ Submit"))
    assert answer.text == STALE
    version = (await state_of(world, LI)).version
    pack = world.svc.codec.pack
    user = world.user(LI)
    for data in (
        pack(LI, "rep", "sec", version, 99),  # no such section
        pack(LI, "rep", "sec", version, "x"),
        pack(LI, "rep", "mode", version, "sideways"),
        pack(LI, "rep", "put", version, 0),  # not asked where text goes
        pack(LI, "rep", "sub", version + 1),
        pack(WANG, "rep", "done", version),  # signed for someone else
    ):
        query = await user.press_data(card, data)
        assert (await user.callback_answer(query, timeout=10)).text == STALE, data
    # Wang's own card, and a button of Li's pressed by him: refused before any feature.
    wang = Tapper(world, WANG)
    wang_card = await wang.say("/report")
    wang_version = (await state_of(world, WANG)).version
    query = await world.user(WANG).press_data(wang_card, pack(LI, "rep", "sub", wang_version))
    assert (await world.user(WANG).callback_answer(query, timeout=10)).text == STALE
    async with world.svc.transaction() as session:
        assert await session.scalar(select(func.count(WeeklyReportRevision.id))) == 0
    assert (await report_of(world, LI)).draft["下周计划"] == "走访西坡村"
    assert (await report_of(world, WANG)).draft["下周计划"] == ""


async def test_report_in_the_group_is_answered_privately(world) -> None:
    user = world.user(LI)
    await user.send_in_group(GROUP_CHAT_ID, "/report")
    group = world.emu.chat(GROUP_CHAT_ID)
    [reply] = await group.replies(1, timeout=10)
    assert reply.text == zh(
        "Please use /{command} in a private chat with me: the group never shows anyone's "
        "personal information."
    ).format(command="report")
    assert await state_of(world, LI) is None
    # In the private chat it works as usual.
    card = await ask1(world, LI, "/report")
    assert "【本周完成】" in card.text


async def test_a_full_report_is_shown_in_parts_with_the_buttons_under_the_last(world) -> None:
    world.clock.set(at(26, 15))
    tap = Tapper(world, LI)
    card = await tap.say("/report")
    for i, name in enumerate(EMPTY_DRAFT):
        await tap.press(card, f"✏️ {name}")
        reply = await tap.say("记" * 999 + str(i))
        assert saved(name, 1000) in reply.text
        card = await tap.press(reply, DONE)
        if i < len(EMPTY_DRAFT) - 1:
            continue
        # Four full sections do not fit one message: the card comes in two.
        assert button_labels(card) == []
        [rest] = await world.user(LI).replies(1, timeout=10)
        assert zh("✅ Submit") in button_labels(rest)
        shown = card.text + rest.text
        assert all(("记" * 999 + str(n)) in shown for n in range(4))
        done = await tap.press(rest, zh("✅ Submit"))
        assert (
            zh("✅ Report submitted on time. You can still change it until the deadline.")
            in done.text
        )
    report = await report_of(world, LI)
    assert report.revision == 1 and all(len(text) == 1000 for text in report.draft.values())
