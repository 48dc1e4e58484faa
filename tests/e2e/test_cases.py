"""Dispute cases through the chat: registration, the whole life of a case, every branch of the
workflow, and the append-only timeline."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.core.models import AuditEntry, DisputeCaseEvent, DisputeCaseParty
from tests.e2e.cases_helpers import case_row, number_in, register
from tests.e2e.helpers import (
    CADRE_LI,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask1,
    button_labels,
    press,
    zh,
)

ZHOU = MEDIATOR_ZHOU.telegram_user_id


def actions_on(card) -> set[str]:
    """The workflow buttons of a card (without phone numbers, timeline and refresh)."""
    return set(button_labels(card)) - {
        zh("📱 Phone numbers"),
        zh("📜 Full timeline"),
        zh("🔄 Refresh"),
    }


async def events_of(world, case_id: int) -> list[DisputeCaseEvent]:
    async with world.svc.transaction() as session:
        return list(
            await session.scalars(
                select(DisputeCaseEvent)
                .where(DisputeCaseEvent.case_id == case_id)
                .order_by(DisputeCaseEvent.id)
            )
        )


async def test_mediator_registers_a_case_step_by_step(world) -> None:
    card = await register(world, ZHOU)
    assert number_in(card) == "SHZ-2026-0001"
    assert (
        zh("✅ Case {number} registered. Deadline: {deadline}.").format(
            number="SHZ-2026-0001", deadline="11月30日"
        )
        in card.text
    )
    assert "张三（139****5678）、李四" in card.text
    assert "13912345678" not in card.text
    assert "东岭村" in card.text and "邻里纠纷" in card.text and "排查发现" in card.text
    assert "1.2万元" in card.text  # amounts as an official text writes them
    row = await case_row(world, "SHZ-2026-0001")
    assert (row.status, row.tier, row.people_count, row.amount_fen) == (
        "registered",
        "ordinary",
        3,
        1_200_000,
    )
    assert row.registered_on == date(2026, 11, 23) and row.deadline == date(2026, 11, 30)
    assert row.opened_by == world.member_ids[ZHOU]
    async with world.svc.transaction() as session:
        parties = list(
            await session.scalars(
                select(DisputeCaseParty)
                .where(DisputeCaseParty.case_id == row.id)
                .order_by(DisputeCaseParty.position)
            )
        )
        audit = list(await session.scalars(select(AuditEntry.details)))
    assert [(p.name, p.phone) for p in parties] == [("张三", "13912345678"), ("李四", None)]
    # Personal data never goes into the audit log.
    assert "张三" not in repr(audit) and "13912345678" not in repr(audit)
    [event] = await events_of(world, row.id)
    assert (event.action, event.from_status, event.to_status) == ("register", None, "registered")
    # A mediator may do everything the status allows.
    assert actions_on(card) == {
        zh("🤝 Start mediation"),
        zh("💴 Record relief (信访救助)"),
        zh("📝 Add a note"),
        zh("👤 Change mediator"),
    }


async def test_case_numbers_count_up_and_tier_sets_the_deadline(world) -> None:
    first = await register(world, ZHOU, tier="一般")
    second = await register(world, ZHOU, tier="疑难", amount=None)
    assert number_in(first) == "SHZ-2026-0001"
    assert number_in(second) == "SHZ-2026-0002"
    row = await case_row(world, "SHZ-2026-0002")
    assert row.tier == "difficult" and row.deadline == date(2026, 12, 23)
    assert row.amount_fen is None


async def test_whole_life_register_mediate_resolve_followup_close(world) -> None:
    card = await register(world, ZHOU)
    row = await case_row(world, number_in(card))
    card = await press(world, ZHOU, card, zh("🤝 Start mediation"))
    assert zh("✅ Mediation started.") in card.text
    assert zh("Mediator: {name}").format(name=MEDIATOR_ZHOU.name) in card.text
    assert actions_on(card) == {
        zh("✅ Agreement reached"),
        zh("❌ Not resolved"),
        zh("➡️ Refer to a 政法 unit"),
        zh("⬆️ Escalate to the secretary"),
        zh("💴 Record relief (信访救助)"),
        zh("📝 Add a note"),
        zh("👤 Change mediator"),
    }
    world.clock.advance(timedelta(days=2))
    prompt = await press(world, ZHOU, card, zh("✅ Agreement reached"))
    prompt = await press(world, ZHOU, prompt, zh("Written (书面)"))
    assert (
        zh("Please type a short summary of the agreement (at most {max} characters).").format(
            max=500
        )
        in prompt.text
    )
    await ask1(world, ZHOU, "双方同意以现有围墙为界，李四赔偿损失")
    await ask1(world, ZHOU, "5000")
    card = await ask1(world, ZHOU, "2000元")
    assert zh("✅ Agreement recorded. Record the follow-up visit (回访) to close the case.") in (
        card.text
    )
    assert zh("written agreement") in card.text and "5000元" in card.text and "2000元" in card.text
    assert actions_on(card) == {
        zh("💴 Record relief (信访救助)"),
        zh("📞 Record follow-up visit (回访)"),
        zh("🔄 Reopen"),
        zh("📝 Add a note"),
        zh("👤 Change mediator"),
    }
    world.clock.advance(timedelta(days=7))
    await press(world, ZHOU, card, zh("📞 Record follow-up visit (回访)"))
    card = await ask1(world, ZHOU, "回访：双方履行协议，关系和睦")
    assert zh("✅ Follow-up visit recorded; the case is closed.") in card.text
    assert zh("closed") in card.text
    assert actions_on(card) == {
        zh("💴 Record relief (信访救助)"),
        zh("🔄 Reopen"),
        zh("📝 Add a note"),
    }
    row = await case_row(world, row.number)
    assert row.status == "closed"
    assert (row.resolved_on, row.followup_on, row.closed_on) == (
        date(2026, 11, 25),
        date(2026, 12, 2),
        date(2026, 12, 2),
    )
    assert (row.agreement_form, row.amount_agreed_fen, row.amount_paid_fen) == (
        "written",
        500_000,
        200_000,
    )
    events = await events_of(world, row.id)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("register", None, "registered"),
        ("start_mediation", "registered", "mediating"),
        ("resolve", "mediating", "resolved"),
        ("record_followup", "resolved", "closed"),
    ]
    assert events[-1].note == "回访：双方履行协议，关系和睦"
    assert all(e.actor_member_id == world.member_ids[ZHOU] for e in events)
    timeline = await press_timeline(world, card)
    assert "回访：双方履行协议，关系和睦" in timeline.text


async def press_timeline(world, card):
    user = world.user(ZHOU)
    await user.press(card, zh("📜 Full timeline"))
    [message] = await user.replies(1, timeout=10)
    return message


async def test_not_resolved_then_referred_then_outcome_comes_back(world) -> None:
    card = await register(world, ZHOU)
    card = await press(world, ZHOU, card, zh("🤝 Start mediation"))
    await press(world, ZHOU, card, zh("❌ Not resolved"))
    card = await ask1(world, ZHOU, "双方分歧大，调解未果")
    assert zh("✅ Marked not resolved. Refer or escalate the case next.") in card.text
    assert zh("➡️ Refer to a 政法 unit") in actions_on(card)
    assert zh("✅ Agreement reached") not in actions_on(card)
    prompt = await press(world, ZHOU, card, zh("➡️ Refer to a 政法 unit"))
    assert button_labels(prompt)[:4] == ["派出所", "法庭", "司法所", "交警中队"]
    card = await press(world, ZHOU, prompt, "法庭")
    assert zh("✅ Referred.") in card.text
    assert "法庭" in card.text
    row = await case_row(world, number_in(card))
    assert (row.status, row.referral_unit) == ("referred", "court")
    # The court reports an agreement: resolved straight from referred.
    prompt = await press(world, ZHOU, card, zh("✅ Agreement reached"))
    await press(world, ZHOU, prompt, zh("Oral (口头)"))
    prompt = await ask1(world, ZHOU, "法庭调解达成一致")
    card = await press(world, ZHOU, prompt, zh("No amount"))
    row = await case_row(world, row.number)
    assert (row.status, row.agreement_form, row.amount_agreed_fen) == ("resolved", "oral", None)
    events = await events_of(world, row.id)
    assert [e.action for e in events] == [
        "register",
        "start_mediation",
        "mark_unresolved",
        "refer",
        "resolve",
    ]
    assert events[2].note == "双方分歧大，调解未果"
    assert events[-1].details["via"] == "referred"


async def test_escalate_relief_and_reopen(world) -> None:
    card = await register(world, ZHOU, tier="复杂")
    number = number_in(card)
    card = await press(world, ZHOU, card, zh("🤝 Start mediation"))
    await press(world, ZHOU, card, zh("⬆️ Escalate to the secretary"))
    card = await ask1(world, ZHOU, "涉及村集体土地，需书记协调")
    assert zh("✅ Escalated to the secretary.") in card.text
    # Relief (信访救助) for a family in difficulty, recorded twice.
    await press(world, ZHOU, card, zh("💴 Record relief (信访救助)"))
    card = await ask1(world, ZHOU, "2000")
    await press(world, ZHOU, card, zh("💴 Record relief (信访救助)"))
    card = await ask1(world, ZHOU, "¥1,500.50")
    assert "3500.50元" in card.text
    row = await case_row(world, number)
    assert (row.status, row.relief_total_fen, row.relief_count) == ("escalated", 350_050, 2)
    # The secretary takes it back to mediation with a reason; the deadline starts again.
    world.clock.advance(timedelta(days=20))
    secretary = await ask1(world, SECRETARY.telegram_user_id, f"/case {number}")
    await press(world, SECRETARY.telegram_user_id, secretary, zh("🔄 Reopen"))
    card = await ask1(world, SECRETARY.telegram_user_id, "书记协调后重新调解")
    assert zh("✅ Case reopened with a new deadline.") in card.text
    row = await case_row(world, number)
    assert (row.status, row.reopened_count) == ("mediating", 1)
    assert row.deadline == date(2026, 12, 13) + timedelta(days=15)
    assert row.escalated_on is None
    events = await events_of(world, row.id)
    assert [e.action for e in events][-1] == "reopen"
    assert events[-1].actor_member_id == world.member_ids[SECRETARY.telegram_user_id]
    assert events[-1].details["previous_status"] == "escalated"


async def test_note_and_change_of_mediator(world) -> None:
    card = await register(world, CADRE_LI.telegram_user_id)
    number = number_in(card)
    card = await ask1(world, ZHOU, f"/case {number}")
    prompt = await press(world, ZHOU, card, zh("👤 Change mediator"))
    assert button_labels(prompt)[0] == MEDIATOR_ZHOU.name
    card = await press(world, ZHOU, prompt, MEDIATOR_ZHOU.name)
    assert zh("✅ Mediator changed.") in card.text
    await press(world, ZHOU, card, zh("📝 Add a note"))
    card = await ask1(world, ZHOU, "已电话联系双方，约定周三见面")
    assert "已电话联系双方" in card.text
    row = await case_row(world, number)
    assert row.mediator_id == world.member_ids[ZHOU] and row.status == "registered"
    # Every action moves the version on, even one at the same instant that changes no field.
    assert row.version == 3


async def test_cancel_an_action_changes_nothing(world) -> None:
    card = await register(world, ZHOU)
    card = await press(world, ZHOU, card, zh("🤝 Start mediation"))
    prompt = await press(world, ZHOU, card, zh("⬆️ Escalate to the secretary"))
    card = await press(world, ZHOU, prompt, zh("✖️ Cancel"))
    row = await case_row(world, number_in(card))
    assert row.status == "mediating"
    assert len(await events_of(world, row.id)) == 2


async def test_lists_mine_open_overdue_and_by_village(world) -> None:
    first = number_in(await register(world, ZHOU, village="东岭村"))
    second = number_in(await register(world, ZHOU, village="西坡村"))
    world.clock.advance(timedelta(days=8))  # both ordinary: 7 days, now overdue
    third = number_in(await register(world, CADRE_LI.telegram_user_id, village="西坡村"))
    listing = await ask1(world, ZHOU, "/cases")
    assert zh("Cases not yet closed") in listing.text
    assert all(n in listing.text for n in (first, second, third))
    # Most urgent first.
    assert listing.text.index(first) < listing.text.index(third)
    mine = await press(world, ZHOU, listing, zh("👤 Mine"))
    assert first in mine.text and second in mine.text and third not in mine.text
    overdue = await press(world, ZHOU, mine, zh("⚠️ Overdue"))
    assert first in overdue.text and second in overdue.text and third not in overdue.text
    assert zh("⚠️ overdue by {days} days").format(days=1) in overdue.text
    picker = await press(world, ZHOU, overdue, zh("🏘 By village"))
    village = await press(world, ZHOU, picker, "西坡村")
    assert zh("Cases in {village}").format(village="西坡村") in village.text
    assert second in village.text and third in village.text and first not in village.text
    card = await press(world, ZHOU, village, next(b for b in button_labels(village) if third in b))
    assert number_in(card) == third


async def test_sample_cases_seed_a_ledger_in_several_states(world) -> None:
    from devkit.sample.cases import SAMPLE_CASES, seed_cases

    async with world.svc.transaction() as session:
        numbers = await seed_cases(session, world.settings, world.clock.now())
    assert len(numbers) == len(SAMPLE_CASES) == len(set(numbers))
    statuses = {(await case_row(world, n)).status for n in numbers}
    assert statuses == {"closed", "mediating", "referred", "registered", "escalated", "resolved"}
    figures = await ask1(world, SECRETARY.telegram_user_id, "/disputes")
    assert zh("{label}: {value}").format(label=zh("Registered cases"), value=8) in figures.text
