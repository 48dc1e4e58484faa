"""The bot's rate limiter: Telegram's flood limits as sliding windows on an absolute timetable.

Telegram allows about `messages_per_second` (30) messages per second across all chats and
`group_messages_per_minute` (20) per group chat; beyond that it answers 429 (RetryAfter).
Only methods that create a message count (``send*`` except sendChatAction, copy, forward);
edits, deletions and callback answers go straight through.

How sends are paced:
- Every counted send takes the next slot of a timetable spaced `period / limit` apart. The
  timetable is absolute: a task that wakes up late from its sleep does not push the slots
  after it back, so the pace does not drift (aiolimiter's bucket of one lost ~5% that way).
- A sliding window keeps any `limit + 1` sends at least `period + margin` apart as Telegram
  sees them: a send starts only `period + margin` after the answer to the send `limit`
  places before it came back (Telegram saw that one before answering). However late
  wake-ups, the event loop or the network bunch sends together, Telegram's window never
  holds more than `limit`. The price, once per `limit` sends, is `margin` plus one round
  trip: the rate is `limit / (period + margin + round trip)`.
- Group chats have their own window (no even spacing: a long message split into parts may go
  out at once); a send waits for its group's window before it queues for the global one, so
  a full group never holds up private chats.
- A RetryAfter pauses every counted send for the time Telegram asks, then the request is
  retried, up to `max_retries` times; after that the RetryAfter is raised to the caller (the
  outbox reschedules the message).
- A wait longer than `max_held_wait` seconds (a server that asks for an hour) is not spent
  holding requests: the pause still stands, but the request that got it, and every counted
  send made during it, gets a RetryAfter for the time left at once. The outbox reschedules
  its message for the end of the pause (none is lost), and a handler's reply fails at once
  instead of holding up its user's updates for the hour (the error handler answers a pressed
  button, which is not counted).
- Edits and callback answers are not paced, but Telegram may still answer them with a 429
  (edits of one chat have their own flood limit): such a request alone waits the time asked
  and is tried again, up to `max_retries` times and while the wait is at most
  `max_unpaced_wait` seconds (a user is looking at the message), without pausing the sends.

`clock` and `sleep` are injectable, so the tests run on a fake time source.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
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


class Send:
    """One counted send: when it started and when its answer came back."""

    __slots__ = ("answered", "done", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.answered: float | None = None
        self.done = asyncio.Event()

    def finish(self, at: float) -> None:
        if self.answered is None:
            self.answered = at
            self.done.set()


class SlidingWindow:
    """At most `limit` sends in any `period` (+ `margin`) as Telegram sees them, optionally
    evenly spaced (`spacing`) on an absolute timetable. Callers serialise `earliest`/`record`.

    Telegram receives a send somewhere between the moment we start it and the moment its
    answer is back, so send k may start only `period + margin` after the *answer* to send
    k - limit (and to every send before it): whatever the network or the event loop delays,
    no `limit + 1` sends reach Telegram within one `period`.
    """

    def __init__(self, limit: int, period: float, margin: float, spacing: float = 0.0) -> None:
        if limit < 1 or period <= 0 or margin < 0 or spacing < 0:
            raise ValueError("limit >= 1, period > 0, margin >= 0, spacing >= 0")
        self.limit = limit
        self.period = period
        self.margin = margin
        self.spacing = spacing
        self.sends: deque[Send] = deque()  # the last `limit` sends, in start order
        self._answered_before = float("-inf")  # latest answer among older sends
        self._next_slot: float | None = None

    def earliest(self, now: float) -> float | Send:
        """The earliest moment the next send may start, or the send whose answer decides it
        (wait for it and ask again)."""
        at = now
        if self._next_slot is not None:
            at = max(at, self._next_slot)
        if len(self.sends) == self.limit:
            head = self.sends[0]
            if head.answered is None:
                return head
            seen = max(head.answered, self._answered_before)
            at = max(at, seen + self.period + self.margin)
        return at

    def record(self, slot: float, send: Send) -> None:
        """`send`, planned for `slot`, starts now (its start is >= slot when woken up late)."""
        if len(self.sends) == self.limit:
            head = self.sends.popleft()
            assert head.answered is not None  # `earliest` waited for it
            self._answered_before = max(self._answered_before, head.answered)
        self.sends.append(send)
        # The timetable moves on from the planned slot, not from the late wake-up (no drift);
        # after an idle spell the slot was "now", so it restarts from there.
        self._next_slot = slot + self.spacing if self.spacing else None

    def idle(self, now: float) -> bool:
        last = self.sends[-1].answered if self.sends else float("-inf")
        return last is not None and last + self.period + self.margin <= now


class FloodLimiter(BaseRateLimiter[int]):
    """PTB rate limiter for Telegram's global and per-group limits (see the module docstring).

    `rate_limit_args` may give a request its own maximum number of RetryAfter retries.
    """

    def __init__(
        self,
        messages_per_second: float = 30,
        group_messages_per_minute: float = 20,
        *,
        margin: float = 0.01,
        group_margin: float = 0.5,
        max_retries: int = 5,
        max_unpaced_wait: float = 30.0,
        max_held_wait: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        # Telegram's windows are whole seconds / minutes; a fractional rate (a config of
        # 29.5/s) becomes `limit` per `period` with the same average.
        self.overall = _window(messages_per_second, 1.0, margin, spaced=True)
        self._group_rate = group_messages_per_minute
        self._group_margin = group_margin
        self.max_retries = max_retries
        self.max_unpaced_wait = max_unpaced_wait
        self.max_held_wait = max_held_wait
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

    async def _slot(self, window: SlidingWindow) -> float:
        """Wait until `window` lets the next send start; returns its planned slot."""
        while True:
            found = window.earliest(self.clock())
            if isinstance(found, Send):
                await found.done.wait()
                continue
            slot = max(found, self._paused_until)
            self._unless_paused_long()
            await self._wait_until(slot)
            # A RetryAfter may have arrived while sleeping: check again before sending.
            if self.clock() >= self._paused_until:
                return slot

    def _unless_paused_long(self) -> None:
        """Raise RetryAfter for the time left when the pause is longer than a request is
        held."""
        left = self._paused_until - self.clock()
        if left > self.max_held_wait:
            raise RetryAfter(math.ceil(left))

    async def _acquire(self, group: int | str | None) -> Send:
        self._unless_paused_long()
        if group is None:
            async with self._overall_lock:
                slot = await self._slot(self.overall)
                send = Send(self.clock())
                self.overall.record(slot, send)
            return send
        lock, window = self._group(group)
        async with lock:
            # The group's window first, outside the global queue, then the global slot.
            group_slot = await self._slot(window)
            async with self._overall_lock:
                slot = await self._slot(self.overall)
                send = Send(self.clock())
                self.overall.record(slot, send)
            window.record(group_slot, send)
        return send

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        if not counts(endpoint):
            return await self._unpaced(callback, args, kwargs, endpoint, retries)
        group = _group_key(data.get("chat_id"))
        attempt = 0
        while True:
            send = await self._acquire(group)
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
                if seconds > self.max_held_wait:
                    log.warning(
                        "flood limit: Telegram asks to wait %.0f s; sends fail until then", seconds
                    )
                    raise
                log.info("flood limit hit; pausing sends for %.1f s", seconds)
            finally:
                send.finish(self.clock())

    async def _unpaced(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        retries: int,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """A request that is not paced (an edit, a callback answer): tried again after the
        wait a RetryAfter asks for, when that wait is short enough for someone looking."""
        attempt = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.retries += 1
                seconds = _seconds(exc.retry_after)
                if attempt >= retries or seconds > self.max_unpaced_wait:
                    log.warning(
                        "flood limit on %s (retry after %.0f s); giving up", endpoint, seconds
                    )
                    raise
                attempt += 1
                log.info("flood limit on %s; trying again in %.1f s", endpoint, seconds)
                await self._wait_until(self.clock() + seconds)


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
