"""Diff: what a change does to the OKRs, for reviewers (``okrpub diff BASE [HEAD]``).

:func:`compare` turns the analyses of two revisions into a :class:`Comparison`:
objectives and key results added, removed, retitled, re-parented, re-owned, cancelled
or un-cancelled; progress, grade and status before and after; an objective's own
score, and a key result's score given before its period closes (even 0.00); periods
whose dates changed (the cause of many a status change); new check-ins; and the
diagnostics the change introduces or fixes. Diagnostics are matched by path,
severity, rule and message, not by line, because an edit above a problem moves it
without changing it.
:mod:`okrpub.git.comment` writes it as a pull-request comment, or as data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from okrpub.diagnostics import Diagnostic, Severity
from okrpub.engine.project import Analysis
from okrpub.model.types import Checkin, KeyResult, Objective, Period

T = TypeVar("T")

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Revision:
    """A revision as the user named it, and the commit it names."""

    name: str
    commit: str


@dataclass(frozen=True)
class Change:
    """A value before and after the change."""

    before: Any
    after: Any


@dataclass(frozen=True)
class KeyResultChange:
    id: str
    #: The title as written after the change (before it, for a removed key result).
    title: str
    kind: str  # added, removed or changed
    title_before: str | None = None
    progress: Change | None = None
    score: Change | None = None
    current: Change | None = None
    #: The reason it was cancelled before and after (``None``: not cancelled).
    cancelled: Change | None = None
    #: ``score:`` as written before and after, while it is not a grade yet (the period
    #: runs): a score given early, even 0.00, is news the grade does not show.
    given_score: Change | None = None
    new_checkins: tuple[Checkin, ...] = ()
    #: Its owner, as shown (several owners joined by ``, ``).
    owner: Change | None = None


@dataclass(frozen=True)
class ObjectiveChange:
    id: str
    #: The title as written after the change (before it, for a removed objective).
    title: str
    kind: str  # added, removed or changed
    owner: str
    period: str
    title_before: str | None = None
    owner_before: str | None = None
    period_before: str | None = None
    parent: Change | None = None
    progress: Change | None = None
    score: Change | None = None
    status: Change | None = None
    #: The objective's own ``score:`` as written, before and after (``None``: none given).
    given_score: Change | None = None
    key_results: tuple[KeyResultChange, ...] = ()
    #: The dates of its period (the same id) before and after, when they changed.
    period_dates: Change | None = None

    def of_kind(self, kind: str) -> list[KeyResultChange]:
        return [kr for kr in self.key_results if kr.kind == kind]


@dataclass(frozen=True)
class Span:
    """The first and last day of a period."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class PeriodChange:
    """A period whose dates changed (in ``okrpub.yaml``)."""

    id: str
    before: Span
    after: Span


@dataclass(frozen=True)
class Comparison:
    base: Revision
    head: Revision
    #: Added and changed objectives in the head's order, then removed ones in the base's.
    objectives: tuple[ObjectiveChange, ...]
    introduced: tuple[Diagnostic, ...]
    fixed: tuple[Diagnostic, ...]
    #: Periods of both revisions whose dates changed.
    periods: tuple[PeriodChange, ...] = ()

    def of_kind(self, kind: str) -> list[ObjectiveChange]:
        return [objective for objective in self.objectives if objective.kind == kind]

    @property
    def new_checkins(self) -> int:
        return sum(len(kr.new_checkins) for o in self.objectives for kr in o.key_results)


def compare(base: Revision, before: Analysis, head: Revision, after: Analysis) -> Comparison:
    """What changed from the analysis ``before`` (of ``base``) to ``after`` (of ``head``)."""
    old, new = before.model.objectives, after.model.objectives
    periods = _period_changes(before.model.periods, after.model.periods)
    moved = {period.id: Change(period.before, period.after) for period in periods}
    changes = [
        _objective_change(
            old.get(i),
            objective,
            moved,
        )
        for i, objective in new.items()
    ]
    removed = [_removed(objective) for i, objective in old.items() if i not in new]
    introduced, fixed = _diagnostic_changes(before.diagnostics, after.diagnostics)
    return Comparison(
        base,
        head,
        tuple(change for change in [*changes, *removed] if change is not None),
        introduced,
        fixed,
        periods,
    )


def _period_changes(
    before: Mapping[str, Period], after: Mapping[str, Period]
) -> tuple[PeriodChange, ...]:
    """The periods of both revisions whose dates differ, in the head's order."""
    return tuple(
        PeriodChange(i, Span(before[i].start, before[i].end), Span(period.start, period.end))
        for i, period in after.items()
        if i in before and (before[i].start, before[i].end) != (period.start, period.end)
    )


