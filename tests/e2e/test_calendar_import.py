"""/calendar: an admin pastes the State Council's holiday notice; the running bot's work
calendar uses it at once. And from 1 December the admins are reminded, once, when next year's
holidays are not known."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.calendar import queries as calendar_db
from bot.calendar.rules import parse_notice
from bot.core.models import AuditEntry, CalendarDay, ConversationState, OutboxMessage
from bot.week.schedule import work_calendar
from devkit.sample import ADMIN, PEOPLE
from tests.conftest import SHANGHAI
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask1, press, press_alert, zh

DATA = Path(__file__).resolve().parents[1] / "notices"
NOTICE_2027 = (DATA / "sample-2027.txt").read_text(encoding="utf-8")
CADRES = [p for p in PEOPLE if "cadre" in p.roles]
ADMIN_ID = ADMIN.telegram_user_id
PROMPT = "请粘贴通知原文"
REMINDER = "工作日历中还没有2027年的节假日安排"
FALLBACK = "工作日历中没有2027年的节假日安排"


async def stored_days(world) -> int:
    async with world.svc.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(CalendarDay)) or 0)


async def preview(world, text: str = NOTICE_2027):
    start = await ask1(world, ADMIN_ID, "/calendar")
    assert PROMPT in start.text
    return await ask1(world, ADMIN_ID, text)


def texts(world, chat_id: int) -> list[str]:
    return [m.text or "" for m in world.emu.chat(chat_id).messages if not m.deleted]


async def test_an_admin_imports_next_year_and_the_running_bot_uses_it(world) -> None:
    start = await ask1(world, ADMIN_ID, "/calendar")
    assert "2026年：按节假日库（chinese_calendar）。" in start.text
    assert "2027年：尚无节假日安排，暂按周一至周五上班。" in start.text
    shown = await ask1(world, ADMIN_ID, NOTICE_2027)
    assert "从通知中读出的2027年节假日安排" in shown.text
    lines = shown.text.splitlines()
    assert "2027-01-01 周五 休 元旦" in lines and "2027-02-14 周日 班 春节" in lines
    assert (
        "2027年：放假29天，调休上班6天（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节）。"
        in lines
    )
    assert [label for row in shown.buttons for label, _ in row] == ["✅ 保存", "✖️ 取消"]
    assert await stored_days(world) == 0  # nothing before it is confirmed
    assert not work_calendar(world.settings).knows(2027)

    done = await press(world, ADMIN_ID, shown, "✅ 保存")
    assert "✅ 已保存2027年节假日安排：放假29天，调休上班6天。工作日历即日起按此执行。" in done.text
    assert "2027-01-01 周五 休 元旦" in done.text and not done.buttons
    assert await stored_days(world) == 35
    async with world.svc.transaction() as session:
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "calendar"))
    assert audit is not None and audit.entity_id == "2027"
    assert audit.actor_member_id == world.member_ids[ADMIN_ID]
    assert audit.details == {"days_off": 29, "workdays": 6, "via": "chat"}

    # No restart: the running bot's calendar has 2027 now.
    calendar = work_calendar(world.settings)
    assert calendar.knows(2027) and calendar.day_info(date(2027, 1, 1)).source == "notice"
    # New Year's Day 2027 is a Friday off, so that week's report is due on Thursday 31
    # December and its window opens on Wednesday: the scheduler goes by the notice.
    world.clock.set(datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI))
    await world.scheduler.tick()
    await world.scheduler.travel(datetime(2026, 12, 30, 12, 0, tzinfo=SHANGHAI))
    for cadre in CADRES:
        opened = [t for t in texts(world, cadre.telegram_user_id) if "现已开放填报" in t]
        assert len(opened) == 1 and "12月31日（周四）18:00" in opened[0], cadre.name
    # 2027 is known: no reminder in December and no Monday-to-Friday warning.
    await world.scheduler.travel(datetime(2027, 1, 8, 19, 0, tzinfo=SHANGHAI))
    admin = texts(world, ADMIN_ID)
    assert not [t for t in admin if REMINDER in t or FALLBACK in t]


async def test_the_notice_again_replaces_the_year(world) -> None:
    first = await preview(world)
    await press(world, ADMIN_ID, first, "✅ 保存")
    # The same year again, with 端午节 moved: the preview says what it replaces.
    moved = NOTICE_2027.replace("6月9日（周三）放假1天", "6月10日（周四）放假1天")
    again = await preview(world, moved)
    assert "将替换2026-11-23导入的2027年通知。" in again.text
    await press(world, ADMIN_ID, again, "✅ 保存")
    assert await stored_days(world) == 35
    calendar = work_calendar(world.settings)
    assert calendar.is_workday(date(2027, 6, 9)) and not calendar.is_workday(date(2027, 6, 10))


async def test_only_admins_may_import(world) -> None:
    refused = zh("Sorry, this is only for: {roles}.").format(roles="管理员")
    for person in (SECRETARY, CADRE_LI):
        reply = await ask1(world, person.telegram_user_id, "/calendar")
        assert reply.text == refused, person.name
        # Pasting the notice is just text outside any flow.
        reply = await ask1(world, person.telegram_user_id, NOTICE_2027)
        assert "从通知中读出" not in reply.text
    # The admin's ✅, pressed by a secretary in their private chat: it does not verify there.
    # The same button signed for the secretary (as if the bot had sent it): only for admins.
    await preview(world)
    async with world.svc.transaction() as session:
        state = await session.get(ConversationState, ADMIN_ID)
    assert state is not None and state.flow == "calendar"
    own = world.emu.chat(SECRETARY.telegram_user_id).messages[-1]  # a message in their chat
    for owner, expected in (
        (ADMIN_ID, zh("This button is from an old message and no longer works.")),
        (SECRETARY.telegram_user_id, refused),
    ):
        data = world.svc.codec.pack(owner, "cal", "ok", state.version)
        answer = await press_alert(world, SECRETARY.telegram_user_id, own, data)
        assert answer.show_alert and answer.text == expected
    assert await stored_days(world) == 0


async def test_text_that_cannot_be_read_stores_nothing(world) -> None:
    start = await ask1(world, ADMIN_ID, "/calendar")
    assert PROMPT in start.text
    reply = await ask1(world, ADMIN_ID, "明年的放假安排出来了吗？")
    assert reply.text.startswith("⚠️ 未能找到通知的年份。")
    assert reply.text.endswith("未保存任何内容。请重新粘贴完整通知，或发送 /cancel。")
    assert not reply.buttons
    # Half the notice: the arrangements it names but does not give are listed.
    half = "\n".join(line for line in NOTICE_2027.splitlines() if not line.startswith("七、"))
    reply = await ask1(world, ADMIN_ID, half)
    assert "通知开头提到了国庆节，但未找到其具体安排。请提供完整通知。" in reply.text
    # A weekday that does not fit; what the admin typed is escaped, not taken as HTML.
    wrong = NOTICE_2027.replace("一、元旦：1月1日（周五）", "一、元旦<b>：1月1日（周四）")
    reply = await ask1(world, ADMIN_ID, wrong)
    assert "元旦<b>：通知写1月1日为周四，但2027年1月1日是周五。年份是否正确？" in reply.text
    # A sticker is not text.
    await world.user(ADMIN_ID).send_sticker()
    reply = await world.user(ADMIN_ID).reply(timeout=10)
    assert reply.text == "请粘贴通知文字，或发送 /cancel。"
    assert await stored_days(world) == 0
    # Still in the flow: the whole notice now reads.
    shown = await ask1(world, ADMIN_ID, NOTICE_2027)
    assert "从通知中读出的2027年节假日安排" in shown.text
    await ask1(world, ADMIN_ID, "/cancel")
    assert await stored_days(world) == 0


async def test_cancel_stores_nothing_and_the_old_button_is_dead(world) -> None:
    shown = await preview(world)
    cancelled = await press(world, ADMIN_ID, shown, "✖️ 取消")
    assert "✖️ 已取消，未保存任何内容。" in cancelled.text and not cancelled.buttons
    # The ✅ of that preview, pressed anyway (as from an old client), does nothing.
    data = next(d for row in shown.buttons for label, d in row if label == "✅ 保存")
    answer = await press_alert(world, ADMIN_ID, shown, data)
    assert answer.show_alert and answer.text == zh(
        "This button is from an old message and no longer works."
    )
    assert await stored_days(world) == 0
    assert not work_calendar(world.settings).knows(2027)


async def test_admins_are_reminded_once_from_1_december(world) -> None:
    world.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    await world.scheduler.tick()
    await world.scheduler.travel(datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI))
    assert not [t for t in texts(world, ADMIN_ID) if REMINDER in t]
    await world.scheduler.travel(datetime(2026, 12, 1, 0, 5, tzinfo=SHANGHAI))
    reminders = [t for t in texts(world, ADMIN_ID) if REMINDER in t]
    assert len(reminders) == 1
    assert "/calendar" in reminders[0] and "township-bot calendar import FILE" in reminders[0]
    # Later ticks, and a restarted scheduler (a fresh process), do not send it again.
    await world.scheduler.travel(datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI))
    world.scheduler._reminded_years.clear()
    await world.scheduler.tick()
    assert len([t for t in texts(world, ADMIN_ID) if REMINDER in t]) == 1
    async with world.svc.transaction() as session:
        keys = list(
            await session.scalars(
                select(OutboxMessage.key).where(OutboxMessage.job == "calendar_next_year")
            )
        )
    assert keys == [f"calendar-next-year:2027:{world.member_ids[ADMIN_ID]}"]


async def test_an_import_from_the_shell_reaches_the_running_bot(world) -> None:
    # `township-bot calendar import` runs in another process: it only writes the table.
    notice = parse_notice(NOTICE_2027)
    async with world.svc.transaction() as session:
        await calendar_db.store_days(
            session, notice.year, notice.days(), world.clock.now(), via="cli"
        )
    assert not work_calendar(world.settings).knows(2027)
    # The scheduler's next tick loads it, before deciding on the 1 December reminder.
    await world.scheduler.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    assert work_calendar(world.settings).knows(2027)
    assert not [t for t in texts(world, ADMIN_ID) if REMINDER in t]
