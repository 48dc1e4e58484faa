"""Flood control and fault injection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, ExtBot

from devkit.emulator import BotApiEmulator, EmulatorLimits, FaultInjector

from .conftest import ALICE, BOB, GROUP, TOKEN, FakeMonotonic


def seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def test_global_limit_30_per_second(
    bot: Bot, emu: BotApiEmulator, mono: FakeMonotonic
) -> None:
    for i in range(30):
        await bot.send_message(ALICE if i % 2 else BOB, f"m{i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(ALICE, "one too many")
    assert seconds(info.value.retry_after) == 1
    assert emu.stats.responses_429 == 1
    assert [m.text for m in emu.chat(ALICE).messages][-1] == "m29"
    mono.advance(1)
    await bot.send_message(ALICE, "after the window")


async def test_group_limit_20_per_minute_edits_not_counted(
    bot: Bot, emu: BotApiEmulator, mono: FakeMonotonic
) -> None:
    first = await bot.send_message(GROUP, "m0")
    for i in range(1, 20):
        mono.advance(0.5)
        await bot.send_message(GROUP, f"m{i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(GROUP, "m20")
    assert seconds(info.value.retry_after) == 51  # the first message leaves the window at 60s
    await bot.edit_message_text("edited", GROUP, first.message_id)
    await bot.send_message(ALICE, "other chats are not affected")
    mono.advance(51)
    await bot.send_message(GROUP, "m20")


async def test_optional_private_chat_limit(mono: FakeMonotonic) -> None:
    limits = EmulatorLimits(private_messages_per_second=1)
    async with BotApiEmulator(limits=limits, monotonic=mono) as emu:
        emu.add_bot(TOKEN)
        emu.add_user(ALICE, "Alice")
        emu.add_user(BOB, "Bob")
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            await bot.send_message(ALICE, "1")
            with pytest.raises(RetryAfter):
                await bot.send_message(ALICE, "2")
            await bot.send_message(BOB, "1")


async def test_ptb_rate_limiter_retries_after_429(emu: BotApiEmulator) -> None:
    emu.faults.inject("sendMessage", "429", retry_after=1)
    async with ExtBot(
        TOKEN, base_url=emu.base_url, rate_limiter=AIORateLimiter(max_retries=1)
    ) as bot:
        sent = await bot.send_message(ALICE, "eventually")
    assert sent.text == "eventually"
    assert emu.stats.faults_injected["429"] == 1
    assert emu.stats.requests["sendMessage"] == 2
    assert [m.text for m in emu.chat(ALICE).messages] == ["eventually"]


async def test_500_then_success(bot: Bot, emu: BotApiEmulator) -> None:
    emu.faults.inject("sendmessage", "500")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(ALICE, "first try")
    await bot.send_message(ALICE, "second try")
    assert [m.text for m in emu.chat(ALICE).messages] == ["second try"]
    assert emu.stats.responses_5xx == 1 and emu.stats.faults_injected["500"] == 1


async def test_502_is_not_json(bot: Bot, emu: BotApiEmulator) -> None:
    emu.faults.inject(kind="502")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ALICE, "x")


async def test_drop_closes_connection_without_sending(bot: Bot, emu: BotApiEmulator) -> None:
    emu.faults.inject("sendMessage", "drop")
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "lost")
    assert emu.chat(ALICE).messages == []
    assert emu.stats.faults_injected["drop"] == 1
    await bot.send_message(ALICE, "ok")


async def test_timeout_delivers_but_client_never_hears(bot: Bot, emu: BotApiEmulator) -> None:
    emu.faults.inject("sendMessage", "timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "maybe sent", read_timeout=0.3)
    # The dangerous case for retries: the message did arrive.
    assert [m.text for m in emu.chat(ALICE).messages] == ["maybe sent"]


def test_random_faults_are_seeded_and_filtered() -> None:
    def run(seed: int) -> list[str | None]:
        faults = FaultInjector()
        faults.set_random_faults(rate=0.3, kinds=["500", "429"], methods=["sendMessage"], seed=seed)
        outcomes = [faults.take("sendmessage") for _ in range(200)]
        assert faults.take("getupdates") is None
        return [f.kind if f else None for f in outcomes]

    first, again, other = run(7), run(7), run(8)
    assert first == again and first != other
    assert 20 < sum(k is not None for k in first) < 120
    assert {k for k in first if k} == {"500", "429"}


async def test_random_faults_end_to_end(bot: Bot, emu: BotApiEmulator) -> None:
    emu.faults.set_random_faults(rate=0.5, kinds=["500"], methods=["sendMessage"], seed=3)
    delivered = 0
    for i in range(20):
        try:
            await bot.send_message(ALICE, f"m{i}")
            delivered += 1
        except NetworkError:
            pass
    assert 0 < delivered < 20
    assert emu.stats.faults_injected["500"] == 20 - delivered
    assert len(emu.chat(ALICE).messages) == delivered
