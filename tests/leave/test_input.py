"""What people type into /leave: every echo shown as typed (escaped by construction), reasons
too long or made of control characters refused with a clear message, days outside the window
told which days can be chosen, text where a tap is expected, old and forged buttons."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.core.flows import STALE, USE_BUTTONS
from bot.core.models import ConversationState, LeaveRequest, Member
from bot.leave.rules import REASON_MAX
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_ZHAO, SECRETARY, button_labels, zh

LI = CADRE_LI.telegram_user_id
ZHAO = CADRE_ZHAO.telegram_user_id
ZHANG = SECRETARY.telegram_user_id
EVIL = "<b>粗体</b> & <i>x</i> <script>"
TOO_LONG = (
    "That is too long: at most {limit} characters are allowed, and yours has {count}. "
    "Please shorten it and send it again."
)


def bold(message) -> bool:  # type: ignore[no-untyped-def]
    """Whether the typed markup was taken as formatting."""
    return any(
        e["type"] in {"bold", "italic"}
        and "粗体" in message.text[e["offset"] : e["offset"] + e["length"]]
        for e in message.entities
    )


async def at_dates(tap: Tapper):  # type: ignore[no-untyped-def]
    kind = await tap.say("/leave")
    return await tap.press(kind, zh("🏖 Leave (请假)"))


async def count(world) -> int:
    async with world.svc.transaction() as session:
        return int(await session.scalar(select(func.count(LeaveRequest.id))) or 0)


async def test_a_reason_with_markup_is_shown_and_stored_as_typed(world) -> None:
    tap = Tapper(world, LI)
    await at_dates(tap)
    await tap.say("11-25")
    confirm = await tap.say(EVIL)
    assert EVIL in confirm.text and not bold(confirm)
    await tap.press(confirm, zh("✅ Send to the secretary"))
    card = await world.user(ZHANG).reply(timeout=10)
    assert EVIL in card.text and not bold(card)
    decided = await Tapper(world, ZHANG).press(card, zh("✅ Approve"))
    assert EVIL in decided.text and not bold(decided)
    async with world.svc.transaction() as session:
        assert await session.scalar(select(LeaveRequest.reason)) == EVIL
    assert not world.emu.stats.errors


async def test_a_reason_too_long_or_of_control_characters_is_refused(world) -> None:
    tap = Tapper(world, LI)
    await at_dates(tap)
    await tap.say("11-25")
    for typed in ("东" * (REASON_MAX + 1), "东" * 10_000):
        reply = await tap.say(typed)
        assert reply.text == zh(TOO_LONG).format(limit=REASON_MAX, count=len(typed))
    for typed in ("\x00\x01\x07", "   \u0000  "):
        reply = await tap.say(typed)
        assert reply.text == zh("Please type the reason as text.")
    await world.user(LI).send_sticker()
    assert (await world.user(LI).reply(timeout=10)).text == zh("Please type the reason as text.")
    # Still at the reason: a good one (control characters dropped, 200 characters) goes on.
    confirm = await tap.say("\x07事假" + "东" * (REASON_MAX - 2))
    await tap.press(confirm, zh("✅ Send to the secretary"))
    async with world.svc.transaction() as session:
        assert await session.scalar(select(LeaveRequest.reason)) == "事假" + "东" * 198
    assert not world.emu.stats.errors


async def test_days_outside_the_window_say_which_days_can_be_chosen(world) -> None:
    tap = Tapper(world, LI)
    await at_dates(tap)
    window = zh("Days from {first} to {last} can be chosen.").format(
        first="10月24日（周六）", last="3月23日（周二）"
    )
    reply = await tap.say("2026-10-23")  # 31 days back
    assert zh("Leave can be recorded at most {n} days back.").format(n=30) in reply.text
    assert window in reply.text
    reply = await tap.say("2027-03-24")  # 121 days ahead
    assert zh("Leave can be requested at most {n} days ahead.").format(n=120) in reply.text
    assert window in reply.text
    reply = await tap.say("11-24 至 2027-01-23")  # 61 days
    assert zh("One request may cover at most {n} days.").format(n=60) in reply.text
    reply = await tap.say("9999-12-31")
    assert zh("Leave can be requested at most {n} days ahead.").format(n=120) in reply.text
    # Each answer asks again, with the buttons; the window's edges are accepted.
    assert zh("Today") in button_labels(reply)
    reason = await tap.say("2026-10-24 至 2026-11-22")
    assert "10月24日" in reason.text and "11月22日" in reason.text
    assert await count(world) == 0


async def test_dates_that_cannot_be_read_are_echoed_as_typed(world) -> None:
    tap = Tapper(world, LI)
    await at_dates(tap)
    for typed in ("<b>11-25</b>", "a < b && c > d", "2026-02-30", "11-27 至 11-25"):
        reply = await tap.say(typed)
        assert (
            str(zh("I could not read “{text}” as a date or a range.")).format(text=typed)
            in reply.text
        )
    reply = await tap.say("东" * 10_000)  # shortened in the echo
    assert len(reply.text) < 1000
    assert not world.emu.stats.errors


async def test_dates_as_people_type_them_are_read(world) -> None:
    """Today is Monday 2026-11-23: 明天, a span whose month is said once, Chinese numerals."""
    for typed, shown in (
        ("明天", ["11月24日"]),
        ("11月25日至27日", ["11月25日", "27日"]),
        ("十一月二十五日到二十六日", ["11月25日", "26日"]),
        ("１１月２６日", ["11月26日"]),
    ):
        tap = Tapper(world, LI)
        await at_dates(tap)
        reason = await tap.say(typed)
        prompt = zh("{range}. Now type the reason in one line (at most {limit} characters).")
        assert prompt.format(range="", limit=REASON_MAX) in reason.text, typed
        assert all(part in reason.text for part in shown), (typed, reason.text)
        await tap.say("/cancel")
    assert await count(world) == 0
    assert not world.emu.stats.errors


async def test_names_with_markup_are_shown_as_they_are(world) -> None:
    """A display name is typed by its member at registration: shown literally in the
    secretary's picker, the request card, the list of leave in force and every notice."""
    name = "赵<b>秀兰</b> & Co"
    async with world.svc.transaction() as session:
        await session.execute(
            update(Member).where(Member.telegram_user_id == ZHAO).values(display_name=name)
        )
    zhang = Tapper(world, ZHANG)
    who = await zhang.say("/leave")
    assert name in button_labels(who)
    kind = await zhang.press(who, name)
    prompt = await zhang.press(kind, zh("🏖 Leave (请假)"))
    await zhang.press(prompt, zh("Tomorrow"))
    confirm = await zhang.say("事假")
    assert name in confirm.text
    done = await zhang.press(confirm, zh("✅ Record as approved"))
    assert name in done.text
    await world.user(ZHAO).reply(timeout=10)
    who = await zhang.say("/leave")
    listed = await zhang.press(who, zh("↩️ Cancel or end a leave early ({count})").format(count=1))
    assert name in listed.text
    [label] = [b for b in button_labels(listed) if b.startswith("↩️")]
    question = await zhang.press(listed, label)
    assert name in question.text
    withdrawn = await zhang.press(question, zh("↩️ Yes, withdraw"))
    assert name in withdrawn.text
    assert not world.emu.stats.errors


