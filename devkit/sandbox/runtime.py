"""The sandbox runtime: the emulator, the real bot and the sample township, driven by the page.

Everything here runs in the event loop of `township-bot demo`. The page acts through
`Sandbox` methods (send, press, share a location, send a photo, move the clock, reset) and
reads `state()`, a JSON snapshot of every chat built from the emulator's records, so
whatever a feature sends shows up without sandbox changes.
"""

# The waiting API takes plain `timeout=` arguments, like the emulator's.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.app import AppType, build_application, running
from bot.core.calendar import WorkCalendar
from bot.core.clock import ManualClock, notify_clock_moved
from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.roles import ROLE_LABELS
from bot.core.services import Services
from bot.week.deadline import ReportSchedule, meeting_time, report_window
from bot.week.weeks import week_of
from devkit.datadir import DataDirLock, lock_data_dir
from devkit.emulator import BotApiEmulator
from devkit.emulator.core import BotState
from devkit.sample import (
    ADMIN,
    GROUP_CHAT_ID,
    GROUP_TITLE,
    PEOPLE,
    TOWNSHIP_CODE,
    TOWNSHIP_NAME,
    sample_config,
)
from devkit.sample.everything import seed_sample
from devkit.sandbox.snapshot import chat_json
from devkit.sandbox.world import (
    BOT_NAME,
    BOT_USERNAME,
    CLOCK_ACTIONS,
    ELSEWHERE,
    JITTER,
    SANDBOX_TOKEN,
    Person,
    demo_start,
    generated_photo,
    sandbox_people,
)

__all__ = ["Sandbox", "SandboxError", "generated_photo"]

log = logging.getLogger(__name__)


class SandboxError(Exception):
    """A request the page should not have made (unknown person, message, action)."""


