"""Delivery of the durable outbox: claim atomically, deliver, never drop.

Delivery rules:
- transient failures (network errors, 5xx, timeouts, 429 beyond the rate limiter's own
  retries) are retried with backoff, first in-process, then by leaving the row pending;
- BadRequest is recorded as failed with Telegram's reason;
- a group that became a supergroup (ChatMigrated: its new id in the answer) stays the group
  of its townships, and the message, with every other one still queued for the old id, goes
  to the new id;
- Forbidden (the user blocked the bot) marks the member unreachable and tells the
  township's secretaries;
- a post to the township's group chat that fails for good (the bot was removed from the
  group, the group is gone) is reported to the township's secretaries, once a day per kind
  of post.
A row whose sender died mid-send is reclaimed after its claim expires, or at once when
another instance becomes active (`release_claims`). When a drain fails (the database went
away), the rows it claimed are put back at once, or at the start of the next drain if the
database is still away, and a send that succeeded but could not be recorded is recorded then
instead of being sent again. A message that was in flight at the moment of death (sent to
Telegram, not yet recorded as sent), or whose answer timed out, may then be delivered twice
(Telegram has no idempotency key), which is preferred to losing it. Each attempt carries the
row's idempotency key (`outbox-<id>`, `bot.core.telegram_request.keyed`): the township's own
server delivers it once. At most `batch` messages are in flight at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.core.clock import Clock
from bot.core.db.engine import once_more_if_dropped
from bot.core.db.leases import database_now
from bot.core.db.members import mark_reachable, move_group
from bot.core.models import Member, OutboxFile, OutboxMessage, Township
from bot.core.notices import group_post_failed_notices, unreachable_notices
from bot.core.outbox import enqueue, release_own_claims
from bot.core.telegram_request import keyed
from bot.core.work import commit_pending

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def _markup(data: dict[str, Any] | None, bot: Bot) -> Markup | None:
    """A row's buttons: inline buttons, or a private chat's reply keyboard (or its removal)."""
    if not data:
        return None
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, bot)
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove.de_json(data, bot)
    return InlineKeyboardMarkup.de_json(data, bot)


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def _raise_first(done: set[asyncio.Task[None]]) -> None:
    """Take up every finished send's outcome (so asyncio never reports an exception nobody
    retrieved), then raise the first failure, if any."""
    failures = [t.exception() for t in done if not t.cancelled()]
    first = next((f for f in failures if f is not None), None)
    if first is not None:
        raise first
    if any(t.cancelled() for t in done):
        raise asyncio.CancelledError


class OutboxSender:
    """Claims due rows and sends them through the bot (and so through its rate limiter)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        instance: str,
        *,
        batch: int = 20,
        claim_for: timedelta = timedelta(minutes=2),
        in_process_retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        self.sessions = sessions
        self.bot = bot
        self.clock = clock
        self.instance = instance
        self.batch = batch
        self.claim_for = claim_for
        self.in_process_retries = in_process_retries
        self.backoff = backoff
        self.stats = DeliveryStats()
        # Called after each delivery is recorded (metrics; tests use it to crash mid-fan-out).
        self.on_sent: Callable[[OutboxMessage], None] | None = None
        self._lock = asyncio.Lock()
        # After a failed drain: sends that reached Telegram but were not recorded (row id to
        # message id), and whether this instance still holds claims it must put back.
        self._unrecorded: dict[int, int] = {}
        self._unsettled = False

    async def claim(self, limit: int | None = None) -> list[OutboxMessage]:
        return await once_more_if_dropped(lambda: self._claim(limit))

    async def _claim(self, limit: int | None) -> list[OutboxMessage]:
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            # Due by the township's clock; a claim runs out by the database's.
            due = (
                select(OutboxMessage.id)
                .where(
                    or_(
                        (OutboxMessage.status == "pending")
                        & (OutboxMessage.next_attempt_at <= now),
                        (OutboxMessage.status == "sending")
                        & (OutboxMessage.claimed_until <= database_now(session)),
                    )
                )
                .order_by(OutboxMessage.id)
                .limit(self.batch if limit is None else limit)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(due))
                .values(
                    status="sending",
                    claimed_by=self.instance,
                    claimed_until=database_now(session, self.claim_for),
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(OutboxMessage)
                .execution_options(synchronize_session=False)
            )
            rows = list(result.scalars().all())
        return sorted(rows, key=lambda r: r.id)

    async def drain(self) -> DeliveryStats:
        """Send everything that is due now; returns the running totals.

        Different chats are served concurrently (the rate limiter paces them); messages to
        one chat go in order. The next rows are claimed while the current ones are still
        being sent (when half of `batch` is left in flight), so the rate limiter never runs
        dry at a batch boundary.
        """
        await commit_pending()  # an update that queued messages and sends them at once
        async with self._lock:
            if self._unsettled:
                await self.settle()
            in_flight: set[asyncio.Task[None]] = set()
            last_of_chat: dict[int, asyncio.Task[None]] = {}
            low_water = self.batch // 2
            try:
                while True:
                    room = self.batch - len(in_flight)
                    rows = await self.claim(room) if room > 0 else []
                    for row in rows:
                        task = asyncio.create_task(
                            self._deliver_after(last_of_chat.get(row.chat_id), row)
                        )
                        last_of_chat[row.chat_id] = task
                        in_flight.add(task)
                    if not in_flight:
                        break
                    # Queue still full: refill at low water. Queue drained: let the rest
                    # finish (they may reschedule rows), then look once more.
                    target = low_water if rows and len(rows) == room else 0
                    while len(in_flight) > target:
                        done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                        in_flight -= done
                        _raise_first(done)  # a database error ends the drain
                    last_of_chat = {c: t for c, t in last_of_chat.items() if not t.done()}
            except Exception:
                # Sends under way finish (and are recorded, or remembered as sent), so that
                # putting the claims back sends nothing twice.
                await asyncio.gather(*in_flight, return_exceptions=True)
                await self._settle_after_failure()
                raise
            except BaseException:
                for task in in_flight:
                    task.cancel()
                await asyncio.gather(*in_flight, return_exceptions=True)
                await self._settle_after_failure()
                raise
        return self.stats

    async def _settle_after_failure(self) -> None:
        self._unsettled = True
        try:
            released = await self.settle()
        except Exception as exc:  # still unreachable: the next drain settles first
            log.warning("outbox claims kept until the next drain (%s)", type(exc).__name__)
            return
        if released:
            log.warning("released %s outbox message(s) after a failed send loop", released)

    async def settle(self) -> int:
        """Record the sends that succeeded but were not recorded, and put every row this
        instance claimed and did not finish back to pending. Returns how many were put back."""
        async with self.sessions() as session, session.begin():
            now = self.clock.now()
            for row_id, message_id in self._unrecorded.items():
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, OutboxMessage.status == "sending")
                    .values(
                        status="sent",
                        sent_at=now,
                        telegram_message_id=message_id,
                        claimed_until=None,
                        last_error=None,
                    )
                )
            released = await release_own_claims(session, self.instance)
        self.stats.sent += len(self._unrecorded)
        self._unrecorded.clear()
        self._unsettled = False
        return released

    async def _deliver_after(self, previous: asyncio.Task[None] | None, row: OutboxMessage) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # keep one chat's messages in order
        await self._deliver(row)

    async def _deliver(self, row: OutboxMessage) -> None:
        markup = _markup(row.reply_markup, self.bot)
        attachment = await self._attachment(row) if row.attachment_kind else None
        if row.attachment_kind and attachment is None:
            await self._fail(row, "bad request: the attachment is gone")
            return
        delay = self.backoff
        for attempt in range(self.in_process_retries + 1):
            try:
                message = await self._send(row, markup, attachment)
            except RetryAfter as exc:
                retry_after = exc.retry_after
                seconds = (
                    retry_after.total_seconds()
                    if isinstance(retry_after, timedelta)
                    else retry_after
                )
                await self._reschedule(row, timedelta(seconds=float(seconds)), "retry_after")
                return
            except ChatMigrated as exc:
                await self._migrated(row, int(exc.new_chat_id))
                if attempt < self.in_process_retries:
                    continue
                await self._reschedule(row, timedelta(0), "ChatMigrated")
                return
            except Forbidden as exc:
                await self._forbidden(row, str(exc))
                return
            except BadRequest as exc:
                await self._fail(row, f"bad request: {exc}")
                return
            except (NetworkError, TelegramError) as exc:  # 5xx, timeouts, dropped connections
                self._count(type(exc).__name__)
                if attempt < self.in_process_retries:
                    self.stats.retried += 1
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                await self._reschedule(row, timedelta(seconds=30), type(exc).__name__)
                return
            try:
                await self._mark_sent(row, message.message_id)
            except BaseException:
                self._unrecorded[row.id] = message.message_id
                raise
            if self.on_sent is not None:
                self.on_sent(row)
            return

    async def _attachment(self, row: OutboxMessage) -> OutboxFile | None:
        async with self.sessions() as session:
            return await session.get(OutboxFile, row.attachment_id)

    async def _send(
        self, row: OutboxMessage, markup: Markup | None, file: OutboxFile | None
    ) -> Message:
        with keyed(f"outbox-{row.id}"):
            return await self._send_once(row, markup, file)

    async def _send_once(
        self, row: OutboxMessage, markup: Markup | None, file: OutboxFile | None
    ) -> Message:
        if file is None:
            return await self.bot.send_message(row.chat_id, row.text, reply_markup=markup)
        caption = row.text or None
        if row.attachment_kind == "photo":
            return await self.bot.send_photo(
                row.chat_id, file.data, caption=caption, reply_markup=markup, filename=file.filename
            )
        return await self.bot.send_document(
            row.chat_id, file.data, caption=caption, reply_markup=markup, filename=file.filename
        )

    def _count(self, kind: str) -> None:
        self.stats.errors[kind] = self.stats.errors.get(kind, 0) + 1

    async def _mark_sent(self, row: OutboxMessage, message_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status="sent",
                    sent_at=self.clock.now(),
                    telegram_message_id=message_id,
                    claimed_until=None,
                    last_error=None,
                )
            )
        self.stats.sent += 1

    async def _reschedule(self, row: OutboxMessage, after: timedelta, reason: str) -> None:
        self._count(reason)
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status="pending",
                    next_attempt_at=self.clock.now() + after,
                    claimed_until=None,
                    last_error=reason[:300],
                )
            )

    async def _fail(self, row: OutboxMessage, reason: str) -> None:
        self._count("failed")
        self.stats.failed += 1
        log.warning("outbox message %s failed: %s", row.id, reason.split(":")[0])
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(status="failed", claimed_until=None, last_error=reason[:300])
            )
            if row.chat_id < 0 and row.township_id is not None:  # a group chat
                await self._group_post_failed(session, row, reason)

    async def _group_post_failed(
        self, session: AsyncSession, row: OutboxMessage, reason: str
    ) -> None:
        township = await session.get(Township, row.township_id)
        if township is None or township.group_chat_id != row.chat_id:
            return
        now = self.clock.now()
        notices = await group_post_failed_notices(session, township.id, row.job, reason, now)
        await enqueue(session, notices, now)

    async def _migrated(self, row: OutboxMessage, new_id: int) -> None:
        """The group `row` was for is now the supergroup `new_id`: the townships whose group
        it was follow it, and so do this row and the rows still queued for it."""
        old = row.chat_id
        log.info("outbox message %s: the group became a supergroup; sending to its new id", row.id)
        async with self.sessions() as session, session.begin():
            await move_group(session, old, new_id, self.clock.now())
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.chat_id == old,
                    or_(OutboxMessage.id == row.id, OutboxMessage.status == "pending"),
                )
                .values(chat_id=new_id)
            )
        row.chat_id = new_id

    async def _forbidden(self, row: OutboxMessage, reason: str) -> None:
        await self._fail(row, f"forbidden: {reason}")
        async with self.sessions() as session, session.begin():
            await mark_reachable(session, row.chat_id, False)
            member = await session.scalar(
                select(Member).where(Member.telegram_user_id == row.chat_id)
            )
            if member is None or row.township_id is None:
                return
            notices = await unreachable_notices(session, member, row.township_id, self.clock.now())
            await enqueue(session, notices, self.clock.now())
