"""Visit logs that a township can trust: a cadre of two townships logs visits in each and each
counts only its own; what was typed is shown back as typed, however long or odd; counts are
checked before they are stored; buttons work only for their owner, on their current card."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.models import ConversationState, FieldVisit, MemberRole, ParkedFlow, Village
from bot.core.text import MESSAGE_LIMIT
from devkit.sample import GROUP_CHAT_ID
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, ask1, button_labels, zh
from tests.e2e.test_townships import SEVERAL, make_cadre_of_both

LI = CADRE_LI.telegram_user_id


STALE = zh("This button is from an old message and no longer works.")
MARKUP = "<b>粗体</b> & <i>x</i> <script>"
LONG = "东" * 10_000
TOO_LONG = zh(
    "That is too long: at most {limit} characters are allowed, and yours has {count}. "
    "Please shorten it and send it again."
)
NO_VILLAGE = zh("There is no village called “{name}” in {township}.")
NOT_A_DATE = zh("I could not read “{text}” as a date.")
NOT_A_COUNT = zh(
    "I could not read “{text}” as a number. Please type a whole number from 0 to {max}."
)
TOO_MANY = zh(
    "That is more than a visit log can hold: at most {max} dispute screenings. Please type a "
    "number from 0 to {max}."
).format(max=99)


async def state_of(world, user_id: int = LI) -> ConversationState | None:
    async with world.svc.transaction() as session:
        return await session.get(ConversationState, user_id)


async def visits(world) -> list[FieldVisit]:
    async with world.svc.transaction() as session:
        return list(await session.scalars(select(FieldVisit).order_by(FieldVisit.id)))


def field_days(done: int) -> str:
    return zh("Field days: {done} of {required}").format(done=done, required=3)


def bold_spans(message) -> list[str]:
    return [
        message.text[e["offset"] : e["offset"] + e["length"]]
        for e in message.entities
        if e["type"] in {"bold", "italic"}
    ]


def assert_delivered(world) -> None:
    """Telegram (the emulator) refused nothing the bot sent."""
    assert [e for e in world.emu.stats.errors if "not modified" not in e[2]] == []


async def test_a_cadre_of_two_townships_logs_visits_in_each(world) -> None:
    shz, djh = await make_cadre_of_both(world)
    async with world.svc.transaction() as session:
        shz_village = await session.scalar(
            select(Village.id).where(Village.township_id == shz, Village.name == "东岭村")
        )
    tap = Tapper(world, LI)
    asked = await tap.say("/visit")
    assert asked.text == zh(SEVERAL)
    assert button_labels(asked) == ["沙河子镇", "大荆镇"]
    await tap.press(asked, "大荆镇")
    # /visit runs on once the township is chosen: only 大荆镇's villages are offered.
    [picker] = await tap.user.replies(1, timeout=10)
    assert "西河村" in button_labels(picker)
    assert not {"沙河子村", "东岭村", "西坡村"} & set(button_labels(picker))
    # A village of the other township, typed or pressed with signed data, is not accepted.
    typed = await tap.say("东岭村")
    assert NO_VILLAGE.format(name="东岭村", township="大荆镇") in typed.text
    forged = world.svc.codec.pack(LI, "vis", "v", (await state_of(world)).version, shz_village)
    query = await tap.user.press_data(typed, forged)
    answer = await tap.user.callback_answer(query, timeout=10)
    assert answer.text == zh("That village is not in your township.")
    card = await tap.press(typed, "西河村")
    card = await tap.press(card, "⬜ 听取民意")
    saved = await tap.press(card, zh("✅ Save"))
    assert zh("✅ Visit logged.") in saved.text and "西河村" in saved.text
    [logged] = await visits(world)
    assert logged.township_id == djh

    # The visit counts in 大荆镇 only (this chat now works in 大荆镇).
    me = await tap.say("/me")
    assert "大荆镇" in me.text and field_days(1) in me.text
    listing = await tap.say("/visits")
    assert "西河村" in listing.text

    # Switched to 沙河子镇: its own villages, and none of the 大荆镇 visit.
    switch = await tap.say("/township")
    await tap.press(switch, "沙河子镇")
    me = await tap.say("/me")
    assert "沙河子镇" in me.text and field_days(0) in me.text
    picker = await tap.say("/visit")
    assert button_labels(picker)[:2] == ["沙河子村", "东岭村"]
    assert "西河村" not in button_labels(picker)
    await tap.press(picker, zh("✖️ Cancel"))
    listing = await tap.say("/visits")
    assert "西河村" not in listing.text
    # The saved card's buttons carry its township, whichever one the chat works in now.
    week = await tap.press(saved, zh("📋 This week's logs"))
    assert "西河村" in week.text

    # No longer a cadre of 大荆镇: that log can no longer be changed by him.
    shown = await tap.press(week, week.buttons[0][0][0])
    assert "西河村" in shown.text and zh("✏️ Edit") in button_labels(shown)
    async with world.svc.transaction() as session:
        role = await session.scalar(
            select(MemberRole).where(
                MemberRole.member_id == world.member_ids[LI], MemberRole.township_id == djh
            )
        )
        await session.delete(role)
    answer = await tap.press_alert(shown, zh("✏️ Edit"))
    assert answer.text == zh("You are no longer a cadre of that log's township.")
    assert_delivered(world)


async def _at_step(world, step: str) -> Tapper:
    """/visit, brought to one of its text steps."""
    tap = Tapper(world, LI)
    await tap.say("/cancel")
    picker = await tap.say("/visit")
    if step == "village":
        return tap
    card = await tap.press(picker, "东岭村")
    buttons = {
        "card": None,
        "problem": zh("➕ Problem solved"),
        "date": "📅 " + zh("Earlier…"),
        "screenings": zh("Screenings: {n}").format(n=0),
    }
    if buttons[step] is not None:
        await tap.press(card, buttons[step])
    return tap


async def test_markup_is_shown_as_typed_at_every_text_step(world) -> None:
    expected = {
        "village": NO_VILLAGE.format(name=MARKUP, township="沙河子镇"),
        "date": NOT_A_DATE.format(text=MARKUP),
        "screenings": NOT_A_COUNT.format(text=MARKUP, max=99),
        "problem": f"1. {MARKUP}",
        "card": zh("Notes: {notes}").format(notes=MARKUP),
    }
    for step, shown in expected.items():
        tap = await _at_step(world, step)
        reply = await tap.say(MARKUP)
        assert shown in reply.text, (step, reply.text)
        assert not any("粗体" in span for span in bold_spans(reply)), step
    assert_delivered(world)


async def test_ten_thousand_characters_at_every_text_step(world) -> None:
    shortened = "东" * 59 + "…"
    expected = {
        "village": NO_VILLAGE.format(name=shortened, township="沙河子镇"),
        "date": NOT_A_DATE.format(text=shortened),
        "screenings": NOT_A_COUNT.format(text=shortened, max=99),
        "problem": TOO_LONG.format(limit=100, count=10_000),
        "card": TOO_LONG.format(limit=500, count=10_000),
    }
    for step, told in expected.items():
        tap = await _at_step(world, step)
        before = (await state_of(world)).data
        reply = await tap.say(LONG)
        assert told in reply.text, (step, reply.text[:200])
        assert len(reply.text) < MESSAGE_LIMIT
        assert (await state_of(world)).data == before  # nothing of it was kept
        # The flow goes on: the step still takes what fits.
        if step == "problem":
            card = await tap.say("修好水井")
            assert "修好水井" in card.text
    assert_delivered(world)
    assert await visits(world) == []


async def test_a_typed_screening_count_is_checked_before_it_is_stored(world) -> None:
    tap = await _at_step(world, "screenings")
    prompt = zh(
        "How many dispute screenings (矛盾纠纷排查) did this visit include? Type a number from 0 "
        "to {max}."
    ).format(max=99)
    for typed, told in [
        ("9" * 10_000, TOO_MANY),  # never converted: Python refuses int() of 4,300+ digits
        ("99999999999999999999", TOO_MANY),
        ("100", TOO_MANY),
        ("-1", NOT_A_COUNT.format(text="-1", max=99)),
        ("一百", TOO_MANY),  # Chinese numerals are read, and checked the same way
        ("很多", NOT_A_COUNT.format(text="很多", max=99)),
    ]:
        reply = await tap.say(typed)
        assert told in reply.text and prompt in reply.text, typed
    card = await tap.say("两次")
    assert zh("Dispute screenings: {n}").format(n=2) in card.text
    await tap.press(card, zh("Screenings: {n}").format(n=2))
    card = await tap.say("１２ 次")  # full-width digits, as a Chinese keyboard may type them
    assert zh("Dispute screenings: {n}").format(n=12) in card.text
    assert zh("Screenings: {n}").format(n=12) in button_labels(card)
    card = await tap.press(card, "➕")
    assert zh("Screenings: {n}").format(n=13) in button_labels(card)
    # Signed but out-of-range counts: clamped to what a log may hold, or refused as stale.
    version = (await state_of(world)).version
    pack = world.svc.codec.pack
    query = await tap.user.press_data(card, pack(LI, "vis", "s", version, "99999999999999999"))
    assert not (await tap.user.callback_answer(query, timeout=10)).show_alert
    card = await tap.user.wait_edit(card, timeout=10)
    assert zh("Screenings: {n}").format(n=99) in button_labels(card)
    version = (await state_of(world)).version
    query = await tap.user.press_data(card, pack(LI, "vis", "s", version, "9" * 30))
    assert (await tap.user.callback_answer(query, timeout=10)).text == STALE
    card = await tap.press(card, "⬜ 听取民意")
    await tap.press(card, zh("✅ Save"))
    [logged] = await visits(world)
    assert logged.dispute_screenings == 99
    assert_delivered(world)


async def test_back_from_the_count_changes_nothing(world) -> None:
    tap = await _at_step(world, "screenings")
    prompt = tap.user.chat.live(tap.user.history[-1]).snapshot()
    card = await tap.press(prompt, zh("◀️ Back"))
    assert zh("Screenings: {n}").format(n=0) in button_labels(card)
    await tap.user.send_sticker()
    reply = await tap.user.reply(timeout=10)
    assert (
        zh(
            "I can only use text, a location or a photo here. Please use the buttons, type "
            "notes, or send a location or a photo."
        )
        in reply.text
    )  # back on the card, the count is no longer asked for
    assert zh("Screenings: {n}").format(n=0) in button_labels(reply)


async def test_someone_elses_visit_card_changes_nothing(world) -> None:
    tap = await _at_step(world, "card")
    card = tap.user.history[-1]
    save = next(d for row in card.buttons for label, d in row if label == zh("✅ Save"))
    version = (await state_of(world)).version
    wang = world.user(CADRE_WANG.telegram_user_id)
    own = await ask1(world, CADRE_WANG.telegram_user_id, "/help")
    for data in (save, world.svc.codec.pack(LI, "vis", "a", version, 0)):
        query = await wang.press_data(own, data)
        assert (await wang.callback_answer(query, timeout=10)).text == STALE
    assert (await state_of(world)).version == version
    assert await state_of(world, CADRE_WANG.telegram_user_id) is None
    assert await visits(world) == []


async def test_visit_commands_in_the_group_are_answered_privately(world) -> None:
    user = world.user(LI)
    for command in ("/visit", "/visits"):
        await user.send_in_group(GROUP_CHAT_ID, command)
        [reply] = await world.emu.chat(GROUP_CHAT_ID).replies(1, timeout=10)
        assert reply.text == zh(
            "Please use /{command} in a private chat with me: the group never shows anyone's "
            "personal information."
        ).format(command=command[1:])
    assert await state_of(world) is None


async def test_an_empty_log_is_not_set_aside_and_a_started_one_is(world) -> None:
    tap = Tapper(world, LI)
    await tap.say("/visit")
    await tap.say("/leave")
    async with world.svc.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ParkedFlow)) == 0
    fresh = await tap.say("/visit")
    assert not fresh.text.startswith(zh("You have an unfinished visit log; here it is."))
    # A location shared before choosing the village is worth keeping.
    await tap.user.send_location(33.8795, 110.0110)
    await tap.user.reply(timeout=10)
    await tap.say("/leave")
    again = await tap.say("/visit")
    assert again.text.startswith(zh("You have an unfinished visit log; here it is."))
    card = await tap.press(again, "东岭村")
    assert zh("Location checked: {distance} from the village").split("{")[0] in card.text
