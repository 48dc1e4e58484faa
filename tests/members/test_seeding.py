"""The config seeds a township once and the database wins afterwards: what was done in chat
(a village added, renamed or retired, the group set) survives a restart; a village new to
the config is added. Each running instance sees a change made by another one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.db.directory import Directory, current
from bot.core.db.engine import session_factory
from bot.core.models import Township, Village
from bot.members import township_queries as db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def settings(villages: list[str], group: int | None = -100111, name: str = "甲镇") -> Settings:
    return parse_settings(
        {
            "telegram": {"token": "1:x"},
            "townships": [
                {
                    "code": "AAA",
                    "name": name,
                    "group_chat_id": group,
                    "villages": [{"name": n, "lat": 34.0, "lon": 109.0} for n in villages],
                }
            ],
        },
        "test",
    )


async def villages(session) -> dict[str, Village]:  # type: ignore[no-untyped-def]
    return {v.name: v for v in await session.scalars(select(Village).order_by(Village.id))}


async def test_the_config_seeds_once_and_the_chat_wins_afterwards(engine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await member_db.sync_townships(session, settings(["东村", "西村", "南村"]))
        township = await member_db.township_by_code(session, "AAA")
        assert township.group_chat_id == -100111
        seeded = await villages(session)
        assert {n: v.config_name for n, v in seeded.items()} == {
            "东村": "东村",
            "西村": "西村",
            "南村": "南村",
        }
        tid = township.id
        # In chat: a village added, one renamed, one retired, one given another point, the
        # group changed.
        await db.add_village(session, tid, "新庄村", actor_member_id=None, now=NOW)
        await db.rename_village(
            session, tid, seeded["东村"].id, "东岭村", actor_member_id=None, now=NOW
        )
        await db.set_village_active(
            session, tid, seeded["西村"].id, False, actor_member_id=None, now=NOW
        )
        await db.set_village_point(
            session, tid, seeded["南村"].id, 35.0, 110.0, actor_member_id=None, now=NOW
        )
        await db.set_group(session, tid, -100222, actor_member_id=None, now=NOW)

    # A restart with the same config, then one that adds 北村, drops 南村 and names another
    # group: only 北村 is new.
    for config in (
        settings(["东村", "西村", "南村"]),
        settings(["东村", "西村", "北村"], group=-100333, name="甲镇（新）"),
    ):
        async with sessions() as session, session.begin():
            await member_db.sync_townships(session, config)
    async with sessions() as session:
        now = await villages(session)
        township = await session.get(Township, tid)
    assert list(now) == ["东岭村", "西村", "南村", "新庄村", "北村"]
    assert not now["西村"].active and now["南村"].active and now["北村"].active
    assert (now["南村"].lat, now["南村"].lon) == (35.0, 110.0)
    assert now["新庄村"].config_name is None and now["北村"].config_name == "北村"
    assert township.group_chat_id == -100222
    # A township's name follows the config: it is not edited in chat.
    assert township.name == "甲镇（新）"


async def test_another_instance_sees_a_change_by_the_revision(engine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await member_db.sync_townships(session, settings(["东村"]))
    async with sessions() as session:
        first = await Directory.load(session)
        second = await Directory.load(session)
        # Nothing changed: the directory held is kept (one small query, no reload).
        assert await current(session, second) is second
    tid = next(iter(first.revisions))
    async with sessions() as session, session.begin():
        await db.add_village(session, tid, "新庄村", actor_member_id=None, now=NOW)
    async with sessions() as session:
        seen = await current(session, second)
    assert seen is not second
    assert [v.name for v in seen.villages_of(tid)] == ["东村", "新庄村"]
    assert [v.name for v in first.villages_of(tid)] == ["东村"]
    # A restart that changes nothing does not make every instance reload.
    async with sessions() as session, session.begin():
        await member_db.sync_townships(session, settings(["东村"]))
    async with sessions() as session:
        assert await current(session, seen) is seen


def test_check_config_reads_villages_and_group_from_the_database_once_there() -> None:
    from datetime import date

    from bot.cli.check import DatabaseFacts, Findings, TownshipFacts, check_deployment
    from bot.cli.common import text_for

    config = settings(["东村"], group=-100111)

    def warned(facts: DatabaseFacts) -> list[str]:
        findings = Findings()
        check_deployment(config, facts, date(2026, 3, 2), findings, text_for("en"))
        return [w.split(":")[1].strip() for w in findings.warnings if w.startswith("AAA")]

    # Not in the database yet: the config's villages and group count.
    assert warned(DatabaseFacts(admins=1)) == []
    # In the database, with its villages retired and its group gone: the config does not.
    stored = TownshipFacts(secretaries=1, villages=0, group_chat_id=None)
    assert warned(DatabaseFacts(townships={"AAA": stored})) == [
        "no villages, so visits cannot be logged and nobody can be assigned 包村 villages. Add "
        "them in chat with /villages, or add one [[townships.villages]] entry per village to "
        "the config (`township-bot init` asks for them).",
        "no township group chat, so agendas and published lists have nowhere to go. Add the "
        "bot to the township's work group",
    ]
