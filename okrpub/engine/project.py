"""The project: run the pipeline from files to the computed model.

``build`` and ``serve`` call :func:`analyse`; ``check`` calls :func:`check`, the
same stages up to the diagnostics, without the model it does not show
(:mod:`okrpub.engine.checking`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from okrpub.config import CONFIG_FILE, Config, load_config
from okrpub.diagnostics import Diagnostics, Location
from okrpub.engine.analysis import AnalysisMemo, compute_model, resolve_content
from okrpub.engine.cache import CacheStore
from okrpub.engine.checking import Checked, check_outlines, lint_content
from okrpub.engine.linting import lint_model
from okrpub.engine.listing import discover_kept
from okrpub.engine.loader import LoadCache, load_sources
from okrpub.engine.outlines import load_outlines
from okrpub.engine.stats import Stats
from okrpub.errors import UsageError
from okrpub.model.resolve import Resolved
from okrpub.model.types import Model
from okrpub.source.discover import SourceFile, is_ignored, rediscover


@dataclass(frozen=True)
class Analysis:
    """Everything ``check`` knows: the configuration, resolved content and the full model."""

    config: Config
    resolved: Resolved
    model: Model
    diagnostics: Diagnostics
    #: The digest of each objective's inputs, by id (``None``: not kept in the store).
    digests: dict[str, bytes | None] = field(default_factory=dict)


def today_from(argument: str | None, pinned: dt.date | None = None) -> dt.date:
    """``--today``, else the date ``pinned`` in ``okrpub.yaml`` (``today:``), else
    ``SOURCE_DATE_EPOCH``, else the system date."""
    if argument is not None:
        try:
            return dt.date.fromisoformat(argument)
        except ValueError:
            raise UsageError(
                f"--today must be a date such as 2026-11-26, got {argument!r}"
            ) from None
    if pinned is not None:
        return pinned
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH must be a Unix time, got {epoch!r}") from None
    return dt.date.today()


def read_config(root: Path) -> tuple[Config, Diagnostics]:
    """The configuration, and its problems: any error there means exit status 2."""
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    if not (root / config.content_dir).is_dir():
        diagnostics.error(
            Location(config.content_dir),
            "content",
            f"content folder '{config.content_dir}' does not exist; "
            "run 'okrpub init' or set content_dir in okrpub.yaml",
        )
    if _seen_as_content(Path(config.cache_dir), Path(config.content_dir)):
        diagnostics.error(
            Location(CONFIG_FILE),
            "config",
            f"cache_dir '{config.cache_dir}' is inside the content folder; "
            "okrpub writes there, so put it beside content instead",
        )
    return config, diagnostics


def output_folder(root: Path, config: Config, out: str | None) -> Path:
    """Where ``build`` writes: ``--out`` (anywhere), else ``output_dir``, which a pull
    request may set and so must stay inside the project, symbolic links followed."""
    if out is not None:
        return Path(out)
    folder = root / config.output_dir
    if not folder.resolve().is_relative_to(root.resolve()):
        raise UsageError(
            f"output_dir '{config.output_dir}' in {CONFIG_FILE} leads out of the project "
            "(through a symbolic link); to write elsewhere, give --out"
        )
    return folder


def _seen_as_content(folder: Path, content: Path) -> bool:
    """Whether ``folder`` lies in the content folder where discovery and ``serve``'s
    watcher look: not under a hidden (ignored) folder such as ``.okrpub-cache``."""
    if not folder.is_relative_to(content):
        return False
    return not any(is_ignored(part) for part in folder.relative_to(content).parts)


def open_cache(root: Path, config: Config, use: bool) -> LoadCache | None:
    """The load cache in the project's ``cache_dir``, unless ``use`` is false (``--no-cache``)."""
    return LoadCache(CacheStore(root / config.cache_dir)) if use else None


def analyse(
    root: Path,
    config: Config,
    today: dt.date,
    cache: LoadCache | None = None,
    changed: frozenset[str] | None = None,
    memo: AnalysisMemo | None = None,
    stats: Stats | None = None,
) -> Analysis:
    """Discover, load, resolve, compute (everything, drafts included) and lint.

    With a ``cache``, only files that changed since it was filled are parsed again;
    with ``changed`` too (the files ``serve``'s watcher saw change since), only those
    are looked at; with a ``memo``, what is unchanged is not resolved, computed or
    linted again (:mod:`okrpub.engine.analysis`). The work done is counted in ``stats``.
    """
    stats = stats or Stats()
    diagnostics = Diagnostics()
    files, changed = _discover(root, config, diagnostics, cache, changed, stats)
    sources = load_sources(files, config.content_dir, diagnostics, cache, changed, stats)
    memo = memo or AnalysisMemo()
    resolved = resolve_content(sources, config, diagnostics, memo.resolve, stats)
    model = compute_model(resolved, config, today, None, memo.compute, stats, cache)
    digests, since = memo.compute.digests, memo.compute.changed
    lint_model(model, resolved, diagnostics, memo.lint, stats, cache, digests, since)
    return Analysis(config, resolved, model, diagnostics, memo.compute.digests)


def check(
    root: Path,
    config: Config,
    today: dt.date,
    cache: LoadCache | None = None,
    stats: Stats | None = None,
) -> Checked:
    """What :func:`analyse` finds, with each objective's warnings taken from the store
    when what they are made from is unchanged: only the others are computed."""
    stats = stats or Stats()
    diagnostics = Diagnostics()
    if cache is None:
        files, _ = _discover(root, config, diagnostics, cache, None, stats)
        sources = load_sources(files, config.content_dir, diagnostics, None, None, stats)
        resolved = resolve_content(sources, config, diagnostics, None, stats)
        objectives, units = lint_content(resolved, config, today, diagnostics, stats)
    else:
        files = discover_kept(root, config, diagnostics, cache.store, stats)
        outlines = load_outlines(files, config.content_dir, diagnostics, cache, stats)
        objectives, units = check_outlines(outlines, config, today, diagnostics, cache, stats)
    return Checked(diagnostics, objectives, units)


def _discover(
    root: Path,
    config: Config,
    diagnostics: Diagnostics,
    cache: LoadCache | None,
    changed: frozenset[str] | None,
    stats: Stats,
) -> tuple[list[SourceFile], frozenset[str] | None]:
    """The content files (:func:`~okrpub.engine.listing.discover_kept`), the last ones
    updated by ``changed`` when the cache has them;
    and what loading may trust to be all that changed: ``changed``, unless the content
    has symbolic links (the watcher sees a change behind one by another path, if at
    all), and then nothing: every file is read again."""
    if cache is not None and cache.discovered is not None and changed is not None:
        files = rediscover(cache.discovered, changed, root, config.content_dir)
        if files is not None:
            cache.discovered = files
            return files, changed
    found = Diagnostics()
    links: list[str] = []
    store = cache.store if cache is not None else None
    files = discover_kept(root, config, found, store, stats, links)
    diagnostics.extend(found)
    if cache is not None:
        cache.discovered = None if len(found) or links else files
    return files, None if links else changed
