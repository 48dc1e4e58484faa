"""Updates stored in PostgreSQL and shared by every active instance (`[instance] active = "all"`).

Ingress stores each update once, keyed by Telegram's update_id (a redelivery is a no-op),
before Telegram is answered (webhook) or acknowledged (the next getUpdates offset). Each
instance then claims *keys* (a user's id, else the chat's: PerUserUpdateProcessor.key) with
`FOR UPDATE SKIP LOCKED`, so one key's updates are handled by one instance at a time, in
update_id order. A claim expires unless its holder renews it, so the keys of an instance that
died are claimed by the others once it expires; claims are timed by the database's clock, so
instances whose clocks disagree still agree on who holds a key. A holder keeps a key for
`[instance] affinity_seconds` after its last update (the user's next tap needs no new
claim) and gives its keys up when it stops. Storing an update notifies its key's live holder
only; an update of a key nobody holds wakes every instance, and whoever claims it first
takes it (a few keys at a time, so new users are spread over the instances). An update is
marked handled in the transaction of its unit of work's first commit
(`bot.core.work.FirstCommit`): if a slow instance whose claim expired handles an update
another one handled, its mark finds the row already handled and its work rolls back, so
every update's database work counts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from telegram import Update

from bot.core.db.directory import REFRESH_SECONDS
from bot.core.db.leases import database_now
from bot.core.models import InboundUpdate, UpdateKey
from bot.core.services import Services
from bot.core.unreadable import read_update
from bot.core.work import AlreadyHandled, FirstCommit

log = logging.getLogger(__name__)
Executor = AsyncSession | AsyncConnection

CHANNEL = "township_updates"
# Without a notification (a dropped listening connection), look for work this often anyway.
POLL_SECONDS = 1.0
# Updates read for a key at a time, and keys handled at a time.
BATCH = 50
# Keys claimed at a time.
CLAIM_AT_ONCE = 2
# On a graceful stop, the updates under way get this long to finish.
DRAIN_SECONDS = 10.0
# Updates this instance received (getUpdates) kept parsed for handling: parsing twice costs.
KEEP_PARSED = 1000


def key_of(payload: dict[str, Any]) -> int:
    """The key whose order an update keeps: the user's id, else the chat's, else 0; read from
    the JSON (what PerUserUpdateProcessor.key reads from the parsed update, without parsing)."""
    for name, value in payload.items():
        if name == "update_id" or not isinstance(value, dict):
            continue
        for field in ("from", "user"):
            user = value.get(field)
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                return int(user["id"])
        chat = value.get("chat")
        if not isinstance(chat, dict) and isinstance(value.get("message"), dict):
            chat = value["message"].get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return 0


# One statement (one round trip; in a connection of its own it commits as it returns): the
# keys are created (in one order everywhere, so two storing statements never wait on each
# other crosswise), the updates stored once each, and who handles them notified: one
# notification per live holder naming its keys ("holder 1,2"), one naming the keys nobody
# holds (" 3,4") for everyone. A notification is sent when its transaction commits.
_STORE = text(
    """
    WITH keys AS (
        INSERT INTO update_keys (key)
        SELECT DISTINCT k FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k
        ON CONFLICT DO NOTHING
    ), new AS (
        INSERT INTO inbound_updates (update_id, key, payload, received_at)
        SELECT (r->>'update_id')::bigint, (r->>'key')::bigint, r->'payload', clock_timestamp()
        FROM json_array_elements(CAST(:rows AS json)) AS r
        ON CONFLICT (update_id) DO NOTHING
        RETURNING key
    ), woken AS (
        SELECT pg_notify(
            :channel,
            coalesce(h.holder, '') || ' ' || string_agg(h.key::text, ',' ORDER BY h.key)
        )
        FROM (
            SELECT DISTINCT n.key,
                   CASE WHEN k.expires_at > clock_timestamp() THEN k.holder END AS holder
            FROM new n LEFT JOIN update_keys k ON k.key = n.key
        ) h
        GROUP BY h.holder
    )
    SELECT (SELECT count(*) FROM new) AS stored, (SELECT count(*) FROM woken) AS notified
    """
)


async def store(session: Executor, payloads: Sequence[dict[str, Any]]) -> int:
    """Store updates once each (a redelivered update_id is ignored) and wake who handles
    them; the number of new ones."""
    if not payloads:
        return 0
    rows = [{"update_id": p["update_id"], "key": key_of(p), "payload": p} for p in payloads]
    result = await session.execute(
        _STORE,
        {
            "keys": [row["key"] for row in rows],
            "rows": json.dumps(rows, ensure_ascii=False),
            "channel": CHANNEL,
        },
    )
    return int(result.one().stored)


async def receive(engine: AsyncEngine, payloads: Sequence[dict[str, Any]]) -> int:
    """`store`, committed (what ingress does before Telegram is told the updates arrived)."""
    async with engine.connect() as connection:
        auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return await store(auto, payloads)


def notified(payload: str) -> tuple[str, list[int]]:
    """A notification's holder ("" for everyone) and keys."""
    holder, _, keys = payload.rpartition(" ")
    return holder, [int(k) for k in keys.split(",") if k]


