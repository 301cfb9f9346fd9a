"""Build: from a checked project to the site on disk.

``check`` first (the same :func:`~okrpub.engine.project.analyse`); only when it
finds no errors are the audience chosen, the model computed for it, the
pages rendered and the whole site written atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import itertools
import multiprocessing
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TypeVar

from okrpub.config import Config, overlaps, theme_folders
from okrpub.engine.analysis import AnalysisMemo, compute_model
from okrpub.engine.fragments import FragmentCache
from okrpub.engine.frame import frame
from okrpub.engine.project import Analysis, analyse
from okrpub.engine.reuse import Digests, Manifest, Parts, search_key, theme_digest
from okrpub.engine.stats import PAGES_RENDERED, Stats
from okrpub.errors import UsageError
from okrpub.git.history import read_history
from okrpub.model.audience import select_audience
from okrpub.model.types import Model
from okrpub.site.export import EXPORT_FILE, EncodedObjectives, export_json
from okrpub.site.feed import NewestCheckins, Sitemaps, atom_feed
from okrpub.site.i18n import load_locale
from okrpub.site.jsonschema import schema_files
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.pages import Asset, Page, PlanMemo, Planner
from okrpub.site.search import SEARCH_FILES, SearchRows, owner_name, search_indexes
from okrpub.site.theme import CompiledTemplates, Theme
from okrpub.site.write import SiteFolder, output_lock
from okrpub.source.load import LoadCache, usable_cores

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    public: bool = False
    drafts: bool = False
    strict: bool = False
    base_url: str | None = None
    #: Chart points from the git history for key results without check-ins (``--history git``).
    history: bool = False


@dataclass(frozen=True)
class BuildResult:
    analysis: Analysis
    #: The model of the site; ``None`` when the content has errors.
    model: Model | None
    #: The files of the site in memory (``serve``); ``None`` when the content has errors or
    #: the site was written straight to a folder (``build``).
    files: SiteFiles | None
    seconds: float
    #: How many pages (HTML files) the site has.
    pages: int = 0
    #: What the engine did: files parsed, objectives computed, pages rendered, ...
    stats: Stats = dataclasses.field(default_factory=Stats)


class Deferred:
    """A file's bytes, made when first read (under ``lock``) and then kept.

    In memory (``serve``) the data files are made this way: they are read
    rarely (search on first use, the export and feed by other tools) and a
    rebuild need not wait for them. Two are equal only if the very same.
    """

    __slots__ = ("_content", "_lock", "_make")

    def __init__(self, make: Callable[[], bytes], lock: threading.RLock) -> None:
        self._make: Callable[[], bytes] | None = make
        self._lock = lock
        self._content: bytes | None = None

    def content(self) -> bytes:
        with self._lock:
            if self._make is not None:
                self._content, self._make = self._make(), None
        assert self._content is not None
        return self._content


class SiteFiles(Mapping[str, bytes]):
    """The files of one build by site path; a path can be added only once.

    A file may be :class:`Deferred`: reading it makes it. Comparing two
    ``SiteFiles`` compares the other files first, and makes deferred files
    only when all those are equal and the deferred ones not the very same.
    """

    def __init__(self, entries: Mapping[str, bytes | Deferred] | None = None) -> None:
        self._made: dict[str, bytes] = {}
        self._deferred: dict[str, Deferred] = {}
        for path, entry in (entries or {}).items():
            self._put(path, entry)

    def add(self, path: str, content: bytes | Deferred) -> None:
        if path in self:
            raise UsageError(f"two things want to be written to {path}")
        self._put(path, content)

    def _put(self, path: str, content: bytes | Deferred) -> None:
        if isinstance(content, Deferred):
            self._deferred[path] = content
        else:
            self._made[path] = content

    def entry(self, path: str) -> bytes | Deferred:
        """The file at ``path`` as it is kept: its bytes, or the :class:`Deferred` making them."""
        return self._made[path] if path in self._made else self._deferred[path]

    def replaced(self, entries: Mapping[str, bytes | Deferred]) -> SiteFiles:
        """These files with those of ``entries`` put in place of theirs (or added)."""
        files = SiteFiles()
        files._made, files._deferred = dict(self._made), dict(self._deferred)
        for path, entry in entries.items():
            files._made.pop(path, None)
            files._deferred.pop(path, None)
            files._put(path, entry)
        return files

    def __getitem__(self, path: str) -> bytes:
        made = self._made.get(path)
        return made if made is not None else self._deferred[path].content()

    def __iter__(self) -> Iterator[str]:
        return itertools.chain(self._made, self._deferred)

    def __len__(self) -> int:
        return len(self._made) + len(self._deferred)

    def __contains__(self, path: object) -> bool:
        return path in self._made or path in self._deferred

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SiteFiles) or self._deferred.keys() != other._deferred.keys():
            return super().__eq__(other)
        return self._made == other._made and all(
            deferred is other._deferred[path] or deferred.content() == other[path]
            for path, deferred in self._deferred.items()
        )

    __hash__ = None  # type: ignore[assignment]


class SiteRenderer:
    """Renders models into site files with one theme.

    A fresh renderer renders every page. Kept from one rebuild to the next (as
    ``serve`` does), it renders again only the pages whose inputs changed
    (see :mod:`okrpub.site.pages`): unchanged objectives (and units) of the new model
    are replaced by the equal objects of the previous one, so comparing a page's
    inputs is cheap, and everything is rendered again when something every
    page may show (units, periods, free pages, today, the configuration) changed.
    Within a page rendered again, ``{% cache %}`` blocks whose keys are unchanged
    reuse their text from :attr:`fragments` (:mod:`okrpub.engine.fragments`). The plan
    itself is mostly the last one (:class:`~okrpub.site.pages.PlanMemo`): a reused
    page has the very inputs it was last rendered with, so most comparisons are
    identity checks, and while the site has the same paths its last files are
    copied and only what was made again is replaced.
    """

    def __init__(self, theme: Theme, base_url: str, *, unsafe_html: bool, workers: int = 1) -> None:
        self.theme = theme
        #: Processes to render many pages in; only a process without threads may fork (not serve).
        self.workers = workers
        self.base_url = base_url
        self.markdown = MarkdownRenderer(unsafe_html=unsafe_html)
        self.model: Model | None = None
        self.files = SiteFiles()
        #: Each objective's JSON for the export, search rows and newest check-in, reused
        #: while the objective is unchanged (see :mod:`okrpub.engine.memo`).
        self.encoded = EncodedObjectives()
        self.search_rows = SearchRows()
        self.newest_checkins = NewestCheckins()
        self.sitemaps = Sitemaps()
        #: The pages and badges of the last plan, and their inputs when they were last rendered.
        self.planned = PlanMemo()
        self.inputs: dict[str, tuple[object, ...]] = {}
        #: How many pages and badges the last :meth:`render` rendered (the others were reused).
        self.rendered = 0
        #: The text of template fragments, kept from one :meth:`render` to the next.
        self.fragments = FragmentCache()
        #: Held while rendering and while making a deferred data file.
        self.lock = threading.RLock()

    def render(self, model: Model) -> SiteFiles:
        """Every file of the site, in memory; only what changed is rendered again.

        The data files are :class:`Deferred`, made when first read, maybe by
        another thread (a request to ``serve``): they take :attr:`lock`, held
        here throughout, as they use the memos a render updates.
        """
        with self.lock:
            return self._render(model)

    def _render(self, model: Model) -> SiteFiles:
        previous = self.model if self.model and _same_frame(self.model, model) else None
        if previous is not None:
            model = _reuse_unchanged(model, previous)
        else:
            self.fragments.clear()
        plan = self._plan(model, self.planned)
        last = self.inputs if previous is not None else {}
        # a page the plan reused still has the very inputs it was last rendered with
        changed = [
            page
            for page in plan.pages
            if (known := last.get(page.path)) is not page.inputs and known != page.inputs
        ]
        unchanged = previous is not None and _same_objectives(previous, model)
        data = {
            path: self.files.entry(path) if unchanged else Deferred(make, self.lock)
            for path, make in plan.data
        }
        with (
            self.theme.caching(self.fragments),
            _page_renderer(self.theme, changed, self.workers) as rendered_pages,
        ):
            rendered = dict(zip((page.path for page in changed), rendered_pages(), strict=True))
        self.fragments.sweep(plan.inputs)
        self.rendered = len(changed)
        fixed = self._fixed_files()
        if previous is not None and list(plan.inputs) == list(self.inputs):
            # the same files as last time (they were all added once then): replace them
            files = self.files.replaced({**rendered, **dict(fixed), **data})
        else:
            files = SiteFiles()
            for page in plan.pages:
                content = rendered[page.path] if page.path in rendered else self.files[page.path]
                files.add(page.path, content)
            for path, entry in (*fixed, *data.items()):
                files.add(path, entry)
        self.model, self.files, self.inputs = model, files, plan.inputs
        return files

    def write(self, model: Model, folder: SiteFolder, manifest: Manifest | None = None) -> int:
        """Render every file of the site straight into ``folder`` (``build``); the page count.

        Pages are written as they are rendered, by the worker processes too, so
        the site is never whole in memory. With a ``manifest`` of the last build,
        files whose digest is unchanged are kept as they are in the output folder
        instead (``reuse.py``), and the export encodes only the objectives that changed.
        """
        plan = self._plan(model, None)
        digests = self._digests(model) if manifest is not None else None
        made = _file_digests(digests, model, plan) if digests is not None else {}
        reused = {
            path
            for path, digest in made.items()
            if manifest is not None and manifest.unchanged(path, digest)
        }
        for path in reused:
            folder.keep(path)
        data_made = {path: make for path, make in plan.data if path not in reused}
        if manifest is not None and digests is not None and data_made:
            self._remember_parts(model, digests, manifest.last_parts())
        to_render = [page for page in plan.pages if page.path not in reused]
        with _page_writer(self.theme, to_render, self.workers, folder):
            for path, content in self._fixed_files():
                folder.add(path, content)
            for path, make in data_made.items():
                folder.add(path, make())
        if manifest is not None and digests is not None:
            for path, digest in made.items():
                if path in reused:
                    manifest.carry(path)
                else:
                    manifest.record(path, digest, folder.where(path))
            if EXPORT_FILE in data_made and SEARCH_FILES[0] in data_made:
                manifest.made_parts = self._parts(model, digests)
        self.rendered = len(to_render)
        return len(plan.html_paths)

    def _digests(self, model: Model) -> Digests:
        return Digests((*frame(model), self.base_url), theme_digest(self.theme.folders))

    def _remember_parts(self, model: Model, digests: Digests, parts: Parts) -> None:
        """Have the export and the search indexes take the parts of the last build for
        the objectives whose parts are unchanged."""
        for objective in model.objectives.values():
            digest = digests.of_object(objective)
            export_part = parts.export.get(digest)
            if export_part is not None:
                self.encoded.seed(objective, export_part)
            owner = owner_name(model, objective)
            rows = parts.search.get(search_key(digest, owner))
            if rows is not None:
                self.search_rows.objectives.seed(objective, rows, also=owner)

    def _parts(self, model: Model, digests: Digests) -> Parts:
        """What each objective gave the data files just made, for the next build."""
        parts = Parts()
        for objective in model.objectives.values():
            digest = digests.of_object(objective)
            export_part = self.encoded.value(objective)
            rows = self.search_rows.objectives.value(objective)
            assert export_part is not None and rows is not None  # both made for every objective
            parts.export[digest] = export_part
            parts.search[search_key(digest, owner_name(model, objective))] = rows
        return parts

    def _plan(self, model: Model, memo: PlanMemo | None) -> _Plan:
        """The pages, badges and data files of ``model``; with ``memo``, from the last plan's."""
        planner = Planner(model, self.theme.locale, self.markdown, self.base_url, memo)
        pages = list(planner.pages())
        inputs = {page.path: page.inputs for page in pages}
        if len(inputs) != len(pages):
            twice = next(path for path in inputs if sum(p.path == path for p in pages) > 1)
            raise UsageError(f"two things want to be written to {twice}")
        html_paths = [path for path in inputs if path.endswith(".html")]
        memos = (self.encoded, self.search_rows, self.newest_checkins, self.sitemaps)
        data = _data_files(model, self.theme, self.base_url, html_paths, memos)
        return _Plan(pages, inputs, html_paths, data)

    def _fixed_files(self) -> list[tuple[str, bytes]]:
        """The theme's static files and the JSON Schemas: the same for every model."""
        static = [
            (f"static/{name}", source.read_bytes())
            for name, source in self.theme.static_files().items()
        ]
        return [*static, *schema_files().items()]


