"""Documents for print, opened and read: the XLSX 台账 (问题与需求, 承办人), the 台账 summary and
the list as A4 PDFs from /export, the list's PDF on publication, the 政法联席会议 brief's PDF."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader

from devkit.sample.cases import seed_cases
from devkit.sample.week import seed_week
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_SUN,
    CADRE_WANG,
    MEDIATOR_ZHOU,
    SECRETARY,
    button_labels,
    press_alert,
    zh,
)

SLOW = 240  # seconds: each PDF is made in a child process, on a machine that may be busy
A4 = (595, 842)  # points, portrait


def pdf_pages(data: bytes) -> tuple[PdfReader, list[str]]:
    assert data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def page_size(reader: PdfReader, index: int = 0) -> tuple[int, int]:
    box = reader.pages[index].mediabox
    return round(float(box.width)), round(float(box.height))


async def seed(world) -> None:
    async with world.svc.transaction() as session:
        await seed_week(session, world.settings, world.clock.now(), world.member_ids)
        await seed_cases(session, world.settings, world.clock.now())


async def test_export_week_sends_the_ledger_the_summary_and_the_list(world) -> None:
    await seed(world)
    user = world.user(SECRETARY.telegram_user_id)
    await user.send("/export week")
    workbook, summary, listing = await user.replies(3, timeout=SLOW)
    names = [m.file.file_name for m in (workbook, summary, listing)]
    assert names == [
        "台账-SHZ-2026-W47.xlsx",
        "台账汇总-SHZ-2026-W47.pdf",
        "红黑榜-SHZ-2026-W47.pdf",
    ]

    book = load_workbook(BytesIO(await user.download(workbook)))
    reports = book["周五交账"]
    headers = [c.value for c in reports[1]]
    assert headers[-2:] == ["下周计划", "问题与需求"]
    rows = {r[1]: r for r in reports.iter_rows(min_row=2, values_only=True)}
    assert rows[CADRE_WANG.name][-1] == "西坡村：灌溉水渠堵塞，需要清淤"  # the item and its village
    assert "东岭村三组村道需要硬化" in rows[CADRE_LI.name][-1]
    cases = book["矛盾纠纷台账"]
    handler = [c.value for c in cases[1]].index("承办人")
    handlers = [r[handler] for r in cases.iter_rows(min_row=2, values_only=True)]
    # Every case has one: the mediator who took it, else whoever registered it.
    assert handlers and all(handlers), handlers
    assert CADRE_SUN.name in handlers  # registered by 孙立新, no mediator yet

    reader, pages = pdf_pages(await user.download(summary))
    text = "\n".join(pages)
    assert page_size(reader) == A4
    for expected in (
        "沙河子镇",
        "台账汇总",
        "2026年第47周",
        "第1页，共",
        CADRE_LI.name,
        CADRE_SUN.name,
        "灌溉水渠堵塞，需要清淤",
        "东岭村三组村道需要硬化",
        "周报按时提交",
        "承办人",
    ):
        assert expected in text, expected
    # The township and the period head every page, with the page's number.
    for number, page in enumerate(pages, start=1):
        assert "沙河子镇" in page and "2026年第47周" in page
        assert f"第{number}页，共{len(pages)}页" in page

    reader, pages = pdf_pages(await user.download(listing))
    text = "\n".join(pages)
    assert page_size(reader) == A4
    for expected in ("沙河子镇", "红黑榜", "2026年第47周", "红榜", "黑榜", CADRE_LI.name):
        assert expected in text, expected
    assert "第1页" in text


async def test_the_brief_has_a_print_button_that_sends_its_pdf(world) -> None:
    await seed(world)
    user = world.user(SECRETARY.telegram_user_id)
    await user.send("/casebrief")
    [brief] = await user.replies(1, timeout=30)
    label = zh("🖨 For print (PDF)")
    assert label in button_labels(brief)
    await user.press(brief, label)
    [document] = await user.replies(1, timeout=SLOW)
    assert document.file.file_name == "政法联席会议-SHZ-2026-11-23.pdf"
    reader, pages = pdf_pages(await user.download(document))
    text = "\n".join(pages)
    assert page_size(reader) == A4[::-1]  # landscape: eleven columns
    for expected in ("沙河子镇", "政法联席会议", "截至11月23日", "承办人", MEDIATOR_ZHOU.name):
        assert expected in text, expected
    assert "贺长林" not in text and "1399123" not in text  # no party, no phone
    for line in brief.text.splitlines():
        if "SHZ-2026-" in line:
            number = line[line.index("SHZ-") : line.index("SHZ-") + 13]
            assert number in text, number


async def test_the_secretary_s_print_button_does_nothing_for_someone_else(world) -> None:
    secretary = world.user(SECRETARY.telegram_user_id)
    await secretary.send("/casebrief")
    [brief] = await secretary.replies(1, timeout=30)
    data = brief.button(zh("🖨 For print (PDF)"))["callback_data"]
    mediator = world.user(MEDIATOR_ZHOU.telegram_user_id)
    await mediator.send("/casebrief")
    [own] = await mediator.replies(1, timeout=30)
    answer = await press_alert(world, MEDIATOR_ZHOU.telegram_user_id, own, data)
    assert answer.text and answer.show_alert
    assert not [m for m in world.emu.chat(MEDIATOR_ZHOU.telegram_user_id).messages if m.file]
