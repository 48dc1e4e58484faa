"""A mediator or secretary of both sample townships works on each township's cases: asked
once per chat which township a case command is for, the choice remembered, and case numbers,
lists, figures and the brief kept per township; parties shown by the roles held in the case's
own township."""

from __future__ import annotations

from sqlalchemy import delete

from bot.core.db import members as member_db
from bot.core.models import MemberRole
from devkit.sample import OTHER_PERSON
from tests.e2e.cases_helpers import db_register, number_in, register
from tests.e2e.helpers import (
    CADRE_LI,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask1,
    button_labels,
    press,
    zh,
)

ZHOU = MEDIATOR_ZHOU.telegram_user_id
SEC = SECRETARY.telegram_user_id
LI = CADRE_LI.telegram_user_id
SEVERAL = zh("You belong to several townships. Which one is this for? I will remember it here.")


def working_in(township: str) -> str:
    return zh("Working in {township} here. Send /township to change it.").format(township=township)


async def join_djh(world, user_id: int, role: str) -> None:
    async with world.svc.transaction() as session:
        djh = await member_db.township_by_code(session, "DJH")
        assert djh is not None
        session.add(
            MemberRole(
                member_id=world.member_ids[user_id],
                township_id=djh.id,
                role=role,
                joined_at=world.clock.now(),
            )
        )


async def choose(world, user_id: int, asked, township: str):
    """Tap the township on the question; returns the first message of the command that
    runs on once it is chosen."""
    assert asked.text == SEVERAL
    assert button_labels(asked) == ["沙河子镇", "大荆镇"]
    chosen = await press(world, user_id, asked, township)
    assert chosen.text == working_in(township)
    [first] = await world.user(user_id).replies(1, timeout=10)
    return first


async def test_a_mediator_of_two_townships_registers_and_lists_in_each(world) -> None:
    await join_djh(world, ZHOU, "mediator")
    # Asked once which township /case new is for; the registration runs on in 大荆镇.
    prompt = await choose(world, ZHOU, await ask1(world, ZHOU, "/case new"), "大荆镇")
    assert prompt.text == zh("New dispute case. Which village is it in?")
    assert [b for b in button_labels(prompt) if b != zh("✖️ Cancel")] == ["西河村"]
    await ask1(world, ZHOU, "/cancel")
    djh = number_in(await register(world, ZHOU, village="西河村"))
    assert djh == "DJH-2026-0001"
    # Remembered for this chat: /cases lists 大荆镇's cases without asking.
    listing = await ask1(world, ZHOU, "/cases")
    assert "大荆镇" in listing.text and djh in listing.text
    # /township switches; 沙河子镇 numbers its cases on its own.
    switch = await ask1(world, ZHOU, "/township")
    await press(world, ZHOU, switch, "沙河子镇")
    shz = number_in(await register(world, ZHOU))
    assert shz == "SHZ-2026-0001"
    listing = await ask1(world, ZHOU, "/cases")
    assert "沙河子镇" in listing.text and shz in listing.text and djh not in listing.text
    figures = await ask1(world, ZHOU, "/disputes")
    assert "沙河子镇" in figures.text
    assert zh("{label}: {value}").format(label=zh("Registered cases"), value=1) in figures.text
    # A case opens by its number whichever township is chosen here, parties shown.
    card = await ask1(world, ZHOU, f"/case {djh}")
    assert number_in(card) == djh and "张三（139****5678）" in card.text


async def test_a_secretary_of_two_townships_reads_each_townships_figures(world) -> None:
    await join_djh(world, SEC, "secretary")
    await db_register(world, OTHER_PERSON.telegram_user_id, village="西河村", code="DJH")
    figures = await choose(world, SEC, await ask1(world, SEC, "/disputes month"), "大荆镇")
    assert "大荆镇" in figures.text and "沙河子镇" not in figures.text
    assert zh("{label}: {value}").format(label=zh("Registered cases"), value=1) in figures.text
    brief = await ask1(world, SEC, "/casebrief")
    assert zh("Brief for the 政法联席会议 — {township}").format(township="大荆镇") in brief.text


async def test_parties_follow_the_roles_held_in_the_cases_township(world) -> None:
    """A cadre of 沙河子镇 who mediates in 大荆镇 sees 大荆镇's parties, and in 沙河子镇 only
    the cases they registered, without parties."""
    await join_djh(world, LI, "mediator")
    djh = await db_register(world, OTHER_PERSON.telegram_user_id, village="西河村", code="DJH")
    shz = number_in(await register(world, ZHOU))
    card = await ask1(world, LI, f"/case {djh.number}")
    assert "王五（139****1111）" in card.text
    assert zh("📱 Phone numbers") in button_labels(card)
    refused = await ask1(world, LI, f"/case {shz}")
    assert refused.text == zh(
        "I could not find case {number}. Please check the number; cadres can open only the "
        "cases they registered themselves."
    ).format(number=shz)
    own = await choose(world, LI, await ask1(world, LI, "/case new"), "沙河子镇")
    assert own.text == zh("New dispute case. Which village is it in?")
    await ask1(world, LI, "/cancel")
    mine = number_in(await register(world, LI))
    card = await ask1(world, LI, f"/case {mine}")
    assert "张三" not in card.text and zh("📱 Phone numbers") not in button_labels(card)


async def test_a_township_button_of_a_township_one_left_is_refused(world) -> None:
    await join_djh(world, ZHOU, "mediator")
    asked = await ask1(world, ZHOU, "/cases")
    async with world.svc.transaction() as session:
        djh = await member_db.township_by_code(session, "DJH")
        assert djh is not None
        await session.execute(
            delete(MemberRole).where(
                MemberRole.member_id == world.member_ids[ZHOU], MemberRole.township_id == djh.id
            )
        )
    user = world.user(ZHOU)
    query = await user.press(asked, "大荆镇")
    answer = await user.callback_answer(query, timeout=10)
    assert answer.text == zh("You do not belong to that township.")
    # Nor does a list button for it work any more.
    data = world.svc.codec.pack(ZHOU, "cs", "l", djh.id, "o", 0, 0)
    answer = await user.callback_answer(await user.press_data(asked, data), timeout=10)
    assert answer.text == zh("You can only see your own township's cases.")


async def test_an_admin_chooses_the_township_each_time(world) -> None:
    from devkit.sample import ADMIN

    admin = ADMIN.telegram_user_id
    await db_register(world, OTHER_PERSON.telegram_user_id, village="西河村", code="DJH")
    for command, shows in (("/disputes", "西河村"), ("/cases", "DJH-2026-0001"), ("/cases", "")):
        asked = await ask1(world, admin, command)
        assert asked.text == zh("Which township?")
        assert button_labels(asked) == ["沙河子镇", "大荆镇"]
        shown = await press(world, admin, asked, "大荆镇")
        assert "大荆镇" in shown.text and shows in shown.text
    # A choice is a button like any other: a cadre's forged one for the other township fails.
    listing = await ask1(world, LI, "/cases")
    async with world.svc.transaction() as session:
        djh = await member_db.township_by_code(session, "DJH")
        assert djh is not None
    user = world.user(LI)
    data = world.svc.codec.pack(LI, "cs", "tw", "ls", djh.id)
    answer = await user.callback_answer(await user.press_data(listing, data), timeout=10)
    assert answer.text == zh("You can only see your own township's cases.")
