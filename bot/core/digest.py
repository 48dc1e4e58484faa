"""Constant-time comparison of secrets that come from outside (button data, CSRF tokens,
webhook secrets, push keys)."""

from __future__ import annotations

import hmac


def same_secret(given: str | None, expected: str) -> bool:
    """Whether `given` equals `expected`, in constant time. As UTF-8 bytes: `compare_digest`
    raises TypeError for a str with characters beyond ASCII, which anyone may send."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
