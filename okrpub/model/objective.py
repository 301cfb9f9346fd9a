"""One objective computed: its key results' numbers and its own.

:func:`objective` is a plain function of the objective's entry, its place in
the cascade, its period, the units, the configuration, today and (for
``build --history git``) the git history; nothing else goes into it.
"""

from __future__ import annotations

import datetime as dt

from okrpub.config import Config
from okrpub.model.cascade import Place
from okrpub.model.progress import (
    elapsed_share,
    is_stale,
    key_result_status,
    numeric_progress,
    objective_status,
    rounded,
    rounded_or_none,
    weighted_mean,
)
from okrpub.model.types import (
    History,
    KeyResult,
    Number,
    Objective,
    Period,
    PeriodState,
    Points,
    Status,
    Unit,
)
from okrpub.source.entries import KeyResultEntry, ObjectiveEntry


def objective(
    entry: ObjectiveEntry,
    place: Place,
    period: Period,
    units: dict[str, Unit],
    config: Config,
    today: dt.date,
    history: History | None = None,
) -> Objective:
    """The objective of ``entry`` at ``place``; key results without check-ins get points
    from ``history``."""
    key_results = tuple(
        key_result(
            kr,
            period,
            config,
            today,
            units,
            history.of(entry.id, kr.id) if history is not None else (),
            entry.stale_after_days or config.stale_after_days,
        )
        for kr in entry.key_results
    )
    parent_id, parent_kr = place.parent, place.parent_key_result
    counted = [kr for kr in key_results if kr.counts]
    progress = weighted_mean((kr.progress, kr.weight) for kr in counted)
    score = weighted_mean((kr.score, kr.weight) for kr in counted)
    owner = units.get(entry.owner)
    return Objective(
        id=entry.id,
        title=entry.title,
        owner=entry.owner,
        period=entry.period,
        parent=f"{parent_id}#{parent_kr}" if parent_kr else parent_id,
        parent_objective=parent_id,
        parent_key_result=parent_kr,
        parent_hidden=entry.parent is not None and parent_id is None,
        type=entry.type,
        visibility=entry.visibility or config.default_visibility,
        draft=entry.draft,
        tags=entry.tags,
        key_results=key_results,
        hidden_key_results=place.hidden_key_results,
        body=entry.body,
        path=entry.path,
        progress=rounded_or_none(progress),
        score=rounded_or_none(score),
        colour=_colour(score, progress, period, config),
        status=objective_status(counted, period) if counted else None,
        unaligned=entry.parent is None and (owner.kind if owner else None) != "company",
        children=place.children,
        ancestors=place.ancestors,
        counted=len(counted),
        with_data=sum(kr.progress is not None for kr in counted),
        graded=sum(kr.graded for kr in counted),
    )


def _colour(
    score: float | None, progress: float | None, period: Period, config: Config
) -> str | None:
    """The grade's colour; while the period runs, the progress's; else none (not graded)."""
    if score is not None:
        return config.grade_thresholds.colour(score)
    if progress is None or period.state is PeriodState.PAST:
        return None
    return config.grade_thresholds.colour(progress)


def key_result(
    entry: KeyResultEntry,
    period: Period,
    config: Config,
    today: dt.date,
    units: dict[str, Unit],
    history: Points,
    stale_after_days: int,
) -> KeyResult:
    """The key result of ``entry`` in ``period`` on ``today``; stale after
    ``stale_after_days`` without a check-in."""
    target = entry.target
    binary = target is None
    current: Number | None = None
    progress: float | None = None
    if target is None:
        progress = 1.0 if entry.done else 0.0
    else:
        current = entry.current
        if current is None:
            latest = entry.checkins.latest_value
            # no value reported yet: no data, not the start
            current = latest if isinstance(latest, (int, float)) else None
        if current is not None:
            progress = numeric_progress(entry.start, target, current)
    confidence = entry.confidence
    if confidence is None:
        confidence = entry.checkins.latest_confidence
    last_checkin = entry.checkins.last_date
    due = entry.due or period.end
    stale = entry.cancelled is None and is_stale(
        last_checkin, period, progress, stale_after_days, today
    )
    expected = None
    if not binary and period.state is PeriodState.CURRENT:
        expected = rounded(elapsed_share(period.start, due, today))
    closed = period.state is PeriodState.PAST
    score = entry.score if closed and entry.cancelled is None else None
    status = key_result_status(progress, confidence, expected, stale, due, period, config, today)
    return KeyResult(
        id=entry.id,
        title=entry.title,
        kind="binary" if binary else "numeric",
        start=None if binary else entry.start,
        target=entry.target,
        current=current,
        done=entry.done if binary else None,
        unit=entry.unit,
        owner=entry.owner if entry.owner in units else None,
        due=due,
        weight=entry.weight,
        confidence=confidence,
        progress=rounded_or_none(progress),
        score=rounded_or_none(score),
        score_given=entry.score is not None,
        colour=None if entry.cancelled is not None else _colour(score, progress, period, config),
        status=Status.CANCELLED if entry.cancelled is not None else status,
        expected_progress=expected,
        stale=stale,
        last_checkin=last_checkin,
        checkins=entry.checkins,
        visibility=entry.visibility or "public",
        lower_is_better=target is not None and target < entry.start,
        history=() if entry.checkins else history,
        cancelled=entry.cancelled,
    )
