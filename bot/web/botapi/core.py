"""The Bot API core both servers share, whatever keeps their state (the web channel's database,
the emulator's memory): what a send, an edit, an upload, a command menu, a callback answer and a
webhook request accept, and what they answer. The servers look things up and store them."""

from __future__ import annotations

import json
import mimetypes
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from tornado.httputil import HTTPServerRequest

from bot.core.telegram_request import IDEMPOTENCY_HEADER
from bot.web.botapi.rules import (
    CALLBACK_DATA_BYTES,
    CAPTION_LENGTH,
    JSON,
    NOT_MODIFIED,
    TEXT_LENGTH,
    ApiError,
    Params,
    Upload,
    bad_request,
    formatted,
    image_size,
    language_code,
    reply_markup,
    text_fields,
)

# Update types delivered when allowed_updates was never set (or set to []).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "my_chat_member",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "chat_join_request",
    }
)
DOCUMENT_BYTES = 50 << 20
PHOTO_BYTES = 10 << 20
DOWNLOAD_BYTES = 20 << 20


class Limits(Protocol):
    """Telegram's limits; the emulator lets a test lower them."""

    @property
    def text_length(self) -> int: ...
    @property
    def caption_length(self) -> int: ...
    @property
    def callback_data_bytes(self) -> int: ...


@dataclass(frozen=True)
class TelegramLimits:
    text_length: int = TEXT_LENGTH
    caption_length: int = CAPTION_LENGTH
    callback_data_bytes: int = CALLBACK_DATA_BYTES


TELEGRAM = TelegramLimits()


def request_params(request: HTTPServerRequest) -> Params:
    """A Bot API request's parameters: the query string, then a JSON body or a form (with
    uploads)."""
    values: dict[str, Any] = {
        k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()
    }
    files: dict[str, Upload] = {}
    if request.headers.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        values.update(body)
    else:
        for key, raw in request.body_arguments.items():
            values[key] = raw[-1].decode("utf-8", "replace")
        for key, uploads in request.files.items():
            upload = uploads[-1]
            files[key] = Upload(upload.filename or None, upload.body, upload.content_type)
    return Params(values, files)


# --- idempotency keys --------------------------------------------------------------------------

# How long a server remembers what it answered a key: longer than the bot tries a send again.
KEEP_ANSWERS = timedelta(days=7)
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def idempotency_key(request: HTTPServerRequest) -> str | None:
    """The request's idempotency key (`bot.core.telegram_request.keyed`), if it has one: a
    request with a key the server has seen is answered as the first one was, not performed."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise bad_request("wrong idempotency key")
    return key


def repeated(method: str, first_method: str, first_answer: Any) -> Any:
    """The answer to a repeated key: the first request's, if it was the same method."""
    if method.lower() != first_method:
        raise bad_request("idempotency key was used with another method")
    return first_answer


# --- sends and edits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """A message's text or caption as a request gives it: the fields of the Message object,
    the source as sent and its parse_mode (a page shows the source only when it is HTML)."""

    fields: JSON
    source: str | None
    parse_mode: str | None

    @property
    def html(self) -> str | None:
        return self.source if (self.parse_mode or "").lower() == "html" else None


def message_text(p: Params, limits: Limits, *, edit: bool = False) -> Content:
    text, entities, source = formatted(p, "text", "entities", limits.text_length, caption=False)
    fields = text_fields(text, entities)
    preview = p.json("link_preview_options", "can't parse link preview options JSON object")
    if isinstance(preview, dict) and preview:
        fields["link_preview_options"] = preview
    elif not edit and p.flag("disable_web_page_preview"):
        fields["link_preview_options"] = {"is_disabled": True}
    return Content(fields, source, p.string("parse_mode"))


def message_caption(p: Params, limits: Limits) -> Content:
    caption, entities, source = formatted(
        p, "caption", "caption_entities", limits.caption_length, caption=True
    )
    fields = text_fields(caption, entities, "caption") if caption else {}
    return Content(fields, source, p.string("parse_mode"))


def send_markup(p: Params, limits: Limits) -> JSON | None:
    return reply_markup(p, limits.callback_data_bytes)


class Stored(Protocol):
    @property
    def data(self) -> JSON: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def from_bot(self) -> bool: ...


M = TypeVar("M", bound=Stored)


def chat_id(p: Params, name: str = "chat_id") -> int:
    """The chat a method names (whether it exists is for the server to check)."""
    if not p.has(name):
        raise bad_request(f"{name} is empty")
    try:
        return int(p.values[name])
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None


def message_id(p: Params) -> int:
    number = p.integer("message_id")
    if number is None:
        raise bad_request("message identifier is not specified")
    return number


def editable(message: M | None) -> M:
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def deletable(message: M | None) -> M:
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    return message


@dataclass(frozen=True)
class Edit:
    """An edit request: the keys it replaces, their new values, the new inline keyboard (None
    removes it) and the new text's source (None: the text stays)."""

    replace: frozenset[str]
    fields: JSON
    markup: JSON | None
    content: Content | None


