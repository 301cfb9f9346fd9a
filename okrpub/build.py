"""Build: from a checked project to the site on disk.

``check`` first (the same :func:`~okrpub.project.analyse`); only when it
finds no errors are the audience chosen, the model computed for it, the
pages rendered and the whole site written atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from okrpub.audience import select_audience
from okrpub.compute import compute
from okrpub.config import Config, theme_folders
from okrpub.export import export_json
from okrpub.feed import atom_feed, sitemap
from okrpub.i18n import load_locale
from okrpub.jsonschema import schema_files
from okrpub.load import LoadCache
from okrpub.markdown import MarkdownRenderer
from okrpub.model import Model
from okrpub.pages import Asset, Page, Planner
from okrpub.project import Analysis, UsageError, analyse
from okrpub.search import SEARCH_FILES, search_indexes
from okrpub.theme import Theme
from okrpub.write import write_site

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    public: bool = False
    drafts: bool = False
    strict: bool = False
    base_url: str | None = None


@dataclass(frozen=True)
class BuildResult:
    analysis: Analysis
    #: The model and files of the site; ``None`` when the content has errors.
    model: Model | None
    files: SiteFiles | None
    seconds: float

    @property
    def pages(self) -> int:
        return sum(1 for path in self.files or () if path.endswith(".html"))


class SiteFiles(dict[str, bytes]):
    """The files of one build by site path; a path can be added only once."""

    def add(self, path: str, content: bytes) -> None:
        if path in self:
            raise UsageError(f"two things want to be written to {path}")
        self[path] = content


class SiteRenderer:
    """Renders models into site files with one theme.

    A fresh renderer renders every page. Kept from one rebuild to the next (as
    ``serve`` does), it renders again only the pages whose inputs changed
    (see :mod:`okrpub.pages`): unchanged objectives of the new model are
    replaced by the equal objects of the previous one, so comparing a page's
    inputs is cheap, and everything is rendered again when something every
    page may show (units, periods, free pages, today, the configuration) changed.
    """

    def __init__(self, theme: Theme, base_url: str, *, unsafe_html: bool) -> None:
        self.theme = theme
        self.base_url = base_url
        self.markdown = MarkdownRenderer(unsafe_html=unsafe_html)
        self.model: Model | None = None
        self.files = SiteFiles()
        self.inputs: dict[str, tuple[object, ...]] = {}
        #: How many pages and badges the last :meth:`render` rendered (the others were reused).
        self.rendered = 0

    def render(self, model: Model) -> SiteFiles:
        previous = self.model if self.model and _same_frame(self.model, model) else None
        reuse = previous is not None
        if previous is not None:
            model = _reuse_unchanged(model, previous)
        files = SiteFiles()
        inputs: dict[str, tuple[object, ...]] = {}
        self.rendered = 0
        for page in Planner(model, self.theme.locale, self.markdown, self.base_url).pages():
            inputs[page.path] = page.inputs
            if reuse and self.inputs.get(page.path) == page.inputs:
                files.add(page.path, self.files[page.path])
                continue
            files.add(page.path, self._render(page))
            self.rendered += 1
        for name, source in self.theme.static_files().items():
            files.add(f"static/{name}", source.read_bytes())
        for path, content in schema_files().items():
            files.add(path, content)
        unchanged = previous is not None and _same_objectives(previous, model)
        html_paths = [path for path in inputs if path.endswith(".html")]
        for path, make in _data_files(model, self.theme, self.base_url, html_paths):
            files.add(path, self.files[path] if unchanged else make())
        self.model, self.files, self.inputs = model, files, inputs
        return files

    def _render(self, page: Page | Asset) -> bytes:
        if isinstance(page, Asset):
            return page.make()
        return self.theme.render(page.template, page.context()).encode("utf-8")


def _data_files(
    model: Model, theme: Theme, base_url: str, html_paths: list[str]
) -> list[tuple[str, Callable[[], bytes]]]:
    """The files beside the pages, each made only when asked for."""
    return [
        ("api/okrs.json", lambda: export_json(model)),
        ("feed.xml", lambda: atom_feed(model, theme.locale, base_url)),
        ("sitemap.xml", lambda: sitemap(html_paths, base_url, model.today)),
        *_search_files(model, theme),
    ]


def _search_files(model: Model, theme: Theme) -> list[tuple[str, Callable[[], bytes]]]:
    """Both search indexes, made together the first time either is asked for."""
    made: dict[str, bytes] = {}

    def make(path: str) -> bytes:
        if not made:
            made.update(search_indexes(model, theme.locale))
        return made[path]

    return [(path, functools.partial(make, path)) for path in SEARCH_FILES]


def _same_frame(previous: Model, model: Model) -> bool:
    """Whether what every page may show is unchanged, so pages can be reused."""
    return (
        previous.config == model.config
        and previous.today == model.today
        and previous.public == model.public
        and previous.current_period == model.current_period
        and previous.units == model.units
        and previous.periods == model.periods
        and previous.pages == model.pages
    )


def _same_objectives(previous: Model, model: Model) -> bool:
    """Whether the objectives are the very same objects, in the same order."""
    return list(previous.objectives) == list(model.objectives) and all(
        model.objectives[key] is value for key, value in previous.objectives.items()
    )


def _reuse_unchanged(model: Model, previous: Model) -> Model:
    """``model`` with each objective and rollup equal to the previous one's replaced by it."""
    return dataclasses.replace(
        model,
        objectives=_reuse(model.objectives, previous.objectives),
        period_rollups=_reuse(model.period_rollups, previous.period_rollups),
        unit_rollups=_reuse(model.unit_rollups, previous.unit_rollups),
    )


