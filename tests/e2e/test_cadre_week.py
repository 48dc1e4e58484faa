"""A cadre's week through the emulator: visit logs with buttons (one with a location), /me
along the way, the Friday report pre-filled, submitted and revised, a late report from
another cadre, leave changing the quota, and restarts in the middle of a log and a report."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from bot.core.db import members as member_db
from bot.core.models import (
    AuditEntry,
    FieldVisit,
    LeaveRequest,
    Member,
    MemberRole,
    ReportItem,
    VisitProblem,
    WeeklyReport,
    WeeklyReportRevision,
)
from bot.leave import queries as leave_db
from bot.reports import queries as report_db
from bot.week import facts
from bot.week.place import STALE
from bot.week.quota import ExemptDay
from bot.week.schedule import week_rules
from tests.e2e.cadre_helpers import Tapper, at, log_visit, restarted
from tests.e2e.helpers import (
    CADRE_LI,
    CADRE_SUN,
    CADRE_WANG,
    CADRE_ZHAO,
    SECRETARY,
    ask1,
    button_labels,
    zh,
)
from tests.reference_weeks import exempt_days_of

MONDAY = date(2026, 11, 23)
LI = CADRE_LI.telegram_user_id


async def shz(world):
    async with world.svc.transaction() as session:
        return await member_db.township_by_code(session, "SHZ")


async def overview(world):
    township = await shz(world)
    async with world.svc.transaction() as session:
        weeks = await facts.cadre_weeks(
            session, township.id, MONDAY, week_rules(world.settings, "SHZ"), world.clock.now()
        )
    return {w.name: w for w in weeks}


async def exempt(world, name: str) -> tuple[ExemptDay, ...]:
    """The workdays of the week that count as exempt for the cadre `name`."""
    township = await shz(world)
    async with world.svc.transaction() as session:
        ids = {n: m for m, n in await facts.cadres_of(session, township.id)}
        days = await exempt_days_of(
            session, township.id, MONDAY, week_rules(world.settings, "SHZ"), world.clock.now()
        )
    return tuple(days[ids[name]])


async def test_a_full_week_of_a_cadre(world) -> None:
    li_id = world.member_ids[LI]
    # Monday: a visit to 东岭村 with a shared location, a screening and a problem solved.
    tap = Tapper(world, LI)
    picker = await tap.say("/visit")
    assert button_labels(picker)[:2] == ["沙河子村", "东岭村"]  # 包村 villages first
    card = await tap.press(picker, "东岭村")
    assert "东岭村" in card.text and "11月23日" in card.text
    card = await tap.press(card, "⬜ 听取民意")
    card = await tap.press(card, "⬜ 政策宣传")
    card = await tap.press(card, "➕")
    assert zh("Screenings: {n}").format(n=1) in button_labels(card)
    await tap.press(card, zh("➕ Problem solved"))
    card = await tap.say("帮助东岭村修复自来水管")
    assert "帮助东岭村修复自来水管" in card.text
    await world.user(LI).send_location(33.8795, 110.0110)  # about 70 m from the village point
    card = await world.user(LI).reply(timeout=10)
    assert zh("📍 Location received.") in card.text
    assert zh("Location checked: {distance} from the village").split("{")[0] in card.text
    saved = await tap.press(card, zh("✅ Save"))
    assert zh("✅ Visit logged.") in saved.text
    assert button_labels(saved) == [zh("✏️ Edit"), zh("🗑 Delete"), zh("📋 This week's logs")]
    async with world.svc.transaction() as session:
        visit = await session.scalar(select(FieldVisit).where(FieldVisit.member_id == li_id))
        assert visit.location_checked is True and 30 < visit.distance_m < 150
        assert visit.activities == ["听取民意", "政策宣传"] and visit.dispute_screenings == 1
        assert visit.backfilled is False and visit.visit_date == MONDAY
        problems = list(
            await session.scalars(
                select(VisitProblem.description).where(VisitProblem.visit_id == visit.id)
            )
        )
        assert problems == ["帮助东岭村修复自来水管"]

    me = await ask1(world, LI, "/me")
    assert zh("Field days: {done} of {required}").format(done=1, required=3) in me.text
    assert zh("Dispute screenings: {done} of {required}").format(done=1, required=1) in me.text
    assert (
        zh("Still needed this week: {items}.").format(items=zh("{n} field day(s)").format(n=2))
        in me.text
    )

    # Tuesday: the shortest log — village, one activity, save: three taps.
    world.clock.set(at(24, 16))
    saved, taps = await log_visit(world, LI, "沙河子村", ("矛盾化解",))
    assert taps == 3 and zh("✅ Visit logged.") in saved.text
    # Thursday: a village outside the 包村 list, found by typing part of its name; the
    # usual log with a screening and a problem takes five taps plus the typed text.
    world.clock.set(at(26, 10))
    tap = Tapper(world, LI)
    await tap.say("/visit")
    suggestions = await tap.say("西破村")  # a typo: near matches are offered
    assert "西坡村" in button_labels(suggestions)
    card = await tap.press(suggestions, "西坡村")
    card = await tap.press(card, "⬜ 帮办实事")
    card = await tap.press(card, "➕")
    await tap.press(card, zh("➕ Problem solved"))
    card = await tap.say("为困难户代办医保")
    await tap.press(card, zh("✅ Save"))
    assert tap.taps == 5

    me = await ask1(world, LI, "/me")
    assert zh("Field days: {done} of {required}").format(done=3, required=3) in me.text
    assert "东岭村" in me.text and "西坡村" in me.text and "11月26日" in me.text
    assert zh("Still needed this week: {items}.").split("{")[0] not in me.text
    opens = zh("Report: submission opens {opens}; deadline {deadline} ({left} left).")
    assert (
        opens.format(
            opens="11月26日（周四）12:00",
            deadline="11月27日（周五）18:00",
            left=zh("{days} d {hours} h").format(days=1, hours=8),
        )
        in me.text
    )

    # Thursday 15:00, in the window: 本周完成 is pre-filled; one tap submits.
    world.clock.set(at(26, 15))
    tap = Tapper(world, LI)
    preview = await tap.say("/report")
    assert "【本周完成】" in preview.text
    for expected in ("东岭村", "沙河子村", "西坡村", "帮助东岭村修复自来水管", "为困难户代办医保"):
        assert expected in preview.text
    done = await tap.press(preview, zh("✅ Submit"))
    assert tap.taps == 1
    assert zh("✅ Report submitted on time. You can still change it until the deadline.") in (
        done.text
    )

    # Before the deadline the report can still change: add 问题与需求 over two messages.
    section = await tap.press(done, "✏️ 问题与需求")
    assert zh("Your next message replaces this text; further messages are added to it.") in (
        section.text
    )
    await tap.say("1. 东岭村：村道需要硬化")
    saved = await tap.say("2. 缺少路灯，群众夜间出行不便")
    preview = await tap.press(saved, zh("✔️ Done: back to the report"))
    assert zh("You have changes that are not submitted yet.") in preview.text
    done = await tap.press(preview, zh("✅ Submit changes"))
    assert zh("✅ Changes submitted (revision {n}).").format(n=2) in done.text

    async with world.svc.transaction() as session:
        report = await session.scalar(select(WeeklyReport).where(WeeklyReport.member_id == li_id))
        assert report.revision == 2 and report.late is False
        revs = await report_db.revisions(session, report.id)
        assert [r.number for r in revs] == [1, 2]
        assert revs[0].sections["问题与需求"] == ""
        assert (
            revs[1].sections["问题与需求"]
            == "1. 东岭村：村道需要硬化\n2. 缺少路灯，群众夜间出行不便"
        )
        needs = await report_db.needs_by_village(session, report.township_id, MONDAY)
    # The first item names 东岭村; the second names none, and 李春华 looks after two
    # villages, so it is not tied to one.
    assert [(n.village, [i.text for i in n.items]) for n in needs] == [
        ("东岭村", ["东岭村：村道需要硬化"]),
        (None, ["缺少路灯，群众夜间出行不便"]),
    ]

    # After the deadline: no more changes.
    world.clock.set(at(27, 18, 1))
    closed = await ask1(world, LI, "/report")
    assert zh("The deadline has passed; this report can no longer be changed.") in closed.text
    assert button_labels(closed) == [zh("✖️ Close")]

    # Saturday: 王建军 submits late; it is accepted and flagged.
    world.clock.set(at(28, 10))
    wang = Tapper(world, CADRE_WANG.telegram_user_id)
    preview = await wang.say("/report")
    late_note = zh(
        "The deadline ({deadline}) has passed: a report submitted now is recorded as late."
    )
    assert late_note.split("{")[0] in preview.text
    await wang.press(preview, "✏️ 下周计划")
    saved = await wang.say("走访西坡村五保户")
    preview = await wang.press(saved, zh("✔️ Done: back to the report"))
    done = await wang.press(preview, zh("✅ Submit"))
    assert zh("⚠️ Report submitted after the deadline; it is recorded as late.") in done.text

    week = await overview(world)
    assert week["李春华"].report == "on_time" and week["李春华"].compliant
    assert week["王建军"].report == "late"
    assert week["赵秀兰"].report == "missing"
    assert week["李春华"].done.field_days == 3
    assert week["李春华"].field_day_dates == (
        MONDAY,
        date(2026, 11, 24),
        date(2026, 11, 26),
    )
    async with world.svc.transaction() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
        key_work = await report_db.section_texts(session, (await shz(world)).id, MONDAY, "下周计划")
    assert actions.count("visit.create") == 3
    assert {"report.submit", "report.revise"} <= set(actions)
    assert [(name, text) for _, name, text in key_work] == [("王建军", "走访西坡村五保户")]

    # The next Monday, /me last shows last week's result.
    world.clock.set(at(30, 9))
    last = await ask1(world, LI, "/me last")
    assert zh("Last week") in last.text
    assert zh("Field days: {done} of {required}").format(done=3, required=3) in last.text


async def test_edit_and_delete_own_logs_of_this_week(world) -> None:
    saved, _ = await log_visit(world, LI, "东岭村", ("听取民意",))
    tap = Tapper(world, LI)
    card = await tap.press(saved, zh("✏️ Edit"))
    assert zh("Editing the visit log") in card.text
    card = await tap.press(card, "⬜ 助力发展")
    card = await tap.press(card, f"⬜ {zh('Yesterday')}")
    saved = await tap.press(card, zh("✅ Save changes"))
    assert zh("✅ Changes saved.") in saved.text
    li_id = world.member_ids[LI]
    async with world.svc.transaction() as session:
        visit = await session.scalar(select(FieldVisit).where(FieldVisit.member_id == li_id))
        assert visit.activities == ["听取民意", "助力发展"]
        assert visit.visit_date == date(2026, 11, 22) and visit.backfilled is True
    # Sunday 22nd belongs to the previous week: /visits (this week) no longer lists it.
    listing = await ask1(world, LI, "/visits")
    assert zh("No visit logs yet this week. Send /visit to log one.") in listing.text

    saved, _ = await log_visit(world, LI, "沙河子村")
    confirm = await tap.press(saved, zh("🗑 Delete"))
    assert "沙河子村" in confirm.text
    gone = await tap.press(confirm, zh("🗑 Yes, delete"))
    assert zh("The visit log of {village} on {day} was deleted.").split("{")[0] in gone.text
    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(FieldVisit).where(FieldVisit.member_id == li_id)))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert sorted(r.deleted_at is not None for r in rows) == [False, True]
    assert {"visit.update", "visit.delete"} <= set(actions)
    # Pressing delete again (the old confirmation's button) does nothing more.
    answer = await tap.press_old(confirm, zh("🗑 Yes, delete"))
    assert answer.text == zh("That visit log no longer exists.")


async def test_leave_approval_lowers_the_quota(world) -> None:
    zhao = Tapper(world, CADRE_ZHAO.telegram_user_id)
    secretary = world.user(SECRETARY.telegram_user_id)
    kind = await zhao.say("/leave")
    prompt = await zhao.press(kind, zh("🏖 Leave (请假)"))
    assert "11-24" in prompt.text
    ask_reason = await zhao.say("11-25 至 11-27")
    assert "11月25日" in ask_reason.text and "–27日（周五）" in ask_reason.text
    confirm = await zhao.say("家中老人住院 <陪护> & 照料")
    assert zh("{n} workday(s)").format(n=3) in confirm.text
    await zhao.press(confirm, zh("✅ Send to the secretary"))
    request = await secretary.reply(timeout=10)
    assert CADRE_ZHAO.name in request.text and "家中老人住院 <陪护> & 照料" in request.text

    # Pending leave exempts nothing yet, and /me says it waits.
    me = await ask1(world, CADRE_ZHAO.telegram_user_id, "/me")
    assert zh("Field days: {done} of {required}").format(done=0, required=3) in me.text
    assert zh("awaiting approval") in me.text

    # A cadre cannot approve, even with a correctly signed button.
    other = world.user(CADRE_WANG.telegram_user_id)
    wang_msg = await ask1(world, CADRE_WANG.telegram_user_id, "/help")
    async with world.svc.transaction() as session:
        leave_id = await session.scalar(select(LeaveRequest.id))
    query = await other.press_data(
        wang_msg, world.svc.codec.pack(CADRE_WANG.telegram_user_id, "lv", "ok", leave_id)
    )
    assert (await other.callback_answer(query, timeout=10)).text == zh(
        "Only a secretary of this township can do that."
    )

    decided = await Tapper(world, SECRETARY.telegram_user_id).press(request, zh("✅ Approve"))
    assert zh("✅ Approved by {name}.").format(name=SECRETARY.name) in decided.text
    told = await world.user(CADRE_ZHAO.telegram_user_id).reply(timeout=10)
    assert SECRETARY.name in told.text
    # 3 of 5 workdays on leave: 2 available -> round(3 x 2/5) = 1 field day, 0 screenings.
    me = await ask1(world, CADRE_ZHAO.telegram_user_id, "/me")
    assert zh("Field days: {done} of {required}").format(done=0, required=1) in me.text
    assert zh("Dispute screenings: {done} of {required}").format(done=0, required=0) in me.text
    assert zh("leave (请假)") in me.text and zh("awaiting approval") not in me.text
    week = await overview(world)
    assert week["赵秀兰"].required.field_days == 1
    assert [d.day for d in await exempt(world, "赵秀兰")] == [
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 27),
    ]
    # A second press on the old buttons (or a second secretary) changes nothing.
    reject_data = dict(request.buttons[0])[zh("❌ Reject")]
    query = await secretary.press_data(decided, reject_data)
    assert (await secretary.callback_answer(query, timeout=10)).text == zh(
        "This request was already decided."
    )
    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(LeaveRequest)))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert [(r.status, r.decided_by) for r in rows] == [
        ("approved", world.member_ids[SECRETARY.telegram_user_id])
    ]
    assert {"leave.request", "leave.approve"} <= set(actions)


async def _approved_leave(world, person, start: date, end: date) -> int:
    township = await shz(world)
    async with world.svc.transaction() as session:
        return await leave_db.create_leave(
            session,
            member_id=world.member_ids[person.telegram_user_id],
            township_id=township.id,
            kind="leave",
            start=start,
            end=end,
            reason="事假",
            requested_by=world.member_ids[SECRETARY.telegram_user_id],
            now=world.clock.now(),
            approved=True,
        )


def _withdraw_button(message) -> str:  # type: ignore[no-untyped-def]
    labels = [label for label in button_labels(message) if label.startswith("↩️")]
    assert len(labels) == 1, labels
    return labels[0]


def _what(button: str) -> str:
    """The request a withdraw button names ("请假 11月25日（周三）–27日（周五）")."""
    prefix = zh("↩️ Withdraw: {what}").split("{")[0]
    assert button.startswith(prefix)
    return button[len(prefix) :]


async def test_a_cadre_withdraws_leave_or_ends_it_early(world) -> None:
    zhao = Tapper(world, CADRE_ZHAO.telegram_user_id)
    secretary = world.user(SECRETARY.telegram_user_id)
    # A pending request, withdrawn before the secretary decides.
    kind = await zhao.say("/leave")
    assert zh("Your requests not yet over:") not in kind.text
    await zhao.press(kind, zh("🏖 Leave (请假)"))
    await zhao.say("11-25 至 11-27")
    confirm = await zhao.say("家中有事")
    await zhao.press(confirm, zh("✅ Send to the secretary"))
    request = await secretary.reply(timeout=10)
    kind = await zhao.say("/leave")
    assert (
        zh("Your requests not yet over:") in kind.text and zh("waiting for approval") in kind.text
    )
    question = await zhao.press(kind, _withdraw_button(kind))
    assert question.text == zh("Withdraw {what}?").format(what=_what(_withdraw_button(kind)))
    kept = await zhao.press(question, zh("Keep it"))
    assert kept.text.startswith(zh("Kept: {what}.").split("{")[0])
    kind = await zhao.say("/leave")
    question = await zhao.press(kind, _withdraw_button(kind))
    done = await zhao.press(question, zh("↩️ Yes, withdraw"))
    assert done.text == zh("Withdrawn: {what}.").format(what=_what(_withdraw_button(kind)))
    told = await secretary.reply(timeout=10)
    assert told.text == zh("{name} withdrew their {kind} for {range}.").format(
        name=CADRE_ZHAO.name,
        kind=zh("leave (请假)"),
        range=_what(_withdraw_button(kind)).split(" ", 1)[1],
    )
    # The secretary's buttons and the old confirmation no longer do anything.
    approve = Tapper(world, SECRETARY.telegram_user_id)
    assert (await approve.press_alert(request, zh("✅ Approve"))).text == zh(
        "This request was already decided."
    )
    assert (await zhao.press_old(question, zh("↩️ Yes, withdraw"))).text == zh(
        "This request can no longer be withdrawn."
    )

    # An approved leave that has not started: its days count again.
    await _approved_leave(world, CADRE_ZHAO, date(2026, 11, 26), date(2026, 11, 27))
    assert (await overview(world))["赵秀兰"].required.field_days == 2
    kind = await zhao.say("/leave")
    assert zh("approved") in kind.text
    question = await zhao.press(kind, _withdraw_button(kind))
    assert zh("Its days will count towards your quotas again.") in question.text
    await zhao.press(question, zh("↩️ Yes, withdraw"))
    await secretary.reply(timeout=10)
    week = (await overview(world))["赵秀兰"]
    assert week.required.field_days == 3 and await exempt(world, "赵秀兰") == ()

    # An approved leave under way (since last Thursday; today is Monday) ends yesterday.
    await _approved_leave(world, CADRE_ZHAO, date(2026, 11, 19), date(2026, 11, 25))
    assert [d.day for d in await exempt(world, "赵秀兰")] == [
        MONDAY,
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]
    kind = await zhao.say("/leave")
    question = await zhao.press(kind, _withdraw_button(kind))
    end_early = zh(
        "End {what} early? The days before today stay exempt; from today on, your field "
        "days, screenings and problems count again."
    )
    assert question.text == end_early.format(what=_what(_withdraw_button(kind)))
    done = await zhao.press(question, zh("↩️ Yes, withdraw"))
    assert "11月19日" in done.text and "–22日（周日）" in done.text and "11月25日" not in done.text
    told = await secretary.reply(timeout=10)
    assert CADRE_ZHAO.name in told.text
    assert "–22日（周日）" in told.text and "–25日（周三）" in told.text
    week = (await overview(world))["赵秀兰"]
    assert await exempt(world, "赵秀兰") == () and week.required.field_days == 3
    assert zh("Your requests not yet over:") not in (await zhao.say("/leave")).text

    # Someone else's request cannot be withdrawn, even with a correctly signed button.
    own = await _approved_leave(world, CADRE_SUN, date(2026, 11, 30), date(2026, 11, 30))
    li = world.user(LI)
    message = await ask1(world, LI, "/help")
    query = await li.press_data(message, world.svc.codec.pack(LI, "lv", "wdy", own))
    assert (await li.callback_answer(query, timeout=10)).text == zh(STALE)
    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert [(r.status, r.start_date, r.end_date) for r in rows] == [
        ("withdrawn", date(2026, 11, 25), date(2026, 11, 27)),
        ("withdrawn", date(2026, 11, 26), date(2026, 11, 27)),
        ("approved", date(2026, 11, 19), date(2026, 11, 22)),
        ("approved", date(2026, 11, 30), date(2026, 11, 30)),
    ]
    assert actions.count("leave.withdraw") == 2 and actions.count("leave.shorten") == 1


async def test_a_secretary_ends_a_leave_early_or_cancels_one_for_a_cadre(world) -> None:
    """A cadre recalled to work: the secretary ends the leave under way or cancels one ahead,
    and the cadre is told at once; the quotas count again from today."""
    sec = Tapper(world, SECRETARY.telegram_user_id)
    zhao = world.user(CADRE_ZHAO.telegram_user_id)
    sun = world.user(CADRE_SUN.telegram_user_id)
    # None approved yet: the secretary's /leave does not offer the list.
    who = await sec.say("/leave")
    assert not any(label.startswith("↩️") for label in button_labels(who))
    await _approved_leave(world, CADRE_ZHAO, date(2026, 11, 19), date(2026, 11, 25))
    await _approved_leave(world, CADRE_SUN, date(2026, 11, 30), date(2026, 12, 1))
    await _approved_leave(world, CADRE_SUN, date(2026, 11, 16), date(2026, 11, 20))  # over
    pending = await Tapper(world, LI).say("/leave")  # a pending request is not listed
    await Tapper(world, LI).press(pending, zh("🏖 Leave (请假)"))
    await Tapper(world, LI).say("12-02")
    confirm = await Tapper(world, LI).say("看病")
    await Tapper(world, LI).press(confirm, zh("✅ Send to the secretary"))
    request = await world.user(SECRETARY.telegram_user_id).reply(timeout=10)

    who = await sec.say("/leave")
    listed = await sec.press(who, zh("↩️ Cancel or end a leave early ({count})").format(count=2))
    assert listed.text.startswith(zh("Approved leave and official duty in force or ahead:"))
    labels = [label for label in button_labels(listed) if label.startswith("↩️")]
    assert [label.split(" ")[1] for label in labels] == [CADRE_ZHAO.name, CADRE_SUN.name]
    assert CADRE_LI.name not in listed.text

    # The leave under way ends yesterday; Zhao is told, with what counts again.
    question = await sec.press(listed, labels[0])
    assert question.text == zh(
        "End {what} early? The days before today stay exempt; from today on, their field "
        "days, screenings and problems count again. They are told."
    ).format(what=labels[0].split(" ", 1)[1])
    done = await sec.press(question, zh("↩️ Yes, withdraw"))
    assert done.text.count(CADRE_ZHAO.name) == 1 and "–22日（周日）" in done.text
    told = await zhao.reply(timeout=10)
    assert told.text == zh(
        "{name} ended your {kind} early: it now covers {range} (was {before}). From today "
        "on, your field days, screenings and problems count again."
    ).format(
        name=SECRETARY.name,
        kind=zh("leave (请假)"),
        range=labels[0].split(" ", 3)[3].split("–")[0] + "–22日（周日）",
        before=labels[0].split(" ", 3)[3],
    )
    assert SECRETARY.name in told.text
    assert "–22日（周日）" in told.text and "–25日（周三）" in told.text
    week = await overview(world)
    assert await exempt(world, "赵秀兰") == ()
    assert week["赵秀兰"].required.field_days == 3

    # The one ahead is cancelled, from the same list; Sun is told.
    sun_button = next(label for label in button_labels(listed) if CADRE_SUN.name in label)
    data = next(d for row in listed.buttons for text, d in row if text == sun_button)
    await sec.user.press_data(done, data)  # the list's button, on the message it became
    question = await sec.user.wait_edit(done, timeout=10)
    assert question.text == zh(
        "Cancel {what}? Its days will count towards their quotas again. They are told."
    ).format(what=sun_button.split(" ", 1)[1])
    done = await sec.press(question, zh("↩️ Yes, withdraw"))
    assert done.text.startswith(zh("Withdrawn: {what}.").split("{")[0])
    told = await sun.reply(timeout=10)
    assert told.text == zh("{name} cancelled your {kind} for {range}.").format(
        name=SECRETARY.name,
        kind=zh("leave (请假)"),
        range=sun_button.split(" ", 3)[3],
    )
    who = await sec.say("/leave")
    assert not any(label.startswith("↩️") for label in button_labels(who))

    # Only a secretary may: a cadre's forged buttons are refused, and the secretary cannot
    # withdraw a pending request (it is rejected with the buttons under it).
    township = await shz(world)
    message = await ask1(world, LI, "/help")
    li = world.user(LI)
    query = await li.press_data(message, world.svc.codec.pack(LI, "lv", "ls", township.id))
    assert (await li.callback_answer(query, timeout=10)).text == zh(
        "Only a secretary of this township can do that."
    )
    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))
    query = await world.user(SECRETARY.telegram_user_id).press_data(
        request, world.svc.codec.pack(SECRETARY.telegram_user_id, "lv", "wdy", rows[-1].id)
    )
    assert (
        await world.user(SECRETARY.telegram_user_id).callback_answer(query, timeout=10)
    ).text == zh("This request can no longer be withdrawn.")

    async with world.svc.transaction() as session:
        rows = list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))
        audit = list(
            await session.execute(
                select(AuditEntry.action, AuditEntry.actor_member_id).where(
                    AuditEntry.action.in_(["leave.withdraw", "leave.shorten"])
                )
            )
        )
    assert [(r.status, r.start_date, r.end_date) for r in rows] == [
        ("approved", date(2026, 11, 19), date(2026, 11, 22)),
        ("withdrawn", date(2026, 11, 30), date(2026, 12, 1)),
        ("approved", date(2026, 11, 16), date(2026, 11, 20)),
        ("pending", date(2026, 12, 2), date(2026, 12, 2)),
    ]
    secretary_id = world.member_ids[SECRETARY.telegram_user_id]
    assert sorted(audit) == [("leave.shorten", secretary_id), ("leave.withdraw", secretary_id)]


async def test_a_secretary_sees_leave_in_force_twenty_at_a_time(world) -> None:
    """The list names the first 20 (the soonest first) and says how many more there are; its
    button on an old message, once nothing is left, says so instead of showing a list."""
    for day in range(22):
        start = date(2026, 11, 24) + timedelta(days=day)
        await _approved_leave(world, CADRE_ZHAO, start, start)
    sec = Tapper(world, SECRETARY.telegram_user_id)
    who = await sec.say("/leave")
    listed = await sec.press(who, zh("↩️ Cancel or end a leave early ({count})").format(count=22))
    assert zh("… and {count} more, starting later.").format(count=2) in listed.text
    assert len([label for label in button_labels(listed) if label.startswith("↩️")]) == 20
    assert "11月24日" in button_labels(listed)[0]
    async with world.svc.transaction() as session:
        await session.execute(update(LeaveRequest).values(status="withdrawn"))
    again = await sec.say("/leave")
    assert not any(label.startswith("↩️") for label in button_labels(again))
    data = dict(who.buttons[-2])[zh("↩️ Cancel or end a leave early ({count})").format(count=22)]
    await sec.user.press_data(listed, data)
    empty = await sec.user.wait_edit(listed, timeout=10)
    assert empty.text == zh("No approved leave or official duty is in force or ahead.")


async def test_a_secretary_picks_a_cadre_in_a_large_township_page_by_page(world) -> None:
    """Telegram refuses a keyboard of more than 100 buttons: a township of 105 cadres is
    offered 30 at a time, and a cadre on a later page can be picked."""
    township = await shz(world)
    async with world.svc.transaction() as session:
        for i in range(100):
            member = Member(telegram_user_id=900_000 + i, display_name=f"干部{i:03d}")
            session.add(member)
            await session.flush()
            session.add(MemberRole(member_id=member.id, township_id=township.id, role="cadre"))
        cadres = await facts.cadres_of(session, township.id)
    assert len(cadres) == 105
    names = [name for _, name in cadres]
    sec = Tapper(world, SECRETARY.telegram_user_id)
    page = await sec.say("/leave")
    for number, shown in enumerate((names[:30], names[30:60], names[60:90], names[90:]), 1):
        if number > 1:
            page = await sec.press(page, "▶️")
        assert zh("Page {page} of {pages}").format(page=number, pages=4) in page.text
        assert [label for label in button_labels(page) if label in names] == shown
        assert ("◀️" in button_labels(page)) == (number > 1)
        assert ("▶️" in button_labels(page)) == (number < 4)
    page = await sec.press(page, "◀️")
    kind = await sec.press(page, names[75])
    assert kind.text == zh("Leave or official duty?")
    prompt = await sec.press(kind, zh("🏖 Leave (请假)"))
    await sec.press(prompt, zh("Today"))
    confirm = await sec.say("抽调防汛")
    await sec.press(confirm, zh("✅ Record as approved"))
    async with world.svc.transaction() as session:
        row = await session.scalar(select(LeaveRequest))
    assert row is not None and row.member_id == cadres[75][0] and row.status == "approved"


async def test_secretary_records_official_duty_and_rejects_a_request(world) -> None:
    sec = Tapper(world, SECRETARY.telegram_user_id)
    who = await sec.say("/leave")
    assert CADRE_SUN.name in button_labels(who) and SECRETARY.name not in button_labels(who)
    kind = await sec.press(who, CADRE_SUN.name)
    prompt = await sec.press(kind, zh("🚗 Official duty (公务外出)"))
    await sec.press(prompt, zh("Today"))
    confirm = await sec.say("县里培训")
    await sec.press(confirm, zh("✅ Record as approved"))
    told = await world.user(CADRE_SUN.telegram_user_id).reply(timeout=10)
    assert zh("official duty (公务外出)") in told.text
    week = await overview(world)
    assert [d.kind for d in await exempt(world, "孙立新")] == ["official_duty"]
    assert week["孙立新"].required.field_days == 2  # 4 of 5 workdays -> 2.4 -> 2

    # A request that the secretary rejects exempts nothing.
    li = Tapper(world, LI)
    kind = await li.say("/leave")
    await li.press(kind, zh("🏖 Leave (请假)"))
    await li.say("11-24")
    confirm = await li.say("私事")
    await li.press(confirm, zh("✅ Send to the secretary"))
    request = await world.user(SECRETARY.telegram_user_id).reply(timeout=10)
    rejected = await sec.press(request, zh("❌ Reject"))
    assert zh("❌ Rejected by {name}.").format(name=SECRETARY.name) in rejected.text
    told = await world.user(LI).reply(timeout=10)
    assert (
        zh("Your {kind} for {range} was not approved by {name}.").format(
            kind=zh("leave (请假)"), range="11月24日（周二）", name=SECRETARY.name
        )
        == told.text
    )
    week = await overview(world)
    assert await exempt(world, "李春华") == ()
    assert week["李春华"].required.field_days == 3


async def test_restart_in_the_middle_of_a_visit_log_and_a_report(world) -> None:
    tap = Tapper(world, LI)
    card = await tap.say("/visit")
    card = await tap.press(card, "东岭村")
    old_card = await tap.press(card, "⬜ 听取民意")
    await tap.press(old_card, zh("➕ Problem solved"))
    async with restarted(world):
        # The typed problem goes into the half-finished log kept in the database.
        card = await tap.say("调解邻里宅基地纠纷")
        assert "☑️ 听取民意" in button_labels(card) and "调解邻里宅基地纠纷" in card.text
        saved = await tap.press(card, zh("✅ Save"))
        assert zh("✅ Visit logged.") in saved.text

        # A report: one message into 下周计划, restart, a second message appends.
        world.clock.set(at(26, 14))
        preview = await tap.say("/report")
        assert "调解邻里宅基地纠纷" in preview.text  # the digest includes the restarted log
        await tap.press(preview, "✏️ 下周计划")
        await tap.say("走访东岭村低保户")
    async with restarted(world):
        saved = await tap.say("推进沙河子村道路硬化")
        combined = "走访东岭村低保户\n推进沙河子村道路硬化"
        assert f"{len(combined)}/1000" in saved.text
        preview = await tap.press(saved, zh("✔️ Done: back to the report"))
        assert "走访东岭村低保户\n推进沙河子村道路硬化" in preview.text
        # The card from before the restarts is stale.
        answer = await tap.press_old(old_card, zh("✅ Save"))
        assert answer.text == zh("This button is from an old message and no longer works.")
        await tap.press(preview, zh("✅ Submit"))
    async with world.svc.transaction() as session:
        count = await session.scalar(select(func.count(WeeklyReportRevision.id)))
        visits = await session.scalar(select(func.count(FieldVisit.id)))
    assert count == 1 and visits == 1


async def test_visit_flow_survives_resume_with_slash_visit(world) -> None:
    tap = Tapper(world, LI)
    card = await tap.say("/visit")
    card = await tap.press(card, "沙河子村")
    await tap.press(card, "⬜ 政策宣传")
    async with restarted(world):
        resumed = await tap.say("/visit")
        assert zh("You have an unfinished visit log; here it is.") in resumed.text
        assert "☑️ 政策宣传" in button_labels(resumed)
        saved = await tap.press(resumed, zh("✅ Save"))
        assert "沙河子村" in saved.text


async def test_needs_items_use_the_single_village_of_the_cadre(world) -> None:
    world.clock.set(at(26, 14))
    wang = Tapper(world, CADRE_WANG.telegram_user_id)
    preview = await wang.say("/report")
    await wang.press(preview, "✏️ 问题与需求")
    saved = await wang.say("- 灌溉水渠堵塞\n- 河口村桥梁需维修\n无")
    preview = await wang.press(saved, zh("✔️ Done: back to the report"))
    await wang.press(preview, zh("✅ Submit"))
    township = await shz(world)
    async with world.svc.transaction() as session:
        needs = await report_db.needs_by_village(session, township.id, MONDAY)
        items = await session.scalar(select(func.count(ReportItem.id)))
    assert items == 2
    assert {n.village: [i.text for i in n.items] for n in needs} == {
        "西坡村": ["灌溉水渠堵塞"],
        "河口村": ["河口村桥梁需维修"],
    }
