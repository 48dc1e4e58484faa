"""A cadre of two townships reports to each separately: /report asks which township (once
per chat), the card names it, its digest and figures see only what was recorded there."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import MemberRole, WeeklyReport
from bot.reports import queries as report_db
from devkit.sample import OTHER_PERSON
from tests.e2e.cadre_helpers import Tapper
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask1, press, zh
from tests.e2e.test_townships import SEVERAL, log_visit_in
from tests.e2e.test_weekly_jobs import at, mark_read, texts

LI = CADRE_LI.telegram_user_id
MONDAY = date(2026, 11, 23)
DRAFT = zh("Draft, not submitted yet.")


async def cadre_of_both(world) -> tuple[int, int]:
    """李春华, a cadre of 沙河子镇, seconded to 大荆镇 a month ago (judged there this week)."""
    async with world.svc.transaction() as session:
        shz = await member_db.township_by_code(session, "SHZ")
        djh = await member_db.township_by_code(session, "DJH")
        assert shz is not None and djh is not None
        session.add(
            MemberRole(
                member_id=world.member_ids[LI],
                township_id=djh.id,
                role="cadre",
                joined_at=world.clock.now() - timedelta(days=30),
            )
        )
    return shz.id, djh.id


async def test_each_township_gets_its_own_report(world) -> None:
    shz, djh = await cadre_of_both(world)
    await world.scheduler.tick()  # Monday 09:00
    await log_visit_in(world, djh, date(2026, 11, 24))
    await log_visit_in(world, shz, date(2026, 11, 25))
    await world.scheduler.travel(at(26, 15))
    await mark_read(world, LI)
    user = world.user(LI)

    # /report last asks which township, then runs on for the one chosen: last week's card.
    asked = await ask1(world, LI, "/report last")
    assert asked.text == zh(SEVERAL)
    await user.press(asked, "大荆镇")
    await user.wait_edit(asked, timeout=10)
    [last_week] = await user.replies(1, timeout=10)
    assert "大荆镇" in last_week.text and "11月16日" in last_week.text

    # The choice is remembered: /report is this week's card in 大荆镇, with its visit only.
    tap = Tapper(world, LI)
    card = await tap.say("/report")
    assert "大荆镇" in card.text and "11月23日" in card.text
    assert "西河村" in card.text and "沙河子村" not in card.text and "东岭村" not in card.text
    done = await tap.press(card, zh("✅ Submit"))
    assert zh("✅ Report submitted on time. You can still change it until the deadline.") in (
        done.text
    )

    # 沙河子镇 has its own report, still a draft, with its own visit.
    switch = await ask1(world, LI, "/township")
    await press(world, LI, switch, "沙河子镇")
    card = await tap.say("/report")
    assert "沙河子镇" in card.text and DRAFT in card.text
    assert "西河村" not in card.text
    # Text typed on it is kept for 沙河子镇, never the other township.
    asked = await tap.say("沙河子村路灯")
    await tap.press(asked, "➡️ 问题与需求")
    async with world.svc.transaction() as session:
        # This week's reports only (/report last made a draft for the week before), whatever
        # order the database returns rows in.
        this_week = select(WeeklyReport).where(WeeklyReport.week_start == MONDAY)
        reports = {r.township_id: r for r in await session.scalars(this_week)}
        counts = {tid: await report_db.report_counts(session, tid, MONDAY) for tid in (shz, djh)}
    assert reports[shz].first_submitted_at is None
    assert reports[shz].draft["问题与需求"] == "沙河子村路灯"
    assert reports[djh].first_submitted_at is not None and reports[djh].draft["问题与需求"] == ""
    assert counts == {shz: {"submitted": 0, "late": 0}, djh: {"submitted": 1, "late": 0}}

    # /me in each township, and each township's figures, see only its own report.
    shz_me = await ask1(world, LI, "/me")
    not_yet = zh("Report not submitted yet: deadline {deadline} ({left} left).").split("{")[0]
    assert "沙河子镇" in shz_me.text and not_yet in shz_me.text
    switch = await ask1(world, LI, "/township")
    await press(world, LI, switch, "大荆镇")
    djh_me = await ask1(world, LI, "/me")
    assert "大荆镇" in djh_me.text and zh("Report submitted on time ({at}).").split("{")[0] in (
        djh_me.text
    )
    await world.scheduler.travel(at(27, 19))
    [djh_status] = [
        t
        for t in texts(world, OTHER_PERSON.telegram_user_id)
        if zh("Weekly reports at the deadline") in t
    ]
    assert f"按时提交：{CADRE_LI.name}" in djh_status
    [djh_summary] = [
        t for t in texts(world, OTHER_PERSON.telegram_user_id) if zh("Weekly summary") in t
    ]
    assert "周报按时提交：1/1（100%）" in djh_summary
    [shz_status] = [
        t
        for t in texts(world, SECRETARY.telegram_user_id)
        if zh("Weekly reports at the deadline") in t
    ]
    assert "按时提交：无" in shz_status and CADRE_LI.name in shz_status
    [shz_summary] = [
        t for t in texts(world, SECRETARY.telegram_user_id) if zh("Weekly summary") in t
    ]
    assert "周报按时提交：0/5（0%）" in shz_summary
