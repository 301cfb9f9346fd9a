"""Computation: progress, grades, colours, status, staleness and rollups.

The formulas are those of docs/format.md §11-12; the status rule is
documented there too. Every number the site shows is computed here, once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from okrpub.config import Config
from okrpub.model.resolve import Resolved, references
from okrpub.model.types import (
    ColourCounts,
    FreePage,
    KeyResult,
    Model,
    Number,
    Objective,
    Period,
    PeriodState,
    Rollup,
    Status,
    StatusCounts,
    Unit,
)
from okrpub.source.entries import KeyResultEntry, ObjectiveEntry, UnitEntry

if TYPE_CHECKING:  # the history stage reads git, which reports through the project module
    from okrpub.git.history import History

#: Behind pace by more than this share of the target: at risk; by more than the second, off track.
AT_RISK_GAP = 0.25
OFF_TRACK_GAP = 0.5

_LEVELS = {"company": 0, "team": 1, "person": 2}
_SEVERITY = {Status.OFF_TRACK: 3, Status.AT_RISK: 2, Status.ON_TRACK: 1, Status.DONE: 0}


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def numeric_progress(start: Number, target: Number, current: Number) -> float:
    """Share of the way from ``start`` to ``target``; works when lower is better too."""
    return clamp((current - start) / (target - start))


def weighted_mean(pairs: Iterable[tuple[float, Number]]) -> float:
    """Mean of ``(value, weight)`` pairs; 0.0 when there are none."""
    pairs = list(pairs)
    total = sum([weight for _, weight in pairs])
    if not total:
        return 0.0
    return sum([value * weight for value, weight in pairs]) / total


def _round(value: float) -> float:
    """Four decimals: enough for any display, and stable JSON."""
    return round(value, 4)


def elapsed_share(start: dt.date, end: dt.date, today: dt.date) -> float:
    """How much of ``start``..``end`` has passed on ``today``, from 0.0 to 1.0."""
    days = (end - start).days
    if days <= 0:
        return 1.0 if today >= end else 0.0
    return clamp((today - start).days / days)


class ComputeMemo:
    """What :func:`compute` made in ``serve``'s last rebuild, to hand out again.

    An objective whose entry and place in the cascade are unchanged is the very
    same object as last time, not computed again, and so is a rollup of the very
    same objectives: the renderer then tells by identity what is unchanged.
    What is made is remembered by frame, what every objective depends on (the
    configuration, today, the periods, the units, the audience): ``serve``
    computes two models a rebuild, the checked one and its audience's.
    """

    #: How many frames are remembered: the checked model's and the audience's.
    FRAMES = 2

    def __init__(self) -> None:
        self._tables: list[tuple[tuple[object, ...], _MemoTable]] = []

    def table(self, frame: tuple[object, ...]) -> _MemoTable:
        """What was made under ``frame``; empty if it is not one of the last ones."""
        table = _MemoTable()
        for index, (known, found) in enumerate(self._tables):
            if known == frame:
                table = found
                del self._tables[index]
                break
        self._tables = [(frame, table), *self._tables][: self.FRAMES]
        return table


class _MemoTable:
    """What was made under one frame: the cascade, the units, each objective and the
    rollups. Only what the last computation made is kept, so a server that runs for
    hours keeps one model's worth."""

    def __init__(self) -> None:
        #: The entries and hidden key results the last cascade was made from, and it.
        self._cascade: tuple[dict[str, ObjectiveEntry], dict[str, int], Cascade] | None = None
        self._objectives: dict[str, tuple[tuple[object, ...], Objective]] = {}
        self._units: dict[str, Unit] | None = None
        #: The last rollups (by period, by owner and period), the cascade and objectives
        #: they were made from.
        self._rollups: (
            tuple[Cascade, dict[str, Rollup], dict[tuple[str, str], Rollup], dict[str, Objective]]
            | None
        ) = None

    def cascade(self, resolved: Resolved, make: Callable[[], Cascade]) -> Cascade:
        """The cascade made last time, unless an objective came or went or changed what
        its place depends on (see :func:`okrpub.model.resolve.references`)."""
        known = self._cascade
        if (
            known is None
            or known[1] != resolved.hidden_key_results
            or not _same_shape(known[0], resolved.objectives)
        ):
            cascade = make()
            self._objectives = {
                i: self._objectives[i] for i in cascade.places if i in self._objectives
            }
        else:
            cascade = known[2]
        self._cascade = (resolved.objectives, resolved.hidden_key_results, cascade)
        return cascade

    def objective(
        self, objective_id: str, inputs: tuple[object, ...], make: Callable[[], Objective]
    ) -> Objective:
        """The objective made last time from equal ``inputs``, else a new one."""
        known = self._objectives.get(objective_id)
        if known is None or known[0] != inputs:
            known = (inputs, make())
            self._objectives[objective_id] = known
        return known[1]

    def units(self, make: Callable[[], dict[str, Unit]]) -> dict[str, Unit]:
        """The units: the frame holds what they are made from."""
        if self._units is None:
            self._units = make()
        return self._units

    def rollups(
        self, cascade: Cascade, objectives: dict[str, Objective], config: Config
    ) -> tuple[dict[str, Rollup], dict[tuple[str, str], Rollup]]:
        """Each period's rollup and each owner's in each period. Under the last cascade
        only those with an objective that is not the very same object are made again."""
        known = self._rollups
        if known is None or known[0] is not cascade:
            periods = _rollups_of(cascade.periods, objectives, config)
            owners = _rollups_of(cascade.owners, objectives, config)
        else:
            periods, owners, last = dict(known[1]), dict(known[2]), known[3]
            for objective in objectives.values():
                if last[objective.id] is not objective:
                    period, owner = objective.period, (objective.owner, objective.period)
                    periods[period] = _rollup_of(cascade.periods[period], objectives, config)
                    owners[owner] = _rollup_of(cascade.owners[owner], objectives, config)
        self._rollups = (cascade, periods, owners, objectives)
        return periods, owners


