"""Registration through invitation links, and what strangers see."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.models import AuditEntry, Member, MemberRole
from bot.members.views import STRANGER_ID
from tests.e2e.helpers import (
    NEWCOMER_ID,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    make_invite,
    press,
    press_alert,
    token_from,
    zh,
)


async def test_secretary_invites_and_newcomer_registers(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    link = await ask1(world, SECRETARY.telegram_user_id, "/invite cadre")
    assert "https://t.me/township_test_bot?start=" in link.text
    card = await ask1(world, NEWCOMER_ID, f"/start {token_from(link.text)}")
    assert "沙河子镇" in card.text and zh("cadre") in card.text and "吴小平" in card.text
    assert button_labels(card) == [zh("✅ Confirm"), zh("✏️ Change name")]

    done = await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    assert done.text == zh("Welcome, {name}! You are registered.").format(name="吴小平")
    [help_text] = await world.user(NEWCOMER_ID).replies(1, timeout=10)
    assert "/help" in help_text.text and "/members" not in help_text.text

    async with world.svc.transaction() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == NEWCOMER_ID))
        assert member is not None and member.display_name == "吴小平"
        roles = (
            await session.scalars(select(MemberRole).where(MemberRole.member_id == member.id))
        ).all()
        assert [r.role for r in roles] == ["cadre"]
        actions = set(await session.scalars(select(AuditEntry.action)))
        assert {"invite.create", "invite.redeem"} <= actions
    # The command menu for this chat lists only a cadre's commands.
    menu = world.emu.commands({"type": "chat", "chat_id": NEWCOMER_ID})
    names = [c["command"] for c in menu]
    assert "help" in names and "members" not in names and "invite" not in names


async def test_change_name_keeps_markup_literal(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "x")
    token = await make_invite(world, "mediator")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    prompt = await press(world, NEWCOMER_ID, card, zh("✏️ Change name"))
    assert "2–32" in prompt.text
    too_short = await ask1(world, NEWCOMER_ID, "王")
    assert too_short.text == zh(
        "A name must be {min}–{max} characters long. Please try again."
    ).format(min=2, max=32)
    sticker_user = world.user(NEWCOMER_ID)
    await sticker_user.send_sticker()
    assert (await sticker_user.reply(timeout=10)).text == zh("Please type your name as text.")
    card2 = await ask1(world, NEWCOMER_ID, "<b>王</b> & Co")
    assert "<b>王</b> & Co" in card2.text  # shown literally, not as bold
    assert not any(
        e["type"] == "bold" and card2.text[e["offset"] : e["offset"] + 1] == "王"
        for e in card2.entities
    )
    done = await press(world, NEWCOMER_ID, card2, zh("✅ Confirm"))
    assert "<b>王</b> & Co" in done.text
    async with world.svc.transaction() as session:
        name = await session.scalar(
            select(Member.display_name).where(Member.telegram_user_id == NEWCOMER_ID)
        )
    assert name == "<b>王</b> & Co"


async def test_expired_token_is_refused(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre", hours=1)
    world.clock.advance(timedelta(hours=1, seconds=1))
    reply = await ask1(world, NEWCOMER_ID, f"/start {token}")
    assert reply.text == zh(
        "This invitation link has expired. Please ask your township secretary for a new one."
    )
    assert reply.buttons == []


async def test_token_expiring_between_card_and_confirm_is_refused(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre", hours=1)
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    world.clock.advance(timedelta(hours=2))
    after = await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    assert "过期" in after.text
    async with world.svc.transaction() as session:
        assert (
            await session.scalar(select(Member).where(Member.telegram_user_id == NEWCOMER_ID))
            is None
        )


async def test_reused_token_is_refused(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    world.emu.add_user(NEWCOMER_ID + 1, "冒用者")
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    reply = await ask1(world, NEWCOMER_ID + 1, f"/start {token}")
    assert reply.text.startswith(
        zh(
            "This invitation link has already been used. Each link works once; please ask your "
            "township secretary for a new one."
        )
    )


async def test_two_people_racing_for_one_token_only_one_wins(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "甲")
    world.emu.add_user(NEWCOMER_ID + 1, "乙")
    token = await make_invite(world, "cadre")
    card_a = await ask1(world, NEWCOMER_ID, f"/start {token}")
    card_b = await ask1(world, NEWCOMER_ID + 1, f"/start {token}")
    a = await press(world, NEWCOMER_ID, card_a, zh("✅ Confirm"))
    b = await press(world, NEWCOMER_ID + 1, card_b, zh("✅ Confirm"))
    assert "注册成功" in a.text
    assert "已被使用" in b.text
    async with world.svc.transaction() as session:
        registered = list(
            await session.scalars(
                select(Member.telegram_user_id).where(
                    Member.telegram_user_id.in_([NEWCOMER_ID, NEWCOMER_ID + 1])
                )
            )
        )
    assert registered == [NEWCOMER_ID]


async def test_forged_token_and_forged_button(world) -> None:
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    for bogus in ("nonsense", "a" * 64, "x" * 200):
        reply = await ask1(world, NEWCOMER_ID, f"/start {bogus}")
        assert reply.text == zh(
            "This invitation link is not valid. Please ask your township secretary for a new one."
        )
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    answer = await press_alert(world, NEWCOMER_ID, card, "reg:ok:1:AAAAAAAA")
    assert answer.text == zh("This button is from an old message and no longer works.")
    async with world.svc.transaction() as session:
        assert (
            await session.scalar(select(Member).where(Member.telegram_user_id == NEWCOMER_ID))
            is None
        )


async def test_invite_grants_exactly_its_role(world) -> None:
    """A cadre invite used by an existing cadre adds nothing beyond cadre: no escalation."""
    token = await make_invite(world, "mediator")
    cadre_id = 1003
    card = await ask1(world, cadre_id, f"/start {token}")
    await press(world, cadre_id, card, zh("✅ Confirm"))
    async with world.svc.transaction() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == cadre_id))
        roles = set(
            await session.scalars(select(MemberRole.role).where(MemberRole.member_id == member.id))
        )
    assert roles == {"cadre", "mediator"}


async def test_stranger_sees_no_data(world) -> None:
    world.emu.add_user(9999, "路人甲")
    refusal = zh(
        "This bot is for registered township staff. If you are a cadre, mediator or secretary, "
        "please ask your township secretary for an invitation link."
    )
    for text in ("/start", "/help", "/members", "/invite cadre", "/lang", "hello", "/whatever"):
        reply = await ask1(world, 9999, text)
        if text == "/start":
            # /start also shows a stranger their Telegram id, for whoever manages the bot.
            assert reply.text == refusal + "\n\n" + zh(STRANGER_ID).format(id=9999)
        else:
            assert reply.text == refusal, text
        assert "沙河子" not in reply.text and reply.buttons == []
    stranger = world.user(9999)
    await stranger.send_photo()
    assert (await stranger.reply(timeout=10)).text == refusal


async def test_config_listed_admin_becomes_member_on_start(world) -> None:
    world.emu.add_user(4242, "新管理员")
    settings = world.settings.model_copy(
        update={"roles": world.settings.roles.model_copy(update={"admins": [4242]})}
    )
    world.svc.settings = settings
    replies = await ask(world, 4242, "/start", n=2)
    assert "新管理员" in replies[0].text
    assert "/members" in replies[1].text


async def test_a_name_cannot_hide_or_reorder_its_characters(world) -> None:
    """Invisible characters do not make a name, and a right-to-left override cannot make
    “华春李” read as a colleague's “李春华” in the secretary's lists."""
    world.emu.add_user(NEWCOMER_ID, "x")
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    await press(world, NEWCOMER_ID, card, zh("✏️ Change name"))
    for invisible in ("\u200b\u200b", "\u202e\u2066\ufeff", "王\u200b"):
        refused = await ask1(world, NEWCOMER_ID, invisible)
        assert refused.text == zh(
            "A name must be {min}–{max} characters long. Please try again."
        ).format(min=2, max=32)
    card = await ask1(world, NEWCOMER_ID, "\u202e华春\u200b李\u202c")
    assert "华春李" in card.text and "\u202e" not in card.text
    await press(world, NEWCOMER_ID, card, zh("✅ Confirm"))
    async with world.svc.transaction() as session:
        name = await session.scalar(
            select(Member.display_name).where(Member.telegram_user_id == NEWCOMER_ID)
        )
    assert name == "华春李"
