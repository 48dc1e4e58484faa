"""Leave in the township it concerns: a cadre of two townships asks there, the request goes to
that township's secretaries and exempts them only there; a secretary of two townships
records leave in the one chosen; a secretary who is a cadre elsewhere does both."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import ConversationState, LeaveRequest, MemberRole
from bot.week.schedule import week_rules
from devkit.sample import OTHER_PERSON
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, button_labels, zh
from tests.e2e.test_bad_input_properties import Processed
from tests.e2e.test_townships import SEVERAL, make_cadre_of_both
from tests.reference_weeks import exempt_days_of

LI = CADRE_LI.telegram_user_id
QIAN = OTHER_PERSON.telegram_user_id  # the secretary of 大荆镇
ZHANG = SECRETARY.telegram_user_id  # the secretary of 沙河子镇
MONDAY = date(2026, 11, 23)


async def choose(tap: Tapper, asked, township: str):  # type: ignore[no-untyped-def]
    """Answer "which township?"; the command runs on: its first reply."""
    assert asked.text == zh(SEVERAL)
    chosen = await tap.press(asked, township)
    assert township in chosen.text
    return await tap.user.reply(timeout=10)


async def exempt_days(world, township_id: int, code: str, member_id: int) -> list[date]:
    async with world.svc.transaction() as session:
        days = await exempt_days_of(
            session, township_id, MONDAY, week_rules(world.settings, code), world.clock.now()
        )
    return [d.day for d in days[member_id]]


async def add_role(world, telegram_id: int, code: str, role: str) -> None:
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, code)
        assert township is not None
        session.add(
            MemberRole(
                member_id=world.member_ids[telegram_id],
                township_id=township.id,
                role=role,
                joined_at=world.clock.now(),
            )
        )


async def test_a_cadre_of_two_townships_asks_leave_where_it_concerns(world) -> None:
    shz, djh = await make_cadre_of_both(world)
    processed = Processed().attach(world.app)
    li = Tapper(world, LI)
    kind = await choose(li, await li.say("/leave"), "大荆镇")
    assert kind.text == zh("Leave or official duty?")
    await li.press(kind, zh("🏖 Leave (请假)"))
    await li.say("11-25 至 11-27")
    confirm = await li.say("借调期间探亲")
    zhang_seen = len(world.user(ZHANG).history)
    await li.press(confirm, zh("✅ Send to the secretary"))
    # 大荆镇's secretary decides; 沙河子镇's hears nothing of it.
    request = await world.user(QIAN).reply(timeout=10)
    assert CADRE_LI.name in request.text and "借调期间探亲" in request.text
    await processed.wait(world.emu.bot().last_update_id)
    assert len(world.user(ZHANG).history) == zhang_seen
    async with world.svc.transaction() as session:
        row = await session.scalar(select(LeaveRequest))
    assert row is not None and (row.township_id, row.status) == (djh, "pending")

    await Tapper(world, QIAN).press(request, zh("✅ Approve"))
    told = await li.user.reply(timeout=10)
    assert OTHER_PERSON.name in told.text
    li_id = world.member_ids[LI]
    assert await exempt_days(world, djh, "DJH", li_id) == [
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 27),
    ]
    assert await exempt_days(world, shz, "SHZ", li_id) == []

    # In 沙河子镇 the same days are free to ask for, and 大荆镇's request is not listed there.
    switch = await li.say("/township")
    await li.press(switch, "沙河子镇")
    kind = await li.say("/leave")
    assert kind.text == zh("Leave or official duty?")
    await li.press(kind, zh("🚗 Official duty (公务外出)"))
    reason = await li.say("11-25 至 11-27")
    assert zh("There is already a request").split("{")[0] not in reason.text
    assert "11月25日" in reason.text and "–27日（周五）" in reason.text
    confirm = await li.say("县里培训")
    await li.press(confirm, zh("✅ Send to the secretary"))
    request = await world.user(ZHANG).reply(timeout=10)
    assert "县里培训" in request.text
    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))
    assert [(r.township_id, r.kind, r.status) for r in rows] == [
        (djh, "leave", "approved"),
        (shz, "official_duty", "pending"),
    ]


async def test_a_secretary_of_two_townships_records_leave_in_the_one_chosen(world) -> None:
    shz, djh = await make_cadre_of_both(world)
    await add_role(world, ZHANG, "DJH", "secretary")
    zhang = Tapper(world, ZHANG)
    who = await choose(zhang, await zhang.say("/leave"), "大荆镇")
    # 大荆镇's only cadre; none of 沙河子镇's.
    assert [label for label in button_labels(who) if not label.startswith("✖️")] == [CADRE_LI.name]
    # A correctly signed pick of 沙河子镇's 王建军 on 大荆镇's card is refused.
    async with world.svc.transaction() as session:
        version = (await session.get(ConversationState, ZHANG)).version
    data = world.svc.codec.pack(
        ZHANG, "lvr", "who", version, world.member_ids[CADRE_WANG.telegram_user_id]
    )
    query = await zhang.user.press_data(who, data)
    answer = await zhang.user.callback_answer(query, timeout=10)
    assert answer.text == zh("That member was not found in this township.")

    kind = await zhang.press(who, CADRE_LI.name)
    prompt = await zhang.press(kind, zh("🚗 Official duty (公务外出)"))
    await zhang.press(prompt, zh("Today"))
    confirm = await zhang.say("县里抽调")
    await zhang.press(confirm, zh("✅ Record as approved"))
    told = await world.user(LI).reply(timeout=10)
    assert SECRETARY.name in told.text and zh("official duty (公务外出)") in told.text
    async with world.svc.transaction() as session:
        row = await session.scalar(select(LeaveRequest))
    assert row is not None and (row.township_id, row.status) == (djh, "approved")
    li_id = world.member_ids[LI]
    assert await exempt_days(world, djh, "DJH", li_id) == [MONDAY]
    assert await exempt_days(world, shz, "SHZ", li_id) == []

    # 大荆镇's /leave offers it to cancel; 沙河子镇's has nothing to offer.
    who = await zhang.say("/leave")
    assert zh("↩️ Cancel or end a leave early ({count})").format(count=1) in button_labels(who)
    switch = await zhang.say("/township")
    await zhang.press(switch, "沙河子镇")
    who = await zhang.say("/leave")
    assert not any(label.startswith("↩️") for label in button_labels(who))
    assert CADRE_WANG.name in button_labels(who)


async def test_a_secretary_who_is_a_cadre_elsewhere_asks_there_and_records_here(world) -> None:
    """钱卫东 is 大荆镇's secretary and a cadre of 沙河子镇: in 沙河子镇 he asks 张明远, in
    大荆镇 he records; a request of his set aside by the recording comes back."""
    await add_role(world, QIAN, "SHZ", "cadre")
    await make_cadre_of_both(world)
    qian = Tapper(world, QIAN)
    kind = await choose(qian, await qian.say("/leave"), "沙河子镇")
    assert kind.text == zh("Leave or official duty?")
    await qian.press(kind, zh("🏖 Leave (请假)"))
    await qian.say("11-30")

    switch = await qian.say("/township")
    await qian.press(switch, "大荆镇")
    who = await qian.say("/leave")
    assert who.text == zh("Record leave or official duty for whom? It is recorded as approved.")
    assert CADRE_LI.name in button_labels(who)

    switch = await qian.say("/township")
    await qian.press(switch, "沙河子镇")
    again = await qian.say("/leave")
    assert again.text.startswith(zh("You have an unfinished leave request; here it is."))
    assert "11月30日" in again.text
    confirm = await qian.say("回沙河子镇办事")
    await qian.press(confirm, zh("✅ Send to the secretary"))
    request = await world.user(ZHANG).reply(timeout=10)
    assert OTHER_PERSON.name in request.text
