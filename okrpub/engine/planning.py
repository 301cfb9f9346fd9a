"""Planning with reuse: the pages of a new model, mostly those of the last plan (``serve``).

:func:`okrpub.site.plan.plan` makes every page of a model anew. Kept from one
rebuild to the next, a :class:`PlanMemo` lets :func:`plan` hand back the last
plan's very page (or badge) for a page whose inputs are equal, so that the
renderer compares inputs by identity and no new page is made for it. The
objectives' pages and badges, most of the site, are kept in lists
(:class:`ObjectivePlan`): while the site has the same objectives on the same
day, a plan copies them and looks only at the objectives an edit touched; the units no
edit touched keep their pages and badges without a look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import compress, repeat
from operator import attrgetter
from typing import NamedTuple, TypeVar

from okrpub.engine.memo import not_the_same, not_the_same_as
from okrpub.engine.stats import (
    OBJECTIVE_PAGES_PLANNED,
    PAGES_PLANNED,
    PERIOD_PAGES_PLANNED,
    UNIT_PAGES_PLANNED,
    Stats,
)
from okrpub.model.types import Model, Objective, Rollup
from okrpub.site import plan as site_plan
from okrpub.site.plan import Asset, Page, UnitRollups

Planned = TypeVar("Planned", bound=Page | Asset)


class ObjectivePlan(NamedTuple):
    """The page and badge of each objective of one plan, in the order of its objectives."""

    objectives: dict[str, Objective]
    #: The day of the plan: the pages of running objectives mark it (their charts).
    today: dt.date
    #: Each objective's place in the lists.
    places: dict[str, int]
    pages: list[Page]
    badges: list[Asset]


class UnitPlan(NamedTuple):
    """The page and badge of each unit of one plan, in the order of its units."""

    places: dict[str, int]
    pages: list[Page]
    badges: list[Asset]


class PlanMemo:
    """The pages and badges of the last plan, for the next plan to reuse. Only the last
    plan's pages are kept."""

    def __init__(self) -> None:
        #: Where the current plan counts the pages it makes anew.
        self.stats = Stats()
        #: The objectives' pages and badges of the last plan.
        self.objectives: ObjectivePlan | None = None
        #: The units' pages and badges of the last plan.
        self.units: UnitPlan | None = None
        #: The units' and the periods' rollups of the last plan.
        self.unit_rollups: dict[tuple[str, str], Rollup] | None = None
        self.period_rollups: dict[str, Rollup] | None = None
        #: The objectives each period's page of the last plan shows, by its path.
        self.period_shows: dict[str, Shown] = {}
        self._last: dict[str, Page | Asset] = {}
        self._kept: dict[str, Page | Asset] = {}

    def start(self, stats: Stats) -> None:
        """Start a plan, counting in ``stats``; what the last plan kept is what can be reused."""
        self.stats = stats
        # (a plan abandoned half-way kept less; one that kept nothing leaves the last one)
        self._last, self._kept = self._kept or self._last, {}

    def finish(self) -> None:
        """The plan is whole: forget the pages it did not reuse."""
        self._last = {}

    def unchanged(self, path: str) -> Page | Asset | None:
        """The last plan's page at ``path``, known to be unchanged; kept for the next plan."""
        known = self._last.get(path)
        return None if known is None else self.keep(known)

    def reuse(self, planned: Planned) -> Planned:
        """The last plan's page at ``planned``'s path if it is alike with equal inputs, else
        ``planned``; kept for the next plan."""
        known = self._last.get(planned.path)
        if (
            type(known) is type(planned)
            and _alike(known, planned)
            and known.inputs == planned.inputs
        ):
            return self.keep(known)
        self.stats.add(PAGES_PLANNED)
        return self.keep(planned)

    def keep(self, planned: Planned) -> Planned:
        self._kept[planned.path] = planned
        return planned


def _alike(known: object, planned: Page | Asset) -> bool:
    if isinstance(planned, Page):
        return isinstance(known, Page) and (known.template, known.view) == (
            planned.template,
            planned.view,
        )
    return isinstance(known, Asset) and known.badge == planned.badge


