"""A visit log with 矛盾化解 links to a dispute case, or opens one."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.models import DisputeCase, DisputeCaseEvent, FieldVisit
from devkit.sample.cases import seed_cases
from tests.e2e.cadre_helpers import log_visit
from tests.e2e.helpers import CADRE_LI, MEDIATOR_ZHOU, ask1, button_labels, press, zh


async def test_cadre_opens_a_case_from_the_visit_and_it_is_linked(world) -> None:
    async with world.svc.transaction() as session:
        await seed_cases(session, world.settings, world.clock.now())  # opened by the mediator
    uid = CADRE_LI.telegram_user_id
    saved, _taps = await log_visit(world, uid, "沙河子村", ("矛盾化解",))
    assert zh("⚖️ Link a dispute case") in button_labels(saved)
    choices = await press(world, uid, saved, zh("⚖️ Link a dispute case"))
    # A cadre sees no case registered by someone else: only the offer to register one.
    assert "沙河子村没有您可查看的未办结案件" in choices.text
    assert [label for label in button_labels(choices) if label.startswith("SHZ-")] == []
    prompt = await press(world, uid, choices, zh("➕ Register a new case here"))
    assert "纠纷" in prompt.text  # the category question: the village is already known
    prompt = await press(world, uid, prompt, "邻里纠纷")
    prompt = await press(world, uid, prompt, "排查发现")
    user = world.user(uid)
    await user.send("钱某 13800001111")
    prompt = await user.reply(timeout=10)
    await press(world, uid, prompt, prompt.buttons[0][0][0])  # done adding parties
    for answer in ("两户因排水沟堵塞发生口角", "2", "500"):
        await user.send(answer)
        prompt = await user.reply(timeout=10)
    prompt = await press(world, uid, prompt, prompt.buttons[0][0][0])  # 一般
    card = await press(world, uid, prompt, prompt.buttons[0][0][0])  # save
    assert "已登记" in card.text
    async with world.svc.transaction() as session:
        visit = await session.scalar(
            select(FieldVisit).where(FieldVisit.member_id == world.member_ids[uid])
        )
        case = await session.get(DisputeCase, visit.dispute_case_id)
    assert case is not None and case.opened_by == world.member_ids[uid]
    assert card.text.count(case.number) >= 1


async def test_mediator_links_an_existing_case_and_the_timeline_says_so(world) -> None:
    async with world.svc.transaction() as session:
        numbers = await seed_cases(session, world.settings, world.clock.now())
    uid = MEDIATOR_ZHOU.telegram_user_id
    saved, _taps = await log_visit(world, uid, "沙河子村", ("矛盾化解",))
    choices = await press(world, uid, saved, zh("⚖️ Link a dispute case"))
    offered = [label for label in button_labels(choices) if label.startswith("SHZ-")]
    assert offered and all(label.split(" ")[0] in numbers for label in offered)
    number = offered[0].split(" ")[0]
    linked = await press(world, uid, choices, offered[0])
    assert zh("⚖️ Linked dispute case: {number}").format(number=number) in linked.text
    assert zh("🔗 Change the linked case") in button_labels(linked)
    async with world.svc.transaction() as session:
        case = await session.scalar(select(DisputeCase).where(DisputeCase.number == number))
        notes = list(
            await session.scalars(
                select(DisputeCaseEvent.note).where(DisputeCaseEvent.case_id == case.id)
            )
        )
    assert any(note and "下乡走访" in note and "与本案关联" in note for note in notes)
    # Unlink again.
    choices = await press(world, uid, linked, zh("🔗 Change the linked case"))
    unlinked = await press(world, uid, choices, zh("✖️ Remove the link"))
    assert "已关联案件" not in unlinked.text


async def test_forged_link_to_a_case_the_cadre_cannot_see_is_refused(world) -> None:
    async with world.svc.transaction() as session:
        await seed_cases(session, world.settings, world.clock.now())
        case_id = await session.scalar(select(DisputeCase.id).limit(1))
    uid = CADRE_LI.telegram_user_id
    saved, _taps = await log_visit(world, uid, "沙河子村", ("矛盾化解",))
    async with world.svc.transaction() as session:
        visit_id = await session.scalar(
            select(FieldVisit.id).where(FieldVisit.member_id == world.member_ids[uid])
        )
    user = world.user(uid)
    query = await user.press_data(saved, world.svc.codec.pack(uid, "vl", "lc", visit_id, case_id))
    answer = await user.callback_answer(query, timeout=10)
    assert answer.text == "该案件不在本村的未办结案件中，或您无权查看。"
    async with world.svc.transaction() as session:
        assert (await session.get(FieldVisit, visit_id)).dispute_case_id is None
    # A visit without 矛盾化解 offers no link at all.
    plain, _taps = await log_visit(world, uid, "东岭村", ("听取民意",))
    assert zh("⚖️ Link a dispute case") not in button_labels(plain)
    assert (await ask1(world, uid, "/cancel")).text