def _rollup_of(ids: list[str], objectives: dict[str, Objective], config: Config) -> Rollup:
    return _rollup([objectives[i] for i in ids], config)


Key = TypeVar("Key")


def _rollups_of(
    groups: dict[Key, list[str]], objectives: dict[str, Objective], config: Config
) -> dict[Key, Rollup]:
    return {key: _rollup_of(ids, objectives, config) for key, ids in groups.items()}


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


def compute(
    resolved: Resolved,
    config: Config,
    today: dt.date,
    history: History | None = None,
    memo: ComputeMemo | None = None,
) -> Model:
    """The model of ``resolved``; key results without check-ins get points from ``history``.

    With a ``memo`` of the last computation, what is unchanged is not computed again
    (not with ``history``, which ``serve`` does not read).
    """
    periods = {
        period_id: _period(period_id, start, end, today)
        for period_id, (start, end) in resolved.periods.items()
    }
    if memo is None or history is not None:
        memo = ComputeMemo()
    table = memo.table((config, today, periods, resolved.units, resolved.public))
    cascade = table.cascade(resolved, lambda: _cascade(resolved, periods))
    objectives = _objectives(cascade, resolved, config, periods, today, history, table)
    units = table.units(lambda: _units(resolved.units))
    period_rollups, unit_rollups = table.rollups(cascade, objectives, config)
    pages = {
        page.id: FreePage(
            page.id, page.title, page.body, page.path, page.visibility or config.default_visibility
        )
        for page in sorted(resolved.pages.values(), key=lambda p: p.id)
    }
    return Model(
        config=config,
        today=today,
        periods=periods,
        units=units,
        objectives=objectives,
        pages=pages,
        period_rollups=period_rollups,
        unit_rollups=unit_rollups,
        current_period=_current_period(periods, today),
        public=resolved.public,
    )


def _period(period_id: str, start: dt.date, end: dt.date, today: dt.date) -> Period:
    if today < start:
        state = PeriodState.FUTURE
    elif today > end:
        state = PeriodState.PAST
    else:
        state = PeriodState.CURRENT
    return Period(
        period_id, period_id.lower(), start, end, state, _round(elapsed_share(start, end, today))
    )


def _current_period(periods: dict[str, Period], today: dt.date) -> str | None:
    """The shortest period containing today; else the latest that ended; else the first."""
    containing = [p for p in periods.values() if p.state is PeriodState.CURRENT]
    if containing:
        return min(containing, key=lambda p: ((p.end - p.start).days, p.id)).id
    ended = [p for p in periods.values() if p.state is PeriodState.PAST]
    if ended:
        return max(ended, key=lambda p: (p.end, p.id)).id
    return min(periods.values(), key=lambda p: (p.start, p.id)).id if periods else None


def _objectives(
    cascade: Cascade,
    resolved: Resolved,
    config: Config,
    periods: dict[str, Period],
    today: dt.date,
    history: History | None,
    memo: _MemoTable,
) -> dict[str, Objective]:
    """Every objective, in the order of the cascade."""
    objectives: dict[str, Objective] = {}
    for objective_id, place in cascade.places.items():
        entry = resolved.objectives[objective_id]

        def make(entry: ObjectiveEntry = entry, place: Place = place) -> Objective:
            return _objective(entry, place, resolved, config, periods[entry.period], today, history)

        objectives[objective_id] = memo.objective(objective_id, (entry, place), make)
    return objectives


