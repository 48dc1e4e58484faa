"""The township's server and the emulator answer the same requests the same way: both take
their rules from `bot.web.botapi.core` (commands, uploads, files, edits, callback answers,
webhooks). Each scenario runs against both and must give the same answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bot.core.models import WebChat, WebUser
from devkit.emulator import BotApiEmulator
from tests.conftest import TOKEN
from tests.web.conftest import USER, Township

Answer = tuple[int, Any]
Post = Callable[..., Awaitable[Answer]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def poster(base: str) -> Post:
    async def post(method: str, files: dict[str, Any] | None = None, **params: Any) -> Answer:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            if files:
                form = {k: str(v) for k, v in params.items()}
                response = await http.post(f"/bot{TOKEN}/{method}", data=form, files=files)
            else:
                response = await http.post(f"/bot{TOKEN}/{method}", json=params)
        body = response.json()
        return response.status_code, body["result"] if body["ok"] else body["description"]

    return post


async def scenario(post: Post) -> dict[str, Answer]:
    """Requests a bot might get wrong, and a few right ones; ids differ between servers, so
    only what does not depend on them is kept."""
    answers: dict[str, Answer] = {}
    bad_name = [{"command": "Bad!", "description": "坏"}]
    blank = [{"command": "ok", "description": "  "}]
    many = [{"command": f"c{i}", "description": "多"} for i in range(101)]
    answers["bad_name"] = await post("setMyCommands", commands=bad_name)
    answers["blank_description"] = await post("setMyCommands", commands=blank)
    answers["too_many"] = await post("setMyCommands", commands=many)
    answers["scope_without_chat"] = await post("setMyCommands", commands=[], scope={"type": "chat"})
    answers["unknown_scope"] = await post("getMyCommands", scope={"type": "everyone"})
    menu = [{"command": "start", "description": "开始"}]
    scope = {"type": "chat", "chat_id": USER}
    answers["set_chat_menu"] = await post(
        "setMyCommands", commands=menu, scope=scope, language_code="zh"
    )
    answers["chat_menu"] = await post("getMyCommands", scope=scope, language_code="zh")
    answers["delete_chat_menu"] = await post(
        "setMyCommands", commands=[], scope=scope, language_code="zh"
    )
    answers["chat_menu_deleted"] = await post("getMyCommands", scope=scope, language_code="zh")
    answers["bad_language"] = await post("setMyCommands", commands=menu, language_code="zho")

    empty = {"document": ("a.xlsx", b"", "application/octet-stream")}
    answers["empty_upload"] = await post("sendDocument", files=empty, chat_id=USER)
    not_image = {"photo": ("a.png", b"not an image", "image/png")}
    answers["not_an_image"] = await post("sendPhoto", files=not_image, chat_id=USER)
    answers["no_photo"] = await post("sendPhoto", chat_id=USER)
    answers["unknown_file_id"] = await post("sendDocument", chat_id=USER, document="BQADnothere")
    sheet = {"document": ("周报.xlsx", b"PK\x03\x04sheet", "application/octet-stream")}
    status, sent = await post("sendDocument", files=sheet, chat_id=USER, caption="<b>周报</b>")
    assert status == 200, sent
    document = sent["document"]
    answers["document"] = (
        status,
        {k: document[k] for k in ("file_name", "mime_type", "file_size")},
    )
    answers["caption"] = (status, sent["caption"])
    status, file = await post("getFile", file_id=document["file_id"])
    answers["get_file"] = (status, file["file_path"].endswith(".xlsx") and file["file_size"])
    answers["document_as_photo"] = await post("sendPhoto", chat_id=USER, photo=document["file_id"])
    status, photo = await post(
        "sendPhoto", files={"photo": ("p.png", PNG, "image/png")}, chat_id=USER
    )
    answers["photo_size"] = (status, [(p["width"], p["height"]) for p in photo["photo"]])
    answers["get_unknown_file"] = await post("getFile", file_id="nothing")

    status, message = await post("sendMessage", chat_id=USER, text="<b>原文</b>", parse_mode="HTML")
    number = message["message_id"]
    answers["same_text"] = await post(
        "editMessageText",
        chat_id=USER,
        message_id=number,
        text="<b>原文</b>",
        parse_mode="HTML",
    )
    answers["caption_of_text"] = await post(
        "editMessageCaption", chat_id=USER, message_id=number, caption="x"
    )
    answers["no_message_id"] = await post("editMessageText", chat_id=USER, text="无编号")
    answers["edit_unknown"] = await post(
        "editMessageText", chat_id=USER, message_id=10**6, text="x"
    )
    status, edited = await post("editMessageText", chat_id=USER, message_id=number, text="新")
    answers["edited_text"] = (status, edited["text"])
    answers["edit_date"] = (status, "edit_date" in edited)
    markup = {"inline_keyboard": [[{"text": "是", "callback_data": "yes"}]]}
    status, edited = await post(
        "editMessageReplyMarkup", chat_id=USER, message_id=number, reply_markup=markup
    )
    answers["edited_markup"] = (status, edited["reply_markup"])
    status, edited = await post(
        "editMessageCaption", chat_id=USER, message_id=sent["message_id"], caption="新说明"
    )
    answers["edited_caption"] = (status, (edited["caption"], "caption_entities" in edited))
    answers["delete"] = await post("deleteMessage", chat_id=USER, message_id=number)
    answers["delete_again"] = await post("deleteMessage", chat_id=USER, message_id=number)
    answers["bad_action"] = await post("sendChatAction", chat_id=USER, action="dancing")
    answers["typing"] = await post("sendChatAction", chat_id=USER, action="typing")
    answers["unknown_chat"] = await post("sendChatAction", chat_id=1, action="typing")
    answers["unknown_query"] = await post("answerCallbackQuery", callback_query_id="nothing")

    answers["bad_webhook_url"] = await post("setWebhook", url="ftp://example.com/hook")
    answers["bad_secret"] = await post("setWebhook", url="http://127.0.0.1:9/h", secret_token="a b")
    answers["webhook_info"] = await post("getWebhookInfo")
    return answers


EXPECTED = {
    "bad_name": (400, "Bad Request: BOT_COMMAND_INVALID"),
    "blank_description": (400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"),
    "too_many": (400, "Bad Request: too many commands specified"),
    "scope_without_chat": (
        400,
        "Bad Request: can't parse BotCommandScope JSON object: chat_id missing",
    ),
    "chat_menu": (200, [{"command": "start", "description": "开始"}]),
    "chat_menu_deleted": (200, []),
    "bad_language": (400, "Bad Request: invalid language code specified"),
    "empty_upload": (400, "Bad Request: file must be non-empty"),
    "not_an_image": (400, "Bad Request: IMAGE_PROCESS_FAILED"),
    "no_photo": (400, "Bad Request: there is no photo in the request"),
    "unknown_file_id": (400, "Bad Request: wrong file identifier/HTTP URL specified"),
    "document": (200, {"file_name": "周报.xlsx", "mime_type": XLSX, "file_size": 9}),
    "document_as_photo": (400, "Bad Request: type of file mismatch"),
    "photo_size": (200, [(1, 1)]),
    "get_unknown_file": (400, "Bad Request: invalid file_id"),
    "same_text": (
        400,
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message",
    ),
    "caption_of_text": (400, "Bad Request: there is no caption in the message to edit"),
    "no_message_id": (400, "Bad Request: message identifier is not specified"),
    "edit_unknown": (400, "Bad Request: message to edit not found"),
    "edited_caption": (200, ("新说明", False)),
    "delete": (200, True),
    "delete_again": (400, "Bad Request: message to delete not found"),
    "unknown_query": (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    ),
    "bad_action": (400, "Bad Request: wrong parameter action in request"),
    "typing": (200, True),
    "unknown_chat": (400, "Bad Request: chat not found"),
    "bad_secret": (400, "Bad Request: secret token contains unallowed characters"),
}


async def test_the_web_server_and_the_emulator_share_the_rules(township: Township) -> None:
    async with township.server.web.transaction() as session:
        session.add(WebUser(id=USER, first_name="吴", created_at=township.clock.now()))
        session.add(WebChat(id=USER, type="private", title=None, last_message_id=0))
    async with BotApiEmulator() as emu:
        emu.add_bot(TOKEN)
        emu.add_user(USER, "吴")
        on_emulator = await scenario(poster(emu.base_url.removesuffix("/bot")))
    on_web = await scenario(poster(township.server.url))
    assert on_web == on_emulator
    for name, expected in EXPECTED.items():
        assert on_web[name] == expected, name
