"""The members' side: the chat's JSON API (sign-in pages: `bot.web.signin`)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

import tornado.web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import models
from bot.core.models import WebCallback, WebChat, WebFile, WebMessage, WebUser
from bot.web import auth, nudges, signin, store
from bot.web.botapi.rules import ApiError, image_size
from bot.web.methods import commands_for
from bot.web.server import POLL_LIMIT, Base, origin, same_origin

HISTORY = 200
TEXT_LIMIT = 4096


class Member(Base):
    """A request from a member's browser: a valid session, and the CSRF header on changes."""

    signed: auth.Signed

    async def prepare(self) -> None:
        token = self.get_cookie(auth.COOKIE)
        now = self.web.clock.now()
        async with self.web.transaction() as session:
            signed = await auth.signed_in(session, token, now, self.web.channel.session_days)
        if signed is None:
            self.send_json(401, {"ok": False, "error": "signed_out"})
            return
        if self.request.method not in ("GET", "HEAD") and not (
            same_origin(self)
            and auth.csrf_ok(token or "", self.request.headers.get(auth.CSRF_HEADER))
        ):
            self.send_json(403, {"ok": False, "error": "csrf"})
            return
        self.signed = signed

    async def chat(self, session: AsyncSession, chat_id: str) -> WebChat:
        """One of the member's own chats; any other is answered as if it did not exist."""
        try:
            wanted = int(chat_id)
        except ValueError:
            raise tornado.web.HTTPError(404) from None
        for chat in await store.visible_chats(session, self.signed.user.id):
            if chat.id == wanted:
                return chat
        raise tornado.web.HTTPError(404)

    def body(self) -> dict[str, Any]:
        try:
            value = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        if not isinstance(value, dict):
            raise tornado.web.HTTPError(400)
        return value


class Me(Member):
    async def get(self) -> None:
        token = self.get_cookie(auth.COOKIE) or ""
        async with self.web.transaction() as session:
            chats = await store.visible_chats(session, self.signed.user.id)
            listed = [
                {
                    "id": c.id,
                    "type": c.type,
                    "title": c.title or self.web.channel.bot_name,
                    "commands": await commands_for(session, c),
                }
                for c in chats
            ]
            language = await _language(session, self.signed.user.id)
        signed = self.signed.user
        user = {"id": signed.id, "name": signed.first_name, "mobile": signed.mobile}
        self.send_json(
            200,
            {
                "user": user,
                "csrf": auth.csrf_token(token),
                "chats": listed,
                "language": language,
            },
        )


