"""The web chat's own page (`bot/web/static`) in demo mode: the chat's JSON API answered from
the sandbox's emulator, as whichever person the demo bar acts as, plus what the demo bar
needs (the people, the clock's targets, the villages' points).

The person is a cookie (`demo_person`); changes need the header the page always sends
(`X-CSRF-Token: demo`), which a page on another site cannot set."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

import tornado.web
from sqlalchemy import select

from bot.core.models import Member
from devkit.sample import GROUP_CHAT_ID, GROUP_TITLE, PEOPLE, TOWNSHIP_CODE
from devkit.sandbox.runtime import SandboxError
from devkit.sandbox.server import LONG_POLL_SECONDS, _Base
from devkit.sandbox.snapshot import chat_json, command_menu, reply_keyboard
from devkit.sandbox.world import BOT_NAME, NEWCOMER, SANDBOX_TOKEN

PERSON_COOKIE = "demo_person"
LINK = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+")
CSRF = "demo"


class _Acting(_Base):
    """A request of the web chat's page, as the person the demo acts as."""

    person: int

    def prepare(self) -> None:
        super().prepare()
        known = {p.id for p in self.sandbox.people}
        try:
            person = int(self.get_cookie(PERSON_COOKIE) or PEOPLE[0].telegram_user_id)
        except ValueError:
            person = PEOPLE[0].telegram_user_id
        self.person = person if person in known else PEOPLE[0].telegram_user_id
        if self.request.method == "POST" and self.request.headers.get("X-CSRF-Token") != CSRF:
            raise tornado.web.HTTPError(403, reason="csrf")

    async def chats(self) -> list[dict[str, Any]]:
        """The private chat, and the township group for its members."""
        private = {
            "id": self.person,
            "type": "private",
            "title": BOT_NAME,
            "commands": command_menu(self.sandbox.emu.bot(SANDBOX_TOKEN), self.person),
        }
        roles = await self.sandbox.roles()
        keys, active = roles.get(self.person, ([], False))
        if not keys or not active:
            return [private]
        group = {"id": GROUP_CHAT_ID, "type": "supergroup", "title": GROUP_TITLE, "commands": []}
        return [private, group]

    async def language(self) -> str:
        """The acting person's language, for the page's own words."""
        async with self.sandbox.svc.transaction() as session:
            language = await session.scalar(
                select(Member.language).where(Member.telegram_user_id == self.person)
            )
        return "en" if language == "en" else "zh_CN"

    async def profile(self) -> str:
        """What the page shows besides the messages (language, chats, menus): when it
        changes the page reads /api/me again."""
        seen = json.dumps([await self.language(), await self.chats()], ensure_ascii=False)
        return hashlib.sha256(seen.encode()).hexdigest()[:12]

    async def chat_id(self, chat: str) -> int:
        wanted = int(chat)
        if wanted not in {c["id"] for c in await self.chats()}:
            raise tornado.web.HTTPError(404, reason="Not Found")
        return wanted

    async def run(self, action: Any) -> Any:
        try:
            return await action
        except SandboxError as exc:
            raise tornado.web.HTTPError(400, reason=str(exc)) from None


class Me(_Acting):
    async def get(self) -> None:
        person = next(p for p in self.sandbox.people if p.id == self.person)
        user = {"id": person.id, "name": person.name, "mobile": None}
        self.send_json(
            {
                "user": user,
                "csrf": CSRF,
                "chats": await self.chats(),
                "language": await self.language(),
                "demo": True,
            }
        )


class Push(_Acting):
    """The demo has no push service: the page shows no reminder button."""

    def get(self) -> None:
        self.send_json({"available": False})


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _links(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Links in the text become `url` entities, as Telegram's clients show them (an
    invitation link is tapped to open it)."""
    added = list(entities)
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities]
    for found in LINK.finditer(text):
        start = _utf16(text[: found.start()])
        end = start + _utf16(found.group(0))
        if all(end <= a or start >= b for a, b in taken):
            added.append({"type": "url", "offset": start, "length": end - start})
    return added


def _view(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the web chat's page reads it (see `bot.web.chat`)."""
    view: dict[str, Any] = {
        key: message[key] for key in ("id", "from_bot", "date", "text", "edited")
    }
    view["entities"] = _links(message["text"], message["entities"])
    view["buttons"] = [
        [{"text": b["text"], "data": b.get("data"), "url": b.get("url")} for b in row]
        for row in message["buttons"]
    ]
    record = message.get("file")
    if record is not None and record["kind"] == "photo":
        view["photo"] = {"file_id": record["id"]}
    elif record is not None:
        view["document"] = {"file_id": record["id"], "name": record["name"], "size": record["size"]}
    place = message.get("location")
    if place is not None:
        view["location"] = {"latitude": place["lat"], "longitude": place["lon"]}
        view["text"] = view["text"] or f"📍 {place['label']}"
    return view


