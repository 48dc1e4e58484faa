"""A running sandbox (emulator + real bot + sample township) and its page server.

The sandbox always uses its own SQLite file, as `township-bot demo` does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devkit.sandbox import Sandbox, SandboxServer
from tests.conftest import START


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    box = Sandbox(tmp_path / "sandbox", start=START, poll_timeout=5)
    await box.start()
    yield box
    await box.stop()


@pytest.fixture
async def server(sandbox: Sandbox) -> AsyncIterator[SandboxServer]:
    srv = SandboxServer(sandbox, port=0)
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def client(server: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        yield http


async def post(client: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    response = await client.post(path, json=body)
    payload: dict[str, Any] = response.json()
    assert response.status_code == 200, payload
    assert payload["ok"] is True
    return payload


async def state_when(client: httpx.AsyncClient, after: int, predicate: Any) -> dict[str, Any]:
    """Long-poll /api/events until ``predicate(state)`` holds (no sleeping)."""
    for _ in range(50):
        response = await client.get("/api/events", params={"after": after, "timeout": 10})
        assert response.status_code == 200
        state: dict[str, Any] = response.json()
        if predicate(state):
            return state
        assert state["cursor"] > after, "long poll timed out without a change"
        after = state["cursor"]
    raise AssertionError("the state never matched")


def chat_of(state: dict[str, Any], user_id: int) -> dict[str, Any]:
    chat: dict[str, Any] = next(p["chat"] for p in state["people"] if p["id"] == user_id)
    return chat


def bot_messages(state: dict[str, Any], user_id: int) -> list[dict[str, Any]]:
    return [m for m in chat_of(state, user_id)["messages"] if m["from_bot"]]
