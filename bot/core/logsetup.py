"""Logging that never prints the bot token, the webhook secret or other registered secrets,
nor the updates python-telegram-bot could not read (their contents are people's messages).

Redaction happens on the fully formatted line (message, arguments and traceback alike).
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

_TOKEN_IN_URL = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")
_BARE_TOKEN = re.compile(r"\b[0-9]{5,}:[A-Za-z0-9_-]{20,}\b")
# python-telegram-bot logs an update it cannot read with its contents ("Received data was
# {...}", from getUpdates or a webhook POST): kept to the end of that line, as a repr is.
_RECEIVED_DATA = re.compile(r"(Received data was:?) (?=[\[{(])[^\n]*")


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _TOKEN_IN_URL.sub("/bot***", text)
        text = _RECEIVED_DATA.sub(r"\1 (left out: it may hold personal data)", text)
        return _BARE_TOKEN.sub("***", text)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def setup_logging(
    secrets: list[str], level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [
        h
        for h in root.handlers
        if not isinstance(h, logging.StreamHandler) or h.__class__.__module__.startswith("_pytest")
    ] + [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Bot API URLs contain the token; PTB's debug output
    # contains message texts (personal data). Neither goes below INFO/WARNING.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The emulator's access log also shows request paths, which contain the token.
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    return handler
