"""Bad input to the case ledger gets a clear, polite message and changes nothing."""

from __future__ import annotations

from devkit.sample import ADMIN
from tests.e2e.cases_helpers import case_row, count_cases, number_in, register
from tests.e2e.helpers import (
    CADRE_LI,
    MEDIATOR_ZHOU,
    ask1,
    press,
    press_alert,
    zh,
)

ZHOU = MEDIATOR_ZHOU.telegram_user_id
STALE = zh("This button is from an old message and no longer works.")
AS_TEXT = zh("Please type it as a text message; photos, stickers and files cannot be used here.")


async def walk_to(world, user_id: int, step: str):
    """/case new up to the prompt of `step` (parties, description, people, amount)."""
    prompt = await ask1(world, user_id, "/case new")
    prompt = await press(world, user_id, prompt, "东岭村")
    prompt = await press(world, user_id, prompt, "邻里纠纷")
    prompt = await press(world, user_id, prompt, "群众来访")
    if step == "parties":
        return prompt
    prompt = await press(world, user_id, await ask1(world, user_id, "张三"), zh("✔️ Done"))
    if step == "description":
        return prompt
    prompt = await ask1(world, user_id, "邻里噪音纠纷")
    if step == "people":
        return prompt
    return await ask1(world, user_id, "2")


async def test_non_numeric_amount_is_explained_and_the_step_repeats(world) -> None:
    await walk_to(world, ZHOU, "amount")
    reply = await ask1(world, ZHOU, "很多钱")
    assert reply.text == zh(
        "I could not read “{text}” as an amount of money. Please type a number of yuan, "
        "for example 1200, 1,200.50 or 1.2万."
    ).format(text="很多钱")
    reply = await ask1(world, ZHOU, "-50")
    assert reply.text == zh("An amount cannot be negative. Please type the amount again.")
    reply = await ask1(world, ZHOU, "0")
    assert reply.text == zh(
        "An amount must be more than 0. If there is none, use the button instead."
    )
    # Still at the amount step: a valid amount moves on to the tier.
    reply = await ask1(world, ZHOU, "800元")
    assert reply.text == zh("How difficult is it? This sets the deadline.")
    assert await count_cases(world) == 0


async def test_bad_people_count_and_bad_party_lines(world) -> None:
    await walk_to(world, ZHOU, "people")
    assert (await ask1(world, ZHOU, "很多人")).text == zh(
        "Please type the number of people involved as a whole number, for example 3."
    )
    assert (await ask1(world, ZHOU, "0")).text == zh(
        "The number of people involved must be between {min} and {max}."
    ).format(min=1, max=10000)
    # A count in Chinese numerals is read: the amount is asked next.
    amount = await ask1(world, ZHOU, "三个人")
    assert amount.text == zh(
        "What amount of money is involved (yuan)? For example 5000 or 1.2万. If none, tap the "
        "button."
    )
    await ask1(world, ZHOU, "/cancel")
    await walk_to(world, ZHOU, "parties")
    reply = await ask1(world, ZHOU, "张三 12345")
    assert reply.text == zh(
        "The phone number in “{line}” does not look right. Type a mobile number (11 digits) "
        "or a landline with its area code, or just the name. Nothing was added."
    ).format(line="张三 12345")
    reply = await ask1(world, ZHOU, "13912345678")
    assert reply.text == zh(
        "Please start each line with the party's name, for example: 张三 13812345678. "
        "Nothing was added."
    )
    reply = await ask1(world, ZHOU, "欧" * 40)
    assert reply.text == zh("A name can be at most {max} characters. Nothing was added.").format(
        max=32
    )


async def test_over_long_text_states_the_limit(world) -> None:
    await walk_to(world, ZHOU, "description")
    reply = await ask1(world, ZHOU, "长" * 1001)
    assert reply.text == zh(
        "That text is {length} characters long; the limit is {max}. Please shorten it and "
        "send it again."
    ).format(length=1001, max=1000)
    reply = await ask1(world, ZHOU, "长" * 1000)
    assert reply.text == zh("How many people are involved? Type a number, for example 3.")
    # Notes on a case: limit 500, and the case is unchanged.
    await ask1(world, ZHOU, "/cancel")
    card = await register(world, ZHOU)
    await press(world, ZHOU, card, zh("📝 Add a note"))
    reply = await ask1(world, ZHOU, "注" * 501)
    assert reply.text == zh(
        "That text is {length} characters long; the limit is {max}. Please shorten it and "
        "send it again."
    ).format(length=501, max=500)
    row = await case_row(world, number_in(card))
    assert row.version == 1


async def test_photo_or_sticker_where_text_is_expected(world) -> None:
    await walk_to(world, ZHOU, "description")
    user = world.user(ZHOU)
    await user.send_photo()
    assert (await user.reply(timeout=10)).text == AS_TEXT
    await user.send_sticker()
    assert (await user.reply(timeout=10)).text == AS_TEXT
    await ask1(world, ZHOU, "/cancel")  # else /case new offers this registration back
    card = await register(world, ZHOU)
    await press(world, ZHOU, card, zh("📝 Add a note"))
    await user.send_sticker()
    assert (await user.reply(timeout=10)).text == AS_TEXT
    # Typing when a button is expected.
    await ask1(world, ZHOU, "/cancel")
    await ask1(world, ZHOU, "/case new")
    assert (await ask1(world, ZHOU, "东岭村")).text == zh(
        "Please use the buttons above, or send /cancel."
    )


