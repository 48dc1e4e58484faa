"""`township-bot check-config`: is the file valid, and is the deployment usable?

A valid file can still describe a deployment nobody can use: a township nobody may manage,
no villages to log visits in, no group for the agendas, no way to build invitation links,
a year without its holidays. Each is a warning that says how to fix it; errors stay errors.
The database is read too when it exists (secretaries usually arrive by invitation, so they
are there rather than in the file); it is never created or changed here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bot.cli.common import gettext_of, require_townships, settings_of
from bot.core.config import ENV_TOKEN, Settings
from bot.core.reach import Route, TelegramProblem, TelegramUnreachable, Text, get_me

DATABASE_TIMEOUT = 10.0


@dataclass
class TownshipFacts:
    """What the database knows about one township."""

    secretaries: int = 0
    pending_invite_until: datetime | None = None
    villages: int = 0
    group_chat_id: int | None = None


@dataclass
class DatabaseFacts:
    admins: int = 0
    townships: dict[str, TownshipFacts] = field(default_factory=dict)
    # Years whose State Council holiday notice was imported (`township-bot calendar import`).
    holiday_years: set[int] = field(default_factory=set)


@dataclass
class Findings:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreachable: str = ""


def cmd_check_config(args: argparse.Namespace) -> int:
    _ = gettext_of(args)
    settings = settings_of(args)
    require_townships(settings)
    villages = sum(len(t.villages) for t in settings.townships)
    print(
        _(
            "Configuration is valid: {townships} township(s), {villages} village(s), "
            "time zone {timezone}, language {language}, {token}."
        ).format(
            townships=len(settings.townships),
            villages=villages,
            timezone=settings.timezone,
            language=settings.language,
            token=_("token set") if settings.telegram.token else _("token NOT set"),
        )
    )
    findings = Findings()
    facts, note = asyncio.run(database_facts(settings, _))
    if note:
        findings.warnings.append(note)
    asyncio.run(check_telegram(settings, findings, _, offline=args.offline))
    today = datetime.now(settings.tz).date()
    check_deployment(settings, facts, today, findings, _)
    for line in findings.warnings:
        print(_("Warning: {text}").format(text=line))
    for line in findings.errors:
        print(_("Error: {text}").format(text=line), file=sys.stderr)
    if findings.unreachable:
        print(findings.unreachable, file=sys.stderr)
    if findings.errors:
        return 2
    if findings.unreachable:
        return 3
    if not findings.warnings:
        print(_("No problems found."))
    return 0


async def check_telegram(settings: Settings, findings: Findings, _: Text, *, offline: bool) -> None:
    """The token and the bot's username, through getMe when the network allows."""
    tg = settings.telegram
    username = ""
    if not tg.token:
        findings.warnings.append(
            _(
                "No bot token: `township-bot run` cannot start. Set the environment variable "
                "{env} (or [telegram] token)."
            ).format(env=ENV_TOKEN)
        )
    elif settings.channel.web:
        return  # `township-bot run` serves the Bot API itself; invitations need no username
    elif not offline:
        try:
            username = await get_me(tg.token, Route.of(settings), _)
        except TelegramUnreachable as exc:
            findings.unreachable = exc.render(_)
        except TelegramProblem as exc:
            findings.errors.append(exc.render(_))
        else:
            print(_("The token works: the bot is @{username}.").format(username=username))
    if username and tg.bot_username and tg.bot_username.lower() != username.lower():
        findings.errors.append(
            _(
                "[telegram] bot_username is {configured}, but the token belongs to @{actual}: "
                "invitation links would open the wrong bot. Correct bot_username (or leave it "
                "empty)."
            ).format(configured=repr(tg.bot_username), actual=username)
        )
    # With a token and the network, `invite` asks getMe; offline, that is not known yet.
    if not username and not tg.bot_username and (not tg.token or findings.unreachable):
        findings.warnings.append(
            _(
                "The bot's username is unknown, so invitation links cannot be built: set "
                "[telegram] bot_username (the @username from @BotFather, without the @)."
            )
        )


