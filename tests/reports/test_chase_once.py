"""催交 at the same moment: two secretaries press the button together, both past the check
for an earlier reminder before either has saved one. The database lets one press have the
week (a unique row per township and week): its secretary is told the reminder went out, the
other who sent it, and each cadre is reminded once."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.models import AuditEntry, OutboxMessage, ReportChase
from bot.reports import queries as report_db
from bot.reports.chase import CHASE_BUTTON
from devkit.sample import SamplePerson, seed_people
from tests.e2e.helpers import CADRE_WANG, SECRETARY, ask1, zh
from tests.e2e.test_weekly_jobs import at, mark_read

ZHANG = SECRETARY.telegram_user_id
WU = SamplePerson(1101, "吴副书记", ("secretary",))


async def test_two_presses_at_once_remind_once(world, monkeypatch: pytest.MonkeyPatch) -> None:
    async with world.svc.transaction() as session:
        world.member_ids.update(await seed_people(session, world.clock.now(), [WU]))
    world.emu.add_user(WU.telegram_user_id, WU.name)
    await world.scheduler.tick()
    await world.scheduler.travel(at(26, 12))  # Thursday: the report window is open
    secretaries = (ZHANG, WU.telegram_user_id)
    cards = []
    for user_id in secretaries:
        await mark_read(world, user_id)
        cards.append(await ask1(world, user_id, "/status"))
    await mark_read(world, CADRE_WANG.telegram_user_id)

    # Both presses read "no reminder yet" before either goes on.
    both_checked = asyncio.Barrier(2)
    check = report_db.chase_of
    first_checks = 0

    async def checked_together(*args: Any) -> Any:
        nonlocal first_checks
        found = await check(*args)
        if first_checks < 2:
            first_checks += 1
            await both_checked.wait()
        return found

    monkeypatch.setattr(report_db, "chase_of", checked_together)
    label = zh(CHASE_BUTTON)
    for user_id, card in zip(secretaries, cards, strict=True):
        await world.user(user_id).press(card, label)
    answers = [(await world.user(u).replies(1, timeout=30))[0].text for u in secretaries]

    sent = [a for a in answers if a.startswith("已向")]
    already = [a for a in answers if a.startswith("本周的催交提醒已由")]
    assert len(sent) == 1 and len(already) == 1, answers
    [reminder] = await world.user(CADRE_WANG.telegram_user_id).replies(1, timeout=30)
    assert "尚未提交" in reminder.text
    async with world.svc.transaction() as session:
        chases = list(await session.scalars(select(ReportChase)))
        audited = await session.scalar(
            select(func.count()).where(AuditEntry.action == "report_chase")
        )
        queued = await session.scalar(
            select(func.count()).where(OutboxMessage.job == "report_chase")
        )
    assert [(c.week_start, c.sent_by in world.member_ids.values()) for c in chases] == [
        (date(2026, 11, 23), True)
    ]
    reminded = re.search(r"已向\s*(\d+)\s*名", sent[0])
    assert audited == 1 and reminded is not None and queued == int(reminded.group(1))
    assert not world.user(CADRE_WANG.telegram_user_id).unread
