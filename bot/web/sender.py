"""What the web channel's senders to members away from the page share (`nudges`' group robots,
`push`'s push services): a table of queued sends, each row claimed once before it is sent (a
crash between sending and recording loses it rather than repeating), its outcome recorded
and a failure the service may get over tried again later, waiting twice as long each time."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Literal, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.tasks import Background
from bot.web.store import Wakeup

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=30)
BATCH = 20
EVERY = 5.0  # seconds between looks when nothing wakes the loop

Outcome = Literal["sent", "retry", "failed", "gone"]
Target = TypeVar("Target")


class QueuedSender(ABC, Generic[Target]):
    """Sends a table's due rows (pending, `next_attempt_at` passed); woken when one is queued,
    and looks every few seconds. A channel says what its rows are (`table`), where a claimed
    row goes (`target`: None when there is nowhere, which is the outcome `nowhere`), how it is
    sent (`post`) and what a "gone" outcome removes (`forget`)."""

    table: ClassVar[Any]
    nowhere: ClassVar[Outcome]
    what: ClassVar[str]  # the sends, as the log names them

    def __init__(self, transaction: Any, clock: Clock, wakeup: Wakeup) -> None:
        self.transaction = transaction
        self.clock = clock
        self.wakeup = wakeup
        self.recorded = Wakeup()  # after every outcome is recorded
        self._loop = Background(self._run)

    @abstractmethod
    def client(self) -> AbstractAsyncContextManager[Any]:
        """The HTTP client the loop sends through."""

    @abstractmethod
    async def target(self, session: AsyncSession, row: Any, now: datetime) -> Target | None:
        """Where the claimed `row` goes, read in the transaction that claimed it."""

    @abstractmethod
    async def post(self, http: Any, target: Target) -> Outcome: ...

    async def forget(self, session: AsyncSession, row: Any) -> None:
        """After a "gone" outcome."""

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def _run(self) -> None:
        async with self.client() as http:
            while True:
                try:
                    await self.send_due(http)
                except Exception:  # the database or a service is down: try again later
                    log.warning("could not send the %s", self.what, exc_info=True)
                await self.wakeup.wait(EVERY)

    async def send_due(self, http: Any) -> int:
        """Send what is due through `http` (the loop's client); returns how many arrived."""
        now = self.clock.now()
        async with self.transaction() as session:
            due = list(
                await session.scalars(
                    select(self.table.id)
                    .where(self.table.status == "pending", self.table.next_attempt_at <= now)
                    .order_by(self.table.id)
                    .limit(BATCH)
                )
            )
        sent = 0
        for row_id in due:
            sent += await self._send(http, row_id, now)
        return sent

    async def _send(self, http: Any, row_id: int, now: datetime) -> int:
        table = self.table
        async with self.transaction() as session:
            claimed = await session.execute(
                update(table)
                .where(table.id == row_id, table.status == "pending")
                .values(status="sending", attempts=table.attempts + 1)
            )
            if not claimed.rowcount:
                return 0  # another instance has it
            row = await session.get(table, row_id)
            assert row is not None
            attempts = row.attempts
            target = await self.target(session, row, now)
        outcome = self.nowhere if target is None else await self.post(http, target)
        async with self.transaction() as session:
            row = await session.get(table, row_id)
            assert row is not None
            if outcome == "sent":
                row.status, row.sent_at = "sent", self.clock.now()
            elif outcome == "retry" and attempts < MAX_ATTEMPTS:
                row.status = "pending"
                row.next_attempt_at = now + FIRST_RETRY * 2 ** (attempts - 1)
            elif outcome == "gone":
                row.status = "gone"
                await self.forget(session, row)
            else:
                row.status = "failed"
        self.recorded.notify()
        return int(outcome == "sent")
