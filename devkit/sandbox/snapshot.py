"""What the page shows of a chat, read from the emulator's records as JSON-ready data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.web.botapi import core
from devkit.emulator import BotApiEmulator, ChatMessage
from devkit.emulator.core import BotState
from devkit.sandbox.world import SANDBOX_TOKEN, distance_m

Places = list[dict[str, Any]]


def place_label(places: Places, lat: float, lon: float) -> str:
    best: tuple[float, str] | None = None
    for place in places[:-1]:
        d = distance_m(lat, lon, place["lat"], place["lon"])
        if d <= place["radius_m"] and (best is None or d < best[0]):
            best = (d, place["label"])
    return f"{best[1]}附近" if best else "不在任何村的范围内"


def file_json(emu: BotApiEmulator, message: ChatMessage) -> dict[str, Any] | None:
    record = message.file
    if record is None:  # a person's upload: the message JSON names the stored file
        data = message.data
        sizes = data.get("photo")
        ref = sizes[-1] if isinstance(sizes, list) and sizes else data.get("document")
        if isinstance(ref, dict):
            record = emu.files.get(str(ref.get("file_id")))
    if record is None:
        return None
    name = record.file_name or record.file_path.rsplit("/", 1)[-1]
    return {
        "id": record.file_id,
        "kind": record.kind,
        "name": name,
        "mime": record.mime_type or ("image/png" if record.kind == "photo" else ""),
        "size": record.size,
        "url": f"/files/{record.file_id}",
    }


def message_json(emu: BotApiEmulator, places: Places, m: ChatMessage, tz: Any) -> dict[str, Any]:
    data = m.data
    sender = data.get("from") or {}
    out: dict[str, Any] = {
        "id": m.message_id,
        "from_bot": m.from_bot,
        "from_id": sender.get("id"),
        "from_name": " ".join(x for x in (sender.get("first_name"), sender.get("last_name")) if x),
        "date": datetime.fromtimestamp(int(data.get("date", 0)), tz).isoformat(),
        "text": m.text or "",
        "entities": m.entities,
        "version": m.version,
        "edited": m.edited,
        "deleted": m.deleted,
        "buttons": [
            [
                {
                    "text": b.get("text", ""),
                    **({"data": b["callback_data"]} if "callback_data" in b else {}),
                    **({"url": b["url"]} if "url" in b else {}),
                }
                for b in row
            ]
            for row in m.inline_keyboard
        ],
        "file": file_json(emu, m),
    }
    location = data.get("location")
    if isinstance(location, dict):
        lat, lon = float(location["latitude"]), float(location["longitude"])
        out["location"] = {"lat": lat, "lon": lon, "label": place_label(places, lat, lon)}
    for kind in ("sticker", "voice"):
        if kind in data:
            out["text"] = (
                out["text"] or {"sticker": data[kind].get("emoji", "🙂"), "voice": "🎤"}[kind]
            )
    return out


def reply_keyboard(messages: list[ChatMessage]) -> dict[str, Any] | None:
    """The reply keyboard the user currently sees (None when hidden or removed)."""
    for index in range(len(messages) - 1, -1, -1):
        m = messages[index]
        if not m.from_bot or not m.markup:
            continue
        if m.markup.get("remove_keyboard"):
            return None
        if "keyboard" not in m.markup:
            continue
        used = any(not later.from_bot for later in messages[index + 1 :])
        if m.markup.get("one_time_keyboard") and used:
            return None
        rows = [
            [
                {"text": b, "request_location": False}
                if isinstance(b, str)
                else {
                    "text": b.get("text", ""),
                    "request_location": bool(b.get("request_location")),
                }
                for b in row
            ]
            for row in m.markup["keyboard"]
        ]
        return {"rows": rows, "placeholder": m.markup.get("input_field_placeholder") or ""}
    return None


def command_menu(bot: BotState, user_id: int) -> list[dict[str, str]]:
    """The command menu Telegram would show in this private chat (scope fallback)."""
    return core.command_menu(
        user_id, True, lambda scope, language: bot.commands.get((*scope, language))
    )


def chat_json(emu: BotApiEmulator, places: Places, chat_id: int, tz: Any) -> dict[str, Any]:
    chat = emu.bot(SANDBOX_TOKEN).chats.get(chat_id)
    messages = list(chat.all_messages.values()) if chat else []
    answer = None
    if chat_id > 0:
        last = emu.user(chat_id, SANDBOX_TOKEN).last_callback_answer
        if last is not None:
            answer = {"id": last.query_id, "text": last.text or "", "alert": last.show_alert}
    return {
        "id": chat_id,
        "messages": [message_json(emu, places, m.snapshot(), tz) for m in messages],
        "reply_keyboard": reply_keyboard(messages),
        "commands": command_menu(emu.bot(SANDBOX_TOKEN), chat_id) if chat_id > 0 else [],
        "callback_answer": answer,
    }