def _cascade(resolved: Resolved, periods: dict[str, Period]) -> Cascade:
    """Where each objective is, company before teams before people within a period."""
    kinds = {unit.id: unit.kind for unit in resolved.units.values()}
    entries = sorted(
        resolved.objectives.values(),
        key=lambda o: (
            periods[o.period].start,
            o.period,
            _LEVELS.get(kinds.get(o.owner, ""), 3),
            o.owner,
            o.id,
        ),
    )
    # the parents this build shows
    parents = {
        entry.id: parent_id
        for entry in entries
        if (parent_id := _parent_id(entry)) in resolved.objectives
    }
    children: dict[str, list[str]] = {}
    in_period: dict[str, list[str]] = {period_id: [] for period_id in periods}
    owned: dict[tuple[str, str], list[str]] = {}
    for entry in entries:
        if entry.id in parents:
            children.setdefault(parents[entry.id], []).append(entry.id)
        in_period[entry.period].append(entry.id)
        owned.setdefault((entry.owner, entry.period), []).append(entry.id)
    places = {
        entry.id: Place(
            parents.get(entry.id),
            _shown_parent_key_result(entry, resolved.objectives) if entry.id in parents else None,
            tuple(children.get(entry.id, ())),
            _ancestors(entry.id, parents),
            resolved.hidden_key_results.get(entry.id, 0),
        )
        for entry in entries
    }
    return Cascade(places, in_period, owned)


class Cascade(NamedTuple):
    """What depends only on which objectives there are and on their owners, periods,
    parents and key results' ids."""

    #: Each objective's place, in the order of the model.
    places: dict[str, Place]
    #: The ids of each period's objectives, and of each owner's in a period, in that order.
    periods: dict[str, list[str]]
    owners: dict[tuple[str, str], list[str]]


class Place(NamedTuple):
    """Where an objective is in the cascade of this build."""

    #: The parent objective, when this build shows it.
    parent: str | None
    #: The key result of the parent it aligns to, when this build shows that.
    parent_key_result: str | None
    children: tuple[str, ...]
    ancestors: tuple[str, ...]
    #: How many internal key results the audience stage took out.
    hidden_key_results: int


def _objective(
    entry: ObjectiveEntry,
    place: Place,
    resolved: Resolved,
    config: Config,
    period: Period,
    today: dt.date,
    history: History | None,
) -> Objective:
    key_results = tuple(
        _key_result(
            kr,
            period,
            config,
            today,
            resolved.units,
            history.of(entry.id, kr.id) if history is not None else (),
        )
        for kr in entry.key_results
    )
    parent_id, parent_kr = place.parent, place.parent_key_result
    weighted_scores = [(kr.score, kr.weight) for kr in key_results]
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
        progress=_round(weighted_mean((kr.progress, kr.weight) for kr in key_results))
        if key_results
        else None,
        score=_round(weighted_mean(weighted_scores)) if key_results else None,
        colour=config.grade_thresholds.colour(weighted_mean(weighted_scores))
        if key_results
        else None,
        status=_objective_status(key_results, period) if key_results else None,
        unaligned=entry.parent is None and _owner_kind(entry, resolved.units) != "company",
        children=place.children,
        ancestors=place.ancestors,
    )


def _owner_kind(entry: ObjectiveEntry, units: dict[str, UnitEntry]) -> str | None:
    owner = units.get(entry.owner)
    return owner.kind if owner else None


def _parent_id(entry: ObjectiveEntry) -> str | None:
    return entry.parent.partition("#")[0] if entry.parent else None


def _shown_parent_key_result(
    entry: ObjectiveEntry, objectives: dict[str, ObjectiveEntry]
) -> str | None:
    """The key result of the parent this objective aligns to, if this build shows it.

    A public build leaves internal key results out: alignment to one of them
    becomes alignment to its objective, so that not even its id is shown.
    """
    parent_id, _, kr_id = (entry.parent or "").partition("#")
    parent = objectives.get(parent_id)
    if not kr_id or parent is None:
        return None
    return kr_id if any(kr.id == kr_id for kr in parent.key_results) else None


def _ancestors(objective_id: str, parents: dict[str, str]) -> tuple[str, ...]:
    """The parent, its parent and so on, by ``parents`` (id to the parent's id)."""
    chain: list[str] = []
    parent_id = parents.get(objective_id)
    while parent_id is not None and parent_id not in chain and parent_id != objective_id:
        chain.append(parent_id)
        parent_id = parents.get(parent_id)
    return tuple(chain)


