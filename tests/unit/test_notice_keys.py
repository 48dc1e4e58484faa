"""The outbox keys of the notices a job or a 催交 queues for a member keep the shape of the
rows already stored: a notice queued again finds the earlier row's key and is not sent twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from bot.core.db.members import Recipient
from bot.core.text import Html
from bot.reports.chase import _reminder
from bot.week.schedule import week_rules
from jobs.context import JobContext
from jobs.outgoing import to
from jobs.plan import Occurrence

PERSON = Recipient(member_id=17, telegram_user_id=1001, name="张明远", language="zh_CN")
MONDAY = date(2026, 11, 23)


def test_a_jobs_notice_to_a_member() -> None:
    occurrence = Occurrence(
        datetime(2026, 11, 26, 9, tzinfo=UTC), "report_open", "2026-W48", MONDAY
    )
    fields: dict[str, Any] = dict.fromkeys(
        ("session", "svc", "now", "tz", "calendar", "schedule", "week")
    )
    ctx = JobContext(township=SimpleNamespace(id=3, code="SHZ"), occurrence=occurrence, **fields)
    notice = to(ctx, PERSON, Html("报告窗口已开"))
    assert (notice.key, notice.job, notice.chat_id, notice.member_id, notice.township_id) == (
        "report_open:SHZ:2026-W48:17",
        "report_open",
        1001,
        17,
        3,
    )


def test_a_chase_reminder_to_a_cadre(world) -> None:
    rules = week_rules(world.svc.settings, "SHZ")
    reminder = _reminder(world.svc, rules, 3, "SHZ", MONDAY, PERSON, PERSON.name)
    assert (reminder.key, reminder.job, reminder.chat_id, reminder.member_id) == (
        "report_chase:SHZ:2026-11-23:17",
        "report_chase",
        1001,
        17,
    )
    assert reminder.township_id == 3 and PERSON.name in reminder.text
