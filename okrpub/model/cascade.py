"""The cascade: where each objective and unit stands among the others.

An objective's place (its shown parent, children and ancestors) and the
order of the model's objectives depend only on which objectives there are
and on their owners, periods, parents and key results' ids
(:func:`okrpub.model.resolve.references`); a unit's on the unit tree.
"""

from __future__ import annotations

from typing import NamedTuple

from okrpub.model.resolve import Resolved
from okrpub.model.types import Period, Unit
from okrpub.source.entries import ObjectiveEntry, UnitEntry

_LEVELS = {"company": 0, "team": 1, "person": 2}


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
    #: Every parent this build shows (``objective`` or ``objective#kr``), the first one
    #: (:attr:`parent`) first.
    parents: tuple[str, ...]


class Cascade(NamedTuple):
    """Every objective's place, and the objectives of each period and owner."""

    #: Each objective's place, in the order of the model.
    places: dict[str, Place]
    #: The ids of each period's objectives, and of each owner's in a period (also those it
    #: co-owns), in that order.
    periods: dict[str, list[str]]
    owners: dict[tuple[str, str], list[str]]
    #: The ids of the objectives with a key result each unit owns (or co-owns), in order.
    key_result_owners: dict[str, list[str]]


def cascade(resolved: Resolved, periods: dict[str, Period]) -> Cascade:
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
    shown = {entry.id: _shown_parents(entry, resolved.objectives) for entry in entries}
    first = {key: refs[0].partition("#")[0] for key, refs in shown.items() if refs}
    children: dict[str, list[str]] = {}
    in_period: dict[str, list[str]] = {period_id: [] for period_id in periods}
    owned: dict[tuple[str, str], list[str]] = {}
    key_result_owners: dict[str, list[str]] = {}
    for entry in entries:
        for parent_id in dict.fromkeys(ref.partition("#")[0] for ref in shown[entry.id]):
            children.setdefault(parent_id, []).append(entry.id)
        in_period[entry.period].append(entry.id)
        for owner in entry.owners:
            if owner in kinds:
                owned.setdefault((owner, entry.period), []).append(entry.id)
        for owner in dict.fromkeys(o for kr in entry.key_results for o in kr.owners):
            if owner in kinds:
                key_result_owners.setdefault(owner, []).append(entry.id)
    places = {}
    for entry in entries:
        refs = shown[entry.id]
        parent_id, _, kr_id = refs[0].partition("#") if refs else ("", "", "")
        places[entry.id] = Place(
            parent_id or None,
            kr_id or None,
            tuple(children.get(entry.id, ())),
            _ancestors(entry.id, first),
            resolved.hidden_key_results.get(entry.id, 0),
            refs,
        )
    return Cascade(places, in_period, owned, key_result_owners)


def _shown_parents(entry: ObjectiveEntry, objectives: dict[str, ObjectiveEntry]) -> tuple[str, ...]:
    """What ``entry`` aligns to that this build shows, each once.

    A public build leaves internal key results out: alignment to one of them
    becomes alignment to its objective, so that not even its id is shown.
    """
    shown: list[str] = []
    for ref in entry.parents:
        parent_id, _, kr_id = ref.partition("#")
        parent = objectives.get(parent_id)
        if parent is None:
            continue
        if kr_id and not any(kr.id == kr_id for kr in parent.key_results):
            ref = parent_id
        if ref not in shown:
            shown.append(ref)
    return tuple(shown)


def _ancestors(objective_id: str, parents: dict[str, str]) -> tuple[str, ...]:
    """The parent, its parent and so on, by ``parents`` (id to the parent's id)."""
    chain: list[str] = []
    parent_id = parents.get(objective_id)
    while parent_id is not None and parent_id not in chain and parent_id != objective_id:
        chain.append(parent_id)
        parent_id = parents.get(parent_id)
    return tuple(chain)


def units(entries: dict[str, UnitEntry]) -> dict[str, Unit]:
    """The units, company before teams before people, each with its place in the tree."""
    ordered = sorted(entries.values(), key=lambda u: (_LEVELS[u.kind], u.id))
    children: dict[str, list[str]] = {}
    leads: dict[str, list[str]] = {}
    for entry in ordered:
        if entry.parent in entries:
            children.setdefault(entry.parent, []).append(entry.id)
        if entry.lead in entries:
            leads.setdefault(entry.lead, []).append(entry.id)
    made: dict[str, Unit] = {}
    for entry in ordered:
        ancestors: list[str] = []
        parent = entry.parent
        while parent in entries and parent not in ancestors:
            ancestors.append(parent)
            parent = entries[parent].parent
        made[entry.id] = Unit(
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
            leads=tuple(leads.get(entry.id, ())),
        )
    return made