def edit_request(method: str, p: Params, current: JSON, limits: Limits) -> Edit:
    """`editMessageText`, `editMessageCaption` or `editMessageReplyMarkup` of a message whose
    Message object is `current`."""
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported")
    markup = reply_markup(p, limits.callback_data_bytes, inline_only=True)
    if method == "text":
        if "text" not in current:
            raise bad_request("there is no text in the message to edit")
        content = message_text(p, limits, edit=True)
        replace = frozenset({"text", "entities", "link_preview_options"})
    elif method == "caption":
        if "text" in current:
            raise bad_request("there is no caption in the message to edit")
        content = message_caption(p, limits)
        replace = frozenset({"caption", "caption_entities"})
    else:
        return Edit(frozenset(), {}, markup, None)
    return Edit(replace, content.fields, markup, content)


def edited(current: JSON, edit: Edit, date: int) -> JSON:
    """The Message object after the edit; an edit that changes nothing is refused."""
    drop = edit.replace | {"reply_markup", "edit_date"}
    new = {k: v for k, v in current.items() if k not in drop}
    new.update(edit.fields)
    if edit.markup is not None:
        new["reply_markup"] = edit.markup
    if new == {k: v for k, v in current.items() if k != "edit_date"}:
        raise bad_request(NOT_MODIFIED)
    new["edit_date"] = date
    return new


# --- files -------------------------------------------------------------------------------------


class StoredFile(Protocol):
    @property
    def file_id(self) -> str: ...
    @property
    def file_unique_id(self) -> str: ...
    @property
    def file_path(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def file_name(self) -> str | None: ...
    @property
    def mime_type(self) -> str | None: ...
    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...
    @property
    def data(self) -> bytes: ...


F = TypeVar("F", bound=StoredFile)


@dataclass(frozen=True)
class NewFile:
    """An uploaded file that passed the checks, with the identity it is stored under."""

    kind: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_id: str
    file_unique_id: str
    file_path: str
    width: int | None
    height: int | None


_EXTENSIONS = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}


def new_file(
    kind: str, data: bytes, file_name: str | None = None, mime_type: str | None = None
) -> NewFile:
    """A file's identity: a random id and a download path that keeps the name's extension."""
    number = secrets.token_hex(16)
    extension = _EXTENSIONS.get(kind)
    if extension is None:
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1][:10]
    size = image_size(data) if kind == "photo" else None
    return NewFile(
        kind=kind,
        data=data,
        file_name=file_name,
        mime_type=mime_type,
        file_id=f"{kind[:3].upper()}{number}",
        file_unique_id=number[:16],
        file_path=f"{kind}s/file_{number}{extension}",
        width=size[0] if size else None,
        height=size[1] if size else None,
    )


def input_file(p: Params, kind: str) -> str | NewFile:
    """The `document` or `photo` of a send: a file_id to look up, or a checked upload."""
    value = p.file(kind)
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, str):
        return value
    if not value.data:
        raise bad_request("file must be non-empty")
    if kind == "photo":
        if len(value.data) > PHOTO_BYTES:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        if image_size(value.data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        return new_file("photo", value.data)
    if len(value.data) > DOCUMENT_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    mime = value.content_type or mimetypes.guess_type(value.filename or "")[0]
    if mime in (None, "application/octet-stream") and value.filename:
        mime = mimetypes.guess_type(value.filename)[0] or mime
    return new_file(kind, value.data, value.filename or "document", mime)


def reused_file(record: F | None, kind: str) -> F:
    """The stored file a send names by its file_id."""
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if record.kind != kind and kind == "photo":
        raise bad_request("type of file mismatch")
    return record


def file_json(record: StoredFile) -> JSON:
    data: JSON = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.data),
    }
    if record.kind == "photo":
        data.update(width=record.width or 100, height=record.height or 100)
        return data
    if record.file_name:
        data["file_name"] = record.file_name
    if record.mime_type:
        data["mime_type"] = record.mime_type
    return data


def attached(record: StoredFile) -> JSON:
    """The Message fields that carry the file."""
    return {record.kind: [file_json(record)] if record.kind == "photo" else file_json(record)}


def get_file(record: StoredFile | None) -> JSON:
    if record is None:
        raise bad_request("invalid file_id")
    if len(record.data) > DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.data),
        "file_path": record.file_path,
    }


CHAT_ACTIONS = {
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


def chat_action(p: Params) -> str:
    action = p.string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return action


# --- callback answers --------------------------------------------------------------------------

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True)
class Answer:
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


