"""Compact, signed, owner-bound callback_data.

Telegram clients can send any callback_data they like, and in a group anyone can press a
button on anyone's message. So every button is signed for the one person it was sent to:
`<feature>:<part>:...:<sig>` (at most 64 bytes), where `sig` is a short HMAC of the data
*and the owner's Telegram user id*. The owner is not written in the data: a press by
anyone else, or data the bot never produced, simply does not verify. Two people's buttons
never carry the same data, even for the same step of the same flow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from bot.core.digest import same_secret

MAX_BYTES = 64
SIG_LEN = 8


@dataclass(frozen=True)
class Cb:
    """A button's action before it is signed for the person it is sent to."""

    feature: str
    parts: tuple[str, ...]

    @property
    def payload(self) -> str:
        return ":".join((self.feature, *self.parts))


class CallbackCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_token(cls, token: str) -> CallbackCodec:
        return cls(hashlib.sha256(b"township-bot callback:" + token.encode()).digest())

    def _sign(self, owner: int, payload: str) -> str:
        message = f"{owner}\x1f{payload}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIG_LEN]

    @staticmethod
    def action(feature: str, *parts: object) -> Cb:
        items = (feature, *(str(p) for p in parts))
        if any(":" in item for item in items):
            raise ValueError("callback parts must not contain ':'")
        return Cb(items[0], items[1:])

    def sign(self, action: Cb, owner: int) -> str:
        payload = action.payload
        data = f"{payload}:{self._sign(owner, payload)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback_data too long ({len(data.encode())} bytes): {payload!r}")
        return data

    def pack(self, owner: int, feature: str, *parts: object) -> str:
        return self.sign(self.action(feature, *parts), owner)

    def unpack(self, data: object, presser: int) -> list[str] | None:
        """The parts after the feature name when the data was signed for `presser`; None
        when it is malformed, forged, or someone else's button."""
        if not isinstance(data, str) or not data or len(data.encode()) > MAX_BYTES:
            return None
        payload, _, sig = data.rpartition(":")
        if not payload or not same_secret(sig, self._sign(presser, payload)):
            return None
        return payload.split(":")[1:]

    @staticmethod
    def feature(data: str | None) -> str:
        return (data or "").split(":", 1)[0]
