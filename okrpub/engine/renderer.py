"""The site renderer: models into site files, rendering again only what changed.

A fresh renderer renders every page. Kept from one rebuild to the next (as
``serve`` does), it renders again only the pages whose inputs changed:
unchanged objectives (and units) of the new model are replaced by the equal
objects of the previous one, so comparing a page's inputs is cheap, and
everything is rendered again when the *frame*, what every page may show
(units, periods, free pages, the configuration), changed. Within a page
rendered again, ``{% cache %}`` blocks whose keys are unchanged reuse their
text (:mod:`okrpub.engine.fragments`). The plan itself is mostly the last one
(:mod:`okrpub.engine.planning`): a reused page has the very inputs it was
last rendered with, so most comparisons are identity checks, and while the
site has the same paths its last files are copied and only what was made
again is replaced.

Writing into a folder (``build``), files whose digest is unchanged since the
last build are kept as they are (:mod:`okrpub.engine.reuse`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import compress
from operator import is_not
from typing import TypeVar

from okrpub.engine.contexts import Contexts, ViewMemo
from okrpub.engine.datafiles import DataFiles, DataMemo, data_files
from okrpub.engine.fragments import FragmentCache
from okrpub.engine.frame import page_frame
from okrpub.engine.memo import not_the_same
from okrpub.engine.ondemand import OnDemand
from okrpub.engine.planning import PlanMemo, plan
from okrpub.engine.results import ObjectiveDigests
from okrpub.engine.reuse import Digests, Manifest, content_digest, theme_digest
from okrpub.engine.sitefiles import Deferred, SiteFiles
from okrpub.engine.stats import (
    FILES_KEPT,
    FILES_WRITTEN,
    FRAGMENTS_RENDERED,
    PAGES_RENDERED,
    Stats,
)
from okrpub.engine.workers import Done, Workers, page_renderer, page_writer
from okrpub.errors import UsageError
from okrpub.model.types import Model
from okrpub.site import plan as site_plan
from okrpub.site.export import EXPORT_FILE
from okrpub.site.feed import FEED_FILE
from okrpub.site.jsonschema import schema_files
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.plan import Asset, Page
from okrpub.site.search import SEARCH_FILES
from okrpub.site.theme import Theme
from okrpub.site.write import SiteFolder

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


@dataclass(frozen=True)
class _Plan:
    """What one model's site consists of, before anything is rendered."""

    pages: list[Page | Asset]
    inputs: dict[str, tuple[object, ...]]
    html_paths: list[str]
    data: DataFiles
    contexts: Contexts


@dataclass(frozen=True)
class _Kept:
    """The files of the last build kept as they are, and every file's digest."""

    digests: Digests
    made: dict[str, str]
    kept: set[str]


