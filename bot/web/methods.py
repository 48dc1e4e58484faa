"""The Bot API methods the bot uses, served from the database (`bot.web.store`) with the
rules the emulator shares (`bot.web.botapi.core`). Each runs in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import WebCallback, WebChat, WebCommands, WebFile, WebMessage, WebUser
from bot.web import store, webhook
from bot.web.botapi import core
from bot.web.botapi.core import TELEGRAM
from bot.web.botapi.rules import JSON, Params, bad_request


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


async def _chat(call: Call) -> WebChat:
    chat = await call.session.get(WebChat, core.chat_id(call.p))
    if chat is None:
        raise bad_request("chat not found")
    return chat


async def _private_user(call: Call, chat: WebChat) -> WebUser | None:
    return await call.session.get(WebUser, chat.id) if chat.type == "private" else None


async def _send(
    call: Call, chat: WebChat, content: core.Content, file: WebFile | None = None
) -> JSON:
    markup = core.send_markup(call.p, TELEGRAM)
    fields = dict(content.fields)
    if file is not None:
        fields = {**core.attached(file), **fields}
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
        html=content.html,
        keyboard=keyboard,
        file=file,
        user=await _private_user(call, chat),
    )
    return row.data


@method
async def getMe(call: Call) -> JSON:
    return core.bot_json(call.bot)


@method
async def sendMessage(call: Call) -> JSON:
    chat = await _chat(call)
    return await _send(call, chat, core.message_text(call.p, TELEGRAM))


async def _send_file(call: Call, kind: str) -> JSON:
    chat = await _chat(call)
    content = core.message_caption(call.p, TELEGRAM)
    value = core.input_file(call.p, kind)
    if isinstance(value, str):
        record = core.reused_file(await call.session.get(WebFile, value), kind)
    else:
        record = store.keep_file(call.session, value, call.now)
    return await _send(call, chat, content, record)


@method
async def sendDocument(call: Call) -> JSON:
    return await _send_file(call, "document")


@method
async def sendPhoto(call: Call) -> JSON:
    return await _send_file(call, "photo")


async def _message(call: Call) -> WebMessage | None:
    chat = await _chat(call)
    return await call.session.get(WebMessage, (chat.id, core.message_id(call.p)))


async def _edit(call: Call, kind: str) -> JSON:
    row = core.editable(await _message(call))
    edit = core.edit_request(kind, call.p, row.data, TELEGRAM)
    row.data = core.edited(row.data, edit, int(call.now.timestamp()))
    if edit.content is not None:
        row.html = edit.content.html
    row.revision += 1
    row.changed_at = call.now
    return row.data


@method
async def editMessageText(call: Call) -> JSON:
    return await _edit(call, "text")


@method
async def editMessageCaption(call: Call) -> JSON:
    return await _edit(call, "caption")


@method
async def editMessageReplyMarkup(call: Call) -> JSON:
    return await _edit(call, "markup")


@method
async def deleteMessage(call: Call) -> bool:
    row = core.deletable(await _message(call))
    row.deleted = True
    row.revision += 1
    row.changed_at = call.now
    return True


@method
async def answerCallbackQuery(call: Call) -> bool:
    row = await call.session.get(WebCallback, call.p.string("callback_query_id") or "")
    answer = core.callback_answer(call.p, None if row is None else row.answer is not None)
    assert row is not None
    row.answer = {"text": answer.text or "", "show_alert": answer.show_alert}
    return True


@method
async def getFile(call: Call) -> JSON:
    return core.get_file(await call.session.get(WebFile, call.p.string("file_id") or ""))


async def _commands_key(call: Call) -> tuple[str, str]:
    scope, language = core.command_scope(call.p)
    if scope[1] is not None and await call.session.get(WebChat, scope[1]) is None:
        raise bad_request("chat not found")
    return _scope_text(scope), language


def _scope_text(scope: core.Scope) -> str:
    return ":".join("" if part is None else str(part) for part in scope)


@method
async def setMyCommands(call: Call) -> bool:
    commands = core.command_list(call.p)
    scope, language = await _commands_key(call)
    row = await call.session.get(WebCommands, (scope, language))
    if not commands:
        if row is not None:
            await call.session.delete(row)
    elif row is None:
        call.session.add(WebCommands(scope=scope, language=language, commands=commands))
    else:
        row.commands = commands
    return True


@method
async def getMyCommands(call: Call) -> list[JSON]:
    row = await call.session.get(WebCommands, await _commands_key(call))
    return list(row.commands) if row else []


@method
async def deleteMyCommands(call: Call) -> bool:
    scope, language = await _commands_key(call)
    await call.session.execute(
        delete(WebCommands).where(WebCommands.scope == scope, WebCommands.language == language)
    )
    return True


async def commands_for(session: AsyncSession, chat: WebChat) -> list[JSON]:
    """The command menu a chat shows (`core.menu_keys`: its own scope first)."""
    private = chat.type == "private"
    keys = list(core.menu_keys(chat.id, private))
    scopes = {_scope_text(scope) for scope, _ in keys}
    rows = {
        (r.scope, r.language): r.commands
        for r in await session.scalars(select(WebCommands).where(WebCommands.scope.in_(scopes)))
    }
    return core.command_menu(
        chat.id, private, lambda scope, language: rows.get((_scope_text(scope), language))
    )


@method
async def getChat(call: Call) -> JSON:
    chat = await _chat(call)
    return store.chat_json(chat, await _private_user(call, chat))


@method
async def setWebhook(call: Call) -> bool:
    await webhook.apply(call.session, core.webhook_request(call.p))
    return True


@method
async def deleteWebhook(call: Call) -> bool:
    drop = call.p.flag("drop_pending_updates")
    await webhook.apply(call.session, core.Webhook("", None, 40, None, drop))
    return True


@method
async def getWebhookInfo(call: Call) -> JSON:
    return await webhook.info(call.session)


async def _accepted(call: Call) -> bool:
    return True


@method
async def sendChatAction(call: Call) -> bool:
    await _chat(call)
    core.chat_action(call.p)
    return True


for _name in (
    "close",
    "logOut",
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
):
    METHODS[_name.lower()] = _accepted
