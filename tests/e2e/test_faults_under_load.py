"""Twenty cadres log visits and submit reports at once while the Bot API fails at random
(5xx, 429, timeouts, dropped connections). Whatever the bot confirmed to a user is stored
exactly once; nothing is half-written; a double tap never stores twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.models import FieldVisit, ReportItem, VisitProblem, WeeklyReport, WeeklyReportRevision
from bot.week.place import STALE
from devkit.sample import VILLAGES, SamplePerson, seed_people
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import zh
from tests.e2e.reliability import Outcome, PatientUser, labels, record_counts

CADRES = [
    SamplePerson(4001 + i, f"干部{i + 1:02d}", ("cadre",), (VILLAGES[i % len(VILLAGES)]["name"],))
    for i in range(20)
]
ACTIVITY = "听取民意"
SEED = 20261126
RATE = 0.08
SENDING = ["sendMessage", "editMessageText", "answerCallbackQuery"]
ATTEMPTS = 6
SECTION = "✏️ 问题与需求"
SECTION_SAVED = zh(
    "Saved in 【{section}】 ({count}/{limit} characters). Send more to add to it, or tap Done."
)
SAVED_IN_NEEDS = SECTION_SAVED.split("{count}")[0].format(section="问题与需求")
DONE_LABEL = zh("✔️ Done: back to the report")
VISIT_DONE = zh("✅ Visit logged.")
REPORT_DONE = zh("✅ Report submitted on time. You can still change it until the deadline.")
BACK = zh("◀️ Back")


@pytest.fixture
def settings_extra() -> dict[str, Any]:
    # A timed-out request costs the whole bot a read timeout: keep it short in the test. The
    # rate limiter paces every call (edits and answers too) while the emulator counts only
    # sends against Telegram's 30/s: a faster pace keeps the test short, and any real 429
    # it causes is one more fault.
    return {
        "telegram": {
            "request_timeout_seconds": 0.5,
            "flood_limits": {"messages_per_second": 90},
        }
    }


def problem_of(person: SamplePerson) -> str:
    return f"为{person.name}所在村修好水泵-{person.telegram_user_id}"


def need_of(person: SamplePerson) -> str:
    return f"{person.name}反映：村道需要硬化-{person.telegram_user_id}"


def is_card(message: Any) -> bool:
    return any(label.endswith(ACTIVITY) for label in labels(message))


async def log_visit(world: Any, person: SamplePerson, log: Counter[str]) -> str:
    """One visit with one problem, retrying like a real user; "confirmed" or "unconfirmed"."""
    user = PatientUser(world, person.telegram_user_id)
    village = person.villages[0]
    problem = problem_of(person)
    for _ in range(ATTEMPTS):
        got = await user.say("/visit", lambda m: is_card(m) or village in labels(m))
        if got.message is None:
            log["visit: no answer to /visit"] += 1
            continue
        card = got.message
        if not is_card(card):
            got = await user.press(card, village, is_card)
            if got.message is None:
                log[f"visit: village press gave {got.kind}"] += 1
                continue
            card = got.message
        if f"⬜ {ACTIVITY}" in labels(card):
            got = await user.press(card, f"⬜ {ACTIVITY}", lambda m: f"☑️ {ACTIVITY}" in labels(m))
            if got.message is None:
                log[f"visit: activity press gave {got.kind}"] += 1
                continue
            card = got.message
        if problem not in card.text:
            got = await user.press(card, zh("➕ Problem solved"), lambda m: BACK in labels(m))
            if got.message is None:
                log[f"visit: problem press gave {got.kind}"] += 1
                continue
            got = await user.say(problem, lambda m: is_card(m) and problem in m.text)
            if got.message is None:
                log["visit: no card after the problem text"] += 1
                continue
            card = got.message
        got = await user.press_twice(card, zh("✅ Save"), lambda m: VISIT_DONE in m.text)
        if got.message is not None or got.text == zh("Saved"):
            return "confirmed"
        log[f"visit: save gave {got.kind}"] += 1
        # The press was delivered; whether it was stored the user cannot tell. Pressing again
        # must not store a second log.
        again = await user.press(card, zh("✅ Save"), lambda m: VISIT_DONE in m.text)
        if again.message is not None:
            return "confirmed"
        return "unconfirmed"
    return "gave up"


async def submit_report(world: Any, person: SamplePerson, log: Counter[str]) -> str:
    user = PatientUser(world, person.telegram_user_id)
    need = need_of(person)
    for _ in range(ATTEMPTS):
        got = await user.say("/report", lambda m: SECTION in labels(m))
        if got.message is None:
            log["report: no answer to /report"] += 1
            continue
        preview = got.message
        if need not in preview.text:
            got = await user.press(preview, SECTION, lambda m: DONE_LABEL in labels(m))
            if got.message is None:
                log[f"report: section press gave {got.kind}"] += 1
                continue
            got = await user.say(need, lambda m: SAVED_IN_NEEDS in m.text)
            if got.message is None:
                log["report: no answer to the section text"] += 1
                continue
            got = await user.press(got.message, DONE_LABEL, lambda m: SECTION in labels(m))
            if got.message is None:
                log[f"report: done press gave {got.kind}"] += 1
                continue
            preview = got.message
            if need not in preview.text:
                log["report: text missing from the preview"] += 1
                continue
        got = await user.press_twice(preview, zh("✅ Submit"), lambda m: REPORT_DONE in m.text)
        if got.message is not None or got.text == zh("Submitted"):
            return "confirmed"
        log[f"report: submit gave {got.kind}"] += 1
        again: Outcome = await user.press(preview, zh("✅ Submit"), lambda m: REPORT_DONE in m.text)
        return "confirmed" if again.message is not None else "unconfirmed"
    return "gave up"


async def test_confirmed_submissions_survive_random_api_faults(world) -> None:
    async with world.svc.transaction() as session:
        ids = await seed_people(session, world.clock.now(), CADRES)
    for person in CADRES:
        world.emu.add_user(person.telegram_user_id, person.name)
    world.clock.set(at(26, 15))  # Thursday afternoon: visits and the report window are open
    emu = world.emu
    emu.faults.set_random_faults(
        RATE, kinds=("500", "502", "429", "timeout", "drop"), methods=SENDING, seed=SEED
    )
    # And a few on the update stream itself.
    emu.faults.inject("getUpdates", "502", 2)
    emu.faults.inject("getUpdates", "drop", 2)
    log: Counter[str] = Counter()

    async def cadre(person: SamplePerson) -> tuple[str, str]:
        visit = await log_visit(world, person, log)
        report = await submit_report(world, person, log)
        return visit, report

    outcomes = dict(zip(CADRES, await asyncio.gather(*(cadre(p) for p in CADRES)), strict=True))
    emu.faults.clear()

    visits_checked = reports_checked = 0
    async with world.svc.transaction() as session:
        for person, (visit_outcome, report_outcome) in outcomes.items():
            member_id = ids[person.telegram_user_id]
            visits = list(
                await session.scalars(select(FieldVisit).where(FieldVisit.member_id == member_id))
            )
            problems = {
                v.id: list(
                    await session.scalars(
                        select(VisitProblem.description).where(VisitProblem.visit_id == v.id)
                    )
                )
                for v in visits
            }
            # Never half-written: every stored log has its activity and its problem.
            for v in visits:
                assert v.activities == [ACTIVITY] and problems[v.id] == [problem_of(person)]
            if visit_outcome == "confirmed":
                assert len(visits) == 1, (person.name, visits)
            else:
                assert len(visits) <= 1, (person.name, visit_outcome, visits)
            visits_checked += len(visits)

            report = await session.scalar(
                select(WeeklyReport).where(WeeklyReport.member_id == member_id)
            )
            revisions = (
                list(
                    await session.scalars(
                        select(WeeklyReportRevision).where(
                            WeeklyReportRevision.report_id == report.id
                        )
                    )
                )
                if report
                else []
            )
            items = await session.scalar(
                select(func.count(ReportItem.id)).where(ReportItem.member_id == member_id)
            )
            if report_outcome == "confirmed":
                assert len(revisions) == 1, (person.name, revisions)
            else:
                assert len(revisions) <= 1, (person.name, report_outcome, revisions)
            for revision in revisions:
                assert need_of(person) in revision.sections["问题与需求"]
            assert items == len(revisions)  # the one 问题与需求 line, once per current revision
            reports_checked += len(revisions)

    visit_outcomes = Counter(v for v, _ in outcomes.values())
    report_outcomes = Counter(r for _, r in outcomes.values())
    record_counts(
        "faults_under_load",
        {
            "users": len(CADRES),
            "requests": sum(emu.stats.requests.values()),
            "faults_injected": dict(emu.stats.faults_injected),
            "visits": dict(visit_outcomes),
            "reports": dict(report_outcomes),
            "visit_rows_checked": visits_checked,
            "report_revisions_checked": reports_checked,
            "user_retries": dict(log),
            "losses": 0,
        },
    )
    assert sum(emu.stats.faults_injected.values()) >= 30
    assert visit_outcomes["gave up"] == report_outcomes["gave up"] == 0
    assert visit_outcomes["confirmed"] >= 15 and report_outcomes["confirmed"] >= 15


@pytest.mark.parametrize(
    ("method", "kind"), [("answerCallbackQuery", "drop"), ("editMessageText", "502")]
)
async def test_a_lost_confirmation_is_admitted_and_a_second_press_stores_nothing(
    world, method: str, kind: str
) -> None:
    person = SamplePerson(4100, "干部甲", ("cadre",), ("东岭村",))
    async with world.svc.transaction() as session:
        ids = await seed_people(session, world.clock.now(), [person])
    world.emu.add_user(person.telegram_user_id, person.name)
    user = PatientUser(world, person.telegram_user_id, wait=10)
    picker = (await user.say("/visit", lambda m: "东岭村" in labels(m))).message
    card = (await user.press(picker, "东岭村", is_card)).message
    card = (await user.press(card, f"⬜ {ACTIVITY}", is_card)).message
    # Every attempt (the first and two retries) to answer the Save press, or to show the
    # saved card, fails.
    world.emu.faults.inject(method, kind, 3)
    apology = zh(
        "Sorry, my last reply to you may have been lost because of a network problem with "
        "Telegram. What you did may already be saved: please check before doing it again."
    )
    got = await user.press(card, zh("✅ Save"), lambda m: apology in m.text)
    assert got.kind in ("alert", "message") and apology in (got.text or got.message.text)
    again = await user.press(card, zh("✅ Save"), lambda m: False)
    assert again.kind == "alert" and again.text == zh(STALE)
    listing = await user.say("/visits", lambda m: "东岭村" in m.text)
    assert listing.message is not None
    async with world.svc.transaction() as session:
        count = await session.scalar(
            select(func.count(FieldVisit.id)).where(
                FieldVisit.member_id == ids[person.telegram_user_id]
            )
        )
    assert count == 1
    assert world.emu.stats.faults_injected == {kind: 3}


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
async def test_a_flood_limit_on_the_answer_or_the_edit_is_waited_out(world, method: str) -> None:
    """Telegram answers 429 to edits and callback answers too: the bot waits the time asked
    and the user sees the saved card, not an apology that asks them to try again."""
    person = SamplePerson(4100, "干部甲", ("cadre",), ("东岭村",))
    async with world.svc.transaction() as session:
        await seed_people(session, world.clock.now(), [person])
    world.emu.add_user(person.telegram_user_id, person.name)
    user = PatientUser(world, person.telegram_user_id, wait=10)
    picker = (await user.say("/visit", lambda m: "东岭村" in labels(m))).message
    card = (await user.press(picker, "东岭村", is_card)).message
    card = (await user.press(card, f"⬜ {ACTIVITY}", is_card)).message
    world.emu.faults.inject(method, "429", 1, retry_after=1)
    got = await user.press(card, zh("✅ Save"), lambda m: VISIT_DONE in m.text)
    assert got.kind == "edit" and VISIT_DONE in got.message.text
    assert world.emu.stats.faults_injected == {"429": 1}
    assert [e[:2] for e in world.emu.stats.errors] == [(method, 429)]


async def test_a_flood_limit_too_long_to_wait_is_admitted_as_a_lost_reply(world) -> None:
    person = SamplePerson(4100, "干部甲", ("cadre",), ("东岭村",))
    async with world.svc.transaction() as session:
        ids = await seed_people(session, world.clock.now(), [person])
    world.emu.add_user(person.telegram_user_id, person.name)
    user = PatientUser(world, person.telegram_user_id, wait=10)
    picker = (await user.say("/visit", lambda m: "东岭村" in labels(m))).message
    card = (await user.press(picker, "东岭村", is_card)).message
    card = (await user.press(card, f"⬜ {ACTIVITY}", is_card)).message
    world.emu.faults.inject("editMessageText", "429", 1, retry_after=3600)
    apology = zh(
        "Sorry, Telegram asked the bot to wait about {minutes} min before it sends more, so "
        "my last reply to you was not shown. What you did may already be saved: please "
        "check before doing it again."
    ).format(minutes=60)
    got = await user.press(card, zh("✅ Save"), lambda m: apology in m.text)
    assert got.kind == "message" and apology in got.message.text
    async with world.svc.transaction() as session:
        count = await session.scalar(
            select(func.count(FieldVisit.id)).where(
                FieldVisit.member_id == ids[person.telegram_user_id]
            )
        )
    assert count == 1
