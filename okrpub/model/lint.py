"""Lint: OKR-quality warnings on the computed model (rules in ``config.LINT_RULES``).

Each rule's severity comes from ``lint:`` in the configuration (``warning``
unless set to ``off`` or ``error``). Locations come from the resolved entries.
"""

from __future__ import annotations

from collections.abc import Callable

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics, Location, Severity
from okrpub.model.direction import direction_word
from okrpub.model.resolve import Resolved
from okrpub.model.types import KeyResult, Model, Objective, PeriodState, Status
from okrpub.source.entries import ObjectiveEntry

MIN_KEY_RESULTS = 3
MAX_KEY_RESULTS = 5

#: Key results a closed period does not ask a ``score`` of.
_NOT_TO_GRADE = (Status.DONE, Status.CANCELLED)


#: The warnings of one objective: from the model, the objective, its entry (for
#: locations) and its parent when the model has it.
Warnings = Callable[[Model, Objective, ObjectiveEntry, Objective | None], list[Diagnostic]]


def lint(
    model: Model,
    resolved: Resolved,
    diagnostics: Diagnostics,
    warnings: Warnings | None = None,
) -> None:
    """Add every objective's warnings, as ``warnings`` finds them (by default
    :func:`objective_warnings`; the engine hands in one that reuses)."""
    warnings = warnings or objective_warnings
    for objective in model.objectives.values():
        entry = resolved.objectives[objective.id]
        parent = model.objectives.get(objective.parent_objective or "")
        found = warnings(model, objective, entry, parent)
        if found:
            diagnostics.extend(found)


def objective_warnings(
    model: Model, objective: Objective, entry: ObjectiveEntry, parent: Objective | None
) -> list[Diagnostic]:
    """The warnings of one objective; besides its arguments they depend only on the
    model's configuration, periods and units."""
    found = Diagnostics()
    report = _Reporter(model.config, found)
    start = Location(objective.path)
    count = len(entry.key_results)
    if not count:
        report(
            entry.locations.get("key_results", start),
            "no-key-results",
            "objective has no key results yet: it is qualitative, shown without progress; "
            "add key results to measure it",
        )
    elif not MIN_KEY_RESULTS <= count <= MAX_KEY_RESULTS:
        report(
            start,
            "kr-count",
            f"objective has {count} key result{'s' * (count != 1)}; aim for 3 to 5",
        )
    if objective.unaligned:
        report(
            start,
            "unaligned",
            f"{model.units[objective.owner].kind} objective aligns to nothing; "
            "set 'parent' to the objective it supports",
        )
    if parent is not None and parent.period != objective.period:
        report(
            entry.locations["parent"],
            "parent-period",
            f"parent '{parent.id}' is in period {parent.period}, "
            f"this objective in {objective.period}",
        )
    period = model.periods[objective.period]
    for key_result in objective.key_results:
        if key_result.stale:
            since = (
                f"since {key_result.last_checkin.isoformat()}"
                if key_result.last_checkin
                else "since the period began"
            )
            report(
                _key_result_location(entry, key_result.id),
                "stale",
                f"key result '{key_result.id}' has had no check-in {since} "
                f"(stale after {entry.stale_after_days or model.config.stale_after_days} days)",
            )
        ungraded = not key_result.score_given and key_result.status not in _NOT_TO_GRADE
        # an objective graded as a whole (its own 'score') asks no key result for one
        if period.state is PeriodState.PAST and ungraded and not objective.score_given:
            report(
                _key_result_location(entry, key_result.id),
                "ungraded",
                f"period {period.id} is closed but key result '{key_result.id}' "
                "has no final 'score'",
            )
        turned = _direction(key_result, model.config.language)
        if turned:
            report(_key_result_location(entry, key_result.id), "direction", turned)
    return list(found)


def _direction(key_result: KeyResult, language: str) -> str | None:
    """Why the title of a numeric key result says it goes the other way than its numbers."""
    start, target = key_result.start, key_result.target
    if start is None or target is None or key_result.status is Status.CANCELLED:
        return None
    word = direction_word(key_result.title, start, target, language)
    if word is None:
        return None
    way = "above" if target > start else "below"
    counts = "each rise" if target > start else "each fall"
    return (
        f"key result '{key_result.id}' says '{word}' but its target ({target}) is {way} "
        f"its start ({start}), so {counts} counts as progress; check start and target"
    )


def _key_result_location(entry: ObjectiveEntry, key_result_id: str) -> Location:
    return next(kr.locations[""] for kr in entry.key_results if kr.id == key_result_id)


class _Reporter:
    def __init__(self, config: Config, diagnostics: Diagnostics) -> None:
        self.config = config
        self.diagnostics = diagnostics

    def __call__(self, location: Location, rule: str, message: str) -> None:
        level = self.config.lint_level(rule)
        if level != "off":
            self.diagnostics.add(location, rule, message, Severity(level))
