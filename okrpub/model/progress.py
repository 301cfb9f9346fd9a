"""Progress and status arithmetic: the formulas of docs/format.md §11-12.

Plain functions of numbers, dates and the configuration's thresholds: how
far a key result got, how far it should be by today, whether it went stale,
its status and an objective's, and a period's state on a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from okrpub.config import Config
from okrpub.model.types import KeyResult, Number, Period, PeriodState, Reason, Status

_SEVERITY = {Status.OFF_TRACK: 3, Status.AT_RISK: 2, Status.ON_TRACK: 1, Status.DONE: 0}


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def numeric_progress(start: Number, target: Number, current: Number) -> float:
    """Share of the way from ``start`` to ``target``; works when lower is better too."""
    return clamp((current - start) / (target - start))


def weighted_mean(pairs: Iterable[tuple[float | None, Number]]) -> float | None:
    """Mean of the ``(value, weight)`` pairs that have a value; ``None`` when none has."""
    known = [(value, weight) for value, weight in pairs if value is not None]
    total = sum([weight for _, weight in known])
    if not known or not total:
        return None
    return sum([value * weight for value, weight in known]) / total


def rounded(value: float) -> float:
    """Four decimals: enough for any display, and stable JSON."""
    return round(value, 4)


def rounded_or_none(value: float | None) -> float | None:
    return None if value is None else rounded(value)


def elapsed_share(start: dt.date, end: dt.date, today: dt.date) -> float:
    """How much of ``start``..``end`` has passed on ``today``, from 0.0 to 1.0."""
    days = (end - start).days
    if days <= 0:
        return 1.0 if today >= end else 0.0
    return clamp((today - start).days / days)


def period(period_id: str, start: dt.date, end: dt.date, today: dt.date) -> Period:
    """The period from ``start`` to ``end`` as it stands on ``today``."""
    if today < start:
        state = PeriodState.FUTURE
    elif today > end:
        state = PeriodState.PAST
    else:
        state = PeriodState.CURRENT
    return Period(
        period_id, period_id.lower(), start, end, state, rounded(elapsed_share(start, end, today))
    )


def current_period(periods: dict[str, Period], today: dt.date) -> str | None:
    """The shortest period containing today; else the latest that ended; else the first."""
    containing = [p for p in periods.values() if p.state is PeriodState.CURRENT]
    if containing:
        return min(containing, key=lambda p: ((p.end - p.start).days, p.id)).id
    ended = [p for p in periods.values() if p.state is PeriodState.PAST]
    if ended:
        return max(ended, key=lambda p: (p.end, p.id)).id
    return min(periods.values(), key=lambda p: (p.start, p.id)).id if periods else None


def is_stale(
    last_checkin: dt.date | None,
    period: Period,
    progress: float | None,
    stale_after_days: int,
    today: dt.date,
) -> bool:
    """A key result of the current period, not done, with no check-in for too long."""
    if period.state is not PeriodState.CURRENT or (progress is not None and progress >= 1):
        return False
    since = last_checkin or period.start
    return (today - since).days > stale_after_days


def key_result_status(
    progress: float | None,
    confidence: float | None,
    expected: float | None,
    last_checkin: dt.date | None,
    stale: bool,
    due: dt.date,
    period: Period,
    config: Config,
    today: dt.date,
) -> tuple[Status, tuple[Reason, ...]]:
    """No data, done, closed, off track, at risk or on track, by docs/format.md §12, and
    why: every rule of ``config.status`` that holds, worst first."""
    if progress is None:
        return Status.NO_DATA, (Reason("no_data"),)
    if progress >= 1:
        return Status.DONE, ()
    if period.state is PeriodState.PAST:
        return Status.CLOSED, ()
    if period.state is PeriodState.FUTURE:
        return Status.ON_TRACK, ()
    rule = config.status
    gap = (expected - progress) if expected is not None else 0.0
    off_track, at_risk = [], []
    if today > due:
        off_track.append(Reason("overdue", date=due))
    if confidence is not None and confidence < rule.off_track_confidence:
        off_track.append(Reason("confidence", confidence, rule.off_track_confidence))
    elif confidence is not None and confidence < rule.at_risk_confidence:
        at_risk.append(Reason("confidence", confidence, rule.at_risk_confidence))
    if gap > rule.off_track_behind:
        off_track.append(Reason("behind", progress, expected))
    elif gap > rule.at_risk_behind:
        at_risk.append(Reason("behind", progress, expected))
    if stale and last_checkin is not None:
        at_risk.append(Reason("stale", date=last_checkin))
    elif stale:
        at_risk.append(Reason("no_checkin", date=period.start))
    reasons = (*off_track, *at_risk)
    if off_track:
        return Status.OFF_TRACK, reasons
    return (Status.AT_RISK if at_risk else Status.ON_TRACK), reasons


def objective_status(key_results: Sequence[KeyResult], period: Period) -> Status:
    """Done when every key result is; closed after the period; no data when none has
    any; else the weighted median of those with data.

    ``key_results`` are those that count (not cancelled). The median of their
    statuses by weight, ties going to the worse: an objective is off track when
    at least half its weight is off track, at risk when at least half is at risk
    or worse, else on track.
    """
    if key_results and all(kr.status is Status.DONE for kr in key_results):
        return Status.DONE
    if period.state is PeriodState.PAST:
        return Status.CLOSED
    key_results = [kr for kr in key_results if kr.status is not Status.NO_DATA]
    if not key_results:
        return Status.NO_DATA
    total = sum(kr.weight for kr in key_results)
    for status in (Status.OFF_TRACK, Status.AT_RISK):
        as_bad = sum(kr.weight for kr in key_results if _SEVERITY[kr.status] >= _SEVERITY[status])
        if as_bad * 2 >= total:
            return status
    return Status.ON_TRACK
