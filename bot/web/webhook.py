"""Updates to the bot's webhook, once it has set one: POSTed in order, one at a time, each
deleted once the webhook took it. An update stays in the database until then, so a restart or
another instance carries on; one instance delivers at a time (a lease on the webhook row)."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

import httpx
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.db.leases import database_now
from bot.core.models import WebUpdate, WebWebhook
from bot.core.tasks import Background
from bot.web.botapi import core
from bot.web.botapi.rules import JSON
from bot.web.store import Wakeup

log = logging.getLogger(__name__)
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]
ROW = 1
# A delivering instance that died is replaced after this long.
LEASE = timedelta(seconds=60)
# How often an idle instance looks for updates another instance stored.
IDLE_SECONDS = 1.0


async def settings(session: AsyncSession) -> WebWebhook:
    row = await session.get(WebWebhook, ROW)
    if row is None:
        row = WebWebhook(id=ROW, url="", max_connections=40)
        session.add(row)
    return row


def allowed(row: WebWebhook | None) -> frozenset[str] | None:
    return frozenset(row.allowed_updates) if row and row.allowed_updates is not None else None


def remember_allowed(row: WebWebhook, types: frozenset[str] | None) -> None:
    if types is not None and allowed(row) != types:
        row.allowed_updates = sorted(types)


async def apply(session: AsyncSession, request: core.Webhook) -> None:
    """setWebhook (or deleteWebhook: an empty url)."""
    if request.drop_pending_updates:
        await session.execute(delete(WebUpdate))
    row = await settings(session)
    if row.url != request.url:
        row.last_error_at, row.last_error_message = None, None
    row.url = request.url
    row.secret_token = request.secret_token
    row.max_connections = request.max_connections
    remember_allowed(row, request.allowed_updates)


async def info(session: AsyncSession) -> JSON:
    row = await session.get(WebWebhook, ROW)
    pending = await session.scalar(select(func.count()).select_from(WebUpdate)) or 0
    if row is None:
        return core.webhook_info(
            "",
            pending,
            max_connections=40,
            allowed=None,
            last_error_date=None,
            last_error_message=None,
        )
    return core.webhook_info(
        row.url,
        pending,
        max_connections=row.max_connections,
        allowed=allowed(row),
        last_error_date=int(row.last_error_at.timestamp()) if row.last_error_at else None,
        last_error_message=row.last_error_message,
    )


async def pending(
    session: AsyncSession, offset: int | None, limit: int, types: frozenset[str] | None
) -> list[JSON]:
    """The first updates not confirmed yet (updates before `offset` are confirmed); those of
    types the bot does not want are dropped."""
    if offset is not None:
        await session.execute(delete(WebUpdate).where(WebUpdate.update_id < offset))
    rows = list(await session.scalars(select(WebUpdate).order_by(WebUpdate.update_id).limit(limit)))
    unwanted = [row.update_id for row in rows if not core.wanted(row.payload, types)]
    if unwanted:
        await session.execute(delete(WebUpdate).where(WebUpdate.update_id.in_(unwanted)))
    return [row.payload for row in rows if row.update_id not in unwanted]


class Outcome(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"
    IDLE = "idle"


@dataclass(frozen=True)
class Claim:
    update: JSON
    url: str
    secret_token: str | None


class Delivery:
    """The delivery task of one server: `start`, `stop`; `changed` wakes it when the webhook
    is set or removed, `updates` when an update is stored."""

    def __init__(
        self,
        transaction: Transaction,
        clock: Clock,
        updates: Wakeup,
        changed: Wakeup,
        *,
        retry_seconds: float = 1.0,
    ) -> None:
        self.transaction = transaction
        self.clock = clock
        self.updates = updates
        self.changed = changed
        self.delivered = Wakeup()  # after each attempt is recorded
        self.retry_seconds = retry_seconds
        self.name = secrets.token_hex(6)
        self._loop = Background(self._run)
        self.start = self._loop.start
        self.stop = self._loop.stop

    async def _run(self) -> None:
        delays: Iterator[float] | None = None
        async with httpx.AsyncClient(timeout=10) as http:
            while True:
                try:
                    outcome = await self.attempt(http)
                except Exception:  # the database is down: try again later
                    log.warning("could not deliver updates to the webhook", exc_info=True)
                    outcome = Outcome.FAILED
                if outcome is Outcome.DELIVERED:
                    delays = None
                elif outcome is Outcome.FAILED:
                    delays = delays or core.retry_delays(self.retry_seconds)
                    # Back off, but start again at once when the webhook is changed.
                    await self.changed.wait(next(delays))
                else:
                    delays = None
                    await self.updates.wait(IDLE_SECONDS)

    async def attempt(self, http: httpx.AsyncClient) -> Outcome:
        claim = await self._claim()
        if claim is None:
            return Outcome.IDLE
        body = json.dumps(claim.update, ensure_ascii=False).encode()
        try:
            response = await http.post(
                claim.url, content=body, headers=core.webhook_headers(claim.secret_token)
            )
            error = core.delivery_error(response.status_code)
        except httpx.HTTPError as exc:
            error = core.delivery_error(None, exc)
        async with self.transaction() as session:
            if error is None:
                await session.execute(
                    delete(WebUpdate).where(WebUpdate.update_id == claim.update["update_id"])
                )
            row = await settings(session)
            if error is not None:
                row.last_error_at, row.last_error_message = self.clock.now(), error
            if row.delivering_by == self.name:
                row.delivering_by, row.delivering_until = None, None
        self.delivered.notify()
        return Outcome.DELIVERED if error is None else Outcome.FAILED

    async def _claim(self) -> Claim | None:
        async with self.transaction() as session:
            row = await session.get(WebWebhook, ROW)
            if row is None or not row.url:
                return None
            if not await session.scalar(select(WebUpdate.update_id).limit(1)):
                return None
        async with self.transaction() as session:
            # The claim comes first, so what is read after it is what the last holder left.
            taken = await session.execute(
                update(WebWebhook)
                .where(
                    WebWebhook.id == ROW,
                    WebWebhook.url != "",
                    or_(
                        WebWebhook.delivering_by.is_(None),
                        WebWebhook.delivering_by == self.name,
                        WebWebhook.delivering_until <= database_now(session),
                    ),
                )
                .values(delivering_by=self.name, delivering_until=database_now(session, LEASE))
                .execution_options(synchronize_session=False)
            )
            if not taken.rowcount:  # type: ignore[attr-defined]
                return None  # another instance is delivering
            row = await session.get(WebWebhook, ROW, populate_existing=True)
            assert row is not None
            first = await pending(session, None, 1, allowed(row))
            if not first:
                row.delivering_by, row.delivering_until = None, None
                return None
            return Claim(first[0], row.url, row.secret_token)
