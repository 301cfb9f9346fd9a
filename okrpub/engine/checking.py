"""Checking: the diagnostics of the content, without the model ``check`` does not show.

``check`` needs the diagnostics: not the rollups, and not an objective's
computed value once its warnings are known. Each objective's warnings are
kept in the store by the digest of their inputs (:mod:`okrpub.engine.results`,
kind :data:`LINT`): its entry, its place in the cascade, its parent's period
and the frame. With a store, ``check`` resolves the files' outlines
(:mod:`okrpub.engine.outlines`), and keeps what it needs of the resolution
(:mod:`okrpub.engine.resolution`) under the digest of the outlines. A later
``check`` in a new process resolves only when an outline changed, and
computes and lints only the objectives whose inputs changed (and their
parents, whose period the warnings name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.analysis import resolve_content
from okrpub.engine.cache import batch
from okrpub.engine.loader import LoadCache
from okrpub.engine.outlines import Outlines
from okrpub.engine.resolution import RESOLUTION, Resolution, Row, key, resolution_of, setting_of
from okrpub.engine.results import LINT, StoredResults, derived_digest
from okrpub.engine.reuse import digest_of
from okrpub.engine.stats import OBJECTIVES_COMPUTED, OBJECTIVES_LINTED, Stats
from okrpub.model.compute import Setting
from okrpub.model.lint import objective_warnings
from okrpub.model.objective import objective as compute_objective
from okrpub.model.resolve import Resolved
from okrpub.model.types import Model, Objective
from okrpub.source.entries import ObjectiveEntry


@dataclass(frozen=True)
class Checked:
    """What ``check`` reports: the diagnostics and how many objectives and units it saw."""

    diagnostics: Diagnostics
    objectives: int
    units: int


def lint_content(
    resolved: Resolved,
    config: Config,
    today: dt.date,
    diagnostics: Diagnostics,
    stats: Stats | None = None,
) -> tuple[int, int]:
    """Add every objective's warnings to ``diagnostics``, as
    :func:`~okrpub.model.lint.lint` of the computed model would, in the same order.
    How many objectives and units the model has."""
    resolution, made_in = resolution_of(resolved, config, today, _NoFiles(), [])
    full = _Entries(lambda row: resolved.objectives[row.id], lambda path: None)
    stored = StoredResults(None, LINT, list[Diagnostic])
    return _lint(resolution, made_in, config, today, diagnostics, stats or Stats(), full, stored)


def check_outlines(
    outlines: Outlines,
    config: Config,
    today: dt.date,
    diagnostics: Diagnostics,
    cache: LoadCache,
    stats: Stats,
) -> tuple[int, int]:
    """What :func:`lint_content` adds, and the problems found loading and resolving,
    of the content in ``outlines``: resolved only when the store has no resolution of
    them, and computing (and counting in ``stats``) only the objectives whose warnings
    the store does not have."""
    kept = StoredResults(cache, RESOLUTION, Resolution)
    made_from = key(outlines.digest(), config, today)
    resolution = kept.get("", made_from)
    made_in = None
    if resolution is None:
        found = Diagnostics()
        sources = outlines.sources(found)
        resolved = resolve_content(sources, config, found, None, stats)
        resolution, made_in = resolution_of(resolved, config, today, outlines, found.as_found())
        kept.put("", made_from, resolution)
    diagnostics.extend(resolution.found)
    full = _Entries(outlines.entry, outlines.file_digest)
    stored = StoredResults(cache, LINT, list[Diagnostic])
    counts = _lint(resolution, made_in, config, today, diagnostics, stats, full, stored)
    with batch(cache.store):  # one commit, after the work: the store is not locked meanwhile
        kept.save()
        stored.save()
    return counts


class _NoFiles:
    def file_digest(self, path: str) -> bytes | None:
        return None


@dataclass(frozen=True)
class _Entries:
    #: The full entry of an objective, resolved.
    entry: Callable[[Row], ObjectiveEntry]
    #: The digest of the file an objective comes from, if it decides its entry.
    file_digest: Callable[[str], bytes | None]


def _lint(
    resolution: Resolution,
    made_in: Setting | None,
    config: Config,
    today: dt.date,
    diagnostics: Diagnostics,
    stats: Stats,
    entries: _Entries,
    stored: StoredResults[list[Diagnostic]],
) -> tuple[int, int]:
    """Add the warnings (taken from ``stored`` when kept, else computed and put there)."""
    objectives = _Objectives(resolution, made_in, config, today, stats, entries.entry)
    for row in resolution.rows:
        file = entries.file_digest(row.path) if row.inputs is not None else None
        inputs = (
            None
            if file is None or row.inputs is None
            else digest_of(resolution.frame, file, row.inputs)
        )
        key = derived_digest(inputs, row.parent_period)
        found = stored.get(row.id, key)
        if found is None:
            parent = row.place.parent
            found = objective_warnings(
                objectives.model(),
                objectives.get(row.id),
                objectives.entry(row.id),
                objectives.get(parent) if parent else None,
            )
            stats.add(OBJECTIVES_LINTED)
            stored.put(row.id, key, found)
        diagnostics.extend(found)
    return len(resolution.rows), resolution.units


class _Objectives:
    """Objectives computed when first asked for, and the model of their frame (without
    objectives or rollups: all that :func:`objective_warnings` reads of it)."""

    def __init__(
        self,
        resolution: Resolution,
        made_in: Setting | None,
        config: Config,
        today: dt.date,
        stats: Stats,
        entries: Callable[[Row], ObjectiveEntry],
    ) -> None:
        self._resolution, self._made_in = resolution, made_in
        self._config, self._today, self._stats = config, today, stats
        self._entries = entries
        self._rows = {row.id: row for row in resolution.rows}
        self._model: Model | None = None
        self._made: dict[str, Objective] = {}
        self._full: dict[str, ObjectiveEntry] = {}

    def model(self) -> Model:
        if self._model is None:
            made_in = self._made_in or setting_of(self._resolution, self._config, self._today)
            self._model = Model(
                config=self._config,
                today=self._today,
                periods=made_in.periods,
                units=made_in.units,
                objectives={},
                pages=made_in.pages,
                period_rollups={},
                unit_rollups={},
                current_period=made_in.current_period,
                public=False,
            )
        return self._model

    def entry(self, objective_id: str) -> ObjectiveEntry:
        """The objective's full entry, resolved."""
        full = self._full.get(objective_id)
        if full is None:
            full = self._full[objective_id] = self._entries(self._rows[objective_id])
        return full

    def get(self, objective_id: str) -> Objective:
        made = self._made.get(objective_id)
        if made is None:
            entry = self.entry(objective_id)
            model = self.model()
            made = compute_objective(
                entry,
                self._rows[objective_id].place,
                model.periods[entry.period],
                model.units,
                model.config,
                model.today,
            )
            self._stats.add(OBJECTIVES_COMPUTED)
            self._made[objective_id] = made
        return made
