"""Bot API methods on messages and files: send, edit, delete, callback answers, getFile."""

from __future__ import annotations

import asyncio
import mimetypes
import uuid
from typing import TYPE_CHECKING

from bot.web.botapi.rules import (
    JSON,
    NOT_MODIFIED,
    ApiError,
    Params,
    bad_request,
    formatted,
    image_size,
    reply_markup,
    text_fields,
)
from devkit.emulator.models import ChatMessage, ChatState, FileRecord
from devkit.emulator.registry import method

if TYPE_CHECKING:
    from devkit.emulator.core import BotApiEmulator, BotState


# --- helpers -----------------------------------------------------------------------------------


def chat_of(emu: BotApiEmulator, bot: BotState, p: Params, name: str = "chat_id") -> ChatState:
    if not p.has(name):
        raise bad_request(f"{name} is empty")
    raw = p.values[name]
    try:
        chat_id = int(raw)
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None
    try:
        return emu.chat_state(bot, chat_id)
    except LookupError:
        raise bad_request("chat not found") from None


def check_can_write(chat: ChatState) -> None:
    if chat.group is not None and chat.group.bot_removed:
        raise ApiError(403, "Forbidden: bot was kicked from the group chat")
    if chat.user is not None:
        if chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")


def _flood(emu: BotApiEmulator, bot: BotState, chat: ChatState) -> None:
    wait = emu.flood.check(bot.id, chat.id, chat.type)
    if wait:
        raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
    emu.flood.record(bot.id, chat.id, chat.type)


def _reply_to(chat: ChatState, p: Params) -> ChatMessage | None:
    params = p.json("reply_parameters", "can't parse reply parameters JSON object")
    allow_missing = p.flag("allow_sending_without_reply")
    if isinstance(params, dict):
        target = params.get("message_id")
        allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
        if params.get("chat_id") not in (None, chat.id):
            raise bad_request("message to be replied not found")
    elif params is not None:
        raise bad_request("can't parse reply parameters JSON object")
    else:
        target = p.integer("reply_to_message_id")
    if target is None:
        return None
    message = chat.all_messages.get(int(target))
    if message is None or message.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return message


def _message_json(
    emu: BotApiEmulator,
    bot: BotState,
    chat: ChatState,
    fields: JSON,
    markup: JSON | None,
    reply_to: ChatMessage | None,
) -> JSON:
    data: JSON = {
        "message_id": chat.next_message_id(),
        "from": bot.user_json(),
        "chat": chat.to_json(),
        "date": emu.now(),
    }
    if reply_to is not None:
        data["reply_to_message"] = {
            k: v for k, v in reply_to.data.items() if k != "reply_to_message"
        }
    data.update(fields)
    if markup is not None and "inline_keyboard" in markup:
        data["reply_markup"] = markup
    return data


def _send(
    emu: BotApiEmulator,
    bot: BotState,
    chat: ChatState,
    p: Params,
    fields: JSON,
    *,
    html: str | None,
    markup: JSON | None,
    file: FileRecord | None = None,
) -> JSON:
    reply_to = _reply_to(chat, p)
    check_can_write(chat)
    _flood(emu, bot, chat)
    data = _message_json(emu, bot, chat, fields, markup, reply_to)
    message = ChatMessage(
        message_id=data["message_id"],
        chat_id=chat.id,
        from_bot=True,
        data=data,
        html=html,
        parse_mode=p.string("parse_mode"),
        markup=markup,
        file=file,
        silent=p.flag("disable_notification"),
    )
    emu.store_message(chat, message)
    emu.add_event(bot, "send", chat.id, message.message_id)
    return data


# --- files -------------------------------------------------------------------------------------


def store_file(
    emu: BotApiEmulator,
    kind: str,
    data: bytes,
    file_name: str | None = None,
    mime_type: str | None = None,
) -> FileRecord:
    number = emu.new_id()
    if kind == "photo":
        extension = ".jpg"
    elif kind == "voice":
        extension = ".oga"
    elif kind == "sticker":
        extension = ".webp"
    else:
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
    size = image_size(data) if kind == "photo" else None
    record = FileRecord(
        file_id=f"{kind[:3].upper()}{uuid.uuid4().hex}",
        file_unique_id=uuid.uuid4().hex[:16],
        kind=kind,
        data=data,
        file_path=f"{kind}s/file_{number}{extension}",
        file_name=file_name,
        mime_type=mime_type,
        width=size[0] if size else None,
        height=size[1] if size else None,
    )
    emu.files[record.file_id] = record
    return record


def file_json(record: FileRecord) -> JSON:
    if record.kind == "photo":
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "width": record.width or 100,
            "height": record.height or 100,
            "file_size": record.size,
        }
    data: JSON = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.size,
    }
    if record.file_name:
        data["file_name"] = record.file_name
    if record.mime_type:
        data["mime_type"] = record.mime_type
    return data


