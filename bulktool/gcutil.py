"""Garbage-collector scopes for the big in-memory passes (100k rows = millions of objects).

CPython's cyclic GC re-traverses every live container on its older-generation
runs; while a sheet is read or planned, all of those objects are alive by
design, so the traversals find nothing and cost a third of the time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(keep: bool = False) -> Iterator[None]:
    """No cyclic GC while a pass builds its objects; the few cycles made meanwhile wait until after.

    ``keep``: what exists at the end is frozen (``gc.freeze``), i.e. never
    traversed again. For passes whose output lives on by design (the read
    sheet, the plan): otherwise the first collections after the pass walk all
    of it two or three times as it ages, for nothing. Frozen objects are still
    freed by reference counting; only cycles among them wait for ``gc.unfreeze``.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if keep:
            gc.freeze()
        if was:
            gc.enable()
