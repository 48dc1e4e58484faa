"""Who sees what: party names and phones only for mediators, the township's secretary and
admins, phones masked (the full number only in an alert on request, audited); cadres see only
their own cases, without parties; another township's cases are invisible; nothing personal in
group chats, lists, figures or logs."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.cases import queries as case_db
from bot.cases.rules import Action
from bot.core.models import AuditEntry
from devkit.sample import ADMIN, OTHER_PERSON
from tests.e2e.cases_helpers import case_row, db_act, db_register, number_in, register
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_WANG,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask1,
    button_labels,
    press,
    press_alert,
    zh,
)

ZHOU = MEDIATOR_ZHOU.telegram_user_id
LI = CADRE_LI.telegram_user_id
PHONE = "13912345678"
MASKED = "139****5678"


def not_found(number: str) -> str:
    return zh(
        "I could not find case {number}. Please check the number; cadres can open only the "
        "cases they registered themselves."
    ).format(number=number)


async def test_mediator_secretary_and_admin_see_names_with_masked_phones(world) -> None:
    number = number_in(await register(world, ZHOU))
    for user_id in (ZHOU, SECRETARY.telegram_user_id, ADMIN.telegram_user_id):
        card = await ask1(world, user_id, f"/case {number}")
        assert f"张三（{MASKED}）、李四" in card.text, user_id
        assert PHONE not in card.text
    # The full number appears nowhere in any chat, not even the creator's confirmation.
    for user_id in (ZHOU, SECRETARY.telegram_user_id, ADMIN.telegram_user_id):
        assert all(PHONE not in (m.text or "") for m in world.user(user_id).history)


async def test_cadre_sees_own_case_without_parties_and_limited_actions(world) -> None:
    card = await register(world, LI)
    number = number_in(card)
    for text in (card.text, (await ask1(world, LI, f"/case {number}")).text):
        assert "张三" not in text and "李四" not in text and "5678" not in text
        assert (
            zh("Parties: {count} (names are visible to mediators and the secretary only)").format(
                count=2
            )
            in text
        )
    # The confirmation showed what the cadre typed; after saving, the card hides it.
    card = await ask1(world, LI, f"/case {number}")
    assert set(button_labels(card)) == {
        zh("🤝 Start mediation"),
        zh("📝 Add a note"),
        zh("📜 Full timeline"),
        zh("🔄 Refresh"),
    }
    # A mediator sees the parties of the cadre's case.
    assert "张三" in (await ask1(world, ZHOU, f"/case {number}")).text


async def test_cadre_cannot_open_someone_elses_case(world) -> None:
    number = number_in(await register(world, ZHOU))
    reply = await ask1(world, LI, f"/case {number}")
    assert reply.text == not_found(number)
    # Nor through a correctly signed button.
    row = await case_row(world, number)
    listing = await ask1(world, LI, "/cases")
    for data in (
        world.svc.codec.pack(LI, "cs", "c", row.id),
        world.svc.codec.pack(LI, "cs", "tl", row.id),
        world.svc.codec.pack(LI, "cs", "a", row.id, row.version, "nt"),
    ):
        answer = await press_alert(world, LI, listing, data)
        assert answer.text == not_found("")
    # Another cadre's own case list does not show it.
    listing = await ask1(world, CADRE_WANG.telegram_user_id, "/cases")
    assert number not in listing.text


async def test_cadre_lists_only_own_cases_and_no_names_in_lists(world) -> None:
    mine = number_in(await register(world, LI))
    other = number_in(await register(world, ZHOU, parties="赵六 13900002222"))
    listing = await ask1(world, LI, "/cases")
    assert mine in listing.text and other not in listing.text
    listing = await press(world, LI, listing, zh("📂 Open"))
    assert mine in listing.text and other not in listing.text
    mediator_list = await ask1(world, ZHOU, "/cases")
    assert mine in mediator_list.text and other in mediator_list.text
    for text in (listing.text, mediator_list.text):
        assert "张三" not in text and "赵六" not in text and "****" not in text


async def test_cadre_cannot_see_figures_or_brief(world) -> None:
    for command in ("/disputes", "/casebrief"):
        reply = await ask1(world, LI, command)
        assert reply.text == zh("Sorry, this is only for: {roles}.").format(
            roles="、".join([zh("mediator"), zh("secretary"), zh("admin")])
        )


async def test_another_townships_cases_are_invisible(world) -> None:
    number = number_in(await register(world, ZHOU))
    row = await case_row(world, number)
    other = OTHER_PERSON.telegram_user_id
    assert (await ask1(world, other, f"/case {number}")).text == not_found(number)
    listing = await ask1(world, other, "/cases")
    assert "大荆镇" in listing.text and number not in listing.text
    figures = await ask1(world, other, "/disputes")
    assert "大荆镇" in figures.text and "沙河子" not in figures.text
    # Signed buttons for the other township are refused and change nothing.
    for data in (
        world.svc.codec.pack(other, "cs", "c", row.id),
        world.svc.codec.pack(other, "cs", "a", row.id, row.version, "sm"),
    ):
        answer = await press_alert(world, other, listing, data)
        assert answer.text == not_found("")
    for data in (
        world.svc.codec.pack(other, "cs", "l", row.township_id, "o", 0, 0),
        world.svc.codec.pack(other, "cs", "d", row.township_id, "y"),
        world.svc.codec.pack(other, "cs", "dd", row.township_id, "y", "rg", "-", 0),
        world.svc.codec.pack(other, "cs", "b", row.township_id),
    ):
        answer = await press_alert(world, other, listing, data)
        assert answer.text == zh("You can only see your own township's cases.")
    assert (await case_row(world, number)).status == "registered"


async def test_group_chats_get_no_case_data(world) -> None:
    number = number_in(await register(world, ZHOU))
    group = -1001234500001
    world.emu.add_group(group, "沙河子镇工作群", [ZHOU, SECRETARY.telegram_user_id])
    user = world.user(ZHOU)
    for command in (f"/case {number}", "/cases", "/disputes", "/casebrief", "/case new"):
        await user.send_in_group(group, command)
        [reply] = await world.emu.chat(group).replies(1, timeout=10)
        assert reply.text == zh(
            "For privacy, dispute cases are handled only in a private chat with me. "
            "Please write to me directly."
        )
    assert all("张三" not in (m.text or "") for m in world.emu.chat(group).messages)


async def test_names_stay_out_of_the_logs(world, caplog) -> None:
    caplog.set_level(logging.INFO)  # the production level (bot.core.logsetup)
    card = await register(world, ZHOU, parties="钱七 13700003333")
    await press(world, ZHOU, card, zh("🤝 Start mediation"))
    assert "钱七" not in caplog.text and "13700003333" not in caplog.text


async def test_statistics_and_brief_carry_no_personal_data(world) -> None:
    case = await db_register(world, ZHOU)
    await db_act(world, case, ZHOU, Action.START_MEDIATION)
    figures = await ask1(world, SECRETARY.telegram_user_id, "/disputes")
    drill = await press(
        world, SECRETARY.telegram_user_id, figures, f"🔎 {zh('Registered cases')} 1"
    )
    brief = await ask1(world, SECRETARY.telegram_user_id, "/casebrief")
    for text in (figures.text, drill.text, brief.text):
        assert "王五" not in text and "13900001111" not in text and "****" not in text
    assert case.number in drill.text


def commands_in(text: str) -> set[str]:
    return {line.split(" ")[0] for line in text.splitlines() if line.startswith("/")}


async def test_help_shows_case_commands_by_role(world) -> None:
    cadre = commands_in((await ask1(world, LI, "/help")).text)
    mediator = commands_in((await ask1(world, ZHOU, "/help")).text)
    admin = commands_in((await ask1(world, ADMIN.telegram_user_id, "/help")).text)
    assert {"/case", "/cases"} <= cadre and not {"/disputes", "/casebrief"} & cadre
    assert {"/case", "/cases", "/disputes", "/casebrief"} <= mediator
    assert {"/case", "/cases", "/disputes", "/casebrief"} <= admin


PHONES = zh("📱 Phone numbers")


async def _phone_audits(world) -> list[AuditEntry]:
    async with world.svc.transaction() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "case.phones_shown")
            )
        )


async def test_full_numbers_only_in_an_alert_on_request_and_audited(world, caplog) -> None:
    """For the follow-up call (回访): the card's button shows the full numbers in an alert to
    the one who asked; the chat never holds them, nor do the audit entry and the logs."""
    caplog.set_level(logging.INFO)  # the production level (bot.core.logsetup)
    number = number_in(await register(world, ZHOU))
    row = await case_row(world, number)
    for user_id in (ZHOU, SECRETARY.telegram_user_id):
        card = await ask1(world, user_id, f"/case {number}")
        assert PHONES in button_labels(card)
        user = world.user(user_id)
        answer = await user.callback_answer(await user.press(card, PHONES), timeout=10)
        assert answer.text == f"张三 {PHONE}" and answer.show_alert
        assert all(PHONE not in (m.text or "") for m in user.history)
    audits = await _phone_audits(world)
    assert [(a.actor_member_id, a.entity_id, a.details) for a in audits] == [
        (world.member_ids[ZHOU], str(row.id), {"numbers": 1}),
        (world.member_ids[SECRETARY.telegram_user_id], str(row.id), {"numbers": 1}),
    ]
    assert PHONE not in caplog.text


async def test_no_phone_button_for_cadres_or_parties_without_numbers(world) -> None:
    card = await register(world, LI)
    number = number_in(card)
    assert PHONES not in button_labels(await ask1(world, LI, f"/case {number}"))
    # A correctly signed button does not help the cadre who registered the case.
    row = await case_row(world, number)
    answer = await press_alert(world, LI, card, world.svc.codec.pack(LI, "cs", "ph", row.id))
    assert answer.text == zh(
        "Only mediators and the township's secretary see phone numbers, in a private chat."
    )
    # Nor someone of another township (the case does not exist for them).
    other = OTHER_PERSON.telegram_user_id
    listing = await ask1(world, other, "/cases")
    answer = await press_alert(
        world, other, listing, world.svc.codec.pack(other, "cs", "ph", row.id)
    )
    assert answer.text == not_found("")
    # No number recorded: no button, and an old or forged press says so.
    bare = number_in(await register(world, ZHOU, parties="李四\n王五"))
    card = await ask1(world, ZHOU, f"/case {bare}")
    assert PHONES not in button_labels(card)
    bare_row = await case_row(world, bare)
    answer = await press_alert(
        world, ZHOU, card, world.svc.codec.pack(ZHOU, "cs", "ph", bare_row.id)
    )
    assert answer.text == zh("No phone number is recorded for this case's parties.")
    assert await _phone_audits(world) == []


async def test_not_in_a_group_chat(world) -> None:
    number = number_in(await register(world, ZHOU))
    row = await case_row(world, number)
    group = -1001234500002
    world.emu.add_group(group, "沙河子镇工作群", [ZHOU, SECRETARY.telegram_user_id])
    await world.user(ZHOU).send_in_group(group, "/cases")
    [notice] = await world.emu.chat(group).replies(1, timeout=10)
    answer = await press_alert(world, ZHOU, notice, world.svc.codec.pack(ZHOU, "cs", "ph", row.id))
    assert PHONE not in (answer.text or "")
    assert answer.text == zh(
        "Only mediators and the township's secretary see phone numbers, in a private chat."
    )


async def test_many_parties_are_shown_one_by_one(world) -> None:
    """Ten parties with long names do not fit in one alert (200 characters): the card's
    buttons become one per party with a number, and back."""
    parties = [
        case_db.PartyInput(f"沙河子村第{i}村民小组组长代表人", f"139000000{i:02d}")
        for i in range(10)
    ]
    case = await db_register(world, ZHOU, parties=parties)
    card = await ask1(world, ZHOU, f"/case {case.number}")
    picker = await press(world, ZHOU, card, PHONES)
    assert picker.text == card.text
    labels = button_labels(picker)
    assert [label for label in labels if label.startswith("📱 ")] == [
        f"📱 {p.name}" for p in parties
    ]
    user = world.user(ZHOU)
    answer = await user.callback_answer(
        await user.press(picker, f"📱 {parties[7].name}"), timeout=10
    )
    assert answer.text == f"{parties[7].name} 13900000007"
    back = await press(world, ZHOU, picker, zh("◀️ Back to the case"))
    assert PHONES in button_labels(back)
    assert [a.details for a in await _phone_audits(world)] == [{"numbers": 1}]


async def test_someone_elses_case_buttons_change_and_show_nothing(world) -> None:
    """A card's buttons and a registration's buttons are the mediator's own: the secretary
    or a cadre pressing them (forwarded data, a group) gets an alert, and nothing moves."""
    from sqlalchemy import select as sql_select
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.core.gates import NOT_YOURS
    from bot.core.models import ConversationState
    from devkit.sample import GROUP_CHAT_ID

    card = await register(world, ZHOU)
    row = await case_row(world, number_in(card))
    stale = zh("This button is from an old message and no longer works.")
    for user_id in (SECRETARY.telegram_user_id, LI):
        for _label, data in [b for line in card.buttons for b in line]:
            answer = await press_alert(world, user_id, card, data)
            assert answer.show_alert and answer.text == stale
        assert not world.user(user_id).unread
    assert (await case_row(world, row.number)).version == row.version
    # Half way through ZHOU's registration, LI's presses on its buttons change nothing.
    prompt = await ask1(world, ZHOU, "/case new")
    async with world.svc.transaction() as session:
        before = await session.get(ConversationState, ZHOU)
        assert before is not None
        state = (before.step, before.version)
    for _label, data in [b for line in prompt.buttons for b in line]:
        answer = await press_alert(world, LI, prompt, data)
        assert answer.text == stale
    async with world.svc.transaction() as session:
        after = await session.get(ConversationState, ZHOU)
        assert after is not None and (after.step, after.version) == state
        assert (
            await session.scalar(
                sql_select(ConversationState).where(ConversationState.telegram_user_id == LI)
            )
            is None
        )
    # In a group, ZHOU's card button answers only ZHOU.
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [ZHOU, LI, SECRETARY.telegram_user_id])
    data = world.svc.codec.pack(ZHOU, "cs", "c", row.id)
    sent = await world.app.bot.send_message(
        GROUP_CHAT_ID,
        "📁",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("📁", callback_data=data)]]),
    )
    [message] = [
        m for m in world.emu.chat(GROUP_CHAT_ID).messages if m.message_id == sent.message_id
    ]
    for user_id in (LI, SECRETARY.telegram_user_id):
        answer = await press_alert(world, user_id, message, data)
        assert answer.show_alert and answer.text == zh(NOT_YOURS)
    assert all("张三" not in (m.text or "") for m in world.emu.chat(GROUP_CHAT_ID).messages)


async def test_a_group_is_told_to_use_the_private_chat_and_sees_no_case(world) -> None:
    number = number_in(await register(world, ZHOU))
    group = -1001234500003
    world.emu.add_group(group, "沙河子镇工作群", [ZHOU, LI])
    for user_id, command in ((ZHOU, f"/case {number}"), (LI, "/cases"), (ZHOU, "/disputes")):
        await world.user(user_id).send_in_group(group, command)
        [reply] = await world.emu.chat(group).replies(1, timeout=10)
        assert reply.buttons and reply.buttons[0][0][1].startswith("https://t.me/")
    texts = [m.text or "" for m in world.emu.chat(group).messages if m.from_bot]
    assert all(number not in t and "张三" not in t and "东岭村" not in t for t in texts)
