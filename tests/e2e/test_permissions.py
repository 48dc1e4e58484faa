"""Every command, as every kind of user, against docs/permissions.md."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.core.models import Member
from bot.core.turn import stranger_text
from bot.leave import queries as leave_db
from bot.permissions import (
    CALLBACK_PROFILES,
    CALLBACK_RULES,
    DOC,
    OTHER_TOWNSHIP,
    PROFILES,
    parse,
    parse_callbacks,
    parse_chats,
    render,
)
from devkit.sample import ADMIN, OTHER_PERSON, SamplePerson, seed_people
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, ask1, zh
from tests.e2e.reliability import record_counts

PURE_MEDIATOR = SamplePerson(1010, "郑调解", ("mediator",))
STRANGER_ID = 9999
USERS = {
    "stranger": STRANGER_ID,
    "cadre": CADRE_LI.telegram_user_id,
    "mediator": PURE_MEDIATOR.telegram_user_id,
    "secretary": SECRETARY.telegram_user_id,
    "admin": ADMIN.telegram_user_id,
    "deactivated": CADRE_WANG.telegram_user_id,
}


def test_the_document_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m bot.permissions"


def is_refusal(text: str) -> bool:
    return (
        text == stranger_text(zh)
        or text == zh("Your account has been deactivated. Please contact your township secretary.")
        or text.startswith(zh("Sorry, this is only for: {roles}.").split("{")[0])
    )


async def test_every_command_for_every_profile(world) -> None:
    async with world.svc.transaction() as session:
        await seed_people(session, world.clock.now(), [PURE_MEDIATOR])
        await session.execute(
            update(Member)
            .where(Member.telegram_user_id == CADRE_WANG.telegram_user_id)
            .values(active=False)
        )
    world.emu.add_user(STRANGER_ID, "路人甲")
    world.emu.add_user(PURE_MEDIATOR.telegram_user_id, PURE_MEDIATOR.name)
    table = parse(DOC.read_text(encoding="utf-8"))
    assert set(PROFILES) == set(USERS)
    checked = 0
    for command, rules in table.items():
        for profile, expected in rules.items():
            user = world.user(USERS[profile])
            await user.send(f"/{command}")
            member_start = command == "start" and profile not in ("stranger", "deactivated")
            replies = await user.replies(2 if member_start else 1, timeout=10)
            refused = is_refusal(replies[0].text)
            if command == "start" and profile == "stranger":
                # Without an invitation a stranger is told how to get one (and their own
                # Telegram id); with one they register.
                assert replies[0].text.startswith(stranger_text(zh)), replies[0].text
            else:
                assert refused != expected, f"/{command} as {profile}: {replies[0].text!r}"
            if not refused:
                await user.send("/cancel")
                await user.reply(timeout=10)
            checked += 1
    assert checked == len(table) * len(PROFILES)


OTHER_ID = OTHER_PERSON.telegram_user_id
CALLBACK_USERS = {**USERS, OTHER_TOWNSHIP: OTHER_ID}


CASE_PARTY_PHONE = "13900001111"  # the party of `db_register`'s case


async def _pressed(world, user_id: int, carrier, data: str, processed) -> bool:
    """Press signed data on a message in the user's chat; True if it worked (no alert, or
    something was shown)."""
    user = world.user(user_id)
    chat = user.chat
    live = chat.live(carrier)
    version, sends = live.version, len(chat._new_sends())
    query = await user.press_data(carrier, data)
    answer = await user.callback_answer(query, timeout=10)
    await processed.wait(world.emu.bot().last_update_id)
    shown = live.version > version or len(chat._new_sends()) > sends
    # The case-phones rule's press works by an alert with the party's full number.
    revealed = CASE_PARTY_PHONE in (answer.text or "")
    return shown or not answer.show_alert or revealed


async def test_every_callback_rule_for_every_profile(world) -> None:
    from datetime import timedelta

    from bot.core.db import members as member_db
    from bot.core.models import ConversationState, FieldVisit, Village
    from devkit.sample import GROUP_CHAT_ID
    from tests.e2e.cadre_helpers import log_visit
    from tests.e2e.cases_helpers import db_register
    from tests.e2e.helpers import CADRE_ZHAO, MEDIATOR_ZHOU
    from tests.e2e.test_bad_input_properties import Processed

    processed = Processed().attach(world.app)
    async with world.svc.transaction() as session:
        await seed_people(session, world.clock.now(), [PURE_MEDIATOR])
        await session.execute(
            update(Member)
            .where(Member.telegram_user_id == CADRE_WANG.telegram_user_id)
            .values(active=False)
        )
    world.emu.add_user(STRANGER_ID, "路人甲")
    world.emu.add_user(PURE_MEDIATOR.telegram_user_id, PURE_MEDIATOR.name)
    zhao = world.member_ids[CADRE_ZHAO.telegram_user_id]
    await log_visit(world, CADRE_ZHAO.telegram_user_id, "河口村")
    case = await db_register(world, MEDIATOR_ZHOU.telegram_user_id)
    async with world.svc.transaction() as session:
        shz = await member_db.township_by_code(session, "SHZ")
        visit_id = await session.scalar(select(FieldVisit.id).where(FieldVisit.member_id == zhao))
        djh = await member_db.township_by_code(session, "DJH")
        djh_village = await session.scalar(select(Village.id).where(Village.township_id == djh.id))
        shz_village = await session.scalar(select(Village.id).where(Village.township_id == shz.id))
    other_member = world.member_ids[OTHER_ID]
    async with world.svc.transaction() as session:
        from bot.arena import queries as arena_db

        item = await arena_db.add_item(
            session, shz.id, "沙河子村道路硬化", "", actor_id=None, now=world.clock.now()
        )
        await arena_db.toggle_owner(session, item, zhao, actor_id=None, now=world.clock.now())
        item_id = item.id
    pack = world.svc.codec.pack

    async def new_leave(*, approved: bool = False) -> int:
        async with world.svc.transaction() as session:
            return await leave_db.create_leave(
                session,
                member_id=zhao,
                township_id=shz.id,
                kind="leave",
                start=world.clock.now().date() + timedelta(days=7),
                end=world.clock.now().date() + timedelta(days=7),
                reason="探亲",
                requested_by=zhao,
                now=world.clock.now(),
                approved=approved,
            )

    async def flow_version(user_id: int) -> int:
        async with world.svc.transaction() as session:
            row = await session.get(ConversationState, user_id)
        return row.version if row else 1

    async def datas(rule: str, user_id: int) -> list[str]:
        if rule == "visit":
            return [pack(user_id, "vl", a, visit_id) for a in ("show", "edit", "del", "dely")]
        if rule == "visit-village":
            return [pack(user_id, "vis", "v", await flow_version(user_id), djh_village)]
        if rule == "members":
            return [
                pack(user_id, "mem", "list", shz.id, 0),
                pack(user_id, "mem", "card", shz.id, zhao),
                pack(user_id, "mem", "newinv", shz.id, "c"),
            ]
        if rule == "member-elsewhere":
            return [
                pack(user_id, "mem", "card", shz.id, other_member),
                pack(user_id, "mem", "act", shz.id, other_member, 0),
            ]
        if rule == "villages":
            return [
                pack(user_id, "vil", "l", shz.id, 0),
                pack(user_id, "vil", "rl", shz.id, 0),
                pack(user_id, "vil", "o", shz.id, shz_village),
            ]
        if rule == "village-elsewhere":
            return [
                pack(user_id, "vil", "o", shz.id, djh_village),
                pack(user_id, "vil", "r", shz.id, djh_village),
            ]
        if rule == "township-group":
            # A group of its own for each press: the second press of a group is refused as
            # already done.
            group_id = GROUP_CHAT_ID - 100 - len(world.emu.groups)
            world.emu.add_group(group_id, "新工作群", [user_id])
            return [pack(user_id, "grp", "set", shz.id, group_id)]
        if rule == "leave-decision":
            return [
                pack(user_id, "lv", "ok", await new_leave()),
                pack(user_id, "lv", "no", await new_leave()),
            ]
        if rule == "leave-in-force":
            return [pack(user_id, "lv", "ls", shz.id)]
        if rule == "leave-withdraw":
            leave = await new_leave(approved=True)
            return [pack(user_id, "lv", "wd", leave), pack(user_id, "lv", "wdn", leave)]
        if rule == "case":
            return [
                pack(user_id, "cs", "c", case.id),
                pack(user_id, "cs", "tl", case.id),
                pack(user_id, "cs", "o", case.id),
            ]
        if rule == "case-phones":
            return [pack(user_id, "cs", "ph", case.id), pack(user_id, "cs", "pp", case.id, 0)]
        if rule == "case-list":
            return [
                pack(user_id, "cs", "l", shz.id, "o", 0, 0),
                pack(user_id, "cs", "lv", shz.id, 0),
            ]
        if rule == "case-action":
            return [pack(user_id, "cs", "a", case.id, case.version, "nt")]
        if rule == "arena-owners":
            return [pack(user_id, "ar", "own", item_id), pack(user_id, "ar", "tog", item_id, zhao)]
        if rule == "arena-progress":
            return [pack(user_id, "ar", "upd", item_id)]
        if rule == "agenda":
            return [pack(user_id, "agenda", "t", shz.id)]
        if rule == "case-figures":
            return [
                pack(user_id, "cs", "d", shz.id, "w"),
                pack(user_id, "cs", "dg", shz.id, "w", "v"),
                pack(user_id, "cs", "dd", shz.id, "w", "rg", "-", 0),
                pack(user_id, "cs", "b", shz.id),
                pack(user_id, "cs", "bp", shz.id),
            ]
        if rule == "report-chase":
            return [
                pack(user_id, "rc", "st", shz.id),
                pack(user_id, "rc", "go", shz.id, "20261123"),
            ]
        raise AssertionError(rule)

    table = parse_callbacks(DOC.read_text(encoding="utf-8"))
    assert set(table) == {r.key for r in CALLBACK_RULES}
    carriers = {}
    for profile, user_id in CALLBACK_USERS.items():
        world.user(user_id)
        # /help answers every profile with exactly one message (/start gives members two).
        carriers[profile] = await ask1(world, user_id, "/help")
    # The cadre is in the middle of a visit log, so its version is current.
    await ask1(world, CADRE_LI.telegram_user_id, "/visit")
    pressed = 0
    for rule, expected in table.items():
        for profile, allowed in expected.items():
            user_id = CALLBACK_USERS[profile]
            for data in await datas(rule, user_id):
                worked = await _pressed(world, user_id, carriers[profile], data, processed)
                assert worked == allowed, f"{rule} {data} as {profile}: worked={worked}"
                pressed += 1
    async with world.svc.transaction() as session:
        visit = await session.get(FieldVisit, visit_id)
        other = await session.get(Member, other_member)
    assert visit.deleted_at is None and other.active  # nothing was changed by a refused press
    assert pressed >= len(table) * len(CALLBACK_PROFILES)
    record_counts("callback_permissions", {"presses": pressed, "rules": len(table)})


async def test_every_command_keeps_to_its_chat_policy_in_a_group(world) -> None:
    from bot.core.commands import COMMANDS, ChatScope
    from bot.core.gates import PRIVATE_ONLY
    from devkit.sample import GROUP_CHAT_ID

    chats = parse_chats(DOC.read_text(encoding="utf-8"))
    assert chats == {"start": "private"} | {c.name: str(c.chats) for c in COMMANDS}
    members = [SECRETARY.telegram_user_id, CADRE_LI.telegram_user_id]
    # Telegram allows a bot 20 messages a minute in one group: spread over a few groups.
    groups = [GROUP_CHAT_ID - i for i in range(3)]
    for group_id in groups:
        world.emu.add_group(group_id, "沙河子镇工作群", members)
    for index, spec in enumerate(COMMANDS):
        group_id = groups[index % len(groups)]
        user_id = CADRE_LI.telegram_user_id if "cadre" in spec.roles else SECRETARY.telegram_user_id
        await world.user(user_id).send_in_group(group_id, f"/{spec.name}")
        [answer] = await world.emu.chat(group_id).replies(1, timeout=10)
        redirected = answer.buttons and answer.buttons[0][0][1].startswith("https://t.me/")
        if spec.chats is ChatScope.PRIVATE:
            assert redirected, spec.name
            # Nothing about anyone: the answer is the command's own short group answer.
            expected = zh(spec.group_answer) if spec.group_answer else zh(PRIVATE_ONLY)
            assert answer.text == expected.format(command=spec.name), spec.name
        else:
            assert answer.text != zh(PRIVATE_ONLY).format(command=spec.name), spec.name
    # A command addressed to another bot in the group is not ours to answer.
    group_id = groups[-1]
    await world.user(CADRE_LI.telegram_user_id).send_in_group(group_id, "/agenda@other_bot")
    await world.user(CADRE_LI.telegram_user_id).send_in_group(group_id, "/help")
    [answer] = await world.emu.chat(group_id).replies(1, timeout=10)
    assert answer.text != zh(PRIVATE_ONLY).format(command="agenda")
