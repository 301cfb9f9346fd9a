"""Rollups: the numbers of a set of objectives (a period's, or a unit's in a period)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from okrpub.config import Config
from okrpub.model.progress import rounded
from okrpub.model.types import ColourCounts, Objective, Rollup, StatusCounts


def rollup(objectives: Iterable[Objective], config: Config) -> Rollup:
    """Numbers of a set of objectives; those without numbers are listed but not counted."""
    objectives = list(objectives)
    measured = [o for o in objectives if o.measured]
    statuses = Counter(str(o.status) for o in measured)
    colours = Counter(kr.colour for o in measured for kr in o.key_results)
    score = _mean([o.score for o in measured if o.score is not None])
    return Rollup(
        objectives=tuple(o.id for o in objectives),
        progress=_mean([o.progress for o in measured if o.progress is not None]),
        score=score,
        colour=config.grade_thresholds.colour(score) if score is not None else None,
        statuses=StatusCounts(**statuses),
        key_result_colours=ColourCounts(**colours),
    )


def _mean(values: list[float]) -> float | None:
    return rounded(sum(values) / len(values)) if values else None
