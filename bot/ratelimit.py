"""The bot's rate limiter: Telegram's flood limits as sliding windows on an absolute timetable.

Telegram allows about `messages_per_second` (30) messages per second across all chats and
`group_messages_per_minute` (20) per group chat; beyond that it answers 429 (RetryAfter).
Only methods that create a message count (``send*`` except sendChatAction, copy, forward);
edits, deletions and callback answers go straight through.

How sends are paced:
- Every counted send takes the next slot of a timetable spaced `period / limit` apart. The
  timetable is absolute: a task that wakes up late from its sleep does not push the slots
  after it back, so the pace does not drift (aiolimiter's bucket of one lost ~5% that way).
- A sliding window over the moments sends actually started keeps any `limit + 1`
  consecutive sends at least `period + margin` apart, so even when late wake-ups bunch sends
  together Telegram's window (measured on its side, after network jitter) never sees more
  than `limit`. `margin` is the price: the rate is `limit / (period + margin)`.
- Group chats have their own window (no even spacing: a long message split into parts may go
  out at once); a send waits for its group's window before it queues for the global one, so
  a full group never holds up private chats.
- A RetryAfter pauses every counted send for the time Telegram asks, then the request is
  retried, up to `max_retries` times; after that the RetryAfter is raised to the caller (the
  outbox reschedules the message).

`clock` and `sleep` are injectable, so the tests run on a fake time source.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Methods that create a message; sendChatAction does not.
COUNTED_EXTRA = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def counts(endpoint: str) -> bool:
    """Whether a Bot API method counts against the flood limits."""
    if endpoint in COUNTED_EXTRA:
        return True
    return endpoint.startswith("send") and endpoint != "sendChatAction"


class SlidingWindow:
    """At most `limit` events in any `period + margin` seconds, optionally evenly spaced
    (`spacing`) on an absolute timetable. Not thread-safe; callers serialise `reserve`."""

    def __init__(self, limit: int, period: float, margin: float, spacing: float = 0.0) -> None:
        if limit < 1 or period <= 0 or margin < 0 or spacing < 0:
            raise ValueError("limit >= 1, period > 0, margin >= 0, spacing >= 0")
        self.limit = limit
        self.period = period
        self.margin = margin
        self.spacing = spacing
        self.started: deque[float] = deque(maxlen=limit)  # when the last `limit` sends began
        self._next_slot: float | None = None

    def earliest(self, now: float) -> float:
        """The earliest moment the next event may start."""
        at = now
        if self._next_slot is not None:
            at = max(at, self._next_slot)
        if len(self.started) == self.limit:
            at = max(at, self.started[0] + self.period + self.margin)
        return at

    def record(self, slot: float, started: float) -> None:
        """An event planned for `slot` started at `started` (>= slot when woken up late)."""
        self.started.append(started)
        # The timetable moves on from the planned slot, not from the late wake-up (no drift);
        # after an idle spell the slot was "now", so it restarts from there.
        self._next_slot = slot + self.spacing if self.spacing else None

    def idle(self, now: float) -> bool:
        return not self.started or self.started[-1] + self.period + self.margin <= now


class FloodLimiter(BaseRateLimiter[int]):
    """PTB rate limiter for Telegram's global and per-group limits (see the module docstring).

    `rate_limit_args` may give a request its own maximum number of RetryAfter retries.
    """

    def __init__(
        self,
        messages_per_second: float = 30,
        group_messages_per_minute: float = 20,
        *,
        margin: float = 0.02,
        group_margin: float = 0.5,
        max_retries: int = 5,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        # Telegram's windows are whole seconds / minutes; a fractional rate (a config of
        # 29.5/s) becomes `limit` per `period` with the same average.
        self.overall = _window(messages_per_second, 1.0, margin, spaced=True)
        self._group_rate = group_messages_per_minute
        self._group_margin = group_margin
        self.max_retries = max_retries
        self.clock = clock
        self.sleep = sleep
        self._overall_lock = asyncio.Lock()
        self._groups: dict[int | str, tuple[asyncio.Lock, SlidingWindow]] = {}
        self._paused_until = 0.0
        self.retries = 0  # RetryAfter answers seen (metrics, tests)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group(self, chat_id: int | str) -> tuple[asyncio.Lock, SlidingWindow]:
        found = self._groups.get(chat_id)
        if found is None:
            if len(self._groups) > 512:  # forget groups whose window has emptied
                now = self.clock()
                for key, (lock, window) in list(self._groups.items()):
                    if not lock.locked() and window.idle(now):
                        del self._groups[key]
            found = (
                asyncio.Lock(),
                _window(self._group_rate / 60.0, 60.0, self._group_margin, spaced=False),
            )
            self._groups[chat_id] = found
        return found

    async def _wait_until(self, at: float) -> None:
        while (now := self.clock()) < at:
            await self.sleep(at - now)

    async def _take(self, window: SlidingWindow) -> None:
        """Wait for the window's next slot (and any RetryAfter pause) and record the send."""
        while True:
            slot = max(window.earliest(self.clock()), self._paused_until)
            await self._wait_until(slot)
            # A RetryAfter may have arrived while sleeping: check again before sending.
            if self.clock() >= self._paused_until:
                window.record(slot, self.clock())
                return

    async def _acquire(self, group: int | str | None) -> None:
        if group is None:
            async with self._overall_lock:
                await self._take(self.overall)
            return
        lock, window = self._group(group)
        async with lock:
            # The group's window first, outside the global queue, then the global slot.
            await self._wait_until(window.earliest(self.clock()))
            async with self._overall_lock:
                await self._take(self.overall)
            window.record(self.clock(), self.clock())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not counts(endpoint):
            return await callback(*args, **kwargs)
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        group = _group_key(data.get("chat_id"))
        attempt = 0
        while True:
            await self._acquire(group)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.retries += 1
                if attempt >= retries:
                    log.warning("flood limit hit %d times for one request; giving up", attempt + 1)
                    raise
                attempt += 1
                seconds = _seconds(exc.retry_after)
                self._paused_until = max(self._paused_until, self.clock() + seconds)
                log.info("flood limit hit; pausing sends for %.1f s", seconds)


def _window(rate: float, period: float, margin: float, *, spaced: bool) -> SlidingWindow:
    """`rate` per second as a window of `period` seconds."""
    per_period = round(rate * period, 9)
    limit = max(1, int(per_period))
    # A rate below one per period, or a fraction (29.5/s): stretch the period to match.
    span = period if per_period == limit else limit / rate
    return SlidingWindow(limit, span, margin, spacing=span / limit if spaced else 0.0)


def _group_key(chat_id: object) -> int | str | None:
    """Group chats, supergroups and channels have negative ids (or an @username)."""
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
    if isinstance(chat_id, str):
        return chat_id
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