def check_deployment(
    settings: Settings, facts: DatabaseFacts, today: date, findings: Findings, _: Text
) -> None:
    """Warnings about what makes the deployment useless, each with its fix."""
    admins = len(settings.roles.admins) + facts.admins
    for township in settings.townships:
        stored = facts.townships.get(township.code)
        known = stored or TownshipFacts()
        code = township.code
        # Once the township is in the database, its villages and group are managed in chat
        # and the database holds them; the config only seeded them.
        villages = known.villages if stored else len(township.villages)
        group = known.group_chat_id if stored else township.group_chat_id
        if not admins and not township.secretaries and not known.secretaries:
            if known.pending_invite_until is None:
                line = _(
                    "{code}: nobody can manage this township yet (no secretary, no admin). "
                    "Invite the first secretary: `township-bot invite --township {code} --role "
                    "secretary` (or run `township-bot init`), and open the link on the "
                    "secretary's phone."
                )
            else:
                line = _(
                    "{code}: no secretary has joined yet; their invitation is unused (valid "
                    "until {until} UTC). Open it on the secretary's phone, or make a new one: "
                    "`township-bot invite --township {code} --role secretary`."
                )
            until = known.pending_invite_until
            findings.warnings.append(
                line.format(code=code, until=f"{until:%Y-%m-%d %H:%M}" if until else "")
            )
        if not villages:
            findings.warnings.append(
                _(
                    "{code}: no villages, so visits cannot be logged and nobody can be assigned "
                    "包村 villages. Add them in chat with /villages, or add one "
                    "[[townships.villages]] entry per village to the config (`township-bot "
                    "init` asks for them)."
                ).format(code=code)
            )
        if group is None:
            findings.warnings.append(
                _(
                    "{code}: no township group chat, so agendas and published lists have "
                    "nowhere to go. Add the bot to the township's work group: it then offers "
                    "the secretaries, privately, to make it the township group."
                ).format(code=code)
            )
    for table, jobs in [("[jobs]", settings.jobs)] + [
        (f"[townships.jobs] ({t.code})", t.jobs) for t in settings.townships if t.jobs is not None
    ]:
        if jobs.dispute_due_within_days is not None or jobs.dispute_escalate_after_days is not None:
            findings.warnings.append(
                _(
                    "{table}: dispute_due_within_days and dispute_escalate_after_days are "
                    "ignored; the dispute reminders follow [cases] due_soon_days and "
                    "escalation_after_days. Move the values there and delete these two keys."
                ).format(table=table)
            )
    for year in (today.year, today.year + 1):
        if not calendar_known(settings, year) and year not in facts.holiday_years:
            findings.warnings.append(
                _(
                    "The holiday calendar has no data for {year}: from {start} only Monday to "
                    "Friday count as workdays. Once the State Council publishes the {year} "
                    "holidays (usually in November or December), import them: "
                    "`township-bot calendar import FILE`."
                ).format(year=year, start=f"{year}-01-01")
            )


def calendar_known(settings: Settings, year: int) -> bool:
    """Whether the workday calendar knows `year`'s holidays (the library, or the config)."""
    from bot.core.calendar import WorkCalendar

    entered = [*settings.calendar.extra_holidays, *settings.calendar.extra_workdays]
    return WorkCalendar().covers(year) or any(d.year == year for d in entered)


async def database_facts(settings: Settings, _: Text) -> tuple[DatabaseFacts, str]:
    """What the database says, when there is one; never creates or migrates it."""
    from sqlalchemy import func, inspect, select

    from bot.core.db import members as member_db
    from bot.core.db.engine import create_engine, is_sqlite, session_factory
    from bot.core.models import CalendarDay, Invite, Township, Village
    from bot.core.roles import Role

    url = settings.database.url
    if is_sqlite(url) and not _sqlite_file_exists(url):
        return DatabaseFacts(), ""
    facts = DatabaseFacts()
    engine = create_engine(url)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), session_factory(engine)() as session:
            facts.admins = len(await member_db.admins(session))
            now = datetime.now(UTC)
            for township in await session.scalars(select(Township)):
                pending = await session.scalar(
                    select(func.max(Invite.expires_at)).where(
                        Invite.township_id == township.id,
                        Invite.role == Role.SECRETARY,
                        Invite.used_at.is_(None),
                        Invite.expires_at > now,
                    )
                )
                villages = await session.scalar(
                    select(func.count(Village.id)).where(
                        Village.township_id == township.id, Village.active.is_(True)
                    )
                )
                secretaries = await member_db.recipients(
                    session, township.id, Role.SECRETARY, reachable_only=False
                )
                facts.townships[township.code] = TownshipFacts(
                    secretaries=len(secretaries),
                    pending_invite_until=pending,
                    villages=villages or 0,
                    group_chat_id=township.group_chat_id,
                )
            # A database not yet migrated to the notices table has imported none.
            if await session.run_sync(lambda s: inspect(s.connection()).has_table("calendar_days")):
                facts.holiday_years = set(
                    await session.scalars(select(CalendarDay.year).distinct())
                )
    except Exception as exc:  # unreachable, or not yet created: the file is still checked
        return DatabaseFacts(), _(
            "The database could not be read ({error}); only the configuration was checked."
        ).format(error=type(exc).__name__)
    finally:
        await engine.dispose()
    return facts, ""


def _sqlite_file_exists(url: str) -> bool:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    return bool(database) and database != ":memory:" and Path(str(database)).exists()
