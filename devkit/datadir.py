"""One demo process per data directory: a lock held for the process's life.

A second `township-bot demo` finds the directory held and takes the next free one
(`data/demo-2`, …), so it never deletes or writes the first one's database. The lock is the
operating system's (flock), so it goes with the process, however that ends."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOCK_NAME = "demo.lock"


class DataDirBusy(Exception):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(f"{data_dir} is in use by another demo process")
        self.data_dir = data_dir


@dataclass
class DataDirLock:
    data_dir: Path
    _file: IO[str] | None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops the lock
            self._file = None


def _try_lock(fh: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def lock_data_dir(data_dir: Path) -> DataDirLock:
    """Hold `data_dir` for this process, or raise `DataDirBusy` if another holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = (data_dir / LOCK_NAME).open("a+", encoding="utf-8")
    if not _try_lock(fh):
        fh.close()
        raise DataDirBusy(data_dir)
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    return DataDirLock(data_dir, fh)


def candidates(wanted: Path) -> Iterator[Path]:
    """`wanted`, then `wanted-2`, `wanted-3`, … beside it."""
    yield wanted
    for n in range(2, 100):
        yield wanted.with_name(f"{wanted.name}-{n}")
