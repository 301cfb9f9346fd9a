"""Checking: each objective's lint warnings, kept in the store between runs.

``check`` needs the diagnostics, not the model: not the rollups, and not an
objective's computed value once its warnings are known. An objective's
warnings are a plain function of what they are made from
(:func:`~okrpub.model.lint.objective_warnings`), so the engine keeps them in
the store (:mod:`okrpub.engine.cache`, kind :data:`LINT`) under the digest of
those inputs:

- the objective frame (:meth:`~okrpub.engine.frame.Frame.of_objectives`);
- the objective's entry: the digest of the file it was loaded from (which
  decides the entry when the file gave only it) and what resolution fills in
  (:func:`~okrpub.model.resolve.references`);
- its place in the cascade and its parent's period.

A later ``check`` in a new process computes and lints only the objectives
whose inputs changed (and their parents, whose period the warnings name).
A row that does not decode into diagnostics is a miss.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.frame import Frame
from okrpub.engine.loader import LoadCache
from okrpub.engine.reuse import digest_of, plain
from okrpub.engine.stats import OBJECTIVES_COMPUTED, OBJECTIVES_LINTED, Stats
from okrpub.model import cascade as cascades
from okrpub.model.cascade import Cascade, Place
from okrpub.model.compute import Setting, setting
from okrpub.model.lint import objective_warnings
from okrpub.model.objective import objective as compute_objective
from okrpub.model.resolve import Resolved, references
from okrpub.model.types import Model, Objective
from okrpub.source.entries import ObjectiveEntry

#: The kind of the store's rows that hold one objective's warnings.
LINT = "lint"

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(list[Diagnostic])


@dataclass(frozen=True)
class Checked:
    """What ``check`` reports: the diagnostics and how many objectives and units it saw."""

    diagnostics: Diagnostics
    objectives: int
    units: int


class StoredWarnings:
    """Each objective's warnings in the store, by the digest of their inputs under one frame."""

    def __init__(self, cache: LoadCache | None, frame: Frame) -> None:
        self._cache = cache
        self._frame = digest_of(*plain(frame.of_objectives()))
        #: This run's rows, by objective id: all that the store keeps afterwards.
        self._rows: dict[str, tuple[bytes, bytes]] = {}

    def key(self, entry: ObjectiveEntry, place: Place, parent_period: str | None) -> bytes | None:
        """The digest of what ``entry``'s warnings are made from; ``None`` when its file
        does not decide it."""
        if self._cache is None or (file := self._cache.digest_of_objective(entry.path)) is None:
            return None
        return digest_of(self._frame, file, *plain((references(entry), place, parent_period)))

    def get(self, objective_id: str, key: bytes | None) -> list[Diagnostic] | None:
        """The warnings kept for ``objective_id`` if they were made from ``key``."""
        store = self._cache.store if self._cache is not None else None
        if key is None or store is None:
            return None
        payload = store.result(LINT, objective_id, key)
        if payload is None:
            return None
        try:
            found = _DECODER.decode(payload)
        except msgspec.DecodeError:
            return None
        self._rows[objective_id] = (key, payload)
        return found

    def put(self, objective_id: str, key: bytes | None, warnings: list[Diagnostic]) -> None:
        if key is not None:
            self._rows[objective_id] = (key, _ENCODER.encode(warnings))

    def save(self) -> None:
        """Keep this run's rows, and only them."""
        store = self._cache.store if self._cache is not None else None
        if store is not None:
            store.save_results(LINT, self._rows)


def lint_content(
    resolved: Resolved,
    config: Config,
    today: dt.date,
    diagnostics: Diagnostics,
    cache: LoadCache | None = None,
    stats: Stats | None = None,
) -> tuple[int, int]:
    """Add every objective's warnings to ``diagnostics``, as
    :func:`~okrpub.model.lint.lint` of the computed model would, in the same order;
    computing (and counting in ``stats``) only the objectives whose warnings the store
    does not have. How many objectives and units the model has."""
    stats = stats or Stats()
    made_in = setting(resolved, config, today, cascades.units(resolved.units))
    frame = Frame.of(config, today, resolved.public, made_in)
    stored = StoredWarnings(cache, frame)
    cascade = cascades.cascade(resolved, made_in.periods)
    objectives = _Objectives(resolved, cascade, made_in, config, today, stats)
    for objective_id, place in cascade.places.items():
        entry = resolved.objectives[objective_id]
        parent = place.parent
        key = stored.key(entry, place, resolved.objectives[parent].period if parent else None)
        found = stored.get(objective_id, key)
        if found is None:
            found = objective_warnings(
                objectives.model,
                objectives.get(objective_id),
                entry,
                objectives.get(parent) if parent else None,
            )
            stats.add(OBJECTIVES_LINTED)
            stored.put(objective_id, key, found)
        diagnostics.extend(found)
    stored.save()
    return len(cascade.places), len(made_in.units)


class _Objectives:
    """Objectives computed when first asked for, and the model of their frame (without
    objectives or rollups: all that :func:`objective_warnings` reads of it)."""

    def __init__(
        self,
        resolved: Resolved,
        cascade: Cascade,
        made_in: Setting,
        config: Config,
        today: dt.date,
        stats: Stats,
    ) -> None:
        self._resolved, self._cascade, self._stats = resolved, cascade, stats
        self._made: dict[str, Objective] = {}
        self.model = Model(
            config=config,
            today=today,
            periods=made_in.periods,
            units=made_in.units,
            objectives={},
            pages=made_in.pages,
            period_rollups={},
            unit_rollups={},
            current_period=made_in.current_period,
            public=resolved.public,
        )

    def get(self, objective_id: str) -> Objective:
        made = self._made.get(objective_id)
        if made is None:
            entry = self._resolved.objectives[objective_id]
            model = self.model
            made = compute_objective(
                entry,
                self._cascade.places[objective_id],
                model.periods[entry.period],
                model.units,
                model.config,
                model.today,
            )
            self._stats.add(OBJECTIVES_COMPUTED)
            self._made[objective_id] = made
        return made
