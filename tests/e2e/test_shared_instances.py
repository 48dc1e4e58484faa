"""Several active instances on one PostgreSQL (`[instance] active = "all"`), as real
`township-bot run` processes: they share the updates, each user's in order; a user stays
with one instance between taps and is let go when it stops; one killed with SIGKILL loses
none and doubles none, its users taken over once their claims run out; a webhook update
delivered twice is handled once (one the library cannot read too); on the web channel, a
member's messages reach either instance's chat API and are handled once each, in order."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import is_sqlite, session_factory
from bot.core.models import FieldVisit, InboundUpdate, UpdateKey, WebChat, WebUser
from bot.web import auth
from devkit.sample import PEOPLE, SamplePerson, sample_config, seed_people
from tests import processes
from tests.conftest import TOKEN
from tests.e2e.helpers import SECRETARY, zh
from tests.e2e.test_other_servers import OLD_POLL
from tests.processes import free_port, seed, start_instance, wait_health
from tests.updates import private_message

LEASE_SECONDS = 3
# Longer than any test: a user is let go only when their instance stops or dies.
AFFINITY_SECONDS = 600
NOTE = "笔记"
CADRES = [SamplePerson(3001 + i, f"测试干部{i + 1}", ("cadre",), ("沙河子村",)) for i in range(12)]


@pytest.fixture(autouse=True)
def postgresql_only(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip('several active instances (active = "all") need PostgreSQL')


def config(path: Path, api: str, database_url: str, health_port: int, **extra: str) -> Path:
    """One instance of several active ones (`extra`: more of `processes.write_config`)."""
    return processes.write_config(
        path,
        database_url,
        api=api,
        health_port=health_port,
        lease_seconds=LEASE_SECONDS,
        instance=f'active = "all"\naffinity_seconds = {AFFINITY_SECONDS}',
        **extra,
    )


@asynccontextmanager
async def two_instances(
    tmp_path: Path, api: str, database_url: str, extras: tuple[dict[str, str], ...] = ({}, {})
) -> AsyncIterator[tuple[list[Any], tuple[int, int]]]:
    """Two instances, their processes and health ports; the first one started holds the
    lease (it polls getUpdates). Stopped on leaving, their logs free of secrets."""
    ports = free_port(), free_port()
    procs = []
    try:
        for i, (port, extra) in enumerate(zip(ports, extras, strict=True)):
            path = config(tmp_path / f"instance{i}.toml", api, database_url, port, **extra)
            procs.append(await start_instance(path, tmp_path / f"instance{i}.log"))
            answer = await wait_health(port, "active")
            while i == 0 and not answer.get("leader"):
                answer = await wait_health(port, "active")
        yield procs, ports
    finally:
        await processes.stop(procs)
        logs = [tmp_path / f"instance{i}.log" for i in range(len(procs))]
        processes.assert_no_secrets(processes.logs(*logs))


@asynccontextmanager
async def visiting(
    emulator, engine, database_url: str, tmp_path: Path, people: list[SamplePerson]
) -> AsyncIterator[tuple[list[Any], tuple[int, int]]]:
    """`people` seeded, two instances started on the emulator and each person's /visit open
    at a village."""
    await seed(emulator, engine, database_url, people)
    api = emulator.base_url.removesuffix("/bot")
    async with two_instances(tmp_path, api, database_url) as (procs, ports):
        await asyncio.gather(*(open_visit(emulator, p) for p in people))
        yield procs, ports


async def open_visit(emulator, person: SamplePerson) -> Any:
    user = emulator.user(person.telegram_user_id)
    await user.send("/visit")
    picker = await user.reply(timeout=30)
    await user.press(picker, "沙河子村")
    return await user.wait_edit(picker, timeout=30)


def note(person: SamplePerson, i: int) -> str:
    return f"{person.name}{NOTE}{i}号"


async def last_card(emulator, person: SamplePerson, notes: int) -> str:
    """The text of the first card that shows the user's note number `notes`."""
    user = emulator.user(person.telegram_user_id)
    wanted = note(person, notes)

    def found() -> str | None:
        return next((m.text for m in user.history if m.text and wanted in m.text), None)

    text = await emulator.bot().events_signal.wait_for(found, 60)
    assert text, f"{person.name}: note {notes} never shown"
    return str(text)