def _file_digests(digests: Digests, model: Model, plan: _Plan) -> dict[str, str]:
    """The digest of every page and data file: its inputs under the frame and theme."""
    made = {page.path: digests.of(page.inputs) for page in plan.pages}
    every_objective = (*model.objectives.values(), *model.period_rollups.values())
    data_inputs = (*every_objective, *model.unit_rollups.values(), tuple(plan.html_paths))
    made.update((path, digests.of(data_inputs)) for path, _ in plan.data)
    return made


@dataclass(frozen=True)
class _Plan:
    """What one model's site consists of, before anything is rendered."""

    pages: list[Page | Asset]
    inputs: dict[str, tuple[object, ...]]
    html_paths: list[str]
    data: list[tuple[str, Callable[[], bytes]]]


#: Below this many pages to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 500
#: What worker processes render (and where they write it): set just before they are
#: forked, so they inherit it.
_work: tuple[Theme, list[Page | Asset], SiteFolder | None] | None = None


@contextmanager
def _page_renderer(
    theme: Theme, pages: list[Page | Asset], workers: int
) -> Iterator[Callable[[], list[bytes]]]:
    """Render ``pages`` (in order) in forked worker processes when there are many.

    The workers start at once; the body of the ``with`` runs meanwhile (the
    data files are made in this process) and then calls the function it is
    given for the pages. Serial when ``workers`` is 1.
    """
    if workers < 2 or len(pages) < PARALLEL_FROM:
        yield lambda: [_render_page(theme, page) for page in pages]
        return
    with _worker_pool(theme, pages, None, workers) as pending:
        yield lambda: _interleave(pending.get(), len(pages))