def _reuse(new: dict[Key, Value], old: dict[Key, Value]) -> dict[Key, Value]:
    return {key: old[key] if old.get(key) == value else value for key, value in new.items()}


def render_site(model: Model, theme: Theme, base_url: str) -> SiteFiles:
    """Every file of the site, rendered in memory."""
    return SiteRenderer(theme, base_url, unsafe_html=model.config.unsafe_html).render(model)


def build(root: Path, config: Config, today: dt.date, options: BuildOptions) -> BuildResult:
    """Check, render and, when there are no errors, write the site atomically."""
    _check_output(root, config, options.output)
    result = render(root, config, today, options)
    if result.files is not None:
        write_site(result.files, options.output)
    return result


def theme_signature(root: Path, config: Config) -> tuple[tuple[str, int, int], ...]:
    """Changes when a file of the theme (project or default) changes: a new renderer is due."""
    return tuple(
        (str(path), stat.st_mtime_ns, stat.st_size)
        for folder in theme_folders(root, config.theme)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (stat := path.stat())
    )


def new_renderer(root: Path, config: Config, options: BuildOptions) -> SiteRenderer:
    """A renderer with the project's theme, language and base URL."""
    folders = _theme_folders(root, config)
    theme = Theme(folders, load_locale(folders, config.language))
    base_url = config.base_url if options.base_url is None else options.base_url
    return SiteRenderer(theme, base_url, unsafe_html=config.unsafe_html)


def render(
    root: Path,
    config: Config,
    today: dt.date,
    options: BuildOptions,
    cache: LoadCache | None = None,
    renderer: SiteRenderer | None = None,
) -> BuildResult:
    """Check, then render the site in memory unless the check failed.

    ``serve`` passes the ``cache`` and ``renderer`` of its previous rebuild.
    """
    started = time.perf_counter()
    renderer = renderer or new_renderer(root, config, options)
    analysis = analyse(root, config, today, cache)
    diagnostics = analysis.diagnostics
    if diagnostics.has_errors() or (options.strict and diagnostics.warnings):
        return BuildResult(analysis, None, None, time.perf_counter() - started)
    selected = select_audience(analysis.resolved, public=options.public, drafts=options.drafts)
    # the checked model already is this audience's when the audience leaves nothing out
    same = selected == analysis.resolved
    model = analysis.model if same else compute(selected, config, today)
    files = renderer.render(model)
    return BuildResult(analysis, model, files, time.perf_counter() - started)


def _theme_folders(root: Path, config: Config) -> list[Path]:
    """The theme folders; a ``theme:`` that is not a folder is a mistake, not the default theme."""
    folders = theme_folders(root, config.theme)
    if config.theme and not folders[0].is_dir():
        raise UsageError(f"theme folder {config.theme!r} does not exist (theme: in okrpub.yaml)")
    return folders


def _check_output(root: Path, config: Config, output: Path) -> None:
    """The output folder is replaced whole: it must not hold the project, nor sit in its content."""
    out = output.resolve()
    content = (root / config.content_dir).resolve()
    if (
        root.resolve().is_relative_to(out)
        or out.is_relative_to(content)
        or content.is_relative_to(out)
    ):
        raise UsageError(
            f"output folder {output} overlaps the project or its content; choose another"
        )
