"""The townships' work groups on the web channel: instances starting at the same moment on
one PostgreSQL both open them, and each group exists once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.core.db.engine import is_sqlite, session_factory
from bot.core.models import Township as TownshipRow
from bot.core.models import WebChat
from bot.web import store
from tests.web.conftest import Township
from tests.web.test_update_numbers import wait_blocked_or_done


async def test_two_instances_open_the_groups_at_once(township: Township, database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite has one writer at a time")
    sessions = session_factory(township.engine)
    # The groups were set before the web channel was (by the configuration, say): no row
    # of theirs is updated, so nothing else makes the instances wait for each other.
    async with sessions.begin() as session:
        session.add_all(
            [
                TownshipRow(code="GA", name="甲镇", group_chat_id=-1_000_001),
                TownshipRow(code="GB", name="乙镇", group_chat_id=-1_000_002),
            ]
        )

    async def opens() -> None:
        async with sessions.begin() as session:
            await store.ensure_township_groups(session)

    first = sessions()
    async with first.begin():
        await store.ensure_township_groups(first)
        second = asyncio.create_task(opens())
        await wait_blocked_or_done(township, second)
    await first.close()
    await second  # the second instance starts too, without an error

    async with sessions() as session:
        rows = (await session.scalars(select(TownshipRow).order_by(TownshipRow.code))).all()
        groups = [row.group_chat_id for row in rows if row.code in ("GA", "GB")]
        assert groups == [-1_000_001, -1_000_002]
        chats = await session.execute(
            select(WebChat.id, WebChat.type, WebChat.title, func.count())
            .where(WebChat.id.in_(groups))
            .group_by(WebChat.id, WebChat.type, WebChat.title)
            .order_by(WebChat.title)
        )
        assert sorted(chats.all()) == sorted(
            [(groups[0], "supergroup", "甲镇工作群", 1), (groups[1], "supergroup", "乙镇工作群", 1)]
        )
