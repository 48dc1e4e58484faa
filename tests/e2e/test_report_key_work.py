"""Friday reports update the 擂台赛 progress of the key work items the cadre owns."""

from __future__ import annotations

from datetime import date, datetime

from bot.db import arena as arena_db
from bot.db import members as member_db
from tests.conftest import SHANGHAI
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, ask1, button_labels, press, zh
from tests.e2e.test_weekly_jobs import log_visit


async def add_item(world, title: str, owner) -> int:
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        item = await arena_db.add_item(
            session, township.id, title, "年底前完工", actor_id=None, now=world.clock.now()
        )
        await arena_db.toggle_owner(
            session,
            item,
            world.member_ids[owner.telegram_user_id],
            actor_id=None,
            now=world.clock.now(),
        )
        return item.id


async def test_submitted_report_offers_the_owner_a_progress_update(world) -> None:
    await add_item(world, "沙河子村道路硬化", CADRE_LI)
    for person in (CADRE_LI, CADRE_WANG):
        await log_visit(world, person, date(2026, 11, 24), "沙河子村")
    world.clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=SHANGHAI))
    uid = CADRE_LI.telegram_user_id
    preview = await ask1(world, uid, "/report")
    assert not any(
        "更新重点工作进度" in label for label in button_labels(preview)
    )  # not yet submitted
    done = await press(world, uid, preview, zh("✅ Submit"))
    label = zh("📈 Update key work: {title} ({percent}%)").format(
        title="沙河子村道路硬化", percent=0
    )
    assert label in button_labels(done)
    user = world.user(uid)
    await user.press(done, label)
    prompt = await user.reply(timeout=10)
    assert "沙河子村道路硬化" in prompt.text
    await user.send("60 已完成路基")
    confirmation = await user.reply(timeout=10)
    assert "60" in confirmation.text
    standings = await ask1(world, uid, "/arena")
    assert "沙河子村道路硬化" in standings.text and "60%" in standings.text
    # Someone who owns nothing gets no such button.
    world.clock.set(datetime(2026, 11, 26, 16, 0, tzinfo=SHANGHAI))
    other = await ask1(world, CADRE_WANG.telegram_user_id, "/report")
    done = await press(world, CADRE_WANG.telegram_user_id, other, zh("✅ Submit"))
    assert not any("更新重点工作进度" in label for label in button_labels(done))
