"""On-demand pages (``serve``): a changed page is rendered when it is first read.

A :class:`~okrpub.engine.renderer.SiteRenderer` given an :class:`OnDemand`
renders nothing in a rebuild whose frame is unchanged: each page whose
inputs changed becomes a :class:`~okrpub.engine.sitefiles.Deferred`, made
when a request reads it or when :meth:`OnDemand.render_next` (``serve``'s
background thread) gets to it. Its bytes are those the rebuild would have
rendered: a page is made from its inputs, which the rebuild fixed, under the
frame, which has not changed since (when it changes, the renderer renders
every page at once and starts a new :attr:`OnDemand.epoch`).

``{% cache %}`` fragments (:mod:`okrpub.engine.fragments`) are valid under
one frame only: a page deferred under an earlier frame (read by a request
that began before the frame changed) is rendered without them.
"""

from __future__ import annotations

import threading
from itertools import compress
from operator import attrgetter

from okrpub.engine.contexts import Contexts
from okrpub.engine.fragments import FragmentCache
from okrpub.engine.sitefiles import Deferred
from okrpub.engine.stats import PAGES_DEFERRED, PAGES_RENDERED, Stats
from okrpub.site.plan import Asset, Page
from okrpub.site.theme import Theme

_path = attrgetter("path")


class OnDemand:
    """The pages of a renderer still to be made, and how each is made."""

    def __init__(self, theme: Theme, fragments: FragmentCache, lock: threading.RLock) -> None:
        self.theme = theme
        self.fragments = fragments
        #: Held while making a page (the renderer's lock: pages share its memos).
        self.lock = lock
        #: Counts the frames: the fragments are those of the current one.
        self.epoch = 0
        #: The deferred pages of the current site not made yet, in the plan's order.
        self.waiting: dict[str, Deferred] = {}

    def new_frame(self) -> None:
        """What every page may show changed: the fragments known are no longer valid."""
        self.epoch += 1
        self.waiting = {}

    def defer(
        self,
        contexts: Contexts,
        pages: list[Page | Asset],
        changed: list[Page | Asset],
        stats: Stats,
    ) -> dict[str, Deferred]:
        """The ``changed`` ones of the site's ``pages``, and those still waiting (from the
        contexts of an earlier rebuild, let go of here), each to be made when first read;
        pages made count in ``stats``. With none changed, what waits keeps waiting as it is."""
        if not changed:
            return {}
        epoch, again = self.epoch, {page.path for page in changed}
        still = {path for path, known in self.waiting.items() if not known.made} - again
        # (the site's pages are many and those still waiting few: looked for in C loops)
        waiting = list(compress(pages, map(still.__contains__, map(_path, pages)))) if still else []

        def maker(page: Page | Asset) -> Deferred:
            def make() -> bytes:
                stats.add(PAGES_RENDERED)
                if epoch != self.epoch:
                    return contexts.render(self.theme, page)
                with self.theme.caching(self.fragments):
                    return contexts.render(self.theme, page)

            return Deferred(make, self.lock)

        self.waiting = {page.path: maker(page) for page in (*changed, *waiting)}
        stats.add(PAGES_DEFERRED, len(self.waiting))
        return dict(self.waiting)

    def render_next(self) -> bool:
        """Make one page still waiting; whether there was one."""
        with self.lock:
            while self.waiting:
                path = next(iter(self.waiting))
                page = self.waiting.pop(path)
                if not page.made:
                    page.content()
                    return True
        return False