async def test_text_where_a_tap_is_expected_and_old_or_forged_buttons(world) -> None:
    tap = Tapper(world, LI)
    kind = await tap.say("/leave")
    reply = await tap.say("事假")
    assert reply.text == zh(USE_BUTTONS)
    prompt = await tap.press(kind, zh("🏖 Leave (请假)"))
    # The kind card's button, pressed again on the message as it was: stale.
    answer = await tap.press_old(kind, zh("🚗 Official duty (公务外出)"))
    assert answer.text == zh(STALE)
    # Correctly signed data that does not parse: an impossible day, an unknown kind.
    async with world.svc.transaction() as session:
        version = (await session.get(ConversationState, LI)).version
    pack = world.svc.codec.pack
    for data in (
        pack(LI, "lvq", "d", version, "20261399", "20261399"),
        pack(LI, "lvq", "d", version, "20261125"),
        pack(LI, "lvq", "kind", version, "z"),
        pack(LI, "lvq", "who", version, 1),
    ):
        query = await tap.user.press_data(prompt, data)
        assert (await tap.user.callback_answer(query, timeout=10)).text == zh(STALE)
    # The secretary's recording is not a cadre's.
    query = await tap.user.press_data(prompt, pack(LI, "lvr", "d", version, "20261125", "20261125"))
    answer = await tap.user.callback_answer(query, timeout=10)
    assert answer.text == zh("Sorry, this is only for: {roles}.").format(roles=zh("secretary"))
    # The flow is where it was: the days are still asked for.
    reason = await tap.say("11-25")
    assert reason.text == zh(
        "{range}. Now type the reason in one line (at most {limit} characters)."
    ).format(range="11月25日（周三）", limit=REASON_MAX)
    assert await count(world) == 0
