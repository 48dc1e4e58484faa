"""A 擂台赛 progress is read as the owner typed it: the whole number, in any digits people
type (６０, 六十, 百分之六十, 60％), never the first digits of a longer number; "no target" is
read however it is typed (－, 无。, 没有)."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.models import ArenaItem, ArenaProgress
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask, ask1, zh
from tests.e2e.test_report_key_work import add_item

LI = CADRE_LI.telegram_user_id
ASK_AGAIN = zh("Please start with a percentage from 0 to 100, e.g. “60 foundations finished”.")


async def recorded(world) -> list[tuple[int, str]]:
    async with world.svc.transaction() as session:
        rows = await session.execute(
            select(ArenaProgress.percent, ArenaProgress.note).order_by(ArenaProgress.id)
        )
        return [(percent, note) for percent, note in rows]


async def test_a_longer_number_is_not_cut_to_its_first_digits(world) -> None:
    await add_item(world, "沙河子村道路硬化", CADRE_LI)
    user = world.user(LI)
    board = await ask1(world, LI, "/arena")
    await user.press(board, "📈 沙河子村道路硬化")
    await user.reply(timeout=10)
    for typed in ("1000 米已完工", "60.5 路基", "101"):
        assert (await ask1(world, LI, typed)).text == ASK_AGAIN
    assert await recorded(world) == []
    # The flow is still waiting for the progress: full-width digits and percent sign.
    done, _board = await ask(world, LI, "６０％ 路基完成", 2)
    assert done.text == zh("Progress recorded: {percent}%.").format(percent=60)
    assert await recorded(world) == [(60, "路基完成")]


async def test_a_percentage_in_chinese_numerals(world) -> None:
    await add_item(world, "沙河子村道路硬化", CADRE_LI)
    user = world.user(LI)
    for typed, expected in [("百分之六十 完成三段", (60, "完成三段")), ("八十", (80, ""))]:
        board = await ask1(world, LI, "/arena")
        await user.press(board, "📈 沙河子村道路硬化")
        await user.reply(timeout=10)
        done, _board = await ask(world, LI, typed, 2)
        assert done.text == zh("Progress recorded: {percent}%.").format(percent=expected[0])
        assert (await recorded(world))[-1] == expected


async def test_no_target_however_it_is_typed(world) -> None:
    sec = world.user(SECRETARY.telegram_user_id)
    for title, typed in [("道路硬化", "－"), ("村部维修", "无。"), ("河道清理", "没有")]:
        board = await ask1(world, SECRETARY.telegram_user_id, "/arena")
        await sec.press(board, zh("➕ Add a key work item"))
        await sec.reply(timeout=10)
        await ask1(world, SECRETARY.telegram_user_id, title)
        await ask(world, SECRETARY.telegram_user_id, typed, 2)
    async with world.svc.transaction() as session:
        targets = list(await session.scalars(select(ArenaItem.target).order_by(ArenaItem.id)))
    assert targets == ["", "", ""]
