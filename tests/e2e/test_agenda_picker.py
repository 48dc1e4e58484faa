"""/agenda for someone who manages several townships: a picker, then that township's agenda;
a button for a township the presser does not manage changes nothing."""

from __future__ import annotations

from bot.core.db import members as member_db
from devkit.sample import ADMIN, OTHER_TOWNSHIP
from tests.e2e.helpers import SECRETARY, ask1, button_labels, press_alert, zh


async def test_an_admin_picks_the_township_of_the_agenda(world) -> None:
    picker = await ask1(world, ADMIN.telegram_user_id, "/agenda")
    assert picker.text == zh("Which township?")
    assert button_labels(picker) == ["沙河子镇", "大荆镇"]
    user = world.user(ADMIN.telegram_user_id)
    await user.press(picker, "大荆镇")
    [agenda] = await user.replies(1, timeout=10)
    assert "大荆镇" in agenda.text and "沙河子镇" not in agenda.text


async def test_a_secretary_cannot_open_another_townships_agenda(world) -> None:
    async with world.svc.transaction() as session:
        other = await member_db.township_by_code(session, OTHER_TOWNSHIP["code"])
    assert other is not None
    mine = await ask1(world, SECRETARY.telegram_user_id, "/agenda")
    user_id = SECRETARY.telegram_user_id
    forged = world.svc.codec.pack(user_id, "agenda", "t", other.id)
    answer = await press_alert(world, user_id, mine, forged)
    assert answer.text == zh("You can only manage members of your own township.")
    garbled = world.svc.codec.pack(user_id, "agenda", "t", "x")
    answer = await press_alert(world, user_id, mine, garbled)
    assert answer.text == zh("This button is from an old message and no longer works.")
