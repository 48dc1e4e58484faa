"""Messages the delivery machinery itself sends: unreachable members, group posts that
failed, calendar fallback, missed jobs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import members as member_db
from bot.core.i18n import N_, Gettext, gettext_for
from bot.core.models import Member, Township
from bot.core.outbox import Outgoing
from bot.core.text import esc
from jobs.plan import Occurrence


async def _to_secretaries(
    session: AsyncSession,
    township_id: int,
    job: str,
    key: str,
    text: Callable[[Gettext], str],
    *,
    skip: int | None = None,
) -> list[Outgoing]:
    """One notice to each of the township's secretaries (but `skip`), in their language;
    the outbox key is `key` followed by the secretary."""
    notices = []
    for secretary in await member_db.recipients(session, township_id, "secretary"):
        if secretary.member_id == skip:
            continue
        notices.append(
            Outgoing(
                key=f"{key}:{secretary.member_id}",
                job=job,
                chat_id=secretary.telegram_user_id,
                township_id=township_id,
                member_id=secretary.member_id,
                text=text(gettext_for(secretary.language)),
            )
        )
    return notices


async def unreachable_notices(
    session: AsyncSession, member: Member, township_id: int, now: datetime
) -> list[Outgoing]:
    """Tell the township's secretaries, once a day per member, that someone blocked the bot."""
    return await _to_secretaries(
        session,
        township_id,
        "unreachable",
        f"unreachable:{member.id}:{now.date().isoformat()}",
        lambda _: _(
            "⚠️ {name} cannot receive messages from the bot (they blocked it or left "
            "Telegram). Reminders to them are paused until they write to the bot again."
        ).format(name=esc(member.display_name)),
        skip=member.id,
    )


# What is posted to a township's group chat, by outbox job.
GROUP_POSTS = {
    "monday_agenda": N_("The Monday meeting agenda"),
    "redblack_publish": N_("The published red and black lists"),
}
OTHER_GROUP_POST = N_("A message")


async def group_post_failed_notices(
    session: AsyncSession, township_id: int, job: str, reason: str, now: datetime
) -> list[Outgoing]:
    """Tell the township's secretaries, once a day per kind of post, that a post to the
    group chat failed: otherwise they believe the group has seen it."""
    return await _to_secretaries(
        session,
        township_id,
        "group_post_failed",
        f"group-failed:{job}:{now.date().isoformat()}",
        lambda _: _(
            "⚠️ {what} could not be posted to the township group chat. Telegram "
            "answered: {reason}\nCheck that the bot is still a member of the group and "
            "may post there ([[townships]] group_chat_id in the configuration). Until "
            "then, share it in the group yourself."
        ).format(
            what=_(GROUP_POSTS.get(job, OTHER_GROUP_POST)),
            reason=f"<code>{esc(reason)}</code>",
        ),
    )


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
