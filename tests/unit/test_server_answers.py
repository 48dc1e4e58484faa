"""Answers of Bot API servers other than Telegram's own, and of what stands in front of them
(bot/core/telegram_request.py, `ServerAnswers`): a reverse proxy's HTML error page, an empty
200, a 429 that names its wait only in words, a method the server does not have.

Each test runs on both clients against a small aiohttp server that answers as told."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from bot.core.reach import NoBotApiThere, Route, token_problem
from bot.core.telegram_request import (
    DEFAULT_RETRY_AFTER,
    UnreadableAnswer,
    Unsupported,
    server_answer,
)
from tests.unit.test_telegram_request import CLIENTS, client

TOKEN = "7000000001:ANSWERS-token-for-the-stand-in"
ME = {"id": 7000000001, "is_bot": True, "first_name": "Bot", "username": "answers_bot"}
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@dataclass
class Answer:
    status: int
    body: str
    content_type: str = "application/json"


@dataclass
class StandIn:
    """Answers each method as set in `answers` (getMe as Telegram by default)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] = self.calls.get(method, 0) + 1
        answer = self.answers.get(method) or Answer(200, json.dumps({"ok": True, "result": ME}))
        return web.Response(
            status=answer.status, text=answer.body, content_type=answer.content_type
        )


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    server_state = StandIn()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", server_state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    server_state.url = f"http://127.0.0.1:{server.port}/bot"
    try:
        yield server_state
    finally:
        await server.close()


def bot_for(stand_in: StandIn, kind: str) -> Bot:
    request = client(kind)
    return Bot(TOKEN, base_url=stand_in.url, request=request, get_updates_request=client(kind))


def error(code: int, description: str, **parameters: object) -> Answer:
    body: dict[str, object] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Answer(code, json.dumps(body))


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_proxys_html_error_page_is_a_short_network_error(
    stand_in: StandIn, kind: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Retried like any 5xx, then one short error: no HTML, no traceback logged."""
    stand_in.answers["getChat"] = Answer(status, PROXY_PAGE, "text/html")
    async with bot_for(stand_in, kind) as bot:
        with caplog.at_level(logging.DEBUG), pytest.raises(NetworkError) as raised:
            await bot.get_chat(1)
    assert stand_in.calls["getChat"] == 3
    assert "nginx" not in str(raised.value) and f"({status})" in str(raised.value)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("kind", CLIENTS)
async def test_an_empty_200_is_retried_unless_it_answered_a_send(
    stand_in: StandIn, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty 200 may follow a message that was sent: a send is not sent again."""
    stand_in.answers["getChat"] = Answer(200, "")
    stand_in.answers["sendMessage"] = Answer(200, "", "text/plain")
    async with bot_for(stand_in, kind) as bot:
        with caplog.at_level(logging.DEBUG):
            with pytest.raises(UnreadableAnswer):
                await bot.get_chat(1)
            with pytest.raises(UnreadableAnswer):
                await bot.send_message(1, "你好")
    assert stand_in.calls["getChat"] == 3 and stand_in.calls["sendMessage"] == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(
    ("answer", "wait"),
    [
        (error(429, "Too Many Requests: retry after 7"), 7),
        (error(429, "too many requests, RETRY_AFTER=12"), 12),
        (error(429, "Too Many Requests", retry_after=2.5), 2.5),
        (error(429, "Too Many Requests", retry_after=3600), 3600),
        (error(429, "Слишком много запросов"), DEFAULT_RETRY_AFTER),
        (Answer(429, "<html>429 Too Many Requests</html>", "text/html"), DEFAULT_RETRY_AFTER),
    ],
)
async def test_a_429_is_a_retry_after_however_it_names_the_wait(
    stand_in: StandIn, kind: str, answer: Answer, wait: float
) -> None:
    stand_in.answers["sendMessage"] = answer
    async with bot_for(stand_in, kind) as bot:
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(1, "你好")
    retry_after = raised.value.retry_after
    seconds = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
    assert seconds == wait


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(
    "answer",
    [
        error(404, "Not Found"),
        error(404, "Not Found: method not found"),
        Answer(404, "<html>404 Not Found</html>", "text/html"),
        error(405, "Method Not Allowed"),
        error(501, "Not Implemented"),
        error(400, "Bad Request: method not found"),
        error(400, "unknown method: deleteWebhook"),
    ],
)
async def test_a_method_the_server_does_not_have_is_unsupported_not_a_bad_token(
    stand_in: StandIn, kind: str, answer: Answer
) -> None:
    stand_in.answers["deleteWebhook"] = answer
    async with bot_for(stand_in, kind) as bot:
        with pytest.raises(Unsupported) as raised:
            await bot.delete_webhook()
    assert isinstance(raised.value, BadRequest)
    assert "deleteWebhook is not supported" in raised.value.message


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(
    "answer",
    [
        error(401, "Unauthorized"),
        error(404, "Not Found"),
        Answer(404, "<h1>nope</h1>", "text/html"),
    ],
)
async def test_get_me_refused_is_still_a_rejected_token(
    stand_in: StandIn, kind: str, answer: Answer
) -> None:
    """A 404 is told apart (`NotFound`: the address is the likelier mistake)."""
    stand_in.answers["getMe"] = answer
    bot = bot_for(stand_in, kind)
    with pytest.raises(InvalidToken) as raised:
        await bot.initialize()
    problem = token_problem(Route(), raised.value)
    assert isinstance(problem, NoBotApiThere) == (answer.status == 404)
    await bot.shutdown()


def test_the_bot_api_s_own_answers_pass_unchanged() -> None:
    ok = b'{"ok":true,"result":true}'
    assert server_answer("http://x/botT/sendMessage", 200, ok) == (200, ok)
    body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    code, payload = server_answer("http://x/botT/sendMessage", 400, json.dumps(body).encode())
    assert (code, json.loads(payload)) == (400, body)
    moved = {**body, "parameters": {"migrate_to_chat_id": -1001}}
    assert json.loads(server_answer("u/sendMessage", 400, json.dumps(moved).encode())[1]) == moved
