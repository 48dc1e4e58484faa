"""A member who chose English reads lists written as English writes them (a comma between
the items), and a Chinese reader as Chinese does (、)."""

from __future__ import annotations

from sqlalchemy import update

from bot.core.models import Member
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask1, en, zh

LI = CADRE_LI.telegram_user_id


async def speaks_english(world, telegram_user_id: int) -> None:
    async with world.svc.transaction() as session:
        await session.execute(
            update(Member).where(Member.telegram_user_id == telegram_user_id).values(language="en")
        )


async def test_english_lists_have_commas(world) -> None:
    world.clock.set(at(26, 15))
    await speaks_english(world, LI)
    me = await ask1(world, LI, "/me")
    still = en("Still needed this week: {items}.").format(
        items=", ".join(
            [
                en("{n} field day(s)").format(n=3),
                en("{n} dispute screening(s)").format(n=1),
                en("{n} problem(s) solved").format(n=1),
            ]
        )
    )
    assert still in me.text and "、" not in me.text
    refused = await ask1(world, LI, "/status")
    assert refused.text == en("Sorry, this is only for: {roles}.").format(
        roles=f"{en('secretary')}, {en('admin')}"
    )
    await speaks_english(world, SECRETARY.telegram_user_id)
    status = await ask1(world, SECRETARY.telegram_user_id, "/status")
    assert "李春华, 王建军" in status.text and "、" not in status.text


async def test_chinese_lists_keep_the_enumeration_comma(world) -> None:
    world.clock.set(at(26, 15))
    refused = await ask1(world, LI, "/status")
    assert refused.text == zh("Sorry, this is only for: {roles}.").format(
        roles=f"{zh('secretary')}、{zh('admin')}"
    )
    status = await ask1(world, SECRETARY.telegram_user_id, "/status")
    assert "李春华、王建军" in status.text