_CLAIM = text(
    """
    UPDATE update_keys
    SET holder = :holder, expires_at = clock_timestamp() + make_interval(secs => :seconds)
    WHERE key IN (
        SELECT k.key FROM update_keys k
        WHERE (k.holder IS NULL OR k.expires_at <= clock_timestamp())
          AND EXISTS (
              SELECT 1 FROM inbound_updates u WHERE u.key = k.key AND u.done_at IS NULL
          )
        LIMIT :limit
        FOR UPDATE OF k SKIP LOCKED
    )
    RETURNING key
    """
)


async def claim(session: Executor, holder: str, ttl: timedelta, limit: int = BATCH) -> list[int]:
    """Keys with pending updates that nobody holds (or whose claim expired), now `holder`'s
    for `ttl`. Keys another transaction is claiming are skipped, not waited for."""
    result = await session.execute(
        _CLAIM, {"holder": holder, "seconds": ttl.total_seconds(), "limit": limit}
    )
    return sorted(result.scalars())


async def renew(session: Executor, holder: str, keys: Sequence[int], ttl: timedelta) -> set[int]:
    """Extend `holder`'s claims on `keys` for `ttl`; those it still holds."""
    if not keys:
        return set()
    result = await session.execute(
        update(UpdateKey)
        .where(UpdateKey.holder == holder, UpdateKey.key.in_(keys))
        .values(expires_at=database_now(session, ttl))
        .returning(UpdateKey.key)
    )
    return set(result.scalars())


async def release(session: Executor, holder: str, key: int) -> None:
    await session.execute(
        update(UpdateKey)
        .where(UpdateKey.key == key, UpdateKey.holder == holder)
        .values(holder=None, expires_at=None)
    )


async def release_all(session: Executor, holder: str) -> None:
    """On a graceful stop: the others need not wait for the claims to expire."""
    await session.execute(
        update(UpdateKey).where(UpdateKey.holder == holder).values(holder=None, expires_at=None)
    )


async def pending(
    session: Executor, keys: Sequence[int], limit: int = BATCH
) -> dict[int, list[tuple[int, dict[str, Any]]]]:
    """The keys' updates not handled yet, oldest first (at most `limit` in all)."""
    result = await session.execute(
        select(InboundUpdate.key, InboundUpdate.update_id, InboundUpdate.payload)
        .where(InboundUpdate.key.in_(keys), InboundUpdate.done_at.is_(None))
        .order_by(InboundUpdate.key, InboundUpdate.update_id)
        .limit(limit)
    )
    found: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for row in result:
        found.setdefault(row.key, []).append((row.update_id, row.payload))
    return found


_RELEASE_IF_IDLE = text(
    """
    UPDATE update_keys SET holder = NULL, expires_at = NULL
    WHERE key = :key AND holder = :holder
      AND NOT EXISTS (
          SELECT 1 FROM inbound_updates u WHERE u.key = :key AND u.done_at IS NULL
      )
    RETURNING key
    """
)


async def release_if_idle(session: Executor, holder: str, key: int) -> bool:
    """Give the key up when it has nothing pending; False when it has (or is not held)."""
    result = await session.execute(_RELEASE_IF_IDLE, {"key": key, "holder": holder})
    return result.first() is not None


_MARK = (
    update(InboundUpdate)
    .where(
        InboundUpdate.update_id == bindparam("id"),
        InboundUpdate.done_at.is_(None),
    )
    .values(done_at=func.clock_timestamp(), done_by=bindparam("by"))
)


