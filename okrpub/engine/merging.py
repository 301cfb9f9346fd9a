"""Merging what the content files gave, and putting ``serve``'s edited files into the last merge.

:func:`okrpub.source.load.merge` joins what every file gave into one
:class:`~okrpub.source.entries.Sources`. ``serve`` keeps the last merge
(:class:`Merge`) and, when the files that changed each gave one objective and
nothing else, before and now, puts the new objectives in its place
(:func:`merged_again`), looking only at those files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from okrpub.diagnostics import Diagnostic
from okrpub.engine.stats import MERGES, Stats
from okrpub.source.entries import Loaded, Sources
from okrpub.source.load import merge


@dataclass(frozen=True)
class Merge:
    """What the files gave together, in their order, and what each file gave."""

    results: list[Loaded]
    sources: Sources
    #: Their problems, in order.
    found: list[Diagnostic]
    #: For each file that gave one objective and nothing else, by its place in
    #: :attr:`results`: the objective's place in ``sources.objectives``.
    places: dict[int, int]


def merged(results: list[Loaded]) -> Merge:
    """What ``results`` give together."""
    sources, found = merge(results)
    places: dict[int, int] = {}
    count = 0
    for index, loaded in enumerate(results):
        part = loaded.sources
        if len(part.objectives) == 1 and not part.units and not part.pages:
            places[index] = count
        count += len(part.objectives)
    return Merge(results, sources, found, places)


def merged_again(last: Merge, results: list[Loaded], looked: Iterable[int]) -> Merge | None:
    """The last merge with new objectives in it, when the files that changed (``serve``
    reads few) each gave one objective and nothing else, before and now, with no
    problems either time; else ``None``. Only the files at the places ``looked`` may
    differ from the last merge's: the others are not looked at."""
    if len(last.results) != len(results):
        return None
    objectives = last.sources.objectives
    for index in looked:
        before, now = last.results[index], results[index]
        if before is now:
            continue
        place = last.places.get(index)
        part = now.sources
        if (
            place is None
            or before.diagnostics
            or now.diagnostics
            or len(part.objectives) != 1
            or part.units
            or part.pages
            or part.declared_objectives != before.sources.declared_objectives
            or part.declared_units != before.sources.declared_units
        ):
            return None
        if objectives is last.sources.objectives:
            objectives = list(objectives)
        objectives[place] = part.objectives[0]
    sources = dataclasses.replace(last.sources, objectives=objectives)
    return Merge(results, sources, last.found, last.places)


def merge_again(
    last: Merge | None, results: list[Loaded], looked: Iterable[int], stats: Stats
) -> Merge:
    """What ``results`` give together: the ``last`` merge with the results at the places
    ``looked`` put in when it can be (:func:`merged_again`), else a whole merge, counted
    in ``stats``."""
    again = merged_again(last, results, looked) if last is not None else None
    if again is None:
        again = merged(results)
        stats.add(MERGES)
    return again
