"""`township-bot db`, `backup` and `restore`."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import gettext_of, settings_of


def cmd_db(args: argparse.Namespace) -> int:
    _ = gettext_of(args)
    settings = settings_of(args)
    from bot.core.db.migrate import upgrade_sync

    if args.action == "upgrade":
        upgrade_sync(settings.database.url, args.revision)
        print(_("Database is at revision {revision}.").format(revision=args.revision))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, backup

    _ = gettext_of(args)
    settings = settings_of(args)
    try:
        revision = backup(settings.database.url, args.path)
    except BackupError as exc:
        print(_("Backup failed: {error}").format(error=exc), file=sys.stderr)
        return 2
    print(
        _("Backup written to {path} (schema revision {revision}); integrity check ok.").format(
            path=args.path, revision=revision
        )
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, restore
    from bot.core.db.migrate import upgrade_sync

    _ = gettext_of(args)
    settings = settings_of(args)
    try:
        revision = restore(settings.database.url, args.path, force=args.force)
    except BackupError as exc:
        print(_("Restore failed: {error}").format(error=exc), file=sys.stderr)
        return 2
    upgrade_sync(settings.database.url)
    print(
        _(
            "Restored {path} (schema revision {revision}) and migrated it to the latest schema."
        ).format(path=args.path, revision=revision)
    )
    return 0
