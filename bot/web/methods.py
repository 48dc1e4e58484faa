"""The Bot API methods the bot uses, served from the database (`bot.web.store`) with the same
rules as the emulator (`bot.web.botapi.rules`). Each runs in one transaction."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import WebCallback, WebChat, WebCommands, WebFile, WebMessage, WebUser
from bot.web import store
from bot.web.botapi.rules import (
    CAPTION_LENGTH,
    JSON,
    NOT_MODIFIED,
    TEXT_LENGTH,
    ApiError,
    Params,
    bad_request,
    formatted,
    image_size,
    language_code,
    reply_markup,
    text_fields,
)


@dataclass(frozen=True)
class Call:
    session: AsyncSession
    p: Params
    bot: JSON
    now: datetime


Method = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Method] = {}


def method(fn: Method) -> Method:
    METHODS[fn.__name__.lower()] = fn
    return fn


async def _chat(call: Call, name: str = "chat_id") -> WebChat:
    try:
        chat_id = int(call.p.values[name])
    except (KeyError, TypeError, ValueError):
        raise bad_request("chat not found") from None
    chat = await call.session.get(WebChat, chat_id)
    if chat is None:
        raise bad_request("chat not found")
    return chat


async def _private_user(call: Call, chat: WebChat) -> WebUser | None:
    return await call.session.get(WebUser, chat.id) if chat.type == "private" else None


async def _send(call: Call, fields: JSON, *, html: str | None, file: WebFile | None = None) -> JSON:
    chat = await _chat(call)
    markup = reply_markup(call.p)
    if markup is not None and "inline_keyboard" in markup:
        fields["reply_markup"] = markup
    keyboard = markup if markup is not None and "inline_keyboard" not in markup else None
    row = await store.add_message(
        call.session,
        chat,
        sender=call.bot,
        fields=fields,
        now=call.now,
        from_bot=True,
        html=html,
        keyboard=keyboard,
        file=file,
        user=await _private_user(call, chat),
    )
    return row.data


def _html(call: Call, key: str) -> str | None:
    mode = (call.p.string("parse_mode") or "").lower()
    return call.p.string(key) if mode == "html" else None


@method
async def getMe(call: Call) -> JSON:
    return {**call.bot, "can_join_groups": True, "can_read_all_group_messages": False}


@method
async def sendMessage(call: Call) -> JSON:
    text, entities, _ = formatted(call.p, "text", "entities", TEXT_LENGTH, caption=False)
    return await _send(call, text_fields(text, entities), html=_html(call, "text"))


async def _send_file(call: Call, kind: str) -> JSON:
    caption, entities, _ = formatted(
        call.p, "caption", "caption_entities", CAPTION_LENGTH, caption=True
    )
    value = call.p.file(kind)
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, str):
        record = await call.session.get(WebFile, value)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
    else:
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > 50 << 20:
            raise ApiError(413, "Request Entity Too Large")
        if kind == "photo" and image_size(value.data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        mime = value.content_type or mimetypes.guess_type(value.filename or "")[0]
        name = None if kind == "photo" else value.filename or "document"
        record = store.store_file(call.session, kind, value.data, call.now, name, mime)
    fields: JSON = text_fields(caption, entities, "caption") if caption else {}
    store.attach(fields, record)
    return await _send(call, fields, html=_html(call, "caption"), file=record)


@method
async def sendDocument(call: Call) -> JSON:
    return await _send_file(call, "document")


@method
async def sendPhoto(call: Call) -> JSON:
    return await _send_file(call, "photo")


async def _message(call: Call) -> WebMessage:
    chat = await _chat(call)
    message_id = call.p.integer("message_id")
    row = await call.session.get(WebMessage, (chat.id, message_id or 0))
    if row is None or row.deleted:
        raise bad_request("message to edit not found")
    if not row.from_bot:
        raise bad_request("message can't be edited")
    return row


def _edited(call: Call, row: WebMessage, fields: JSON, markup: JSON | None) -> JSON:
    data = {k: v for k, v in row.data.items() if k not in ("reply_markup", "entities")}
    data.update(fields)
    if markup is not None:
        data["reply_markup"] = markup
    if data == row.data:
        raise bad_request(NOT_MODIFIED)
    data["edit_date"] = int(call.now.timestamp())
    row.data = data
    row.revision += 1
    row.changed_at = call.now
    return data


@method
async def editMessageText(call: Call) -> JSON:
    row = await _message(call)
    if "text" not in row.data:
        raise bad_request("there is no text in the message to edit")
    text, entities, _ = formatted(call.p, "text", "entities", TEXT_LENGTH, caption=False)
    markup = reply_markup(call.p, inline_only=True)
    data = _edited(call, row, text_fields(text, entities), markup)
    row.html = _html(call, "text")
    return data


@method
async def editMessageCaption(call: Call) -> JSON:
    row = await _message(call)
    caption, entities, _ = formatted(
        call.p, "caption", "caption_entities", CAPTION_LENGTH, caption=True
    )
    markup = reply_markup(call.p, inline_only=True)
    base = {k: v for k, v in row.data.items() if k not in ("caption", "caption_entities")}
    row.data = base
    fields = text_fields(caption, entities, "caption") if caption else {}
    return _edited(call, row, fields, markup)


@method
async def editMessageReplyMarkup(call: Call) -> JSON:
    row = await _message(call)
    markup = reply_markup(call.p, inline_only=True)
    fields = {k: v for k, v in row.data.items() if k in ("entities",)}
    return _edited(call, row, fields, markup)


@method
async def deleteMessage(call: Call) -> bool:
    chat = await _chat(call)
    row = await call.session.get(WebMessage, (chat.id, call.p.integer("message_id") or 0))
    if row is None or row.deleted:
        raise bad_request("message to delete not found")
    row.deleted = True
    row.revision += 1
    row.changed_at = call.now
    return True


@method
async def answerCallbackQuery(call: Call) -> bool:
    row = await call.session.get(WebCallback, call.p.string("callback_query_id") or "")
    if row is None or row.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.p.string("text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    row.answer = {"text": text, "show_alert": call.p.flag("show_alert")}
    return True


@method
async def getFile(call: Call) -> JSON:
    record = await call.session.get(WebFile, call.p.string("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    return {**store.file_json(record), "file_path": record.file_path}


def _scope(call: Call) -> str:
    scope = call.p.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    return ":".join(str(scope.get(k) or "") for k in ("type", "chat_id", "user_id"))


@method
async def setMyCommands(call: Call) -> bool:
    commands = call.p.json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    clean = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse commands JSON object")
        name, text = str(item.get("command", "")), str(item.get("description", ""))
        if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(text) <= 256:
            raise bad_request("BOT_COMMAND_INVALID")
        clean.append({"command": name, "description": text})
    key = (_scope(call), language_code(call.p))
    row = await call.session.get(WebCommands, key)
    if row is None:
        call.session.add(WebCommands(scope=key[0], language=key[1], commands=clean))
    else:
        row.commands = clean
    return True


@method
async def getMyCommands(call: Call) -> list[JSON]:
    row = await call.session.get(WebCommands, (_scope(call), language_code(call.p)))
    return list(row.commands) if row else []


@method
async def deleteMyCommands(call: Call) -> bool:
    scope, language = _scope(call), language_code(call.p)
    await call.session.execute(
        delete(WebCommands).where(WebCommands.scope == scope, WebCommands.language == language)
    )
    return True


async def commands_for(session: AsyncSession, chat: WebChat) -> list[JSON]:
    """The command menu a chat shows: its own scope first, then the chat type's, then default."""
    general = "all_private_chats" if chat.type == "private" else "all_group_chats"
    scopes = [f"chat:{chat.id}:", f"{general}::", "default::"]
    rows = {
        (r.scope, r.language): r.commands
        for r in await session.scalars(select(WebCommands).where(WebCommands.scope.in_(scopes)))
    }
    for scope in scopes:
        for language in ("zh", ""):
            if (scope, language) in rows:
                return list(rows[(scope, language)])
    return []


@method
async def getChat(call: Call) -> JSON:
    chat = await _chat(call)
    return store.chat_json(chat, await _private_user(call, chat))


for _name in (
    "sendChatAction",
    "deleteWebhook",
    "close",
    "logOut",
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
):

    async def _accepted(call: Call) -> bool:
        return True

    METHODS[_name.lower()] = _accepted


@method
async def getWebhookInfo(call: Call) -> JSON:
    return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


@method
async def setWebhook(call: Call) -> bool:
    raise bad_request("the web channel delivers updates through getUpdates only")
