"""Analysis: resolve, compute and lint, reusing what ``serve``'s last rebuild made.

The model's stages are plain functions (:mod:`okrpub.model`); here they run
with memos that hand out again what is unchanged, and the work actually done
is counted in :class:`~okrpub.engine.stats.Stats`:

- resolution is skipped when the files changed only in what no reference
  depends on (a title, values, check-ins, a body);
- under an equal frame (:mod:`okrpub.engine.frame`), an objective whose entry
  and place in the cascade are unchanged is not computed again: it is the very
  same object as last time, and so is a rollup of the very same objectives, so
  that the renderer and the lint memo tell by identity what is unchanged;
- an objective that is the very same object, with an equal entry and parent
  period, is not linted again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.frame import Frame, frame
from okrpub.engine.loader import LoadCache
from okrpub.engine.results import (
    LINT,
    StoredResults,
    derived_digest,
    frame_digest,
    inputs_digest,
)
from okrpub.engine.stats import (
    OBJECTIVES_COMPUTED,
    OBJECTIVES_LINTED,
    RESOLUTIONS,
    ROLLUPS_COMPUTED,
    Stats,
)
from okrpub.model import cascade as cascades
from okrpub.model.cascade import Cascade, Place
from okrpub.model.compute import Rollups, compute_in, rollups, setting
from okrpub.model.lint import Warnings, lint, objective_warnings
from okrpub.model.objective import objective as compute_objective
from okrpub.model.resolve import Resolved, references, resolve, with_period
from okrpub.model.rollup import rollup
from okrpub.model.types import History, Model, Objective, Period, Unit
from okrpub.source.entries import ObjectiveEntry, Sources, UnitEntry

Key = TypeVar("Key")
Value = TypeVar("Value")


class _Last(Generic[Key, Value]):
    """The value made for the last key, made again for a key that is not equal."""

    def __init__(self) -> None:
        self._known: tuple[Key, Value] | None = None

    def get(self, key: Key, make: Callable[[], Value]) -> Value:
        if self._known is None or self._known[0] != key:
            self._known = (key, make())
        return self._known[1]


# -- resolve -------------------------------------------------------------------------------


class ResolveMemo:
    """The last resolution: when the files changed only in what no reference depends on,
    resolving again gives the same result with the new entries in it, and no problems
    if the last one had none."""

    def __init__(self) -> None:
        self._last: tuple[Sources, Config, Resolved] | None = None

    def again(self, sources: Sources, config: Config) -> Resolved | None:
        """The last result with the new entries in it, if that is what resolving gives."""
        if self._last is None:
            return None
        before, before_config, resolved = self._last
        if (
            config != before_config
            or not _same_items(before.units, sources.units)
            or not _same_items(before.pages, sources.pages)
            or before.declared_units != sources.declared_units
            or before.declared_objectives != sources.declared_objectives
            or len(before.objectives) != len(sources.objectives)
        ):
            return None
        objectives = dict(resolved.objectives)
        for old, new in zip(before.objectives, sources.objectives, strict=True):
            if old is new:
                continue
            if references(old) != references(new):
                return None
            if (kept := objectives.get(new.id)) is not None:
                objectives[new.id] = with_period(new, kept.period, kept.visibility)
        return dataclasses.replace(resolved, objectives=objectives)

    def keep(self, sources: Sources, config: Config, resolved: Resolved | None) -> None:
        """Remember a resolution (``None``: one that found problems, never reused)."""
        self._last = None if resolved is None else (sources, config, resolved)


def _same_items(before: list[Value], now: list[Value]) -> bool:
    return len(before) == len(now) and all(a is b for a, b in zip(before, now, strict=True))


def resolve_content(
    sources: Sources,
    config: Config,
    diagnostics: Diagnostics,
    memo: ResolveMemo | None = None,
    stats: Stats | None = None,
) -> Resolved:
    """:func:`~okrpub.model.resolve.resolve`; with a ``memo``, the last result when the
    files changed only in what no reference depends on."""
    if memo is not None and (again := memo.again(sources, config)) is not None:
        memo.keep(sources, config, again)
        return again
    found = Diagnostics()
    resolved = resolve(sources, config, found)
    (stats or Stats()).add(RESOLUTIONS)
    diagnostics.extend(found)
    if memo is not None:
        memo.keep(sources, config, None if len(found) else resolved)
    return resolved


# -- compute -------------------------------------------------------------------------------


class ComputeMemo:
    """What :func:`compute_model` made in ``serve``'s last rebuild under the last frame, to
    hand out again. ``serve`` computes two models a rebuild, the checked one and its
    audience's (when that leaves drafts or internal items out): each has a memo.
    """

    def __init__(self) -> None:
        self._tables = _Last[tuple[object, ...], _MemoTable]()
        self._units = _Last[dict[str, UnitEntry], dict[str, Unit]]()
        #: The digest of each objective's inputs in the last computation, for the results
        #: made from it (its warnings); ``None`` for one the store does not keep.
        self.digests: dict[str, bytes | None] = {}

    def units(self, entries: dict[str, UnitEntry]) -> dict[str, Unit]:
        """The units made from ``entries``: the very same as last time if they are equal."""
        return self._units.get(entries, lambda: cascades.units(entries))

    def steps(self, frame: Frame, stats: Stats, cache: LoadCache | None = None) -> _MemoTable:
        """The steps that reuse what was made under ``frame``, counting in ``stats``; with a
        ``cache``, noting the digest of each objective's inputs (:mod:`okrpub.engine.results`)."""
        table = self._tables.get(frame.of_objectives(), _MemoTable)
        table.stats = stats
        table.digests = {}
        table.cache, table.frame = cache, frame_digest(frame) if cache is not None else b""
        return table


