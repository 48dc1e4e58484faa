"""Telegram updates as the Bot API sends them, for the tests that build their own."""

from __future__ import annotations

from typing import Any


def private_message(
    update_id: int, user: int, text: str = "hi", first_name: str = "x"
) -> dict[str, Any]:
    """A text message from `user` in their private chat with the bot (a command marked as
    Telegram marks it)."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": first_name},
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}