@contextmanager
def _page_writer(
    theme: Theme, pages: list[Page | Asset], workers: int, folder: SiteFolder
) -> Iterator[None]:
    """Render ``pages`` into ``folder``, in forked workers when there are many, while the
    body of the ``with`` runs; leaving it waits for them."""
    if workers < 2 or len(pages) < PARALLEL_FROM:
        for page in pages:
            folder.add(page.path, _render_page(theme, page))
        yield
        return
    folder.open()
    with _worker_pool(theme, pages, folder, workers) as pending:
        yield
        pending.get()


@contextmanager
def _worker_pool(
    theme: Theme, pages: list[Page | Asset], folder: SiteFolder | None, workers: int
) -> Iterator[AsyncResult[list[list[bytes]]]]:
    """Workers forked to render shares of ``pages``; their results, pending."""
    global _work
    _work = (theme, pages, folder)
    gc.freeze()  # the workers' collectors then leave the inherited objects (and their pages) be
    try:
        shares = workers * 4  # small shares balance a big page (status) against many small ones
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool.map_async(_render_share, [(index, shares) for index in range(shares)])
    finally:
        _work = None
        gc.unfreeze()


def _render_share(share: tuple[int, int]) -> list[bytes]:
    """Render pages ``index``, ``index + count``, ...; write them if there is a folder."""
    index, count = share
    assert _work is not None
    theme, pages, folder = _work
    rendered = [(page.path, _render_page(theme, page)) for page in pages[index::count]]
    if folder is None:
        return [content for _, content in rendered]
    for path, content in rendered:
        folder.add(path, content)
    return []


