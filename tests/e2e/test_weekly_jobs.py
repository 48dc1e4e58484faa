"""Travelling through weeks with the injected clock: who receives which scheduled message."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import OutboxMessage
from bot.core.outbox import Outgoing, enqueue
from bot.leave import queries as leave_db
from bot.visits import queries as visit_db
from bot.visits.queries import VisitDraft
from devkit.sample import GROUP_CHAT_ID
from devkit.sample.cases import seed_cases
from tests.conftest import SHANGHAI
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_SUN,
    CADRE_WANG,
    CADRE_ZHAO,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask1,
    press,
    zh,
)

CADRES = [CADRE_LI, CADRE_WANG, CADRE_ZHAO, CADRE_SUN, MEDIATOR_ZHOU]


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def mark_read(world, user_id: int) -> None:
    """Consume what the scheduler sent, so the next reply read is the answer to the user."""
    user = world.user(user_id)
    if user.unread:
        await user.replies(len(user.unread))


def texts(world, chat_id: int) -> list[str]:
    return [m.text or "" for m in world.emu.chat(chat_id).messages if not m.deleted]


def count(world, chat_id: int, title_msgid: str) -> int:
    return sum(zh(title_msgid) in t for t in texts(world, chat_id))


async def township_id(world) -> int:
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
    return township.id


async def log_visit(world, person, day: date, village: str, screenings=0, problems=()) -> None:
    tid = await township_id(world)
    async with world.svc.transaction() as session:
        villages = {v.name: v.id for v in await member_db.villages_of(session, tid)}
        await visit_db.create_visit(
            session,
            member_id=world.member_ids[person.telegram_user_id],
            township_id=tid,
            draft=VisitDraft(villages[village], day, ("听取民意",), screenings, tuple(problems)),
            today=day,
            now=world.clock.now(),
        )


async def approved_leave(world, person, start: date, end: date) -> None:
    tid = await township_id(world)
    async with world.svc.transaction() as session:
        await leave_db.create_leave(
            session,
            member_id=world.member_ids[person.telegram_user_id],
            township_id=tid,
            kind="leave",
            start=start,
            end=end,
            reason="探亲",
            now=world.clock.now(),
            requested_by=world.member_ids[SECRETARY.telegram_user_id],
            approved=True,
        )


async def test_a_normal_week_from_monday_to_the_next_monday(world) -> None:
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [p.telegram_user_id for p in CADRES])
    await world.scheduler.tick()  # Monday 23 November, 09:00
    # 李春华 does her three field days early; 赵秀兰 is on leave all week.
    for day, village in ((23, "东岭村"), (24, "沙河子村"), (25, "东岭村")):
        await log_visit(
            world, CADRE_LI, date(2026, 11, day), village, screenings=1, problems=["修水管"]
        )
    await approved_leave(world, CADRE_ZHAO, date(2026, 11, 23), date(2026, 11, 27))
    await log_visit(world, CADRE_WANG, date(2026, 11, 24), "西坡村")

    await world.scheduler.travel(at(25, 15))  # Wednesday 15:00: the mid-week nudge
    nudge = "Field visits this week (每周下乡不少于3天)"
    assert count(world, CADRE_LI.telegram_user_id, nudge) == 0  # on track
    assert count(world, CADRE_ZHAO.telegram_user_id, nudge) == 0  # on leave
    wang = next(t for t in texts(world, CADRE_WANG.telegram_user_id) if zh(nudge) in t)
    assert "已下乡1天，要求3天" in wang and "下乡2天" in wang and "矛盾纠纷排查1次" in wang
    assert count(world, CADRE_SUN.telegram_user_id, nudge) == 1

    await world.scheduler.travel(at(26, 12))  # Thursday 12:00: the window opens
    opened = "Weekly report (周五交账)"
    assert [count(world, p.telegram_user_id, opened) for p in CADRES] == [1, 1, 0, 1, 1]

    # 李春华 submits with one tap; the others do not.
    await mark_read(world, CADRE_LI.telegram_user_id)
    preview = await ask1(world, CADRE_LI.telegram_user_id, "/report")
    await press(world, CADRE_LI.telegram_user_id, preview, zh("✅ Submit"))

    await world.scheduler.travel(at(27, 15))  # Friday 15:00: last call, only to those missing
    last_call = [
        p.name for p in CADRES if any("还未提交" in t for t in texts(world, p.telegram_user_id))
    ]
    assert last_call == [CADRE_WANG.name, CADRE_SUN.name, MEDIATOR_ZHOU.name]

    await world.scheduler.travel(at(27, 19))  # Friday 18:00 deadline summary, 19:00 weekly summary
    secretary = texts(world, SECRETARY.telegram_user_id)
    deadline = next(t for t in secretary if zh("Weekly reports at the deadline") in t)
    assert f"按时提交：{CADRE_LI.name}" in deadline
    assert "4名干部中1名按时提交周报" in deadline  # as the summary: 赵秀兰 was away
    # Taken at 18:00, within the deadline's minute: a report not in yet can still come in on
    # time, so nobody is called late yet.
    assert "尚未提交（截止时间未过）：" in deadline and CADRE_SUN.name in deadline
    assert "已逾期" not in deadline
    assert f"整周请假或公务外出：{CADRE_ZHAO.name}" in deadline
    summary = next(t for t in secretary if zh("Weekly summary") in t)
    assert "周报按时提交：1/4（25%）" in summary
    assert "下乡天数达标：1/4名干部（25%）" in summary

    await world.scheduler.travel(at(30, 8, month=11))  # Monday 08:00: the agenda
    agenda = next(
        t
        for t in texts(world, SECRETARY.telegram_user_id)
        if zh("Monday meeting agenda (周一例会)") in t
    )
    assert "会议日期：11月30日（周一）" in agenda and "11月23日–29日" in agenda
    assert "周报按时提交：1/4（25%）" in agenda
    assert "五、红黑榜" in agenda  # the secretary's copy carries the preview
    group = [t for t in texts(world, GROUP_CHAT_ID) if zh("Monday meeting agenda (周一例会)") in t]
    assert len(group) == 1 and "红黑榜" not in group[0]  # names go public only when published
    # Nothing was sent twice.
    for person in [*CADRES, SECRETARY]:
        bodies = texts(world, person.telegram_user_id)
        assert len(bodies) == len(set(bodies)), person.name


async def test_agenda_lists_needs_by_village_and_leave_this_week(world) -> None:
    from devkit.sample.week import seed_week

    async with world.svc.transaction() as session:
        await seed_week(session, world.settings, world.clock.now(), world.member_ids)
    await approved_leave(world, CADRE_WANG, date(2026, 11, 24), date(2026, 11, 25))
    await mark_read(world, SECRETARY.telegram_user_id)
    agenda = (await ask1(world, SECRETARY.telegram_user_id, "/agenda")).text
    needs = agenda.split("二、周报中反映的问题与需求")[1].split("三、")[0]
    assert "东岭村" in needs and "村道需要硬化" in needs and "沙河子村缺少夜间路灯" in needs
    assert "渡口护栏老化" in needs
    leave = agenda.split("四、本周请假或公务外出")[1]
    assert CADRE_WANG.name in leave and "11月24日–25日" in leave  # the month said once
    assert "会议日期：11月23日（周一）" in agenda  # asked on the meeting's Monday: today's
    refused = await ask1(world, CADRE_LI.telegram_user_id, "/agenda")
    assert refused.text.startswith("抱歉，此功能仅限")


async def test_agenda_asked_after_the_meeting_names_the_next_meeting(world) -> None:
    world.clock.set(at(26, 10))  # Thursday: this week's meeting is past
    await mark_read(world, SECRETARY.telegram_user_id)
    agenda = (await ask1(world, SECRETARY.telegram_user_id, "/agenda")).text
    assert "会议日期：11月30日（周一）" in agenda
    assert "11月26日" not in agenda
    assert "11月16日–22日" in agenda  # the week reported is still last week


async def test_friday_holiday_moves_the_deadline_and_silences_the_holiday(world) -> None:
    # Week of 21 September 2026: Friday 25 is the Mid-Autumn holiday.
    world.clock.set(at(21, 9, month=9))
    await world.scheduler.tick()
    await world.scheduler.travel(at(24, 12, month=9))
    await world.scheduler.travel(at(25, 23, month=9))
    secretary = texts(world, SECRETARY.telegram_user_id)
    deadline = [t for t in secretary if zh("Weekly reports at the deadline") in t]
    assert len(deadline) == 1
    opened = [
        t for t in texts(world, CADRE_SUN.telegram_user_id) if zh("Weekly report (周五交账)") in t
    ]
    assert "9月24日（周四）18:00" in opened[0]  # Thursday is the deadline
    assert not any("9月25日" in t for t in secretary)


async def test_makeup_saturday_is_the_deadline_and_the_meeting_moves(world) -> None:
    # National Day week ends; week of 5 October: first workday Thursday 8th, Saturday 10th 调休.
    world.clock.set(at(5, 9, month=10))
    await world.scheduler.tick()
    await world.scheduler.travel(at(8, 8, month=10))
    agendas = [
        t
        for t in texts(world, SECRETARY.telegram_user_id)
        if zh("Monday meeting agenda (周一例会)") in t
    ]
    assert len(agendas) == 1 and "10月8日（周四）" in agendas[0]
    await world.scheduler.travel(at(10, 18, month=10))
    opened = [
        t for t in texts(world, CADRE_SUN.telegram_user_id) if zh("Weekly report (周五交账)") in t
    ]
    assert "10月10日（周六）18:00" in opened[0]
    assert any(
        zh("Weekly reports at the deadline") in t for t in texts(world, SECRETARY.telegram_user_id)
    )


async def test_dispute_reminders_go_to_the_mediator_without_party_names(world) -> None:
    async with world.svc.transaction() as session:
        numbers = await seed_cases(session, world.settings, world.clock.now())
    await world.scheduler.tick()
    await world.scheduler.travel(at(24, 9))
    reminders = [
        t
        for t in texts(world, MEDIATOR_ZHOU.telegram_user_id)
        if zh("Dispute cases needing attention") in t
    ]
    assert len(reminders) == 1
    assert any(number in reminders[0] for number in numbers)
    from devkit.sample.cases import SAMPLE_CASES  # party names must never reach a reminder

    for case in SAMPLE_CASES:
        for name, phone in case.parties:
            assert name not in reminders[0] and (phone is None or phone not in reminders[0])
    # Daily on workdays only: Saturday brings nothing new.
    await world.scheduler.travel(at(28, 12))
    again = [
        t
        for t in texts(world, MEDIATOR_ZHOU.telegram_user_id)
        if zh("Dispute cases needing attention") in t
    ]
    assert len(again) <= 4  # Tue, Wed, Thu, Fri


async def test_a_failed_group_post_is_reported_to_the_secretaries_once_a_day(world) -> None:
    tid = await township_id(world)
    world.emu.remove_bot_from_group(GROUP_CHAT_ID)
    await world.scheduler.travel(at(30, 8))  # Monday 08:00: the agenda
    assert count(world, GROUP_CHAT_ID, "Monday meeting agenda (周一例会)") == 0
    async with world.svc.transaction() as session:
        row = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == GROUP_CHAT_ID, OutboxMessage.job == "monday_agenda"
            )
        )
    assert row.status == "failed" and "kicked" in row.last_error
    notices = [t for t in texts(world, SECRETARY.telegram_user_id) if "未能发到乡镇工作群" in t]
    assert len(notices) == 1
    assert notices[0].startswith("⚠️ 周一例会议程未能发到乡镇工作群")
    assert "bot was kicked from the group chat" in notices[0] and "自行转发" in notices[0]
    assert "<code>" not in notices[0]  # Telegram's answer is shown as code, not as tags
    # The secretary still has their own copy of the agenda to share.
    own = [
        t
        for t in texts(world, SECRETARY.telegram_user_id)
        if zh("Monday meeting agenda (周一例会)") in t and t not in notices
    ]
    assert len(own) == 1 and "会议日期：11月30日（周一）" in own[0]

    async with world.svc.transaction() as session:
        await enqueue(
            session,
            [
                # The same kind of post failing again that day: no second notice.
                Outgoing("t:again", "monday_agenda", GROUP_CHAT_ID, "again", township_id=tid),
                # A chat that is not the township's group: no notice at all.
                Outgoing("t:other", "redblack_publish", -100555, "elsewhere", township_id=tid),
            ],
            world.clock.now(),
        )
    await world.scheduler.sender.drain()
    notices = [t for t in texts(world, SECRETARY.telegram_user_id) if "未能发到乡镇工作群" in t]
    assert len(notices) == 1

    # Back in the group, posts go through again.
    world.emu.add_bot_to_group(GROUP_CHAT_ID)
    async with world.svc.transaction() as session:
        await enqueue(
            session,
            [Outgoing("t:back", "monday_agenda", GROUP_CHAT_ID, "back", township_id=tid)],
            world.clock.now(),
        )
    await world.scheduler.sender.drain()
    assert texts(world, GROUP_CHAT_ID)[-1] == "back"