def shown(value: str | Sequence[str] | None) -> str | None:
    """An owner or parent as shown: one id, or several joined by ``, ``."""
    return value if value is None or isinstance(value, str) else ", ".join(value)


def _change(before: T, after: T) -> Change | None:
    return None if before == after else Change(before, after)


def _removed(objective: Objective) -> ObjectiveChange:
    return ObjectiveChange(
        objective.id, objective.title_markdown, REMOVED, objective.owner, objective.period
    )


def _objective_change(
    old: Objective | None,
    new: Objective,
    moved: Mapping[str, Change],
) -> ObjectiveChange | None:
    """How ``new`` differs from ``old`` (``None``: it is new), or ``None`` when it does not;
    ``moved`` holds the periods whose dates changed."""
    if old is None:
        # a new objective's check-ins are part of it, not news of their own
        key_results = tuple(
            KeyResultChange(kr.id, kr.title_markdown, ADDED) for kr in new.key_results
        )
        return ObjectiveChange(
            new.id, new.title_markdown, ADDED, new.owner, new.period, key_results=key_results
        )
    old_krs = {kr.id: kr for kr in old.key_results}
    new_ids = {kr.id for kr in new.key_results}
    changes = [_key_result_change(old_krs.get(kr.id), kr) for kr in new.key_results] + [
        KeyResultChange(kr.id, kr.title_markdown, REMOVED)
        for kr in old.key_results
        if kr.id not in new_ids
    ]
    status = _change(_text(old.status), _text(new.status))
    change = ObjectiveChange(
        new.id,
        new.title_markdown,
        CHANGED,
        new.owner,
        new.period,
        title_before=old.title_markdown if old.title_markdown != new.title_markdown else None,
        owner_before=shown(old.owner) if shown(old.owner) != shown(new.owner) else None,
        period_before=old.period if old.period != new.period else None,
        parent=_change(shown(old.parent), shown(new.parent)),
        progress=_change(old.progress, new.progress),
        score=_change(old.score, new.score),
        status=status,
        given_score=_change(old.given_score, new.given_score),
        key_results=tuple(kr for kr in changes if kr is not None),
        period_dates=moved.get(new.period) if status and old.period == new.period else None,
    )
    unchanged = ObjectiveChange(new.id, new.title_markdown, CHANGED, new.owner, new.period)
    return None if change == unchanged else change


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


def _key_result_change(old: KeyResult | None, new: KeyResult) -> KeyResultChange | None:
    """How ``new`` differs from ``old`` (``None``: it is new), or ``None`` when it does not."""
    if old is None:
        return KeyResultChange(new.id, new.title_markdown, ADDED, new_checkins=tuple(new.checkins))
    seen = set(old.checkins)
    change = KeyResultChange(
        new.id,
        new.title_markdown,
        CHANGED,
        title_before=old.title_markdown if old.title_markdown != new.title_markdown else None,
        progress=_change(old.progress, new.progress),
        score=_change(old.score, new.score),
        current=_change(
            old.current if old.kind == "numeric" else old.done,
            new.current if new.kind == "numeric" else new.done,
        ),
        cancelled=_change(old.cancelled, new.cancelled),
        given_score=_given_score(old, new),
        new_checkins=tuple(c for c in new.checkins if c not in seen),
        owner=_change(shown(old.owner), shown(new.owner)),
    )
    return None if change == KeyResultChange(new.id, new.title_markdown, CHANGED) else change


def _given_score(old: KeyResult, new: KeyResult) -> Change | None:
    """The ``score:`` written before and after, when the grade does not show the change."""
    if old.score != new.score or new.cancelled is not None:
        return None
    return _change(old.given_score, new.given_score)


_DiagnosticKey = tuple[str, Severity, str, str]


def _diagnostic_key(diagnostic: Diagnostic) -> _DiagnosticKey:
    return (diagnostic.location.path, diagnostic.severity, diagnostic.rule, diagnostic.message)


def _diagnostic_changes(
    before: Iterable[Diagnostic], after: Iterable[Diagnostic]
) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """The diagnostics only ``after`` has (introduced) and only ``before`` has (fixed).

    Two equal diagnostics in one file count twice: fixing one of them is a fix.
    """
    before, after = list(before), list(after)
    old = Counter(_diagnostic_key(d) for d in before)
    new = Counter(_diagnostic_key(d) for d in after)
    return _beyond(after, old), _beyond(before, new)


def _beyond(
    diagnostics: list[Diagnostic], other: Counter[_DiagnosticKey]
) -> tuple[Diagnostic, ...]:
    """The diagnostics left when each one's equal in ``other`` cancels it out."""
    left = other.copy()
    kept = []
    for diagnostic in diagnostics:
        key = _diagnostic_key(diagnostic)
        if left[key]:
            left[key] -= 1
        else:
            kept.append(diagnostic)
    return tuple(kept)