def _interleave(shares: list[list[bytes]], total: int) -> list[bytes]:
    """Undo ``pages[index::count]``: share ``i`` holds pages ``i``, ``i + count``, ..."""
    result: list[bytes] = [b""] * total
    for index, share in enumerate(shares):
        result[index :: len(shares)] = share
    return result


def _render_page(theme: Theme, page: Page | Asset) -> bytes:
    if isinstance(page, Asset):
        return page.make()
    return theme.render(page.template, page.context()).encode("utf-8")


def _data_files(
    model: Model,
    theme: Theme,
    base_url: str,
    html_paths: list[str],
    memos: tuple[EncodedObjectives, SearchRows, NewestCheckins, Sitemaps],
) -> list[tuple[str, Callable[[], bytes]]]:
    """The files beside the pages, each made only when asked for."""
    encoded, search_rows, newest_checkins, sitemaps = memos
    return [
        (EXPORT_FILE, lambda: export_json(model, encoded)),
        ("feed.xml", lambda: atom_feed(model, theme.locale, base_url, newest_checkins)),
        ("sitemap.xml", lambda: sitemaps.of(html_paths, base_url, model.today)),
        *_search_files(model, theme, search_rows),
    ]


def _search_files(
    model: Model, theme: Theme, rows: SearchRows
) -> list[tuple[str, Callable[[], bytes]]]:
    """Both search indexes, made together the first time either is asked for."""
    made: dict[str, bytes] = {}

    def make(path: str) -> bytes:
        if not made:
            made.update(search_indexes(model, theme.locale, rows))
        return made[path]

    return [(path, functools.partial(make, path)) for path in SEARCH_FILES]


