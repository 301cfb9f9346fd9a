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
- while the cascade is the same, only the objectives whose entries are not the
  very same as last time are looked at: the others are taken as they were;
- linting reuses what it found likewise (:mod:`okrpub.engine.linting`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from okrpub.config import Config
from okrpub.diagnostics import Diagnostics
from okrpub.engine.computed import (
    AUDIENCE_OBJECTIVE,
    OBJECTIVE,
    StoredObjectives,
    StoredRollups,
)
from okrpub.engine.frame import Frame
from okrpub.engine.linting import LintMemo
from okrpub.engine.loader import LoadCache
from okrpub.engine.memo import not_the_same_as
from okrpub.engine.results import (
    frame_digest,
    inputs_digest,
)
from okrpub.engine.stats import (
    OBJECTIVES_COMPUTED,
    OBJECTIVES_LOOKED_AT,
    RESOLUTIONS,
    ROLLUPS_COMPUTED,
    Stats,
)
from okrpub.model import cascade as cascades
from okrpub.model.cascade import Cascade, Place
from okrpub.model.compute import Rollups, Setting, compute_in, model_of, setting
from okrpub.model.objective import objective as compute_objective
from okrpub.model.resolve import Resolved, references, resolve, with_period
from okrpub.model.rollup import rollup
from okrpub.model.types import History, Model, Objective, Period, Rollup, Unit
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

    def __init__(self, kind: str = OBJECTIVE) -> None:
        #: The kind of the rows of computed objectives in the store (:mod:`~.computed`).
        self.kind = kind
        self._tables = _Last[tuple[object, ...], _MemoTable]()
        self._units = _Last[dict[str, UnitEntry], dict[str, Unit]]()
        #: The digest of each objective's inputs in the last computation, for the results
        #: made from it (its warnings); ``None`` for one the store does not keep.
        self.digests: dict[str, bytes | None] = {}
        #: The last model before the last computation and the objectives whose entries
        #: changed since, when that computation looked only at those (else ``None``).
        self.changed: tuple[Model, list[str]] | None = None

    def units(self, entries: dict[str, UnitEntry]) -> dict[str, Unit]:
        """The units made from ``entries``: the very same as last time if they are equal."""
        return self._units.get(entries, lambda: cascades.units(entries))

    def steps(self, frame: Frame, stats: Stats, cache: LoadCache | None = None) -> _MemoTable:
        """The steps that reuse what was made under ``frame``, counting in ``stats``; with a
        ``cache``, noting the digest of each objective's inputs (:mod:`okrpub.engine.results`)."""
        table = self._tables.get(frame.of_objectives(), _MemoTable)
        table.stats = stats
        table.digests = {}
        # the table is the frame's: its digest is made once
        table.cache = cache
        table.stored = StoredObjectives(cache, self.kind)
        table.frame = (table.frame or frame_digest(frame)) if cache is not None else b""
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
        #: The computed objectives kept in the store (with a cache).
        self.stored = StoredObjectives(None, OBJECTIVE)
        #: The digest of each objective's inputs in the last computation (with a cache).
        self.digests: dict[str, bytes | None] = {}
        #: The entries and hidden key results the last cascade was made from, and it.
        self._cascade: tuple[dict[str, ObjectiveEntry], dict[str, int], Cascade] | None = None
        self._objectives: dict[str, tuple[tuple[object, ...], Objective, bytes | None]] = {}
        #: The last rollups, and the cascade and objectives they were made from.
        self._rollups: tuple[Cascade, Rollups, dict[str, Objective]] | None = None
        #: The last model computed, and the entries it was computed from.
        self.last: tuple[Model, dict[str, ObjectiveEntry]] | None = None
        #: When the last computation was made from the model before it, that model and the
        #: objectives whose entries were not the very same (all the others are).
        self.changed: tuple[Model, list[str]] | None = None

    def again(
        self, resolved: Resolved, made_in: Setting, config: Config, today: dt.date
    ) -> Model | None:
        """What :func:`~okrpub.model.compute.compute_in` gives, looking only at the
        objectives whose entries are not the very same as last time, when the last
        model was computed under this frame and the cascade is unchanged; else ``None``."""
        known, last = self._cascade, self.last
        now = resolved.objectives
        if known is None or last is None or known[1] != resolved.hidden_key_results:
            return None
        model, entries = last
        if known[0] is not entries or entries.keys() != now.keys():
            return None
        # the one look at every objective (without a Python loop while they are in the same
        # order): the others below look only at these
        changed = not_the_same_as(now, entries)
        if any(references(entries[key]) != references(now[key]) for key in changed):
            return None
        cascade = known[2]
        self._cascade = (now, resolved.hidden_key_results, cascade)
        self.digests = dict(self.digests)
        objectives = dict(model.objectives)
        for key in changed:
            entry = now[key]
            period = made_in.periods[entry.period]
            place = cascade.places[key]
            objectives[key] = self.objective(
                entry, place, period, made_in.units, config, today, None
            )
        # the last rollups were made from the last model's objectives: only these differ
        same = self._rollups is not None and self._rollups[2] is model.objectives
        rollups_made = self.rollups(cascade, objectives, config, changed if same else None)
        self.changed = (model, changed)
        return model_of(resolved, made_in, config, today, cascade, objectives, rollups_made)

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
        self.stats.add(OBJECTIVES_LOOKED_AT)
        inputs = (entry, place)
        known = self._objectives.get(entry.id)
        if known is not None and known[0] == inputs:
            self.digests[entry.id] = known[2]
            self.stored.carry(entry.id)
            return known[1]
        digest = inputs_digest(self.cache, self.frame, entry, place)
        made = self.stored.get(entry, digest)
        if made is None:
            made = compute_objective(entry, place, period, units, config, today, history)
            self.stats.add(OBJECTIVES_COMPUTED)
            self.stored.put(entry, digest, made)
        self._objectives[entry.id] = (inputs, made, digest)
        self.digests[entry.id] = digest
        return made

    def rollups(
        self,
        cascade: Cascade,
        objectives: dict[str, Objective],
        config: Config,
        changed: list[str] | None = None,
    ) -> Rollups:
        """Under the last cascade, only the rollups with an objective that is not the
        very same object are made again (when the last rollups were made from the same
        objectives but ``changed``, only those are looked at)."""
        known = self._rollups
        if known is None or known[0] is not cascade:
            made = self._kept_rollups(cascade, objectives, config)
        else:
            periods, owners = dict(known[1][0]), dict(known[1][1])
            last = known[2]
            looked = objectives if changed is None else changed
            for objective in (objectives[key] for key in looked):
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

    def _kept_rollups(
        self, cascade: Cascade, objectives: dict[str, Objective], config: Config
    ) -> Rollups:
        """Each rollup kept in the store from its objectives' inputs, else made (counted)."""
        stored = StoredRollups(self.cache, self.stored.kind, self.frame)

        def made(key: str | tuple[str, str], ids: tuple[str, ...]) -> Rollup:
            digest = stored.digest(self.digests.get(i) for i in ids)
            kept = stored.get(key, digest, ids)
            if kept is None:
                kept = rollup((objectives[i] for i in ids), config)
                self.stats.add(ROLLUPS_COMPUTED)
                stored.put(key, digest, kept)
            return kept

        periods = {key: made(key, tuple(ids)) for key, ids in cascade.periods.items()}
        owners = {key: made(key, tuple(ids)) for key, ids in cascade.owners.items()}
        stored.save()
        return periods, owners


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
    steps.changed = None
    if history is None:
        steps.digests = memo.digests
        model = steps.again(resolved, made_in, config, today)
    if history is not None or model is None:
        steps.digests = {}
        model = compute_in(resolved, made_in, config, today, history, steps)
    steps.last = (model, resolved.objectives)
    steps.stored.save(whole=steps.changed is None)
    memo.digests, memo.changed = steps.digests, steps.changed
    return model


@dataclass
class AnalysisMemo:
    """What ``serve`` keeps from one rebuild for the next: the resolution, the objectives
    computed (of the checked model and of the audience's) and the warnings found, handed
    out again while what they depend on is unchanged."""

    resolve: ResolveMemo = field(default_factory=ResolveMemo)
    compute: ComputeMemo = field(default_factory=ComputeMemo)
    audience: ComputeMemo = field(default_factory=lambda: ComputeMemo(AUDIENCE_OBJECTIVE))
    lint: LintMemo = field(default_factory=LintMemo)
