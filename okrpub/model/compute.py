"""Computation: the model of resolved content on a day.

Every number the site shows is computed here, once, by the formulas of
docs/format.md §11-12 (:mod:`okrpub.model.progress`). :func:`compute` makes
the setting every objective sees (periods, units), the cascade
(:mod:`okrpub.model.cascade`), each objective (:mod:`okrpub.model.objective`)
and the rollups (:mod:`okrpub.model.rollup`), each step a plain function of
its inputs. The engine runs the same driver with steps that reuse what an
earlier computation made (:mod:`okrpub.engine.analysis`).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, Protocol

from okrpub.config import Config
from okrpub.model import cascade as cascades
from okrpub.model import progress
from okrpub.model.cascade import Cascade, Place
from okrpub.model.objective import objective as compute_objective
from okrpub.model.resolve import Resolved
from okrpub.model.rollup import rollup
from okrpub.model.types import FreePage, History, Model, Objective, Period, Rollup, Unit
from okrpub.source.entries import ObjectiveEntry

#: Each period's rollup, and each owner's in each period.
Rollups = tuple[dict[str, Rollup], dict[tuple[str, str], Rollup]]


class Setting(NamedTuple):
    """What a model holds besides its objectives and rollups: made before them, and
    the same for all of them."""

    periods: dict[str, Period]
    units: dict[str, Unit]
    pages: dict[str, FreePage]
    current_period: str | None


class Steps(Protocol):
    """How :func:`compute_in` makes the cascade, each objective and the rollups."""

    def cascade(self, resolved: Resolved, periods: dict[str, Period]) -> Cascade: ...

    def objective(
        self,
        entry: ObjectiveEntry,
        place: Place,
        period: Period,
        units: dict[str, Unit],
        config: Config,
        today: dt.date,
        history: History | None,
    ) -> Objective: ...

    def rollups(
        self, cascade: Cascade, objectives: dict[str, Objective], config: Config
    ) -> Rollups: ...


def rollups(cascade: Cascade, objectives: dict[str, Objective], config: Config) -> Rollups:
    """Each period's rollup and each owner's in each period, in the cascade's order."""
    return (
        {key: rollup((objectives[i] for i in ids), config) for key, ids in cascade.periods.items()},
        {key: rollup((objectives[i] for i in ids), config) for key, ids in cascade.owners.items()},
    )


class PlainSteps:
    """Each step made afresh by the model's plain functions."""

    cascade = staticmethod(cascades.cascade)
    objective = staticmethod(compute_objective)
    rollups = staticmethod(rollups)


def compute(
    resolved: Resolved, config: Config, today: dt.date, history: History | None = None
) -> Model:
    """The model of ``resolved``; key results without check-ins get points from ``history``."""
    units = cascades.units(resolved.units)
    return compute_in(resolved, setting(resolved, config, today, units), config, today, history)


def setting(resolved: Resolved, config: Config, today: dt.date, units: dict[str, Unit]) -> Setting:
    """The periods on ``today``, ``units`` (made from ``resolved.units``), the free pages
    and the current period."""
    periods = {
        period_id: progress.period(period_id, start, end, today)
        for period_id, (start, end) in resolved.periods.items()
    }
    pages = {
        page.id: FreePage(
            page.id,
            page.title,
            page.body,
            page.path,
            page.visibility or config.default_visibility,
            page.nav,
            page.nav_title or page.title,
            page.nav_order,
        )
        for page in sorted(resolved.pages.values(), key=lambda p: p.id)
    }
    return Setting(periods, units, pages, progress.current_period(periods, today))


def compute_in(
    resolved: Resolved,
    setting: Setting,
    config: Config,
    today: dt.date,
    history: History | None = None,
    steps: Steps | None = None,
) -> Model:
    """The model of ``resolved`` in ``setting``, each part made by ``steps``."""
    steps = steps or PlainSteps()
    periods, units = setting.periods, setting.units
    cascade = steps.cascade(resolved, periods)
    computed: dict[str, Objective] = {}
    for objective_id, place in cascade.places.items():
        entry = resolved.objectives[objective_id]
        period = periods[entry.period]
        computed[objective_id] = steps.objective(
            entry, place, period, units, config, today, history
        )
    rollups_made = steps.rollups(cascade, computed, config)
    return model_of(resolved, setting, config, today, cascade, computed, rollups_made)


def model_of(
    resolved: Resolved,
    setting: Setting,
    config: Config,
    today: dt.date,
    cascade: Cascade,
    objectives: dict[str, Objective],
    rollups_made: Rollups,
) -> Model:
    """The model of the computed ``objectives`` and their rollups, in ``setting``."""
    period_rollups, unit_rollups = rollups_made
    return Model(
        config=config,
        today=today,
        periods=setting.periods,
        units=setting.units,
        objectives=objectives,
        pages=setting.pages,
        period_rollups=period_rollups,
        unit_rollups=unit_rollups,
        current_period=setting.current_period,
        public=resolved.public,
        key_result_owners={unit: tuple(ids) for unit, ids in cascade.key_result_owners.items()},
    )
