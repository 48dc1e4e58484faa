"""The township group is set by adding the bot to it: Telegram's my_chat_member update
(sent by the emulator when someone adds or removes the bot) makes the bot tell the
secretaries privately, with a button that makes it the township group; removed from the
township group, the bot tells them and it is no longer the group. Buttons answer only their
owner, an old offer is refused once the bot has left, and the group sees no one's name."""

from __future__ import annotations

from bot.core.db import members as member_db
from devkit.sample import ADMIN, GROUP_CHAT_ID, OTHER_PERSON
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask1, button_labels, press, press_alert, zh

SEC = SECRETARY.telegram_user_id
LI = CADRE_LI.telegram_user_id
NEW_GROUP = -1002000000202
TITLE = "沙河子镇<b>新</b>工作群 & 干部"
OFFER = "👥 {who} added me to the group “{title}”."
REPLACE = (
    "Make it the township group of {township}? It would replace the current group. Agendas "
    "and published red and black lists are posted to the township group."
)
MAKE = "✅ Make it the group of {township}"


async def group_of(world, code: str) -> int | None:
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, code)
        return township.group_chat_id


async def test_a_secretary_adds_the_bot_and_makes_it_the_township_group(world) -> None:
    world.emu.add_group(NEW_GROUP, TITLE, [SEC, LI], with_bot=False)
    world.emu.add_bot_to_group(NEW_GROUP, by_user=SEC)
    [offer] = await world.user(SEC).replies(1, timeout=10)
    # The title is shown as typed, markup and all.
    assert offer.text.startswith(zh(OFFER).format(who=SECRETARY.name, title=TITLE))
    assert zh(REPLACE).format(township="沙河子镇") in offer.text
    assert button_labels(offer) == [zh(MAKE).format(township="沙河子镇")]
    # Nobody else is told: not the other township, not the cadre who is in the group.
    assert not world.user(OTHER_PERSON.telegram_user_id).unread
    assert not world.user(LI).unread
    assert await group_of(world, "SHZ") == GROUP_CHAT_ID

    done = await press(world, SEC, offer, zh(MAKE).format(township="沙河子镇"))
    assert done.text == zh("“{title}” is now the township group of {township}.").format(
        title=TITLE, township="沙河子镇"
    )
    assert done.buttons == []
    [announced] = await world.emu.chat(NEW_GROUP).replies(1, timeout=10)
    assert announced.text == zh(
        "This is now the township group of {township}: the Monday meeting agenda and the "
        "published red and black lists are posted here."
    ).format(township="沙河子镇")
    assert await group_of(world, "SHZ") == NEW_GROUP
    # The same button again (an old offer): told it is done already, nothing posted again.
    data = next(d for row in offer.buttons for _, d in row)
    answer = await press_alert(world, SEC, done, data)
    assert answer.text == zh("It is already the township group of {township}.").format(
        township="沙河子镇"
    )
    assert not world.emu.chat(NEW_GROUP).unread

    # Removed from it (by the cadre): the secretary is told, and there is no group now.
    world.emu.remove_bot_from_group(NEW_GROUP, by_user=LI)
    [left] = await world.user(SEC).replies(1, timeout=10)
    assert left.text.startswith(
        zh("⚠️ I was removed from “{title}”, the township group of {township}.").format(
            title=TITLE, township="沙河子镇"
        )
    )
    assert await group_of(world, "SHZ") is None


async def test_an_old_offer_after_the_bot_left_changes_nothing(world) -> None:
    world.emu.add_group(NEW_GROUP, TITLE, [SEC], with_bot=False)
    world.emu.add_bot_to_group(NEW_GROUP, by_user=SEC)
    [offer] = await world.user(SEC).replies(1, timeout=10)
    # Removed by someone before the secretary decided; the group was not the township's, so
    # nobody is told of that.
    world.emu.remove_bot_from_group(NEW_GROUP, by_user=LI)
    user = world.user(SEC)
    await user.press(offer, zh(MAKE).format(township="沙河子镇"))
    answer = await user.callback_answer(timeout=10)
    assert answer.text == zh(
        "I am no longer in that group: add me to it again, then use the new button."
    )
    assert await group_of(world, "SHZ") == GROUP_CHAT_ID
    assert not world.user(SEC).unread


async def test_an_admin_is_offered_every_township_and_each_secretary_their_own(world) -> None:
    world.emu.add_group(NEW_GROUP, "县里的群", [ADMIN.telegram_user_id], with_bot=False)
    world.emu.add_bot_to_group(NEW_GROUP, by_user=ADMIN.telegram_user_id, as_admin=True)
    [mine] = await world.user(ADMIN.telegram_user_id).replies(1, timeout=10)
    assert button_labels(mine) == [
        zh(MAKE).format(township="沙河子镇"),
        zh(MAKE).format(township="大荆镇"),
    ]
    [shz] = await world.user(SEC).replies(1, timeout=10)
    assert button_labels(shz) == [zh(MAKE).format(township="沙河子镇")]
    [djh] = await world.user(OTHER_PERSON.telegram_user_id).replies(1, timeout=10)
    assert button_labels(djh) == [zh(MAKE).format(township="大荆镇")]
    assert ADMIN.name in djh.text
    # 大荆镇's secretary pressing a correctly signed button of 沙河子镇 is refused.
    async with world.svc.transaction() as session:
        shz_id = (await member_db.township_by_code(session, "SHZ")).id
    data = world.svc.codec.pack(OTHER_PERSON.telegram_user_id, "grp", "set", shz_id, NEW_GROUP)
    answer = await press_alert(world, OTHER_PERSON.telegram_user_id, djh, data)
    assert answer.text == zh("You can only manage members of your own township.")
    # 大荆镇 had no group: the admin makes it 大荆镇's.
    await press(world, ADMIN.telegram_user_id, mine, zh(MAKE).format(township="大荆镇"))
    assert await group_of(world, "DJH") == NEW_GROUP
    assert await group_of(world, "SHZ") == GROUP_CHAT_ID


