"""Every command, as every kind of user, against docs/permissions.md."""

from __future__ import annotations

from sqlalchemy import update

from bot.handlers.common import stranger_text
from bot.models import Member
from bot.permissions import DOC, PROFILES, parse, render
from bot.sample import ADMIN, SamplePerson, seed_people
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, zh

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
                # Without an invitation a stranger is told how to get one; with one they register.
                assert refused
            else:
                assert refused != expected, f"/{command} as {profile}: {replies[0].text!r}"
            if not refused:
                await user.send("/cancel")
                await user.reply(timeout=10)
            checked += 1
    assert checked == len(table) * len(PROFILES)
