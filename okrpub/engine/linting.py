"""Lint with reuse: each objective's warnings, found again only when what they depend on
changed since ``serve``'s last rebuild, or taken from the store.

:func:`~okrpub.model.lint.lint` lints every objective of a model. Kept from one
rebuild to the next, a :class:`LintMemo` hands out an objective's last warnings
while the objective is the very same object, with an equal entry and parent
period, under an equal frame; and while the site has the same objectives,
:func:`lint_model` looks only at those that are not the very same objects (and
their children) and takes the others' warnings as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from operator import itemgetter

from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.frame import frame
from okrpub.engine.loader import LoadCache
from okrpub.engine.results import LINT, StoredResults, derived_digest
from okrpub.engine.stats import OBJECTIVES_LINTED, WARNINGS_LOOKED_AT, Stats
from okrpub.model.lint import Warnings, lint, objective_warnings
from okrpub.model.resolve import Resolved
from okrpub.model.types import Model, Objective
from okrpub.source.entries import ObjectiveEntry


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
        #: The last lint's model and entries.
        self._last: tuple[Model, dict[str, ObjectiveEntry]] | None = None

    def changed(
        self, model: Model, resolved: Resolved, since: tuple[Model, list[str]] | None = None
    ) -> list[str] | None:
        """The objectives whose warnings may differ from the last lint's: those that are
        not the very same object or entry, and the children of those (their parent's
        period); ``None`` when the frame or the objectives are not the same. When
        ``model`` was computed from the last lint's model looking only at some objectives
        (``since``: that model, and those), only those are looked at."""
        last = self._last
        if last is None or frame(model).of_objectives() != self._frame:
            return None
        before, entries = last[0].objectives, last[1]
        if since is not None and since[0] is last[0]:
            looked: Iterable[str] = since[1]
        elif before.keys() != model.objectives.keys():
            return None
        else:
            looked = model.objectives
        now, objectives = resolved.objectives, model.objectives
        changed = [
            key
            for key in looked
            if before[key] is not objectives[key] or entries.get(key) is not now.get(key)
        ]
        below = {
            c for key in changed for o in (before[key], model.objectives[key]) for c in o.children
        }
        return [*changed, *(key for key in below - set(changed) if key in model.objectives)]

    def linted(self, model: Model, resolved: Resolved) -> None:
        """A lint of ``model`` is whole: the next one may look only at what changed since."""
        self._last = (model, resolved.objectives)

    def found(self, keys: Iterable[str]) -> Iterator[Diagnostic]:
        """The warnings of the objectives ``keys`` in the last lint, in order (without a
        Python loop: a rebuild takes those of every objective)."""
        return chain.from_iterable(map(itemgetter(1), map(self._known.__getitem__, keys)))

    def warnings(
        self,
        model: Model,
        stats: Stats,
        stored: StoredResults[list[Diagnostic]],
        digests: dict[str, bytes | None],
        *,
        keep: bool = False,
    ) -> Warnings:
        """What finds an objective's warnings in ``model``: the last ones when known, else
        those ``stored`` keeps for the objective's inputs (their ``digests``). With
        ``keep``, the warnings of the objectives it is not asked about are kept too."""
        objectives = frame(model).of_objectives()
        known = self._known if objectives == self._frame else {}
        self._frame, self._known = objectives, dict(known) if keep else {}
        self._last = None  # until this lint is whole (:meth:`linted`)

        def warnings(
            model: Model, objective: Objective, entry: ObjectiveEntry, parent: Objective | None
        ) -> list[Diagnostic]:
            stats.add(WARNINGS_LOOKED_AT)
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
    since: tuple[Model, list[str]] | None = None,
) -> None:
    """:func:`~okrpub.model.lint.lint`; with a ``memo``, an unchanged objective keeps
    its last warnings; with a ``cache``, so does one whose inputs' digest (``digests``, by
    :func:`compute_model`) is unchanged; ``since``: what :func:`compute_model` looked at
    (see :meth:`LintMemo.changed`). The objectives linted are counted in ``stats``."""
    stored = StoredResults(cache, LINT, list[Diagnostic])
    memo = memo or LintMemo()
    changed = memo.changed(model, resolved, since)
    warnings = memo.warnings(
        model, stats or Stats(), stored, digests or {}, keep=changed is not None
    )
    if changed is None:
        lint(model, resolved, diagnostics, warnings)
        stored.save()
    else:
        # only what changed is looked at; the warnings are added in the model's order
        objectives = model.objectives
        for key in changed:
            objective = objectives[key]
            parent = objectives.get(objective.parent_objective or "")
            warnings(model, objective, resolved.objectives[key], parent)
        diagnostics.extend(memo.found(objectives))
        stored.save_over()
    memo.linted(model, resolved)