async def test_cancel_mid_flow_saves_nothing_and_old_buttons_go_stale(world) -> None:
    prompt = await walk_to(world, ZHOU, "amount")
    reply = await ask1(world, ZHOU, "/cancel")
    assert reply.text == zh(
        "Cancelled. Nothing was saved from that step. Send /help to see what you can do."
    )
    answer = await press_alert(world, ZHOU, prompt, prompt.buttons[0][0][1])
    assert answer.text == STALE
    assert await count_cases(world) == 0
    # Discard on the confirmation also saves nothing.
    await walk_to(world, ZHOU, "amount")
    tiers = await ask1(world, ZHOU, "100")
    confirm = await press(world, ZHOU, tiers, tiers.buttons[0][0][0])
    done = await press(world, ZHOU, confirm, zh("🗑 Discard"))
    assert done.text == zh("Cancelled. The case was not registered.")
    assert await count_cases(world) == 0


async def test_double_press_on_save_registers_once(world) -> None:
    await walk_to(world, ZHOU, "amount")
    tiers = await ask1(world, ZHOU, "100")
    confirm = await press(world, ZHOU, tiers, tiers.buttons[0][0][0])
    save = confirm.buttons[0][0][1]
    await press(world, ZHOU, confirm, save)
    answer = await press_alert(world, ZHOU, confirm, save)
    assert answer.text == STALE
    assert await count_cases(world) == 1


async def test_unknown_and_malformed_case_numbers(world) -> None:
    reply = await ask1(world, ZHOU, "/case SHZ-2026-9999")
    assert reply.text == zh(
        "I could not find case {number}. Please check the number; cadres can open only the "
        "cases they registered themselves."
    ).format(number="SHZ-2026-9999")
    reply = await ask1(world, ZHOU, "/case 58号")
    assert reply.text == zh(
        "“{text}” is not a case number. Case numbers look like {example}: the township "
        "code, the year and a number."
    ).format(text="58号", example="SHZ-2026-0058")
    # Lower case and spaces are fine.
    number = number_in(await register(world, ZHOU))
    card = await ask1(world, ZHOU, f"/case  {number.lower()} ")
    assert number_in(card) == number


async def test_action_not_allowed_in_the_current_status(world) -> None:
    card = await register(world, ZHOU)
    row = await case_row(world, number_in(card))
    # A correctly signed button for 回访 on a case that is only registered.
    data = world.svc.codec.pack(ZHOU, "cs", "a", row.id, row.version, "fu")
    answer = await press_alert(world, ZHOU, card, data)
    assert answer.text == zh(
        "That is not possible while the case is “{status}”. Nothing was changed."
    ).format(status="🆕 " + zh("case registered"))
    # A cadre who opened it may not record relief (allowed in every status, not for cadres).
    li_card = await register(world, CADRE_LI.telegram_user_id)
    li_row = await case_row(world, number_in(li_card))
    data = world.svc.codec.pack(
        CADRE_LI.telegram_user_id, "cs", "a", li_row.id, li_row.version, "rl"
    )
    answer = await press_alert(world, CADRE_LI.telegram_user_id, li_card, data)
    assert answer.text == zh("Your role does not allow that on this case. Nothing was changed.")
    assert (await case_row(world, row.number)).status == "registered"
    assert (await case_row(world, li_row.number)).status == "registered"


async def test_stale_card_after_someone_else_acted(world) -> None:
    card = await register(world, ZHOU)
    number = number_in(card)
    admin_card = await ask1(world, ADMIN.telegram_user_id, f"/case {number}")
    await press(world, ZHOU, card, zh("🤝 Start mediation"))
    user = world.user(ADMIN.telegram_user_id)
    await user.press(admin_card, zh("💴 Record relief (信访救助)"))
    answer = await user.callback_answer(timeout=10)
    assert answer.text == zh(
        "This card was out of date: the case has changed since. Here is the current card."
    )
    refreshed = await user.wait_edit(admin_card, timeout=10)
    assert zh("under mediation") in refreshed.text
    row = await case_row(world, number)
    assert (row.status, row.relief_count) == ("mediating", 0)


async def test_case_changed_while_typing(world) -> None:
    card = await register(world, ZHOU)
    number = number_in(card)
    await press(world, ZHOU, card, zh("📝 Add a note"))
    # Meanwhile the admin starts mediation.
    admin_card = await ask1(world, ADMIN.telegram_user_id, f"/case {number}")
    await press(world, ADMIN.telegram_user_id, admin_card, zh("🤝 Start mediation"))
    reply = await ask1(world, ZHOU, "我的备注")
    assert reply.text.startswith(
        zh(
            "The case was changed by someone else in the meantime, so nothing was saved. "
            "Here is the current card."
        )
    )
    row = await case_row(world, number)
    assert row.version == 2  # only the admin's action


async def test_forged_callbacks_are_refused(world) -> None:
    card = await register(world, ZHOU)
    row = await case_row(world, number_in(card))
    for data in (
        f"cs:a:{row.id}:{row.version}:fu:AAAAAAAA",
        "cs:c:1:forged!!",
        "cs:n:1:ok",
        "cs:",
    ):
        answer = await press_alert(world, ZHOU, card, data)
        assert answer.text == STALE
    # Correctly signed but nonsensical.
    for data in (
        world.svc.codec.pack(ZHOU, "cs", "a", row.id, row.version, "zz"),
        world.svc.codec.pack(ZHOU, "cs", "dd", row.township_id, "y", "nope", "-", 0),
        world.svc.codec.pack(ZHOU, "cs", "what"),
    ):
        answer = await press_alert(world, ZHOU, card, data)
        assert answer.text == STALE
    assert (await case_row(world, row.number)).version == 1


async def test_bad_period_for_disputes(world) -> None:
    reply = await ask1(world, ZHOU, "/disputes decade")
    assert reply.text == zh(
        "Please choose the period: week, month or year, for example /disputes month. "
        "Without one, you get this year so far."
    )
