"""Notices the scheduler sends to the admins: no holiday data for a year, a missed job."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.models import Township
from bot.core.outbox import Outgoing
from bot.core.text import esc
from jobs.plan import Occurrence


async def calendar_fallback_notices(
    session: AsyncSession, year: int, admin_chat_id: int | None, language: str
) -> list[Outgoing]:
    _ = gettext_for(language)
    text = _(
        "⚠️ The holiday calendar has no data for {year}. Until it is updated, workdays are "
        "Monday to Friday plus the extra holidays and workdays in the configuration "
        "([calendar] extra_holidays / extra_workdays)."
    ).format(year=year)
    targets: list[tuple[int, int | None, str]] = []
    if admin_chat_id:
        targets.append((admin_chat_id, None, "chat"))
    for admin in await member_db.admins(session):
        targets.append((admin.telegram_user_id, admin.member_id, str(admin.member_id)))
    return [
        Outgoing(
            key=f"calendar-fallback:{year}:{tag}",
            job="calendar_fallback",
            chat_id=chat,
            member_id=member_id,
            text=text,
        )
        for chat, member_id, tag in targets
    ]


async def missed_job_notices(
    session: AsyncSession,
    township: Township,
    occurrence: Occurrence,
    tz: ZoneInfo,
    admin_chat_id: int | None,
) -> list[Outgoing]:
    """Tell the admins that a scheduled job was missed while the bot was down."""
    due = occurrence.due_at.astimezone(tz)
    key = f"missed:{occurrence.job}:{township.code}:{occurrence.period}"
    targets: list[tuple[int, int | None, str, str]] = []
    if admin_chat_id:
        targets.append((admin_chat_id, None, "chat", "zh_CN"))
    for admin in await member_db.admins(session):
        targets.append(
            (admin.telegram_user_id, admin.member_id, str(admin.member_id), admin.language)
        )
    out = []
    for chat, member_id, tag, language in targets:
        _ = gettext_for(language)
        text = _(
            "⚠️ The scheduled job “{job}” of {township} due {due} was not run: the bot was "
            "down for longer than the catch-up grace period. It is recorded as missed."
        ).format(job=occurrence.job, township=esc(township.name), due=f"{due:%Y-%m-%d %H:%M}")
        out.append(
            Outgoing(
                key=f"{key}:{tag}", job="missed_job", chat_id=chat, member_id=member_id, text=text
            )
        )
    return out