class _MemoTable:
    """What was made under one frame: the cascade, each objective and the rollups (the
    steps of :func:`~okrpub.model.compute.compute_in`). Only what the last computation
    made is kept, so a server that runs for hours keeps one model's worth."""

    def __init__(self) -> None:
        self.stats = Stats()
        #: The cache whose files' digests are part of each objective's, and the frame's.
        self.cache: LoadCache | None = None
        self.frame = b""
        #: The digest of each objective's inputs in the last computation (with a cache).
        self.digests: dict[str, bytes | None] = {}
        #: The entries and hidden key results the last cascade was made from, and it.
        self._cascade: tuple[dict[str, ObjectiveEntry], dict[str, int], Cascade] | None = None
        self._objectives: dict[str, tuple[tuple[object, ...], Objective, bytes | None]] = {}
        #: The last rollups, and the cascade and objectives they were made from.
        self._rollups: tuple[Cascade, Rollups, dict[str, Objective]] | None = None

    def cascade(self, resolved: Resolved, periods: dict[str, Period]) -> Cascade:
        """The cascade made last time, unless an objective came or went or changed what
        its place depends on (see :func:`okrpub.model.resolve.references`)."""
        known = self._cascade
        if (
            known is None
            or known[1] != resolved.hidden_key_results
            or not _same_shape(known[0], resolved.objectives)
        ):
            cascade = cascades.cascade(resolved, periods)
            self._objectives = {
                i: self._objectives[i] for i in cascade.places if i in self._objectives
            }
        else:
            cascade = known[2]
        self._cascade = (resolved.objectives, resolved.hidden_key_results, cascade)
        return cascade

    def objective(
        self,
        entry: ObjectiveEntry,
        place: Place,
        period: Period,
        units: dict[str, Unit],
        config: Config,
        today: dt.date,
        history: History | None,
    ) -> Objective:
        """The objective made last time from an equal entry and place, else a new one
        (the rest is the frame's)."""
        inputs = (entry, place)
        known = self._objectives.get(entry.id)
        if known is not None and known[0] == inputs:
            self.digests[entry.id] = known[2]
            return known[1]
        digest = inputs_digest(self.cache, self.frame, entry, place)
        made = compute_objective(entry, place, period, units, config, today, history)
        self.stats.add(OBJECTIVES_COMPUTED)
        self._objectives[entry.id] = (inputs, made, digest)
        self.digests[entry.id] = digest
        return made

    def rollups(
        self, cascade: Cascade, objectives: dict[str, Objective], config: Config
    ) -> Rollups:
        """Under the last cascade, only the rollups with an objective that is not the
        very same object are made again."""
        known = self._rollups
        if known is None or known[0] is not cascade:
            made = rollups(cascade, objectives, config)
            self.stats.add(ROLLUPS_COMPUTED, len(made[0]) + len(made[1]))
        else:
            periods, owners = dict(known[1][0]), dict(known[1][1])
            last = known[2]
            for objective in objectives.values():
                if last[objective.id] is not objective:
                    period = objective.period
                    periods[period] = rollup(
                        (objectives[i] for i in cascade.periods[period]), config
                    )
                    for owner in ((unit, period) for unit in objective.owners):
                        ids = cascade.owners[owner]
                        owners[owner] = rollup((objectives[i] for i in ids), config)
                    self.stats.add(ROLLUPS_COMPUTED, 1 + len(objective.owners))
            made = (periods, owners)
        self._rollups = (cascade, made, objectives)
        return made


