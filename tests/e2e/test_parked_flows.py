"""An unfinished visit log, case registration or leave request is set aside, not lost, when the
user starts another command, and offered back when they start that flow again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.core.models import DisputeCase, FieldVisit, LeaveRequest, ParkedFlow
from tests.e2e.cadre_helpers import Tapper, at
from tests.e2e.cases_helpers import case_row, number_in, tier_button
from tests.e2e.helpers import CADRE_ZHAO, MEDIATOR_ZHOU, SECRETARY, button_labels, zh

ZHOU = MEDIATOR_ZHOU.telegram_user_id


async def _counts(world) -> tuple[int, int, int]:
    async with world.svc.transaction() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(FieldVisit)) or 0),
            int(await session.scalar(select(func.count()).select_from(DisputeCase)) or 0),
            int(await session.scalar(select(func.count()).select_from(ParkedFlow)) or 0),
        )


async def test_a_case_and_a_visit_log_interrupt_each_other_and_both_are_saved(world) -> None:
    zhou = Tapper(world, ZHOU)
    # A case registration, half typed in: the parties are entered.
    card = await zhou.say("/case new")
    card = await zhou.press(card, "东岭村")
    card = await zhou.press(card, "邻里纠纷")
    card = await zhou.press(card, "排查发现")
    await zhou.say("张三 13912345678\n李四")

    # A visit log starts meanwhile; the registration is set aside.
    visit = await zhou.say("/visit")
    visit = await zhou.press(visit, "沙河子村")
    visit = await zhou.press(visit, "⬜ 听取民意")
    assert await _counts(world) == (0, 0, 1)

    # Back to the registration: it continues where it was, with its parties.
    await world.user(ZHOU).send("/case new")
    notice = await world.user(ZHOU).reply(timeout=10)
    assert notice.text == zh("You have an unfinished case registration; here it is.")
    prompt = await world.user(ZHOU).reply(timeout=10)
    assert "张三（139****5678）、李四" in prompt.text
    card = await zhou.press(prompt, zh("✔️ Done"))
    await zhou.say("宅基地边界争议")
    await zhou.say("3")
    card = await zhou.say("5000")
    card = await zhou.press(card, tier_button(card, "一般"))
    saved = await zhou.press(card, zh("✅ Save"))
    row = await case_row(world, number_in(saved))
    assert row.people_count == 3 and row.amount_fen == 500_000

    # And the visit log, set aside by the registration, comes back with its activity.
    card = await zhou.say("/visit")
    assert card.text.startswith(zh("You have an unfinished visit log; here it is."))
    assert "沙河子村" in card.text and "☑️ 听取民意" in [
        label for row in card.buttons for label, _ in row
    ]
    await zhou.press(card, zh("✅ Save"))
    assert await _counts(world) == (1, 1, 0)

    # Nothing is left over: the next /visit and /case new start afresh.
    fresh = await zhou.say("/visit")
    assert not fresh.text.startswith(zh("You have an unfinished visit log; here it is."))
    assert "沙河子村" in [label for row in fresh.buttons for label, _ in row]
    await zhou.press(fresh, zh("✖️ Cancel"))
    fresh = await zhou.say("/case new")
    assert fresh.text == zh("New dispute case. Which village is it in?")


async def test_a_draft_set_aside_for_more_than_a_week_is_dropped(world) -> None:
    world.clock.set(at(23, 9))
    zhou = Tapper(world, ZHOU)
    visit = await zhou.say("/visit")
    visit = await zhou.press(visit, "沙河子村")
    await zhou.say("/leave")  # another flow: the visit log is set aside
    assert (await _counts(world))[2] == 1
    world.clock.set(at(23, 9).replace(day=30, hour=10))  # 7 days and an hour later
    fresh = await zhou.say("/visit")
    assert not fresh.text.startswith(zh("You have an unfinished visit log; here it is."))
    assert (await _counts(world))[2] == 0


async def test_cancel_discards_only_the_flow_at_hand(world) -> None:
    """Cancelling the registration does not bring back, or lose, the visit set aside."""
    zhou = Tapper(world, ZHOU)
    visit = await zhou.say("/visit")
    await zhou.press(visit, "沙河子村")
    card = await zhou.say("/case new")
    await zhou.press(card, zh("✖️ Cancel"))
    assert (await _counts(world))[2] == 1
    card = await zhou.say("/visit")
    assert card.text.startswith(zh("You have an unfinished visit log; here it is."))


async def test_case_new_in_the_middle_of_a_registration_offers_it_back(world) -> None:
    """As /visit does for a visit log: the registration under way is continued, not replaced
    by an empty one (✖️ Cancel, then /case new, starts afresh)."""
    zhou = Tapper(world, ZHOU)
    card = await zhou.say("/case new")
    card = await zhou.press(card, "东岭村")
    card = await zhou.press(card, "邻里纠纷")
    await world.user(ZHOU).send("/case new")
    notice = await world.user(ZHOU).reply(timeout=10)
    assert notice.text == zh("You have an unfinished case registration; here it is.")
    prompt = await world.user(ZHOU).reply(timeout=10)
    assert prompt.text == zh("Where did the case come from?")
    await zhou.press(prompt, zh("✖️ Cancel"))
    fresh = await zhou.say("/case new")
    assert fresh.text == zh("New dispute case. Which village is it in?")


async def test_the_scheduler_drops_drafts_never_taken_up(world) -> None:
    """A draft set aside and never asked for again (it may name a case's parties) is dropped
    once it is more than a week old, by the scheduler's hourly pass."""
    world.clock.set(at(23, 9))
    await world.scheduler.tick()
    zhou = Tapper(world, ZHOU)
    card = await zhou.say("/case new")
    card = await zhou.press(card, "东岭村")
    await zhou.say("/leave")  # the registration is set aside
    world.clock.set(at(27, 9))
    visit = await zhou.say("/visit")
    await zhou.press(visit, "沙河子村")
    await zhou.say("/leave")  # and, four days later, a visit log
    assert (await _counts(world))[2] == 2
    await world.scheduler.travel(at(30, 10))  # the registration is a week and an hour old
    async with world.svc.transaction() as session:
        kept = list(await session.scalars(select(ParkedFlow.flow)))
    assert kept == ["visit"]
    await world.scheduler.travel(at(4, 10, month=12))
    assert (await _counts(world))[2] == 0


async def _leave_rows(world) -> list[tuple[str, str, date, date]]:
    async with world.svc.transaction() as session:
        rows = await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id))
        return [(r.status, r.reason, r.start_date, r.end_date) for r in rows]