def _input_file(emu: BotApiEmulator, p: Params, kind: str) -> FileRecord:
    value = p.file(kind)
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, str):
        record = emu.files.get(value)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.kind != kind and kind == "photo":
            raise bad_request("type of file mismatch")
        return record
    if not value.data:
        raise bad_request("file must be non-empty")
    if kind == "photo":
        if len(value.data) > 10 << 20:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        if image_size(value.data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        return store_file(emu, "photo", value.data)
    if len(value.data) > 50 << 20:
        raise ApiError(413, "Request Entity Too Large")
    mime = value.content_type or mimetypes.guess_type(value.filename or "")[0]
    if mime in (None, "application/octet-stream") and value.filename:
        mime = mimetypes.guess_type(value.filename)[0] or mime
    return store_file(emu, kind, value.data, value.filename or "document", mime)


# --- methods -----------------------------------------------------------------------------------


@method
async def sendMessage(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    chat = chat_of(emu, bot, p)
    text, entities, source = formatted(p, "text", "entities", emu.limits.text_length, caption=False)
    markup = reply_markup(p, emu.limits.callback_data_bytes)
    fields = text_fields(text, entities)
    preview = p.json("link_preview_options", "can't parse link preview options JSON object")
    if isinstance(preview, dict) and preview:
        fields["link_preview_options"] = preview
    elif p.flag("disable_web_page_preview"):
        fields["link_preview_options"] = {"is_disabled": True}
    return _send(emu, bot, chat, p, fields, html=source, markup=markup)


def _send_media(emu: BotApiEmulator, bot: BotState, p: Params, kind: str) -> JSON:
    chat = chat_of(emu, bot, p)
    caption, entities, source = formatted(
        p, "caption", "caption_entities", emu.limits.caption_length, caption=True
    )
    markup = reply_markup(p, emu.limits.callback_data_bytes)
    record = _input_file(emu, p, kind)
    fields: JSON = {kind: [file_json(record)] if kind == "photo" else file_json(record)}
    if caption:
        fields.update(text_fields(caption, entities, "caption"))
    return _send(emu, bot, chat, p, fields, html=source, markup=markup, file=record)


@method
async def sendDocument(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return _send_media(emu, bot, p, "document")


@method
async def sendPhoto(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return _send_media(emu, bot, p, "photo")


def _message_to_edit(emu: BotApiEmulator, bot: BotState, p: Params) -> ChatMessage:
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat = chat_of(emu, bot, p)
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.all_messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    emu: BotApiEmulator,
    bot: BotState,
    message: ChatMessage,
    replace: set[str],
    fields: JSON,
    markup: JSON | None,
    source: tuple[str | None, str | None] | None = None,
) -> JSON:
    """Replace ``replace`` keys with ``fields``; no reply_markup removes the inline keyboard."""
    drop = replace | {"reply_markup", "edit_date"}
    new = {k: v for k, v in message.data.items() if k not in drop}
    new.update(fields)
    if markup is not None:
        new["reply_markup"] = markup
    old = {k: v for k, v in message.data.items() if k != "edit_date"}
    if new == old:
        raise bad_request(NOT_MODIFIED)
    new["edit_date"] = emu.now()
    message.data = new
    if source is not None:
        message.html, message.parse_mode = source
    if markup is not None or (message.markup and "inline_keyboard" in message.markup):
        message.markup = markup  # a reply keyboard stays shown after edits
    message.edited = True
    message.version += 1
    emu.add_event(bot, "edit", message.chat_id, message.message_id)
    return new


@method
async def editMessageText(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    message = _message_to_edit(emu, bot, p)
    text, entities, source = formatted(p, "text", "entities", emu.limits.text_length, caption=False)
    markup = reply_markup(p, emu.limits.callback_data_bytes, inline_only=True)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    fields = text_fields(text, entities)
    preview = p.json("link_preview_options", "can't parse link preview options JSON object")
    if isinstance(preview, dict) and preview:
        fields["link_preview_options"] = preview
    replace = {"text", "entities", "link_preview_options"}
    return _apply_edit(emu, bot, message, replace, fields, markup, (source, p.string("parse_mode")))


@method
async def editMessageCaption(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> JSON:
    message = _message_to_edit(emu, bot, p)
    caption, entities, source = formatted(
        p, "caption", "caption_entities", emu.limits.caption_length, caption=True
    )
    markup = reply_markup(p, emu.limits.callback_data_bytes, inline_only=True)
    if "text" in message.data:
        raise bad_request("there is no caption in the message to edit")
    fields: JSON = text_fields(caption, entities, "caption") if caption else {}
    replace = {"caption", "caption_entities"}
    return _apply_edit(emu, bot, message, replace, fields, markup, (source, p.string("parse_mode")))


@method
async def editMessageReplyMarkup(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> JSON:
    message = _message_to_edit(emu, bot, p)
    markup = reply_markup(p, emu.limits.callback_data_bytes, inline_only=True)
    return _apply_edit(emu, bot, message, set(), {}, markup)


@method
async def deleteMessage(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    chat = chat_of(emu, bot, p)
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.all_messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    if emu.now() - int(message.data["date"]) > 48 * 3600:
        raise bad_request("message can't be deleted")
    if chat.group is not None and not message.from_bot and not chat.group.bot_is_admin:
        raise bad_request("message can't be deleted")
    message.deleted = True
    message.version += 1
    emu.add_event(bot, "delete", chat.id, message_id)
    return True


@method
async def answerCallbackQuery(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> bool:
    from devkit.emulator.models import CallbackAnswer

    query_id = p.string("callback_query_id")
    record = bot.callback_queries.get(query_id or "")
    if record is None or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.string("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = CallbackAnswer(
        record.id, text, p.flag("show_alert"), p.string("url"), p.integer("cache_time") or 0
    )
    emu.add_event(bot, "callback_answer", record.chat_id, record.message_id, record.id)
    return True


@method
async def getFile(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    record = emu.files.get(p.string("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    if record.size > 20 << 20:
        raise bad_request("file is too big")
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.size,
        "file_path": record.file_path,
    }
