"""Red and black lists end to end: preview, private notice, objection, decision, publication,
immutable snapshot, correction, history, /why, isolation and bad input."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.core.models import AuditEntry, RedBlackIssue, RedBlackObjection
from bot.lists.views import RULES_SHORT
from devkit.sample import GROUP_CHAT_ID, OTHER_PERSON
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_SUN,
    CADRE_WANG,
    CADRE_ZHAO,
    MEDIATOR_ZHOU,
    SECRETARY,
    ask,
    ask1,
    button_labels,
    press_alert,
    zh,
)
from tests.e2e.redblack_facts import WEEK, FakeFacts, week_row

OBJECT = zh("✋ Object")
RED = "🔴 " + zh("Red list (红榜)")
BLACK = "⚫ " + zh("Black list (黑榜)")


def facts_for(world) -> FakeFacts:
    ids = world.member_ids
    facts = FakeFacts().install(world)
    facts.weeks = [
        week_row(ids[CADRE_LI.telegram_user_id], WEEK, "on_time", 3),
        week_row(ids[CADRE_WANG.telegram_user_id], WEEK, "missing", 1),
        week_row(ids[CADRE_ZHAO.telegram_user_id], WEEK, "late", 3),
        week_row(
            ids[CADRE_SUN.telegram_user_id],
            WEEK,
            "exempt",
            0,
            field_days_required=0,
            screenings_required=0,
            problems_required=0,
            screenings_done=0,
            problems_done=0,
            exempt_days=5,
            fully_exempt=True,
        ),
        week_row(ids[MEDIATOR_ZHOU.telegram_user_id], WEEK, "on_time", 4),
    ]
    return facts


def group_texts(world) -> list[str]:
    return [m.text or "" for m in world.emu.chat(GROUP_CHAT_ID).messages if not m.deleted]


async def issues(world) -> list[RedBlackIssue]:
    async with world.svc.transaction() as session:
        return list(await session.scalars(select(RedBlackIssue).order_by(RedBlackIssue.id)))


async def test_preview_objection_publish_edit_correct_history(world) -> None:
    facts = facts_for(world)
    sec = SECRETARY.telegram_user_id
    lists, summary = await ask(world, sec, "/redblack preview week", 2)
    # Rules stated up front, then the lists with each listing's reasons.
    assert lists.text.index(zh("Rules")) < lists.text.index(RED)
    assert zh(RULES_SHORT).format(limit=7) in lists.text  # in short; the full text a tap away
    red_part = lists.text[lists.text.index(RED) : lists.text.index(BLACK)]
    black_part = lists.text[lists.text.index(BLACK) :]
    assert CADRE_LI.name in red_part and MEDIATOR_ZHOU.name in red_part
    assert CADRE_WANG.name in black_part and CADRE_WANG.name not in red_part
    assert "11月16日–22日" in black_part  # the week of the missing report
    assert CADRE_ZHAO.name not in lists.text.split(zh("Scoreboard"))[0]
    assert summary.text == zh("{n} members named on the lists were told privately.").format(n=3)
    # Named members are told privately, with why; others are not.
    [told] = await world.user(CADRE_WANG.telegram_user_id).replies(1, timeout=10)
    assert zh("You are named on the {list} preview").format(list=zh("black list")) in told.text
    assert zh("No weekly report for the week {week}").format(week="11月16日–22日") in told.text
    assert button_labels(told) == [OBJECT]
    assert world.emu.chat(CADRE_ZHAO.telegram_user_id).messages == []
    assert world.emu.chat(CADRE_LI.telegram_user_id).messages[-1].text.startswith("📋")

    # The secretary cannot publish while the window is open.
    reply = await ask1(world, sec, "/redblack publish")
    assert reply.text.startswith(
        zh(
            "The objection window is open until {until}. The list can be published after it closes."
        ).split("{")[0]
    )

    # 王建军 objects: a too-short reason is refused and saves nothing, then a real one.
    wang = world.user(CADRE_WANG.telegram_user_id)
    await wang.press(told, OBJECT)
    [prompt] = await wang.replies(1, timeout=10)
    assert "4–500" in prompt.text
    short = await ask1(world, CADRE_WANG.telegram_user_id, "不对")
    assert short.text == zh(
        "Please give a reason of at least {n} characters. Nothing was saved."
    ).format(n=4)
    async with world.svc.transaction() as session:
        assert (await session.scalars(select(RedBlackObjection))).all() == []
    done = await ask1(
        world, CADRE_WANG.telegram_user_id, "11月18日起我在县里参加培训，属<公务外出>"
    )
    assert done.text == zh(
        "Your objection was recorded and the secretary was told. You will hear the decision."
    )
    [notice] = await world.user(sec).replies(1, timeout=10)
    assert "<公务外出>" in notice.text and "&lt;公务外出&gt;" in notice.html
    assert button_labels(notice) == [zh("✅ Uphold"), zh("❌ Reject")]

    # After the window: still refused while the objection is open.
    world.clock.advance(timedelta(hours=49))
    reply = await ask1(world, sec, "/redblack publish")
    assert reply.text == zh(
        "Please decide the {n} open objections first (/object shows them)."
    ).format(n=1)

    # Uphold: 王建军 comes off the list, the decision is recorded and he is told.
    await world.user(sec).press(notice, zh("✅ Uphold"))
    [ask_note] = await world.user(sec).replies(1, timeout=10)
    assert zh("Upholding the objection from {name}.").format(name=CADRE_WANG.name) in ask_note.text
    decided = await press_and_edit(world, sec, ask_note, zh("Decide without a note"))
    assert CADRE_WANG.name in decided.text
    [decision] = await wang.replies(1, timeout=10)
    assert decision.text.startswith(
        zh("Your objection was upheld: you are taken off the list for {period}.").split("{")[0]
    )
    assert zh("The secretary's note: {note}").split("{")[0] not in decision.text
    async with world.svc.transaction() as session:
        objection = (await session.scalars(select(RedBlackObjection))).one()
        assert objection.status == "upheld" and objection.decided_by == world.member_ids[sec]
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"redblack.preview", "redblack.object", "redblack.objection.uphold"} <= actions
    # A second press on the same decision changes nothing.
    answer = await press_alert(world, sec, notice, notice.buttons[0][0][1])
    assert answer.text in (
        zh("This objection has already been decided."),
        zh("This button is from an old message and no longer works."),
    )

    # Publish: to the group chat, with the printable page for the secretary.
    confirm = await publish_ok(world, sec, "/redblack publish")
    assert confirm.text.startswith(
        zh("Published as issue {number} of {period} and posted to the township group chat.").split(
            "{"
        )[0]
    )
    [post] = group_texts(world)
    # A published list names only who is on it: nothing says who came off after an objection.
    assert CADRE_LI.name in post and zh("Taken off after an objection") not in post
    assert CADRE_WANG.name not in post.split(zh("Scoreboard"))[0]
    [first] = [i for i in await issues(world) if i.status == "published"]
    frozen = dict(first.snapshot)

    # Publishing twice is refused.
    again = await ask1(world, sec, "/redblack publish week")
    assert again.text == zh(
        "Issue {number} for {period} is already published; it is not published twice. "
        "To change it, use /redblack correct with the reason."
    ).format(number=1, period="2026年第47周（11月16日–22日）")
    assert len(group_texts(world)) == 1

    # Data edit: 赵秀兰's report was on time after all. The published snapshot does not move.
    facts.weeks = [
        w
        if w.member_id != world.member_ids[CADRE_ZHAO.telegram_user_id]
        else week_row(w.member_id, WEEK, "on_time", 3)
        for w in facts.weeks
    ]
    zhao_why = await ask1(world, CADRE_ZHAO.telegram_user_id, "/why")
    assert zh("From issue {number} as published.").format(number=1) in zhao_why.text
    assert zh("You are on neither list.") in zhao_why.text
    assert (
        zh("Late weekly report for the week {week}").format(week="11月16日–22日") in zhao_why.text
    )
    async with world.svc.transaction() as session:
        assert (await session.get(RedBlackIssue, first.id)).snapshot == frozen

    # Correction: needs a reason; then a new issue, both visible.
    empty = await ask1(world, sec, "/redblack correct")
    assert empty.text == zh(
        "Please state the reason for the correction, e.g. /redblack correct month "
        "王建军 was on approved leave in week 45. Nothing was changed."
    )
    assert len(await issues(world)) == 1
    confirm = await publish_ok(world, sec, "/redblack correct 赵秀兰周报实为按时提交")
    assert confirm.text == zh(
        "Correction published as issue {number} (replacing issue {old}) and posted to the "
        "township group chat. Both stay in /redblack history."
    ).format(number=2, old=1)
    posts = group_texts(world)
    assert len(posts) == 2 and "赵秀兰周报实为按时提交" in posts[1]
    assert CADRE_ZHAO.name in posts[1].split(BLACK)[0].split(RED)[1]
    [zhao_told] = await world.user(CADRE_ZHAO.telegram_user_id).replies(1, timeout=10)
    assert (
        zh("You are named on the {list} in the corrected issue {number}").format(
            list=zh("red list"), number=2
        )
        in zhao_told.text
    )
    old, new = await issues(world)
    assert (old.status, old.number, new.status, new.number) == ("superseded", 1, "published", 2)
    assert old.snapshot == frozen and new.reason == "赵秀兰周报实为按时提交"
    history = await ask1(world, sec, "/redblack history")
    assert zh("issue {number}").format(number=1) in history.text
    assert zh("issue {number}").format(number=2) in history.text
    assert zh("superseded") in history.text and "赵秀兰周报实为按时提交" in history.text
    shown = await press_reply(
        world, sec, history, zh("Show issue {number} · {key}").format(number=1, key="2026-W47")
    )
    assert CADRE_ZHAO.name not in shown.text.split(BLACK)[0].split(RED)[1]


async def press_and_edit(world, user_id: int, message, label: str):
    user = world.user(user_id)
    await user.press(message, label)
    return await user.wait_edit(message, timeout=10)


async def press_reply(world, user_id: int, message, label: str):
    user = world.user(user_id)
    await user.press(message, label)
    [reply] = await user.replies(1, timeout=10)
    return reply


async def publish_ok(world, user_id: int, command: str):
    """Publishing answers with the printable page (a document) and a confirmation."""
    user = world.user(user_id)
    await user.send(command)
    document, confirm = await user.replies(2, timeout=240)
    assert document.file is not None and document.file.file_name.endswith(".pdf")
    pdf = PdfReader(BytesIO(await user.download(document)))
    assert [round(float(x)) for x in pdf.pages[0].mediabox[2:]] == [595, 842]  # A4
    assert "沙河子镇" in pdf.pages[0].extract_text()
    return confirm


async def test_why_for_listed_and_unlisted_members(world) -> None:
    facts_for(world)
    li = await ask1(world, CADRE_LI.telegram_user_id, "/why week")
    assert (
        zh("Provisional: from the current data; nothing is published for this period.") in li.text
    )
    assert zh("You are on the red list.") in li.text
    met = zh("Field-day quota met in every one of {weeks} weeks ({days} field days in all)")
    # Stated once: as the reason, not again among the red list's conditions.
    assert li.text.count(met.format(weeks=1, days=3)) == 1
    lines = [line for line in li.text.splitlines() if line.startswith("✓")]
    assert lines and len(lines) == len(set(lines))
    sun = await ask1(world, CADRE_SUN.telegram_user_id, "/why")
    assert zh("You are on neither list.") in sun.text
    assert (
        zh("Not listed: on leave or official duty (or no workday) in all {weeks} weeks").format(
            weeks=1
        )
        in sun.text
    )
    assert (
        zh("Week {week}: exempt (leave, official duty or no workday), not counted").format(
            week="11月16日–22日"
        )
        in sun.text
    )
    wang = await ask1(world, CADRE_WANG.telegram_user_id, "/why 2026-W47")
    assert zh("You are on the black list.") in wang.text
    assert "（11月16日）" in wang.text  # the one field day, by date, in an aside not nested
    secretary = await ask1(world, SECRETARY.telegram_user_id, "/why")
    assert secretary.text == zh(
        "Only cadres are assessed for the red and black lists; you are not on them."
    )


BAD_PERIOD = (
    "I do not know the period “{word}”. Use week, month or quarter, or a key such as "
    "2026-W47, 2026-10 or 2026-Q4."
)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/redblack preview fortnight", zh(BAD_PERIOD).format(word="fortnight")),
        ("/redblack preview 2026-13", zh(BAD_PERIOD).format(word="2026-13")),
        ("/why someday", zh(BAD_PERIOD).format(word="someday")),
        (
            "/redblack publish",
            zh(
                "There is no preview to publish. Start with /redblack preview [week|month|quarter]."
            ),
        ),
        (
            "/redblack correct because of a data error",
            zh("There is no published list to correct. Nothing was changed."),
        ),
        (
            "/export year",
            zh("Usage: /export, then choose the period; or /export week, month or quarter"),
        ),
    ],
)
async def test_bad_input_gets_a_clear_reply_and_changes_nothing(world, command, expected) -> None:
    facts_for(world)
    user = CADRE_LI if command.startswith("/why") else SECRETARY
    reply = await ask1(world, user.telegram_user_id, command)
    assert reply.text == expected
    assert await issues(world) == []


async def test_cadre_cannot_use_secretary_commands(world) -> None:
    facts_for(world)
    for command in ("/redblack preview", "/redblack publish", "/export month"):
        reply = await ask1(world, CADRE_LI.telegram_user_id, command)
        assert reply.text == zh("Sorry, this is only for: {roles}.").format(
            roles="、".join([zh("secretary"), zh("admin")])
        )
    assert await issues(world) == []


async def test_objection_outside_the_window_and_by_unnamed_members(world) -> None:
    facts_for(world)
    await ask(world, SECRETARY.telegram_user_id, "/redblack preview", 2)
    [told] = await world.user(CADRE_WANG.telegram_user_id).replies(1, timeout=10)
    zhao = await ask1(world, CADRE_ZHAO.telegram_user_id, "/object 我也有意见")
    assert zhao.text == zh("You are not named on any list preview that is open for objections.")
    world.clock.advance(timedelta(hours=48, minutes=1))
    late = await ask1(world, CADRE_WANG.telegram_user_id, "/object 我当时在请假")
    assert late.text.startswith(
        zh("The objection window closed at {until}; objections are no longer taken.").split("{")[0]
    )
    await world.user(CADRE_WANG.telegram_user_id).press(told, OBJECT)
    [pressed] = await world.user(CADRE_WANG.telegram_user_id).replies(1, timeout=10)
    assert pressed.text == zh("The objection window has closed; objections are no longer taken.")
    async with world.svc.transaction() as session:
        assert (await session.scalars(select(RedBlackObjection))).all() == []


async def test_another_township_cannot_preview_publish_or_decide_ours(world) -> None:
    facts_for(world)
    other = OTHER_PERSON.telegram_user_id
    refused = await ask1(world, other, "/redblack preview week SHZ")
    assert refused.text == zh("You can only manage the lists of your own township.")
    assert await issues(world) == []
    await ask(world, SECRETARY.telegram_user_id, "/redblack preview", 2)
    [told] = await world.user(CADRE_WANG.telegram_user_id).replies(1, timeout=10)
    await ask1(world, CADRE_WANG.telegram_user_id, "/object 我当时在县里开会")
    [notice] = await world.user(SECRETARY.telegram_user_id).replies(1, timeout=10)
    [issue] = await issues(world)
    async with world.svc.transaction() as session:
        objection = (await session.scalars(select(RedBlackObjection))).one()
    # Their own township's list is theirs; ours is not, even with correctly signed buttons.
    own = await ask1(world, other, "/redblack history")
    for data in (
        world.svc.codec.pack(other, "rb", "dec", objection.id, "u"),
        world.svc.codec.pack(other, "rb", "show", issue.id),
    ):
        answer = await press_alert(world, other, own, data)
        assert answer.text == zh("You can only manage the lists of your own township.")
    # A forged button (bad signature) is refused as stale.
    forged = await press_alert(
        world, SECRETARY.telegram_user_id, notice, f"rb:dec:{objection.id}:u:AAAAAAAA"
    )
    assert forged.text == zh("This button is from an old message and no longer works.")
    # Their publish publishes nothing of ours.
    world.clock.advance(timedelta(hours=49))
    theirs = await ask1(world, other, "/redblack publish")
    assert theirs.text == zh(
        "There is no preview to publish. Start with /redblack preview [week|month|quarter]."
    )
    async with world.svc.transaction() as session:
        assert (await session.get(RedBlackObjection, objection.id)).status == "open"
    assert group_texts(world) == []
    assert told.text


async def test_a_rejected_objection_carries_the_secretarys_note(world) -> None:
    facts_for(world)
    sec = SECRETARY.telegram_user_id
    await ask(world, sec, "/redblack preview week", 2)
    wang = world.user(CADRE_WANG.telegram_user_id)
    await wang.replies(1, timeout=10)  # told he is named, with an Object button
    await ask1(world, CADRE_WANG.telegram_user_id, "/object 那周我在县里开会，周报补交了")
    [notice] = await world.user(sec).replies(1, timeout=10)
    await world.user(sec).press(notice, zh("❌ Reject"))
    [ask_note] = await world.user(sec).replies(1, timeout=10)
    assert zh("Rejecting the objection from {name}.").format(name=CADRE_WANG.name) in ask_note.text
    # A sticker is not a note, and too long a note is refused: nothing is decided yet.
    await world.user(sec).send_sticker()
    [not_text] = await world.user(sec).replies(1, timeout=10)
    assert not_text.text == zh("Please type the note as text, or tap “Decide without a note”.")
    refused = await ask1(world, sec, "长" * 301)
    assert refused.text == zh("The note is {n} characters long; please keep it to {max}.").format(
        n=301, max=300
    )
    async with world.svc.transaction() as session:
        assert (await session.scalars(select(RedBlackObjection))).one().status == "open"
    note = "会议通知显示<周五>上午已结束，周报仍可按时提交"
    done = await ask1(world, sec, note)
    assert (
        zh("Objection from {name} rejected: they stay on the list for {period}.").split("{")[0]
        in done.text
    )
    assert zh("Your note: {note}").format(note=note) in done.text
    [decision] = await wang.replies(1, timeout=10)
    assert decision.text.endswith(zh("The secretary's note: {note}").format(note=note))
    assert "&lt;周五&gt;" in decision.html
    async with world.svc.transaction() as session:
        objection = (await session.scalars(select(RedBlackObjection))).one()
    assert objection.status == "rejected" and objection.decision_note == note
    # The note step is over: the "decide without a note" button is now refused, and the
    # secretary's next message is not taken as a note.
    answer = await press_alert(world, sec, ask_note, ask_note.buttons[0][0][1])
    assert answer.text == zh("This objection has already been decided.")
    assert (await ask1(world, sec, "/help")).text != done.text
