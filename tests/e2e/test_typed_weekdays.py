"""A weekday typed where a day is asked for: a visit's day looks back (the last such day,
today included), leave looks ahead (the next one, today included)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core.models import FieldVisit, LeaveRequest
from tests.e2e.cadre_helpers import Tapper, at
from tests.e2e.helpers import CADRE_LI, SECRETARY, zh

LI = CADRE_LI.telegram_user_id


async def test_a_cadre_types_wednesday_for_a_visit_and_for_leave(world) -> None:
    world.clock.set(at(26, 10))  # Thursday
    tap = Tapper(world, LI)

    # The visit: 周三 is yesterday; next week's is outside the window, and said so.
    card = await tap.say("/visit")
    card = await tap.press(card, "东岭村")
    picker = await tap.press(card, "📅 " + zh("Earlier…"))
    assert (
        zh(
            "Which day was the visit? Tap a day, or type a date such as {example} or a weekday "
            "such as {weekday}. Visits can be logged up to {days} days back."
        ).format(example="11-23", weekday="周三", days=3)
        in picker.text
    )
    reply = await tap.say("下周三")
    assert (
        zh("{day} is outside the window: visits can be logged from {first} to {last}.").format(
            day="12月2日（周三）", first="11月23日（周一）", last="11月26日（周四）"
        )
        in reply.text
    )
    card = await tap.say("周三")
    assert "11月25日（周三）" in card.text and zh("backfilled") in card.text
    card = await tap.press(card, "⬜ 听取民意")
    await tap.press(card, zh("✅ Save"))
    async with world.svc.transaction() as session:
        visit = await session.scalar(select(FieldVisit))
    assert visit.visit_date == date(2026, 11, 25) and visit.backfilled is True

    # Leave: 周三 is next week's.
    kind = await tap.say("/leave")
    prompt = await tap.press(kind, zh("🏖 Leave (请假)"))
    assert "下周一" in prompt.text
    ask_reason = await tap.say("周三")
    assert "12月2日（周三）" in ask_reason.text
    confirm = await tap.say("参加县里培训")
    await tap.press(confirm, zh("✅ Send to the secretary"))
    request = await world.user(SECRETARY.telegram_user_id).reply(timeout=10)
    assert "12月2日（周三）" in request.text
    async with world.svc.transaction() as session:
        leave = await session.scalar(select(LeaveRequest))
    assert (leave.start_date, leave.end_date) == (date(2026, 12, 2), date(2026, 12, 2))
