"""The in-memory township and village directory matches the database after the sync."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.db.directory import Directory
from bot.core.db.engine import session_factory
from bot.core.models import Township, Village
from bot.members.township_queries import set_village_active

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _settings(villages: list[str]) -> Settings:
    return parse_settings(
        {
            "telegram": {"token": "1:x"},
            "townships": [
                {"code": "AAA", "name": "甲镇", "villages": [{"name": n} for n in villages]},
                {"code": "BBB", "name": "乙镇", "villages": [{"name": "乙一村"}]},
            ],
        },
        "test",
    )


async def test_directory_mirrors_the_synced_townships_and_villages(engine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await member_db.sync_townships(session, _settings(["东村", "西村", "南村"]))
    # 西村 is retired in chat (and leaves the config, which no longer decides): it stays in
    # the database, inactive; 北村, new in the config, is added.
    async with sessions() as session, session.begin():
        aaa = await member_db.township_by_code(session, "AAA")
        west = next(v for v in await member_db.villages_of(session, aaa.id) if v.name == "西村")
        await set_village_active(session, aaa.id, west.id, False, actor_member_id=None, now=NOW)
    async with sessions() as session, session.begin():
        await member_db.sync_townships(session, _settings(["东村", "南村", "北村"]))
        directory = await Directory.load(session)
        townships = {t.code: t for t in await session.scalars(select(Township))}
        villages = list(await session.scalars(select(Village).order_by(Village.id)))

    a = townships["AAA"]
    assert directory.township(a.id) is not None
    assert (directory.township(a.id).code, directory.township(a.id).name) == ("AAA", "甲镇")
    assert directory.township(-1) is None
    listed = directory.villages_of(a.id)
    expected = await _active_names(engine, a.id)
    assert [v.name for v in listed] == expected == ["东村", "南村", "北村"]
    west = next(v for v in villages if v.name == "西村")
    assert directory.village(west.id) is not None and not directory.village(west.id).active
    assert all(directory.village(v.id).township_id == v.township_id for v in villages)
    # A listing is a copy: changing it does not change the directory.
    listed.clear()
    assert len(directory.villages_of(a.id)) == 3


async def _active_names(engine, township_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_factory(engine)() as session:
        return [v.name for v in await member_db.villages_of(session, township_id)]
