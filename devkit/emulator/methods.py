"""Bot API methods. Each takes (emulator, bot, params, disconnected) and returns the result.

The methods on messages and files are in `devkit.emulator.messages`; both register in the
table of `devkit.emulator.registry`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.web.botapi import core
from bot.web.botapi.core import file_json, scope_key
from bot.web.botapi.rules import JSON, ApiError, Params, Upload, bad_request
from devkit.emulator.bots import WebhookConfig
from devkit.emulator.messages import chat_of, check_can_write, store_file
from devkit.emulator.registry import METHOD_NAMES, METHODS, Method, method

__all__ = ["METHODS", "METHOD_NAMES", "Params", "Upload", "file_json", "scope_key", "store_file"]

if TYPE_CHECKING:
    from devkit.emulator.core import BotApiEmulator, BotState


# --- methods -----------------------------------------------------------------------------------


@method
async def getMe(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return core.bot_json(bot.user_json(), privacy_mode=bot.privacy_mode)


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
        raise core.webhook_active()
    offset = p.integer("offset") or 0
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = max(p.integer("timeout") or 0, 0)
    bot.allowed_updates = core.allowed_updates(p) or bot.allowed_updates

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
    request = core.webhook_request(p)
    if request.drop_pending_updates:
        bot.updates.clear()
    if not request.url:
        bot.webhook = None
        bot.updates_signal.notify()
        return True
    bot.allowed_updates = request.allowed_updates or bot.allowed_updates
    bot.webhook = WebhookConfig(request.url, request.secret_token, request.max_connections)
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
    hook = bot.webhook
    return core.webhook_info(
        hook.url if hook else "",
        len(bot.pending()),
        max_connections=hook.max_connections if hook else 40,
        allowed=bot.allowed_updates,
        last_error_date=hook.last_error_date if hook else None,
        last_error_message=hook.last_error_message if hook else None,
    )


def _commands_key(
    emu: BotApiEmulator, bot: BotState, p: Params
) -> tuple[str, int | None, int | None, str]:
    scope, language = core.command_scope(p)
    if scope[1] is not None:
        try:
            emu.chat_state(bot, scope[1])
        except LookupError:
            raise bad_request("chat not found") from None
    return (*scope, language)


@method
async def setMyCommands(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    commands = core.command_list(p)
    key = _commands_key(emu, bot, p)
    if commands:
        bot.commands[key] = commands
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


@method
async def sendChatAction(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    chat = chat_of(emu, bot, p)
    action = core.chat_action(p)
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
