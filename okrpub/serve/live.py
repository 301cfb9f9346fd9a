"""The site ``okrpub serve`` shows: rebuilt in memory after each change, published whole.

A rebuild re-reads only changed files (a load cache), works out which pages'
inputs changed, and publishes the new files (site path → bytes) in one step.
The first build, and a rebuild after a change to what every page may show
(the configuration, the theme, units, periods, free pages), renders every page
before it publishes. Any other rebuild renders none: a changed page is made
when it is first requested, or by :meth:`LiveSite.make_waiting_pages` in the
background once no rebuild or edit has come for :data:`CALM_SECONDS`
(:mod:`okrpub.engine.ondemand`). When the content has errors, the last good
site stays up with the diagnostics shown over every page.

What a request gets (the consistency ``serve`` gives): every request is
answered from the one site published last when it came, never a mix; a
request that comes after the ``rebuilt`` line gets that rebuild's pages. A
page made when first requested is byte for byte the page that rebuild would
have rendered (and ``okrpub build`` writes), so the pages of one published
site are one version of the site however late each is made.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.analysis import AnalysisMemo
from okrpub.engine.build import BuildOptions, new_renderer, render, theme_signature
from okrpub.engine.heldstore import HeldStore
from okrpub.engine.loader import LoadCache
from okrpub.engine.ondemand import OnDemand
from okrpub.engine.project import read_config
from okrpub.engine.renderer import SiteRenderer
from okrpub.engine.stats import Stats
from okrpub.errors import OkrpubError
from okrpub.model.resolve import Resolved
from okrpub.serve.http import unmade
from okrpub.serve.overlay import public_overlay
from okrpub.serve.state import LiveState
from okrpub.serve.watch import EVERYTHING, Burst

#: Pages that wait to be made are made in the background once no rebuild has run for this
#: long: a browser's reload after a rebuild asks for its page first.
CALM_SECONDS = 0.3


class Warned:
    """The warnings a rebuild found, and how many of each there are (equal ones count
    once as a warning, as :attr:`Diagnostics.warnings` has them)."""

    def __init__(self, found: list[Diagnostic]) -> None:
        #: Each by its identity, kept alive so that the identity tells it is the very same.
        self.found = dict(zip(map(id, found), found, strict=True))
        self.counts = Counter(self.found.values())

    def update(self, found: list[Diagnostic]) -> list[Diagnostic]:
        """Make ``found`` the warnings now; those not among the last ones, sorted.

        Most are the very same objects as last time (what was not loaded, resolved or
        linted again): only the others are compared by value."""
        before, counts = self.found, self.counts
        now = dict(zip(map(id, found), found, strict=True))
        added = [now[key] for key in now.keys() - before.keys()]
        new = {d for d in added if d not in counts}
        counts.update(added)
        for gone in (before[key] for key in before.keys() - now.keys()):
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
        self.found = now
        return sorted(new)


class LiveSite:
    """Rebuilds the site in memory, publishes it to :attr:`state` and keeps what the
    next rebuild needs.

    ``settle`` runs at the end of each rebuild, before its report: ``okrpub serve``
    settles the process's memory there (:func:`okrpub.cli.process.settle_memory`).
    """

    def __init__(
        self,
        root: Path,
        options: BuildOptions,
        today: Callable[[Config], dt.date],
        log: Callable[[str], None],
        use_cache: bool = True,
        settle: Callable[[], None] | None = None,
    ) -> None:
        self.root = root
        self.settle = settle
        self.options = options
        self.today = today
        self.log = log
        self.state = LiveState()
        self.use_cache = use_cache
        self.cache: LoadCache | None = None
        self.cache_folder: Path | None = None
        #: Whether it was said why the cache folder is not used (once per cache).
        self.cache_noted = False
        self.renderer: SiteRenderer | None = None
        self.renderer_key: object = None
        self.shown: list[Diagnostic] = []
        #: The warnings printed (as a change since :attr:`shown`): ``None`` after a rebuild
        #: that printed them whole or failed.
        self.warned: Warned | None = None
        #: The files changed since the last rebuild that ran to its end (EVERYTHING: unknown).
        self.unsettled: Burst = EVERYTHING
        self.memo = AnalysisMemo()
        #: What the engine did in the last rebuild that got as far as the engine; the pages
        #: made when first read since count in it too.
        self.stats = Stats()
        #: Paces the background's making of pages: whether a rebuild runs, how many ran, and
        #: from when the background may make pages.
        self.pace = threading.Condition()
        self.rebuilding = False
        self.rebuilt = 0
        self.calm_from = 0.0
        self.closed = False

    def _show(self, diagnostics: list[Diagnostic]) -> None:
        """Print the diagnostics, unless the last rebuild printed the very same ones (in one
        go: thousands of lines one at a time hold up the rebuild's report)."""
        if diagnostics and diagnostics != self.shown:
            self.log("\n".join(d.as_text() for d in diagnostics))
        self.shown, self.warned = diagnostics, None

    def rebuild(self, changed: Burst = EVERYTHING) -> None:
        """Build once, after the files ``changed`` changed (as the watcher says); on
        errors keep the last good site and publish the errors.

        Nothing that goes wrong in a rebuild stops the server: content errors are
        diagnostics, a broken theme is a message, and a bug is a traceback on the
        terminal; the last good site stays up under the overlay in every case.
        """
        started = time.perf_counter()
        with self.pace:
            self.rebuilding = True
        if self.unsettled is not None:
            self.unsettled = None if changed is None else self.unsettled | changed
        try:
            outcome, detail = self._rebuild(self.unsettled)
            # Whatever a rebuild that stopped half-way had read, the next one reads again.
            self.unsettled = frozenset()
        except OkrpubError as error:
            outcome, detail = self._broken(str(error))
        except Exception as error:
            self.log(traceback.format_exc().rstrip())
            # The message of a bug may quote content; a public site's overlay does not show it.
            said = "" if self.options.public else f": {error}"
            outcome, detail = self._broken(f"internal error: {type(error).__name__}{said}")
        # What the rebuild wrote to the store, in one transaction (one sync of the disk).
        if self.cache is not None and isinstance(self.cache.store, HeldStore):
            self.cache.store.commit()
        # Part of the rebuild, so reported after it: the first collection after a first
        # build of 10,000 objectives takes a second, and would hold up an edit saved on
        # seeing the report (the site is already served meanwhile).
        if self.settle is not None:
            self.settle()
        self._note_unused_cache()
        self.log(f"{outcome} in {time.perf_counter() - started:.2f} s: {detail}")
        with self.pace:
            self.rebuilding, self.calm_from = False, time.monotonic() + CALM_SECONDS
            self.rebuilt += 1
            self.pace.notify_all()

    def make_waiting_pages(self) -> None:
        """Make the pages that wait to be made, one at a time, while no rebuild runs and
        from :data:`CALM_SECONDS` after the last one; until :meth:`close` (a thread's work)."""
        while (seen := self._calm()) is not None:
            renderer = self.renderer
            on_demand = renderer.on_demand if renderer is not None else None
            try:
                more = on_demand is not None and on_demand.render_next()
            except Exception as error:
                self.log(traceback.format_exc().rstrip())
                files = self.state.snapshot().files
                if files is not None:
                    self.state.unmade(files, unmade(error))
                more = True
            if not more:
                with self.pace:
                    self.pace.wait_for(lambda: self.closed or self.rebuilt != seen)

    def _calm(self) -> int | None:
        """Wait until no rebuild runs and the last one is :data:`CALM_SECONDS` past; how many
        rebuilds ran, or ``None`` once closed."""
        with self.pace:
            while not self.closed:
                wait = self.calm_from - time.monotonic()
                if not self.rebuilding and wait <= 0:
                    return self.rebuilt
                self.pace.wait(None if self.rebuilding else wait)
            return None

    def _rebuild(self, changed: Burst) -> tuple[str, str]:
        """Rebuild and publish the site or its errors; what happened, for the report."""
        config, config_diagnostics = read_config(self.root)
        if config_diagnostics.has_errors():
            return self._failed(config_diagnostics.sorted(), None)
        result = render(
            self.root,
            config,
            self.today(config),
            self.options,
            self._load_cache(config),
            self._renderer(config),
            changed=changed,
            memo=self.memo,
        )
        self.stats = result.stats
        diagnostics = result.analysis.diagnostics
        if result.files is None:
            return self._failed(diagnostics.sorted(), result.analysis.resolved)
        self.state.publish([], result.files)  # open pages reload meanwhile
        count = self._warn(diagnostics)
        return "rebuilt", f"{result.pages} pages, {count} warning{'s' * (count != 1)}"

    def _warn(self, diagnostics: Diagnostics) -> int:
        """Print the warnings that are new since the last rebuild (all of them, sorted, when
        it printed none or failed); how many there are."""
        found = diagnostics.as_found()
        if self.warned is None:
            warnings = diagnostics.warnings
            self._show(warnings)
            self.warned = Warned(found)
            return len(warnings)
        new = self.warned.update(found)
        if new:
            self.log("\n".join(d.as_text() for d in new))
        self.shown = []  # printed as a change: the next failure prints its problems whole
        return len(self.warned.counts)

    def _load_cache(self, config: Config) -> LoadCache:
        """The load cache of the last rebuild, unless ``cache_dir`` changed."""
        folder = self.root / config.cache_dir if self.use_cache else None
        if self.cache is None or folder != self.cache_folder:
            self._close_cache()
            self.cache = LoadCache(HeldStore(folder) if folder else None)
            self.cache_folder = folder
            self.cache_noted = False
        return self.cache

    def _note_unused_cache(self) -> None:
        """Say once why the cache folder is not used, as ``check`` and ``build`` do; the
        store finds out when it is first used."""
        store = self.cache.store if self.cache is not None else None
        if store is not None and store.problem and not self.cache_noted:
            self.log(f"note: {store.problem}")
            self.cache_noted = True

    def close(self) -> None:
        """Stop making pages in the background; close the store."""
        with self.pace:
            self.closed = True
            self.pace.notify_all()
        self._close_cache()

    def _close_cache(self) -> None:
        if self.cache is not None and self.cache.store is not None:
            self.cache.store.close()

    def _renderer(self, config: Config) -> SiteRenderer:
        """The renderer of the last rebuild, unless the configuration or the theme changed."""
        key = (config, theme_signature(self.root, config))
        if self.renderer is None or key != self.renderer_key:
            self.renderer = new_renderer(self.root, config, self.options, cache=self.use_cache)
            self.renderer.on_demand = OnDemand(
                self.renderer.theme, self.renderer.fragments, self.renderer.lock
            )
            self.renderer_key = key
        return self.renderer

    def _failed(self, problems: list[Diagnostic], resolved: Resolved | None) -> tuple[str, str]:
        """Print the ``problems`` and show them in the overlay; ``resolved``: what loaded."""
        self._show(problems)
        count = sum(1 for d in problems if d.severity == "error")
        # The overlay lists the errors first, each group in file order (a stable sort).
        shown = sorted(problems, key=lambda d: d.severity != "error")
        lines = (
            public_overlay(shown, resolved, drafts=self.options.drafts)
            if self.options.public
            else [d.as_text() for d in shown]
        )
        return self._report(f"{count} error{'s' * (count != 1)}", lines)

    def _broken(self, message: str) -> tuple[str, str]:
        self.shown = []
        return self._report(message, [message])

    def _report(self, what: str, lines: list[str]) -> tuple[str, str]:
        """Publish ``lines`` in the overlay over the last good site; what happened."""
        has_site = self.state.snapshot().files is not None
        kept = "still serving the last good site" if has_site else "nothing to serve yet"
        self.state.publish(lines)
        return "rebuild failed", f"{what}; {kept}"
