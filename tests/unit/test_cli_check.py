"""`township-bot check-config`: what makes a valid deployment useless, each with its fix."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.calendar import queries as calendar_db
from bot.cli.check import (
    DatabaseFacts,
    Findings,
    TownshipFacts,
    check_deployment,
    check_telegram,
    database_facts,
)
from bot.cli.common import text_for
from bot.core.calendar import NoticeDay
from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import session_factory
from bot.members import queries as member_queries
from devkit.sample import PEOPLE, seed_people
from tests.unit.test_cli import run, write_config

en = text_for("en")
TODAY = date(2026, 12, 2)
BARE = {"townships": [{"code": "SHZ", "name": "沙河子镇"}]}


def warnings(settings: Settings, facts: DatabaseFacts, today: date = TODAY) -> list[str]:
    findings = Findings()
    check_deployment(settings, facts, today, findings, en)
    assert findings.errors == []
    return findings.warnings


def test_a_bare_township_gets_each_warning_with_its_fix(no_network: None) -> None:
    found = warnings(parse_settings(BARE), DatabaseFacts())
    [nobody, villages, group, calendar] = found
    assert nobody.startswith("SHZ: nobody can manage this township yet")
    assert "`township-bot invite --township SHZ --role secretary`" in nobody
    assert "`township-bot init`" in nobody
    assert villages.startswith("SHZ: no villages") and "[[townships.villages]]" in villages
    assert group.startswith("SHZ: no township group chat") and "Add the bot to" in group
    # 2026 is in the holiday library; 2027 is not yet.
    assert "no data for 2027" in calendar and "`township-bot calendar import FILE`" in calendar


def test_what_the_database_holds_counts(no_network: None) -> None:
    settings = parse_settings(BARE)
    known = TownshipFacts(secretaries=1, villages=3, group_chat_id=-1001000000101)
    found = warnings(settings, DatabaseFacts(townships={"SHZ": known}))
    assert [w for w in found if w.startswith("SHZ")] == []
    # A county admin can manage every township, so a township without a secretary is not lost.
    found = warnings(settings, DatabaseFacts(admins=1))
    assert not any("nobody can manage" in w for w in found)
    configured = parse_settings(
        {"townships": [{"code": "SHZ", "name": "沙河子镇", "secretaries": [1001]}]}
    )
    assert not any("nobody can manage" in w for w in warnings(configured, DatabaseFacts()))
    admins = parse_settings({**BARE, "roles": {"admins": [1000]}})
    assert not any("nobody can manage" in w for w in warnings(admins, DatabaseFacts()))


def test_an_unused_invitation_is_mentioned(no_network: None) -> None:
    until = datetime(2026, 12, 5, 8, 30)
    facts = DatabaseFacts(townships={"SHZ": TownshipFacts(pending_invite_until=until)})
    [waiting] = [w for w in warnings(parse_settings(BARE), facts) if "secretary" in w]
    assert waiting.startswith("SHZ: no secretary has joined yet")
    assert "valid until 2026-12-05 08:30 UTC" in waiting


def test_the_calendar_year_ahead(no_network: None) -> None:
    settings = parse_settings(BARE)
    in_2026 = [w for w in warnings(settings, DatabaseFacts()) if "holiday calendar" in w]
    assert len(in_2026) == 1 and "2027" in in_2026[0]
    entered = parse_settings({**BARE, "calendar": {"extra_holidays": ["2027-01-01"]}})
    assert not any("holiday calendar" in w for w in warnings(entered, DatabaseFacts()))
    in_2027 = [
        w for w in warnings(settings, DatabaseFacts(), date(2027, 3, 1)) if "holiday calendar" in w
    ]
    assert ["2027" in in_2027[0], "2028" in in_2027[1]] == [True, True]
    # A notice imported into the database makes its year known.
    imported = DatabaseFacts(holiday_years={2027})
    assert not any("holiday calendar" in w for w in warnings(settings, imported))


def test_the_dispute_keys_of_jobs_are_ignored_with_a_warning(no_network: None) -> None:
    """An older config still loads, and says where the two keys' values now belong."""
    assert not any(
        "dispute_due_within_days" in w for w in warnings(parse_settings(BARE), DatabaseFacts())
    )
    old = parse_settings(
        {
            "jobs": {"dispute_due_within_days": 2, "dispute_escalate_after_days": 3},
            "townships": [
                {"code": "SHZ", "name": "沙河子镇", "jobs": {"dispute_escalate_after_days": 5}}
            ],
        }
    )
    found = [w for w in warnings(old, DatabaseFacts()) if "dispute_due_within_days" in w]
    assert [w.split(":")[0] for w in found] == ["[jobs]", "[townships.jobs] (SHZ)"]
    assert "[cases] due_soon_days and escalation_after_days" in found[0]


