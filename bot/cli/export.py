"""`township-bot export`: the ledger (XLSX), the printable list page (HTML), or one of the
documents for print as an A4 PDF: the 台账 summary, the list or the dispute brief."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import gettext_of, require_township, settings_of
from bot.core.config import Settings

DOCUMENTS = {"xlsx": ("ledger",), "html": ("list",), "pdf": ("ledger", "list", "casebrief")}


def cmd_export(args: argparse.Namespace) -> int:
    _ = gettext_of(args)
    document = args.document or DOCUMENTS[args.format][0]
    if document not in DOCUMENTS[args.format]:
        print(
            _("--document {document} cannot be written as {format}.").format(
                document=document, format=args.format
            ),
            file=sys.stderr,
        )
        return 2
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
    from bot.core.fonts import NoCjkFont
    from bot.core.worker import RenderFailed

    try:
        data = asyncio.run(_export(settings, args.township, period, args.format, document, now))
    except NoCjkFont as exc:
        print(_("Cannot write the PDF: {reason}").format(reason=exc), file=sys.stderr)
        return 1
    except RenderFailed as exc:
        print(_("Cannot write the PDF: {reason}").format(reason=exc), file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(
        _("Wrote {path} ({format}, {township}, {start} to {end}).").format(
            path=out, format=args.format, township=args.township, start=period.start, end=period.end
        )
    )
    return 0


async def _export(
    settings: Settings, code: str, period: Any, fmt: str, document: str, now: Any
) -> bytes:
    """The document asked for, from the published issue or the current data."""
    from bot.cases.brief_pdf import brief_pdf
    from bot.core.db import members as member_db
    from bot.core.db.engine import create_engine, session_factory
    from bot.core.db.migrate import upgrade
    from bot.core.render import Renderer
    from bot.lists.facts import database_facts
    from bot.lists.ledger import ledger_workbook, lists_for
    from bot.lists.pdf import list_page, list_pdf, summary_page

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
            language = settings.language
            renderer = Renderer()
            if document == "casebrief":
                return await brief_pdf(session, settings, renderer, township, now, language)
            if document == "ledger":
                page = await summary_page(
                    session, settings, renderer, township, period, facts, now, language
                )
                return (await page.pdf()).data
            lists = await lists_for(session, settings, township, period, facts, now)
            make = list_pdf if fmt == "pdf" else list_page
            made = await make(renderer, settings, code, lists.snapshot, lists.issue, language, now)
            return made if isinstance(made, bytes) else made.encode()
    finally:
        await engine.dispose()