class SiteRenderer:
    """Renders models into site files with one theme (see the module's description)."""

    def __init__(
        self,
        theme: Theme,
        base_url: str,
        *,
        unsafe_html: bool,
        workers: Workers | None = None,
        brand: Mapping[str, bytes] | None = None,
    ) -> None:
        self.theme = theme
        #: The files of ``okrpub.yaml``'s branding (the logo, the colour's style sheet).
        self.brand = dict(brand or {})
        #: Processes to render many pages in (``None``: this one; ``serve``, which has threads).
        self.workers = workers
        self.base_url = base_url
        self.markdown = MarkdownRenderer(unsafe_html=unsafe_html)
        self.model: Model | None = None
        self.files = SiteFiles()
        #: Each objective's parts of the data files, and the last sitemap.
        self.data = DataMemo()
        #: The pages and badges of the last plan, the parts of its views, and the inputs of
        #: each page when it was last rendered.
        self.planned = PlanMemo()
        self.views = ViewMemo(remembers=True)
        self.inputs: dict[str, tuple[object, ...]] = {}
        #: The text of template fragments, kept from one :meth:`render` to the next.
        self.fragments = FragmentCache()
        #: Held while rendering and while making a deferred data file or page.
        self.lock = threading.RLock()
        #: Set (``serve``): pages changed in a rebuild whose frame is unchanged are made when
        #: first read (:mod:`okrpub.engine.ondemand`).
        self.on_demand: OnDemand | None = None
        self._fixed: list[tuple[str, bytes]] | None = None
        #: How many pages (HTML files) the last site rendered has.
        self.pages = 0

    def render(self, model: Model, stats: Stats | None = None) -> SiteFiles:
        """Every file of the site, in memory; only what changed is rendered again.

        The data files are :class:`Deferred`, made when first read, maybe by
        another thread (a request to ``serve``): they take :attr:`lock`, held
        here throughout, as they use the memos a render updates.
        """
        with self.lock:
            return self._render(model, stats or Stats())

    def _render(self, model: Model, stats: Stats) -> SiteFiles:
        previous = self.model if self.model and same_frame(self.model, model) else None
        if previous is not None:
            model = _reuse_unchanged(model, previous)
        else:
            self.fragments.clear()
            if self.on_demand is not None:
                self.on_demand.new_frame()
        plan = self._plan(model, self.planned, self.views, stats)
        changed = self._changed(plan, previous is not None)
        # the data files show the date and every objective, and what every page may show
        unchanged = (
            previous is not None
            and previous.today == model.today
            and _same_objectives(previous, model)
        )
        data = {
            path: self.files.entry(path) if unchanged else Deferred(make, self.lock)
            for path, make in plan.data
        }
        rendered: Mapping[str, bytes | Deferred]
        if self.on_demand is not None and previous is not None:
            # what was made on demand since the last rebuild is kept; nothing is rendered now
            self.fragments.sweep(plan.inputs)
            rendered = self.on_demand.defer(plan.contexts, plan.pages, changed, stats)
        else:
            rendered = self._render_pages(plan, changed, stats)
        files = self._files(plan, previous is not None, rendered, data, stats)
        self.model, self.files, self.inputs = model, files, plan.inputs
        self.pages = len(plan.html_paths)
        return files

    def _changed(self, plan: _Plan, same_frame: bool) -> list[Page | Asset]:
        """The pages whose inputs differ from those they were last rendered with."""
        last = self.inputs if same_frame else {}
        # a page the plan reused still has the very inputs it was last rendered with
        pages: Iterable[Page | Asset] = plan.pages
        if list(plan.inputs) == list(last):  # the plan's pages, in the order of their inputs
            pages = compress(pages, map(is_not, plan.inputs.values(), last.values()))
        return [
            page
            for page in pages
            if (known := last.get(page.path)) is not page.inputs and known != page.inputs
        ]

    def _render_pages(
        self, plan: _Plan, pages: list[Page | Asset], stats: Stats
    ) -> dict[str, bytes]:
        before = self.fragments.rendered
        with (
            self.theme.caching(self.fragments),
            page_renderer(self.theme, plan.contexts, pages, self.workers) as rendered_pages,
        ):
            rendered = dict(zip((page.path for page in pages), rendered_pages(), strict=True))
        self.fragments.sweep(plan.inputs)
        stats.add(PAGES_RENDERED, len(pages))
        stats.add(FRAGMENTS_RENDERED, self.fragments.rendered - before)
        return rendered

    def _files(
        self,
        plan: _Plan,
        same_frame: bool,
        rendered: Mapping[str, bytes | Deferred],
        data: dict[str, bytes | Deferred],
        stats: Stats,
    ) -> SiteFiles:
        """The site's files: those rendered, the others as they were. The files put in
        place are counted as written."""
        fixed = self._fixed_files()
        if same_frame and list(plan.inputs) == list(self.inputs):
            # the same files as last time (they were all added once then): replace them
            stats.add(FILES_WRITTEN, len(rendered) + len(fixed) + len(data))
            return self.files.replaced({**rendered, **dict(fixed), **data})
        stats.add(FILES_WRITTEN, len(plan.pages) + len(fixed) + len(data))
        files = SiteFiles()
        for page in plan.pages:
            content = rendered[page.path] if page.path in rendered else self.files.entry(page.path)
            files.add(page.path, content)
        for path, entry in (*fixed, *data.items()):
            files.add(path, entry)
        return files

    def write(
        self,
        model: Model,
        folder: SiteFolder,
        manifest: Manifest | None = None,
        stats: Stats | None = None,
        known: ObjectiveDigests | None = None,
    ) -> int:
        """Render every file of the site straight into ``folder`` (``build``); the page count.

        Pages are written as they are rendered, by the worker processes too, so
        the site is never whole in memory. With a ``manifest`` of the last build,
        files whose digest is unchanged are kept as they are in the output folder
        instead, and the export encodes only the objectives that changed. The objectives'
        digests are taken from ``known`` where it has them.
        """
        stats = stats or Stats()
        plan = self._plan(model, None, ViewMemo(), stats)
        fixed = self._fixed_files()
        kept = (
            self._kept(model, plan, fixed, manifest, known, stats) if manifest is not None else None
        )
        reused = kept.kept if kept is not None else set()
        for path in reused:
            folder.keep(path, manifest.inode(path) if manifest is not None else None)
        data = {path: make for path, make in plan.data if path not in reused}
        pages = [page for page in plan.pages if page.path not in reused]
        fixed = [(path, content) for path, content in fixed if path not in reused]
        with page_writer(
            self.theme, plan.contexts, pages, self.workers, folder, _progress(stats, len(pages))
        ):
            # the workers render meanwhile: the last build's parts are read after they start
            if manifest is not None and kept is not None and data:
                self.data.seed(model, kept.digests, manifest.last_parts(), self.theme.locale)
            for path, content in fixed:
                folder.add(path, content)
            made = {path: make() for path, make in data.items()}
            for path, content in made.items():
                folder.add(path, content)
        if manifest is not None and kept is not None:
            self._record(model, manifest, kept, folder, made)
        stats.add(PAGES_RENDERED, len(pages))
        stats.add(FILES_WRITTEN, len(pages) + len(fixed) + len(data))
        stats.add(FILES_KEPT, len(reused))
        return len(plan.html_paths)

    def _kept(
        self,
        model: Model,
        plan: _Plan,
        fixed: list[tuple[str, bytes]],
        manifest: Manifest,
        known: ObjectiveDigests | None,
        stats: Stats,
    ) -> _Kept:
        """Every file's digest, and the files the manifest says are unchanged."""
        digests = Digests((*page_frame(model), self.base_url), theme_digest(self.theme.folders))
        if known is not None:
            known.give(model.objectives.values(), digests, stats)
        made = _file_digests(digests, model, plan)
        made.update((path, content_digest(content)) for path, content in fixed)
        return _Kept(digests, made, manifest.unchanged(made))

    def _record(
        self,
        model: Model,
        manifest: Manifest,
        kept: _Kept,
        folder: SiteFolder,
        made: Mapping[str, bytes],
    ) -> None:
        """Note in ``manifest`` what each file was made from, and where the data files
        ``made`` have each objective's parts."""
        for path, digest in kept.made.items():
            if path in kept.kept:
                manifest.carry(path)
            else:
                manifest.record(path, digest, folder.where(path))
        laid_out = (EXPORT_FILE, *SEARCH_FILES)
        if FEED_FILE in made and all(path in made for path in laid_out):
            layout = self.data.layout(model, kept.digests, made)
            layout.files = {path: manifest.signature(path) for path in laid_out}
            manifest.made_parts = layout

    def _plan(self, model: Model, memo: PlanMemo | None, views: ViewMemo, stats: Stats) -> _Plan:
        """The pages, badges and data files of ``model``; with ``memo``, from the last plan's."""
        contexts = Contexts(model, self.theme.locale, self.markdown, self.base_url, views, stats)
        if memo is None:
            pages = site_plan.plan(model, contexts.rollups)
        else:
            pages = plan(model, memo, contexts.rollups, stats)
        inputs = {page.path: page.inputs for page in pages}
        if len(inputs) != len(pages):
            twice = next(path for path in inputs if sum(p.path == path for p in pages) > 1)
            raise UsageError(f"two things want to be written to {twice}")
        html_paths = [path for path in inputs if path.endswith(".html")]
        locale, base_url = self.theme.locale, self.base_url
        data = data_files(model, locale, base_url, html_paths, self.data, stats)
        return _Plan(pages, inputs, html_paths, data, contexts)

    def _fixed_files(self) -> list[tuple[str, bytes]]:
        """The theme's static files, the branding's and the JSON Schemas: the same for
        every model, so made once."""
        if self._fixed is None:
            self._fixed = self._make_fixed_files()
        return self._fixed

    def _make_fixed_files(self) -> list[tuple[str, bytes]]:
        static = [
            (f"static/{name}", source.read_bytes())
            for name, source in self.theme.static_files().items()
        ]
        return [*static, *self.brand.items(), *schema_files().items()]


