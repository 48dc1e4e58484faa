"""/case alone offers what it does as buttons: register a case (to those who may) and the
case list, instead of only telling which command to type."""

from __future__ import annotations

from devkit.sample import ADMIN
from tests.e2e.helpers import MEDIATOR_ZHOU, ask1, button_labels, press_alert, zh

NEW = zh("➕ Register a case")
LIST = zh("📂 Case list")
ZHOU = MEDIATOR_ZHOU.telegram_user_id
ADMIN_ID = ADMIN.telegram_user_id


async def test_case_alone_offers_registering_and_the_list(world) -> None:
    user = world.user(ZHOU)
    menu = await ask1(world, ZHOU, "/case")
    assert button_labels(menu) == [NEW, LIST]
    await user.press(menu, NEW)
    [first] = await user.replies(1, timeout=10)
    assert "沙河子村" in button_labels(first)  # the registration's first step: the village
    await user.send("/cancel")
    await user.replies(1, timeout=10)
    menu = await ask1(world, ZHOU, "/case")
    await user.press(menu, LIST)
    [listed] = await user.replies(1, timeout=10)
    assert zh("No cases here.") in listed.text


async def test_the_county_admin_is_offered_only_the_list(world) -> None:
    menu = await ask1(world, ADMIN_ID, "/case")
    assert button_labels(menu) == [LIST]


async def test_someone_elses_case_menu_does_nothing(world) -> None:
    menu = await ask1(world, ZHOU, "/case")
    [[_label, data], *_] = menu.buttons[0]
    answer = await press_alert(world, ADMIN_ID, menu, data)
    assert answer.show_alert