def _view(row: WebMessage) -> dict[str, Any]:
    data = row.data
    view: dict[str, Any] = {
        "id": row.message_id,
        "from_bot": row.from_bot,
        "date": data.get("date"),
        "text": data.get("text", data.get("caption", "")),
        "entities": data.get("entities", data.get("caption_entities", [])),
        "edited": "edit_date" in data,
        "buttons": [
            [
                {"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                for b in line
            ]
            for line in (data.get("reply_markup") or {}).get("inline_keyboard", [])
        ],
    }
    if "document" in data:
        document = data["document"]
        view["document"] = {
            "file_id": document["file_id"],
            "name": document.get("file_name") or "文件",
            "size": document.get("file_size"),
        }
    if "photo" in data:
        view["photo"] = {"file_id": data["photo"][-1]["file_id"]}
    if "location" in data:
        view["location"] = data["location"]
    return view


async def _history(session: AsyncSession, chat_id: int) -> list[WebMessage]:
    rows = await session.scalars(
        select(WebMessage)
        .where(WebMessage.chat_id == chat_id)
        .order_by(WebMessage.message_id.desc())
        .limit(HISTORY)
    )
    return list(reversed(list(rows)))


def _keyboard(rows: list[WebMessage]) -> list[list[dict[str, Any]]] | None:
    """The reply keyboard the bot set last (None once it removed it)."""
    for row in reversed(rows):
        if row.from_bot and row.keyboard is not None:
            if "keyboard" not in row.keyboard:
                return None
            return [
                [
                    {"text": b, "location": False}
                    if isinstance(b, str)
                    else {
                        "text": str(b.get("text", "")),
                        "location": bool(b.get("request_location")),
                    }
                    for b in line
                ]
                for line in row.keyboard["keyboard"]
            ]
    return None


async def _language(session: AsyncSession, user_id: int) -> str:
    language = await session.scalar(
        select(models.Member.language).where(models.Member.telegram_user_id == user_id)
    )
    return "en" if language == "en" else "zh_CN"


async def _profile(session: AsyncSession, user_id: int, chat: WebChat) -> str:
    """What the page shows besides the messages (its language, the member's chats, this
    chat's command menu): when it changes the page reads /api/me again."""
    chats = [c.id for c in await store.visible_chats(session, user_id)]
    menu = await commands_for(session, chat)
    seen = json.dumps([await _language(session, user_id), chats, menu], ensure_ascii=False)
    return hashlib.sha256(seen.encode()).hexdigest()[:12]


class Messages(Member):
    async def get(self, chat_id: str) -> None:
        """The chat's last messages; with `known`, waits until they differ from it."""
        known = self.get_argument("known", "")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(self.get_argument("wait", "0") or 0), POLL_LIMIT)
        while True:
            async with self.web.transaction() as session:
                chat = await self.chat(session, chat_id)
                rows = await _history(session, chat.id)
                user = await session.get(WebUser, self.signed.user.id)
                if user is not None:
                    await nudges.page_seen(session, user, self.web.clock.now())
                profile = await _profile(session, self.signed.user.id, chat)
            shown = ",".join(f"{r.message_id}.{r.revision}" for r in rows if not r.deleted)
            version = f"{profile}:{shown}"
            left = deadline - loop.time()
            if version != known or left <= 0:
                break
            await self.web.chats.wait(min(left, 1.0))
        messages = [_view(r) for r in rows if not r.deleted]
        self.send_json(200, {"version": version, "messages": messages, "keyboard": _keyboard(rows)})

    async def post(self, chat_id: str) -> None:
        """A message the member typed. The page sends each with its own `key` and sends it
        again while it has no answer (offline, a lost answer): a repeat is not a second one."""
        body = self.body()
        text = str(body.get("text", "")).strip()
        if not text or len(text) > TEXT_LIMIT:
            self.send_json(400, {"ok": False, "error": "text", "limit": TEXT_LIMIT})
            return
        key = str(body.get("key", ""))
        if key and not re.fullmatch(r"[A-Za-z0-9-]{8,64}", key):
            self.send_json(400, {"ok": False, "error": "key"})
            return
        now = self.web.clock.now()
        async with self.web.transaction() as session:
            chat = await self.chat(session, chat_id)
            held = f"page:{self.signed.user.id}:{key}"
            sent = hashlib.sha256(held.encode()).hexdigest() if key else ""
            earlier = await store.first_answer(session, sent, "memberText", now) if key else None
            if earlier is not None and earlier.result is not None:
                self.send_json(200, {"ok": True, "id": earlier.result["id"]})
                return
            row = await store.member_message(session, self.signed.user, chat, now, text=text)
            message_id = row.message_id
            if key:
                await store.answered(session, sent, {"id": message_id})
        self.web.updates.notify()
        self.web.chats.notify()
        self.send_json(200, {"ok": True, "id": message_id})


class Location(Member):
    """The browser's position, shared by the member (a visit's place)."""

    async def post(self, chat_id: str) -> None:
        body = self.body()
        try:
            lat, lon = float(body["latitude"]), float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            lat = lon = float("nan")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.send_json(400, {"ok": False, "error": "location"})
            return
        async with self.web.transaction() as session:
            chat = await self.chat(session, chat_id)
            await store.member_message(
                session, self.signed.user, chat, self.web.clock.now(), location=(lat, lon)
            )
        self.web.updates.notify()
        self.web.chats.notify()
        self.send_json(200, {"ok": True})


class Upload(Member):
    async def post(self, chat_id: str) -> None:
        uploads = self.request.files.get("file") or []
        if len(uploads) != 1 or not uploads[0].body:
            self.send_json(400, {"ok": False, "error": "file"})
            return
        upload = uploads[0]
        if len(upload.body) > self.web.channel.upload_max_bytes:
            self.send_json(413, {"ok": False, "error": "too_large"})
            return
        photo = upload.content_type in ("image/jpeg", "image/png")
        now = self.web.clock.now()
        name = upload.filename[:255] or "文件"
        async with self.web.transaction() as session:
            chat = await self.chat(session, chat_id)
            if photo and image_size(upload.body) is None:
                photo = False
            kind = "photo" if photo else "document"
            record = store.store_file(
                session, kind, upload.body, now, None if photo else name, upload.content_type
            )
            caption = self.get_body_argument("caption", "")[:1024] or None
            await store.member_message(
                session, self.signed.user, chat, now, file=record, caption=caption
            )
        self.web.updates.notify()
        self.web.chats.notify()
        self.send_json(200, {"ok": True})


