"""Reference resolution: check what files say about each other.

Duplicate ids, owners, parents, ``objective#kr`` targets, periods, the unit
tree and the cascade of objectives. Entries whose references are broken are
left out of the result (and reported); defaults that depend on other files
(visibility from the owner unit, the period's dates) are filled in here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from okrpub.config import Config
from okrpub.diagnostics import Diagnostics, Location, did_you_mean
from okrpub.model.periods import canonical_period_id, period_dates, period_forms
from okrpub.source.entries import ObjectiveEntry, PageEntry, Sources, UnitEntry

Entry = TypeVar("Entry", UnitEntry, ObjectiveEntry, PageEntry)


@dataclass(frozen=True)
class Resolved:
    """Entries whose references all hold, with every cross-file default applied."""

    units: dict[str, UnitEntry]
    objectives: dict[str, ObjectiveEntry]
    periods: dict[str, tuple[dt.date, dt.date]]
    pages: dict[str, PageEntry]
    #: How many internal key results the audience stage took out of each objective.
    hidden_key_results: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Whether the audience stage chose a public build (only public items remain).
    public: bool = False


def references(entry: ObjectiveEntry) -> tuple[object, ...]:
    """All of an objective that resolution looks at (and the cascade depends on)."""
    key_results = tuple((kr.id, kr.owners) for kr in entry.key_results)
    return (entry.id, entry.owners, entry.period, entry.parents, entry.visibility, key_results)


def where_element(locations: dict[str, Location], key: str, index: int) -> Location:
    """Where element ``index`` of the list at ``key`` stands; where ``key``'s value
    stands when it is one value."""
    return locations.get(f"{key}[{index}]", locations[key])


def resolve(sources: Sources, config: Config, diagnostics: Diagnostics) -> Resolved:
    """Entries whose references hold; the problems found go to ``diagnostics``."""
    units = _unique(sources.units, "unit", diagnostics)
    units = _check_units(units, sources.declared_units, config, diagnostics)
    unique = _unique(sources.objectives, "objective", diagnostics)
    periods: dict[str, tuple[dt.date, dt.date]] = {}
    objectives = _check_objectives(
        unique, units, sources.declared_units, config, periods, diagnostics
    )
    objectives = _check_parents(unique, objectives, sources.declared_objectives, diagnostics)
    objectives = _without_cycles(objectives, diagnostics)
    pages = {
        page_id: _with_visibility(page, page.visibility or config.default_visibility)
        for page_id, page in _unique(sources.pages, "page", diagnostics).items()
    }
    return Resolved(units, objectives, dict(sorted(periods.items(), key=lambda p: p[1])), pages)


def _unique(entries: list[Entry], what: str, diagnostics: Diagnostics) -> dict[str, Entry]:
    """Entries by id; a second entry with a taken id is reported with both paths and dropped."""
    by_id: dict[str, Entry] = {}
    for entry in entries:
        first = by_id.get(entry.id)
        if first is None:
            by_id[entry.id] = entry
            continue
        diagnostics.error(
            entry.locations.get("id", entry.locations[""]),
            "duplicate-id",
            f"{what} id '{entry.id}' is used by both {first.path} and {entry.path}",
        )
    return by_id


def _check_units(
    units: dict[str, UnitEntry], declared: set[str], config: Config, diagnostics: Diagnostics
) -> dict[str, UnitEntry]:
    known = declared | set(units)
    kept: dict[str, UnitEntry] = {}
    for unit in units.values():
        ok = _check_unit_parent(unit, units, known, diagnostics)
        if unit.lead is not None:
            lead = units.get(unit.lead)
            if unit.lead not in known:
                ok = _unknown(
                    unit.locations["lead"], "unknown-unit", "lead", unit.lead, known, diagnostics
                )
            elif lead is not None and lead.kind != "person":
                diagnostics.error(
                    unit.locations["lead"],
                    "unit-kind",
                    f"lead '{unit.lead}' is a {lead.kind}, not a person",
                )
                ok = False
        if ok:
            visibility = unit.visibility or config.default_visibility
            kept[unit.id] = _with_visibility(unit, visibility)
    for chain in _cycles(kept, lambda unit: (unit.parent,) if unit.parent else ()):
        first = kept[chain[0]]
        diagnostics.error(
            first.locations["parent"], "cycle", "units form a cycle: " + " → ".join(chain)
        )
        for unit_id in chain[:-1]:
            kept.pop(unit_id, None)
    return kept


def _check_unit_parent(
    unit: UnitEntry, units: dict[str, UnitEntry], known: set[str], diagnostics: Diagnostics
) -> bool:
    if unit.parent is None:
        if unit.kind != "company":
            diagnostics.error(
                unit.locations[""], "missing-key", f"a {unit.kind} unit needs a 'parent' unit"
            )
            return False
        return True
    where = unit.locations["parent"]
    if unit.kind == "company":
        diagnostics.error(where, "unit-kind", "a company unit has no parent; make it a team")
        return False
    if unit.parent not in known:
        return _unknown(where, "unknown-unit", "parent unit", unit.parent, known, diagnostics)
    parent = units.get(unit.parent)
    if parent is not None and parent.kind == "person":
        diagnostics.error(
            where, "unit-kind", f"parent '{unit.parent}' is a person; a person has no sub-units"
        )
        return False
    return True


def _unknown(
    where: Location,
    rule: str,
    what: str,
    value: str,
    known: Iterable[str],
    diagnostics: Diagnostics,
) -> bool:
    diagnostics.error(where, rule, f"unknown {what} '{value}'{did_you_mean(value, known)}")
    return False


def _check_objectives(
    objectives: dict[str, ObjectiveEntry],
    units: dict[str, UnitEntry],
    known_units: set[str],
    config: Config,
    periods: dict[str, tuple[dt.date, dt.date]],
    diagnostics: Diagnostics,
) -> dict[str, ObjectiveEntry]:
    kept: dict[str, ObjectiveEntry] = {}
    named: dict[str, tuple[str, tuple[dt.date, dt.date] | None]] = {}  # most share a few periods
    for objective in objectives.values():
        ok = _known_owners(objective.owners, objective.locations, known_units, diagnostics)
        if objective.period not in named:
            named[objective.period] = (
                canonical_period_id(objective.period, config.periods),
                period_dates(objective.period, config.periods, config.fiscal_year_start),
            )
        period_id, dates = named[objective.period]
        if dates is None:
            hint = did_you_mean(objective.period, config.periods) or period_forms(
                objective.period, config.fiscal_year_start
            )
            diagnostics.error(
                objective.locations["period"],
                "unknown-period",
                f"unknown period '{objective.period}'{hint}",
            )
            ok = False
        for key_result in objective.key_results:
            if key_result.owners:  # most have their objective's
                owners, locations = key_result.owners, key_result.locations
                ok = _known_owners(owners, locations, known_units, diagnostics) and ok
        if not ok or objective.owner not in units or dates is None:
            continue
        periods[period_id] = dates
        visibility = objective.visibility or units[objective.owner].visibility
        kept[objective.id] = with_period(objective, period_id, visibility)
    return kept


def _known_owners(
    owners: tuple[str, ...],
    locations: dict[str, Location],
    known_units: set[str],
    diagnostics: Diagnostics,
) -> bool:
    """Whether every one of ``owners`` is a unit; each that is not is reported where it
    stands."""
    if known_units.issuperset(owners):  # the common case, without a loop
        return True
    ok = True
    for index, owner in enumerate(owners):
        if owner not in known_units:
            where = where_element(locations, "owner", index)
            ok = _unknown(where, "unknown-owner", "owner", owner, known_units, diagnostics)
    return ok


def _with_visibility(entry: Entry, visibility: str | None) -> Entry:
    """``entry`` with ``visibility``: itself when it has it already (the common case:
    nothing to copy)."""
    if entry.visibility == visibility:
        return entry
    return dataclasses.replace(entry, visibility=visibility)


def with_period(objective: ObjectiveEntry, period: str, visibility: str | None) -> ObjectiveEntry:
    """``objective`` with ``period`` (canonical) and ``visibility`` (its own, else its
    owner's): itself when it has them already."""
    if objective.period == period and objective.visibility == visibility:
        return objective
    return dataclasses.replace(objective, period=period, visibility=visibility)


def _check_parents(
    unique: dict[str, ObjectiveEntry],
    checked: dict[str, ObjectiveEntry],
    declared: set[str],
    diagnostics: Diagnostics,
) -> dict[str, ObjectiveEntry]:
    """``checked`` without the objectives whose parents do not hold. The parents of
    every one of ``unique`` are checked, also of those dropped for an unknown owner or
    period, so that one error in a file does not hide another."""
    kept: dict[str, ObjectiveEntry] = {}
    for objective in unique.values():
        ok = True
        for index, parent in enumerate(objective.parents):
            found = _known_parent(
                parent, index, objective.locations, checked, declared, diagnostics
            )
            ok = found and ok
        if ok and objective.id in checked:
            kept[objective.id] = checked[objective.id]
    return kept


def _known_parent(
    parent: str,
    index: int,
    locations: dict[str, Location],
    objectives: dict[str, ObjectiveEntry],
    declared: set[str],
    diagnostics: Diagnostics,
) -> bool:
    """Whether ``parent`` (``objective`` or ``objective#kr``), the objective's parent number
    ``index``, exists; reported where it stands if not, which is worked out only then
    (silently false for an objective whose file has errors)."""
    parent_id, _, kr_id = parent.partition("#")
    found = objectives.get(parent_id)
    if found is None:
        if parent_id not in declared:
            at = where_element(locations, "parent", index)
            _unknown(at, "unknown-parent", "parent objective", parent_id, objectives, diagnostics)
        return False
    if kr_id and not any(key_result.id == kr_id for key_result in found.key_results):
        choices = [key_result.id for key_result in found.key_results]
        listed = f" (it has: {', '.join(choices)})" if choices else " (it has none)"
        diagnostics.error(
            where_element(locations, "parent", index),
            "unknown-kr",
            f"objective '{parent_id}' has no key result '{kr_id}'"
            f"{did_you_mean(kr_id, choices)}{listed}",
        )
        return False
    return True


def _parent_ids(entry: ObjectiveEntry) -> tuple[str, ...]:
    """The ids of the objectives ``entry`` aligns to, in order, each once."""
    return tuple(dict.fromkeys(parent.partition("#")[0] for parent in entry.parents))


def _without_cycles(
    objectives: dict[str, ObjectiveEntry], diagnostics: Diagnostics
) -> dict[str, ObjectiveEntry]:
    kept = dict(objectives)
    for chain in _cycles(objectives, _parent_ids):
        first = objectives[chain[0]]
        index = next(
            i for i, parent in enumerate(first.parents) if parent.partition("#")[0] == chain[1]
        )
        diagnostics.error(
            where_element(first.locations, "parent", index),
            "cycle",
            "the cascade has a cycle: " + " → ".join(chain),
        )
        for objective_id in chain[:-1]:
            kept.pop(objective_id, None)
    return kept


def _cycles(
    items: dict[str, Entry], parents_of: Callable[[Entry], tuple[str, ...]]
) -> list[list[str]]:
    """Cycles in the parent links, each as ``[a, b, ..., a]`` starting at its smallest id:
    at least one through every item that is on a cycle, found by a depth-first walk."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(items):
        if start in state:
            continue
        path: list[str] = [start]
        todo: list[list[str]] = [[p for p in parents_of(items[start]) if p in items][::-1]]
        state[start] = 1
        while path:
            if not todo[-1]:
                state[path.pop()] = 2
                todo.pop()
                continue
            node = todo[-1].pop()
            if state.get(node) == 1:
                cycle: list[str] = path[path.index(node) :]
                smallest = cycle.index(min(cycle))
                cycle = cycle[smallest:] + cycle[:smallest]
                cycles.append([*cycle, cycle[0]])
            elif node not in state:
                state[node] = 1
                path.append(node)
                todo.append([p for p in parents_of(items[node]) if p in items][::-1])
    return cycles
