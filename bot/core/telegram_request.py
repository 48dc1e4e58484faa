"""Bot API requests that survive a short network hiccup.

A reply to a user (the edited card that says "✅ Visit logged.", a callback answer) that is
lost to one 502 or one dropped connection makes the user wonder whether their work was
saved, and do it again. So every Bot API call except getUpdates (which the updater already
retries in its own loop) is retried a few times with a short backoff when it fails with a
network error or a 5xx answer:

- methods that change nothing new when repeated (edits, callback answers, deletes, getMe,
  setMyCommands, ...) are retried on every network error, timeouts included;
- methods that create a message (`send*`) are not retried after a *timeout*, because the
  request may have reached Telegram and a retry would send the message twice; they are
  retried after a 5xx answer or a connection that failed or closed without an answer.

429 is not handled here: the rate limiter (AIORateLimiter) waits `retry_after` and retries.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


def is_send(url: str) -> bool:
    method = url.rsplit("/", 1)[-1]
    return method.startswith("send") and method != "sendChatAction"


class RetryingRequest(HTTPXRequest):
    def __init__(self, *args: Any, retries: int = 2, backoff: float = 0.2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retries = retries
        self.backoff = backoff
        self.retried = 0

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                code, payload = await super().do_request(url, *args, **kwargs)
            except NetworkError as exc:
                if last or (isinstance(exc, TimedOut) and is_send(url)):
                    raise
                reason = type(exc).__name__
            else:
                if code < 500 or last:
                    return code, payload
                reason = str(code)
            self.retried += 1
            log.info("Bot API %s failed (%s); retrying", url.rsplit("/", 1)[-1], reason)
            await asyncio.sleep(delay)
            delay *= 3
        raise AssertionError("unreachable")