class Press(Member):
    async def post(self, chat_id: str) -> None:
        body = self.body()
        async with self.web.transaction() as session:
            chat = await self.chat(session, chat_id)
            row = await session.get(WebMessage, (chat.id, int(body.get("message_id") or 0)))
            if row is None or row.deleted or not row.from_bot:
                self.send_json(400, {"ok": False, "error": "message"})
                return
            try:
                query_id = await store.press(
                    session, self.signed.user, row, str(body.get("data", "")), self.web.clock.now()
                )
            except ApiError:
                self.send_json(400, {"ok": False, "error": "button"})
                return
        self.web.updates.notify()
        self.send_json(200, {"ok": True, "query": query_id})


class Answer(Member):
    async def get(self, query_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(self.get_argument("wait", "0") or 0), POLL_LIMIT)
        while True:
            async with self.web.transaction() as session:
                row = await session.get(WebCallback, query_id)
            if row is None or row.user_id != self.signed.user.id:
                raise tornado.web.HTTPError(404)
            left = deadline - loop.time()
            if row.answer is not None or left <= 0:
                break
            await self.web.chats.wait(min(left, 1.0))
        self.send_json(200, {"answer": row.answer})


class Download(Member):
    async def get(self, file_id: str) -> None:
        async with self.web.transaction() as session:
            visible = [c.id for c in await store.visible_chats(session, self.signed.user.id)]
            seen = await session.scalar(
                select(WebMessage.chat_id).where(
                    WebMessage.file_id == file_id,
                    WebMessage.chat_id.in_(visible),
                    WebMessage.deleted.is_(False),
                )
            )
            record = await session.get(WebFile, file_id) if seen is not None else None
            if record is None:
                raise tornado.web.HTTPError(404)
            data, mime, name, kind = record.data, record.mime_type, record.file_name, record.kind
        inline = kind == "photo"
        self.set_header(
            "Content-Type", "image/jpeg" if inline else mime or "application/octet-stream"
        )
        if not inline:
            self.set_header(
                "Content-Disposition", f"attachment; filename*=UTF-8''{quote(name or 'file')}"
            )
        self.set_header("Cache-Control", "private, no-store")
        self.finish(data)


class SignOut(Member):
    async def post(self) -> None:
        async with self.web.transaction() as session:
            await auth.revoke(
                session, self.signed.user.id, self.signed.session_id, self.web.clock.now()
            )
        self.clear_cookie(auth.COOKIE, path="/")
        self.send_json(200, {"ok": True})


class Mobile(Member):
    """The mobile number the member chooses to give for group-robot @mentions ("" removes it)."""

    async def post(self) -> None:
        mobile = str(self.body().get("mobile", "")).strip()
        if mobile and not re.fullmatch(r"1[0-9]{10}", mobile):
            self.send_json(400, {"ok": False, "error": "mobile"})
            return
        async with self.web.transaction() as session:
            user = await session.get(WebUser, self.signed.user.id)
            assert user is not None
            user.mobile = mobile or None
        self.send_json(200, {"ok": True})


class DeviceLink(Member):
    async def post(self) -> None:
        async with self.web.transaction() as session:
            code = await auth.new_device_link(session, self.signed.user.id, self.web.clock.now())
        minutes = int(auth.DEVICE_LINK_VALID.total_seconds() // 60)
        self.send_json(200, {"link": f"{origin(self)}/device/{code}", "minutes": minutes})


def routes(args: dict[str, Any]) -> list[Any]:
    return [
        *signin.routes(args),
        (r"/api/me", Me, args),
        (r"/api/devices/link", DeviceLink, args),
        (r"/api/me/mobile", Mobile, args),
        (r"/api/signout", SignOut, args),
        (r"/api/chats/(-?[0-9]{1,20})/messages", Messages, args),
        (r"/api/chats/(-?[0-9]{1,20})/files", Upload, args),
        (r"/api/chats/(-?[0-9]{1,20})/location", Location, args),
        (r"/api/chats/(-?[0-9]{1,20})/press", Press, args),
        (r"/api/answers/([0-9a-f]{1,32})", Answer, args),
        (r"/api/files/([A-Za-z0-9]{1,64})", Download, args),
    ]