async def test_a_leave_request_with_its_reason_typed_survives_a_visit_log(world) -> None:
    zhao = Tapper(world, CADRE_ZHAO.telegram_user_id)
    kind = await zhao.say("/leave")
    await zhao.press(kind, zh("🏖 Leave (请假)"))
    await zhao.say("11-25 至 11-27")
    confirm = await zhao.say("家中老人住院")
    assert zh("✅ Send to the secretary") in button_labels(confirm)

    # A visit log meanwhile sets the request aside; it is saved on its own.
    visit = await zhao.say("/visit")
    visit = await zhao.press(visit, "河口村")
    visit = await zhao.press(visit, "⬜ 听取民意")
    assert (await _counts(world))[2] == 1

    # /leave offers the request back at its confirmation, the reason kept.
    again = await zhao.say("/leave")
    assert again.text.startswith(zh("You have an unfinished leave request; here it is."))
    assert "家中老人住院" in again.text and "11月25日" in again.text
    await zhao.press(again, zh("✅ Send to the secretary"))
    request = await world.user(SECRETARY.telegram_user_id).reply(timeout=10)
    assert "家中老人住院" in request.text
    assert [row[:2] for row in await _leave_rows(world)] == [("pending", "家中老人住院")]

    # The visit log set aside by /leave is still there too.
    card = await zhao.say("/visit")
    assert card.text.startswith(zh("You have an unfinished visit log; here it is."))
    await zhao.press(card, zh("✅ Save"))
    assert await _counts(world) == (1, 0, 0)


async def test_a_resumed_request_whose_days_no_longer_fit_asks_for_them_again(world) -> None:
    """Meanwhile the secretary recorded leave for the same days: the cadre is told why, picks
    other days, and the reason typed before is kept."""
    zhao = Tapper(world, CADRE_ZHAO.telegram_user_id)
    kind = await zhao.say("/leave")
    await zhao.press(kind, zh("🏖 Leave (请假)"))
    await zhao.say("11-25 至 11-27")
    await zhao.say("孩子生病")
    await zhao.say("/visit")  # the request is set aside at its confirmation
    secretary = Tapper(world, SECRETARY.telegram_user_id)
    who = await secretary.say("/leave")
    kind = await secretary.press(who, CADRE_ZHAO.name)
    await secretary.press(kind, zh("🏖 Leave (请假)"))
    await secretary.say("11-26")
    confirm = await secretary.say("区里通知")
    await secretary.press(confirm, zh("✅ Record as approved"))
    told = await zhao.user.reply(timeout=10)
    assert SECRETARY.name in told.text and "11月26日" in told.text

    again = await zhao.say("/leave")
    assert again.text.startswith(zh("You have an unfinished leave request; here it is."))
    assert (
        zh("There is already a request for {range} that overlaps these days.").split("{")[0]
        in again.text
    )
    confirm = await zhao.say("11-30")
    assert "孩子生病" in confirm.text and "11月30日" in confirm.text
    await zhao.press(confirm, zh("✅ Send to the secretary"))
    assert [row[:2] for row in await _leave_rows(world)] == [
        ("approved", "区里通知"),
        ("pending", "孩子生病"),
    ]


async def test_leave_again_in_the_middle_of_a_request_continues_it(world) -> None:
    """As /visit and /case new do; before the kind is chosen there is nothing to keep, and
    /leave starts afresh."""
    zhao = Tapper(world, CADRE_ZHAO.telegram_user_id)
    kind = await zhao.say("/leave")
    again = await zhao.say("/leave")
    assert again.text == kind.text
    await zhao.press(again, zh("🚗 Official duty (公务外出)"))
    dates = await zhao.say("/leave")
    assert dates.text.startswith(zh("You have an unfinished leave request; here it is."))
    reason = await zhao.say("11-25")
    assert "11月25日" in reason.text
    await zhao.press(reason, zh("✖️ Cancel"))
    fresh = await zhao.say("/leave")
    assert fresh.text == kind.text
    assert await _leave_rows(world) == []
