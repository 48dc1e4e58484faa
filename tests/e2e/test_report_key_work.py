"""Friday reports update the 擂台赛 progress of the key work items the cadre owns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.arena import queries as arena_db
from bot.core.db import members as member_db
from bot.core.models import Member, MemberRole
from tests.conftest import SHANGHAI
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, ask1, button_labels, press, zh
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


async def test_owners_of_a_key_work_item_are_picked_page_by_page(world) -> None:
    """Telegram refuses a keyboard of more than 100 buttons: a township of 105 cadres is
    offered 20 at a time, and ticking a cadre keeps the page."""
    item_id = await add_item(world, "产业路硬化", CADRE_LI)
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        assert township is not None
        for i in range(100):
            member = Member(telegram_user_id=910_000 + i, display_name=f"干部{i:03d}")
            session.add(member)
            await session.flush()
            session.add(MemberRole(member_id=member.id, township_id=township.id, role="cadre"))
        cadres = await member_db.recipients(session, township.id, "cadre", reachable_only=False)
    pages = (len(cadres) + 19) // 20
    assert len(cadres) > 100 and pages == 6
    sec = Tapper(world, SECRETARY.telegram_user_id)
    board = await sec.say("/arena")
    owners = await sec.press(board, zh("👥 Owners"))
    assert zh("Page {page} of {pages}").format(page=1, pages=6) in owners.text
    assert len(button_labels(owners)) == 20 + 1 + 1  # cadres, ▶️, done
    second = await sec.press(owners, "▶️")
    assert zh("Page {page} of {pages}").format(page=2, pages=6) in second.text
    target = next(label for label in button_labels(second) if label.startswith("⬜"))
    ticked = await sec.press(second, target)
    assert zh("Page {page} of {pages}").format(page=2, pages=6) in ticked.text
    assert "☑️" + target[len("⬜") :] in button_labels(ticked)
    name = target[len("⬜ ") :]
    async with world.svc.transaction() as session:
        owner_ids = await arena_db.owner_ids(session, item_id)
        named = {
            m.display_name
            for m in await session.scalars(select(Member).where(Member.id.in_(owner_ids)))
        }
    assert named == {CADRE_LI.name, name}
