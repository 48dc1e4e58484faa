"""Exports (台账 XLSX, printable page), the Monday agenda block and the 擂台赛."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from bot.arena.queries import record_progress
from bot.core.db import members as member_db
from bot.core.models import ArenaItem, ArenaOwner, ArenaProgress
from bot.lists.facts import DEFAULT_PROVIDER, members_for_lists
from bot.lists.ledger import weekly_preview_block
from bot.lists.periods import latest_complete
from devkit.emulator import parse_html
from devkit.sample import OTHER_PERSON
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_WANG,
    CADRE_ZHAO,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    press_alert,
    zh,
)
from tests.e2e.redblack_facts import FakeFacts, week_row

OCTOBER = latest_complete("month", date(2026, 11, 23))


def month_facts(world) -> FakeFacts:
    ids = world.member_ids
    facts = FakeFacts().install(world)
    for week in OCTOBER.weeks:
        facts.weeks.append(week_row(ids[CADRE_LI.telegram_user_id], week, "on_time", 3))
        facts.weeks.append(week_row(ids[CADRE_WANG.telegram_user_id], week, "missing", 2))
        facts.weeks.append(week_row(ids[MEDIATOR_ZHOU.telegram_user_id], week, "on_time", 4))
    # 赵秀兰 has one week of data only: too little for a month.
    facts.weeks.append(week_row(ids[CADRE_ZHAO.telegram_user_id], OCTOBER.weeks[0], "on_time", 3))
    facts.visits = [
        (date(2026, 10, 12), CADRE_LI.name, "沙河子村", "张某某", "排查土地纠纷", 1, 0, "已核验"),
        (date(2026, 12, 1), CADRE_LI.name, "沙河子村", "outside", "not in October", 0, 0, ""),
    ]
    return facts


async def test_export_month_sends_a_ledger_and_a_printable_page(world) -> None:
    month_facts(world)
    user = world.user(SECRETARY.telegram_user_id)
    await user.send("/export month")
    workbook_msg, summary_msg, page_msg = await user.replies(3, timeout=240)
    assert workbook_msg.file.file_name == "台账-SHZ-2026-10.xlsx"
    book = load_workbook(BytesIO(await user.download(workbook_msg)))
    assert book.sheetnames == [
        "说明",
        "红榜",
        "黑榜",
        "积分榜",
        "重点工作擂台赛",
        "进度记录",
        "干部名册",
        "走访台账",
        "周五交账",
        "矛盾纠纷台账",
    ]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
    about = book["说明"]
    assert [about["A2"].value, about["B2"].value] == ["乡镇", "沙河子镇"]
    assert about["B3"].value == "2026年10月（9月28日–11月1日）"
    assert (
        about["B4"].value.date() == date(2026, 9, 28) and about["B4"].number_format == "yyyy-mm-dd"
    )
    assert about["B6"].value == "未发布（临时）"
    red = book["红榜"]
    assert [c.value for c in red[1]] == ["序号", "姓名", "包村", "积分", "上榜依据"]
    assert [(r[0].value, r[1].value, r[2].value) for r in red.iter_rows(min_row=2)] == [
        (1, MEDIATOR_ZHOU.name, "沙河子村"),
        (2, CADRE_LI.name, "沙河子村"),
    ]
    assert red["D2"].value == 5 * (4 * 2 + 3 + 2) and red["D3"].value == 5 * (3 * 2 + 3 + 2)
    assert "应交的5份周报全部按时提交" in red["E3"].value
    assert red.column_dimensions["E"].width > red.column_dimensions["A"].width
    black = book["黑榜"]
    assert black["B2"].value == CADRE_WANG.name
    assert black["D2"].value.count("\n") == 9  # 5 missing reports and 5 short weeks
    score = book["积分榜"]
    assert [c.value for c in score[1]][:5] == ["名次", "姓名", "包村", "积分", "并列"]
    assert [r[1].value for r in score.iter_rows(min_row=2)] == [
        MEDIATOR_ZHOU.name,
        CADRE_LI.name,
        CADRE_WANG.name,
    ]
    assert score["F2"].value == 5 * 4 * 2  # field-day points in the breakdown
    roster = book["干部名册"]
    assert (roster["A3"].value, roster["B3"].value, roster["C3"].value) == (
        CADRE_LI.name,
        "干部",
        "沙河子村、东岭村",
    )
    visits = book["走访台账"]
    assert [c.value for c in visits[1]][:3] == ["日期", "干部", "村"]
    assert visits.max_row == 2 and visits["E2"].value == "排查土地纠纷"
    assert book["周五交账"].max_row == 1 and book["矛盾纠纷台账"].max_row == 1

    assert summary_msg.file.file_name == "台账汇总-SHZ-2026-10.pdf"
    assert page_msg.file.file_name == "红黑榜-SHZ-2026-10.pdf"
    pages = PdfReader(BytesIO(await user.download(page_msg))).pages
    page = "\n".join(p.extract_text() for p in pages)
    assert [round(float(x)) for x in pages[0].mediabox[2:]] == [595, 842]  # A4
    for expected in (
        "沙河子镇",
        "2026年10月（9月28日–11月1日）",
        "红榜：应交周报全部按时提交",
        MEDIATOR_ZHOU.name,
        CADRE_WANG.name,
        "干部下乡天数",
        "第1页",
    ):
        assert expected in page, expected


async def test_cli_and_monday_agenda_use_the_same_rendering(world) -> None:
    month_facts(world)
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        week = latest_complete("week", date(2026, 11, 23))
        block = await weekly_preview_block(
            session,
            township,
            week,
            "zh_CN",
            settings=world.settings,
            now=world.clock.now(),
            facts=world.svc.extras["redblack_facts"],
        )
        members = await members_for_lists(session, township.id, {"沙河子村": "第一片区"})
        empty = await weekly_preview_block(
            session,
            township,
            week,
            "zh_CN",
            settings=world.settings,
            now=world.clock.now(),
            facts=DEFAULT_PROVIDER,
        )
    parse_html(block)  # Telegram-valid HTML
    assert "红黑榜预览：2026年第47周" in block
    assert "🔴 红榜：无" in block  # no facts for that week in the injected data
    assert "/why" in empty
    units = {m.name: m.unit for m in members}
    assert units[CADRE_LI.name] == "第一片区" and units[CADRE_WANG.name] == "西坡村"
    assert SECRETARY.name not in units and MEDIATOR_ZHOU.name in units


async def test_arena_items_owners_and_progress(world) -> None:
    sec = SECRETARY.telegram_user_id
    board = await ask1(world, sec, "/arena")
    assert zh("No key work items yet.") in board.text
    await world.user(sec).press(board, zh("➕ Add a key work item"))
    [prompt] = await world.user(sec).replies(1, timeout=10)
    assert prompt.text == zh(
        "Type the title of the key work item (at most {n} characters)."
    ).format(n=100)
    too_long = await ask1(world, sec, "长" * 101)
    assert too_long.text == zh(
        "That is too long (at most {n} characters). Please try again."
    ).format(n=100)
    await ask1(world, sec, "电子产业园<招商>")
    added, owners = await ask(world, sec, "12月30日前签约3家", 2)
    assert added.text == zh("Key work item added. Now choose its owners.")
    assert f"⬜ {CADRE_LI.name}" in button_labels(owners)
    await world.user(sec).press(owners, f"⬜ {CADRE_LI.name}")
    owners = await world.user(sec).wait_edit(owners, timeout=10)
    assert f"☑️ {CADRE_LI.name}" in button_labels(owners)

    li = CADRE_LI.telegram_user_id
    board = await ask1(world, li, "/arena")
    assert "电子产业园<招商>" in board.text and "&lt;招商&gt;" in board.html
    assert CADRE_LI.name in board.text and "0%" in board.text
    await world.user(li).press(board, "📈 电子产业园<招商>")
    await world.user(li).replies(1, timeout=10)
    bad = await ask1(world, li, "差不多了")
    assert bad.text == zh(
        "Please start with a percentage from 0 to 100, e.g. “60 foundations finished”."
    )
    recorded, standing = await ask(world, li, "60 已签约2家", 2)
    assert recorded.text == zh("Progress recorded: {percent}%.").format(percent=60)
    assert "60%" in standing.text and "已签约2家" in standing.text

    async with world.svc.transaction() as session:
        item = (await session.scalars(select(ArenaItem))).one()
        # The Friday report flow records progress through the same function.
        await record_progress(
            session,
            item.id,
            world.member_ids[li],
            80,
            "周五交账",
            world.clock.now() + timedelta(hours=1),
        )
        progress = list(await session.scalars(select(ArenaProgress).order_by(ArenaProgress.id)))
    assert [p.percent for p in progress] == [60, 80]
    assert "80%" in (await ask1(world, MEDIATOR_ZHOU.telegram_user_id, "/arena")).text

    # Not an owner: refused. Another township's secretary: refused. Nothing changes.
    wang_board = await ask1(world, CADRE_WANG.telegram_user_id, "/arena")
    answer = await press_alert(
        world,
        CADRE_WANG.telegram_user_id,
        wang_board,
        world.svc.codec.pack(CADRE_WANG.telegram_user_id, "ar", "upd", item.id),
    )
    assert answer.text == zh("Only the item's owners can update its progress.")
    other_board = await ask1(world, OTHER_PERSON.telegram_user_id, "/arena")
    for data in (
        world.svc.codec.pack(
            OTHER_PERSON.telegram_user_id,
            "ar",
            "tog",
            item.id,
            world.member_ids[CADRE_WANG.telegram_user_id],
        ),
        world.svc.codec.pack(OTHER_PERSON.telegram_user_id, "ar", "upd", item.id),
    ):
        answer = await press_alert(world, OTHER_PERSON.telegram_user_id, other_board, data)
        assert answer.text == zh("You can only see your own township's key work.")
    async with world.svc.transaction() as session:
        assert len((await session.scalars(select(ArenaOwner))).all()) == 1
        assert len((await session.scalars(select(ArenaProgress))).all()) == 2