def assert_notes_once_in_order(text: str, person: SamplePerson, notes: int) -> None:
    marks = [note(person, i) for i in range(1, notes + 1)]
    assert [text.count(m) for m in marks] == [1] * notes, text
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions), text


def instance_name(proc: Any) -> str:
    """The name a `township-bot run` process claims under (bot/runner.py)."""
    return f"{socket.gethostname()}-{proc.pid}"


async def holders(engine) -> dict[int, str]:
    """Each claimed user's holder."""
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(UpdateKey.key, UpdateKey.holder).where(UpdateKey.holder.is_not(None))
        )
        return {key: holder for key, holder in rows}


async def handled_by(engine) -> Counter[str | None]:
    async with session_factory(engine)() as session:
        pending = await session.scalar(
            select(func.count()).select_from(InboundUpdate).where(InboundUpdate.done_at.is_(None))
        )
        assert pending == 0
        return Counter(await session.scalars(select(InboundUpdate.done_by)))


@pytest.mark.e2e
async def test_two_active_instances_keep_each_users_order(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    notes = 6
    async with visiting(emulator, engine, database_url, tmp_path, CADRES):
        # Everyone types their notes at once, without waiting for the answers.
        for i in range(1, notes + 1):
            for person in CADRES:
                await emulator.user(person.telegram_user_id).send(note(person, i))
        for person in CADRES:
            assert_notes_once_in_order(await last_card(emulator, person, notes), person, notes)
    by = await handled_by(engine)
    assert sum(by.values()) == len(CADRES) * (2 + notes)
    assert len(by) == 2, by  # both instances handled updates


@pytest.mark.e2e
async def test_a_user_stays_with_one_instance_until_it_stops(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    people = CADRES[:6]
    users = {p.telegram_user_id for p in people}
    notes = 3
    async with visiting(emulator, engine, database_url, tmp_path, people) as (procs, _ports):

        async def type_notes(person: SamplePerson) -> None:
            """A note after each answer: between two taps the user has nothing pending."""
            for i in range(1, notes + 1):
                await emulator.user(person.telegram_user_id).send(note(person, i))
                await last_card(emulator, person, i)

        await asyncio.gather(*(type_notes(p) for p in people))
        held = await holders(engine)
        assert set(held) == users  # still claimed, though idle
        names = Counter(held.values())
        stopping = max(procs, key=lambda proc: names[instance_name(proc)])
        # Stopped gracefully, it lets its users go at once (no claim left to run out).
        stopping.terminate()
        await stopping.wait()
        assert instance_name(stopping) not in (await holders(engine)).values()
        for person in people:
            await emulator.user(person.telegram_user_id).send(note(person, notes + 1))
        for person in people:
            text = await last_card(emulator, person, notes + 1)
            assert_notes_once_in_order(text, person, notes + 1)
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(InboundUpdate.key, InboundUpdate.done_by).order_by(InboundUpdate.update_id)
        )
        handlers: dict[int, list[str | None]] = {}
        for key, by in rows:
            handlers.setdefault(key, []).append(by)
    assert set(handlers) == users
    for key, by in handlers.items():
        # Every update before the stop by the instance that took the user first; the last
        # by the survivor.
        assert len(by) == 2 + notes + 1 and len(set(by[:-1])) == 1, (key, by)
        survivor = {instance_name(p) for p in procs} - {instance_name(stopping)}
        assert by[-1] in survivor, (key, by)


@pytest.mark.e2e
async def test_an_instance_killed_mid_run_loses_no_update_and_doubles_none(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    notes = 8
    async with visiting(emulator, engine, database_url, tmp_path, CADRES) as (procs, ports):

        async def type_notes(person: SamplePerson, first: int, last: int) -> None:
            for i in range(first, last + 1):
                await emulator.user(person.telegram_user_id).send(note(person, i))
                await asyncio.sleep(0.05)  # typing speed, not a wait for the bot

        typing = asyncio.gather(*(type_notes(p, 1, notes - 1) for p in CADRES))
        # Kill the lease holder (the poller) once about a third of the notes were answered.
        answered = await emulator.bot().events_signal.wait_for(
            lambda: (
                sum(
                    NOTE in (m.text or "")
                    for p in CADRES
                    for m in emulator.user(p.telegram_user_id).history
                )
                >= len(CADRES) * (notes - 1) // 3
                or None
            ),
            60,
        )
        assert answered
        procs[0].send_signal(signal.SIGKILL)
        await procs[0].wait()
        # Its users stay claimed by it until their claims run out, then the survivor has them.
        assert instance_name(procs[0]) in (await holders(engine)).values()
        await typing
        # The last note after the kill: the survivor answers it, whatever the dead one held.
        for person in CADRES:
            await emulator.user(person.telegram_user_id).send(note(person, notes))
        for person in CADRES:
            assert_notes_once_in_order(await last_card(emulator, person, notes), person, notes)
        # Each cadre saves the visit: one visit each.
        for person in CADRES:
            user = emulator.user(person.telegram_user_id)
            live = next(m for m in reversed(user.history) if m.markup and NOTE in (m.text or ""))
            await user.press(live, "⬜ 听取民意")
            live = await user.wait_edit(live, timeout=30)
            await user.press(live, zh("✅ Save"))
            assert zh("✅ Visit logged.") in (await user.wait_edit(live, timeout=30)).text
        assert (await wait_health(ports[1], "active"))["leader"] is True
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(FieldVisit)) == len(CADRES)
    assert len(await handled_by(engine)) == 2


@pytest.mark.e2e
async def test_a_webhook_update_delivered_twice_is_handled_once(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    await seed(emulator, engine, database_url, PEOPLE[:1])
    hooks = free_port(), free_port()
    secret = "webhook-secret-0123456789"
    extras = tuple(
        {
            "telegram": f"""mode = "webhook"
[telegram.webhook]
listen = "127.0.0.1"
port = {port}
url_path = "tg"
public_url = "http://127.0.0.1:{hooks[0]}"
secret_token = "{secret}"
"""
        }
        for port in hooks
    )
    user = emulator.user(SECRETARY.telegram_user_id)

    def update(update_id: int) -> dict[str, Any]:
        return private_message(update_id, SECRETARY.telegram_user_id, "/help", "张")

    def unreadable(update_id: int) -> dict[str, Any]:
        sent = private_message(update_id, SECRETARY.telegram_user_id, "", "张")
        del sent["message"]["text"]
        sent["message"]["poll"] = OLD_POLL
        return sent

    api = emulator.base_url.removesuffix("/bot")
    async with two_instances(tmp_path, api, database_url, extras):
        async with httpx.AsyncClient() as client:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            # Telegram sends an update again when its first answer was lost: here the same
            # one reaches both instances (through the reverse proxy), then the next one.
            for port in hooks:
                answer = await client.post(
                    f"http://127.0.0.1:{port}/tg", json=update(900001), headers=headers
                )
                assert answer.status_code == 200
            wrong = await client.post(
                f"http://127.0.0.1:{hooks[1]}/tg", json=update(900003), headers={}
            )
            assert wrong.status_code == 403
            # One the library cannot read (another Bot API version) is taken too, and its
            # sender asked once to send it again.
            for port in hooks:
                answer = await client.post(
                    f"http://127.0.0.1:{port}/tg", json=unreadable(900002), headers=headers
                )
                assert answer.status_code == 200
            answer = await client.post(
                f"http://127.0.0.1:{hooks[1]}/tg", json=update(900004), headers=headers
            )
            assert answer.status_code == 200
        # One user's updates are handled in order: once the last is answered, the others
        # were handled, once.
        replies = await user.replies(3, timeout=30)
        texts = [r.text for r in replies]
        assert "/members" in texts[0] and "/members" in texts[2], texts
        assert texts[1] == zh("Sorry, this message could not be read. Please send it again.")
        assert not user.unread
    async with session_factory(engine)() as session:
        ids = list(await session.scalars(select(InboundUpdate.update_id)))
    assert sorted(ids) == [900001, 900002, 900004]


class WebMember:
    """A cadre's browser on the web channel, sending each request to one instance or the
    other (the reverse proxy's choice), reading with long polls."""

    def __init__(self, person: SamplePerson, token: str, urls: list[str]) -> None:
        self.person = person
        self.urls = urls
        self.sent = 0
        self.http = httpx.AsyncClient(timeout=30, cookies={auth.COOKIE: token})
        self.csrf = auth.csrf_token(token)

    @property
    def chat(self) -> str:
        return f"/api/chats/{self.person.telegram_user_id}"

    def next_url(self) -> str:
        self.sent += 1
        return self.urls[(self.person.telegram_user_id + self.sent) % len(self.urls)]

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.next_url()
        headers = {"Origin": url, auth.CSRF_HEADER: self.csrf}
        answer = await self.http.post(url + path, json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def says(self, text: str) -> None:
        await self.post(f"{self.chat}/messages", {"text": text})

    async def wait_for(self, found: Any) -> Any:
        """Long-poll (each poll on the next instance) until `found(messages)` gives something."""
        known = ""
        for _ in range(12):
            answer = await self.http.get(
                self.next_url() + f"{self.chat}/messages", params={"known": known, "wait": 10}
            )
            assert answer.status_code == 200, answer.text
            payload = answer.json()
            result = found([m for m in payload["messages"] if m["from_bot"]])
            if result is not None:
                return result
            known = payload["version"]
        raise AssertionError(f"{self.person.name}: the chat never showed what was expected")

    async def open_visit(self) -> None:
        await self.says("/visit")

        def village(messages: list[dict[str, Any]]) -> tuple[int, str] | None:
            return next(
                (
                    (m["id"], b["data"])
                    for m in reversed(messages)
                    for row in m["buttons"]
                    for b in row
                    if b["text"] == "沙河子村"
                ),
                None,
            )

        message_id, data = await self.wait_for(village)
        await self.post(f"{self.chat}/press", {"message_id": message_id, "data": data})

    async def card_with(self, text: str) -> str:
        def card(messages: list[dict[str, Any]]) -> str | None:
            return next((m["text"] for m in messages if text in m["text"]), None)

        found: str = await self.wait_for(card)
        return found


def make_settings_for_web(database_url: str) -> Settings:
    config = sample_config(TOKEN, "http://127.0.0.1:9", database_url)
    return parse_settings(config, "test")


def web_extra(port: int) -> str:
    return f"""
[channel]
kind = "web"
port = {port}
public_url = "http://127.0.0.1:{port}"
secure_cookies = false
"""


@pytest.mark.e2e
async def test_two_active_instances_on_the_web_channel_keep_each_members_order(
    engine, database_url, tmp_path: Path
) -> None:
    """A member's messages reach whichever instance the proxy picks; the updates are stored
    in one database, and each is handled once, in the order the member wrote."""
    settings = make_settings_for_web(database_url)
    now = datetime.now(UTC)
    tokens: dict[int, str] = {}
    async with session_factory(engine)() as session, session.begin():
        await member_db.sync_townships(session, settings)
        await seed_people(session, now, CADRES)
        for person in CADRES:
            user = WebUser(id=person.telegram_user_id, first_name=person.name, created_at=now)
            session.add(user)
            session.add(WebChat(id=user.id, type="private", title=None, last_message_id=0))
            await session.flush()
            tokens[user.id] = await auth.open_session(
                session, user, "phone", "192.0.2.1", now, days=30
            )
    web_ports = free_port(), free_port()
    extras = tuple({"tables": web_extra(port)} for port in web_ports)
    async with two_instances(tmp_path, "http://127.0.0.1:9", database_url, extras):
        urls = [f"http://127.0.0.1:{p}" for p in web_ports]
        members = [WebMember(p, tokens[p.telegram_user_id], urls) for p in CADRES]
        notes = 6
        await asyncio.gather(*(m.open_visit() for m in members))
        # Everyone types their notes at once, without waiting for the answers.
        for i in range(1, notes + 1):
            await asyncio.gather(*(m.says(note(m.person, i)) for m in members))
        cards = await asyncio.gather(*(m.card_with(note(m.person, notes)) for m in members))
        for member, card in zip(members, cards, strict=True):
            assert_notes_once_in_order(card, member.person, notes)
        for member in members:
            await member.http.aclose()
    by = await handled_by(engine)
    assert sum(by.values()) == len(CADRES) * (2 + notes)
    assert len(by) == 2, by  # both instances handled updates
