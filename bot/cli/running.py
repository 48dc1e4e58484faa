"""`township-bot run` and `township-bot demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.common import gettext_of, require_townships, settings_of
from bot.core.config import ENV_TOKEN


def cmd_run(args: argparse.Namespace) -> int:
    _ = gettext_of(args)
    settings = settings_of(args)
    if not settings.telegram.token:
        if args.demo_if_no_token:
            print(_("No bot token is configured, so the offline demo starts instead.") + "\n")
            return cmd_demo(argparse.Namespace(script=False, port=args.port, data_dir=None))
        print(
            _(
                "No Telegram bot token is configured.\n"
                "Set [telegram] token in your config file or the environment variable {env}, "
                "or run `township-bot init`.\n"
                "To try the bot without Telegram, run:  township-bot demo"
            ).format(env=ENV_TOKEN),
            file=sys.stderr,
        )
        return 2
    require_townships(settings)
    from bot.core.logsetup import setup_logging

    setup_logging([settings.telegram.token, settings.telegram.webhook.secret_token])
    from bot.runner import run_forever

    run_forever(settings, language=args.lang)
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
