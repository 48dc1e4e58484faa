"""The lists' weekly rhythm, travelling the clock from Friday's report deadline through
Monday's meeting: the preview is prepared by the scheduler, everybody named is told once,
an objection is heard, publication is refused before the window ends and accepted at the
meeting."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.core.models import JobRun, RedBlackIssue
from bot.core.render import format_datetime
from devkit.sample import GROUP_CHAT_ID
from tests.conftest import SHANGHAI
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_WANG,
    CADRE_ZHAO,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    zh,
)
from tests.e2e.redblack_facts import FakeFacts, week_row

THIS_WEEK = date(2026, 11, 23)  # the test clock's week
TOLD = zh("You are named on the {list} preview").format(list=zh("black list"))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def texts(world, chat_id: int) -> list[str]:
    return [m.text or "" for m in world.emu.chat(chat_id).messages if not m.deleted]


async def read_all(world, user_id: int) -> None:
    user = world.user(user_id)
    if user.unread:
        await user.replies(len(user.unread))


async def previews(world) -> dict[str, RedBlackIssue]:
    async with world.svc.transaction() as session:
        rows = await session.scalars(select(RedBlackIssue).order_by(RedBlackIssue.id))
        return {i.period_key: i for i in rows if i.snapshot["township"]["code"] == "SHZ"}


async def test_friday_deadline_to_monday_meeting(world) -> None:
    ids = world.member_ids
    facts = FakeFacts().install(world)
    facts.weeks = [
        week_row(ids[CADRE_LI.telegram_user_id], THIS_WEEK, "on_time", 3),
        week_row(ids[CADRE_WANG.telegram_user_id], THIS_WEEK, "missing", 1),
        week_row(ids[CADRE_ZHAO.telegram_user_id], THIS_WEEK, "late", 3),
    ]
    sec, wang = SECRETARY.telegram_user_id, world.user(CADRE_WANG.telegram_user_id)
    await world.scheduler.tick()
    await world.scheduler.travel(at(27, 17, 59))
    assert await previews(world) == {}

    # Friday 18:00, the report deadline: the week closes, its preview is prepared (and the
    # month's, whose last week this is), and 王建军 is told at once, with the button.
    await world.scheduler.travel(at(27, 18))
    found = await previews(world)
    assert set(found) == {"2026-W48", "2026-11"}
    week = found["2026-W48"]
    assert week.status == "preview" and week.created_by is None
    # 48 hours (the configured window), which ends before Monday's meeting.
    assert week.objections_until == at(29, 18)
    told = [
        m for m in world.emu.chat(CADRE_WANG.telegram_user_id).messages if TOLD in (m.text or "")
    ]
    assert len(told) == 1 and button_labels(told[0]) == [zh("✋ Object")]
    until = format_datetime(at(29, 18), SHANGHAI, "zh_CN")
    assert until in (told[0].text or "")
    assert any(t.startswith("📋") for t in texts(world, CADRE_LI.telegram_user_id))
    assert not any(t.startswith("📋") for t in texts(world, CADRE_ZHAO.telegram_user_id))
    assert texts(world, GROUP_CHAT_ID) == []  # nothing public before publication

    # Saturday: the job does not run again, nobody is told twice.
    await world.scheduler.travel(at(28, 10))
    again = [t for t in texts(world, CADRE_WANG.telegram_user_id) if TOLD in t]
    assert len(again) == 1
    async with world.svc.transaction() as session:
        runs = (
            await session.scalars(
                select(JobRun.period).where(
                    JobRun.job == "lists_preview", JobRun.township_id == week.township_id
                )
            )
        ).all()
    assert sorted(runs) == ["2026-11", "2026-W48"]

    # 王建军 objects; the secretary is told and rejects it.
    await read_all(world, CADRE_WANG.telegram_user_id)
    await read_all(world, sec)
    await wang.press(told[0], zh("✋ Object"))
    await wang.replies(1, timeout=10)
    done = await ask1(world, CADRE_WANG.telegram_user_id, "周五下午在县里开会，周报已交纸质版")
    assert done.text == zh(
        "Your objection was recorded and the secretary was told. You will hear the decision."
    )
    [notice] = await world.user(sec).replies(1, timeout=10)
    await world.user(sec).press(notice, zh("❌ Reject"))
    [ask_note] = await world.user(sec).replies(1, timeout=10)
    await world.user(sec).press(ask_note, zh("Decide without a note"))
    await world.user(sec).wait_edit(ask_note, timeout=10)
    [decision] = await wang.replies(1, timeout=10)
    assert decision.text.startswith(
        zh(
            "Your objection was rejected: you stay on the list for {period}. "
            "Send /why for the facts."
        ).split("{")[0]
    )

    # Saturday still: publication is refused until the window ends, with the time it ends.
    refused = await ask1(world, sec, "/redblack publish")
    assert refused.text == str(
        zh("The objection window is open until {until}. The list can be published after it closes.")
    ).format(until=until)
    assert texts(world, GROUP_CHAT_ID) == []

    # Monday 08:00, the meeting: the list is published.
    await world.scheduler.travel(at(30, 8))
    await read_all(world, sec)
    before = len(texts(world, GROUP_CHAT_ID))
    _document, confirm = await ask(world, sec, "/redblack publish week", 2)
    assert confirm.text.startswith(
        zh("Published as issue {number} of {period} and posted to the township group chat.").split(
            "{"
        )[0]
    )
    posts = texts(world, GROUP_CHAT_ID)[before:]
    assert len(posts) == 1 and CADRE_WANG.name in posts[0] and CADRE_LI.name in posts[0]
    assert (await previews(world))["2026-W48"].status == "published"
    # Told once in all.
    assert len([t for t in texts(world, CADRE_WANG.telegram_user_id) if TOLD in t]) == 1
