"""Notices the delivery machinery sends to a township's secretaries: a member who cannot be
reached, a post to the group chat that failed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import members as member_db
from bot.core.i18n import N_, Gettext, gettext_for
from bot.core.models import Member
from bot.core.outbox import Outgoing, to_member
from bot.core.text import Html


async def to_secretaries(
    session: AsyncSession,
    township_id: int,
    job: str,
    key: str,
    text: Callable[[Gettext], Html],
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
            to_member(
                secretary,
                key,
                job,
                text(gettext_for(secretary.language)),
                township_id=township_id,
            )
        )
    return notices


async def unreachable_notices(
    session: AsyncSession, member: Member, township_id: int, now: datetime
) -> list[Outgoing]:
    """Tell the township's secretaries, once a day per member, that someone blocked the bot."""
    return await to_secretaries(
        session,
        township_id,
        "unreachable",
        f"unreachable:{member.id}:{now.date().isoformat()}",
        lambda _: _(
            "⚠️ {name} cannot receive messages from the bot (they blocked it or left "
            "Telegram). Reminders to them are paused until they write to the bot again."
        ).format(name=member.display_name),
        skip=member.id,
    )


# What is posted to a township's group chat, by outbox job.
GROUP_POSTS = {
    "monday_agenda": N_("The Monday meeting agenda"),
    "redblack_publish": N_("The published red and black lists"),
}
OTHER_GROUP_POST = N_("A message")
CANNOT_POST = N_(
    "⚠️ {what} could not be posted to the township group chat. Telegram answered: {reason}\n"
    "Check that the bot is still a member of the group and may post there (if it was removed, "
    "add it again: it then offers to make the group the township group). Until then, share it "
    "in the group yourself."
)
# A forum group whose General topic, where the bot posts, an administrator has closed.
TOPIC_CLOSED = N_(
    "⚠️ {what} could not be posted to the township group chat: its General topic is closed "
    "(Telegram answered: {reason}). Ask a group administrator to reopen the General topic, "
    "where the bot posts. Until then, share it in the group yourself."
)


async def group_post_failed_notices(
    session: AsyncSession, township_id: int, job: str, reason: str, now: datetime
) -> list[Outgoing]:
    """Tell the township's secretaries, once a day per kind of post, that a post to the
    group chat failed: otherwise they believe the group has seen it."""
    message = TOPIC_CLOSED if "TOPIC_CLOSED" in reason.upper() else CANNOT_POST
    return await to_secretaries(
        session,
        township_id,
        "group_post_failed",
        f"group-failed:{job}:{now.date().isoformat()}",
        lambda _: _(message).format(
            what=_(GROUP_POSTS.get(job, OTHER_GROUP_POST)),
            reason=Html("<code>{}</code>").format(reason),
        ),
    )
