"""One Bot API call: find the bot and the method, apply an injected fault, answer as JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.web.botapi import core
from bot.web.botapi.rules import Params
from devkit.emulator.bots import KeptAnswer
from devkit.emulator.methods import METHOD_NAMES, METHODS
from devkit.emulator.models import JSON, ApiError

if TYPE_CHECKING:
    from devkit.emulator.bots import BotState
    from devkit.emulator.core import BotApiEmulator


@dataclass
class Reply:
    """What the HTTP layer should do with a request."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    action: str = "answer"  # "answer", "hold" (answer late) or "drop" (close the connection)


async def _once(
    emu: BotApiEmulator, bot: BotState, key: str, name: str, call: Callable[[], Awaitable[Any]]
) -> Any:
    """The call performed once per idempotency key: a repeat gets the first answer (waiting
    for it if the first is still under way); a call that failed leaves the key free."""
    now = emu.clock()
    for old in [k for k, kept in bot.answers.items() if now - kept.at >= core.KEEP_ANSWERS]:
        del bot.answers[old]
    first = bot.answers.get(key)
    if first is not None:
        return core.repeated(name, first.method, await asyncio.shield(first.result))
    kept = KeptAnswer(name, now, asyncio.get_running_loop().create_future())
    bot.answers[key] = kept
    try:
        result = await call()
    except BaseException as error:
        del bot.answers[key]
        kept.result.set_exception(error)
        kept.result.exception()  # taken up here: a repeat that waits raises it too
        raise
    kept.result.set_result(result)
    return result


def _json_reply(status: int, payload: JSON) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode())


async def dispatch_call(
    emu: BotApiEmulator,
    token: str,
    method: str,
    values: dict[str, Any],
    files: dict[str, Any],
    disconnected: asyncio.Event,
    key: str | None = None,
) -> Reply:
    name = method.lower()
    try:
        bot = emu.resolve_bot(token)
        handler = METHODS.get(name)
        if handler is None:
            raise ApiError(404, "Not Found")
        canonical = handler.__name__
        emu.stats.requests[canonical] += 1
        fault = emu.faults.take(name)
        reply_action = "answer"
        if fault is not None:
            emu.stats.faults_injected[fault.kind] += 1
            if fault.kind in ("500", "502"):
                emu.stats.responses_5xx += 1
                if fault.kind == "502":
                    return Reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
                return _json_reply(
                    500,
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"},
                )
            if fault.kind == "429":
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            if fault.kind == "drop":
                return Reply(action="drop")
            if fault.kind == "stall":
                # Never performed; held until the client gives up (or dies): a request
                # that is "in flight" but has not reached Telegram.
                emu.stats.stalled += 1
                bot.events_signal.notify()
                reply = _json_reply(
                    504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
                )
                reply.action = "hold"
                return reply
            reply_action = "hold"  # "timeout": do the work, answer too late
        params = Params(values, files)
        if key is None:
            result = await handler(emu, bot, params, disconnected)
        else:
            result = await _once(
                emu, bot, key, name, lambda: handler(emu, bot, params, disconnected)
            )
        reply = _json_reply(200, {"ok": True, "result": result})
        reply.action = reply_action
        return reply
    except ApiError as error:
        emu.stats.errors.append((METHOD_NAMES.get(name, name), error.code, error.description))
        if error.code == 429:
            emu.stats.responses_429 += 1
        if error.code >= 500:
            emu.stats.responses_5xx += 1
        elif error.code >= 400:
            emu.stats.responses_4xx += 1
        return _json_reply(error.code, error.to_json())