def callback_answer(p: Params, already_answered: bool | None) -> Answer:
    """answerCallbackQuery; `already_answered` is None for a query that does not exist."""
    if already_answered is None or already_answered:
        raise bad_request(QUERY_INVALID)
    text = p.string("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    return Answer(text, p.flag("show_alert"), p.string("url"), p.integer("cache_time") or 0)


# --- command menus -----------------------------------------------------------------------------

Scope = tuple[str, int | None, int | None]
_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def scope_key(scope: JSON) -> Scope:
    kind = scope.get("type", "default")
    chat_id, user_id = scope.get("chat_id"), scope.get("user_id")
    return (
        str(kind),
        int(chat_id) if chat_id is not None else None,
        int(user_id) if user_id is not None else None,
    )


def command_scope(p: Params) -> tuple[Scope, str]:
    """The scope and language of setMyCommands, getMyCommands and deleteMyCommands (whether a
    chat it names exists is for the server to check)."""
    scope = p.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    for name in _SCOPES[str(scope["type"])]:
        if scope.get(name) is None:
            raise bad_request(f"can't parse BotCommandScope JSON object: {name} missing")
    try:
        key = scope_key(scope)
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None
    return key, language_code(p)


def command_list(p: Params) -> list[JSON]:
    """setMyCommands' commands, checked; an empty list deletes the menu."""
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
    return clean


def menu_keys(chat_id: int, private: bool, language: str = "zh") -> Iterator[tuple[Scope, str]]:
    """Where a chat's command menu comes from, first match wins: the chat's own scope, then
    its kind's, then the default; each in the user's language, then for every language."""
    general = "all_private_chats" if private else "all_group_chats"
    for scope in ((("chat", chat_id, None)), (general, None, None), ("default", None, None)):
        for lang in (language, ""):
            yield scope, lang


def command_menu(
    chat_id: int, private: bool, lookup: Callable[[Scope, str], list[JSON] | None]
) -> list[JSON]:
    for scope, language in menu_keys(chat_id, private):
        found = lookup(scope, language)
        if found:
            return [{"command": c["command"], "description": c["description"]} for c in found]
    return []


# --- updates and webhooks ----------------------------------------------------------------------


def webhook_active() -> ApiError:
    """getUpdates while a webhook is set."""
    return ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def allowed_updates(p: Params) -> frozenset[str] | None:
    """The allowed_updates of getUpdates or setWebhook: None keeps the previous choice."""
    allowed = p.json("allowed_updates", "can't parse allowed updates")
    if not isinstance(allowed, list):
        return None
    return frozenset(map(str, allowed)) or DEFAULT_UPDATE_TYPES


def wanted(update: JSON, allowed: frozenset[str] | None) -> bool:
    """An update of a type the bot did not ask for is dropped, as Telegram never creates it."""
    types = allowed or DEFAULT_UPDATE_TYPES
    return any(key in types for key in update if key != "update_id")


@dataclass(frozen=True)
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: frozenset[str] | None
    drop_pending_updates: bool


def webhook_request(p: Params) -> Webhook:
    """setWebhook; an empty url removes the webhook (like deleteWebhook). Plain HTTP is
    accepted: both servers deliver on loopback or a private network."""
    url = p.string("url") or ""
    drop = p.flag("drop_pending_updates")
    if not url:
        return Webhook("", None, 40, None, drop)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.string("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    connections = p.integer("max_connections") or 40
    if not 1 <= connections <= 100:
        raise bad_request("invalid max_connections specified")
    return Webhook(url, secret, connections, allowed_updates(p), drop)


def webhook_headers(secret_token: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if secret_token:
        headers[SECRET_HEADER] = secret_token
    return headers


def delivery_error(status: int | None, exception: BaseException | None = None) -> str | None:
    """getWebhookInfo's last_error_message for one POST (None: delivered)."""
    if exception is not None:
        return f"Connection failed: {exception.__class__.__name__}"
    if status is None or not 200 <= status < 300:
        return f"Wrong response from the webhook: {status}"
    return None


def retry_delays(first: float) -> Iterator[float]:
    """Pauses between attempts at an update the webhook refused: doubling, up to 8 times the
    first."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, first * 8)


def webhook_info(
    url: str,
    pending: int,
    *,
    max_connections: int,
    allowed: frozenset[str] | None,
    last_error_date: int | None,
    last_error_message: str | None,
) -> JSON:
    info: JSON = {"url": url, "has_custom_certificate": False, "pending_update_count": pending}
    if not url:
        return info
    info["max_connections"] = max_connections
    info["ip_address"] = "127.0.0.1"
    if last_error_date is not None:
        info["last_error_date"] = last_error_date
        info["last_error_message"] = last_error_message
    if allowed is not None and allowed != DEFAULT_UPDATE_TYPES:
        info["allowed_updates"] = sorted(allowed)
    return info


def bot_json(user: JSON, *, privacy_mode: bool = True) -> JSON:
    """getMe."""
    return {
        **user,
        "can_join_groups": True,
        "can_read_all_group_messages": not privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
