"""Helpers for reads that load a whole township (or county) at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a township's lists or week overview allocate many
    small objects that all stay alive, and each burst of allocations set off collections
    that walked them all again (a third to a half of the county's lists at 10,000 cadres,
    and of the weekly summary at 100,000). Collection resumes on the way out. The callers
    hold it across their queries, so other tasks run without cyclic collection for that long
    (a fraction of a second for a township; reference counting still frees everything
    else). Nested uses leave it to the outermost."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
