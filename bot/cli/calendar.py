"""`township-bot calendar import FILE [--yes]` and `township-bot calendar show YEAR`.

Every failure a user can meet (no such file, a notice that cannot be read, a database that
cannot be reached) is one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.cli.common import settings_of
from bot.core.config import ENV_CONFIG, LANGUAGES
from bot.core.i18n import gettext_for
from bot.core.text import plain

if TYPE_CHECKING:
    from bot.calendar.rules import Notice
    from bot.core.config import Settings
    from bot.core.i18n import Gettext

T = TypeVar("T")
FAILED = 1
YES = ("y", "yes", "是", "确认")


class CalendarCliError(Exception):
    """One line for stderr."""


def add_calendar_parser(
    command: Callable[..., argparse.ArgumentParser], _: Callable[[str], str]
) -> None:
    """`calendar import` and `calendar show`, through the parser's `command(name, help)`."""
    calendar = command(
        "calendar",
        _("the holiday calendar: import the State Council's notice, show a year"),
        config=False,
    )
    actions = calendar.add_subparsers(dest="action", required=True)
    for name, help_text in (
        (
            "import",
            _(
                "read a holiday notice (国务院办公厅关于XXXX年部分节假日安排的通知), "
                "show its days and store them"
            ),
        ),
        ("show", _("the days of a year that differ from Monday to Friday")),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--config",
            metavar="PATH",
            help=_("config file (default: ${env} or ./config.toml)").format(env=ENV_CONFIG),
        )
        action.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help=_("language of the messages: zh_CN or en (default: the config's language)"),
        )
        if name == "import":
            action.add_argument(
                "file", type=Path, help=_("the notice as plain text (UTF-8 or GB18030)")
            )
            action.add_argument("--yes", action="store_true", help=_("store without asking"))
            action.set_defaults(func=cmd_calendar_import)
        else:
            action.add_argument("year", type=int)
            action.set_defaults(func=cmd_calendar_show)


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from bot.calendar.rules import NoticeError, parse_notice
    from bot.calendar.views import day_line, summary

    settings = settings_of(args)
    _ = gettext_for(args.lang)
    try:
        text = _read(_, args.file)
        try:
            notice = parse_notice(text)
        except NoticeError as exc:
            raise CalendarCliError(
                _("{file}: {problem} Nothing was stored.").format(
                    file=args.file, problem=exc.text(_)
                )
            ) from None
        days = notice.days()
        for day in days:
            print(day_line(day))
        print(plain(summary(_, notice.year, days)))
        replaces = _run(_, settings, _replaces(_, settings, notice.year))
        if replaces:
            print(plain(replaces))
        if not args.yes and not _confirm(plain(_("Store these days? [y/N] "))):
            print(plain(_("Nothing was stored.")), file=sys.stderr)
            return FAILED
        print(plain(_run(_, settings, _store(_, settings, notice))))
    except CalendarCliError as exc:
        print(plain(exc.args[0]), file=sys.stderr)
        return FAILED
    return 0


def cmd_calendar_show(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    _ = gettext_for(args.lang)
    try:
        if not 1901 <= args.year <= 2199:
            raise CalendarCliError(
                _("{year} is not a year the calendar can show.").format(year=args.year)
            )
        lines, source = _run(_, settings, _show(_, settings, args.year))
    except CalendarCliError as exc:
        print(plain(exc.args[0]), file=sys.stderr)
        return FAILED
    for line in lines:
        print(line)
    print(plain(source), file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- pieces


def _read(_: Gettext, path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CalendarCliError(_("{file}: no such file.").format(file=path)) from None
    except OSError as exc:
        raise CalendarCliError(
            _("{file}: cannot be read ({reason}).").format(file=path, reason=exc.strerror)
        ) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarCliError(  # pragma: no cover  (gb18030 decodes nearly any bytes)
        _("{file}: not a text file.").format(file=path)
    )


def _confirm(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:
        print()
        return False
    return answer.strip().lower() in YES


def _run(_: Gettext, settings: Settings, work: Coroutine[Any, Any, T]) -> T:
    """Run database work; a database that cannot be reached is one line."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return asyncio.run(work)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        url = make_url(settings.database.url).render_as_string(hide_password=True)
        raise CalendarCliError(
            _("Cannot use the database {url}: {reason}").format(url=url, reason=reason)
        ) from None


async def _session_work(settings: Settings, work: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
    from bot.core.db.engine import create_engine, session_factory
    from bot.core.db.migrate import upgrade

    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


async def _replaces(_: Gettext, settings: Settings, year: int) -> str:
    from bot.calendar import queries
    from bot.calendar.views import replaces_text
    from bot.week.schedule import work_calendar

    async def work(session: Any) -> str:
        await queries.reload(session, settings)
        imported = await queries.imported_years(session)
        return replaces_text(_, work_calendar(settings), year, imported, settings.tz)

    return await _session_work(settings, work)


async def _store(_: Gettext, settings: Settings, notice: Notice) -> str:
    from bot.calendar import queries
    from bot.calendar.views import stored_text
    from bot.core.clock import SystemClock

    async def work(session: Any) -> str:
        stored = await queries.store_days(
            session, notice.year, notice.days(), SystemClock().now(), via="cli"
        )
        return stored_text(_, stored)

    text = await _session_work(settings, work)
    if settings.scheduler.tick_seconds:
        text += "\n" + _("A running bot takes them up within {seconds} seconds.").format(
            seconds=settings.scheduler.tick_seconds
        )
    return text


async def _show(_: Gettext, settings: Settings, year: int) -> tuple[list[str], str]:
    from bot.calendar import queries
    from bot.calendar.views import differing_days, info_line, source_text
    from bot.week.schedule import work_calendar

    async def work(session: Any) -> tuple[list[str], str]:
        await queries.reload(session, settings)
        imported = await queries.imported_years(session)
        calendar = work_calendar(settings)
        lines = [info_line(info) for info in differing_days(calendar, year)]
        source = source_text(_, calendar, year, imported, settings.tz)
        if not calendar.knows(year):
            source += " " + _(
                "Import the State Council's notice with: township-bot calendar import FILE"
            )
        return lines, source

    return await _session_work(settings, work)
