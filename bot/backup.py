"""Online backup and restore of the embedded SQLite database.

`backup` uses SQLite's backup API, which copies a consistent snapshot while the bot keeps
running. `restore` checks the backup, refuses while a bot instance holds the active lease,
and swaps the file in atomically. PostgreSQL deployments use pg_dump / pg_restore.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "backup and restore are for the embedded SQLite database; for PostgreSQL use "
            "pg_dump and pg_restore."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory; there is nothing to back up")
    return Path(url.database)


def _check(path: Path) -> str:
    """Integrity check; returns the schema revision."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} failed SQLite's integrity check")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a township-bot database: {exc}") from None
    if row is None:
        raise BackupError(f"{path} has no schema revision")
    return str(row[0])


def backup(database_url: str, target: Path) -> str:
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"database {source} does not exist")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    return _check(target)


def _active_holder(database: Path) -> str | None:
    if not database.exists():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        try:
            row = conn.execute(
                "SELECT holder, expires_at FROM leases WHERE name = 'active'"
            ).fetchone()
        except sqlite3.OperationalError:
            return None
    if row is None:
        return None
    expires = datetime.fromisoformat(str(row[1]))
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return str(row[0]) if expires > datetime.now(UTC) else None


def restore(database_url: str, backup_file: Path, *, force: bool = False) -> str:
    target = sqlite_path(database_url)
    if not backup_file.exists():
        raise BackupError(f"backup {backup_file} does not exist")
    revision = _check(backup_file)
    holder = _active_holder(target)
    if holder and not force:
        raise BackupError(
            f"a bot instance ({holder}) is running on {target}; stop it first "
            "(or pass --force if it is certainly gone)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    with (
        contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(staging)) as dst,
    ):
        src.backup(dst)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staging, target)
    return revision
