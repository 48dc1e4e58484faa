"""Channel drivers: the scenarios act as people and read what the bot sent the same way on
both channels. `EmulatorChannel` drives the emulator's users; `WebChannel` drives the web
chat's JSON API as a browser does (session cookie, CSRF header, long polls)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.core.config import Settings
from bot.core.db import members as member_db
from bot.core.models import WebNudge
from bot.core.services import Services
from bot.web import auth
from jobs.scheduler import Scheduler
from tests.conftest import World
from tests.e2e.helpers import NEWCOMER_ID, REPLY_WITHIN, token_from
from tests.web.conftest import Browser, WebWorld
from tests.web.test_nudges import Robot

Buttons = list[list[tuple[str, str | None]]]


@dataclass
class Said:
    """A bot message as its reader sees it, at one version."""

    chat_id: int
    id: int
    text: str
    buttons: Buttons
    document: str | None = None
    version: Any = None

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]


class Channel(Protocol):
    name: str
    clock: ManualClock
    settings: Settings
    member_ids: dict[int, int]
    robot: Robot | None

    @property
    def svc(self) -> Services: ...

    async def start(self, people: list[Any]) -> None:
        """Before the scenario: the people of the sample township can be written to."""

    @property
    def scheduler(self) -> Scheduler: ...

    async def ask(self, user_id: int, text: str, n: int = 1) -> list[Said]:
        """Send a text; the next `n` bot messages of the private chat not yet read."""

    async def replies(self, user_id: int, n: int = 1) -> list[Said]:
        """The next `n` bot messages of the private chat not yet read."""

    async def ask_in_group(self, user_id: int, text: str) -> Said:
        """Send a text in the township's group; the bot's next message there."""

    async def share_location(self, user_id: int, latitude: float, longitude: float) -> Said:
        """Share a position in the private chat; the bot's next message."""

    async def read_all(self, user_id: int) -> None:
        """Mark what arrived as read (the person looks at the chat)."""

    async def press(self, user_id: int, message: Said, label: str) -> Said:
        """Press an inline button; the message once the bot edited it."""

    async def tap(self, user_id: int, message: Said, label: str) -> str | None:
        """Press an inline button; the bot's answer to the press (an alert's text)."""

    async def texts(self, chat_id: int, reader: int | None = None) -> list[str]:
        """Every bot message in a chat, as it is now (`reader`: whose view, on the web)."""

    async def download(self, user_id: int, message: Said) -> bytes: ...

    async def open_invitation(self, link: str, name: str) -> tuple[int, Said]:
        """A newcomer opens the invitation link; their id and the bot's first card."""

    async def group_id(self) -> int: ...

    async def screenshot(self, user_id: int, name: str) -> None:
        """A picture of the person's screen, where the channel has one."""


async def ask1(channel: Channel, user_id: int, text: str) -> Said:
    [reply] = await channel.ask(user_id, text)
    return reply