def plan(model: Model, memo: PlanMemo, rollups: UnitRollups, stats: Stats) -> list[Page | Asset]:
    """The pages and badges of ``model`` in the order of :func:`okrpub.site.plan.plan`,
    each the last plan's object when its inputs are equal; counted in ``stats``."""
    memo.start(stats)
    objectives = _objective_plan(model, memo)
    units = _unit_plan(model, memo, _units_touched(model, memo, objectives.changed))
    periods = _periods_touched(model, memo, objectives.changed)
    memo.objectives, memo.unit_rollups = objectives.plan, model.unit_rollups
    memo.period_rollups = model.period_rollups
    reuse = memo.reuse
    pages: list[Page | Asset] = [
        reuse(site_plan.home_page(model, rollups)),
        *_period_pages(model, memo, objectives.changed, periods, rollups),
        *objectives.plan.pages,
        reuse(site_plan.units_page()),
        *units.pages,
        reuse(site_plan.status_page(model)),
        *map(reuse, site_plan.closing_pages(model)),
        *objectives.plan.badges,
        *units.badges,
    ]
    memo.units = units
    memo.finish()
    return pages


class _Objectives(NamedTuple):
    plan: ObjectivePlan
    #: The objectives not the very same as in the last plan (``None``: the site's
    #: objectives are not the same ones).
    changed: list[str] | None


def _objective_plan(model: Model, memo: PlanMemo) -> _Objectives:
    """Each objective's page and badge; with the last plan's, made again only for the
    objectives an edit touched when the site has the same objectives."""
    objectives, last, stats = model.objectives, memo.objectives, memo.stats
    today = model.today
    changed = not_the_same(objectives, last.objectives) if last is not None else None
    if last is not None and last.today == today and changed is not None:
        index, pages, badges = last.places, list(last.pages), list(last.badges)
        for key in _showing(model, changed):
            pages[index[key]] = _objective_page(model, objectives[key], pages[index[key]], stats)
        for key in changed:
            badges[index[key]] = _objective_badge(objectives[key], badges[index[key]], stats)
        return _Objectives(ObjectivePlan(objectives, today, index, pages, badges), changed)
    index = {key: place for place, key in enumerate(objectives)}
    lasts = last.places if last is not None else {}

    def lasts_of(items: list[Planned] | None, key: str) -> Planned | None:
        return items[lasts[key]] if items is not None and key in lasts else None

    pages = [
        _objective_page(model, o, lasts_of(last.pages if last else None, o.id), stats)
        for o in objectives.values()
    ]
    badges = [
        _objective_badge(o, lasts_of(last.badges if last else None, o.id), stats)
        for o in objectives.values()
    ]
    return _Objectives(ObjectivePlan(objectives, today, index, pages, badges), None)


def _objective_page(model: Model, objective: Objective, last: Page | None, stats: Stats) -> Page:
    stats.add(OBJECTIVE_PAGES_PLANNED)
    return _new_or_last(site_plan.objective_page(model, objective), last, stats)


def _objective_badge(objective: Objective, last: Asset | None, stats: Stats) -> Asset:
    return _new_or_last(site_plan.objective_badge(objective), last, stats)


def _new_or_last(planned: Planned, last: Planned | None, stats: Stats) -> Planned:
    """``last`` if it has ``planned``'s inputs, else ``planned`` (counted as new)."""
    if last is not None and last.inputs == planned.inputs:
        return last
    stats.add(PAGES_PLANNED)
    return planned


def _showing(model: Model, changed: list[str]) -> set[str]:
    """The objectives whose pages show one of ``changed``: those, their parents (which
    list their children) and everything below them (which shows its ancestors)."""
    objectives = model.objectives
    showing = {
        parent
        for key in changed
        for parent in objectives[key].parent_objectives
        if parent in objectives
    }
    below, seen = list(changed), set()
    while below:
        key = below.pop()
        if key not in seen:
            seen.add(key)
            below.extend(objectives[key].children)
    return showing | seen


