"""Workers: rendering many pages in worker processes.

How the processes start is the command's choice, not the engine's: forking
and the garbage collector's state are process-wide, so the command line
(:func:`okrpub.cli.process.forked_pool`) hands the engine a :data:`StartPool`. Each worker
first receives its work through the pool's initializer (inherited, not
copied, when the workers are forked), then renders a share of the pages and
writes them into the site folder, or sends them back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.pool import AsyncResult, Pool
from typing import NamedTuple

from okrpub.engine.contexts import Contexts
from okrpub.site.plan import Asset, Page
from okrpub.site.theme import Theme
from okrpub.site.write import SiteFolder

#: Starts ``processes`` worker processes that each run ``initializer(*initargs)`` first.
StartPool = Callable[[int, Callable[..., None], tuple[object, ...]], AbstractContextManager[Pool]]

#: Told how many more pages are done (to report progress).
Done = Callable[[int], None]

#: Below this many pages to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 500

#: How many shares of the pages each worker renders, one at a time.
SHARES_EACH = 16


class Workers(NamedTuple):
    """How many worker processes may render, and how to start them."""

    processes: int
    start: StartPool


class _Work(NamedTuple):
    """What a worker renders (and where it writes it)."""

    theme: Theme
    contexts: Contexts
    pages: list[Page | Asset]
    folder: SiteFolder | None


#: The work of this worker process (set by the pool's initializer, in the worker only).
_work: _Work | None = None


def _parallel(workers: Workers, pages: list[Page | Asset]) -> bool:
    return workers.processes >= 2 and len(pages) >= PARALLEL_FROM


@contextmanager
def page_renderer(
    theme: Theme, contexts: Contexts, pages: list[Page | Asset], workers: Workers | None
) -> Iterator[Callable[[], list[bytes]]]:
    """Render ``pages`` (in order), in worker processes when there are many.

    The workers start at once; the body of the ``with`` runs meanwhile (the
    data files are made in this process) and then calls the function it is
    given for the pages.
    """
    if workers is None or not _parallel(workers, pages):
        yield lambda: [contexts.render(theme, page) for page in pages]
        return
    with _pool(_Work(theme, contexts, pages, None), workers) as wait:
        yield lambda: _interleave(wait(), len(pages))


@contextmanager
def page_writer(
    theme: Theme,
    contexts: Contexts,
    pages: list[Page | Asset],
    workers: Workers | None,
    folder: SiteFolder,
    done: Done,
) -> Iterator[None]:
    """Render ``pages`` into ``folder``, in worker processes when there are many, while the
    body of the ``with`` runs; leaving it waits for them. ``done`` hears of the pages
    finished as they finish (a share of them at a time in worker processes)."""
    if workers is None or not _parallel(workers, pages):
        for page in pages:
            folder.add(page.path, contexts.render(theme, page))
            done(1)
        yield
        return
    folder.open()
    with _pool(_Work(theme, contexts, pages, folder), workers, done) as wait:
        yield
        wait()


@contextmanager
def _pool(
    work: _Work, workers: Workers, done: Done | None = None
) -> Iterator[Callable[[], list[list[bytes]]]]:
    """Workers started to render shares of ``work``'s pages; what waits for their results."""
    # small shares balance a big page (status) against many, and the workers end together
    count = workers.processes * SHARES_EACH
    with workers.start(workers.processes, _take, (work,)) as pool:
        pending: list[AsyncResult[list[bytes]]] = []
        for index in range(count):
            size = len(work.pages[index::count])
            told = None if done is None else (lambda _result, size=size: done(size))
            pending.append(pool.apply_async(_render_share, ((index, count),), callback=told))
        yield lambda: [share.get() for share in pending]


def _take(work: _Work) -> None:
    """A worker's initializer: keep its work."""
    global _work
    _work = work


def _render_share(share: tuple[int, int]) -> list[bytes]:
    """Render pages ``index``, ``index + count``, ...; write them if there is a folder."""
    index, count = share
    assert _work is not None
    theme, contexts, pages, folder = _work
    if folder is None:
        return [contexts.render(theme, page) for page in pages[index::count]]
    # each page written as soon as it is rendered: a share of a big site is a hundred MB
    for page in pages[index::count]:
        folder.add(page.path, contexts.render(theme, page))
    return []


def _interleave(shares: list[list[bytes]], total: int) -> list[bytes]:
    """Undo ``pages[index::count]``: share ``i`` holds pages ``i``, ``i + count``, ..."""
    result: list[bytes] = [b""] * total
    for index, share in enumerate(shares):
        result[index :: len(shares)] = share
    return result