class EmulatorChannel:
    """Telegram as the emulator plays it."""

    name = "emulator"
    robot: Robot | None = None

    def __init__(self, world: World) -> None:
        self.world = world
        self.clock = world.clock
        self.settings = world.settings
        self.member_ids = world.member_ids
        self._live: dict[tuple[int, int], Any] = {}

    @property
    def svc(self) -> Services:
        return self.world.svc

    @property
    def scheduler(self) -> Scheduler:
        return self.world.scheduler

    async def start(self, people: list[Any]) -> None:
        """Telegram users can always be written to once they started the bot."""

    def _said(self, message: Any) -> Said:
        self._live[(message.chat_id, message.message_id)] = message
        document = message.file.file_name if message.file and "document" in message.data else None
        return Said(
            message.chat_id,
            message.message_id,
            message.text or "",
            message.buttons,
            document,
            message.version,
        )

    async def ask(self, user_id: int, text: str, n: int = 1) -> list[Said]:
        await self.world.user(user_id).send(text)
        return await self.replies(user_id, n)

    async def replies(self, user_id: int, n: int = 1) -> list[Said]:
        found = await self.world.user(user_id).replies(n, timeout=REPLY_WITHIN)
        return [self._said(m) for m in found]

    async def ask_in_group(self, user_id: int, text: str) -> Said:
        group = await self.group_id()
        await self.world.user(user_id).send_in_group(group, text)
        [reply] = await self.world.emu.chat(group).replies(1, timeout=REPLY_WITHIN)
        return self._said(reply)

    async def share_location(self, user_id: int, latitude: float, longitude: float) -> Said:
        await self.world.user(user_id).send_location(latitude, longitude)
        [reply] = await self.replies(user_id)
        return reply

    async def read_all(self, user_id: int) -> None:
        user = self.world.user(user_id)
        if user.unread:
            await user.replies(len(user.unread))

    async def press(self, user_id: int, message: Said, label: str) -> Said:
        user = self.world.user(user_id)
        held = self._live[(message.chat_id, message.id)]
        await user.press(held, label)
        return self._said(await user.wait_edit(held, timeout=REPLY_WITHIN))

    async def tap(self, user_id: int, message: Said, label: str) -> str | None:
        user = self.world.user(user_id)
        query = await user.press(self._live[(message.chat_id, message.id)], label)
        answer = await user.callback_answer(query, timeout=REPLY_WITHIN)
        text: str | None = answer.text
        return text

    async def texts(self, chat_id: int, reader: int | None = None) -> list[str]:
        return [m.text or "" for m in self.world.emu.chat(chat_id).messages if not m.deleted]

    async def download(self, user_id: int, message: Said) -> bytes:
        data: bytes = await self.world.user(user_id).download(
            self._live[(message.chat_id, message.id)]
        )
        return data

    async def open_invitation(self, link: str, name: str) -> tuple[int, Said]:
        self.world.emu.add_user(NEWCOMER_ID, name)
        [card] = await self.ask(NEWCOMER_ID, f"/start {token_from(link)}")
        return NEWCOMER_ID, card

    async def group_id(self) -> int:
        return await _group_id(self.svc)

    async def screenshot(self, user_id: int, name: str) -> None:
        """Only a browser has a screen."""


async def _group_id(svc: Services) -> int:
    async with svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        assert township is not None and township.group_chat_id is not None
        return township.group_chat_id


@dataclass
class _Reader:
    """One person's browser, and how far they have read each chat."""

    browser: Browser
    read: dict[int, int] = field(default_factory=dict)