def _key_result(
    entry: KeyResultEntry,
    period: Period,
    config: Config,
    today: dt.date,
    units: dict[str, UnitEntry],
    history: tuple[tuple[dt.date, Number], ...],
) -> KeyResult:
    target = entry.target
    binary = target is None
    current: Number | None = None
    if target is None:
        progress = 1.0 if entry.done else 0.0
    else:
        current = entry.current
        if current is None:
            latest = entry.checkins.latest_value
            current = latest if isinstance(latest, (int, float)) else entry.start
        progress = numeric_progress(entry.start, target, current)
    confidence = entry.confidence
    if confidence is None:
        confidence = entry.checkins.latest_confidence
    last_checkin = entry.checkins.last_date
    due = entry.due or period.end
    stale = _is_stale(last_checkin, period, progress, config.stale_after_days, today)
    expected = None
    if not binary and period.state is PeriodState.CURRENT:
        expected = _round(elapsed_share(period.start, due, today))
    score = entry.score if entry.score is not None else progress
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
        progress=_round(progress),
        score=_round(score),
        score_given=entry.score is not None,
        colour=config.grade_thresholds.colour(score),
        status=_key_result_status(
            progress, confidence, expected, stale, due, period, config, today
        ),
        expected_progress=expected,
        stale=stale,
        last_checkin=last_checkin,
        checkins=entry.checkins,
        visibility=entry.visibility or "public",
        lower_is_better=target is not None and target < entry.start,
        history=() if entry.checkins else history,
    )


def _is_stale(
    last_checkin: dt.date | None,
    period: Period,
    progress: float,
    stale_after_days: int,
    today: dt.date,
) -> bool:
    """A key result of the current period, not done, with no check-in for too long."""
    if period.state is not PeriodState.CURRENT or progress >= 1:
        return False
    since = last_checkin or period.start
    return (today - since).days > stale_after_days


def _key_result_status(
    progress: float,
    confidence: float | None,
    expected: float | None,
    stale: bool,
    due: dt.date,
    period: Period,
    config: Config,
    today: dt.date,
) -> Status:
    if progress >= 1:
        return Status.DONE
    if period.state is PeriodState.PAST:
        return Status.CLOSED
    if period.state is PeriodState.FUTURE:
        return Status.ON_TRACK
    thresholds = config.grade_thresholds
    gap = (expected - progress) if expected is not None else 0.0
    if (
        today > due
        or gap > OFF_TRACK_GAP
        or (confidence is not None and confidence < thresholds.yellow)
    ):
        return Status.OFF_TRACK
    if stale or gap > AT_RISK_GAP or (confidence is not None and confidence < thresholds.green):
        return Status.AT_RISK
    return Status.ON_TRACK


def _objective_status(key_results: Sequence[KeyResult], period: Period) -> Status:
    """Done when every key result is; closed after the period; else the weighted median.

    The median of the key results' statuses by weight, ties going to the worse:
    an objective is off track when at least half its weight is off track, at
    risk when at least half is at risk or worse, else on track.
    """
    if key_results and all(kr.status is Status.DONE for kr in key_results):
        return Status.DONE
    if period.state is PeriodState.PAST:
        return Status.CLOSED
    total = sum(kr.weight for kr in key_results)
    for status in (Status.OFF_TRACK, Status.AT_RISK):
        as_bad = sum(kr.weight for kr in key_results if _SEVERITY[kr.status] >= _SEVERITY[status])
        if as_bad * 2 >= total:
            return status
    return Status.ON_TRACK


def _units(entries: dict[str, UnitEntry]) -> dict[str, Unit]:
    ordered = sorted(entries.values(), key=lambda u: (_LEVELS[u.kind], u.id))
    children: dict[str, list[str]] = {}
    for entry in ordered:
        if entry.parent in entries:
            children.setdefault(entry.parent, []).append(entry.id)
    units: dict[str, Unit] = {}
    for entry in ordered:
        ancestors: list[str] = []
        parent = entry.parent
        while parent in entries and parent not in ancestors:
            ancestors.append(parent)
            parent = entries[parent].parent
        units[entry.id] = Unit(
            id=entry.id,
            name=entry.name,
            kind=entry.kind,
            parent=entry.parent if entry.parent in entries else None,
            lead=entry.lead if entry.lead in entries else None,
            visibility=entry.visibility or "internal",
            body=entry.body,
            path=entry.path,
            children=tuple(children.get(entry.id, ())),
            ancestors=tuple(ancestors),
        )
    return units


def _rollup(objectives: list[Objective], config: Config) -> Rollup:
    """Numbers of a set of objectives; those without numbers are listed but not counted."""
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
    return _round(sum(values) / len(values)) if values else None
