"""A Telegram Bot API emulator on loopback, for tests and the offline demo.

The real, unmodified PTB bot talks to it over real HTTP (long polling or webhook)::

    async with BotApiEmulator() as emu:
        emu.add_bot("123:ABC")
        u = emu.add_user(1001, "张三")              # started=True: may be messaged at once
        app = (ApplicationBuilder().token("123:ABC")
               .base_url(emu.base_url).base_file_url(emu.base_file_url).build())
        ...start polling...
        await u.send("/start")
        reply = await u.reply()                    # waits on events, never sleeps
        await u.press(reply, "确认")                # callback_query for that inline button
        edited = await u.wait_edit(reply)

Server
    ``BotApiEmulator(host=, port=0, limits=EmulatorLimits(), seed=0, monotonic=, clock=,
    keeps_answers=False)`` (``keeps_answers``: honour the ``Idempotency-Key`` header as the
    township's own server does; Telegram ignores it);
    ``start()/stop()`` or ``async with``; ``base_url``/``base_file_url``;
    ``add_bot(token, username, first_name, privacy_mode=True) -> bot id``;
    ``add_user(id, first_name, last_name=, username=, language_code="zh-hans", started=True)``;
    ``add_group(chat_id, title, member_ids, bot_is_admin=False, with_bot=True)``;
    ``add_bot_to_group(chat_id, by_user=None, as_admin=False)`` and
    ``remove_bot_from_group(chat_id, by_user=None)`` (with ``by_user``, the my_chat_member
    update Telegram sends); ``block(id)/unblock(id)``;
    ``user(id)``, ``chat(chat_id)``, ``commands(scope, language_code)``,
    ``wait_idle_updates(timeout)``, ``wait_polling(timeout)``; ``clock`` (UTC datetime for
    message dates) and ``monotonic`` (flood control) are settable; ``faults``, ``stats``,
    ``files``.

Methods
    getMe, getUpdates (long poll, offset/limit/allowed_updates, 409 when a webhook is set or a
    newer getUpdates starts), setWebhook/deleteWebhook/getWebhookInfo (POSTs updates with
    X-Telegram-Bot-Api-Secret-Token, retries with backoff), sendMessage, sendDocument,
    sendPhoto, editMessageText/Caption/ReplyMarkup, deleteMessage, answerCallbackQuery, getFile
    (+ downloads under base_file_url), set/get/deleteMyCommands (per scope and language),
    getChat, sendChatAction, close, logOut, setMyDescription/ShortDescription/Name,
    setChatMenuButton (recorded). Anything else: 404 "Not Found", like Telegram.

Telegram behaviour reproduced
    Query string, form, JSON and multipart requests (JSON-encoded nested values in form
    fields, ``attach://`` parts). Text 1-4096 and captions 0-1024 UTF-16 units after entity
    parsing and whitespace trimming; strict HTML (only Telegram's tags, every bare ``<``/``&``
    rejected) and MarkdownV2 without blockquotes; keyboards (callback_data 1-64 bytes, URLs,
    non-empty texts); 400/403 texts as Telegram words them; editing without reply_markup
    removes the inline keyboard; editing a photo's or document's text: "there is no text in
    the message to edit"; with ``limits.edit_within_hours`` (off by default), editing the text
    or caption of an older message: "message can't be edited". Privacy mode in groups.
    ``started=False`` users give 403 until their first message; blocked users give 403 (and a
    my_chat_member update).

Flood control (``EmulatorLimits``)
    30 messages/s per bot, 20/min per group, optional 1/s per private chat. Only ``send*``
    methods count (edits, deletes and callback answers do not); 429 with retry_after.

Faults
    ``emu.faults.inject(method, kind="500"|"502"|"429"|"timeout"|"drop"|"stall", count,
    retry_after)`` and ``emu.faults.set_random_faults(rate, kinds, methods, seed)``. "timeout"
    performs the call but answers only after the client hung up; "drop" closes the connection
    unanswered without performing the call; "stall" holds the request unperformed until the
    client hangs up (a send that never reached Telegram; ``stats.stalled`` counts them).
    ``emu.stats`` counts requests, 4xx (incl. 429)/5xx/429
    answers, injected faults and webhook deliveries; ``stats.errors`` lists every error answer
    as (method, code, description).

Users (``EmulatedUser``)
    ``send``, ``send_photo``, ``send_document``, ``send_location``, ``send_sticker``,
    ``send_voice``, ``send_in_group``, ``edit``, ``press``, ``press_data``, ``block``;
    reading: ``replies(n)``, ``reply()``, ``unread``, ``history``, ``wait_edit``,
    ``reply_keyboard``, ``last_callback_answer``, ``callback_answer()``, ``download``.
    Bot messages are ``ChatMessage`` snapshots: ``text``, ``html``, ``entities``, ``buttons``,
    ``button(text)``, ``reply_keyboard``, ``document``, ``photo``, ``edited``, ``deleted``.
"""

from bot.web.botapi.formatting import EntityParseError, parse_html, parse_text, utf16_len
from devkit.emulator.core import BotApiEmulator, BotState
from devkit.emulator.limits import EmulatorLimits, EmulatorStats, FaultInjector
from devkit.emulator.models import CallbackAnswer, ChatMessage, ChatState, FileRecord
from devkit.emulator.users import EmulatedUser, tiny_png

__all__ = [
    "BotApiEmulator",
    "BotState",
    "CallbackAnswer",
    "ChatMessage",
    "ChatState",
    "EmulatedUser",
    "EmulatorLimits",
    "EmulatorStats",
    "EntityParseError",
    "FaultInjector",
    "FileRecord",
    "parse_html",
    "parse_text",
    "tiny_png",
    "utf16_len",
]
