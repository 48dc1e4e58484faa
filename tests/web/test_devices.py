"""A secretary sees a member's devices signed in to the web chat and signs one out."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.models import AuditEntry
from tests.e2e.helpers import zh
from tests.web.conftest import WebWorld
from tests.web.test_access import CADRE, SECRETARY

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


async def test_a_secretary_signs_a_members_device_out(web: WebWorld) -> None:
    phone = await web.browser_of(CADRE.telegram_user_id, CADRE.name, device=IPHONE)
    laptop = await web.browser_of(CADRE.telegram_user_id, CADRE.name, device="Windows NT 10.0")
    secretary = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    chat = SECRETARY.telegram_user_id
    label = await secretary.member_button(chat, CADRE.name)
    await secretary.press(chat, label)
    await secretary.press(chat, zh("📱 Devices"))
    title = zh("Devices of {name} signed in to the web chat").format(name=CADRE.name)
    messages = await secretary.wait_for(chat, lambda ms: title in ms[-1]["text"])
    assert "1. iPhone：" in messages[-1]["text"] and "2. Windows：" in messages[-1]["text"]

    answer = await secretary.press(chat, zh("Sign out device {number}").format(number=1))
    assert answer is not None and answer["text"] == zh("Signed out")
    assert (await phone.http.get("/api/me")).status_code == 401
    assert (await laptop.http.get("/api/me")).status_code == 200
    messages = await secretary.wait_for(chat, lambda ms: "iPhone" not in ms[-1]["text"])
    assert "1. Windows：" in messages[-1]["text"]
    async with web.svc.transaction() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "device.revoke" in actions


async def test_no_devices_button_on_the_telegram_channel(world) -> None:
    from tests.e2e.helpers import ask1, button_labels

    card_list = await ask1(world, SECRETARY.telegram_user_id, "/members")
    label = next(t for t in button_labels(card_list) if t.startswith(CADRE.name))
    user = world.user(SECRETARY.telegram_user_id)
    await user.press(card_list, label)
    card = await user.wait_edit(card_list)
    assert zh("📱 Devices") not in [text for row in card.buttons for text, _ in row]
