"""/disputes figures with their definitions and drill-down, by category and village;
/casebrief for the 政法联席会议; numbering under concurrent creation."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

from bot.cases import facts as case_facts
from bot.cases.rules import Action, ActionPayload, Tier
from tests.e2e.cases_helpers import SHANGHAI, db_act, db_register
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
SEC = SECRETARY.telegram_user_id


def day(month: int, d: int, year: int = 2026) -> datetime:
    return datetime(year, month, d, 10, 0, tzinfo=SHANGHAI)


async def seed(world) -> dict[str, str]:
    """Seven cases in known states (today is Monday 2026-11-23)."""
    a = await db_register(world, ZHOU, at=day(3, 2), village="东岭村")
    await db_act(world, a, ZHOU, Action.START_MEDIATION, at=day(3, 3))
    a = await db_act(
        world,
        a,
        ZHOU,
        Action.RESOLVE,
        ActionPayload(agreement_form="oral", summary="和解"),
        at=day(3, 5),
    )
    await db_act(world, a, ZHOU, Action.RECORD_FOLLOWUP, at=day(3, 12))
    b = await db_register(
        world, ZHOU, at=day(11, 2), village="西坡村", category="land_forest", source="walk_in"
    )
    await db_act(world, b, ZHOU, Action.START_MEDIATION, at=day(11, 3))
    c = await db_register(world, ZHOU, at=day(11, 16), village="东岭村")
    c = await db_act(world, c, ZHOU, Action.START_MEDIATION, at=day(11, 16))
    c = await db_act(world, c, ZHOU, Action.MARK_UNRESOLVED, ActionPayload(note="未果"))
    await db_act(world, c, ZHOU, Action.REFER, ActionPayload(referral_unit="police_station"))
    d = await db_register(
        world, ZHOU, at=day(11, 20), village="河口村", category="damages", tier=Tier.DIFFICULT
    )
    e = await db_register(world, ZHOU, village="东岭村", category="labour", source="walk_in")
    e = await db_act(world, e, ZHOU, Action.START_MEDIATION)
    await db_act(
        world,
        e,
        ZHOU,
        Action.RESOLVE,
        ActionPayload(agreement_form="written", summary="补发工资", amount_agreed=Decimal(3000)),
    )
    f = await db_register(world, ZHOU, at=day(12, 20, 2025), village="南沟村")
    await db_act(world, f, ZHOU, Action.START_MEDIATION, at=day(12, 21, 2025))
    g = await db_register(
        world, ZHOU, at=day(10, 1), village="沙河子村", category="marriage_family"
    )
    g = await db_act(world, g, ZHOU, Action.START_MEDIATION, at=day(10, 1))
    await db_act(world, g, ZHOU, Action.ESCALATE, ActionPayload(note="需书记协调"), at=day(10, 20))
    return {k: v.number for k, v in zip("abcdefg", [a, b, c, d, e, f, g], strict=True)}


def figure_line(label: str, value: str) -> str:
    return zh("{label}: {value}").format(label=zh(label), value=value)


async def test_year_figures_with_definitions(world) -> None:
    await seed(world)
    figures = await ask1(world, SEC, "/disputes")
    text = figures.text
    assert zh("Period: {span}").format(span="1月1日–11月23日") in text
    expected = {
        "Found by screening (排查发现)": "4",
        "Registered cases": "6",
        "Resolved": "1",
        "Awaiting 回访": "1",
        "In progress": "2",
        "Not resolved": "0",
        "Referred": "1",
        "Escalated": "1",
        "Overdue": "1",
        "Overdue backlog": "2",
        "Success rate": "25.0%（1/4）",
        "Closed in the period": "1",
    }
    for label, value in expected.items():
        assert figure_line(label, value) in text, label
    # Each figure states its definition.
    for definition in (
        "of those, agreement reached AND follow-up visit (回访) recorded",
        "cases registered in the period",
        "all cases overdue today, whenever registered",
    ):
        assert zh(definition) in text
    # Screening visits are not counted until visit logs exist: the stand-in is said so.
    assert (
        zh(
            "cases registered in the period whose source is 排查发现 (screening visits are "
            "counted here until visit logs are in use)"
        )
        in text
    )
    assert zh("By category") in text and zh("By village") in text
    assert (
        zh(
            "{name}: registered {registered}, resolved {resolved}, overdue {overdue}, "
            "success rate {rate}"
        ).format(name="东岭村", registered=3, resolved=1, overdue=0, rate="50.0%")
        in text
    )


async def test_each_figure_drills_down_to_its_cases(world) -> None:
    n = await seed(world)
    figures = await ask1(world, SEC, "/disputes year")
    checks = {
        f"🔎 {zh('Registered cases')} 6": {"a", "b", "c", "d", "e", "g"},
        f"🔎 {zh('Resolved')} 1": {"a"},
        f"🔎 {zh('Overdue backlog')} 2": {"b", "f"},
        f"🔎 {zh('Success rate')} 25.0%": {"a", "b", "c", "g"},
        f"🔎 {zh('Found by screening (排查发现)')} 4": {"a", "c", "d", "g"},
    }
    for label, keys in checks.items():
        drill = await press(world, SEC, figures, label)
        shown = {k for k, number in n.items() if number in drill.text}
        assert shown == keys, label
        figures = await press(world, SEC, drill, zh("◀️ Back to the figures"))
    # A drilled case opens its card (the secretary sees the parties).
    drill = await press(world, SEC, figures, f"🔎 {zh('Overdue')} 1")
    card = await press(world, SEC, drill, next(b for b in button_labels(drill) if n["b"] in b))
    assert n["b"] in card.text and "王五" in card.text


async def test_month_and_week_and_groups(world) -> None:
    n = await seed(world)
    month = await ask1(world, ZHOU, "/disputes month")
    assert figure_line("Registered cases", "4") in month.text
    assert figure_line("Success rate", "0.0%（0/2）") in month.text
    week = await press(world, ZHOU, month, zh("This week"))
    assert figure_line("Registered cases", "1") in week.text
    assert figure_line("Success rate", "—（0/0）") in week.text
    assert zh("Period: {span}").format(span="11月23日") in week.text  # one day, said once
    year = await press(world, ZHOU, week, zh("This year"))
    groups = await press(world, ZHOU, year, zh("🏘 By village"))
    assert "东岭村（3）" in button_labels(groups)
    drill = await press(world, ZHOU, groups, "东岭村（3）")
    assert {k for k, v in n.items() if v in drill.text} == {"a", "c", "e"}
    back = await press(world, ZHOU, drill, zh("◀️ Back to the figures"))
    groups = await press(world, ZHOU, back, zh("📂 By category"))
    drill = await press(world, ZHOU, groups, "邻里纠纷（2）")
    assert {k for k, v in n.items() if v in drill.text} == {"a", "c"}


async def test_brief_for_the_joint_meeting(world) -> None:
    n = await seed(world)
    brief = await ask1(world, SEC, "/casebrief")
    text = brief.text
    assert (
        zh(
            "As of {date}: {difficult} difficult, {overdue} overdue, {referred} referred, "
            "{escalated} escalated"
        ).format(date="11月23日", difficult=1, overdue=2, referred=1, escalated=1)
        in text
    )
    listed = {k for k, v in n.items() if v in text}
    assert listed == {"b", "c", "d", "f", "g"}
    # Most days past the deadline first: f (2025), then g, b, c, d.
    order = sorted(listed, key=lambda k: text.index(n[k]))
    assert order[0] == "f"
    assert "派出所" in text
    assert "王五" not in text


async def test_empty_brief_and_empty_figures(world) -> None:
    brief = await ask1(world, SEC, "/casebrief")
    assert (
        zh(
            "Nothing to bring to the meeting: no difficult, overdue, referred or escalated cases "
            "are open."
        )
        in brief.text
    )
    figures = await ask1(world, SEC, "/disputes")
    assert figure_line("Registered cases", "0") in figures.text


async def test_data_layer_figures_for_other_features(world) -> None:
    n = await seed(world)
    async with world.svc.transaction() as session:
        reminders = await case_facts.reminders_due(
            session, 1, datetime(2026, 11, 23).date(), world.settings
        )
        figures = await case_facts.member_case_figures(
            session,
            1,
            datetime(2026, 11, 1).date(),
            datetime(2026, 11, 23).date(),
            datetime(2026, 11, 23).date(),
        )
    kinds = {r.number: r.kind for r in reminders}
    # b and f are overdue by more than the escalation threshold (3 days); e awaits 回访
    # but only from 7 days after the resolution.
    assert kinds == {n["b"]: "escalation_due", n["f"]: "escalation_due"}
    zhou = world.member_ids[ZHOU]
    assert figures[zhou].registered == 4 and figures[zhou].overdue_now == 2


async def test_concurrent_creation_gets_distinct_consecutive_numbers(world) -> None:
    """30 creations at the same moment on separate sessions (and connections). PostgreSQL
    serialises them on the counter row; SQLite serialises writers."""
    users = [ZHOU, CADRE_LI.telegram_user_id, SEC] * 10
    created = await asyncio.gather(*(db_register(world, u) for u in users))
    numbers = sorted(c.number for c in created)
    assert numbers == [f"SHZ-2026-{i:04d}" for i in range(1, 31)]
