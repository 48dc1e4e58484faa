"""The Bot API surface, driven by the real PTB Bot over HTTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken

from devkit.emulator import BotApiEmulator, EmulatedUser, tiny_png

from .conftest import ALICE, BOB, GROUP, TOKEN


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"b{i}", callback_data=d)] for i, d in enumerate(data)]
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "emu_test_bot", True)


async def test_send_message_shape_and_history(bot: Bot, alice: EmulatedUser) -> None:
    sent = await bot.send_message(ALICE, "<b>你好</b> Alice", parse_mode=ParseMode.HTML)
    assert sent.text == "你好 Alice"
    assert sent.chat.id == ALICE and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.id == bot.id
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]
    [message] = await alice.replies(1)
    assert (message.message_id, message.text) == (sent.message_id, "你好 Alice")
    assert message.html == "<b>你好</b> Alice"
    assert alice.history[0].message_id == sent.message_id


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 4096, True),
        ("a" * 4097, False),
        ("😀" * 2048, True),  # 4096 UTF-16 units
        ("😀" * 2048 + "a", False),
        ("<b>" + "a" * 4096 + "</b>", True),  # the limit applies after entity parsing
    ],
)
async def test_text_length_limit(bot: Bot, text: str, ok: bool) -> None:
    if ok:
        await bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)
    else:
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>"])
async def test_empty_text_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)


@pytest.mark.parametrize("text", ["<script>x</script>", "<b>open", "Q&A", "1 < 2", "<i>x</b>"])
async def test_bad_html_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)


async def test_html_not_parsed_without_parse_mode(bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "Q&A <b>")
    assert sent.text == "Q&A <b>" and not sent.entities


@pytest.mark.parametrize(
    ("data", "ok"),
    [("x" * 64, True), ("x" * 65, False), ("中" * 21, True), ("中" * 22, False), ("", False)],
)
async def test_callback_data_limit_in_bytes(bot: Bot, data: str, ok: bool) -> None:
    if ok:
        await bot.send_message(ALICE, "pick", reply_markup=keyboard(data))
    else:
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(ALICE, "pick", reply_markup=keyboard(data))


async def test_keyboard_validation(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)button_url_invalid"):
        await bot.send_message(
            ALICE, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("u", url="nope")]])
        )
    with pytest.raises(BadRequest, match=r"(?i)button_text_invalid"):
        await bot.send_message(
            ALICE,
            "x",
            reply_markup=keyboard().from_button(InlineKeyboardButton(" ", callback_data="a")),
        )
    sent = await bot.send_message(
        ALICE,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("u", url="https://e.com")]]),
    )
    assert sent.reply_markup is not None


@pytest.mark.parametrize(("length", "ok"), [(1024, True), (1025, False)])
async def test_caption_limit(bot: Bot, length: int, ok: bool) -> None:
    if ok:
        sent = await bot.send_document(ALICE, b"data", filename="a.txt", caption="c" * length)
        assert sent.caption == "c" * length
    else:
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_document(ALICE, b"data", filename="a.txt", caption="c" * length)


async def test_unknown_chat_and_forbidden(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")
    emu.block(BOB)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(BOB, "hi")
    emu.unblock(BOB)
    await bot.send_message(BOB, "hi")


async def test_user_who_never_started_cannot_be_messaged(bot: Bot, emu: BotApiEmulator) -> None:
    carol = emu.add_user(1003, "Carol", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(carol.id, "hi")
    await carol.send("/start")
    await bot.send_message(carol.id, "welcome")
    assert (await carol.reply()).text == "welcome"


async def test_block_produces_my_chat_member_update(bot: Bot, emu: BotApiEmulator) -> None:
    emu.block(ALICE)
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_adding_and_removing_the_bot_produces_my_chat_member_updates(
    bot: Bot, emu: BotApiEmulator
) -> None:
    emu.add_group(-100777, "New group", [BOB], with_bot=False)
    with pytest.raises(Forbidden):
        await bot.send_message(-100777, "not in it yet")
    emu.add_bot_to_group(-100777, by_user=ALICE, as_admin=True)
    await bot.send_message(-100777, "hello")
    emu.remove_bot_from_group(-100777, by_user=BOB)
    added, removed = await bot.get_updates()
    for update, by, old, new in (
        (added, ALICE, "left", "administrator"),
        (removed, BOB, "administrator", "left"),
    ):
        change = update.my_chat_member
        assert change is not None and change.chat.id == -100777 and change.chat.type == "supergroup"
        assert change.from_user.id == by and change.new_chat_member.user.id == bot.id
        assert (change.old_chat_member.status, change.new_chat_member.status) == (old, new)
    # Without someone who did it (a test of a failing send), no update at all.
    emu.add_bot_to_group(-100777)
    emu.remove_bot_from_group(-100777)
    assert await bot.get_updates(offset=removed.update_id + 1) == ()


async def test_edit_and_not_modified(bot: Bot, alice: EmulatedUser) -> None:
    sent = await bot.send_message(ALICE, "v1", reply_markup=keyboard("a"))
    first = await alice.reply()
    edited = await bot.edit_message_text("<i>v2</i>", ALICE, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, Message)
    assert edited.text == "v2" and edited.edit_date is not None
    assert edited.reply_markup is None  # no reply_markup in the edit removes the keyboard
    now = await alice.wait_edit(first)
    assert (now.text, now.edited, now.buttons) == ("v2", True, [])
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>v2</i>", ALICE, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 9999)


async def test_user_message_cannot_be_edited_by_bot(bot: Bot, alice: EmulatedUser) -> None:
    mine = await alice.send("hello")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", ALICE, mine["message_id"])


async def test_an_old_message_s_text_cannot_be_edited_where_the_server_says_so(
    emu: BotApiEmulator, bot: Bot, alice: EmulatedUser
) -> None:
    sent = await bot.send_message(ALICE, "v1", reply_markup=keyboard("a"))
    later = emu.clock() + timedelta(hours=48)
    emu.clock = lambda: later
    # Telegram's own rule: a bot's message with buttons stays editable.
    await bot.edit_message_text("v2", ALICE, sent.message_id, reply_markup=keyboard("a"))
    emu.limits.edit_within_hours = 48
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("v3", ALICE, sent.message_id)
    # Its buttons can still be taken off.
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=None)
    fresh = await bot.send_message(ALICE, "new")
    await bot.edit_message_text("newer", ALICE, fresh.message_id)


async def test_a_photo_has_no_text_to_edit(bot: Bot, alice: EmulatedUser) -> None:
    sent = await bot.send_photo(ALICE, tiny_png(), caption="chart", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("x", ALICE, sent.message_id)
    await bot.edit_message_caption(ALICE, sent.message_id, caption="chart 2")


async def test_delete(bot: Bot, alice: EmulatedUser) -> None:
    sent = await bot.send_message(ALICE, "bye")
    assert await bot.delete_message(ALICE, sent.message_id)
    assert alice.history[-1].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)


async def test_reply_parameters(bot: Bot, alice: EmulatedUser) -> None:
    mine = await alice.send("question")
    sent = await bot.send_message(
        ALICE, "answer", reply_parameters=ReplyParameters(mine["message_id"])
    )
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ALICE, "x", reply_parameters=ReplyParameters(777))


async def test_reply_keyboard_is_tracked(bot: Bot, alice: EmulatedUser) -> None:
    await bot.send_message(ALICE, "menu", reply_markup=ReplyKeyboardMarkup([["甲", "乙"], ["丙"]]))
    message = await alice.reply()
    assert message.reply_keyboard == [["甲", "乙"], ["丙"]]
    assert alice.reply_keyboard == [["甲", "乙"], ["丙"]]


async def test_document_round_trip(bot: Bot, alice: EmulatedUser) -> None:
    payload = "周报\n".encode() * 1000
    sent = await bot.send_document(
        ALICE, payload, filename="周报.txt", caption="<b>报告</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "周报.txt"
    assert sent.caption == "报告" and sent.caption_entities[0].type == "bold"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload
    message = await alice.reply()
    assert message.document is not None and message.document.file_name == "周报.txt"
    assert await alice.download(message) == payload
    again = await bot.send_document(ALICE, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_user_document_downloadable_by_bot(bot: Bot, alice: EmulatedUser) -> None:
    await alice.send_document(b"visit log", filename="log.txt")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    file = await update.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"visit log"


async def test_photo(bot: Bot, alice: EmulatedUser) -> None:
    sent = await bot.send_photo(ALICE, tiny_png(), caption="pic")
    assert sent.photo[-1].width == 1 and sent.photo[-1].height == 1
    assert await alice.download(await alice.reply()) == tiny_png()
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(ALICE, b"not an image")
    await bot.send_photo(ALICE, sent.photo[-1].file_id)


async def test_commands_per_scope(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.set_my_commands([BotCommand("start", "开始")])
    await bot.set_my_commands(
        [BotCommand("report", "周报")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands([BotCommand("admin", "管理")], scope=BotCommandScopeChat(ALICE))
    default = await bot.get_my_commands()
    assert [c.command for c in default] == ["start"]
    private = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in private] == ["report"]
    assert emu.commands({"type": "chat", "chat_id": ALICE}) == [
        {"command": "admin", "description": "管理"}
    ]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Cmd", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_get_chat_and_chat_action(bot: Bot, emu: BotApiEmulator) -> None:
    chat = await bot.get_chat(GROUP)
    assert (chat.title, chat.type) == ("Township group", "supergroup")
    private = await bot.get_chat(ALICE)
    assert private.first_name == "Alice" and private.username == "alice"
    assert await bot.send_chat_action(ALICE, "typing")
    assert emu.chat(ALICE).last_action == "typing"
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(ALICE, "dancing")


async def test_callback_answer_once(bot: Bot, alice: EmulatedUser) -> None:
    await bot.send_message(ALICE, "pick", reply_markup=keyboard("yes"))
    message = await alice.reply()
    query_id = await alice.press(message, "b0")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert (update.callback_query.id, update.callback_query.data) == (query_id, "yes")
    await update.callback_query.answer("已确认", show_alert=True)
    assert alice.last_callback_answer is not None
    assert (alice.last_callback_answer.text, alice.last_callback_answer.show_alert) == (
        "已确认",
        True,
    )
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await update.callback_query.answer("again")


async def test_press_needs_an_existing_button_forged_data_goes_through(
    bot: Bot, alice: EmulatedUser
) -> None:
    await bot.send_message(ALICE, "pick", reply_markup=keyboard("yes"))
    message = await alice.reply()
    with pytest.raises(LookupError):
        await alice.press(message, "no such button")
    await alice.press_data(message, "admin:delete_everything")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "admin:delete_everything"


async def test_group_privacy_mode(bot: Bot, emu: BotApiEmulator, alice: EmulatedUser) -> None:
    await alice.send_in_group(GROUP, "just chatting")
    await alice.send_in_group(GROUP, "/report@other_bot")
    await alice.send_in_group(GROUP, "/report@emu_test_bot")
    await alice.send_in_group(GROUP, "hey @emu_test_bot")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == [
        "/report@emu_test_bot",
        "hey @emu_test_bot",
    ]
    sent = await bot.send_message(GROUP, "group reply")
    assert (await emu.chat(GROUP).reply()).message_id == sent.message_id


async def test_request_encodings(emu: BotApiEmulator) -> None:
    base = f"{emu.base_url}{TOKEN}"
    markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}'
    async with httpx.AsyncClient() as client:
        query = await client.get(f"{base}/sendMessage", params={"chat_id": ALICE, "text": "q"})
        form = await client.post(
            f"{base}/SENDMESSAGE", data={"chat_id": str(ALICE), "text": "f", "reply_markup": markup}
        )
        body = await client.post(
            f"{base}/sendmessage",
            json={
                "chat_id": ALICE,
                "text": "j",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]},
            },
        )
        multipart = await client.post(
            f"{base}/sendDocument",
            data={"chat_id": str(ALICE), "caption": "m"},
            files={"document": ("a.csv", b"1,2", "text/csv")},
        )
        attach = await client.post(
            f"{base}/sendDocument",
            data={"chat_id": str(ALICE), "document": "attach://part"},
            files={"part": ("b.txt", b"b", "text/plain")},
        )
        unknown = await client.post(f"{base}/sendTelepathy", json={})
        bad_token = await client.post(f"{emu.base_url}999:nope/getMe")
        malformed = await client.post(f"{emu.base_url}garbage/getMe")
        bad_json = await client.post(
            f"{base}/sendMessage", content=b"{", headers={"Content-Type": "application/json"}
        )
    for response in (query, form, body, multipart, attach):
        assert response.status_code == 200, response.text
    assert form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "x"
    assert body.json()["result"]["reply_markup"] == form.json()["result"]["reply_markup"]
    assert multipart.json()["result"]["document"]["mime_type"] == "text/csv"
    assert attach.json()["result"]["document"]["file_name"] == "b.txt"
    assert unknown.status_code == 404 and unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }
    assert bad_token.status_code == 401 and malformed.status_code == 404
    assert bad_json.status_code == 400
    assert emu.stats.requests["sendMessage"] == 3 and emu.stats.responses_4xx == 4


async def test_invalid_token_with_ptb(emu: BotApiEmulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=emu.base_url):
            pass


async def test_markdown_v2(bot: Bot) -> None:
    sent = await bot.send_message(ALICE, r"*粗体* and \.", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.text == "粗体 and ." and sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: character '\.' is reserved"):
        await bot.send_message(ALICE, "end.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_re_adding_a_user_keeps_chat_state(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(BOB, "before")
    emu.add_user(BOB, "Bob", started=True)
    emu.block(BOB)
    with pytest.raises(Forbidden):
        await bot.send_message(BOB, "after")
