"""Approved leave and official duty are honoured exactly: for their days, in their township, in
/me, the scheduled reminders and the red/black lists' facts; a pending request exempts
nothing. 李春华 and 赵秀兰 are cadres of both townships: he is on leave all week in 大荆镇,
she from Wednesday to Friday in 沙河子镇."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import MemberRole, OutboxMessage
from bot.leave import queries as leave_db
from bot.lists.facts import database_facts
from bot.lists.periods import week_period
from bot.week.schedule import week_rules
from tests.conftest import SHANGHAI
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, CADRE_SUN, CADRE_ZHAO, SECRETARY, zh
from tests.reference_weeks import exempt_days_of

LI = CADRE_LI.telegram_user_id
ZHAO = CADRE_ZHAO.telegram_user_id
SUN = CADRE_SUN.telegram_user_id
MONDAY = date(2026, 11, 23)
FIELD_DAYS = "Field days: {done} of {required}"


async def townships(world) -> dict[str, int]:
    async with world.svc.transaction() as session:
        found = {code: await member_db.township_by_code(session, code) for code in ("SHZ", "DJH")}
    return {code: t.id for code, t in found.items() if t is not None}


async def leave(world, person: int, township: int, start: date, end: date, approved=True) -> None:
    async with world.svc.transaction() as session:
        await leave_db.create_leave(
            session,
            member_id=world.member_ids[person],
            township_id=township,
            kind="leave",
            start=start,
            end=end,
            reason="探亲",
            requested_by=world.member_ids[SECRETARY.telegram_user_id],
            now=world.clock.now(),
            approved=approved,
        )


async def setup(world) -> dict[str, int]:
    ids = await townships(world)
    async with world.svc.transaction() as session:
        for person in (LI, ZHAO):
            session.add(
                MemberRole(
                    member_id=world.member_ids[person],
                    township_id=ids["DJH"],
                    role="cadre",
                    joined_at=world.clock.now() - timedelta(days=60),
                )
            )
    await leave(world, LI, ids["DJH"], MONDAY, MONDAY + timedelta(days=4))
    await leave(world, ZHAO, ids["SHZ"], date(2026, 11, 25), date(2026, 11, 27))
    await leave(world, SUN, ids["SHZ"], MONDAY, MONDAY + timedelta(days=4), approved=False)
    return ids


async def me_in(world, user_id: int, township: str) -> str:
    tap = Tapper(world, user_id)
    switch = await tap.say("/township")
    await tap.press(switch, township)
    return str((await tap.say("/me")).text)


async def test_me_counts_leave_for_its_days_in_its_township(world) -> None:
    ids = await setup(world)
    assert zh("Nothing is required this week.") in await me_in(world, LI, "大荆镇")
    here = await me_in(world, LI, "沙河子镇")
    assert zh(FIELD_DAYS).format(done=0, required=3) in here
    assert zh("leave (请假)") not in here
    # Wednesday to Friday: 2 of 5 workdays left, round(3 x 2/5) = 1 field day.
    here = await me_in(world, ZHAO, "沙河子镇")
    assert zh(FIELD_DAYS).format(done=0, required=1) in here and zh("leave (请假)") in here
    there = await me_in(world, ZHAO, "大荆镇")
    assert zh(FIELD_DAYS).format(done=0, required=3) in there
    assert zh("leave (请假)") not in there
    # A pending request exempts nothing.
    pending = str((await Tapper(world, SUN).say("/me")).text)
    assert zh(FIELD_DAYS).format(done=0, required=3) in pending
    assert zh("awaiting approval") in pending

    async with world.svc.transaction() as session:
        weeks = {
            code: {
                member_id: [d.day for d in days]
                for member_id, days in (
                    await exempt_days_of(
                        session, tid, MONDAY, week_rules(world.settings, code), world.clock.now()
                    )
                ).items()
            }
            for code, tid in ids.items()
        }
    li, zhao, sun = (world.member_ids[p] for p in (LI, ZHAO, SUN))
    assert weeks["DJH"][li] == [MONDAY + timedelta(days=i) for i in range(5)]
    assert weeks["SHZ"][li] == [] and weeks["SHZ"][sun] == [] and weeks["DJH"][zhao] == []
    assert weeks["SHZ"][zhao] == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]


async def test_reminders_skip_leave_only_where_it_was_approved(world) -> None:
    ids = await setup(world)
    await world.scheduler.travel(datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI))  # the nudge
    await world.scheduler.travel(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))  # report opens
    async with world.svc.transaction() as session:
        sent = list(
            await session.execute(
                select(
                    OutboxMessage.job,
                    OutboxMessage.township_id,
                    OutboxMessage.member_id,
                    OutboxMessage.text,
                ).where(OutboxMessage.job.in_(["field_nudge", "report_open"]))
            )
        )
    li, zhao, sun = (world.member_ids[p] for p in (LI, ZHAO, SUN))
    got = {(job, township, member) for job, township, member, _ in sent}
    shz, djh = ids["SHZ"], ids["DJH"]
    for job in ("field_nudge", "report_open"):
        assert (job, shz, li) in got and (job, djh, li) not in got  # away all week in 大荆镇
        assert (job, shz, zhao) in got and (job, djh, zhao) in got
        assert (job, shz, sun) in got  # pending
    nudges = {(t, m): text for job, t, m, text in sent if job == "field_nudge"}
    so_far = "{name}, so far: {done} of {required} field days."
    assert zh(so_far).format(name=CADRE_ZHAO.name, done=0, required=1) in nudges[(shz, zhao)]
    assert zh(so_far).format(name=CADRE_ZHAO.name, done=0, required=3) in nudges[(djh, zhao)]


async def test_the_lists_judge_each_township_on_its_own_leave(world) -> None:
    ids = await setup(world)
    lists = database_facts(world.settings)
    async with world.svc.transaction() as session:
        weeks = {
            code: {
                w.member_id: w for w in await lists.member_weeks(session, tid, week_period(MONDAY))
            }
            for code, tid in ids.items()
        }
    li, zhao, sun = (world.member_ids[p] for p in (LI, ZHAO, SUN))
    assert weeks["DJH"][li].fully_exempt and weeks["DJH"][li].exempt_days == 5
    assert not weeks["SHZ"][li].fully_exempt and weeks["SHZ"][li].exempt_days == 0
    assert weeks["SHZ"][li].field_days_required == 3
    assert weeks["SHZ"][zhao].exempt_days == 3 and weeks["SHZ"][zhao].field_days_required == 1
    assert weeks["DJH"][zhao].exempt_days == 0 and weeks["DJH"][zhao].field_days_required == 3
    assert weeks["SHZ"][sun].exempt_days == 0 and weeks["SHZ"][sun].field_days_required == 3