async def mark_done(session: Executor, update_id: int, by: str) -> bool:
    """True when this marked the update handled; False when it already was."""
    result = await session.execute(_MARK, {"id": update_id, "by": by})
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def prune(session: Executor, retention: timedelta) -> int:
    """Delete updates handled more than `retention` ago."""
    result = await session.execute(
        delete(InboundUpdate).where(InboundUpdate.done_at < database_now(session, -retention))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


class Wakeup:
    """LISTEN on a connection of its own: `event` is set when this instance is to look for
    keys to claim; `on_keys` hears of new updates of keys this instance may hold."""

    def __init__(
        self, engine: AsyncEngine, name: str, on_keys: Callable[[list[int]], bool]
    ) -> None:
        self.engine = engine
        self.name = name
        self.on_keys = on_keys
        self.event = asyncio.Event()
        self._connection: AsyncConnection | None = None
        self._driver: Any = None

    async def ensure(self) -> bool:
        """Listen again after the connection dropped (meanwhile the poll finds the work);
        True when it listens anew (updates stored while nobody listened were not heard)."""
        if self._driver is not None and not self._driver.is_closed():
            return False
        await self.close()
        connection = await self.engine.connect()
        raw = await connection.get_raw_connection()
        self._connection, self._driver = connection, raw.driver_connection
        await self._driver.add_listener(CHANNEL, self._notified)
        self.event.set()
        return True

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        holder, keys = notified(payload)
        if holder not in ("", self.name):
            return  # another instance's user
        # A key not held here (any more) is claimed, by whoever is first.
        if not self.on_keys(keys) or not holder:
            self.event.set()

    async def close(self) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()


class Sharing:
    """One instance's part: claim keys, handle their updates in order through the processor,
    renew the claims while alive, keep each key `affinity` seconds after its last update,
    then release it (all of them when stopping)."""

    def __init__(
        self,
        app: Any,
        name: str,
        *,
        claim_seconds: float,
        retention: timedelta,
        affinity: float,
    ) -> None:
        self.app = app
        self.name = name
        self.retention = retention
        self.ttl = timedelta(seconds=claim_seconds)
        self.renew_every = claim_seconds / 3
        self.affinity = affinity
        self.processor = app.update_processor
        self._keys: dict[int, asyncio.Task[None]] = {}
        # Set when a held key has new updates (or the instance stops).
        self._news: dict[int, asyncio.Event] = {}
        self._idle: set[int] = set()
        self._lost: set[int] = set()
        self._reclaimed: set[int] = set()
        self._draining = False
        self._wakeup: Wakeup | None = None
        self._parsed: OrderedDict[int, Update] = OrderedDict()

    @property
    def svc(self) -> Services:
        svc: Services = self.app.bot_data["services"]
        return svc

    def stored(self, updates: Sequence[Update] = ()) -> None:
        """Updates this instance stored: kept parsed, as they are likely handled here (the
        database's notification says who handles them)."""
        for received in updates:
            self._parsed[received.update_id] = received
        while len(self._parsed) > KEEP_PARSED:
            self._parsed.popitem(last=False)

    def news(self, keys: Sequence[int]) -> bool:
        """New updates of `keys`: wake the tasks of those held here; False when some are not."""
        held = True
        for key in keys:
            event = self._news.get(key)
            if event is None:
                held = False
            else:
                event.set()
        return held

    @property
    def busy(self) -> int:
        return len(self._keys) - len(self._idle)

    async def run(self, stopping: asyncio.Event) -> None:
        self._wakeup = Wakeup(self.svc.engine, self.name, self.news)
        renewing = asyncio.create_task(self._renew_loop(stopping))
        chores = asyncio.create_task(self._chores(stopping))
        try:
            while not stopping.is_set():
                self._wakeup.event.clear()
                try:
                    if await self._wakeup.ensure():
                        self.news(list(self._news))
                    if await self._claim():
                        self._wakeup.event.set()  # there may be more
                except Exception as exc:  # the database is down: try again at the next poll
                    log.warning("claiming updates failed (%s)", type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.event.wait(), POLL_SECONDS)
        finally:
            # Each key stops after its update under way (an idle one at once); the rest stay
            # pending for the others, and every key is released.
            self._draining = True
            for event in self._news.values():
                event.set()
            keys = list(self._keys.values())
            if keys:
                await asyncio.wait(keys, timeout=DRAIN_SECONDS)
            renewing.cancel()
            chores.cancel()
            for task in keys:
                task.cancel()
            await asyncio.gather(renewing, chores, *keys, return_exceptions=True)
            await self._wakeup.close()
            with contextlib.suppress(Exception):
                async with self.svc.transaction() as session:
                    await release_all(session, self.name)

    async def _claim(self) -> int:
        """Claim a key or a few: the instances that are woken take turns, so new users are
        spread over them (and then stay where they are, `affinity`). How many were claimed."""
        free = min(BATCH - self.busy, CLAIM_AT_ONCE)
        if free <= 0:
            return 0
        async with self.svc.engine.begin() as conn:
            keys = await claim(conn, self.name, self.ttl, free)
            batches = await pending(conn, keys, BATCH * 4) if keys else {}
        for key in keys:
            if key in self._keys:  # its task is ending: it starts again (`_handle_key`)
                self._reclaimed.add(key)
            else:
                self._start(key, batches.get(key, []))
        return len(keys)

    def _start(self, key: int, batch: list[tuple[int, dict[str, Any]]]) -> None:
        self._lost.discard(key)
        self._news[key] = asyncio.Event()
        self._keys[key] = asyncio.create_task(self._handle_key(key, batch))

    async def _chores(self, stopping: asyncio.Event) -> None:
        """Villages changed in chat through another instance; handled updates past their
        retention (every instance deletes them: the deletes do not conflict)."""
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), REFRESH_SECONDS)
            svc = self.svc
            try:
                await svc.refresh_directory()
                async with svc.transaction() as session:
                    await prune(session, self.retention)
            except Exception as exc:
                log.warning("refreshing the directory failed (%s)", type(exc).__name__)

    async def _renew_loop(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.renew_every)
            tasks = dict(self._keys)
            try:
                async with self.svc.engine.begin() as conn:
                    held = await renew(conn, self.name, sorted(tasks), self.ttl)
            except Exception as exc:
                log.warning("renewing update claims failed (%s)", type(exc).__name__)
                continue
            # (a key whose task ended meanwhile was released, not lost)
            lost = {k for k, task in tasks.items() if k not in held and self._keys.get(k) is task}
            if lost:
                self._lost |= lost
                for key in lost:
                    if (event := self._news.get(key)) is not None:
                        event.set()

    def _stop_key(self, key: int) -> bool:
        return key in self._lost or self._draining

    async def _handle_key(self, key: int, batch: list[tuple[int, dict[str, Any]]]) -> None:
        """The key's updates in order; when none is left, wait `affinity` for the next one,
        then release the key (in the statement that finds none pending, so an update stored
        meanwhile is not left behind)."""
        svc = self.svc
        news = self._news[key]
        released = False
        full = self.busy >= BATCH
        # Updates stored before this task listened for its key's news are read once more.
        read = not batch
        try:
            while not self._stop_key(key):
                if read:
                    news.clear()
                    async with svc.engine.connect() as conn:
                        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
                        batch = (await pending(auto, [key])).get(key, [])
                if batch:
                    more = len(batch) >= BATCH
                    for update_id, payload in batch:
                        if self._stop_key(key):
                            break
                        await self._handle(update_id, payload)
                    # Updates stored since the batch was read were notified (`news`).
                    read, batch = (more or news.is_set() or not read), []
                    continue
                self._idle.add(key)
                try:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(news.wait(), self.affinity)
                finally:
                    self._idle.discard(key)
                read = True
                if news.is_set():
                    continue
                async with svc.engine.begin() as conn:
                    if await release_if_idle(conn, self.name, key):
                        released = True
                        break
        except Exception as exc:  # the claim expires and the key is handled again
            log.warning("handling updates failed (%s)", type(exc).__name__)
        finally:
            self._keys.pop(key, None)
            self._news.pop(key, None)
            if key in self._reclaimed:
                self._reclaimed.discard(key)
                if not self._draining:
                    self._start(key, [])
            elif not released and key not in self._lost:
                with contextlib.suppress(Exception):  # if not released, the claim expires
                    async with svc.engine.begin() as conn:
                        await release(conn, self.name, key)
            if full:
                self.wake()

    def wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.event.set()

    async def _handle(self, update_id: int, payload: dict[str, Any]) -> None:
        svc = self.svc
        name = self.name

        async def mark(session: AsyncSession) -> None:
            if not await mark_done(session, update_id, name):
                raise AlreadyHandled

        first = FirstCommit(svc.sessions, mark)
        try:
            parsed = self._parsed.pop(update_id, None) or read_update(payload, self.app.bot)
            self.processor.first_commits[update_id] = first
            await self.processor.process_update(parsed, self.app.process_update(parsed))
        except AlreadyHandled:
            log.info("update %s was handled by another instance", update_id)
        except Exception:
            log.exception("update %s failed", update_id)
        finally:
            self.processor.first_commits.pop(update_id, None)
        if not first.done:
            # It failed before committing (or another instance committed it): it is not tried
            # again, as it would fail again and hold up this user's later updates.
            async with svc.engine.begin() as conn:
                await mark_done(conn, update_id, name)
