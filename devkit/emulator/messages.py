"""Bot API methods on messages and files: send, edit, delete, callback answers, getFile."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import TYPE_CHECKING

from bot.web.botapi import core
from bot.web.botapi.rules import JSON, ApiError, Params, bad_request
from devkit.emulator.models import ChatMessage, ChatState, FileRecord
from devkit.emulator.registry import method

if TYPE_CHECKING:
    from devkit.emulator.core import BotApiEmulator, BotState


# --- helpers -----------------------------------------------------------------------------------


def chat_of(emu: BotApiEmulator, bot: BotState, p: Params, name: str = "chat_id") -> ChatState:
    try:
        return emu.chat_state(bot, core.chat_id(p, name))
    except LookupError:
        raise bad_request("chat not found") from None


def check_can_write(chat: ChatState) -> None:
    if chat.group is not None and chat.group.migrated_to is not None:
        raise ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.group.migrated_to},
        )
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


def _topic(chat: ChatState, p: Params, reply_to: ChatMessage | None) -> int | None:
    """The forum topic a send goes to: the one named, else the replied-to message's, else
    General (None); a closed or unknown topic is refused as Telegram refuses it."""
    thread_id = p.integer("message_thread_id")
    if chat.group is None:
        if thread_id is not None:
            raise bad_request("message thread not found")
        return None
    if thread_id is None and reply_to is not None:
        thread_id = reply_to.topic
    chat.group.check_topic(thread_id)
    return thread_id


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
    content: core.Content,
    *,
    markup: JSON | None,
    file: FileRecord | None = None,
) -> JSON:
    reply_to = _reply_to(chat, p)
    check_can_write(chat)
    topic = _topic(chat, p, reply_to)
    _flood(emu, bot, chat)
    fields = {**core.attached(file), **content.fields} if file else content.fields
    if topic is not None:
        fields = {**fields, "message_thread_id": topic, "is_topic_message": True}
    data = _message_json(emu, bot, chat, fields, markup, reply_to)
    message = ChatMessage(
        message_id=data["message_id"],
        chat_id=chat.id,
        from_bot=True,
        data=data,
        html=content.source,
        parse_mode=content.parse_mode,
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
    return _keep(emu, core.new_file(kind, data, file_name, mime_type))


def _keep(emu: BotApiEmulator, new: core.NewFile) -> FileRecord:
    record = FileRecord(**asdict(new))
    emu.files[record.file_id] = record
    return record


def _input_file(emu: BotApiEmulator, p: Params, kind: str) -> FileRecord:
    value = core.input_file(p, kind)
    if isinstance(value, str):
        return core.reused_file(emu.files.get(value), kind)
    return _keep(emu, value)


# --- methods -----------------------------------------------------------------------------------


@method
async def sendMessage(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    chat = chat_of(emu, bot, p)
    content = core.message_text(p, emu.limits)
    markup = core.send_markup(p, emu.limits)
    return _send(emu, bot, chat, p, content, markup=markup)


def _send_media(emu: BotApiEmulator, bot: BotState, p: Params, kind: str) -> JSON:
    chat = chat_of(emu, bot, p)
    content = core.message_caption(p, emu.limits)
    markup = core.send_markup(p, emu.limits)
    record = _input_file(emu, p, kind)
    return _send(emu, bot, chat, p, content, markup=markup, file=record)


@method
async def sendDocument(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return _send_media(emu, bot, p, "document")


@method
async def sendPhoto(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return _send_media(emu, bot, p, "photo")


def _message(emu: BotApiEmulator, bot: BotState, p: Params) -> ChatMessage | None:
    chat = chat_of(emu, bot, p)
    return chat.all_messages.get(core.message_id(p))


def _edit(emu: BotApiEmulator, bot: BotState, p: Params, kind: str) -> JSON:
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    message = core.editable(_message(emu, bot, p))
    hours = emu.limits.edit_within_hours
    if kind != "markup" and hours is not None and emu.now() - message.data["date"] >= hours * 3600:
        raise bad_request("message can't be edited")
    edit = core.edit_request(kind, p, message.data, emu.limits)
    message.data = core.edited(message.data, edit, emu.now())
    if edit.content is not None:
        message.html, message.parse_mode = edit.content.source, edit.content.parse_mode
    if edit.markup is not None or (message.markup and "inline_keyboard" in message.markup):
        message.markup = edit.markup  # a reply keyboard stays shown after edits
    message.edited = True
    message.version += 1
    emu.add_event(bot, "edit", message.chat_id, message.message_id)
    return message.data


@method
async def editMessageText(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return _edit(emu, bot, p, "text")


@method
async def editMessageCaption(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> JSON:
    return _edit(emu, bot, p, "caption")


@method
async def editMessageReplyMarkup(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> JSON:
    return _edit(emu, bot, p, "markup")


@method
async def deleteMessage(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> bool:
    chat = chat_of(emu, bot, p)
    message = core.deletable(_message(emu, bot, p))
    if emu.now() - int(message.data["date"]) > 48 * 3600:
        raise bad_request("message can't be deleted")
    if chat.group is not None and not message.from_bot and not chat.group.bot_is_admin:
        raise bad_request("message can't be deleted")
    message.deleted = True
    message.version += 1
    emu.add_event(bot, "delete", chat.id, message.message_id)
    return True


@method
async def answerCallbackQuery(
    emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event
) -> bool:
    from devkit.emulator.models import CallbackAnswer

    record = bot.callback_queries.get(p.string("callback_query_id") or "")
    answer = core.callback_answer(p, None if record is None else record.answer is not None)
    assert record is not None
    record.answer = CallbackAnswer(
        record.id, answer.text, answer.show_alert, answer.url, answer.cache_time
    )
    emu.add_event(bot, "callback_answer", record.chat_id, record.message_id, record.id)
    return True


@method
async def getFile(emu: BotApiEmulator, bot: BotState, p: Params, _: asyncio.Event) -> JSON:
    return core.get_file(emu.files.get(p.string("file_id") or ""))
