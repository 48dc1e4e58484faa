"""A bot as the emulator keeps it: its updates, webhook, commands, chats and events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.web.botapi.core import DEFAULT_UPDATE_TYPES, wanted
from devkit.emulator.models import JSON, CallbackQueryRecord, ChatState, Event, Signal

__all__ = ["DEFAULT_UPDATE_TYPES", "BotState", "KeptAnswer", "WebhookConfig"]


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class KeptAnswer:
    """What a request with an idempotency key was answered (once its call has ended)."""

    method: str
    at: datetime
    result: asyncio.Future[Any]


@dataclass
class BotState:
    token: str
    id: int
    username: str
    first_name: str
    privacy_mode: bool = True
    updates: list[JSON] = field(default_factory=list)
    last_update_id: int = 0
    allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
    webhook: WebhookConfig | None = None
    webhook_task: asyncio.Task[None] | None = None
    poll_generation: int = 0
    polling: int = 0  # getUpdates requests currently waiting
    commands: dict[tuple[str, int | None, int | None, str], list[JSON]] = field(
        default_factory=dict
    )
    chats: dict[int, ChatState] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    events_signal: Signal = field(default_factory=Signal)
    updates_signal: Signal = field(default_factory=Signal)
    callback_queries: dict[str, CallbackQueryRecord] = field(default_factory=dict)
    extra_settings: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, KeptAnswer] = field(default_factory=dict)

    def user_json(self) -> JSON:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def pending(self) -> list[JSON]:
        return [u for u in self.updates if self.allowed(u)]

    def allowed(self, update: JSON) -> bool:
        return wanted(update, self.allowed_updates)
