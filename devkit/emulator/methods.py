"""Bot API methods. Each takes (emulator, bot, params, disconnected) and returns the result.

The methods on messages and files are in `devkit.emulator.messages`; both register in the
table of `devkit.emulator.registry`.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.web.botapi.rules import JSON, ApiError, Params, Upload, bad_request, language_code
from devkit.emulator.bots import DEFAULT_UPDATE_TYPES, WebhookConfig
from devkit.emulator.messages import chat_of, check_can_write, file_json, store_file
from devkit.emulator.registry import METHOD_NAMES, METHODS, Method, method

__all__ = ["METHODS", "METHOD_NAMES", "Params", "Upload", "file_json", "store_file"]

if TYPE_CHECKING:
    from devkit.emulator.core import BotApiEmulator, BotState


# --- methods -----------------------------------------------------------------------------------


@method
async def getMe(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return {
        **bot.user_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": not bot.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method
async def logOut(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    return True


@method
async def close(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    return True


@method
async def getUpdates(
    emu: BotApiEmulator, bot: BotState, p: Params, disconnected: asyncio.Event
) -> list[JSON]:
    if bot.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = p.integer("offset") or 0
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = max(p.integer("timeout") or 0, 0)
    allowed = p.json("allowed_updates", "can't parse allowed updates")
    if isinstance(allowed, list):
        bot.allowed_updates = frozenset(map(str, allowed)) or DEFAULT_UPDATE_TYPES

    if offset > 0:
        bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
    elif offset < 0:
        bot.updates = bot.updates[offset:]
    # Updates of types the bot does not want are dropped, like Telegram never creating them.
    bot.updates = bot.pending()
    bot.poll_generation += 1
    generation = bot.poll_generation

    def ready() -> list[JSON] | None:
        if bot.poll_generation != generation or bot.webhook is not None:
            return []
        pending = bot.pending()
        return pending[:limit] if pending else None

    bot.polling += 1
    # Wakes wait_idle_updates/wait_polling and ends an older long poll (it gets 409).
    bot.updates_signal.notify()
    try:
        result = await bot.updates_signal.wait_for(ready, timeout, (disconnected, emu.stopping))
    finally:
        bot.polling -= 1
    if bot.poll_generation != generation:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    return result or []


@method
async def setWebhook(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    url = p.string("url") or ""
    if not url:
        return bool(await deleteWebhook(emu, bot, p, _))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.string("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.json("allowed_updates", "can't parse allowed updates")
    if isinstance(allowed, list):
        bot.allowed_updates = frozenset(map(str, allowed)) or DEFAULT_UPDATE_TYPES
    if p.flag("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = WebhookConfig(url, secret, p.integer("max_connections") or 40)
    bot.poll_generation += 1
    bot.updates_signal.notify()
    emu._ensure_webhook_task(bot)
    return True


@method
async def deleteWebhook(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    if p.flag("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = None
    bot.updates_signal.notify()
    return True


@method
async def getWebhookInfo(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    info: JSON = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.pending()),
    }
    if bot.webhook is not None:
        info["max_connections"] = bot.webhook.max_connections
        info["ip_address"] = "127.0.0.1"
        if bot.webhook.last_error_date is not None:
            info["last_error_date"] = bot.webhook.last_error_date
            info["last_error_message"] = bot.webhook.last_error_message
        if bot.allowed_updates != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(bot.allowed_updates)
    return info


def scope_key(scope: JSON) -> tuple[str, int | None, int | None]:
    kind = scope.get("type", "default")
    chat_id = scope.get("chat_id")
    user_id = scope.get("user_id")
    return (
        str(kind),
        int(chat_id) if chat_id is not None else None,
        int(user_id) if user_id is not None else None,
    )


_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def _commands_key(
    emu: BotApiEmulator, bot: BotState, p: Params
) -> tuple[str, int | None, int | None, str]:
    scope = p.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    for name in _SCOPES[str(scope["type"])]:
        if scope.get(name) is None:
            raise bad_request(f"can't parse BotCommandScope JSON object: {name} missing")
    if "chat_id" in _SCOPES[str(scope["type"])]:
        try:
            emu.chat_state(bot, int(scope["chat_id"]))
        except (LookupError, ValueError):
            raise bad_request("chat not found") from None
    return (*scope_key(scope), language_code(p))


@method
async def setMyCommands(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    commands = p.json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean: list[JSON] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": description})
    key = _commands_key(emu, bot, p)
    if clean:
        bot.commands[key] = clean
    else:
        bot.commands.pop(key, None)
    return True


@method
async def getMyCommands(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> list[JSON]:
    return list(bot.commands.get(_commands_key(emu, bot, p), []))


@method
async def deleteMyCommands(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    bot.commands.pop(_commands_key(emu, bot, p), None)
    return True


@method
async def getChat(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    chat = chat_of(emu, bot, p)
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


@method
async def sendChatAction(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    chat = chat_of(emu, bot, p)
    action = p.string("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    check_can_write(chat)
    chat.last_action = action
    return True


def _record_setting(name: str) -> Method:
    async def handler(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
        bot.extra_settings[name] = dict(p.values)
        return True

    handler.__name__ = name
    return handler


for _name in ("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton"):
    method(_record_setting(_name))
