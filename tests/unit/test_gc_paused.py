"""`gc_paused` held by overlapping tasks: collection resumes only when the last holder leaves,
whatever order they leave in, and is left off if it was off before."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from bot.core.db.bulk import gc_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_first_to_leave_does_not_resume_collection_for_the_others(collector_on: None) -> None:
    first, second = gc_paused(), gc_paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)  # left before the one that came in after it
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


async def test_tasks_holding_it_across_awaits(collector_on: None) -> None:
    seen_by_second: list[bool] = []
    first_in, second_in = asyncio.Event(), asyncio.Event()
    release_first, release_second = asyncio.Event(), asyncio.Event()

    async def first_holder() -> None:
        with gc_paused():
            first_in.set()
            await release_first.wait()

    async def second_holder() -> None:
        with gc_paused():
            second_in.set()
            await release_second.wait()
            seen_by_second.append(gc.isenabled())

    first = asyncio.create_task(first_holder())
    await first_in.wait()
    second = asyncio.create_task(second_holder())
    await second_in.wait()
    release_first.set()
    await first  # the first to come in leaves while the second is still at work
    release_second.set()
    await second
    assert seen_by_second == [False]
    assert gc.isenabled()


def test_an_error_inside_still_resumes_collection(collector_on: None) -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off_before() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