class Sandbox:
    """The demo world behind the page: emulator + running bot + sample township + clock.

    ``cursor`` grows on every change (a bot send/edit/delete/callback answer, a message from
    the page, a clock move, a reset), so the page long-polls ``wait_change(after=cursor)``.
    ``epoch`` grows on every reset: the page then drops what it had.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        start: datetime | None = None,
        emulator_port: int = 0,
        poll_timeout: int = 10,
    ) -> None:
        self.data_dir = data_dir
        self.emulator_port = emulator_port
        self.poll_timeout = poll_timeout
        self.emu = BotApiEmulator(port=emulator_port)
        self._start = start
        self.clock = ManualClock(start or datetime.now().astimezone())
        self.emu.clock = self.clock.now
        self.app: AppType | None = None
        self.settings: Settings | None = None
        self.epoch = 1
        self._local = 0  # changes not recorded as emulator events
        self._running: AbstractAsyncContextManager[AppType] | None = None
        self._lock = asyncio.Lock()
        self.closing = asyncio.Event()  # set when the page server shuts down
        self._photos = 0
        self.people = sandbox_people()
        self._dir_lock: DataDirLock | None = None

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sandbox.db"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"

    async def start(self) -> None:
        """Start on `data_dir`, or raise `DataDirBusy` (touching nothing) if another process's
        sandbox or demo holds it."""
        self._dir_lock = lock_data_dir(self.data_dir)
        await self.emu.start()
        self.settings = parse_settings(
            sample_config(SANDBOX_TOKEN, self.emu.base_url.removesuffix("/bot"), self.database_url),
            "sandbox",
        )
        if self._start is None:
            self._start = demo_start(self.clock.now(), self.settings.tz)
        self.clock.set(self._start)
        self._register_telegram_side()
        await self._start_bot()

    async def stop(self) -> None:
        async with self._lock:
            await self._stop_bot()
            await self.emu.stop()
            if self._dir_lock is not None:
                self._dir_lock.release()
                self._dir_lock = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _register_telegram_side(self) -> None:
        """The bot, every person and the township group chat, as Telegram would know them."""
        old = self.emu.bots.get(SANDBOX_TOKEN)
        self.emu.add_bot(SANDBOX_TOKEN, username=BOT_USERNAME, first_name=BOT_NAME)
        if old is not None:  # wake long polls waiting on the old bot's signal
            old.events_signal.notify()
        self.emu.files.clear()
        for person in self.people:
            self.emu.add_user(person.id, person.name)
        self.emu.add_group(
            GROUP_CHAT_ID, GROUP_TITLE, [p.telegram_user_id for p in [*PEOPLE, ADMIN]]
        )

    def _fresh_database(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)

    async def _start_bot(self) -> None:
        assert self.settings is not None
        await asyncio.to_thread(self._fresh_database)
        app = build_application(self.settings, clock=self.clock)
        self._running = running(app, poll_timeout=self.poll_timeout)
        self.app = await self._running.__aenter__()
        async with self.svc.transaction() as session:
            await seed_sample(session, self.svc.settings, self.clock.now())

    async def _stop_bot(self) -> None:
        if self._running is not None:
            running_app, self._running = self._running, None
            await running_app.__aexit__(None, None, None)
        self.app = None

    async def reset(self) -> None:
        """A fresh database with the sample township, a fresh chat history, the start time."""
        async with self._lock:
            self._local += self._last_event_seq() + 1
            await self._stop_bot()
            assert self._start is not None
            self.clock.set(self._start)
            self._register_telegram_side()
            self.epoch += 1
            await self._start_bot()
            self._changed()

    @property
    def svc(self) -> Services:
        if self.app is None:
            raise SandboxError("the bot is restarting")
        services: Services = self.app.bot_data["services"]
        return services

    # --- change tracking ---------------------------------------------------------------

    @property
    def bot(self) -> BotState:
        return self.emu.bot(SANDBOX_TOKEN)

    def _last_event_seq(self) -> int:
        events = self.bot.events
        return events[-1].seq if events else 0

    @property
    def cursor(self) -> int:
        return self._local + self._last_event_seq()

    def _changed(self) -> None:
        self._local += 1
        self.bot.events_signal.notify()

    async def wait_change(
        self, after: int, timeout: float, abort: asyncio.Event | None = None
    ) -> int:
        """Wait until ``cursor > after`` (or timeout/abort); returns the cursor."""
        aborts = (self.emu.stopping, self.closing, *([abort] if abort else []))
        while True:
            bot = self.bot

            def ready(bot: BotState = bot) -> bool | None:
                return True if self.cursor > after or self.bot is not bot else None

            found = await bot.events_signal.wait_for(ready, timeout, aborts)
            if found is None or self.cursor > after or any(a.is_set() for a in aborts):
                return self.cursor
            # The bot was replaced by a reset: wait on the new one's signal.

    # --- acting as a person ------------------------------------------------------------

    def _person(self, user_id: int) -> Person:
        for person in self.people:
            if person.id == user_id:
                return person
        raise SandboxError(f"unknown person {user_id}")

    def _check_chat(self, user_id: int, chat_id: int | None) -> int:
        self._person(user_id)
        if chat_id is None or chat_id == user_id:
            return user_id
        if chat_id != GROUP_CHAT_ID:
            raise SandboxError(f"unknown chat {chat_id}")
        return chat_id

    async def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> None:
        text = text.strip()
        if not text:
            raise SandboxError("empty message")
        if len(text) > 4096:
            raise SandboxError("message too long (4096 characters at most)")
        chat = self._check_chat(user_id, chat_id)
        user = self.emu.user(user_id, SANDBOX_TOKEN)
        if chat == user_id:
            await user.send(text)
        else:
            await user.send_in_group(chat, text)
        self._changed()

    async def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """Press an inline button (by its callback_data) of a bot message; the query id."""
        chat = self._check_chat(user_id, chat_id)
        try:
            live = self.emu.chat_state(self.bot, chat).live(message_id)
        except LookupError as exc:
            raise SandboxError(str(exc)) from None
        if live.deleted or not live.from_bot:
            raise SandboxError("that message has no buttons any more")
        if not any(b.get("callback_data") == data for row in live.inline_keyboard for b in row):
            raise SandboxError("that button is no longer on the message")
        query_id = await self.emu.user(user_id, SANDBOX_TOKEN).press_data(live, data)
        self._changed()
        return query_id

    async def share_location(
        self,
        user_id: int,
        *,
        village: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> tuple[float, float]:
        self._check_chat(user_id, None)
        if village is not None:
            point = next((p for p in self.location_choices() if p["name"] == village), None)
            if point is None:
                raise SandboxError(f"unknown place {village!r}")
            lat, lon = point["lat"] + JITTER, point["lon"] + JITTER
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SandboxError("give a village or a valid lat/lon")
        await self.emu.user(user_id, SANDBOX_TOKEN).send_location(lat, lon)
        self._changed()
        return lat, lon

    async def send_photo(self, user_id: int, caption: str | None = None) -> None:
        self._check_chat(user_id, None)
        self._photos += 1
        data = generated_photo(self._photos)
        await self.emu.user(user_id, SANDBOX_TOKEN).send_photo(
            data, (caption or "").strip() or None
        )
        self._changed()

    # --- the clock ---------------------------------------------------------------------

    def clock_target(self, action: str) -> datetime:
        """Where a clock button goes: the next report deadline, the next Monday meeting
        (08:00 on the week's first workday), or one hour / one day later."""
        assert self.settings is not None
        now = self.clock.now()
        tz = self.settings.township_tz(TOWNSHIP_CODE)
        if action == "hour":
            return now + timedelta(hours=1)
        if action == "day":
            return now + timedelta(days=1)
        calendar = WorkCalendar()
        week = week_of(now.astimezone(tz).date())
        for offset in range(0, 8):  # a long holiday can leave weeks without a workday
            monday = week + timedelta(weeks=offset)
            if action == "deadline":
                window = report_window(monday, calendar, ReportSchedule(), tz)
                moment = window.deadline if window else None
            elif action == "meeting":
                moment = meeting_time(monday, calendar, time(8, 0), tz=tz)
            else:
                raise SandboxError(f"unknown clock action {action!r}")
            if moment is not None and moment > now:
                return moment
        raise SandboxError("no workday in the next eight weeks")

    async def move_clock(self, action: str) -> datetime:
        """Move the bot's (and the emulator's) clock forward, then let the scheduler run
        what became due (see `bot.core.clock.notify_clock_moved`)."""
        if action not in CLOCK_ACTIONS:
            raise SandboxError(f"unknown clock action {action!r}")
        async with self._lock:
            target = self.clock_target(action)
            previous = self.clock.now()
            self.clock.set(target)
            self._changed()
            if self.app is not None:
                await notify_clock_moved(self.app.bot_data, previous, target)
            return target

    # --- reading -----------------------------------------------------------------------

    def location_choices(self) -> list[dict[str, Any]]:
        assert self.settings is not None
        township = self.settings.township(TOWNSHIP_CODE)
        assert township is not None
        places = [
            {"name": v.name, "label": v.name, "lat": v.lat, "lon": v.lon, "radius_m": v.radius_m}
            for v in township.villages
            if v.lat is not None and v.lon is not None
        ]
        return [*places, {**ELSEWHERE, "radius_m": 0}]

    async def roles(self) -> dict[int, tuple[list[str], bool]]:
        """Telegram id -> (role keys, active) from the bot's database."""
        result: dict[int, tuple[list[str], bool]] = {}
        if self.app is None:
            return result
        async with self.svc.transaction() as session:
            for person in self.people:
                actor = await member_db.actor_for(session, person.id)
                if actor is not None and actor.grants:
                    order = list(ROLE_LABELS)
                    roles = sorted(actor.roles, key=lambda r: order.index(r) if r in order else 9)
                    result[person.id] = (roles, actor.active)
        return result

    async def demo_state(self, chats: bool = False) -> dict[str, Any]:
        """What the demo shows besides a chat: everyone (with their roles from the bot's
        database), the clock and its targets, the places; with `chats`, every chat too."""
        assert self.settings is not None
        tz = self.settings.township_tz(TOWNSHIP_CODE)
        _ = gettext_for(self.settings.language)
        roles = await self.roles()
        places = self.location_choices()
        people = []
        for person in self.people:
            keys, active = roles.get(person.id, ([], True))
            people.append(
                {
                    "id": person.id,
                    "name": person.name,
                    "roles": keys,
                    "role_labels": [_(ROLE_LABELS[r]) for r in keys if r in ROLE_LABELS],
                    "active": active,
                    "note": "" if keys else person.note,
                    **({"chat": chat_json(self.emu, places, person.id, tz)} if chats else {}),
                }
            )
        now = self.clock.now().astimezone(tz)
        group: dict[str, Any] = {"id": GROUP_CHAT_ID, "title": GROUP_TITLE}
        if chats:
            group["chat"] = chat_json(self.emu, places, GROUP_CHAT_ID, tz)
        return {
            "cursor": self.cursor,
            "epoch": self.epoch,
            "bot": {"name": BOT_NAME, "username": BOT_USERNAME},
            "township": {"code": TOWNSHIP_CODE, "name": TOWNSHIP_NAME},
            "clock": {
                "now": now.isoformat(),
                "weekday": now.isoweekday(),
                "targets": {
                    a: self.clock_target(a).astimezone(tz).isoformat() for a in CLOCK_ACTIONS
                },
            },
            "people": people,
            "group": group,
            "places": places,
        }

    async def state(self) -> dict[str, Any]:
        """Everything the demo holds, every chat included, as JSON-ready data."""
        async with self._lock:
            return await self.demo_state(chats=True)

    def file(self, file_id: str) -> tuple[bytes, str, str, str]:
        """(data, mime type, download name, kind) of a stored file."""
        record = self.emu.files.get(file_id)
        if record is None:
            raise SandboxError("no such file")
        name = record.file_name or record.file_path.rsplit("/", 1)[-1]
        mime = record.mime_type or (
            "image/jpeg" if record.kind == "photo" else "application/octet-stream"
        )
        if record.kind == "photo" and record.data.startswith(b"\x89PNG"):
            mime = "image/png"
        return record.data, mime, name, record.kind
