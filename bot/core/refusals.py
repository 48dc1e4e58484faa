"""What happens when Telegram refuses a message's formatting.

Every message is sent as Telegram HTML. If Telegram still refuses it as malformed ("can't
parse entities": a template bug, or a Bot API server stricter than ours), the refusal is
logged as what it is (the method and Telegram's reason, with any quoted text removed, since
it may be something a user typed) and the same message is sent again as plain text, so the
reader still gets it. Any other refusal is raised to the caller unchanged.

It wraps the rate limiter, the one place every Bot API call but getUpdates passes through.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest
from telegram.ext import BaseRateLimiter

from bot.core.text import Html, plain

log = logging.getLogger(__name__)

# The formatted field of each method that carries one, and its entities field.
FORMATTED = (("text", "entities"), ("caption", "caption_entities"))
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def is_markup_refusal(error: BadRequest) -> bool:
    return "can't parse entities" in error.message.lower()


def safe_reason(error: BadRequest) -> str:
    return _QUOTED.sub("…", error.message)[:200]


class PlainTextFallback(BaseRateLimiter[int]):
    def __init__(self, inner: BaseRateLimiter[int]) -> None:
        self.inner = inner

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        try:
            return await self.inner.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        except BadRequest as exc:
            field = next((f for f in FORMATTED if isinstance(data.get(f[0]), str)), None)
            if field is None or not data.get("parse_mode") or not is_markup_refusal(exc):
                raise
            log.warning("Telegram refused %s: %s; sent as plain text", endpoint, safe_reason(exc))
            name, entities = field
            fallback = {k: v for k, v in data.items() if k not in ("parse_mode", entities)}
            fallback[name] = plain(Html(data[name]))
            return await self.inner.process_request(
                callback, (endpoint, fallback), kwargs, endpoint, fallback, rate_limit_args
            )
