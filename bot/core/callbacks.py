"""Compact, signed callback_data.

Telegram clients can send any callback_data they like, so every button carries a short HMAC:
data the bot never produced is recognised as forged and refused. Format:
`<feature>:<part>:...:<sig>`, at most 64 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

MAX_BYTES = 64
SIG_LEN = 8


class CallbackCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_token(cls, token: str) -> CallbackCodec:
        return cls(hashlib.sha256(b"township-bot callback:" + token.encode()).digest())

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIG_LEN]

    def pack(self, feature: str, *parts: object) -> str:
        items = [feature, *(str(p) for p in parts)]
        if any(":" in item for item in items):
            raise ValueError("callback parts must not contain ':'")
        payload = ":".join(items)
        data = f"{payload}:{self._sign(payload)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback_data too long ({len(data.encode())} bytes): {payload!r}")
        return data

    def unpack(self, data: str | None) -> list[str] | None:
        """The parts after the feature name, or None when the data is malformed or forged."""
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        payload, _, sig = data.rpartition(":")
        if not payload or not hmac.compare_digest(sig, self._sign(payload)):
            return None
        return payload.split(":")[1:]

    @staticmethod
    def feature(data: str | None) -> str:
        return (data or "").split(":", 1)[0]
