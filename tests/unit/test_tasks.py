"""A background loop runs once between start and stop, and stopping it always ends it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.tasks import Background, stop_task


async def test_a_loop_runs_once_until_it_is_stopped() -> None:
    started: list[int] = []
    running = asyncio.Event()
    cancelled = asyncio.Event()

    async def loop() -> None:
        started.append(1)
        running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    background = Background(loop)
    await background.stop()  # never started: nothing to stop
    background.start()
    background.start()
    await running.wait()
    await background.stop()
    assert started == [1] and cancelled.is_set()

    running.clear()
    background.start()  # a stopped loop can start again
    await running.wait()
    await background.stop()
    assert started == [1, 1]


async def test_stopping_a_failed_task_logs_its_error_and_does_not_raise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fail() -> None:
        raise RuntimeError("secret-token-in-a-url")

    task = asyncio.create_task(fail())
    await asyncio.wait({task})
    with caplog.at_level(logging.WARNING, logger="bot.core.tasks"):
        await stop_task(task)
    assert "RuntimeError" in caplog.text and "secret-token" not in caplog.text
