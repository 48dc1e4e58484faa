"""Registration as the secretaries and the newcomer see it: a person who belongs to another
township is told plainly, before and after confirming, that they will belong to both (and
is asked which township from then on); each registration is told to the township's
secretaries at once, with a button that opens the 包村 assignment; the registration flow's
buttons answer only their owner and only on the current card."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.flows import STALE
from bot.core.models import Member, MemberRole, VillageAssignment
from devkit.sample import ADMIN, OTHER_PERSON
from tests.e2e.helpers import (
    CADRE_LI,
    NEWCOMER_ID,
    SECRETARY,
    ask1,
    button_labels,
    make_invite,
    press,
    press_alert,
    zh,
)

LI = CADRE_LI.telegram_user_id
SEC = SECRETARY.telegram_user_id
BOTH = (
    "You already belong to {others}. Once you confirm, you will belong to both {others} and "
    "{township}; when a command could be for either, I will ask which township it is for."
)
ALL_OF = (
    "You already belong to {others}. Once you confirm, you will belong to all of {others} and "
    "{township}; when a command could be for more than one, I will ask which township it is for."
)
NOW_BELONG = (
    "You now belong to {townships}. When a command could be for more than one of them, I will "
    "ask which township it is for and remember it here; /township changes it."
)
WELCOME = "Welcome, {name}! You are registered."
SEVERAL = "You belong to several townships. Which one is this for? I will remember it here."


async def test_an_invitation_to_a_second_township_says_plainly_that_they_will_belong_to_both(
    world,
) -> None:
    token = await make_invite(world, "cadre", code="DJH")
    card = await ask1(world, LI, f"/start {token}")
    assert zh(BOTH).format(others="沙河子镇", township="大荆镇") in card.text
    assert "大荆镇" in card.text and CADRE_LI.name in card.text
    done = await press(world, LI, card, zh("✅ Confirm"))
    assert done.text == (
        zh(WELCOME).format(name=CADRE_LI.name)
        + "\n\n"
        + zh(NOW_BELONG).format(townships="沙河子镇、大荆镇")
    )
    [help_text] = await world.user(LI).replies(1, timeout=10)
    assert "/me" in help_text.text
    # From now on the bot asks which township a cadre's command is for.
    asked = await ask1(world, LI, "/me")
    assert asked.text == zh(SEVERAL)
    assert button_labels(asked) == ["沙河子镇", "大荆镇"]
    # 大荆镇's secretary is told; 沙河子镇's is not (nothing changed there).
    [told] = await world.user(OTHER_PERSON.telegram_user_id).replies(1, timeout=10)
    assert CADRE_LI.name in told.text and "大荆镇" in told.text
    assert not world.user(SEC).unread


async def test_a_third_township_names_all_of_them(world) -> None:
    await press(
        world,
        LI,
        await ask1(world, LI, f"/start {await make_invite(world, 'cadre', code='DJH')}"),
        zh("✅ Confirm"),
    )
    await world.user(LI).replies(1, timeout=10)
    async with world.svc.transaction() as session:
        # A third township, as if it had been configured.
        from bot.core.models import Township

        session.add(Township(code="XYZ", name="新阳镇", active=True))
    token = await make_invite(world, "mediator", code="XYZ")
    card = await ask1(world, LI, f"/start {token}")
    assert zh(ALL_OF).format(others="沙河子镇、大荆镇", township="新阳镇") in card.text


async def test_a_new_role_in_the_same_township_says_nothing_about_townships(world) -> None:
    token = await make_invite(world, "mediator")
    card = await ask1(world, LI, f"/start {token}")
    assert zh(BOTH).split("{")[0] not in card.text
    done = await press(world, LI, card, zh("✅ Confirm"))
    assert done.text == zh(WELCOME).format(name=CADRE_LI.name)


async def test_each_registration_is_told_to_the_secretaries_with_the_assignment(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    assert zh(BOTH).split("{")[0] not in card.text
    await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    [told] = await world.user(SEC).replies(1, timeout=10)
    assert told.text.startswith(
        zh("📥 <b>{name}</b> has registered in {township} as {role}.").format(
            name="吴小平", township="沙河子镇", role=zh("cadre")
        )
    )
    assert button_labels(told) == [zh("🏘 Assign villages (包村)")]
    # Another township's secretary hears nothing; the admin neither.
    assert not world.user(OTHER_PERSON.telegram_user_id).unread
    assert not world.user(ADMIN.telegram_user_id).unread
    toggles = await press(world, SEC, told, zh("🏘 Assign villages (包村)"))
    assert "吴小平" in toggles.text and "⬜ 南沟村" in button_labels(toggles)
    toggles = await press(world, SEC, toggles, "⬜ 南沟村")
    assert "☑️ 南沟村" in button_labels(toggles)
    async with world.svc.transaction() as session:
        member_id = await session.scalar(
            select(Member.id).where(Member.telegram_user_id == NEWCOMER_ID)
        )
        assigned = list(
            await session.scalars(
                select(VillageAssignment.village_id).where(VillageAssignment.member_id == member_id)
            )
        )
    assert len(assigned) == 1
    # The secretary's button is theirs alone: the admin pressing the same data in their own
    # chat is refused and changes nothing.
    carrier = await ask1(world, ADMIN.telegram_user_id, "/help")
    data = next(d for row in toggles.buttons for label, d in row if label == "☑️ 南沟村")
    answer = await press_alert(world, ADMIN.telegram_user_id, carrier, data)
    assert answer.text == zh(STALE)
    async with world.svc.transaction() as session:
        still = list(
            await session.scalars(
                select(VillageAssignment.village_id).where(VillageAssignment.member_id == member_id)
            )
        )
    assert still == assigned


async def test_a_mediator_registration_opens_the_member_card(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    card = await ask1(world, NEWCOMER_ID, f"/start {await make_invite(world, 'mediator')}")
    await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    [told] = await world.user(SEC).replies(1, timeout=10)
    assert zh("Assign the villages they look after (包村) with the button below.") not in told.text
    member_card = await press(world, SEC, told, zh("📇 Open the member card"))
    assert "吴小平" in member_card.text and zh("mediator") in member_card.text


async def test_the_first_secretary_is_not_told_of_their_own_registration(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "新书记")
    card = await ask1(
        world, NEWCOMER_ID, f"/start {await make_invite(world, 'secretary', code='DJH')}"
    )
    await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    await world.user(NEWCOMER_ID).replies(1, timeout=10)  # /help
    # 大荆镇's other secretary is told; the newcomer gets nothing more.
    [told] = await world.user(OTHER_PERSON.telegram_user_id).replies(1, timeout=10)
    assert "新书记" in told.text
    assert not world.user(NEWCOMER_ID).unread


async def test_old_and_forged_registration_buttons_change_nothing(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre")
    first = await ask1(world, NEWCOMER_ID, f"/start {token}")
    prompt = await press(world, NEWCOMER_ID, first, zh("✏️ Change name"))
    assert "2–32" in prompt.text
    # The first card's Confirm is old now (the flow moved on to the typed name).
    data = world.svc.codec.pack(NEWCOMER_ID, "reg", "ok", 1)
    answer = await press_alert(world, NEWCOMER_ID, prompt, data)
    assert answer.text == zh(STALE)
    # Text at the card where a tap is expected is answered, not taken as a name.
    second = await ask1(world, NEWCOMER_ID, "吴小平同志")
    assert "吴小平同志" in second.text
    again = await ask1(world, NEWCOMER_ID, "再说一遍")
    assert again.text == zh("Please use the buttons above: confirm your name or change it.")
    # A typed name of 10,000 characters: refused, told why in a short reply, nothing kept.
    await press(world, NEWCOMER_ID, second, zh("✏️ Change name"))
    too_long = await ask1(world, NEWCOMER_ID, "名" * 10_000)
    assert too_long.text == zh(
        "A name must be {min}–{max} characters long. Please try again."
    ).format(min=2, max=32)
    async with world.svc.transaction() as session:
        assert (
            await session.scalar(select(Member).where(Member.telegram_user_id == NEWCOMER_ID))
            is None
        )
        roles = list(await session.scalars(select(MemberRole.role)))
    assert len(roles) == 9  # the sample's, nobody added
