"""Helpers for reads that load a whole township (or county) at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Holders of `gc_paused` now, and whether the first of them turned the collector off.
_holders = 0
_paused_by_us = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a township's lists or week overview allocate many
    small objects that all stay alive, and each burst of allocations set off collections
    that walked them all again (a third to a half of the county's lists at 10,000 cadres,
    and of the weekly summary at 100,000). The callers hold it across their queries, so
    other tasks run without cyclic collection for that long (a fraction of a second for a
    township; reference counting still frees everything else).

    Holders may overlap in any order (two secretaries' lists computed at once, each across
    awaits): collection resumes when the last one leaves, and only if it was on when the
    first one came in."""
    global _holders, _paused_by_us
    if _holders == 0:
        _paused_by_us = gc.isenabled()
        gc.disable()
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0 and _paused_by_us:
            _paused_by_us = False
            gc.enable()
