"""Roles, /help per role, member management in chat, township isolation, /lang, escaping."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import Member, MemberRole, VillageAssignment
from devkit.sample import ADMIN, OTHER_PERSON
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_WANG,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    en,
    press,
    press_alert,
    zh,
)


def command_lines(text: str) -> set[str]:
    return {line.split(" ")[0] for line in text.splitlines() if line.startswith("/")}


async def test_help_lists_only_what_each_role_may_do(world) -> None:
    cadre = command_lines((await ask1(world, CADRE_LI.telegram_user_id, "/help")).text)
    secretary = command_lines((await ask1(world, SECRETARY.telegram_user_id, "/help")).text)
    admin = command_lines((await ask1(world, ADMIN.telegram_user_id, "/help")).text)
    assert {"/help", "/lang", "/cancel"} <= cadre
    assert not {"/members", "/invite"} & cadre
    assert {"/members", "/invite"} <= secretary
    assert {"/members", "/invite"} <= admin


async def test_cadre_is_refused_secretary_commands(world) -> None:
    reply = await ask1(world, CADRE_LI.telegram_user_id, "/members")
    assert reply.text == zh("Sorry, this is only for: {roles}.").format(
        roles="、".join([zh("secretary"), zh("admin")])
    )
    assert CADRE_WANG.name not in reply.text


async def test_secretary_lists_only_own_township(world) -> None:
    listing = await ask1(world, SECRETARY.telegram_user_id, "/members")
    assert "沙河子镇" in listing.text and CADRE_LI.name in listing.text
    assert OTHER_PERSON.name not in listing.text
    other = await ask1(world, OTHER_PERSON.telegram_user_id, "/members")
    assert "大荆镇" in other.text and OTHER_PERSON.name in other.text
    assert CADRE_LI.name not in other.text and "沙河子" not in other.text


async def test_other_township_secretary_cannot_act_on_our_members(world) -> None:
    async with world.svc.transaction() as session:
        shz = await member_db.township_by_code(session, "SHZ")
    li = world.member_ids[CADRE_LI.telegram_user_id]
    listing = await ask1(world, OTHER_PERSON.telegram_user_id, "/members")
    # Even a correctly signed button for another township is refused.
    for data in (
        world.svc.codec.pack(OTHER_PERSON.telegram_user_id, "mem", "card", shz.id, li),
        world.svc.codec.pack(OTHER_PERSON.telegram_user_id, "mem", "act", shz.id, li, 0),
        world.svc.codec.pack(OTHER_PERSON.telegram_user_id, "mem", "list", shz.id, 0),
    ):
        answer = await press_alert(world, OTHER_PERSON.telegram_user_id, listing, data)
        assert answer.text == zh("You can only manage members of your own township.")
    async with world.svc.transaction() as session:
        assert (await session.get(Member, li)).active is True


async def test_admin_sees_every_township(world) -> None:
    picker = await ask1(world, ADMIN.telegram_user_id, "/members")
    assert picker.text == zh("Which township?")
    assert button_labels(picker) == ["沙河子镇", "大荆镇"]
    listing = await press(world, ADMIN.telegram_user_id, picker, "大荆镇")
    assert OTHER_PERSON.name in listing.text


async def test_secretary_deactivates_and_reactivates_a_member(world) -> None:
    listing = await ask1(world, SECRETARY.telegram_user_id, "/members")
    card = await press(world, SECRETARY.telegram_user_id, listing, CADRE_WANG.name)
    assert CADRE_WANG.name in card.text and "西坡村" in card.text
    wang = world.user(CADRE_WANG.telegram_user_id)
    await ask(world, CADRE_WANG.telegram_user_id, "/start", 2)
    assert wang.reply_keyboard is not None
    card = await press(world, SECRETARY.telegram_user_id, card, zh("🚫 Deactivate"))
    assert zh("deactivated") in card.text
    # The member is told, and their keys go with the notice.
    told = await wang.reply(timeout=30)
    assert SECRETARY.name in told.text and "沙河子镇" in told.text
    assert wang.reply_keyboard is None
    refused = await ask1(world, CADRE_WANG.telegram_user_id, "/help")
    assert refused.text == zh(
        "Your account has been deactivated. Please contact your township secretary."
    )
    card = await press(world, SECRETARY.telegram_user_id, card, zh("✅ Reactivate"))
    told = await wang.reply(timeout=30)
    assert told.text == zh("{by} reactivated your account in {township}.").format(
        by=SECRETARY.name, township="沙河子镇"
    )
    assert wang.reply_keyboard == [["登记下乡", "交周报"], ["我的本周", "请假"]]
    assert "/help" in (await ask1(world, CADRE_WANG.telegram_user_id, "/help")).text


async def test_secretary_changes_roles_and_villages(world) -> None:
    member_id = world.member_ids[CADRE_WANG.telegram_user_id]
    listing = await ask1(world, SECRETARY.telegram_user_id, "/members")
    card = await press(world, SECRETARY.telegram_user_id, listing, CADRE_WANG.name)
    card = await press(world, SECRETARY.telegram_user_id, card, f"⬜ {zh('mediator')}")
    assert f"☑️ {zh('mediator')}" in button_labels(card)
    villages = await press(world, SECRETARY.telegram_user_id, card, zh("🏘 Villages (包村)"))
    assert "☑️ 西坡村" in button_labels(villages)
    villages = await press(world, SECRETARY.telegram_user_id, villages, "⬜ 南沟村")
    villages = await press(world, SECRETARY.telegram_user_id, villages, "☑️ 西坡村")
    assert "☑️ 南沟村" in button_labels(villages) and "⬜ 西坡村" in button_labels(villages)
    async with world.svc.transaction() as session:
        roles = set(
            await session.scalars(select(MemberRole.role).where(MemberRole.member_id == member_id))
        )
        names = await member_db.assigned_village_names(
            session, [member_id], (await member_db.township_by_code(session, "SHZ")).id
        )
    assert roles == {"cadre", "mediator"}
    assert names[member_id] == ["南沟村"]
    # The member's own menu now includes what a mediator may do (same as cadre for now).
    assert world.emu.commands({"type": "chat", "chat_id": CADRE_WANG.telegram_user_id})


async def test_last_role_cannot_be_removed_and_self_protection(world) -> None:
    listing = await ask1(world, SECRETARY.telegram_user_id, "/members")
    card = await press(world, SECRETARY.telegram_user_id, listing, SECRETARY.name)
    user = world.user(SECRETARY.telegram_user_id)
    await user.press(card, f"☑️ {zh('secretary')}")
    assert (await user.callback_answer()).text == zh("You cannot remove your own secretary role.")
    await user.press(card, zh("🚫 Deactivate"))
    assert (await user.callback_answer()).text == zh("You cannot deactivate yourself.")


async def test_village_from_another_township_is_refused(world) -> None:
    async with world.svc.transaction() as session:
        shz = await member_db.township_by_code(session, "SHZ")
        djh = await member_db.township_by_code(session, "DJH")
        foreign_village = (await member_db.villages_of(session, djh.id))[0].id
    li = world.member_ids[CADRE_LI.telegram_user_id]
    listing = await ask1(world, SECRETARY.telegram_user_id, "/members")
    answer = await press_alert(
        world,
        SECRETARY.telegram_user_id,
        listing,
        world.svc.codec.pack(
            SECRETARY.telegram_user_id, "mem", "vil", shz.id, li, foreign_village, 0
        ),
    )
    assert answer.text == zh("That village is not in this township.")
    async with world.svc.transaction() as session:
        assert not (
            await session.scalars(
                select(VillageAssignment).where(VillageAssignment.village_id == foreign_village)
            )
        ).all()


async def test_lang_switches_to_english_and_back(world) -> None:
    zhou = world.user(MEDIATOR_ZHOU.telegram_user_id)
    chooser = await ask1(world, MEDIATOR_ZHOU.telegram_user_id, "/lang")
    await zhou.press(chooser, "English")
    # The confirmation is a new message, with the keys in the new language; the chooser
    # loses its buttons.
    done = await zhou.reply(timeout=30)
    assert done.text == "Language set to English."
    assert zhou.reply_keyboard == [
        ["Log a visit", "Submit the report"],
        ["My week", "Ask for leave"],
        ["New case", "Case list"],
    ]
    assert (await zhou.wait_edit(chooser, timeout=10)).buttons == []
    help_text = (await ask1(world, MEDIATOR_ZHOU.telegram_user_id, "/help")).text
    assert en("Show what you can do") in help_text and "查看" not in help_text
    menu = world.emu.commands({"type": "chat", "chat_id": MEDIATOR_ZHOU.telegram_user_id})
    assert {"command": "help", "description": "Show what you can do"} in menu
    back = await ask1(world, MEDIATOR_ZHOU.telegram_user_id, "/lang zh_CN")
    assert back.text == zh("Language set to {language}.").format(language="简体中文")
    # Typed, the command's confirmation brings the keys back in Chinese too.
    assert zhou.reply_keyboard == [
        ["登记下乡", "交周报"],
        ["我的本周", "请假"],
        ["登记案件", "案件列表"],
    ]


async def test_markup_in_names_is_displayed_literally(world) -> None:
    async with world.svc.transaction() as session:
        member = await session.get(Member, world.member_ids[CADRE_LI.telegram_user_id])
        member.display_name = "<b>王</b> & Co"
    listing = await ask1(world, SECRETARY.telegram_user_id, "/members")
    assert "<b>王</b> & Co" in listing.text
    help_text = await ask1(world, CADRE_LI.telegram_user_id, "/help")
    assert "<b>王</b> & Co" in help_text.text


async def test_unknown_text_and_cancel(world) -> None:
    reply = await ask1(world, CADRE_LI.telegram_user_id, "随便说点什么")
    assert reply.text == zh("I did not understand that. Send /help to see what you can do.")
    reply = await ask1(world, CADRE_LI.telegram_user_id, "/cancel")
    assert reply.text == zh("There is nothing to cancel.")
    reply = await ask1(world, CADRE_LI.telegram_user_id, "/frobnicate")
    assert reply.text == zh("Unknown command. Send /help to see what you can do.")
