"""Concurrent update processing that keeps each user's updates in order.

PTB processes updates one at a time by default, so one cadre's database writes and HTTP
round trips hold up everyone else. `PerUserUpdateProcessor` lets updates of different users
run concurrently (at most `max_concurrent` at once) while the updates of one user (or, without
a user, of one chat) run strictly in the order Telegram sent them: a flow's state (a /visit
card, a report draft) is read and written by one update after the other, as before.

How the order is kept: PTB starts one task per update in update order, and each task reaches
`do_process_update` without suspending (PTB's own semaphore is sized so that it never blocks).
There the task takes its key's lock, which is FIFO, and only then a slot of the shared
semaphore, so a user who sends many updates waits behind their own updates without holding
slots that other users need.

Each update's database work is one unit (`bot.core.work`), committed before the bot answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core.unreadable import UnreadableUpdate
from bot.core.work import FirstCommit, unit_of_work

# PTB's own limit: never reached, so tasks enter do_process_update in update order.
_UNBOUNDED = 1_000_000


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent: int = 32) -> None:
        super().__init__(_UNBOUNDED)
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self._slots = asyncio.Semaphore(max_concurrent)
        self._keys: dict[int, tuple[asyncio.Lock, int]] = {}  # key -> (lock, holders+waiters)
        # update_id -> what its unit commits first (updates from the database, bot/core/inbound.py)
        self.first_commits: dict[int, FirstCommit] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @staticmethod
    def key(update: object) -> int | None:
        """Whose order to keep: the user's id, else the chat's, else none."""
        if not isinstance(update, Update):
            return None
        if isinstance(update, UnreadableUpdate):  # the library could not read whose it is
            return update.unreadable.user_id
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
        return None

    @property
    def waiting_keys(self) -> int:
        """Keys with an update running or queued (tests: the table does not grow)."""
        return len(self._keys)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.key(update)
        first = (
            self.first_commits.pop(update.update_id, None) if isinstance(update, Update) else None
        )
        if key is None:
            async with self._slots, unit_of_work(first):
                await coroutine
            return
        lock, count = self._keys.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._keys[key] = (lock, count + 1)
        try:
            async with lock, self._slots, unit_of_work(first):
                await coroutine
        finally:
            lock, count = self._keys[key]
            if count == 1:
                del self._keys[key]
            else:
                self._keys[key] = (lock, count - 1)
