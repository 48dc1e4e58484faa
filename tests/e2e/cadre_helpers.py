"""Helpers for the cadre-week end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.app import build_application, running
from tests.conftest import SHANGHAI
from tests.e2e.helpers import ask1, zh


def at(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> datetime:
    """A moment in November 2026, Shanghai time (Monday 23rd is the test week's Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Tapper:
    """Presses buttons as one user and counts the taps."""

    def __init__(self, world: Any, user_id: int) -> None:
        self.world = world
        self.user_id = user_id
        self.taps = 0

    @property
    def user(self) -> Any:
        return self.world.user(self.user_id)

    async def press(self, message: Any, label: str) -> Any:
        """Press and return the edited message."""
        self.taps += 1
        await self.user.press(message, label)
        return await self.user.wait_edit(message, timeout=10)

    async def press_alert(self, message: Any, label: str) -> Any:
        """Press and return the callback answer (an alert)."""
        self.taps += 1
        query = await self.user.press(message, label)
        return await self.user.callback_answer(query, timeout=10)

    async def press_old(self, snapshot: Any, label: str) -> Any:
        """Press a button as it was on an older version of a message; returns the answer."""
        self.taps += 1
        data = next(d for row in snapshot.buttons for text, d in row if text == label)
        query = await self.user.press_data(snapshot, data)
        return await self.user.callback_answer(query, timeout=10)

    async def say(self, text: str) -> Any:
        return await ask1(self.world, self.user_id, text)


async def log_visit(
    world: Any,
    user_id: int,
    village: str,
    activities: tuple[str, ...] = ("听取民意",),
    screenings: int = 0,
    problems: tuple[str, ...] = (),
) -> tuple[Any, int]:
    """Log a visit for today with buttons; returns (saved card, taps used)."""
    tap = Tapper(world, user_id)
    card = await tap.say("/visit")
    card = await tap.press(card, village)
    for name in activities:
        card = await tap.press(card, f"⬜ {name}")
    for _ in range(screenings):
        card = await tap.press(card, "➕")
    for text in problems:
        await tap.press(card, zh("➕ Problem solved"))
        card = await tap.say(text)
    saved = await tap.press(card, zh("✅ Save"))
    return saved, tap.taps


@asynccontextmanager
async def restarted(world: Any) -> AsyncIterator[Any]:
    """Stop the running bot and start a new one on the same database (a restart)."""
    old = world.app
    engine = world.svc.engine
    if old.updater.running:
        await old.updater.stop()
    if old.running:
        await old.stop()
    app = build_application(world.settings, clock=world.clock, engine=engine, migrate=False)
    async with running(app, poll_timeout=5):
        world.app = app
        yield app
