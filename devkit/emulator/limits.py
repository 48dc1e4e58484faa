"""Flood control, fault injection and request statistics."""

from __future__ import annotations

import math
import random
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["500", "502", "429", "timeout", "drop", "stall"]
FAULT_KINDS: tuple[FaultKind, ...] = ("500", "502", "429", "timeout", "drop", "stall")


@dataclass
class EmulatorLimits:
    """Telegram's documented limits (https://core.telegram.org/bots/faq#broadcasting-to-users).

    Only methods that create a message (``send*``) are counted; edits, deletes and callback
    answers are not. ``None`` switches a limit off.
    """

    messages_per_second: int | None = 30  # per bot, across all chats
    group_messages_per_minute: int | None = 20  # per group chat
    private_messages_per_second: int | None = None  # per private chat; only a recommendation
    text_length: int = 4096
    caption_length: int = 1024
    callback_data_bytes: int = 64
    # Some Bot API servers refuse to edit a message's text or caption once it is this many
    # hours old ("message can't be edited"; its buttons can still be changed). Telegram sets
    # no such limit on a bot's own messages with buttons: None, the default.
    edit_within_hours: int | None = None
    # How long a "timeout" fault holds the answer if the client never hangs up.
    fault_timeout_hold: float = 30.0
    # Delay before re-POSTing an update to a webhook that failed (doubles up to 8x).
    webhook_retry_delay: float = 0.2


class _Window:
    """Sliding window of event times."""

    def __init__(self, size: float, limit: int) -> None:
        self.size = size
        self.limit = limit
        self.times: deque[float] = deque()

    def retry_after(self, now: float) -> int:
        while self.times and self.times[0] <= now - self.size:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0
        return max(1, math.ceil(self.times[0] + self.size - now))


class FloodControl:
    def __init__(self, limits: EmulatorLimits, monotonic: Callable[[], float]) -> None:
        self.limits = limits
        self.monotonic = monotonic
        self._windows: dict[tuple[str, int, int], _Window] = {}

    def _keys(self, bot_id: int, chat_id: int, chat_type: str) -> list[tuple[str, int, int]]:
        keys = []
        if self.limits.messages_per_second is not None:
            keys.append(("bot", bot_id, 0))
        if chat_type == "private":
            if self.limits.private_messages_per_second is not None:
                keys.append(("private", bot_id, chat_id))
        elif self.limits.group_messages_per_minute is not None:
            keys.append(("group", bot_id, chat_id))
        return keys

    def _window(self, key: tuple[str, int, int]) -> _Window:
        if key not in self._windows:
            if key[0] == "bot":
                size, limit = 1.0, self.limits.messages_per_second
            elif key[0] == "private":
                size, limit = 1.0, self.limits.private_messages_per_second
            else:
                size, limit = 60.0, self.limits.group_messages_per_minute
            assert limit is not None
            self._windows[key] = _Window(size, limit)
        return self._windows[key]

    def check(self, bot_id: int, chat_id: int, chat_type: str) -> int:
        """Return seconds to wait (0 = allowed) without recording anything."""
        now = self.monotonic()
        waits = [self._window(k).retry_after(now) for k in self._keys(bot_id, chat_id, chat_type)]
        return max(waits, default=0)

    def record(self, bot_id: int, chat_id: int, chat_type: str) -> None:
        now = self.monotonic()
        for key in self._keys(bot_id, chat_id, chat_type):
            self._window(key).times.append(now)


@dataclass
class Fault:
    kind: FaultKind
    method: str | None  # lower-case method name, None = any method
    retry_after: int = 1


class FaultInjector:
    """Deterministic queued faults plus an optional seeded random mode."""

    def __init__(self, seed: int = 0) -> None:
        self._queue: list[Fault] = []
        self._rate = 0.0
        self._kinds: tuple[FaultKind, ...] = ()
        self._methods: frozenset[str] | None = None
        self._random = random.Random(seed)

    def inject(
        self,
        method: str | None = None,
        kind: FaultKind = "500",
        count: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (any method if None) fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        name = method.lower() if method else None
        self._queue.extend(Fault(kind, name, retry_after) for _ in range(count))

    def set_random_faults(
        self,
        rate: float = 0.1,
        kinds: Iterable[FaultKind] = ("500", "502", "429"),
        methods: Iterable[str] | None = None,
        seed: int | None = None,
    ) -> None:
        """Fail each matching request with probability ``rate`` (0 switches random mode off)."""
        self._rate = rate
        self._kinds = tuple(kinds)
        self._methods = frozenset(m.lower() for m in methods) if methods is not None else None
        if seed is not None:
            self._random = random.Random(seed)

    def clear(self) -> None:
        self._queue.clear()
        self._rate = 0.0

    @property
    def pending(self) -> int:
        return len(self._queue)

    def take(self, method: str) -> Fault | None:
        for index, fault in enumerate(self._queue):
            if fault.method is None or fault.method == method:
                return self._queue.pop(index)
        if not (self._rate > 0 and self._kinds):
            return None
        if self._methods is not None and method not in self._methods:
            return None
        if self._random.random() < self._rate:
            return Fault(self._random.choice(self._kinds), method)
        return None


@dataclass
class EmulatorStats:
    requests: Counter[str] = field(default_factory=Counter)  # canonical method name -> count
    responses_4xx: int = 0
    responses_5xx: int = 0
    responses_429: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)  # fault kind -> count
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    stalled: int = 0  # requests held unperformed by a "stall" fault
    # Every error answer: (canonical method name, code, description), oldest first.
    errors: list[tuple[str, int, str]] = field(default_factory=list)