class Messages(_Acting):
    def _payload(self, chat_id: int) -> dict[str, Any]:
        sandbox = self.sandbox
        assert sandbox.settings is not None
        tz = sandbox.settings.township_tz(TOWNSHIP_CODE)
        chat = chat_json(sandbox.emu, sandbox.location_choices(), chat_id, tz)
        shown = [m for m in chat["messages"] if not m["deleted"]]
        version = f"{sandbox.epoch}:" + ",".join(f"{m['id']}.{m['version']}" for m in shown)
        keyboard = reply_keyboard(
            list(sandbox.emu.bot(SANDBOX_TOKEN).chats[chat_id].all_messages.values())
            if chat_id in sandbox.emu.bot(SANDBOX_TOKEN).chats
            else []
        )
        rows = None
        if keyboard is not None:
            rows = [
                [{"text": b["text"], "location": b["request_location"]} for b in row]
                for row in keyboard["rows"]
            ]
        return {"version": version, "messages": [_view(m) for m in shown], "keyboard": rows}

    async def get(self, chat: str) -> None:
        """The chat; with `known`, waits until it differs from that version."""
        chat_id = await self.chat_id(chat)
        known = self.get_query_argument("known", "")
        try:
            wait = min(float(self.get_query_argument("wait", "0") or 0), LONG_POLL_SECONDS)
        except ValueError:
            raise tornado.web.HTTPError(400, reason="wait is a number") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            cursor = self.sandbox.cursor
            payload = self._payload(chat_id)
            payload["version"] = f"{await self.profile()}|{payload['version']}"
            left = deadline - loop.time()
            ended = self.disconnected.is_set() or self.sandbox.closing.is_set()
            if payload["version"] != known or left <= 0 or ended:
                break
            await self.sandbox.wait_change(cursor, left, self.disconnected)
        if not self.disconnected.is_set():
            self.send_json(payload)

    async def post(self, chat: str) -> None:
        chat_id = await self.chat_id(chat)
        text = self.body().get("text")
        if not isinstance(text, str):
            raise tornado.web.HTTPError(400, reason="text must be a string")
        await self.run(self.sandbox.send_text(self.person, text, chat_id))
        self.send_json({"ok": True})


class Press(_Acting):
    async def post(self, chat: str) -> None:
        chat_id = await self.chat_id(chat)
        body = self.body()
        message, data = self.integer(body, "message_id"), body.get("data")
        if not isinstance(data, str):
            raise tornado.web.HTTPError(400, reason="data must be a string")
        assert message is not None
        query = await self.run(self.sandbox.press(self.person, chat_id, message, data))
        self.send_json({"ok": True, "query": query})


class Answer(_Acting):
    async def get(self, query: str) -> None:
        record = self.sandbox.emu.bot(SANDBOX_TOKEN).callback_queries.get(query)
        if record is None or record.user_id != self.person:
            raise tornado.web.HTTPError(404, reason="Not Found")
        try:
            wait = min(float(self.get_query_argument("wait", "0") or 0), LONG_POLL_SECONDS)
        except ValueError:
            raise tornado.web.HTTPError(400, reason="wait is a number") from None
        user = self.sandbox.emu.user(self.person, SANDBOX_TOKEN)
        try:
            answer = await user.callback_answer(query, timeout=wait)
        except TimeoutError:
            self.send_json({"answer": None})
            return
        self.send_json({"answer": {"text": answer.text, "show_alert": answer.show_alert}})


class Location(_Acting):
    async def post(self, chat: str) -> None:
        if await self.chat_id(chat) != self.person:
            raise tornado.web.HTTPError(400, reason="a location goes to the private chat")
        body = self.body()
        lat, lon = self.number(body, "latitude"), self.number(body, "longitude")
        await self.run(self.sandbox.share_location(self.person, lat=lat, lon=lon))
        self.send_json({"ok": True})


class Upload(_Acting):
    """A file from the page: the sandbox sends one of its generated photos in its place."""

    async def post(self, chat: str) -> None:
        if await self.chat_id(chat) != self.person:
            raise tornado.web.HTTPError(400, reason="files go to the private chat")
        caption = self.get_body_argument("caption", "") or None
        await self.run(self.sandbox.send_photo(self.person, caption))
        self.send_json({"ok": True})


class File(_Acting):
    def get(self, file_id: str) -> None:
        try:
            data, mime, name, kind = self.sandbox.file(file_id)
        except SandboxError:
            raise tornado.web.HTTPError(404, reason="Not Found") from None
        self.set_header("Content-Type", mime)
        self.set_header(
            "Content-Security-Policy",
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        )
        if kind != "photo":
            self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}")
        self.finish(data)


class Demo(_Acting):
    """What the demo bar shows: who the page acts as, everyone, the clock, the places."""

    async def get(self) -> None:
        state = await self.sandbox.demo_state()
        self.send_json({**state, "acting": self.person, "newcomer": NEWCOMER[0]})


class Act(_Acting):
    """Act as another person: the page reloads as them."""

    def post(self) -> None:
        person = self.integer(self.body(), "person")
        if person not in {p.id for p in self.sandbox.people}:
            raise tornado.web.HTTPError(400, reason="unknown person")
        self.set_cookie(PERSON_COOKIE, str(person), path="/", httponly=True, samesite="Strict")
        self.send_json({"ok": True})


def routes(args: dict[str, Any]) -> list[Any]:
    return [
        (r"/api/me", Me, args),
        (r"/api/push", Push, args),
        (r"/api/demo", Demo, args),
        (r"/api/demo/act", Act, args),
        (r"/api/chats/(-?[0-9]{1,20})/messages", Messages, args),
        (r"/api/chats/(-?[0-9]{1,20})/press", Press, args),
        (r"/api/chats/(-?[0-9]{1,20})/location", Location, args),
        (r"/api/chats/(-?[0-9]{1,20})/files", Upload, args),
        (r"/api/answers/([0-9]{1,32})", Answer, args),
        (r"/api/files/([A-Za-z0-9_-]{1,64})", File, args),
    ]