async def test_database_facts_read_the_database(
    engine: AsyncEngine, database_url: str, no_network: None
) -> None:
    settings = parse_settings(
        {
            "database": {"url": database_url},
            "townships": [
                {"code": "SHZ", "name": "沙河子镇", "villages": [{"name": "沙河子村"}]},
                {"code": "DJH", "name": "大荆镇"},
            ],
        }
    )
    now = datetime.now(UTC)
    async with session_factory(engine)() as session, session.begin():
        await member_db.sync_townships(session, settings)
        await seed_people(session, now, PEOPLE[:1])
        djh = await member_db.township_by_code(session, "DJH")
        assert djh is not None
        for valid_for in (timedelta(hours=-1), timedelta(hours=72)):  # one expired, one not
            await member_queries.create_invite(
                session, township_id=djh.id, role="secretary", now=now, valid_for=valid_for
            )
        await calendar_db.store_days(
            session,
            2027,
            [NoticeDay(date(2027, 1, 1), False, "元旦", 2027)],
            now,
            via="cli",
        )
    facts, note = await database_facts(settings, en)
    assert note == "" and facts.admins == 0 and facts.holiday_years == {2027}
    assert facts.townships["SHZ"].secretaries == 1 and facts.townships["SHZ"].villages == 1
    assert facts.townships["SHZ"].pending_invite_until is None
    assert facts.townships["DJH"].secretaries == 0
    pending = facts.townships["DJH"].pending_invite_until
    assert pending is not None
    assert abs(pending.replace(tzinfo=UTC) - (now + timedelta(hours=72))) < timedelta(seconds=1)


async def test_no_database_yet_is_not_created(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "not-yet" / "township.db"
    settings = parse_settings({**BARE, "database": {"url": f"sqlite+aiosqlite:///{path}"}})
    assert await database_facts(settings, en) == (DatabaseFacts(), "")
    assert not path.parent.exists()


def test_check_config_reads_the_invitation_from_the_database(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert (
        run(
            "invite", "--township", "SHZ", "--role", "secretary", "--config", config, cwd=tmp_path
        ).returncode
        == 0
    )
    result = run("check-config", "--config", config, "--offline", "--lang", "en", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Warning: SHZ: no secretary has joined yet") for line in lines)
    assert any(line.startswith("Warning: SHZ: no township group chat") for line in lines)
    assert not any("no villages" in line for line in lines)


async def test_the_token_and_the_bots_username(no_network: None) -> None:
    nothing = Findings()
    await check_telegram(parse_settings(BARE), nothing, en, offline=False)
    [no_token, no_username] = nothing.warnings
    assert "No bot token" in no_token and "TOWNSHIP_BOT_TOKEN" in no_token
    assert "[telegram] bot_username" in no_username
    # A token without the network: getMe is not asked now, but `invite` will ask it.
    offline = Findings()
    settings = parse_settings({**BARE, "telegram": {"token": "7000000001:TEST-token"}})
    await check_telegram(settings, offline, en, offline=True)
    assert offline == Findings()
