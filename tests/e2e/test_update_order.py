"""Updates are processed concurrently (bot/core/updates.py), but one user's messages are handled
in the order they were sent: five notes typed without waiting all land, in order."""

from __future__ import annotations

from bot.app import CONCURRENT_UPDATES
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_WANG


async def test_one_users_messages_are_handled_in_order(world) -> None:
    assert world.app.update_processor.max_concurrent_updates > 1 and CONCURRENT_UPDATES > 1
    li, wang = Tapper(world, CADRE_LI.telegram_user_id), Tapper(world, CADRE_WANG.telegram_user_id)
    await li.press(await li.say("/visit"), "东岭村")
    await wang.press(await wang.say("/visit"), "西坡村")
    for i in range(1, 6):  # both type notes at once, without waiting for the answers
        await li.user.send(f"李的笔记{i}")
        await wang.user.send(f"王的笔记{i}")
    for tapper, who in ((li, "李"), (wang, "王")):
        cards = await tapper.user.replies(5, timeout=10)
        for n, card in enumerate(cards, start=1):
            shown = [i for i in range(1, 6) if f"{who}的笔记{i}" in card.text]
            assert shown == list(range(1, n + 1)), card.text
        positions = [cards[-1].text.index(f"{who}的笔记{i}") for i in range(1, 6)]
        assert positions == sorted(positions)