class WebChannel:
    """The township's own server: each person a signed-in browser on the chat's JSON API."""

    name = "web"

    def __init__(self, web: WebWorld, robot: Robot) -> None:
        self.web = web
        self.robot: Robot | None = robot
        self.clock = web.clock
        self.settings = web.settings
        self.member_ids = web.member_ids
        self._readers: dict[int, _Reader] = {}

    @property
    def svc(self) -> Services:
        return self.web.svc

    @property
    def scheduler(self) -> Scheduler:
        scheduler: Scheduler = self.web.app.bot_data["scheduler"]
        return scheduler

    async def start(self, people: list[Any]) -> None:
        """Everyone opens the chat once (a private chat exists for the bot to write to)."""
        for person in people:
            await self.reader(person.telegram_user_id, person.name)

    async def reader(self, user_id: int, name: str = "") -> _Reader:
        if user_id not in self._readers:
            # Each person on their own phone: sign-ins count per address.
            address = f"192.0.2.{len(self._readers) + 1}"
            browser = await self.web.browser_of(user_id, name, address=address)
            self._readers[user_id] = _Reader(browser)
        return self._readers[user_id]

    def browser(self, user_id: int) -> Browser:
        return self._readers[user_id].browser

    async def _poll(self, user_id: int, chat_id: int, ready: Any) -> Any:
        """Long-poll the chat until `ready(payload)` gives something (no sleeping)."""
        http = self.browser(user_id).http
        known = ""
        for _ in range(int(REPLY_WITHIN)):
            response = await http.get(
                f"/api/chats/{chat_id}/messages", params={"known": known, "wait": 10}
            )
            assert response.status_code == 200, response.text
            payload = response.json()
            found = ready(payload)
            if found is not None:
                return found
            known = payload["version"]
        raise AssertionError(f"chat {chat_id} never showed what was expected")

    @staticmethod
    def _said(chat_id: int, view: dict[str, Any], payload: dict[str, Any]) -> Said:
        revisions = dict(part.split(".") for part in payload["version"].split(",") if part)
        buttons = [[(b["text"], b["data"] or b["url"]) for b in row] for row in view["buttons"]]
        document = (view.get("document") or {}).get("name")
        return Said(
            chat_id, view["id"], view["text"], buttons, document, revisions.get(str(view["id"]))
        )

    async def ask(self, user_id: int, text: str, n: int = 1) -> list[Said]:
        sent = await (await self.reader(user_id)).browser.say(user_id, text)
        assert sent.status_code == 200, sent.text
        return await self.replies(user_id, n)

    async def replies(self, user_id: int, n: int = 1, chat_id: int | None = None) -> list[Said]:
        reader = await self.reader(user_id)
        chat = user_id if chat_id is None else chat_id
        after = reader.read.get(chat, 0)

        def ready(payload: dict[str, Any]) -> list[Said] | None:
            fresh = [m for m in payload["messages"] if m["from_bot"] and m["id"] > after]
            if len(fresh) < n:
                return None
            return [self._said(chat, m, payload) for m in fresh[:n]]

        found: list[Said] = await self._poll(user_id, chat, ready)
        reader.read[chat] = found[-1].id
        return found

    async def ask_in_group(self, user_id: int, text: str) -> Said:
        group = await self.group_id()
        reader = await self.reader(user_id)
        messages = (await reader.browser.messages(group))["messages"]
        reader.read[group] = max((m["id"] for m in messages if m["from_bot"]), default=0)
        sent = await reader.browser.say(group, text)
        assert sent.status_code == 200, sent.text
        [reply] = await self.replies(user_id, 1, group)
        return reply

    async def share_location(self, user_id: int, latitude: float, longitude: float) -> Said:
        shared = await self.browser(user_id).http.post(
            f"/api/chats/{user_id}/location", json={"latitude": latitude, "longitude": longitude}
        )
        assert shared.status_code == 200, shared.text
        [reply] = await self.replies(user_id)
        return reply

    async def give_mobile(self, user_id: int, mobile: str) -> None:
        """The member gives a mobile number for the group robot's @mentions."""
        given = await self.browser(user_id).http.post("/api/me/mobile", json={"mobile": mobile})
        assert given.status_code == 200, given.text

    async def nudges_of(self, user_id: int) -> list[WebNudge]:
        """The group-robot nudges of one person, once none is waiting to be sent."""
        for _ in range(int(REPLY_WITHIN)):
            async with self.svc.transaction() as session:
                rows = list(
                    await session.scalars(
                        select(WebNudge).where(WebNudge.user_id == user_id).order_by(WebNudge.id)
                    )
                )
            if all(row.status in ("sent", "failed") for row in rows):
                return rows
            await self.web.server.nudger.recorded.wait(1.0)
        raise AssertionError(f"a nudge of {user_id} was never sent")

    async def read_all(self, user_id: int) -> None:
        reader = await self.reader(user_id)
        messages = (await reader.browser.messages(user_id))["messages"]
        reader.read[user_id] = max((m["id"] for m in messages if m["from_bot"]), default=0)

    async def press(self, user_id: int, message: Said, label: str) -> Said:
        await self.tap(user_id, message, label, wait_answer=False)

        def ready(payload: dict[str, Any]) -> Said | None:
            for view in payload["messages"]:
                if view["id"] == message.id:
                    now = self._said(message.chat_id, view, payload)
                    return now if now.version != message.version else None
            return self._said(message.chat_id, {**_DELETED, "id": message.id}, payload)

        found: Said = await self._poll(user_id, message.chat_id, ready)
        return found

    async def tap(
        self, user_id: int, message: Said, label: str, wait_answer: bool = True
    ) -> str | None:
        http = self.browser(user_id).http
        data = next(d for row in message.buttons for text, d in row if label in (text, d))
        pressed = await http.post(
            f"/api/chats/{message.chat_id}/press", json={"message_id": message.id, "data": data}
        )
        assert pressed.status_code == 200, pressed.text
        if not wait_answer:
            return None
        answer = await http.get(
            f"/api/answers/{pressed.json()['query']}", params={"wait": REPLY_WITHIN}
        )
        shown = answer.json()["answer"]
        return None if shown is None else shown.get("text")

    async def texts(self, chat_id: int, reader: int | None = None) -> list[str]:
        who = chat_id if reader is None else reader
        messages = (await self.browser(who).messages(chat_id))["messages"]
        return [m["text"] for m in messages if m["from_bot"]]

    async def download(self, user_id: int, message: Said) -> bytes:
        browser = self.browser(user_id)
        messages = (await browser.messages(message.chat_id))["messages"]
        view = next(m for m in messages if m["id"] == message.id)
        response = await browser.http.get(f"/api/files/{view['document']['file_id']}")
        assert response.status_code == 200
        return response.content

    async def open_invitation(self, link: str, name: str) -> tuple[int, Said]:
        found = re.search(r"https?://\S+/join/[A-Za-z0-9_-]+", link)
        assert found is not None, link
        path = urlsplit(found.group(0)).path
        http = self.web.client(headers={"Origin": self.web.url})
        form = await http.get(path)
        assert form.status_code == 200 and 'name="name"' in form.text
        signed = await http.post(path, data={"name": name})
        assert signed.status_code == 303, (signed.status_code, signed.text)
        me = (await http.get("/api/me")).json()
        http.headers[auth.CSRF_HEADER] = me["csrf"]
        user_id = me["user"]["id"]
        token = http.cookies.get(auth.COOKIE) or ""
        self._readers[user_id] = _Reader(Browser(http, token, me))
        [card] = await self.replies(user_id)
        return user_id, card

    async def group_id(self) -> int:
        return await _group_id(self.svc)

    async def screenshot(self, user_id: int, name: str) -> None:
        """Only a browser has a screen."""