async def test_a_cadre_adding_the_bot_tells_their_secretaries(world) -> None:
    world.emu.add_group(NEW_GROUP, TITLE, [SEC, LI], with_bot=False)
    world.emu.add_bot_to_group(NEW_GROUP, by_user=LI)
    [offer] = await world.user(SEC).replies(1, timeout=10)
    assert offer.text.startswith(zh(OFFER).format(who=CADRE_LI.name, title=TITLE))
    assert not world.user(LI).unread  # a cadre cannot make it the group: nothing for them


async def test_a_stranger_adding_the_bot_gets_a_word_in_the_group_naming_nobody(world) -> None:
    world.emu.add_user(9999, "路人甲")
    world.emu.add_group(NEW_GROUP, "别的群", [9999], with_bot=False)
    world.emu.add_bot_to_group(NEW_GROUP, by_user=9999)
    [said] = await world.emu.chat(NEW_GROUP).replies(1, timeout=10)
    assert said.text == zh(
        "I keep a township's weekly work. A secretary of the township who adds me to this group "
        "can make it the township group, where agendas and published lists are posted."
    )
    assert said.buttons == []
    assert not world.user(SEC).unread and not world.user(9999).unread


async def test_removed_from_a_group_that_is_no_township_s_tells_nobody(world) -> None:
    world.emu.add_group(NEW_GROUP, "别的群", [SEC], with_bot=True)
    world.emu.remove_bot_from_group(NEW_GROUP, by_user=SEC)
    # The sample's township group is untouched; the secretary's chat stays quiet.
    reply = await ask1(world, SEC, "/help")
    assert "/villages" in reply.text
    assert await group_of(world, "SHZ") == GROUP_CHAT_ID


async def test_a_group_upgraded_to_a_supergroup_stays_the_township_group(world) -> None:
    from tests.e2e.test_bad_input_properties import Processed

    processed = Processed().attach(world.app)
    old, new = -5000000101, -1005000000101
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        township.group_chat_id = old
    world.emu.add_group(old, "沙河子镇工作群", [SEC])
    bot = world.emu.bot()
    # Telegram's service message in the old group when it becomes a supergroup.
    update = world.emu.push_update(
        bot,
        "message",
        {
            "message_id": 7,
            "date": world.emu.now(),
            "chat": world.emu.chat_state(bot, old).to_json(),
            "from": {"id": SEC, "is_bot": False, "first_name": SECRETARY.name},
            "migrate_to_chat_id": new,
        },
    )
    await processed.wait(update["update_id"])
    assert await group_of(world, "SHZ") == new


async def test_a_post_to_a_group_upgraded_unseen_goes_to_the_supergroup(world) -> None:
    """Telegram answers a send to the old id of an upgraded group with 400 and the new id
    (here the bot never saw the service message): the agenda goes to the supergroup, which
    stays the township group, and nothing is reported as failed."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from bot.core.models import OutboxMessage

    old, new = -5000000102, -1005000000102
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        township.group_chat_id = old
    world.emu.add_group(old, "沙河子镇工作群", [SEC])
    world.emu.upgrade_group(old, new)
    await world.scheduler.tick()
    # Monday 30 November, 08:00: the agenda, to the township group among others.
    await world.scheduler.travel(datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    agenda = zh("Monday meeting agenda (周一例会)")
    posted = [m.text for m in world.emu.chat(new).messages if agenda in (m.text or "")]
    assert len(posted) == 1
    assert not [m for m in world.emu.chat(old).messages if not m.deleted]
    assert await group_of(world, "SHZ") == new
    async with world.svc.transaction() as session:
        failed = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        )
        to_old = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == old))
    assert failed == [] and to_old is None


async def test_a_group_upgraded_unseen_is_made_the_group_at_its_new_id(world) -> None:
    """The group became a supergroup after the offer and the bot never saw the notice:
    Telegram answers the announcement with the new id. The announcement goes there, the
    township's group is the new id, and a township whose group the old id was follows it
    (recorded once); the admin sees the normal outcome."""
    from sqlalchemy import select

    from bot.core.models import AuditEntry

    old, new = -5000000104, -1005000000104
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        township.group_chat_id = old
        shz_id = township.id
    admin = ADMIN.telegram_user_id
    world.emu.add_group(old, TITLE, [admin], with_bot=False)
    world.emu.add_bot_to_group(old, by_user=admin, as_admin=True)
    [offer] = await world.user(admin).replies(1, timeout=10)
    # Already 沙河子镇's group: the admin is offered 大荆镇 only.
    assert button_labels(offer) == [zh(MAKE).format(township="大荆镇")]
    world.emu.upgrade_group(old, new)

    done = await press(world, admin, offer, zh(MAKE).format(township="大荆镇"))
    assert done.text == zh("“{title}” is now the township group of {township}.").format(
        title=TITLE, township="大荆镇"
    )
    [announced] = await world.emu.chat(new).replies(1, timeout=10)
    assert announced.text.startswith(
        zh(
            "This is now the township group of {township}: the Monday meeting agenda and the "
            "published red and black lists are posted here."
        ).format(township="大荆镇")
    )
    assert not [m for m in world.emu.chat(old).messages if not m.deleted]
    assert await group_of(world, "DJH") == new
    assert await group_of(world, "SHZ") == new
    async with world.svc.transaction() as session:
        moved = list(
            await session.scalars(
                select(AuditEntry.township_id).where(AuditEntry.action == "township.group_moved")
            )
        )
    assert moved == [shz_id]
    assert not world.user(admin).unread
