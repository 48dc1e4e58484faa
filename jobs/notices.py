"""Notices the scheduler sends to the admins: no holidays known for a year (met, or next year's
from 1 December), a missed job."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.models import Township
from bot.core.outbox import Outgoing
from jobs.plan import Occurrence


async def _admins(
    session: AsyncSession, admin_chat_id: int | None, language: str
) -> list[tuple[int, int | None, str, str]]:
    """(chat, member, key tag, language) for the admin chat, if any, and each admin."""
    targets: list[tuple[int, int | None, str, str]] = []
    if admin_chat_id:
        targets.append((admin_chat_id, None, "chat", language))
    for admin in await member_db.admins(session):
        targets.append(
            (admin.telegram_user_id, admin.member_id, str(admin.member_id), admin.language)
        )
    return targets


async def calendar_fallback_notices(
    session: AsyncSession, year: int, admin_chat_id: int | None, language: str
) -> list[Outgoing]:
    """The calendar met a year whose holidays it does not know (once per year)."""
    out = []
    for chat, member_id, tag, lang in await _admins(session, admin_chat_id, language):
        _ = gettext_for(lang)
        text = _(
            "⚠️ The work calendar has no holidays for {year}: workdays are Monday to Friday, "
            "plus the extra holidays and workdays in the configuration ([calendar] "
            "extra_holidays / extra_workdays). Import the State Council's notice for {year} "
            "with /calendar, or with “township-bot calendar import FILE”."
        ).format(year=year)
        out.append(
            Outgoing(
                key=f"calendar-fallback:{year}:{tag}",
                job="calendar_fallback",
                chat_id=chat,
                member_id=member_id,
                text=text,
            )
        )
    return out


async def calendar_next_year_notices(
    session: AsyncSession, year: int, admin_chat_id: int | None, language: str
) -> list[Outgoing]:
    """From 1 December: next year's holidays are not known yet (once per year)."""
    out = []
    for chat, member_id, tag, lang in await _admins(session, admin_chat_id, language):
        _ = gettext_for(lang)
        text = _(
            "🗓 The holidays of {year} are not in the work calendar yet. When the State "
            "Council publishes its notice (国务院办公厅关于{year}年部分节假日安排的通知), send "
            "/calendar and paste it, or run “township-bot calendar import FILE”. Until then, "
            "workdays in {year} are Monday to Friday."
        ).format(year=year)
        out.append(
            Outgoing(
                key=f"calendar-next-year:{year}:{tag}",
                job="calendar_next_year",
                chat_id=chat,
                member_id=member_id,
                text=text,
            )
        )
    return out


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
    out = []
    for chat, member_id, tag, language in await _admins(session, admin_chat_id, "zh_CN"):
        _ = gettext_for(language)
        text = _(
            "⚠️ The scheduled job “{job}” of {township} due {due} was not run: the bot was "
            "down for longer than the catch-up grace period. It is recorded as missed."
        ).format(job=occurrence.job, township=township.name, due=f"{due:%Y-%m-%d %H:%M}")
        out.append(
            Outgoing(
                key=f"{key}:{tag}", job="missed_job", chat_id=chat, member_id=member_id, text=text
            )
        )
    return out
