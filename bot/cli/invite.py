"""`township-bot invite`: a single-use invitation link, printed for the shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta

from bot.cli.common import gettext_of, require_township, settings_of
from bot.core.config import ENV_TOKEN, ConfigError, Settings
from bot.core.i18n import N_
from bot.core.reach import Route, Text, get_me

ROLES = ("cadre", "mediator", "secretary")


def cmd_invite(args: argparse.Namespace) -> int:
    _ = gettext_of(args)
    settings = settings_of(args)
    require_township(settings, args.township)
    link = asyncio.run(invite_link(settings, args.township, args.role, _))
    print(link)
    print(
        _("Single use, valid for {hours} hours: {role} of {township}.").format(
            hours=settings.invites.valid_hours, role=_(args.role), township=args.township
        ),
        file=sys.stderr,
    )
    return 0


async def bot_username(settings: Settings, _: Text) -> str:
    """[telegram] bot_username, else getMe (which may raise a TelegramProblem)."""
    if settings.telegram.bot_username:
        return settings.telegram.bot_username
    if not settings.telegram.token:
        raise ConfigError(
            N_("Set [telegram] bot_username (or a token via {env}) to build invitation links."),
            env=ENV_TOKEN,
        )
    return await get_me(settings.telegram.token, Route.of(settings), _)


async def invite_link(settings: Settings, code: str, role: str, _: Text) -> str:
    """Create the database if needed, the township, and a single-use invitation; its link."""
    from bot.core.clock import SystemClock
    from bot.core.db import members as member_db
    from bot.core.db.engine import create_engine, session_factory
    from bot.core.db.migrate import upgrade
    from bot.members.queries import create_invite

    username = "" if settings.channel.web else await bot_username(settings, _)
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            await member_db.sync_townships(session, settings)
            township = await member_db.township_by_code(session, code)
            assert township is not None
            token = await create_invite(
                session,
                township_id=township.id,
                role=role,
                now=SystemClock().now(),
                valid_for=timedelta(hours=settings.invites.valid_hours),
            )
    finally:
        await engine.dispose()
    return settings.invite_link(username, token)
