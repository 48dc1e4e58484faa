"""The buttons /leave sends are signed for the person they were sent to: a secretary's approve
and reject buttons answer only that secretary, a cadre's withdraw buttons only that cadre.
Anyone else pressing the same data, in a private chat or in the group, gets an alert and
nothing changes."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.flows import STALE
from bot.core.gates import NOT_YOURS
from bot.core.models import AuditEntry, LeaveRequest
from devkit.sample import GROUP_CHAT_ID, SamplePerson, seed_people
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_ZHAO, SECRETARY, ask1, button_labels, zh

ZHAO = CADRE_ZHAO.telegram_user_id
ZHANG = SECRETARY.telegram_user_id
WU = SamplePerson(1101, "吴副书记", ("secretary",))


async def rows(world) -> list[tuple[str, int | None]]:
    async with world.svc.transaction() as session:
        found = await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id))
        return [(r.status, r.decided_by) for r in found]


def data_of(message, label: str) -> str:  # type: ignore[no-untyped-def]
    return next(d for row in message.buttons for text, d in row if text == label)


async def request_leave(world, days: str = "11-25") -> None:
    zhao = Tapper(world, ZHAO)
    kind = await zhao.say("/leave")
    await zhao.press(kind, zh("🏖 Leave (请假)"))
    await zhao.say(days)
    confirm = await zhao.say("家中有事")
    await zhao.press(confirm, zh("✅ Send to the secretary"))


async def test_a_secretarys_decision_buttons_answer_only_that_secretary(world) -> None:
    async with world.svc.transaction() as session:
        world.member_ids.update(await seed_people(session, world.clock.now(), [WU]))
    world.emu.add_user(WU.telegram_user_id, WU.name)
    await request_leave(world)
    zhang_card = await world.user(ZHANG).reply(timeout=10)
    wu_card = await world.user(WU.telegram_user_id).reply(timeout=10)
    approve = data_of(zhang_card, zh("✅ Approve"))
    reject = data_of(zhang_card, zh("❌ Reject"))
    # Each secretary's card carries their own data.
    assert approve != data_of(wu_card, zh("✅ Approve"))

    # The other secretary, pressing 张明远's data on his own card: refused, nothing decided.
    wu = world.user(WU.telegram_user_id)
    for data in (approve, reject):
        query = await wu.press_data(wu_card, data)
        assert (await wu.callback_answer(query, timeout=10)).text == zh(STALE)
    # The cadre, likewise, on a message of his own.
    zhao = world.user(ZHAO)
    carrier = await ask1(world, ZHAO, "/help")
    query = await zhao.press_data(carrier, approve)
    assert (await zhao.callback_answer(query, timeout=10)).text == zh(STALE)
    # In the group, a button that is someone else's is told so.
    await zhao.send_in_group(GROUP_CHAT_ID, "/leave")
    [answer] = await world.emu.chat(GROUP_CHAT_ID).replies(1, timeout=10)
    query = await zhao.press_data(answer, approve)
    assert (await zhao.callback_answer(query, timeout=10)).text == zh(NOT_YOURS)
    assert await rows(world) == [("pending", None)]

    # 张明远's own press decides it; 吴's own button then says it was already decided.
    decided = await Tapper(world, ZHANG).press(zhang_card, zh("✅ Approve"))
    assert zh("✅ Approved by {name}.").format(name=SECRETARY.name) in decided.text
    answer = await Tapper(world, WU.telegram_user_id).press_alert(wu_card, zh("❌ Reject"))
    assert answer.text == zh("This request was already decided.")
    assert await rows(world) == [("approved", world.member_ids[ZHANG])]
    async with world.svc.transaction() as session:
        decisions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("leave.%"))
            )
        )
    assert sorted(decisions) == ["leave.approve", "leave.request"]


async def test_a_cadres_withdraw_button_answers_only_that_cadre(world) -> None:
    await request_leave(world)
    card = await world.user(ZHANG).reply(timeout=10)
    zhao = Tapper(world, ZHAO)
    kind = await zhao.say("/leave")
    withdraw = next(d for row in kind.buttons for text, d in row if text.startswith("↩️"))
    li = world.user(CADRE_LI.telegram_user_id)
    carrier = await ask1(world, CADRE_LI.telegram_user_id, "/help")
    query = await li.press_data(carrier, withdraw)
    assert (await li.callback_answer(query, timeout=10)).text == zh(STALE)
    # Even the secretary (who may cancel approved leave) cannot press the cadre's button.
    zhang = world.user(ZHANG)
    carrier = await ask1(world, ZHANG, "/help")
    query = await zhang.press_data(carrier, withdraw)
    assert (await zhang.callback_answer(query, timeout=10)).text == zh(STALE)
    assert await rows(world) == [("pending", None)]
    # The cadre's own press withdraws it; the secretary's card then says so.
    question = await zhao.press(kind, next(b for b in button_labels(kind) if b.startswith("↩️")))
    await zhao.press(question, zh("↩️ Yes, withdraw"))
    answer = await Tapper(world, ZHANG).press_alert(card, zh("✅ Approve"))
    assert answer.text == zh("This request was already decided.")
    card = await zhang.wait_edit(card, timeout=10)
    assert zh("↩️ Withdrawn.") in card.text
    assert await rows(world) == [("withdrawn", None)]


async def test_leave_in_the_group_is_answered_in_private(world) -> None:
    """/leave is private-only: in the group it gets a short answer and a button to the
    private chat; nothing about anyone is posted."""
    await request_leave(world)
    await world.user(ZHANG).reply(timeout=10)
    group = world.emu.chat(GROUP_CHAT_ID)
    for user_id in (ZHAO, ZHANG):
        await world.user(user_id).send_in_group(GROUP_CHAT_ID, "/leave")
        [reply] = await group.replies(1, timeout=10)
        assert reply.text == zh(
            "Please use /{command} in a private chat with me: the group never shows anyone's "
            "personal information."
        ).format(command="leave")
        assert all(data is None or data.startswith("https://") for _, data in reply.buttons[0])
    texts = [m.text or "" for m in group.messages]
    assert not any(CADRE_ZHAO.name in t or "家中有事" in t for t in texts)
