"""Helpers for the reliability tests: users who keep going when replies are lost, and the
counts every test records for docs/reliability.md."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from devkit.emulator import ChatMessage

# Set RELIABILITY_COUNTS=/path/file.jsonl to collect the counts of a run (docs/reliability.md).
COUNTS_ENV = "RELIABILITY_COUNTS"


def record_counts(name: str, counts: dict[str, Any]) -> None:
    line = json.dumps({"test": name, **counts}, ensure_ascii=False, sort_keys=True)
    print(f"RELIABILITY {line}")
    path = os.environ.get(COUNTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def labels(message: ChatMessage) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


@dataclass
class Outcome:
    """What one press or message led to, as the user saw it."""

    kind: str  # "edit", "message", "alert", "answer" or "nothing"
    message: ChatMessage | None = None
    text: str = ""


class PatientUser:
    """A user on an unreliable line: acts, waits a while for the expected result, and reports
    "nothing" instead of failing when a reply never arrives."""

    def __init__(self, world: Any, user_id: int, wait: float = 20.0) -> None:
        self.world = world
        self.user = world.user(user_id)
        self.wait = wait

    def _skip_unread(self) -> None:
        chat = self.user.chat
        if chat._new_sends():
            chat.read_cursor = max(e.seq for e in chat.bot.events)

    async def say(self, text: str, expect: Any) -> Outcome:
        """Send text; wait for a new bot message for which `expect(message)` is true."""
        self._skip_unread()
        chat = self.user.chat
        await self.user.send(text)

        def ready() -> ChatMessage | None:
            for message in reversed(chat._new_sends()):
                snapshot = message.snapshot()
                if expect(snapshot):
                    return snapshot
            return None

        found = await chat.bot.events_signal.wait_for(ready, self.wait)
        return Outcome("message", found) if found is not None else Outcome("nothing")

    async def press(self, message: ChatMessage, label: str, expect: Any) -> Outcome:
        """Press a button; an edit for which `expect` holds, an alert, or nothing."""
        self._skip_unread()
        chat = self.user.chat
        live = chat.live(message)
        query_id = await self.user.press(message, label)
        record = chat.bot.callback_queries[query_id]

        def ready() -> Outcome | None:
            if live.version > message.version and expect(live.snapshot()):
                return Outcome("edit", live.snapshot())
            for new in reversed(chat._new_sends()):
                if expect(new.snapshot()):
                    return Outcome("message", new.snapshot())
            if record.answer is not None and record.answer.show_alert:
                return Outcome("alert", text=record.answer.text or "")
            return None

        found = await chat.bot.events_signal.wait_for(ready, self.wait)
        if found is not None:
            return found
        if record.answer is not None:
            return Outcome("answer", text=record.answer.text or "")
        return Outcome("nothing")

    async def press_twice(self, message: ChatMessage, label: str, expect: Any) -> Outcome:
        """An impatient double tap: two callback queries for the same button, back to back."""
        await self.user.press(message, label)
        return await self.press(message, label, expect)
