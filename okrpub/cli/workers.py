"""Worker processes for rendering: forked, the garbage collector frozen meanwhile.

These settings are process-wide, so they belong to the command line, which
hands :func:`forked_pool` to the engine (:mod:`okrpub.engine.workers`).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool


@contextmanager
def forked_pool(
    processes: int, initializer: Callable[..., None], initargs: tuple[object, ...]
) -> Iterator[Pool]:
    """``processes`` workers forked from this process (a ``build``: no other thread runs).

    The objects made so far are frozen first, so that the workers' collectors
    leave the inherited objects (the model, the pages) be and do not copy them.
    """
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer, initargs) as pool:
            yield pool
    finally:
        gc.unfreeze()
