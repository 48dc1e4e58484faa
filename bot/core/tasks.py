"""Background tasks of a process: a loop started with a server or the bot and stopped (cancelled
and awaited) when it stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


async def stop_task(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` and wait until it has ended; a task that had failed is logged, not raised,
    so that stopping one never keeps the others from stopping."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    except Exception as exc:  # the name only: a traceback may hold a URL with the token
        log.warning("a background task had failed (%s)", type(exc).__name__)


class Background:
    """One loop, run as a task between `start` (once; a second call does nothing) and `stop`."""

    def __init__(self, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._run = run
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stop_task(task)
