"""The lists and the ledger computed from what cadres actually logged (no injected facts)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import update

from bot.core.models import Member
from devkit.sample.week import seed_week
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_SUN,
    CADRE_WANG,
    NEWCOMER_ID,
    SECRETARY,
    ask,
    ask1,
    make_invite,
    press,
)


async def seed_last_week(world) -> None:
    async with world.svc.transaction() as session:
        await seed_week(session, world.settings, world.clock.now(), world.member_ids)


async def test_preview_is_computed_from_visits_reports_and_leave(world) -> None:
    await seed_last_week(world)
    preview = (await ask(world, SECRETARY.telegram_user_id, "/redblack preview week", 2))[0].text
    red, black = preview.split("🔴 红榜")[1].split("🏆")[0].split("⚫ 黑榜")
    # 李春华: three field days, report on time -> red.
    assert CADRE_LI.name in red and CADRE_LI.name not in black
    # 孙立新 logged one day and sent no report -> black, with both facts named.
    sun = black.split(CADRE_SUN.name)[1].split("\n\n")[0]
    assert "未交周报" in sun and "下乡1天" in sun
    # 王建军: two field days of three.
    assert "下乡2天" in black.split(CADRE_WANG.name)[1]


async def test_a_member_is_judged_only_from_the_first_full_week_after_joining(world) -> None:
    await seed_last_week(world)
    world.emu.add_user(NEWCOMER_ID, "吴小平")
    token = await make_invite(world, "cadre")
    card = await ask1(world, NEWCOMER_ID, f"/start {token}")
    await press(world, NEWCOMER_ID, card, "✅ 确认")
    await world.user(NEWCOMER_ID).reply(timeout=10)
    await world.user(SECRETARY.telegram_user_id).reply(timeout=10)  # told of the registration
    preview = (await ask(world, SECRETARY.telegram_user_id, "/redblack preview week", 2))[0].text
    assert "吴小平" not in preview


async def test_why_reflects_a_visit_logged_after_the_fact(world) -> None:
    await seed_last_week(world)
    why = await ask1(world, CADRE_WANG.telegram_user_id, "/why week")
    assert "下乡2天" in why.text
    # A deactivated cadre is not judged at all.
    async with world.svc.transaction() as session:
        await session.execute(
            update(Member)
            .where(Member.id == world.member_ids[CADRE_SUN.telegram_user_id])
            .values(active=False)
        )
    preview = (await ask(world, SECRETARY.telegram_user_id, "/redblack preview week", 2))[0].text
    assert CADRE_SUN.name not in preview


async def test_ledger_sheets_hold_the_real_rows(world) -> None:
    await seed_last_week(world)
    user = world.user(SECRETARY.telegram_user_id)
    await user.send("/export week")
    replies = await user.replies(3, timeout=240)
    workbook_message = next(
        r for r in replies if r.document and r.document.file_name.endswith(".xlsx")
    )
    data = await world.user(SECRETARY.telegram_user_id).download(workbook_message)
    book = load_workbook(io.BytesIO(data))
    visits = book["走访台账"]
    rows = list(visits.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10  # the ten sample visits of last week
    li_rows = [r for r in rows if r[1] == CADRE_LI.name]
    assert {r[2] for r in li_rows} == {"东岭村", "沙河子村"}
    assert any("修复自来水管" in (r[6] or "") for r in li_rows)
    reports = {r[1]: r for r in book["周五交账"].iter_rows(min_row=2, values_only=True)}
    assert reports[CADRE_SUN.name][3] == "未交" and reports[CADRE_WANG.name][3] == "迟交"
    assert reports[CADRE_LI.name][3] == "按时" and reports[CADRE_LI.name][4] == 3
