"""Fixtures for the emulator's own tests: a started emulator, a PTB Bot, a fake monotonic clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from devkit.emulator import BotApiEmulator, EmulatedUser

TOKEN = "123456789:EMULATOR-test-token"
ALICE = 1001
BOB = 1002
GROUP = -1001234567890


class FakeMonotonic:
    """A monotonic time source the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def mono() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def emu(mono: FakeMonotonic) -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(monotonic=mono) as emulator:
        emulator.add_bot(TOKEN, username="emu_test_bot", first_name="Emu Bot")
        emulator.add_user(ALICE, "Alice", username="alice", language_code="en")
        emulator.add_user(BOB, "Bob")
        emulator.add_group(GROUP, "Township group", [ALICE, BOB])
        yield emulator


@pytest.fixture
def alice(emu: BotApiEmulator) -> EmulatedUser:
    return emu.user(ALICE)


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as ptb_bot:
        yield ptb_bot
