"""Audience: choose what one build shows (everything, or only what is public; drafts or not).

This runs between resolution and computation, so every number of a public
build is computed from public items alone. References to items left out
stay in the entries; the compute stage turns them into "hidden" markers.

A public build keeps:

- units whose visibility is ``public``;
- objectives that are public, owned by a public unit, and not drafts, each
  without its key results marked ``visibility: internal``;
- free pages whose visibility is ``public``;
- the periods that still have an objective.
"""

from __future__ import annotations

import dataclasses

from okrpub.model.resolve import Resolved
from okrpub.source.entries import ObjectiveEntry, PageEntry


def select_audience(resolved: Resolved, *, public: bool, drafts: bool) -> Resolved:
    """The part of ``resolved`` that a build for this audience may show (``resolved``
    itself when that is all of it)."""
    if not public and (drafts or not any(o.draft for o in resolved.objectives.values())):
        return resolved
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
    present = {objective.period for objective in objectives.values()}
    periods = {
        period_id: dates for period_id, dates in resolved.periods.items() if period_id in present
    }
    pages: dict[str, PageEntry] = {
        page_id: page
        for page_id, page in resolved.pages.items()
        if not public or page.visibility == "public"
    }
    return Resolved(units, objectives, periods, pages, hidden, public=public)
