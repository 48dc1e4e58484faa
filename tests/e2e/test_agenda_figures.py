"""The Monday agenda and the summaries: who reads what, who is counted, and figures that add
up the same way in every message."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core.models import Member, MemberRole, ReportItem, ReportState, WeeklyReport
from bot.week.weeks import month_weeks
from devkit.sample import GROUP_CHAT_ID
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_SUN,
    CADRE_WANG,
    CADRE_ZHAO,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask1,
    zh,
)
from tests.e2e.test_weekly_jobs import (
    CADRES,
    approved_leave,
    at,
    log_visit,
    mark_read,
    texts,
    township_id,
)

AGENDA = "Monday meeting agenda (周一例会)"


async def submitted(world, member_id: int, week: date, at_: datetime, items: str = "") -> None:
    tid = await township_id(world)
    async with world.svc.transaction() as session:
        report = WeeklyReport(
            member_id=member_id,
            township_id=tid,
            week_start=week,
            status=ReportState.SUBMITTED,
            draft={"问题与需求": items},
            revision=1,
            first_submitted_at=at_,
            submitted_at=at_,
            late=False,
            created_at=at_,
            updated_at=at_,
        )
        session.add(report)
        await session.flush()
        if items:
            session.add(
                ReportItem(
                    report_id=report.id,
                    township_id=tid,
                    member_id=member_id,
                    week_start=week,
                    position=0,
                    text=items,
                )
            )


async def test_the_group_agenda_carries_figures_and_names_nobody(world) -> None:
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [p.telegram_user_id for p in CADRES])
    week = date(2026, 11, 23)
    for day in (23, 24, 25):
        await log_visit(
            world, CADRE_LI, date(2026, 11, day), "东岭村", screenings=1, problems=["修"]
        )
    await log_visit(world, CADRE_WANG, date(2026, 11, 24), "西坡村")
    await approved_leave(world, CADRE_ZHAO, date(2026, 11, 30), date(2026, 12, 2))
    li = world.member_ids[CADRE_LI.telegram_user_id]
    await submitted(world, li, week, at(27, 10), items="东岭村村道需要硬化")
    await world.scheduler.travel(at(30, 8))  # Monday 08:00: the agenda
    [group] = [t for t in texts(world, GROUP_CHAT_ID) if zh(AGENDA) in t]
    mine = next(t for t in texts(world, SECRETARY.telegram_user_id) if zh(AGENDA) in t)
    names = [p.name for p in (CADRE_LI, CADRE_WANG, CADRE_ZHAO, CADRE_SUN, MEDIATOR_ZHOU)]
    # The group sees the same figures, the items and the counts, and no name at all.
    assert "周报按时提交：1/5（20%）" in group and "周报按时提交：1/5（20%）" in mine
    assert "东岭村村道需要硬化" in group
    assert zh("Cadres below quota: {n} (the secretary has the names)").format(n=4) in group
    assert zh("Cadres on leave or official duty: {n}").format(n=1) in group
    assert not [name for name in names if name in group], group
    # The secretary's own copy names who fell short, who raised what and who is away.
    assert f"东岭村村道需要硬化 — {CADRE_LI.name}" in mine
    assert CADRE_SUN.name in mine.split(zh("Below quota:"))[1]
    assert CADRE_ZHAO.name in mine.split("四、本周请假或公务外出")[1]


async def test_a_cadre_who_joined_during_the_week_is_explained_not_silently_left_out(
    world,
) -> None:
    week = date(2026, 11, 23)
    tid = await township_id(world)
    async with world.svc.transaction() as session:
        newcomer = Member(
            telegram_user_id=3002,
            display_name="钱新来",
            language="zh_CN",
            created_at=at(25, 10),
        )
        session.add(newcomer)
        await session.flush()
        session.add(
            MemberRole(member_id=newcomer.id, township_id=tid, role="cadre", joined_at=at(25, 10))
        )
        newcomer_id = newcomer.id
    await submitted(world, newcomer_id, week, at(27, 9), items="河口村渡口需要护栏")
    li = world.member_ids[CADRE_LI.telegram_user_id]
    await submitted(world, li, week, at(27, 10))
    await world.scheduler.travel(at(30, 8))
    await mark_read(world, SECRETARY.telegram_user_id)
    agenda = (await ask1(world, SECRETARY.telegram_user_id, "/agenda")).text
    # Counted: the five cadres who were there all week; the newcomer is said to be left out,
    # and what they raised is on the agenda with everyone else's.
    assert "周报按时提交：1/5（20%）" in agenda
    assert zh("Cadres who joined during the week, not counted yet: {n}").format(n=1) in agenda
    assert "河口村渡口需要护栏 — 钱新来" in agenda


async def test_the_monthly_summary_adds_up_its_weeks(world) -> None:
    weeks = month_weeks(2026, 11)
    li = world.member_ids[CADRE_LI.telegram_user_id]
    wang = world.member_ids[CADRE_WANG.telegram_user_id]
    zhou = world.member_ids[MEDIATOR_ZHOU.telegram_user_id]
    for week in weeks:
        await submitted(world, li, week, datetime.combine(week, at(23, 10).timetz()))
    last = weeks[-1]
    friday_evening = datetime.combine(last + timedelta(days=4), at(23, 17).timetz())
    await submitted(world, wang, last, friday_evening)
    await submitted(world, zhou, last, friday_evening + timedelta(days=1))  # late
    await world.scheduler.travel(at(1, 10, month=12))  # the first workday of December
    secretary = texts(world, SECRETARY.telegram_user_id)
    weekly = [t for t in secretary if zh("Weekly summary") in t]
    assert "周报按时提交：2/5（40%）" in weekly[-1]  # the month's last week on its own
    monthly = next(t for t in secretary if zh("Monthly summary") in t)
    due, on_time = 5 * len(weeks), len(weeks) + 1
    # The month counts reports, one per cadre and week: its weeks' figures added up.
    assert f"应交{due}份，按时{on_time}份" in monthly
    assert "迟交1份" in monthly
