"""A real PTB Application long polling the emulator, and getUpdates semantics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from devkit.emulator import BotApiEmulator, EmulatedUser

from .conftest import ALICE, TOKEN


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None and update.message is not None
    await update.message.reply_html(
        f"你好 <b>{update.effective_user.first_name}</b> ({update.effective_user.language_code})",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("确认", callback_data="confirm")]]
        ),
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data != "confirm":
        await query.answer("无效操作", show_alert=True)
        return
    await query.answer("好的")
    await query.edit_message_text("已确认")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    prefix = "edited" if update.edited_message else "echo"
    await message.reply_text(f"{prefix}: {message.text}")


async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.document:
        data = await (await message.document.get_file()).download_as_bytearray()
        text = f"document {message.document.file_name}: {bytes(data).decode()}"
    elif message.photo:
        text = f"photo {message.photo[-1].width}x{message.photo[-1].height} {message.caption}"
    elif message.location:
        text = f"location {message.location.latitude},{message.location.longitude}"
    elif message.sticker:
        text = f"sticker {message.sticker.emoji}"
    elif message.voice:
        text = f"voice {message.voice.duration}"
    else:
        text = "unknown"
    await message.reply_text(text)


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(MessageHandler(~filters.TEXT, media))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=30, poll_interval=0)
        yield application
        await application.updater.stop()
        await application.stop()


@pytest.mark.usefixtures("app")
async def test_start_press_edit(emu: BotApiEmulator, alice: EmulatedUser) -> None:
    # The long poll (timeout=30) is parked before the user writes, so the reply only comes
    # within the 5s wait if the emulator wakes the poll on the new update.
    await emu.wait_polling()
    await alice.send("/start")
    welcome = await alice.reply(timeout=5)
    assert welcome.text == "你好 Alice (en)"
    assert welcome.buttons == [[("确认", "confirm")]]
    await alice.press(welcome, "确认")
    assert (await alice.callback_answer()).text == "好的"
    edited = await alice.wait_edit(welcome)
    assert (edited.text, edited.buttons, edited.edited) == ("已确认", [], True)


@pytest.mark.usefixtures("app")
async def test_forged_callback_is_refused(alice: EmulatedUser) -> None:
    await alice.send("/start")
    welcome = await alice.reply()
    await alice.press_data(welcome, "delete_everything")
    answer = await alice.callback_answer()
    assert (answer.text, answer.show_alert) == ("无效操作", True)
    assert alice.history[0].text == welcome.text and not alice.history[0].edited


@pytest.mark.usefixtures("app")
async def test_text_edit_and_media(alice: EmulatedUser) -> None:
    original = await alice.send("first")
    assert (await alice.reply()).text == "echo: first"
    await alice.edit(original, "second")
    assert (await alice.reply()).text == "edited: second"
    await alice.send_document("数据".encode(), filename="d.txt")
    assert (await alice.reply()).text == "document d.txt: 数据"
    await alice.send_photo(caption="看")
    await alice.send_location(39.9, 116.4)
    await alice.send_sticker()
    await alice.send_voice(duration=3)
    replies = await alice.replies(4)
    assert [m.text for m in replies] == [
        "photo 1x1 看",
        "location 39.9,116.4",
        "sticker 👍",
        "voice 3",
    ]


async def test_replies_returns_messages_that_arrived_earlier(bot: Bot, alice: EmulatedUser) -> None:
    await bot.send_message(ALICE, "one")
    await bot.send_message(ALICE, "two")
    assert [m.text for m in alice.unread] == ["one", "two"]
    assert [m.text for m in await alice.replies(2)] == ["one", "two"]
    await bot.send_message(ALICE, "three")
    assert (await alice.reply()).text == "three"
    with pytest.raises(TimeoutError):
        await alice.replies(1, timeout=0.05)


async def test_offset_semantics(bot: Bot, emu: BotApiEmulator, alice: EmulatedUser) -> None:
    for text in ("a", "b", "c"):
        await alice.send(text)
    ids = [u.update_id for u in await bot.get_updates()]
    assert len(ids) == 3 and ids == sorted(ids)
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]  # ids[0] is gone
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]
    await alice.send("d")
    await alice.send("e")
    [only] = await bot.get_updates(limit=1)
    assert only.update_id == ids[2]
    rest = await bot.get_updates(offset=ids[2] + 1)
    assert [u.message.text for u in rest if u.message] == ["d", "e"]
    assert [u.update_id for u in rest] == [ids[2] + 1, ids[2] + 2]
    await bot.get_updates(offset=rest[-1].update_id + 1)
    await emu.wait_idle_updates(timeout=1)


async def test_long_poll_wakes_on_update(
    bot: Bot, emu: BotApiEmulator, alice: EmulatedUser
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await emu.wait_polling()
    await alice.send("wake up")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates if u.message] == ["wake up"]


async def test_second_poller_terminates_first(bot: Bot, emu: BotApiEmulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await emu.wait_polling()
    async with Bot(TOKEN, base_url=emu.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 5)


async def test_allowed_updates_filters_and_persists(bot: Bot, alice: EmulatedUser) -> None:
    await bot.send_message(
        ALICE,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d")]]),
    )
    message = await alice.reply()
    await alice.send("text")
    await alice.press(message, "b")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [bool(u.callback_query) for u in updates] == [True]
    await alice.send("still filtered")
    assert [bool(u.callback_query) for u in await bot.get_updates()] == [True]
    await bot.get_updates(allowed_updates=[])
    await alice.send("back")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["back"]


async def test_get_updates_conflicts_with_webhook(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.set_webhook("https://example.com/hook", secret_token="abc")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_delete_webhook_can_drop_pending_updates(bot: Bot, alice: EmulatedUser) -> None:
    await alice.send("stale")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    await alice.send("fresh")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["fresh"]
