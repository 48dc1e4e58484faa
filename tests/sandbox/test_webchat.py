"""The web chat's own API in demo mode, answered from the sandbox: as the person the demo
acts as (a cookie), changes only with the page's header, from loopback only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devkit.sample import GROUP_CHAT_ID, GROUP_TITLE
from devkit.sandbox import Sandbox, SandboxServer
from tests.conftest import START

SECRETARY, CADRE, NEWCOMER = 1001, 1002, 3001
HEADERS = {"X-CSRF-Token": "demo"}


async def wait_for(client: httpx.AsyncClient, chat: int, predicate: Any) -> dict[str, Any]:
    """Long-poll the chat until `predicate(payload)` holds (no sleeping)."""
    known = ""
    for _ in range(20):
        response = await client.get(
            f"/api/chats/{chat}/messages", params={"known": known, "wait": 10}
        )
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        if predicate(payload):
            return payload
        known = payload["version"]
    raise AssertionError("the chat never matched")


def bot(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in payload["messages"] if m["from_bot"]]


async def test_the_page_is_the_web_chat_with_the_demo_bar(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert 'src="/static/app.js"' in page.text and 'src="/static/demo.js"' in page.text
    for name in ("demo.js", "demo.css", "app.js", "app.css", "icon.svg"):
        assert (await client.get(f"/static/{name}")).status_code == 200, name
    assert (await client.get("/sw.js")).status_code == 200
    demo = (await client.get("/api/demo")).json()
    assert demo["acting"] == SECRETARY and demo["newcomer"] == NEWCOMER
    assert demo["clock"]["now"] == START.isoformat()
    assert {p["id"] for p in demo["people"]} >= {SECRETARY, CADRE, NEWCOMER}
    assert "chat" not in demo["people"][0]


async def test_acting_as_a_cadre_chatting_and_pressing(client: httpx.AsyncClient) -> None:
    me = (await client.get("/api/me")).json()
    assert me["user"]["id"] == SECRETARY and me["csrf"] == "demo"
    assert [c["id"] for c in me["chats"]] == [SECRETARY, GROUP_CHAT_ID]
    assert me["chats"][1]["title"] == GROUP_TITLE
    acted = await client.post("/api/demo/act", json={"person": CADRE}, headers=HEADERS)
    assert acted.status_code == 200
    me = (await client.get("/api/me")).json()
    assert me["user"]["id"] == CADRE, me["chats"][0]["commands"]
    assert [c["id"] for c in me["chats"]] == [CADRE, GROUP_CHAT_ID]

    sent = await client.post(
        f"/api/chats/{CADRE}/messages", json={"text": "/lang"}, headers=HEADERS
    )
    assert sent.status_code == 200
    payload = await wait_for(client, CADRE, lambda p: bot(p))
    [picker] = bot(payload)
    assert picker["text"] == "请选择语言：" and picker["buttons"][0][0]["text"] == "简体中文"
    pressed = await client.post(
        f"/api/chats/{CADRE}/press",
        json={"message_id": picker["id"], "data": picker["buttons"][0][0]["data"]},
        headers=HEADERS,
    )
    assert pressed.status_code == 200
    answer = await client.get(f"/api/answers/{pressed.json()['query']}", params={"wait": 10})
    assert answer.status_code == 200
    payload = await wait_for(client, CADRE, lambda p: bot(p)[0]["edited"])
    assert bot(payload)[0]["text"] == "语言已切换为简体中文。"
    # Another person's chat does not exist for this page.
    other = await client.get(f"/api/chats/{SECRETARY}/messages")
    assert other.status_code == 404


async def test_changes_need_the_pages_header_and_loopback(
    client: httpx.AsyncClient, server: SandboxServer
) -> None:
    forged = await client.post(f"/api/chats/{SECRETARY}/messages", json={"text": "/help"})
    assert forged.status_code == 403
    act = await client.post("/api/demo/act", json={"person": CADRE})
    assert act.status_code == 403
    unknown = await client.post("/api/demo/act", json={"person": 4242}, headers=HEADERS)
    assert unknown.status_code == 400
    rebound = await client.get("/api/me", headers={"Host": f"evil.example:{server.port}"})
    assert rebound.status_code == 403
    # A stranger has no group chat.
    await client.post("/api/demo/act", json={"person": 9999}, headers=HEADERS)
    me = (await client.get("/api/me")).json()
    assert [c["type"] for c in me["chats"]] == ["private"]


async def test_a_chat_poll_answers_at_once_once_the_server_is_stopping(
    client: httpx.AsyncClient, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page server's stop ends the long polls, then waits for every connection to close:
    a poll that arrives on an open connection meanwhile answers without waiting (a waiting
    one spun until its deadline, holding the stop)."""
    chat = (await client.get("/api/me")).json()["chats"][0]["id"]
    known = (await client.get(f"/api/chats/{chat}/messages")).json()["version"]
    waits: list[object] = []
    wait_change = Sandbox.wait_change

    async def noted(self: Sandbox, *args: Any) -> int:
        waits.append(args)
        return await wait_change(self, *args)

    monkeypatch.setattr(Sandbox, "wait_change", noted)
    sandbox.closing.set()  # the first thing SandboxServer.stop() does
    response = await client.get(f"/api/chats/{chat}/messages", params={"known": known, "wait": 1})
    assert response.status_code == 200 and response.json()["version"] == known
    assert waits == []
