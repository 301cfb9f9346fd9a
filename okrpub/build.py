"""Build: from a checked project to the site on disk.

``check`` first (the same :func:`~okrpub.project.analyse`); only when it
finds no errors are the audience chosen, the model computed for it, the
pages rendered and the whole site written atomically.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from okrpub.audience import select_audience
from okrpub.compute import compute
from okrpub.config import Config, theme_folders
from okrpub.export import export_json
from okrpub.feed import atom_feed, sitemap
from okrpub.i18n import load_locale
from okrpub.load import LoadCache
from okrpub.markdown import MarkdownRenderer
from okrpub.model import Model
from okrpub.pages import Planner
from okrpub.project import Analysis, UsageError, analyse
from okrpub.search import search_index
from okrpub.theme import Theme
from okrpub.write import write_site


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


def render_site(model: Model, theme: Theme, base_url: str) -> SiteFiles:
    """Every file of the site, rendered in memory."""
    files = SiteFiles()
    markdown = MarkdownRenderer(unsafe_html=model.config.unsafe_html)
    planner = Planner(model, theme.locale, markdown, base_url)
    html_paths = []
    for page in planner.pages():
        files.add(page.path, theme.render(page.template, page.context).encode("utf-8"))
        html_paths.append(page.path)
    for name, source in theme.static_files().items():
        files.add(f"static/{name}", source.read_bytes())
    files.add("api/okrs.json", export_json(model))
    files.add("feed.xml", atom_feed(model, theme.locale, base_url))
    files.add("sitemap.xml", sitemap(html_paths, base_url, model.today))
    files.add("search/index.js", search_index(model, theme.locale))
    return files


def build(root: Path, config: Config, today: dt.date, options: BuildOptions) -> BuildResult:
    """Check, render and, when there are no errors, write the site atomically."""
    _check_output(root, config, options.output)
    result = render(root, config, today, options)
    if result.files is not None:
        write_site(result.files, options.output)
    return result


def render(
    root: Path,
    config: Config,
    today: dt.date,
    options: BuildOptions,
    cache: LoadCache | None = None,
) -> BuildResult:
    """Check, then render the whole site in memory unless the check failed."""
    started = time.perf_counter()
    folders = _theme_folders(root, config)
    analysis = analyse(root, config, today, cache)
    diagnostics = analysis.diagnostics
    if diagnostics.has_errors() or (options.strict and diagnostics.warnings):
        return BuildResult(analysis, None, None, time.perf_counter() - started)
    selected = select_audience(analysis.resolved, public=options.public, drafts=options.drafts)
    model = compute(selected, config, today)
    theme = Theme(folders, load_locale(folders, config.language))
    base_url = config.base_url if options.base_url is None else options.base_url
    files = render_site(model, theme, base_url)
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