def _file_digests(digests: Digests, model: Model, plan: _Plan) -> dict[str, str]:
    """The digest of every page and data file: its inputs under the frame and theme."""
    made = {page.path: digests.of(page.inputs) for page in plan.pages}
    every_objective = (*model.objectives.values(), *model.period_rollups.values())
    data_inputs = (
        model.today,  # the export's and sitemap's date
        *every_objective,
        *model.unit_rollups.values(),
        tuple(plan.html_paths),
    )
    data = digests.of(data_inputs)  # the same for every data file
    made.update((path, data) for path, _ in plan.data)
    return made


def same_frame(previous: Model, model: Model) -> bool:
    """Whether what every page may show is unchanged, so pages can be reused."""
    return page_frame(previous) == page_frame(model)


def _same_objectives(previous: Model, model: Model) -> bool:
    """Whether the objectives are the same, in the same order (after :func:`_reuse_unchanged`,
    which makes equal ones the very same objects, a quick comparison)."""
    old, new = previous.objectives, model.objectives
    return list(old) == list(new) and list(old.values()) == list(new.values())


def _reuse_unchanged(model: Model, previous: Model) -> Model:
    """``model`` with each objective, unit and rollup equal to the previous one's replaced by it.

    (The units are all equal when this is called, but the search rows of
    :mod:`okrpub.engine.datafiles` are remembered by the units' identity.)
    """
    return dataclasses.replace(
        model,
        objectives=_reuse(model.objectives, previous.objectives),
        units=_reuse(model.units, previous.units),
        period_rollups=_reuse(model.period_rollups, previous.period_rollups),
        unit_rollups=_reuse(model.unit_rollups, previous.unit_rollups),
    )


def _reuse(new: dict[Key, Value], old: dict[Key, Value]) -> dict[Key, Value]:
    """``new``, with the values equal to ``old``'s but not the very same objects replaced."""
    # (the compute memo already hands out unchanged objects: only the others are compared)
    looked = not_the_same(new, old)
    equal = {
        key: known
        for key in (new if looked is None else looked)
        if (known := old.get(key)) is not (value := new[key]) and known == value
    }
    return {**new, **equal} if equal else new


def _progress(stats: Stats, total: int) -> Done:
    """What counts the pages rendered so far and reports them to ``stats`` as progress."""
    finished = 0

    def done(pages: int) -> None:
        nonlocal finished
        finished += pages
        stats.progress("rendering", finished, total)

    return done
