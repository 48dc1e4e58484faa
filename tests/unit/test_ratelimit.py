"""The flood limiter (bot/core/ratelimit.py) on a virtual clock: no test sleeps for timing."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.core.ratelimit import FloodLimiter, SlidingWindow, counts


class VirtualTime:
    """A discrete-event clock: `sleep` parks the task until the driver advances time to it.
    `overshoot` makes every wake-up late by a chosen amount (event-loop latency)."""

    def __init__(self, overshoot: Callable[[], float] = lambda: 0.0) -> None:
        self.now = 0.0
        self.overshoot = overshoot
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        wake = self.now + max(0.0, seconds) + self.overshoot()
        heapq.heappush(self._sleepers, (wake, next(self._seq), future))
        await future

    async def run(self, *coros: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coros]
        while True:
            for _ in range(50):  # let every runnable task run until it blocks
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                break
            assert self._sleepers, "deadlock: tasks blocked with nobody sleeping"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        return [t.result() for t in tasks]


class Recorder:
    """The Bot API call: records (time, endpoint, chat_id); may raise RetryAfter."""

    def __init__(self, vt: VirtualTime) -> None:
        self.vt = vt
        self.calls: list[tuple[float, str, int]] = []
        self.fail: dict[int, list[int]] = {}  # chat id -> retry_after answers to give first
        self.slow: dict[int, float] = {}  # chat id -> seconds until Telegram answers

    def request(self, limiter: FloodLimiter, endpoint: str, chat_id: int) -> Any:
        async def callback() -> dict[str, Any]:
            self.calls.append((self.vt.now, endpoint, chat_id))
            if chat_id in self.slow:
                await self.vt.sleep(self.slow[chat_id])
            pending = self.fail.get(chat_id)
            if pending:
                raise RetryAfter(pending.pop(0))
            return {"ok": True}

        return limiter.process_request(callback, (), {}, endpoint, {"chat_id": chat_id}, None)

    def times(
        self, endpoint: str = "sendMessage", chat: Callable[[int], bool] = bool
    ) -> list[float]:
        return [t for t, e, c in self.calls if e == endpoint and chat(c)]


def limiter_on(vt: VirtualTime, **kwargs: Any) -> FloodLimiter:
    return FloodLimiter(clock=vt.clock, sleep=vt.sleep, **kwargs)


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_only_methods_that_create_messages_count() -> None:
    for endpoint in ("sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"):
        assert counts(endpoint)
    for endpoint in ("sendChatAction", "editMessageText", "answerCallbackQuery", "deleteMessage"):
        assert not counts(endpoint)


@pytest.mark.parametrize("late", [0.0, 0.015])
async def test_paced_at_the_limit_without_drift_or_bursts(late: float) -> None:
    """300 sends at 30/s: never more than 30 in any second (even with late wake-ups bunching
    them), and at least 95% of the allowed rate over the run."""
    jitter = random.Random(7)
    vt = VirtualTime(lambda: jitter.uniform(0, late))
    limiter = limiter_on(vt, messages_per_second=30)
    rec = Recorder(vt)
    await vt.run(*(rec.request(limiter, "sendMessage", 1000 + i) for i in range(300)))
    times = rec.times()
    assert len(times) == 300
    # Telegram sees the sends after network jitter: keep a margin inside its window.
    assert max_in_window(times, 1.0 + limiter.overall.margin / 2) <= 30
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 0.95 * 30 <= rate <= 30


async def test_the_window_counts_from_telegrams_answer() -> None:
    """Telegram may see a send as late as its answer: a slow answer to the first send holds
    back the 31st until a second after that answer, so nothing can bunch up on its side."""
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30)
    rec = Recorder(vt)
    rec.slow[1000] = 0.5
    await vt.run(*(rec.request(limiter, "sendMessage", 1000 + i) for i in range(60)))
    times = rec.times()
    assert times[30] >= times[0] + 0.5 + 1.0
    assert times[29] < 1.0  # the others were not held up


async def test_a_fractional_rate_keeps_its_average() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=2.5, margin=0.0)
    rec = Recorder(vt)
    await vt.run(*(rec.request(limiter, "sendMessage", 1000 + i) for i in range(21)))
    times = rec.times()
    assert times[-1] - times[0] == pytest.approx(20 / 2.5)


async def test_edits_and_answers_are_not_held_up() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30)
    rec = Recorder(vt)
    await vt.run(
        *(rec.request(limiter, "sendMessage", 1000 + i) for i in range(90)),
        *(rec.request(limiter, "editMessageText", 1000 + i) for i in range(90)),
        *(rec.request(limiter, "answerCallbackQuery", 1000 + i) for i in range(90)),
    )
    assert rec.times("editMessageText") == [0.0] * 90
    assert rec.times("answerCallbackQuery") == [0.0] * 90
    assert rec.times()[-1] > 2.9  # the 90 sends were paced


async def test_a_group_gets_twenty_a_minute_without_holding_up_private_chats() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30, group_messages_per_minute=20)
    rec = Recorder(vt)
    group = -1001000000101
    await vt.run(
        *(rec.request(limiter, "sendMessage", group) for _ in range(45)),
        *(rec.request(limiter, "sendMessage", 1000 + i) for i in range(30)),
    )
    in_group = rec.times(chat=lambda c: c == group)
    private = rec.times(chat=lambda c: c > 0)
    assert len(in_group) == 45 and max_in_window(in_group, 60.0) <= 20
    assert in_group[19] < 2.0  # the first twenty go at once (paced only by the global slots)
    assert in_group[20] >= in_group[0] + 60.0
    assert in_group[40] >= in_group[20] + 60.0
    assert private[-1] < 3.0  # not stuck behind the group's minute
    assert max_in_window(rec.times(chat=lambda c: True), 1.0) <= 30


async def test_retry_after_pauses_every_send_then_retries() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30)
    rec = Recorder(vt)
    rec.fail[1005] = [3]
    results = await vt.run(*(rec.request(limiter, "sendMessage", 1000 + i) for i in range(20)))
    assert results == [{"ok": True}] * 20
    to_1005 = [t for t, _, c in rec.calls if c == 1005]
    assert len(to_1005) == 2 and to_1005[1] >= to_1005[0] + 3
    # Nothing was sent while Telegram asked us to wait.
    assert not [t for t, _, _ in rec.calls if to_1005[0] < t < to_1005[0] + 3]
    assert limiter.retries == 1


async def test_retry_after_is_raised_after_the_last_retry() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30, max_retries=2)
    rec = Recorder(vt)
    rec.fail[1001] = [1, 1, 1, 1]
    with pytest.raises(RetryAfter):
        await vt.run(rec.request(limiter, "sendMessage", 1001))
    assert len(rec.calls) == 3


async def test_an_edit_told_to_wait_waits_alone_then_is_tried_again() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30)
    rec = Recorder(vt)
    rec.fail[7] = [2]
    results = await vt.run(
        rec.request(limiter, "editMessageText", 7),
        *(rec.request(limiter, "sendMessage", 1000 + i) for i in range(10)),
    )
    assert results == [{"ok": True}] * 11
    edits = rec.times("editMessageText", chat=lambda c: True)
    assert len(edits) == 2 and edits[1] >= edits[0] + 2
    # The sends were not held up by the edit's wait.
    assert max(rec.times()) < 2
    assert limiter.retries == 1


async def test_an_answer_told_to_wait_longer_than_anyone_watches_is_raised_at_once() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30, max_unpaced_wait=30)
    rec = Recorder(vt)
    rec.fail[7] = [31]
    with pytest.raises(RetryAfter):
        await vt.run(rec.request(limiter, "answerCallbackQuery", 7))
    assert len(rec.calls) == 1


async def test_a_wait_of_an_hour_fails_the_sends_at_once_instead_of_holding_them() -> None:
    """A server asks for 3600 s: the request is not held for an hour (nor five); it and
    every counted send during the pause get a RetryAfter for the time left, sent nothing;
    edits still go; after the pause sends go again."""
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30, max_held_wait=60)
    rec = Recorder(vt)
    rec.fail[1001] = [3600]
    with pytest.raises(RetryAfter) as first:
        await vt.run(rec.request(limiter, "sendMessage", 1001))
    assert first.value.retry_after == 3600 and vt.now < 1
    vt.now = 600.0
    with pytest.raises(RetryAfter) as during:
        await vt.run(rec.request(limiter, "sendMessage", 1002))
    assert during.value.retry_after == 3000
    with pytest.raises(RetryAfter):
        await vt.run(rec.request(limiter, "sendMessage", -1003))  # a group's too
    assert await vt.run(rec.request(limiter, "editMessageText", 1002)) == [{"ok": True}]
    assert [c for _, e, c in rec.calls if e == "sendMessage"] == [1001]
    vt.now = 3600.0
    assert await vt.run(rec.request(limiter, "sendMessage", 1002)) == [{"ok": True}]


async def test_a_wait_a_request_may_be_held_for_is_waited() -> None:
    vt = VirtualTime()
    limiter = limiter_on(vt, messages_per_second=30, max_held_wait=60)
    rec = Recorder(vt)
    rec.fail[1001] = [60]
    assert await vt.run(rec.request(limiter, "sendMessage", 1001)) == [{"ok": True}]
    assert [t for t, _, _ in rec.calls][1] >= 60


def test_window_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        SlidingWindow(0, 1.0, 0.0)
