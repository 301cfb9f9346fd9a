"""Audience: choose what one build shows (everything, or only what is public; drafts or not).

This runs between resolution and computation, so every number of a public
build is computed from public items alone. References to items left out
stay in the entries; the compute stage turns them into "hidden" markers.
"""

from __future__ import annotations

import dataclasses

from okrpub.load import ObjectiveEntry
from okrpub.resolve import Resolved


def select_audience(resolved: Resolved, *, public: bool, drafts: bool) -> Resolved:
    """The part of ``resolved`` that a build for this audience may show."""
    units = {
        unit_id: unit
        for unit_id, unit in resolved.units.items()
        if not public or unit.visibility == "public"
    }
    objectives: dict[str, ObjectiveEntry] = {}
    hidden: dict[str, int] = {}
    for objective in resolved.objectives.values():
        if objective.draft and (public or not drafts):
            continue
        if public and (objective.visibility != "public" or objective.owner not in units):
            continue
        if public:
            shown = tuple(kr for kr in objective.key_results if kr.visibility != "internal")
            if len(shown) < len(objective.key_results):
                hidden[objective.id] = len(objective.key_results) - len(shown)
                objective = dataclasses.replace(objective, key_results=shown)
        objectives[objective.id] = objective
    periods = {
        period_id: dates
        for period_id, dates in resolved.periods.items()
        if any(objective.period == period_id for objective in objectives.values())
    }
    return Resolved(units, objectives, periods, resolved.pages, hidden)
