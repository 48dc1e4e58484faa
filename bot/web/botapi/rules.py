"""The Bot API's rules, shared by the township's web server (`bot.web`) and the emulator
(`devkit.emulator`): request parameters, text and caption limits after entity parsing,
Telegram's HTML subset, keyboards and their 1-64-byte callback data."""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.web.botapi.formatting import EntityParseError, parse_text, strip_text, utf16_len

JSON = dict[str, Any]
TEXT_LENGTH = 4096
CAPTION_LENGTH = 1024
CALLBACK_DATA_BYTES = 64


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


# An edit that changes nothing.
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


@dataclass
class Upload:
    filename: str | None
    data: bytes
    content_type: str | None


class Params:
    """Request parameters from any encoding; form values are strings, JSON values native."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values = {k: v for k, v in values.items() if v is not None}
        self.files = files

    def has(self, name: str) -> bool:
        return name in self.values and self.values[name] != ""

    def string(self, name: str) -> str | None:
        if not self.has(name):
            return None
        value = self.values[name]
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str) -> int | None:
        if not self.has(name):
            return None
        value = self.values[name]
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        if not self.has(name):
            return None
        try:
            return float(self.values[name])
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str, error: str) -> Any:
        if not self.has(name):
            return None
        value = self.values[name]
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def file(self, name: str) -> Upload | str | None:
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.files.get(value[len("attach://") :])
        if name in self.files:
            return self.files[name]
        return value if isinstance(value, str) and value else None


def explicit_entities(p: Params, name: str) -> list[JSON] | None:
    raw = p.json(name, "can't parse entities JSON object")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and isinstance(e.get("offset"), int)
        and isinstance(e.get("length"), int)
        for e in raw
    ):
        raise bad_request("can't parse entities JSON object")
    return [dict(e) for e in raw]


def formatted(
    p: Params, key: str, entities_key: str, limit: int, *, caption: bool
) -> tuple[str, list[JSON], str | None]:
    """Return (plain text, entities, source) for a text or caption parameter."""
    source = p.string(key) or ""
    explicit = explicit_entities(p, entities_key)
    try:
        if explicit is not None:
            text, entities = strip_text(source, explicit)
        else:
            text, entities = parse_text(source, p.string("parse_mode"))
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    except ValueError:
        raise bad_request(f'unsupported parse_mode "{p.string("parse_mode")}"') from None
    if not caption and not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return text, entities, source if source else None


_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)


def valid_url(url: str) -> bool:
    if not url or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        return "." in host and not host.startswith(".") and not host.endswith(".")
    return parts.scheme in ("tg", "ton") and bool(parts.netloc)


def inline_keyboard(markup: JSON, limit: int) -> JSON:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    clean_rows: list[list[JSON]] = []
    for row in rows:
        clean: list[JSON] = []
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            text = button.get("text")
            if not isinstance(text, str):
                raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
            if not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            actions = [a for a in _BUTTON_ACTIONS if button.get(a) is not None]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= limit:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in actions and not (
                isinstance(button["url"], str) and valid_url(button["url"])
            ):
                raise bad_request("BUTTON_URL_INVALID")
            clean.append({k: v for k, v in button.items() if v is not None})
        clean_rows.append(clean)
    if sum(len(row) for row in clean_rows) > 100:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    return {"inline_keyboard": clean_rows}


def reply_markup(
    p: Params, callback_data_bytes: int = CALLBACK_DATA_BYTES, *, inline_only: bool = False
) -> JSON | None:
    markup = p.json("reply_markup", "can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return inline_keyboard(markup, callback_data_bytes)
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                text = (
                    button
                    if isinstance(button, str)
                    else (button.get("text") if isinstance(button, dict) else None)
                )
                if not isinstance(text, str) or not text.strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
        placeholder = markup.get("input_field_placeholder")
        if placeholder is not None and len(str(placeholder)) > 64:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return dict(markup)
    if "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return dict(markup)
    if "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return dict(markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def text_fields(text: str, entities: list[JSON], key: str = "text") -> JSON:
    fields: JSON = {key: text}
    if entities:
        fields["entities" if key == "text" else "caption_entities"] = entities
    return fields


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/GIF/JPEG/WEBP/BMP image, or None if it is not an image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + length
        return 100, 100
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 100, 100
    if data.startswith(b"BM") and len(data) >= 26:
        w, h = struct.unpack("<ii", data[18:26])
        return abs(int(w)), abs(int(h))
    return None


def language_code(p: Params) -> str:
    """The ``language_code`` of a command menu: empty or two lower-case letters."""
    language = p.string("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return language
