"""Build: from a checked project to the site on disk.

``check`` first (the same :func:`~okrpub.engine.project.analyse`); only when it
finds no errors are the audience chosen, the model computed for it, the
pages rendered (:mod:`okrpub.engine.renderer`) and the whole site written
atomically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from okrpub.config import Config, overlaps, read_logo, theme_folders
from okrpub.engine.analysis import AnalysisMemo, ComputeMemo, compute_model
from okrpub.engine.computed import AUDIENCE_OBJECTIVE
from okrpub.engine.loader import LoadCache, usable_cores
from okrpub.engine.project import Analysis, analyse
from okrpub.engine.renderer import SiteRenderer
from okrpub.engine.results import ObjectiveDigests
from okrpub.engine.reuse import Manifest
from okrpub.engine.sitefiles import SiteFiles
from okrpub.engine.stats import Stats
from okrpub.engine.templates import CompiledTemplates
from okrpub.engine.workers import StartPool, Workers
from okrpub.errors import UsageError
from okrpub.git.history import read_history
from okrpub.model.audience import select_audience
from okrpub.model.types import Model
from okrpub.site.brand import BRAND_CSS, brand_css, logo_path, social_image_path
from okrpub.site.i18n import load_locale
from okrpub.site.lock import output_lock
from okrpub.site.theme import Theme
from okrpub.site.write import SiteFolder

#: What the command enters while pages are rendered (:func:`okrpub.cli.process.rendering`).
Rendering = Callable[[], AbstractContextManager[None]]


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


def build(
    root: Path,
    config: Config,
    today: dt.date,
    options: BuildOptions,
    cache: LoadCache | None = None,
    stats: Stats | None = None,
    start_pool: StartPool | None = None,
    rendering: Rendering | None = None,
) -> BuildResult:
    """Check, render and, when there are no errors, write the site atomically; what the
    engine did is counted in ``stats``. With ``start_pool``, many pages are rendered in
    worker processes it starts (:mod:`okrpub.engine.workers`); ``rendering`` is entered
    while the pages are rendered and written (the command's garbage collector)."""
    output = _check_output(root, config, options.output)
    workers = Workers(usable_cores(), start_pool) if start_pool is not None else None
    renderer = new_renderer(root, config, options, workers, cache is not None)
    with output_lock(output):
        folder = SiteFolder(output)
        manifest = Manifest.load(root / config.cache_dir, output) if cache is not None else None
        try:
            result = render(
                root,
                config,
                today,
                options,
                cache,
                renderer,
                folder,
                manifest,
                stats=stats,
                rendering=rendering,
            )
            if result.model is not None:
                folder.publish()
                if manifest is not None:
                    manifest.save()
        finally:
            folder.discard()
    return result


def theme_signature(root: Path, config: Config) -> tuple[tuple[str, int, int], ...]:
    """Changes when a file of the theme (project or default) or the logo changes: a new
    renderer is due."""
    themes = theme_folders(root, config.theme)
    paths = [path for folder in themes for path in sorted(folder.rglob("*"))]
    paths += [root / image for image in (config.logo, config.social_image) if image]
    return tuple(
        (str(path), stat.st_mtime_ns, stat.st_size)
        for path in paths
        if path.is_file() and (stat := path.stat())
    )


def new_renderer(
    root: Path,
    config: Config,
    options: BuildOptions,
    workers: Workers | None = None,
    cache: bool = False,
) -> SiteRenderer:
    """A renderer with the project's theme, language and base URL; with ``cache``, the
    templates compiled by an earlier run are kept in and taken from the user's cache folder."""
    folders = _theme_folders(root, config)
    compiled = CompiledTemplates() if cache else None
    theme = Theme(folders, load_locale(folders, config.language), compiled)
    base_url = config.base_url if options.base_url is None else options.base_url
    brand = brand_files(root, config)
    return SiteRenderer(
        theme, base_url, unsafe_html=config.unsafe_html, workers=workers, brand=brand
    )


def brand_files(root: Path, config: Config) -> dict[str, bytes]:
    """The files ``okrpub.yaml``'s branding adds to the site: the logo and the social image
    (read without following a symbolic link) and the primary colour's style sheet."""
    files = {}
    logo = logo_path(config)
    if config.logo is not None and logo is not None:
        try:
            files[logo] = read_logo(root, config.logo)
        except OSError as error:
            raise UsageError(f"cannot read the logo {config.logo!r}: {error}") from None
    social = social_image_path(config)
    if config.social_image is not None and social is not None:
        try:
            files[social] = read_logo(root, config.social_image)
        except OSError as error:
            raise UsageError(
                f"cannot read the social image {config.social_image!r}: {error}"
            ) from None
    if config.primary_colour is not None:
        files[BRAND_CSS] = brand_css(config.primary_colour)
    return files


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
    rendering: Rendering | None = None,
) -> BuildResult:
    """Check, then render the site unless the check failed: into ``folder`` if given,
    else in memory; ``rendering`` is entered while the pages are rendered.

    ``serve`` passes the ``cache``, ``renderer`` and ``memo`` of its previous rebuild,
    and the files ``changed`` since (see :func:`okrpub.engine.project.analyse`). What the
    engine did is counted in ``stats`` (a new one when not given), the result's too.
    """
    started = time.perf_counter()
    stats = stats or Stats()
    stats.progress("checking", 0, 0)
    renderer = renderer or new_renderer(root, config, options)
    analysis = analyse(root, config, today, cache, changed, memo, stats)
    diagnostics = analysis.diagnostics
    if diagnostics.has_errors() or (options.strict and diagnostics.warnings):
        return BuildResult(analysis, None, None, time.perf_counter() - started, stats=stats)
    selected = select_audience(analysis.resolved, public=options.public, drafts=options.drafts)
    history = read_history(root, config) if options.history else None
    # the checked model already is this audience's when the audience leaves nothing out
    same = selected == analysis.resolved and history is None
    audience = memo.audience if memo else ComputeMemo(AUDIENCE_OBJECTIVE)
    model = (
        analysis.model
        if same
        else compute_model(selected, config, today, history, audience, stats, cache)
    )
    digests = analysis.digests if same else audience.digests
    with (rendering or contextlib.nullcontext)():
        if folder is not None:
            pages = renderer.write(model, folder, manifest, stats, ObjectiveDigests(cache, digests))
            seconds = time.perf_counter() - started
            return BuildResult(analysis, model, None, seconds, pages, stats)
        files = renderer.render(model, stats)
    seconds = time.perf_counter() - started
    return BuildResult(analysis, model, files, seconds, renderer.pages, stats)


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
