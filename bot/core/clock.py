"""Injectable time source: production reads the system clock, tests and the demo move it."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time as an aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, demo time travel)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


# --- moving a ManualClock ------------------------------------------------------------------
#
# Contract between whoever moves a ManualClock (the sandbox's clock buttons, tests) and the
# scheduler: the scheduler registers one async callable in the application's bot_data under
# CLOCK_MOVED_HOOK:
#
#     app.bot_data[CLOCK_MOVED_HOOK] = run_due_jobs   # async def run_due_jobs(previous, now)
#
# After the clock has been set, the mover awaits ``hook(previous, now)``: both are aware UTC
# datetimes, ``now > previous`` (clocks only move forward while the bot runs; a sandbox reset
# restarts the application instead). The hook runs every job due in (previous, now], in order,
# and returns once their messages are sent or queued; it must not move the clock itself.
# Calls never overlap. An exception is logged and does not undo the move. Without a hook
# registered nothing happens, so the mover works before the scheduler exists.

CLOCK_MOVED_HOOK = "on_clock_moved"


async def notify_clock_moved(
    bot_data: MutableMapping[str, Any], previous: datetime, now: datetime
) -> bool:
    """Call the registered clock hook, if any; True when one ran without raising."""
    hook = bot_data.get(CLOCK_MOVED_HOOK)
    if hook is None:
        return False
    try:
        await hook(previous, now)
    except Exception:
        log.exception("the clock-moved hook failed (%s -> %s)", previous, now)
        return False
    return True
