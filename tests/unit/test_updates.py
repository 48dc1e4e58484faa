"""PerUserUpdateProcessor: different users concurrently, one user's updates in order."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update

from bot.core.updates import PerUserUpdateProcessor
from tests.updates import private_message

_next_id = 0


def message_from(user_id: int, text: str = "hi") -> Update:
    global _next_id
    _next_id += 1
    return Update.de_json(private_message(_next_id, user_id, text), None)


class Journal:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        return self.gates.setdefault(name, asyncio.Event())

    async def handle(self, name: str, blocked: bool = False) -> None:
        self.events.append(f"start {name}")
        if blocked:
            await self.gate(name).wait()
        self.events.append(f"end {name}")


def submit(processor: PerUserUpdateProcessor, update: Update, work: object) -> asyncio.Task[None]:
    """As PTB does with concurrent updates: one task per update, created in update order."""
    return asyncio.ensure_future(processor.process_update(update, work))  # type: ignore[arg-type]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_one_users_updates_run_in_order_while_others_run_concurrently() -> None:
    processor = PerUserUpdateProcessor(max_concurrent=2)
    journal = Journal()
    tasks = [
        submit(processor, message_from(1), journal.handle("a1", blocked=True)),
        *(submit(processor, message_from(1), journal.handle(f"a{i}")) for i in range(2, 6)),
        submit(processor, message_from(2), journal.handle("b1")),
    ]
    await settle()
    # a1 is still running: a2..a5 wait behind it, b1 (another user) has finished.
    assert journal.events == ["start a1", "start b1", "end b1"]
    journal.gate("a1").set()
    await asyncio.gather(*tasks)
    a_events = [e for e in journal.events if " a" in e]
    assert a_events == [f"{kind} a{i}" for i in range(1, 6) for kind in ("start", "end")]
    assert processor.waiting_keys == 0


async def test_queued_updates_of_one_user_do_not_take_the_slots_of_others() -> None:
    processor = PerUserUpdateProcessor(max_concurrent=1)
    journal = Journal()
    first = submit(processor, message_from(1), journal.handle("a1", blocked=True))
    queued = [submit(processor, message_from(1), journal.handle(f"a{i}")) for i in range(2, 20)]
    other = submit(processor, message_from(2), journal.handle("b1", blocked=True))
    await settle()
    assert journal.events == ["start a1"]  # the one slot is a1's; b1 is next in line
    journal.gate("a1").set()
    await settle()
    # b1 waited for the slot, not behind a2..a19 (which wait on their own user's lock).
    assert journal.events == ["start a1", "end a1", "start b1"]
    journal.gate("b1").set()
    await asyncio.gather(first, other, *queued)
    assert [e for e in journal.events if e.startswith("end a")] == [
        f"end a{i}" for i in range(1, 20)
    ]


async def test_updates_without_a_user_or_chat_are_not_serialised() -> None:
    processor = PerUserUpdateProcessor(max_concurrent=4)
    journal = Journal()
    tasks = [
        submit(processor, object(), journal.handle("x1", blocked=True)),  # type: ignore[arg-type]
        submit(processor, object(), journal.handle("x2")),  # type: ignore[arg-type]
    ]
    await settle()
    assert journal.events == ["start x1", "start x2", "end x2"]
    journal.gate("x1").set()
    await asyncio.gather(*tasks)


def test_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        PerUserUpdateProcessor(0)


def test_the_stored_updates_key_is_the_processors_key() -> None:
    """bot.core.inbound reads the key from the JSON without parsing: the same user, else chat."""
    from bot.core.inbound import key_of

    user = {"id": 7, "is_bot": False, "first_name": "x"}
    chat = {"id": -100, "type": "supergroup", "title": "g"}
    message = {"message_id": 1, "date": 0, "chat": chat, "text": "hi"}
    payloads = [
        {"update_id": 1, "message": {**message, "from": user}},
        {"update_id": 2, "channel_post": message},
        {"update_id": 3, "edited_message": {**message, "from": user}},
        {
            "update_id": 4,
            "callback_query": {
                "id": "q",
                "from": user,
                "chat_instance": "c",
                "data": "d",
                "message": {**message, "from": user},
            },
        },
        {"update_id": 5, "inline_query": {"id": "i", "from": user, "query": "q", "offset": ""}},
        {
            "update_id": 6,
            "my_chat_member": {
                "chat": chat,
                "from": user,
                "date": 0,
                "old_chat_member": {"status": "left", "user": user},
                "new_chat_member": {"status": "member", "user": user},
            },
        },
    ]
    for payload in payloads:
        expected = PerUserUpdateProcessor.key(Update.de_json(payload, None)) or 0
        assert key_of(payload) == expected, payload
