"""Checking: the diagnostics of the content, without the model ``check`` does not show.

``check`` needs the diagnostics: not the rollups, and not an objective's
computed value once its warnings are known. Each objective's warnings are
kept in the store by the digest of their inputs (:mod:`okrpub.engine.results`,
kind :data:`LINT`): its entry, its place in the cascade, its parent's period
and the frame. A later ``check`` in a new process computes and lints only the
objectives whose inputs changed (and their parents, whose period the warnings
name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.frame import Frame
from okrpub.engine.loader import LoadCache
from okrpub.engine.results import (
    LINT,
    StoredResults,
    derived_digest,
    frame_digest,
    inputs_digest,
)
from okrpub.engine.stats import OBJECTIVES_COMPUTED, OBJECTIVES_LINTED, Stats
from okrpub.model import cascade as cascades
from okrpub.model.cascade import Cascade
from okrpub.model.compute import Setting, setting
from okrpub.model.lint import objective_warnings
from okrpub.model.objective import objective as compute_objective
from okrpub.model.resolve import Resolved
from okrpub.model.types import Model, Objective


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
    cache: LoadCache | None = None,
    stats: Stats | None = None,
) -> tuple[int, int]:
    """Add every objective's warnings to ``diagnostics``, as
    :func:`~okrpub.model.lint.lint` of the computed model would, in the same order;
    computing (and counting in ``stats``) only the objectives whose warnings the store
    does not have. How many objectives and units the model has."""
    stats = stats or Stats()
    made_in = setting(resolved, config, today, cascades.units(resolved.units))
    frame = frame_digest(Frame.of(config, today, resolved.public, made_in))
    stored = StoredResults(cache, LINT, list[Diagnostic])
    cascade = cascades.cascade(resolved, made_in.periods)
    objectives = _Objectives(resolved, cascade, made_in, config, today, stats)
    for objective_id, place in cascade.places.items():
        entry = resolved.objectives[objective_id]
        parent = place.parent
        parent_period = resolved.objectives[parent].period if parent else None
        key = derived_digest(inputs_digest(cache, frame, entry, place), parent_period)
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
