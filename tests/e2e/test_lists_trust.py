"""The lists and the 擂台赛 on trust: nothing unpublished in a group, typed text echoed as text,
limits on what is typed, and a member of two townships judged by each on its own records."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.models import (
    LeaveRequest,
    MemberRole,
    RedBlackIssue,
    RedBlackObjection,
    Village,
    WeeklyReport,
)
from bot.lists.snapshot import listed
from bot.visits import queries as visit_db
from devkit.sample import GROUP_CHAT_ID, OTHER_PERSON
from tests.conftest import SHANGHAI
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_WANG,
    CADRE_ZHAO,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    press_alert,
    zh,
)
from tests.e2e.redblack_facts import WEEK, FakeFacts, week_row

SEC, WANG, LI = SECRETARY.telegram_user_id, CADRE_WANG.telegram_user_id, CADRE_LI.telegram_user_id
PRIVATE_ONLY = (
    "Please use /{command} in a private chat with me: the group never shows anyone's "
    "personal information."
)


def group_texts(world) -> list[str]:
    return [m.text or "" for m in world.emu.chat(GROUP_CHAT_ID).messages if not m.deleted]


def facts_for(world) -> FakeFacts:
    ids = world.member_ids
    facts = FakeFacts().install(world)
    facts.weeks = [
        week_row(ids[LI], WEEK, "on_time", 3),
        week_row(ids[WANG], WEEK, "missing", 1),
        week_row(ids[CADRE_ZHAO.telegram_user_id], WEEK, "late", 3),
    ]
    return facts


@pytest.mark.parametrize(
    "command", ["/redblack preview week", "/agenda", "/why", "/export week", "/object"]
)
async def test_unpublished_lists_are_never_shown_in_a_group(world, command) -> None:
    facts_for(world)
    world.emu.add_group(GROUP_CHAT_ID, "沙河子镇工作群", [SEC, WANG, LI])
    user = world.user(SEC if command != "/why" else WANG)
    await user.send_in_group(GROUP_CHAT_ID, command)
    [answer] = await world.emu.chat(GROUP_CHAT_ID).replies(1, timeout=10)
    name = command.split()[0][1:]
    assert answer.text == zh(PRIVATE_ONLY).format(command=name)
    assert button_labels(answer) == [zh("💬 Open a private chat")]
    # Nobody was named and nothing was prepared or told.
    for person in (CADRE_LI, CADRE_WANG, CADRE_ZHAO):
        assert person.name not in "".join(group_texts(world))
    assert world.emu.chat(WANG).messages == []


async def test_typed_reasons_and_notes_are_text_and_limited(world) -> None:
    facts_for(world)
    await ask(world, SEC, "/redblack preview week", 2)
    [told] = await world.user(WANG).replies(1, timeout=10)
    # Text where a tap on a decision is expected, and a reason over the limit.
    too_long = await ask1(world, WANG, "/object " + "长" * 501)
    assert too_long.text == zh("The reason is too long (at most {n} characters).").format(n=500)
    async with world.svc.transaction() as session:
        assert (await session.scalars(select(RedBlackObjection))).all() == []
    markup = "<b>不是我</b> & <a href='x'>链接</a>"
    done = await ask1(world, WANG, "/object " + markup)
    assert done.text == zh(
        "Your objection was recorded and the secretary was told. You will hear the decision."
    )
    [notice] = await world.user(SEC).replies(1, timeout=10)
    assert markup in notice.text and "&lt;b&gt;不是我&lt;/b&gt; &amp;" in notice.html
    # Someone else (the cadre named) cannot press the secretary's decision button.
    alert = await press_alert(world, WANG, notice, notice.buttons[0][0][1])
    assert alert.text == zh("This button is from an old message and no longer works.")
    async with world.svc.transaction() as session:
        assert (await session.scalars(select(RedBlackObjection))).one().status == "open"
    # An old objection button (a second objection) is refused with the reason.
    again = await world.user(WANG).press(told, zh("✋ Object"))
    assert again is not None
    [already] = await world.user(WANG).replies(1, timeout=10)
    assert already.text == str(
        zh("You have already objected to this list; the objection is {status}.")
    ).format(status=zh("open"))


async def test_a_correction_reason_is_shown_as_typed(world) -> None:
    facts_for(world)
    await ask(world, SEC, "/redblack preview week", 2)
    world.clock.advance(timedelta(hours=49))
    await ask(world, SEC, "/redblack publish", 2)
    refused = await ask1(world, SEC, "/redblack correct " + "错" * 501)
    assert refused.text == zh("The reason is too long (at most {n} characters).").format(n=500)
    reason = "赵秀兰<周报>按时 & 已核实"
    await ask(world, SEC, f"/redblack correct {reason}", 2)
    post = group_texts(world)[-1]
    assert reason in post
    html = world.emu.chat(GROUP_CHAT_ID).messages[-1].html
    assert "赵秀兰&lt;周报&gt;按时 &amp; 已核实" in html


async def test_arena_titles_and_notes_are_text_and_limited(world) -> None:
    add = await ask1(world, SEC, "/arena")
    user = world.user(SEC)
    await user.press(add, zh("➕ Add a key work item"))
    await user.replies(1, timeout=10)
    long_title = await ask1(world, SEC, "题" * 101)
    assert long_title.text == zh(
        "That is too long (at most {n} characters). Please try again."
    ).format(n=100)
    title = "<i>修路</i> & 架桥"
    await ask1(world, SEC, title)
    added, owners = await ask(world, SEC, "-", 2)
    assert added.text == zh("Key work item added. Now choose its owners.")
    assert title in owners.text and "&lt;i&gt;修路&lt;/i&gt; &amp; 架桥" in owners.html
    # A cadre cannot press the secretary's owner buttons.
    alert = await press_alert(world, LI, owners, owners.buttons[0][0][1])
    assert alert.text == zh("This button is from an old message and no longer works.")
    board = await ask1(world, SEC, "/arena")
    update = next(label for row in board.buttons for label, _ in row if "修路" in label)
    await user.press(board, update)
    await user.replies(1, timeout=10)
    refused = await ask1(world, SEC, "50 " + "注" * 501)
    assert refused.text == zh(
        "That is too long (at most {n} characters). Please try again."
    ).format(n=500)
    recorded, _board = await ask(world, SEC, "50 路基完成<一半>", 2)
    assert recorded.text == zh("Progress recorded: {percent}%.").format(percent=50)


# --- a member of two townships ------------------------------------------------------------


async def _both(world) -> tuple[int, int]:
    async with world.svc.transaction() as session:
        shz = await member_db.township_by_code(session, "SHZ")
        djh = await member_db.township_by_code(session, "DJH")
        assert shz is not None and djh is not None
        session.add(
            MemberRole(
                member_id=world.member_ids[LI],
                township_id=djh.id,
                role="cadre",
                joined_at=world.clock.now() - timedelta(days=60),
            )
        )
    return shz.id, djh.id


async def _record_in(world, township_id: int) -> None:
    """A full week in `township_id`: three field days, a screening, a problem solved and the
    report on time."""
    member_id = world.member_ids[LI]
    async with world.svc.transaction() as session:
        village = await session.scalar(
            select(Village.id).where(Village.township_id == township_id).limit(1)
        )
        for offset in range(3):
            day = WEEK + timedelta(days=offset)
            await visit_db.create_visit(
                session,
                member_id=member_id,
                township_id=township_id,
                draft=visit_db.VisitDraft(
                    village_id=village,
                    visit_date=day,
                    dispute_screenings=1,
                    problems=("修好水管",),
                ),
                today=day,
                now=datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(hours=10),
            )
        at = datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)
        session.add(
            WeeklyReport(
                member_id=member_id,
                township_id=township_id,
                week_start=WEEK,
                status="submitted",
                draft={},
                first_submitted_at=at,
                submitted_at=at,
                created_at=at,
                updated_at=at,
            )
        )


async def _leave_in(world, township_id: int, start: date, end: date) -> None:
    member_id = world.member_ids[LI]
    now = world.clock.now()
    async with world.svc.transaction() as session:
        session.add(
            LeaveRequest(
                member_id=member_id,
                township_id=township_id,
                kind="leave",
                start_date=start,
                end_date=end,
                reason="病假",
                status="approved",
                requested_by=member_id,
                decided_by=member_id,
                decided_at=now,
                created_at=now,
            )
        )


def _told(world) -> list[str]:
    return [m.text or "" for m in world.emu.chat(LI).messages if (m.text or "").startswith("📋")]


async def test_a_cadre_of_two_townships_is_judged_by_each_on_its_own_records(world) -> None:
    shz, djh = await _both(world)
    await _record_in(world, shz)
    # Leave taken in 大荆镇 does not excuse him in 沙河子镇.
    await _leave_in(world, djh, WEEK, WEEK + timedelta(days=1))
    await ask(world, SEC, "/redblack preview week", 2)
    [shz_told] = await world.user(LI).replies(1, timeout=10)
    assert zh("You are named on the {list} preview").format(list=zh("red list")) in shz_told.text
    assert "沙河子镇" in shz_told.text
    # 大荆镇 sees none of the visits or the report recorded for 沙河子镇: a missing report and
    # no field day there (the two days of leave there reduce the quota).
    await ask(world, OTHER_PERSON.telegram_user_id, "/redblack preview week", 2)
    [djh_told] = await world.user(LI).replies(1, timeout=10)
    assert "大荆镇" in djh_told.text
    assert zh("You are named on the {list} preview").format(list=zh("black list")) in djh_told.text
    assert zh("No weekly report for the week {week}").format(week="11月16日–22日") in (
        djh_told.text
    )
    assert (
        zh("Week {week}: no field day, {required} required").format(
            week="11月16日–22日", required=2
        )
        in djh_told.text
    )
    # Leave covering the whole week in 大荆镇 exempts him there, and only there.
    await _leave_in(world, djh, WEEK + timedelta(days=2), WEEK + timedelta(days=6))
    await ask(world, OTHER_PERSON.telegram_user_id, "/redblack preview week", 2)
    await ask(world, SEC, "/redblack preview week", 2)
    assert len(_told(world)) == 2  # told again in neither: 沙河子镇's listing has not changed
    async with world.svc.transaction() as session:
        issues = {
            i.township_id: i.snapshot
            for i in await session.scalars(
                select(RedBlackIssue).where(RedBlackIssue.period_key == "2026-W47")
            )
        }
    member_id = world.member_ids[LI]
    assert listed(issues[shz]).get(member_id) == "red"
    assert member_id not in listed(issues[djh])
    assert [r["code"] for r in issues[djh]["explanations"][str(member_id)]["reasons"]] == ["exempt"]