def _same_frame(previous: Model, model: Model) -> bool:
    """Whether what every page may show is unchanged, so pages can be reused."""
    return frame(previous) == frame(model)


def _same_objectives(previous: Model, model: Model) -> bool:
    """Whether the objectives are the same, in the same order (after :func:`_reuse_unchanged`,
    which makes equal ones the very same objects, a quick comparison)."""
    old, new = previous.objectives, model.objectives
    return list(old) == list(new) and list(old.values()) == list(new.values())


def _reuse_unchanged(model: Model, previous: Model) -> Model:
    """``model`` with each objective, unit and rollup equal to the previous one's replaced by it.

    (The units are all equal when this is called, but the search rows of
    :mod:`okrpub.site.search` are remembered by the units' identity.)
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
    # (the compute memo already hands out unchanged objects: comparing those is quick)
    equal = {
        key: known
        for key, value in new.items()
        if (known := old.get(key)) is not value and known == value
    }
    return {**new, **equal} if equal else new


def build(
    root: Path,
    config: Config,
    today: dt.date,
    options: BuildOptions,
    cache: LoadCache | None = None,
    stats: Stats | None = None,
) -> BuildResult:
    """Check, render and, when there are no errors, write the site atomically; what the
    engine did is counted in ``stats``."""
    output = _check_output(root, config, options.output)
    renderer = new_renderer(root, config, options, usable_cores(), cache is not None)
    with output_lock(output):
        folder = SiteFolder(output)
        manifest = Manifest.load(root / config.cache_dir, output) if cache is not None else None
        try:
            result = render(
                root, config, today, options, cache, renderer, folder, manifest, stats=stats
            )
            if result.model is not None:
                folder.publish()
                if manifest is not None:
                    manifest.save()
        finally:
            folder.discard()
    return result


def theme_signature(root: Path, config: Config) -> tuple[tuple[str, int, int], ...]:
    """Changes when a file of the theme (project or default) changes: a new renderer is due."""
    return tuple(
        (str(path), stat.st_mtime_ns, stat.st_size)
        for folder in theme_folders(root, config.theme)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (stat := path.stat())
    )


def new_renderer(
    root: Path, config: Config, options: BuildOptions, workers: int = 1, cache: bool = False
) -> SiteRenderer:
    """A renderer with the project's theme, language and base URL; with ``cache``, the
    templates compiled by an earlier run are kept in and taken from ``cache_dir``."""
    folders = _theme_folders(root, config)
    compiled = CompiledTemplates(root / config.cache_dir) if cache else None
    theme = Theme(folders, load_locale(folders, config.language), compiled)
    base_url = config.base_url if options.base_url is None else options.base_url
    return SiteRenderer(theme, base_url, unsafe_html=config.unsafe_html, workers=workers)


def render(
    root: Path,
    config: Config,
    today: dt.date,
    options: BuildOptions,
    cache: LoadCache | None = None,
    renderer: SiteRenderer | None = None,
    folder: SiteFolder | None = None,
    manifest: Manifest | None = None,
    changed: frozenset[str] | None = None,
    memo: AnalysisMemo | None = None,
    stats: Stats | None = None,
) -> BuildResult:
    """Check, then render the site unless the check failed: into ``folder`` if given,
    else in memory.

    ``serve`` passes the ``cache``, ``renderer`` and ``memo`` of its previous rebuild,
    and the files ``changed`` since (see :func:`okrpub.engine.project.analyse`). What the
    engine did is counted in ``stats`` (a new one when not given), the result's too.
    """
    started = time.perf_counter()
    stats = stats or Stats()
    renderer = renderer or new_renderer(root, config, options)
    analysis = analyse(root, config, today, cache, changed, memo, stats)
    diagnostics = analysis.diagnostics
    if diagnostics.has_errors() or (options.strict and diagnostics.warnings):
        return BuildResult(analysis, None, None, time.perf_counter() - started, stats=stats)
    selected = select_audience(analysis.resolved, public=options.public, drafts=options.drafts)
    history = read_history(root, config) if options.history else None
    # the checked model already is this audience's when the audience leaves nothing out
    same = selected == analysis.resolved and history is None
    model = (
        analysis.model
        if same
        else compute_model(selected, config, today, history, memo.audience if memo else None, stats)
    )
    if folder is not None:
        pages = renderer.write(model, folder, manifest)
        stats.add(PAGES_RENDERED, renderer.rendered)
        return BuildResult(analysis, model, None, time.perf_counter() - started, pages, stats)
    files = renderer.render(model)
    stats.add(PAGES_RENDERED, renderer.rendered)
    pages = sum(1 for path in files if path.endswith(".html"))
    return BuildResult(analysis, model, files, time.perf_counter() - started, pages, stats)


def _theme_folders(root: Path, config: Config) -> list[Path]:
    """The theme folders; a ``theme:`` that is not a folder is a mistake, not the default theme."""
    folders = theme_folders(root, config.theme)
    if config.theme and not folders[0].is_dir():
        raise UsageError(f"theme folder {config.theme!r} does not exist (theme: in okrpub.yaml)")
    return folders


def _check_output(root: Path, config: Config, output: Path) -> Path:
    """The real output folder (a symbolic link followed: the link stays). It is replaced
    whole, so it must not hold the project, nor be, hold or lie in git's folder or one
    that okrpub reads or keeps: the content, the theme and the cache folder."""
    out = output.resolve()
    kept = [config.content_dir, config.cache_dir, *([config.theme] if config.theme else [])]
    if (
        root.resolve().is_relative_to(out)
        or ".git" in out.parts
        or any(overlaps(out, (root / folder).resolve()) for folder in kept)
    ):
        raise UsageError(
            f"output folder {output} overlaps the project, its content, theme or cache folder, "
            "or .git; choose another"
        )
    return out
