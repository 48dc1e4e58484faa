"""The `township-bot` command.

Its messages are in the command line's language: `--lang`, else the config's `language`,
else Chinese. Expected problems (a mistake in the config, no route to Telegram, a rejected
token) end the command with one clear line and a non-zero exit code, never a traceback:
2 for the configuration or the token, 3 when Telegram cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.calendar import add_calendar_parser
from bot.cli.check import cmd_check_config
from bot.cli.common import language_of, text_for
from bot.cli.database import cmd_backup, cmd_db, cmd_restore
from bot.cli.export import cmd_export
from bot.cli.invite import ROLES, cmd_invite
from bot.cli.running import cmd_demo, cmd_run
from bot.cli.wizard import cmd_init
from bot.core.config import ENV_CONFIG, LANGUAGES, ConfigError
from bot.core.reach import TelegramProblem, Text

__all__ = ["build_parser", "main"]


def build_parser(_: Text | None = None) -> argparse.ArgumentParser:
    _ = _ or text_for("en")
    parser = argparse.ArgumentParser(
        prog="township-bot",
        description=_("Township weekly work discipline bot (周五交账, 周一例会, 红黑榜)."),
    )
    lang_help = _("language of the messages: zh_CN or en (default: the config's language)")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help=lang_help)
    # Also accepted after the command (township-bot init --lang en); SUPPRESS keeps the
    # value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=lang_help)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, *, config: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        if config:
            p.add_argument(
                "--config",
                metavar="PATH",
                help=_("config file (default: ${env} or ./config.toml)").format(env=ENV_CONFIG),
            )
        return p

    init = command("init", _("guided set-up: write config.toml and invite the first secretary"))
    init.add_argument(
        "--force", action="store_true", help=_("replace an existing config file (kept as .bak)")
    )
    init.set_defaults(func=cmd_init)

    run = command("run", _("run the bot (long polling or webhook)"))
    run.add_argument(
        "--demo-if-no-token",
        action="store_true",
        help=_("start the offline demo when no token is set"),
    )
    run.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    demo = command("demo", _("run offline against the built-in Telegram emulator"), config=False)
    demo.add_argument("--script", action="store_true", help=_("play the scripted tour and exit"))
    demo.add_argument(
        "--port", type=int, default=0, help=_("emulator port (default: any free one)")
    )
    demo.add_argument("--data-dir", type=Path, default=None, help=_("where the demo database goes"))
    demo.add_argument(
        "--page-port",
        type=int,
        default=None,
        help=_(
            "port of the sandbox page on 127.0.0.1 (default: 8765, or a free one if busy; "
            "0: any free port)"
        ),
    )
    demo.add_argument(
        "--no-page",
        action="store_true",
        help=_("no browser page: play the scripted tour, then keep the bot running"),
    )
    demo.add_argument("--open", action="store_true", help=_("open the page in a web browser"))
    demo.set_defaults(func=cmd_demo)

    db = command("db", _("database maintenance"))
    db.add_argument("action", choices=["upgrade"])
    db.add_argument("revision", nargs="?", default="head")
    db.set_defaults(func=cmd_db)

    check = command(
        "check-config", _("check the configuration and whether the deployment is usable")
    )
    check.add_argument(
        "--offline", action="store_true", help=_("do not ask Telegram (getMe) about the token")
    )
    check.set_defaults(func=cmd_check_config)

    backup = command("backup", _("online backup of the SQLite database"))
    backup.add_argument("path", type=Path, help=_("the backup file to write (must not exist)"))
    backup.set_defaults(func=cmd_backup)

    restore = command("restore", _("restore the SQLite database from a backup (bot stopped)"))
    restore.add_argument("path", type=Path, help=_("a file written by `township-bot backup`"))
    restore.add_argument("--force", action="store_true", help=_("restore even if a lease is held"))
    restore.set_defaults(func=cmd_restore)

    invite = command("invite", _("print a single-use invitation link"))
    invite.add_argument("--township", required=True, metavar="CODE")
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.set_defaults(func=cmd_invite)

    export = command(
        "export",
        _("write the ledger (XLSX), the printable list page (HTML) or a document for print (PDF)"),
    )
    export.add_argument("--township", required=True, metavar="CODE")
    export.add_argument(
        "--period",
        default="month",
        help=_(
            "week, month, quarter (the latest complete one) or a key: 2026-W47, 2026-10, 2026-Q4"
        ),
    )
    export.add_argument("--format", choices=["xlsx", "html", "pdf"], default="xlsx")
    export.add_argument(
        "--document",
        choices=["ledger", "list", "casebrief"],
        default=None,
        help=_(
            "with --format pdf: ledger (the 台账 summary, the default), list (the red and "
            "black lists) or casebrief (the dispute brief for the 政法联席会议, as of today)"
        ),
    )
    export.add_argument("--out", required=True, metavar="PATH")
    export.set_defaults(func=cmd_export)

    add_calendar_parser(command, _)
    return parser


def _early_language(argv: list[str]) -> str:
    """The language for --help and argument errors, before the arguments are parsed."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", default=None)
    early.add_argument("--config", default=None)
    known, _rest = early.parse_known_args(argv)
    return language_of(known.lang, known.config)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(text_for(_early_language(argv))).parse_args(argv)
    args.lang = language_of(args.lang, getattr(args, "config", None))
    _ = text_for(args.lang)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 2
    except TelegramProblem as exc:
        print(exc.render(_), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