def _periods_touched(model: Model, memo: PlanMemo, changed: list[str] | None) -> set[str] | None:
    """The periods that hold an objective of ``changed``, or whose rollups or units'
    rollups are not the very same as the last plan's; ``None``: any."""
    units, periods = memo.unit_rollups, memo.period_rollups
    if changed is None or units is None or periods is None:
        return None
    touched = {model.objectives[key].period for key in changed}
    touched.update(key[1] for key in not_the_same_as(model.unit_rollups, units))
    touched.update(not_the_same_as(model.period_rollups, periods))
    return touched


def _period_pages(
    model: Model,
    memo: PlanMemo,
    changed: list[str] | None,
    touched: set[str] | None,
    rollups: UnitRollups,
) -> Iterator[Page | Asset]:
    """Each period's page: the last plan's for a period not ``touched`` whose page shows
    none of the objectives ``changed`` (the others of another period it shows are
    parents of its own)."""
    shows, memo.period_shows = memo.period_shows, {}
    for period in model.periods.values():
        path = site_plan.period_path(period)
        shown = shows.get(path) if touched is not None and period.id not in touched else None
        kept = memo.unchanged(path) if shown is not None and shown.shows_none(changed) else None
        if kept is None or shown is None:
            memo.stats.add(PERIOD_PAGES_PLANNED)
            kept = memo.reuse(site_plan.period_page(model, period, rollups))
            if shown is None or shown.inputs is not kept.inputs:
                shown = Shown(kept.inputs)
        memo.period_shows[path] = shown
        yield kept


class Shown:
    """The objectives a page shows: those among its inputs, found when first asked (a
    period page planned again after each edit in its period is asked about none)."""

    def __init__(self, inputs: tuple[object, ...]) -> None:
        self.inputs = inputs
        self._ids: frozenset[str] | None = None

    def shows_none(self, ids: list[str] | None) -> bool:
        """Whether it shows none of the objectives ``ids``."""
        if self._ids is None:
            self._ids = _objective_ids(self.inputs)
        return self._ids.isdisjoint(ids or ())


def _objective_ids(inputs: tuple[object, ...]) -> frozenset[str]:
    """The ids of the objectives among a page's ``inputs`` (thousands: in C loops)."""
    objectives = compress(inputs, map(isinstance, inputs, repeat(Objective)))
    return frozenset(map(attrgetter("id"), objectives))


def _units_touched(model: Model, memo: PlanMemo, changed: list[str] | None) -> set[str] | None:
    """The units whose pages and badges may show what changed since the last plan: the
    units that own the objectives that changed or their key results, now or in the last
    plan, and the units whose rollups changed; ``None``: any."""
    last = memo.unit_rollups
    rollups = not_the_same(model.unit_rollups, last) if last is not None else None
    if changed is None or rollups is None:
        return None
    before = memo.objectives.objectives if memo.objectives is not None else {}
    touched = {
        unit
        for key in changed
        for objective in (model.objectives[key], before.get(key))
        if objective is not None
        for unit in objective.units_involved
    }
    touched.update(key[0] for key in rollups)
    return touched


def _unit_plan(model: Model, memo: PlanMemo, touched: set[str] | None) -> UnitPlan:
    """Each unit's page and badge: the last plan's for a unit no change touched; with the
    same units as the last plan, the others are copied without a look."""
    last, units = memo.units, model.units
    places = {key: place for place, key in enumerate(units)}
    if last is not None and touched is not None and last.places == places:
        pages: list[Page | None] = list(last.pages)
        badges: list[Asset | None] = list(last.badges)
        again = touched & places.keys()
    else:
        before = last or UnitPlan({}, [], [])
        known = [before.places.get(key) for key in units]
        pages = [None if at is None else before.pages[at] for at in known]
        badges = [None if at is None else before.badges[at] for at in known]
        again = set(units) if touched is None else touched & places.keys()
        again.update(key for key, at in zip(units, known, strict=True) if at is None)
    stats = memo.stats
    for key in again:
        place, unit = places[key], units[key]
        stats.add(UNIT_PAGES_PLANNED, 2)
        pages[place] = _new_or_last(site_plan.unit_page(model, unit), pages[place], stats)
        badges[place] = _new_or_last(site_plan.unit_badge(model, unit), badges[place], stats)
    # (each None was planned again above)
    return UnitPlan(places, [*filter(None, pages)], [*filter(None, badges)])
