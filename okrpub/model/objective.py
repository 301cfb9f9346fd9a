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
from okrpub.source.inline import plain_text


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
    key_results_score = weighted_mean((kr.score, kr.weight) for kr in counted)
    # the objective's own grade, like a key result's: once the period has closed
    score_given = entry.score is not None and bool(counted) and period.state is PeriodState.PAST
    score = entry.score if score_given else key_results_score
    owner = units.get(entry.owner)
    return Objective(
        id=entry.id,
        title=plain_text(entry.title),
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
        colour=_colour(score, config),
        status=objective_status(counted, period) if counted else None,
        unaligned=entry.parent is None and (owner.kind if owner else None) != "company",
        children=place.children,
        ancestors=place.ancestors,
        counted=len(counted),
        with_data=sum(kr.progress is not None for kr in counted),
        graded=sum(kr.graded for kr in counted),
        closed=period.state is PeriodState.PAST,
        owners=tuple(unit for unit in entry.owners if unit in units),
        parents=place.parents,
        title_markdown=entry.title,
        links=entry.links,
        score_given=score_given,
        key_results_score=rounded_or_none(key_results_score),
        given_score=entry.score,
    )


def _colour(score: float | None, config: Config) -> str | None:
    """The grade's colour; none without a grade (while the period runs, colour means
    status only; not graded)."""
    return None if score is None else config.grade_thresholds.colour(score)


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
    status, reasons = key_result_status(
        progress, confidence, expected, last_checkin, stale, due, period, config, today
    )
    health = _owner_health(entry)
    return KeyResult(
        id=entry.id,
        title=plain_text(entry.title),
        kind="binary" if binary else "numeric",
        start=None if binary else entry.start,
        target=entry.target,
        current=current,
        done=entry.done if binary else None,
        unit=entry.unit,
        owner=entry.owner if entry.owner in units else None,
        owners=tuple(unit for unit in entry.owners if unit in units),
        due=due,
        weight=entry.weight,
        confidence=confidence,
        progress=rounded_or_none(progress),
        score=rounded_or_none(score),
        score_given=entry.score is not None,
        colour=_colour(score, config),
        status=Status.CANCELLED if entry.cancelled is not None else status,
        expected_progress=expected,
        stale=stale,
        last_checkin=last_checkin,
        checkins=entry.checkins,
        visibility=entry.visibility or "public",
        lower_is_better=target is not None and target < entry.start,
        history=() if entry.checkins else history,
        cancelled=entry.cancelled,
        reasons=() if entry.cancelled is not None else reasons,
        title_markdown=entry.title,
        links=entry.links,
        given_score=entry.score,
        health=health[0] if health else None,
        health_note=health[1] if health else "",
        health_date=health[2] if health else None,
        unit_singular=entry.unit_singular,
        unit_position=entry.unit_position,
    )


def _owner_health(entry: KeyResultEntry) -> tuple[Status, str, dt.date | None] | None:
    """What the owner says of the key result, why, and when (``None``: undated). The newest
    statement wins: the latest check-in's health, else the key result's own; a cancelled
    key result has none."""
    if entry.cancelled is not None:
        return None
    latest = entry.checkins.latest_health
    if latest is not None:
        return Status(latest[0]), latest[1], latest[2]
    return (Status(entry.health), entry.health_note, None) if entry.health else None
