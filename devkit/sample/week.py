"""A week of visit logs, reports and leave for the sample township (demo and sandbox).

Seeds the week before `now`: the sample cadres' field visits, one approved leave, and
their Friday reports (on time, one late, one missing), with 问题与需求 items for the Monday
agenda. Everything goes through the data layer, as if typed in chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.db import members as member_db
from bot.leave import queries as leave_db
from bot.reports import queries as report_db
from bot.visits import queries as visit_db
from bot.week.schedule import week_rules
from bot.week.weeks import previous_week
from devkit.sample import PEOPLE, TOWNSHIP_CODE


@dataclass(frozen=True)
class SampleVisit:
    person: int  # telegram user id
    weekday: int  # 0 = Monday
    village: str
    activities: tuple[str, ...]
    screenings: int = 0
    problems: tuple[str, ...] = ()
    notes: str = ""


LI, WANG, ZHAO, SUN, ZHOU = (p.telegram_user_id for p in PEOPLE[1:6])

VISITS = [
    SampleVisit(LI, 0, "东岭村", ("听取民意", "政策宣传"), 1, ("帮助东岭村三组修复自来水管",)),
    SampleVisit(LI, 1, "沙河子村", ("矛盾化解",), 1, (), "调解两户宅基地边界纠纷，已达成协议"),
    SampleVisit(LI, 3, "东岭村", ("帮办实事",), 0, ("为独居老人代办医保报销",)),
    SampleVisit(WANG, 0, "西坡村", ("听取民意",)),
    SampleVisit(WANG, 2, "西坡村", ("助力发展",), 0, ("联系农技站指导核桃修剪",)),
    SampleVisit(ZHAO, 0, "河口村", ("政策宣传", "矛盾化解"), 2, ("协调河口村渡口安全护栏",)),
    SampleVisit(SUN, 1, "南沟村", ("听取民意",)),
    SampleVisit(ZHOU, 0, "沙河子村", ("矛盾化解",), 2),
    SampleVisit(ZHOU, 2, "沙河子村", ("矛盾化解", "帮办实事"), 1, ("帮助外出务工人员讨薪",)),
    SampleVisit(ZHOU, 4, "杨庄村", ("听取民意",), 1),
]

REPORTS = {
    LI: (
        "on_time",
        {
            "下周计划": "继续走访东岭村低保户；推进沙河子村道路硬化前期工作",
            "问题与需求": "1. 东岭村三组村道需要硬化\n2. 沙河子村缺少夜间路灯",
            "重点工作进展": "沙河子村道路硬化项目已完成测量",
        },
    ),
    WANG: ("late", {"下周计划": "走访西坡村五保户", "问题与需求": "灌溉水渠堵塞，需要清淤"}),
    ZHAO: ("on_time", {"下周计划": "销假后走访杨庄村", "问题与需求": "河口村渡口护栏老化"}),
    ZHOU: (
        "on_time",
        {"下周计划": "回访本周调解的纠纷", "重点工作进展": "矛盾纠纷排查 4 起，化解 4 起"},
    ),
    # 孙立新 submits nothing: his report is missing.
}


async def seed_week(
    session: AsyncSession, settings: Settings, now: datetime, member_ids: dict[int, int]
) -> date:
    """Seed the week before `now`; returns its Monday. `member_ids`: telegram id -> member."""
    township = await member_db.township_by_code(session, TOWNSHIP_CODE)
    assert township is not None, "sync_townships must run first"
    rules = week_rules(settings, TOWNSHIP_CODE)
    monday = previous_week(rules.current_week(now))
    villages = {v.name: v.id for v in await member_db.villages_of(session, township.id)}
    for visit in VISITS:
        day = monday + timedelta(days=visit.weekday)
        moment = datetime.combine(day, settings.report.open_time, tzinfo=rules.tz)
        await visit_db.create_visit(
            session,
            member_id=member_ids[visit.person],
            township_id=township.id,
            draft=visit_db.VisitDraft(
                village_id=villages[visit.village],
                visit_date=day,
                activities=visit.activities,
                dispute_screenings=visit.screenings,
                problems=visit.problems,
                notes=visit.notes,
            ),
            today=day,
            now=moment,
        )
    secretary = member_ids[PEOPLE[0].telegram_user_id]
    await leave_db.create_leave(
        session,
        member_id=member_ids[ZHAO],
        township_id=township.id,
        kind="leave",
        start=monday + timedelta(days=2),
        end=monday + timedelta(days=4),
        reason="家中老人住院陪护",
        requested_by=secretary,
        now=datetime.combine(monday, settings.report.open_time, tzinfo=rules.tz),
        approved=True,
    )
    window = rules.window(monday)
    if window is None:  # a week without workdays: no report was due
        return monday
    for person, (timing, texts) in REPORTS.items():
        member_id = member_ids[person]
        at = window.deadline - timedelta(hours=2)
        if timing == "late":
            at = window.deadline + timedelta(hours=15)
        report = await report_db.get_or_create_report(
            session,
            member_id=member_id,
            township_id=township.id,
            week_start=monday,
            sections=settings.report.sections,
            now=at,
        )
        await session.flush()
        draft = {name: "" for name in settings.report.sections}
        draft.update({k: v for k, v in texts.items() if k in draft})
        digest = settings.report.digest_section
        if digest:
            draft[digest] = "；".join(
                f"{(monday + timedelta(days=v.weekday)):%m-%d} {v.village}"
                for v in VISITS
                if v.person == person
            )
        await report_db.save_draft(session, report.id, draft, digest_auto=False, now=at)
        await report_db.submit_report(
            session,
            report.id,
            late=window.is_late(at),
            needs_section=settings.report.needs_section,
            submitted_by=member_id,
            now=at,
        )
    return monday
