"""The `township-bot` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.core.config import ENV_CONFIG, ENV_TOKEN, ConfigError, Settings, load_settings

log = logging.getLogger("township-bot")
ROLES = ("cadre", "mediator", "secretary")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _require_townships(settings: Settings) -> None:
    if not settings.townships:
        raise ConfigError(
            "No township is configured: add at least one [[townships]] entry "
            "(see config.example.toml)."
        )


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.telegram.token:
        if args.demo_if_no_token:
            print("No bot token is configured, so the offline demo starts instead.\n")
            return cmd_demo(argparse.Namespace(script=False, port=args.port, data_dir=None))
        print(
            "No Telegram bot token is configured.\n"
            f"Set [telegram] token in your config file or the environment variable {ENV_TOKEN}.\n"
            "To try the bot without Telegram, run:  township-bot demo",
            file=sys.stderr,
        )
        return 2
    _require_townships(settings)
    from bot.core.logsetup import setup_logging

    setup_logging([settings.telegram.token, settings.telegram.webhook.secret_token])
    from bot.runner import run_forever

    run_forever(settings)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from devkit.demo import DEFAULT_PAGE_PORT, run_demo

    page_port = getattr(args, "page_port", None)
    return asyncio.run(
        run_demo(
            script_only=args.script,
            port=args.port or 0,
            data_dir=args.data_dir,
            page=not getattr(args, "no_page", False),
            page_port=DEFAULT_PAGE_PORT if page_port is None else page_port,
            open_browser=getattr(args, "open", False),
        )
    )


def cmd_db(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from bot.core.db.migrate import upgrade_sync

    if args.action == "upgrade":
        upgrade_sync(settings.database.url, args.revision)
        print(f"Database is at revision {args.revision}.")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _require_townships(settings)
    villages = sum(len(t.villages) for t in settings.townships)
    print(
        f"Configuration is valid: {len(settings.townships)} township(s), {villages} village(s), "
        f"time zone {settings.timezone}, language {settings.language}, "
        f"token {'set' if settings.telegram.token else 'NOT set'}."
    )
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.township(args.township) is None:
        known = ", ".join(t.code for t in settings.townships) or "none"
        raise ConfigError(f"Unknown township code {args.township!r} (configured: {known}).")
    return asyncio.run(_invite(settings, args.township, args.role))


async def _invite(settings: Settings, code: str, role: str) -> int:
    from bot.core.clock import SystemClock
    from bot.core.db import members as member_db
    from bot.core.db.engine import create_engine, session_factory
    from bot.core.db.migrate import upgrade

    username = settings.telegram.bot_username or await _bot_username(settings)
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            await member_db.sync_townships(session, settings)
            township = await member_db.township_by_code(session, code)
            assert township is not None
            token = await member_db.create_invite(
                session,
                township_id=township.id,
                role=role,
                now=SystemClock().now(),
                valid_for=timedelta(hours=settings.invites.valid_hours),
            )
    finally:
        await engine.dispose()
    print(f"https://t.me/{username}?start={token}")
    print(
        f"Single use, valid for {settings.invites.valid_hours} hours: {role} of {code}.",
        file=sys.stderr,
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.township(args.township) is None:
        known = ", ".join(t.code for t in settings.townships) or "none"
        raise ConfigError(f"Unknown township code {args.township!r} (configured: {known}).")
    from bot.core.clock import SystemClock
    from bot.lists.periods import parse_period

    now = SystemClock().now()
    period = parse_period(args.period, now.astimezone(settings.township_tz(args.township)).date())
    if period is None:
        print(
            f"Unknown period {args.period!r}: use week, month or quarter, or a key such as "
            "2026-W47, 2026-10 or 2026-Q4.",
            file=sys.stderr,
        )
        return 2
    data = asyncio.run(_export(settings, args.township, period, args.format, now))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Wrote {out} ({args.format}, {args.township}, {period.start} to {period.end}).")
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


async def _bot_username(settings: Settings) -> str:
    if not settings.telegram.token:
        raise ConfigError(
            f"Set [telegram] bot_username (or a token via {ENV_TOKEN}) to build invitation links."
        )
    from telegram import Bot

    async with Bot(settings.telegram.token, base_url=settings.telegram.base_url) as bot:
        return str(bot.username)


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, backup

    settings = _settings(args)
    try:
        revision = backup(settings.database.url, args.path)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 2
    print(f"Backup written to {args.path} (schema revision {revision}); integrity check ok.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, restore
    from bot.core.db.migrate import upgrade_sync

    settings = _settings(args)
    try:
        revision = restore(settings.database.url, args.path, force=args.force)
    except BackupError as exc:
        print(f"Restore failed: {exc}", file=sys.stderr)
        return 2
    upgrade_sync(settings.database.url)
    print(
        f"Restored {args.path} (schema revision {revision}) and migrated it to the latest schema."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="township-bot",
        description="Township weekly work discipline bot (周五交账, 周一例会, 红黑榜).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--config",
            metavar="PATH",
            help=f"config file (default: ${ENV_CONFIG} or ./config.toml)",
        )
        return p

    run = with_config(sub.add_parser("run", help="run the bot (long polling or webhook)"))
    run.add_argument(
        "--demo-if-no-token",
        action="store_true",
        help="start the offline demo when no token is set",
    )
    run.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="run offline against the built-in Telegram emulator")
    demo.add_argument("--script", action="store_true", help="play the scripted tour and exit")
    demo.add_argument("--port", type=int, default=0, help="emulator port (default: any free one)")
    demo.add_argument("--data-dir", type=Path, default=None, help="where the demo database goes")
    demo.add_argument(
        "--page-port",
        type=int,
        default=None,
        help="port of the sandbox page on 127.0.0.1 (default: 8765, or a free one if busy; "
        "0: any free port)",
    )
    demo.add_argument(
        "--no-page",
        action="store_true",
        help="no browser page: play the scripted tour, then keep the bot running",
    )
    demo.add_argument("--open", action="store_true", help="open the page in a web browser")
    demo.set_defaults(func=cmd_demo)

    db = with_config(sub.add_parser("db", help="database maintenance"))
    db.add_argument("action", choices=["upgrade"])
    db.add_argument("revision", nargs="?", default="head")
    db.set_defaults(func=cmd_db)

    check = with_config(sub.add_parser("check-config", help="validate the configuration"))
    check.set_defaults(func=cmd_check_config)

    backup = with_config(sub.add_parser("backup", help="online backup of the SQLite database"))
    backup.add_argument("path", type=Path, help="the backup file to write (must not exist)")
    backup.set_defaults(func=cmd_backup)

    restore = with_config(
        sub.add_parser("restore", help="restore the SQLite database from a backup (bot stopped)")
    )
    restore.add_argument("path", type=Path, help="a file written by `township-bot backup`")
    restore.add_argument("--force", action="store_true", help="restore even if a lease is held")
    restore.set_defaults(func=cmd_restore)

    invite = with_config(sub.add_parser("invite", help="print a single-use invitation link"))
    invite.add_argument("--township", required=True, metavar="CODE")
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.set_defaults(func=cmd_invite)

    export = with_config(
        sub.add_parser("export", help="write the ledger (XLSX) or the printable list page (HTML)")
    )
    export.add_argument("--township", required=True, metavar="CODE")
    export.add_argument(
        "--period",
        default="month",
        help="week, month, quarter (the latest complete one) or a key: 2026-W47, 2026-10, 2026-Q4",
    )
    export.add_argument("--format", choices=["xlsx", "html"], default="xlsx")
    export.add_argument("--out", required=True, metavar="PATH")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