_DELETED: dict[str, Any] = {"text": "", "buttons": [], "deleted": True}


READ_CHAT = """() => [...document.querySelectorAll("#messages article.message.bot")].map((a) => ({
  id: Number(a.dataset.id),
  text: (a.querySelector("[data-testid='text']") || {}).innerText || "",
  buttons: [...a.querySelectorAll(".buttons")].map((row) =>
    [...row.querySelectorAll("[data-testid='button']")].map((b) => b.innerText)),
  document: (a.querySelector("[data-testid='document'] .file-name") || {}).innerText || null,
  version: a.innerText,
}))"""
NEW_MESSAGES = """([after, n]) => [...document.querySelectorAll("#messages article.message.bot")]
  .filter((a) => Number(a.dataset.id) > after).length >= n"""
EDITED = """([id, before]) => {
  const message = document.querySelector(`#messages article.message.bot[data-id='${id}']`);
  return !message || message.innerText !== before;
}"""


class ChromiumChannel(WebChannel):
    """The web chat in headless Chromium at phone width: each person a page that types in
    the composer, taps the buttons and reads what the page shows."""

    name = "chromium"
    WIDTH = 360

    def __init__(self, web: WebWorld, robot: Robot, chromium: Any, artifacts: Any) -> None:
        super().__init__(web, robot)
        self.chromium = chromium
        self.artifacts = artifacts
        self.pages: dict[int, Any] = {}
        self.problems: list[str] = []

    async def _new_page(self) -> Any:
        context = await self.chromium.new_context(
            viewport={"width": self.WIDTH, "height": 740}, locale="zh-CN"
        )
        page = await context.new_page()
        page.set_default_timeout(int(REPLY_WITHIN * 1000))
        page.on("pageerror", lambda exc: self.problems.append(str(exc)))
        page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(self.web.url)
                else self.problems.append(f"outside: {r.url}")
            ),
        )
        return page

    async def page(self, user_id: int) -> Any:
        """This person's phone with the chat open (signed in as if from an invitation)."""
        if user_id not in self.pages:
            reader = await self.reader(user_id)
            page = await self._new_page()
            await page.context.add_cookies(
                [{"name": auth.COOKIE, "value": reader.browser.token, "url": self.web.url}]
            )
            await page.goto(self.web.url)
            await page.wait_for_selector("[data-testid='tab']")
            self.pages[user_id] = page
        return self.pages[user_id]

    async def _read(self, user_id: int) -> list[Said]:
        page = await self.page(user_id)
        return [
            Said(
                user_id,
                m["id"],
                m["text"],
                [[(b, None) for b in row] for row in m["buttons"]],
                m["document"],
                m["version"],
            )
            for m in await page.evaluate(READ_CHAT)
        ]

    async def ask(self, user_id: int, text: str, n: int = 1) -> list[Said]:
        page = await self.page(user_id)
        await page.fill("[data-testid='composer']", text)
        await page.click("[data-testid='send']")
        return await self.replies(user_id, n)

    async def replies(self, user_id: int, n: int = 1, chat_id: int | None = None) -> list[Said]:
        assert chat_id is None, "the pages read their private chat"
        page = await self.page(user_id)
        reader = await self.reader(user_id)
        after = reader.read.get(user_id, 0)
        await page.wait_for_function(NEW_MESSAGES, arg=[after, n])
        found = [m for m in await self._read(user_id) if m.id > after][:n]
        reader.read[user_id] = found[-1].id
        return found

    async def read_all(self, user_id: int) -> None:
        await super().read_all(user_id)  # what the server holds, then what the page shows
        reader = await self.reader(user_id)
        page = await self.page(user_id)
        if reader.read[user_id]:
            await page.wait_for_function(NEW_MESSAGES, arg=[reader.read[user_id] - 1, 1])

    async def share_location(self, user_id: int, latitude: float, longitude: float) -> Said:
        page = await self.page(user_id)
        await page.context.grant_permissions(["geolocation"], origin=self.web.url)
        await page.context.set_geolocation({"latitude": latitude, "longitude": longitude})
        await page.click("[data-testid='menu-button']")
        await page.click("[data-testid='share-location']")
        [reply] = await self.replies(user_id)
        return reply

    async def press(self, user_id: int, message: Said, label: str) -> Said:
        page = await self.page(user_id)
        article = page.locator(f"#messages article.message.bot[data-id='{message.id}']")
        exact = re.compile(f"^{re.escape(label)}$")
        await article.locator("[data-testid='button']", has_text=exact).first.click()
        await page.wait_for_function(EDITED, arg=[message.id, message.version])
        now = [m for m in await self._read(user_id) if m.id == message.id]
        return now[0] if now else Said(message.chat_id, message.id, "", [], None, None)

    async def tap(
        self, user_id: int, message: Said, label: str, wait_answer: bool = True
    ) -> str | None:
        raise NotImplementedError("the scenarios on pages read what a press changed")

    async def texts(self, chat_id: int, reader: int | None = None) -> list[str]:
        assert reader is None or reader == chat_id, "the pages read their private chat"
        return [m.text for m in await self._read(chat_id)]

    async def open_invitation(self, link: str, name: str) -> tuple[int, Said]:
        found = re.search(r"https?://\S+/join/[A-Za-z0-9_-]+", link)
        assert found is not None, link
        page = await self._new_page()
        await page.goto(found.group(0))
        await page.fill("input[name='name']", name)
        await page.click("button[type='submit']")
        await page.wait_for_selector("[data-testid='tab']")
        me = await page.evaluate("() => fetch('/api/me').then((r) => r.json())")
        user_id = int(me["user"]["id"])
        cookies = await page.context.cookies(self.web.url)
        token = next(c["value"] for c in cookies if c["name"] == auth.COOKIE)
        http = self.web.client(cookies={auth.COOKIE: token}, headers={"Origin": self.web.url})
        http.headers[auth.CSRF_HEADER] = me["csrf"]
        self._readers[user_id] = _Reader(Browser(http, token, me))
        self.pages[user_id] = page
        [card] = await self.replies(user_id)
        return user_id, card

    async def screenshot(self, user_id: int, name: str) -> None:
        page = await self.page(user_id)
        self.artifacts.mkdir(exist_ok=True)
        await page.screenshot(path=str(self.artifacts / f"{name}.png"))

    async def fits_the_phone(self, user_id: int) -> bool:
        page = await self.page(user_id)
        width: int = await page.evaluate("() => document.documentElement.scrollWidth")
        return width <= self.WIDTH
