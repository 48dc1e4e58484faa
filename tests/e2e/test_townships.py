"""A person who belongs to several townships: asked once per chat which township an action is
for, the choice remembered, each township judging them only on what was recorded for it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import MemberRole, Village
from bot.visits import queries as visit_db
from tests.e2e.helpers import CADRE_LI, ask1, button_labels, press, zh

LI = CADRE_LI.telegram_user_id
SEVERAL = "You belong to several townships. Which one is this for? I will remember it here."


async def make_cadre_of_both(world) -> tuple[int, int]:
    async with world.svc.transaction() as session:
        shz = await member_db.township_by_code(session, "SHZ")
        djh = await member_db.township_by_code(session, "DJH")
        assert shz is not None and djh is not None
        session.add(
            MemberRole(
                member_id=world.member_ids[LI],
                township_id=djh.id,
                role="cadre",
                joined_at=world.clock.now(),
            )
        )
    return shz.id, djh.id


async def log_visit_in(world, township_id: int, day: date) -> None:
    async with world.svc.transaction() as session:
        village = await session.scalar(
            select(Village.id).where(Village.township_id == township_id).limit(1)
        )
        await visit_db.create_visit(
            session,
            member_id=world.member_ids[LI],
            township_id=township_id,
            draft=visit_db.VisitDraft(village_id=village, visit_date=day),
            today=day,
            now=world.clock.now(),
        )


async def test_a_cadre_of_two_townships_is_asked_once_and_each_sees_its_own(world) -> None:
    shz, _djh = await make_cadre_of_both(world)
    await log_visit_in(world, shz, world.clock.now().date())
    asked = await ask1(world, LI, "/me")
    assert asked.text == zh(SEVERAL)
    assert button_labels(asked) == ["沙河子镇", "大荆镇"]
    user = world.user(LI)
    await user.press(asked, "大荆镇")
    chosen = await user.wait_edit(asked, timeout=10)
    assert (
        zh("Working in {township} here. Send /township to change it.").format(township="大荆镇")
        in chosen.text
    )
    # The command that asked runs on its own once the township is chosen: 大荆镇 has no
    # visit of his; the one logged in 沙河子镇 is not counted there.
    [week] = await user.replies(1, timeout=10)
    assert "大荆镇" in week.text
    assert zh("Field days: {done} of {required}").format(done=0, required=3) in week.text
    # Remembered for this chat: no question the second time.
    again = await ask1(world, LI, "/me")
    assert "大荆镇" in again.text and zh(SEVERAL) not in again.text
    # /township switches; 沙河子镇 counts its own visit.
    switch = await ask1(world, LI, "/township")
    assert button_labels(switch) == ["沙河子镇", "✅ 大荆镇"]
    await press(world, LI, switch, "沙河子镇")
    here = await ask1(world, LI, "/me")
    assert "沙河子镇" in here.text
    assert zh("Field days: {done} of {required}").format(done=1, required=3) in here.text


async def test_one_township_is_never_asked_about(world) -> None:
    reply = await ask1(world, LI, "/me")
    assert zh(SEVERAL) not in reply.text and "沙河子镇" not in reply.text
    only = await ask1(world, LI, "/township")
    assert only.text == zh("You belong to one township only: {township}.").format(
        township="沙河子镇"
    )


async def test_someone_elses_township_button_changes_nothing(world) -> None:
    await make_cadre_of_both(world)
    asked = await ask1(world, LI, "/me")
    # A correctly signed choice of a township he does not belong to.
    data = world.svc.codec.pack(LI, "tw", "p", 999, "me")
    query = await world.user(LI).press_data(asked, data)
    answer = await world.user(LI).callback_answer(query, timeout=10)
    assert answer.text == zh("You do not belong to that township.")
    again = await ask1(world, LI, "/me")
    assert again.text == zh(SEVERAL)


async def test_a_county_admin_chooses_among_every_township(world) -> None:
    from devkit.sample import ADMIN

    switch = await ask1(world, ADMIN.telegram_user_id, "/township")
    assert button_labels(switch) == ["沙河子镇", "大荆镇"]
    await press(world, ADMIN.telegram_user_id, switch, "大荆镇")
    again = await ask1(world, ADMIN.telegram_user_id, "/township")
    assert button_labels(again) == ["沙河子镇", "✅ 大荆镇"]
