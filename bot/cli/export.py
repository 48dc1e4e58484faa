"""`township-bot export`: the ledger (XLSX) or the printable list page (HTML)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import gettext_of, require_township, settings_of
from bot.core.config import Settings


def cmd_export(args: argparse.Namespace) -> int:
    _ = gettext_of(args)
    settings = settings_of(args)
    require_township(settings, args.township)
    from bot.core.clock import SystemClock
    from bot.lists.periods import parse_period

    now = SystemClock().now()
    period = parse_period(args.period, now.astimezone(settings.township_tz(args.township)).date())
    if period is None:
        print(
            _(
                "Unknown period {period}: use week, month or quarter, or a key such as "
                "2026-W47, 2026-10 or 2026-Q4."
            ).format(period=repr(args.period)),
            file=sys.stderr,
        )
        return 2
    data = asyncio.run(_export(settings, args.township, period, args.format, now))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(
        _("Wrote {path} ({format}, {township}, {start} to {end}).").format(
            path=out, format=args.format, township=args.township, start=period.start, end=period.end
        )
    )
    return 0


async def _export(settings: Settings, code: str, period: Any, fmt: str, now: Any) -> bytes:
    """The ledger or the printable page, from the published issue or the current data."""
    from bot.core.db import members as member_db
    from bot.core.db.engine import create_engine, session_factory
    from bot.core.db.migrate import upgrade
    from bot.core.render import Renderer
    from bot.lists.facts import database_facts
    from bot.lists.ledger import ledger_workbook, printable_page

    facts = database_facts(settings)
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            await member_db.sync_townships(session, settings)
            township = await member_db.township_by_code(session, code)
            assert township is not None
            if fmt == "xlsx":
                return await ledger_workbook(session, settings, township, period, facts, now)
            page = await printable_page(
                session,
                settings,
                Renderer(),
                township,
                period,
                facts,
                now,
                settings.language,
            )
            return page.encode()
    finally:
        await engine.dispose()
