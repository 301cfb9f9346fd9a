"""Process-wide settings: the garbage collector, forked workers, signals, the process's end.

They belong to the command, not to a library: nothing outside :mod:`okrpub.cli`
changes them, and what the engine or the server needs done to the process is
passed to it from here (``serve``'s :func:`settle_memory`, ``build``'s
:func:`forked_pool`).
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

#: okrpub makes many small objects that live for the whole run and form no reference
#: cycles; with Python's default threshold (700) the cyclic garbage collector scans them
#: over and over, which cost a third of ``check``'s time at 1,000 objectives. Rendering
#: (Jinja) does make cycles, so ``serve`` keeps the collector with this threshold, and
#: ``build`` turns it on only while it renders (:func:`rendering`); the other commands
#: only analyse, and run without it (0.7 s of a 3.7 s warm ``check`` at 10,000 objectives,
#: 1.5 s of a warm ``build``).
GC_THRESHOLD = 100_000
RENDERING_COMMANDS = ("serve",)


@contextmanager
def collector_for(command: str) -> Iterator[None]:
    """The garbage collector set for ``command`` (see ``GC_THRESHOLD``), then as it was."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    if command in RENDERING_COMMANDS:
        gc.set_threshold(GC_THRESHOLD, *threshold[1:])
    else:
        gc.disable()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()


@contextmanager
def rendering() -> Iterator[None]:
    """The garbage collector on (see ``GC_THRESHOLD``) while the body renders, for the
    cycles Jinja makes; what the analysis made before is frozen first (it has no cycles,
    and a collection of it would go through millions of objects), then as it was."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *threshold[1:])
    gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if not enabled:
            gc.disable()


def settle_memory() -> None:
    """Collect a rebuild's garbage and exempt what survived from later collections.

    The model of a large organisation is millions of objects; without this, the
    garbage collector goes through all of them again and again in every rebuild
    of ``serve`` (a second at 10,000 objectives). What is frozen is still freed
    when no longer referenced; only reference cycles among frozen objects would
    stay, and the model has none.
    """
    gc.collect()
    gc.freeze()


@contextmanager
def forked_pool(
    processes: int, initializer: Callable[..., None], initargs: tuple[object, ...]
) -> Iterator[Pool]:
    """``processes`` workers forked from this process (a ``build``: no other thread runs),
    handed to the engine to render in (:mod:`okrpub.engine.workers`).

    The objects made so far are frozen first, so that the workers' collectors
    leave the inherited objects (the model, the pages) be and do not copy them.
    """
    import multiprocessing  # here: only a build with many pages to render needs it

    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer, initargs) as pool:
            yield pool
    finally:
        gc.unfreeze()


def stop_on_signals() -> None:
    """SIGINT and SIGTERM raise ``KeyboardInterrupt``, as Ctrl-C does.

    SIGINT too: a shell starts background jobs with SIGINT ignored, and Python then
    leaves it ignored; a server must stop on it all the same. Only the main thread
    may set them (a test may run a command in another).
    """
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def end(code: int) -> NoReturn:
    """End the process at once with ``code``, its output flushed by the caller.

    The model of a large organisation is millions of objects, and Python frees them
    one by one when it shuts down: a second of a warm ``build`` at 10,000 objectives.
    As mypy does, the command skips that; every file it writes (the site, the cache's
    database) is closed by then.
    """
    os._exit(code)