def _same_shape(before: dict[str, ObjectiveEntry], now: dict[str, ObjectiveEntry]) -> bool:
    """Whether the same objectives are there, each with the references it had (its
    owner, period, parent and key results' ids are all the cascade depends on)."""
    if before.keys() != now.keys():
        return False
    return all(
        references(before[i]) == references(entry)
        for i, entry in now.items()
        if before[i] is not entry
    )


def compute_model(
    resolved: Resolved,
    config: Config,
    today: dt.date,
    history: History | None = None,
    memo: ComputeMemo | None = None,
    stats: Stats | None = None,
    cache: LoadCache | None = None,
) -> Model:
    """:func:`~okrpub.model.compute.compute`; with a ``memo`` of the last computation,
    what is unchanged is not computed again (not with ``history``, which ``serve`` does
    not read), and with a ``cache`` the digest of each objective's inputs is noted in
    the memo, for the warnings kept in the store. The objectives computed are counted
    in ``stats``."""
    if memo is None or history is not None:
        memo, cache = ComputeMemo(), None
    made_in = setting(resolved, config, today, memo.units(resolved.units))
    frame = Frame.of(config, today, resolved.public, made_in)
    steps = memo.steps(frame, stats or Stats(), cache)
    model = compute_in(resolved, made_in, config, today, history, steps)
    memo.digests = steps.digests
    return model


# -- lint ----------------------------------------------------------------------------------


class LintMemo:
    """The warnings of each objective in ``serve``'s last rebuild, to hand out again.

    An objective's warnings depend on the objective, its entry (for locations), its
    parent's period and the frame: when the objective is the very same object as
    last time and the rest is equal, so are they. What the last lint did not see
    is forgotten.
    """

    def __init__(self) -> None:
        self._frame: tuple[object, ...] | None = None
        self._known: dict[str, tuple[tuple[object, ...], list[Diagnostic]]] = {}

    def warnings(
        self,
        model: Model,
        stats: Stats,
        stored: StoredResults[list[Diagnostic]],
        digests: dict[str, bytes | None],
    ) -> Warnings:
        """What finds an objective's warnings in ``model``: the last ones when known, else
        those ``stored`` keeps for the objective's inputs (their ``digests``)."""
        objectives = frame(model).of_objectives()
        known = self._known if objectives == self._frame else {}
        self._frame, self._known = objectives, {}

        def warnings(
            model: Model, objective: Objective, entry: ObjectiveEntry, parent: Objective | None
        ) -> list[Diagnostic]:
            period = parent.period if parent else None
            inputs = (objective, entry, period)
            found = known.get(objective.id)
            # the objective by identity (its equality is deep); the entry may be an equal copy
            if found is not None and found[0][0] is objective and found[0] == inputs:
                stored.carry(objective.id)
            else:
                digest = derived_digest(digests.get(objective.id), period)
                made = stored.get(objective.id, digest)
                if made is None:
                    made = objective_warnings(model, objective, entry, parent)
                    stats.add(OBJECTIVES_LINTED)
                    stored.put(objective.id, digest, made)
                found = (inputs, made)
            self._known[objective.id] = found
            return found[1]

        return warnings


def lint_model(
    model: Model,
    resolved: Resolved,
    diagnostics: Diagnostics,
    memo: LintMemo | None = None,
    stats: Stats | None = None,
    cache: LoadCache | None = None,
    digests: dict[str, bytes | None] | None = None,
) -> None:
    """:func:`~okrpub.model.lint.lint`; with a ``memo``, an unchanged objective keeps
    its last warnings; with a ``cache``, so does one whose inputs' digest (``digests``, by
    :func:`compute_model`) is unchanged. The objectives linted are counted in ``stats``."""
    stored = StoredResults(cache, LINT, list[Diagnostic])
    warnings = (memo or LintMemo()).warnings(model, stats or Stats(), stored, digests or {})
    lint(model, resolved, diagnostics, warnings)
    stored.save()


@dataclass
class AnalysisMemo:
    """What ``serve`` keeps from one rebuild for the next: the resolution, the objectives
    computed (of the checked model and of the audience's) and the warnings found, handed
    out again while what they depend on is unchanged."""

    resolve: ResolveMemo = field(default_factory=ResolveMemo)
    compute: ComputeMemo = field(default_factory=ComputeMemo)
    audience: ComputeMemo = field(default_factory=ComputeMemo)
    lint: LintMemo = field(default_factory=LintMemo)
