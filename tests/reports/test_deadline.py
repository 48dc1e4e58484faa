"""One definition of on time, at the deadline's exact minute: the secretary's deadline status,
the cadre's reply, /me, the weekly summary, the lists' facts and the Monday agenda describe
each report the same way. The deadline (18:00) is a minute: a report first submitted during
it is on time; from 18:01 a first submission is late and one not in is missing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.week.facts import period_cadre_weeks
from bot.week.schedule import week_rules
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
from tests.e2e.test_weekly_jobs import at, log_visit, mark_read, texts, township_id
from tests.reference_weeks import cadre_weeks_straight

MONDAY = date(2026, 11, 23)
CADRES = [CADRE_LI, CADRE_WANG, CADRE_ZHAO, CADRE_SUN, MEDIATOR_ZHOU]
ON_TIME = zh("✅ Report submitted on time. You can still change it until the deadline.")
LATE = zh("⚠️ Report submitted after the deadline; it is recorded as late.")


async def submit(world, person) -> str:
    uid = person.telegram_user_id
    await mark_read(world, uid)
    card = await ask1(world, uid, "/report")
    return (await press(world, uid, card, zh("✅ Submit"))).text


async def me(world, person) -> str:
    await mark_read(world, person.telegram_user_id)
    return (await ask1(world, person.telegram_user_id, "/me")).text


def submitted(msgid: str, moment: datetime) -> str:
    return zh(msgid).format(at=f"11月27日（周五）{moment:%H:%M}")


async def test_the_deadline_minute_is_on_time_everywhere(world) -> None:
    await world.scheduler.tick()  # Monday 09:00
    for person in CADRES:
        await log_visit(world, person, date(2026, 11, 24), "沙河子村")
    await world.scheduler.travel(at(27, 17))
    assert ON_TIME in await submit(world, CADRE_LI)

    # 18:00:00: 王建军 submits, then the deadline status is taken, in the same minute.
    deadline = at(27, 18)
    world.clock.set(deadline)
    assert ON_TIME in await submit(world, CADRE_WANG)
    await world.scheduler.tick()
    [status] = [
        t
        for t in texts(world, SECRETARY.telegram_user_id)
        if zh("Weekly reports at the deadline") in t
    ]
    assert "5名干部中2名按时提交周报" in status
    assert f"按时提交：{CADRE_LI.name}、{CADRE_WANG.name}" in status
    assert (
        f"尚未提交（截止时间未过）：{CADRE_ZHAO.name}、{CADRE_SUN.name}、{MEDIATOR_ZHOU.name}"
        in status
    )
    assert "已逾期" not in status

    # 18:00:59: still the deadline's minute. 孙立新 is on time; 周桂芳 is not late yet.
    last_second = deadline + timedelta(seconds=59)
    world.clock.set(last_second)
    assert ON_TIME in await submit(world, CADRE_SUN)
    assert submitted("Report submitted on time ({at}).", last_second) in await me(world, CADRE_SUN)
    pending = zh("Report not submitted yet: deadline {deadline} ({left} left).").split("{")[0]
    assert pending in await me(world, MEDIATOR_ZHOU)

    # 18:01: the deadline has passed.
    late_minute = at(27, 18, 1)
    world.clock.set(late_minute)
    missing = zh(
        "Report not submitted; the deadline was {deadline}. You can still submit it "
        "(it will be marked late) with /report."
    ).split("{")[0]
    assert missing in await me(world, MEDIATOR_ZHOU)
    assert LATE in await submit(world, MEDIATOR_ZHOU)
    assert submitted("Report submitted late ({at}).", late_minute) in await me(world, MEDIATOR_ZHOU)
    assert submitted("Report submitted on time ({at}).", deadline) in await me(world, CADRE_WANG)
    closed = await ask1(world, CADRE_WANG.telegram_user_id, "/report")
    assert zh("The deadline has passed; this report can no longer be changed.") in closed.text

    # The 19:00 summary counts the same reports the same way.
    await world.scheduler.travel(at(27, 19))
    [summary] = [t for t in texts(world, SECRETARY.telegram_user_id) if zh("Weekly summary") in t]
    assert "周报按时提交：3/5（60%）；迟交1，缺交1" in summary

    # The lists judge the week in SQL; the week overview in Python: the same statuses.
    tid = await township_id(world)
    rules = week_rules(world.settings, "SHZ")
    as_of = datetime(2026, 11, 30, tzinfo=SHANGHAI)
    async with world.svc.transaction() as session:
        fast = await period_cadre_weeks(session, tid, [MONDAY], rules, as_of, final=True)
        straight = await cadre_weeks_straight(session, tid, [MONDAY], rules, as_of)
    names = {world.member_ids[p.telegram_user_id]: p.name for p in CADRES}
    statuses = {names[w.member_id]: w.report for w in fast}
    assert statuses == {
        CADRE_LI.name: "on_time",
        CADRE_WANG.name: "on_time",
        CADRE_SUN.name: "on_time",
        MEDIATOR_ZHOU.name: "late",
        CADRE_ZHAO.name: "missing",
    }
    assert fast == straight

    # And so does the Monday agenda.
    await world.scheduler.travel(at(30, 8))
    [agenda] = [
        t
        for t in texts(world, SECRETARY.telegram_user_id)
        if zh("Monday meeting agenda (周一例会)") in t
    ]
    assert "周报按时提交：3/5（60%）" in agenda
