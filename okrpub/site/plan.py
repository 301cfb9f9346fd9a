"""Plan: which pages and badges the site of one model has, their paths and links.

Each :class:`Page` names its output path, its template, the view that makes
its context (:mod:`okrpub.site.views`) and its *inputs*: the objectives and
rollups it shows. What every page may show (units, periods, free pages, the
menu) is not among the inputs; nor is the date, which only the home and status
pages and the charts of running objectives show (the other pages' numbers depend
on it through their objectives).
Everything here is a plain function of the model: reusing an unchanged page is
the engine's business.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from okrpub.model.types import Model, Objective, Period, PeriodState, Rollup, Unit

#: The page "How to read this site" that every site has.
GUIDE_PATH = "how-to-read/index.html"

#: The kinds of unit, in the order lists show them.
KINDS = ("company", "team", "person")


@dataclass(frozen=True, eq=False)
class Page:
    path: str
    template: str
    #: The objectives and rollups the page shows: when they are the same, so is the page.
    inputs: tuple[object, ...]
    #: The view of :mod:`okrpub.site.views` that makes its context, and that view's arguments.
    view: str
    arguments: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Asset:
    """A file of the site made in Python rather than from a template: a badge."""

    path: str
    #: As for :class:`Page`: when they are the same, so is the file.
    inputs: tuple[object, ...]
    #: ``"objective"`` or ``"unit"``, and its id.
    badge: str
    subject: str


class Urls:
    """Relative links from one page; every link names its ``index.html`` so the
    site also works from the file system."""

    def __init__(self, page_path: str, root: str | None = None) -> None:
        self.root = "../" * page_path.count("/") if root is None else root

    def home(self) -> str:
        return f"{self.root}index.html"

    def objective(self, objective_id: str) -> str:
        return f"{self.root}objectives/{objective_id}/index.html"

    def unit(self, unit_id: str) -> str:
        return f"{self.root}units/{unit_id}/index.html"

    def units(self) -> str:
        return f"{self.root}units/index.html"

    def period(self, period: Period) -> str:
        return f"{self.root}periods/{period.slug}/index.html"

    def page(self, page_id: str) -> str:
        return f"{self.root}pages/{page_id}/index.html"

    def status(self) -> str:
        return f"{self.root}status/index.html"

    def guide(self, part: str = "") -> str:
        """The page "How to read this site", at ``part`` (an anchor) if given."""
        return f"{self.root}{GUIDE_PATH}" + (f"#{part}" if part else "")

    def search(self) -> str:
        return f"{self.root}search/index.html"

    def static(self, name: str) -> str:
        return f"{self.root}static/{name}"

    def asset(self, name: str) -> str:
        return f"{self.root}{name}"


def objective_path(objective_id: str) -> str:
    return f"objectives/{objective_id}/index.html"


def unit_path(unit_id: str) -> str:
    return f"units/{unit_id}/index.html"


def period_path(period: Period) -> str:
    return f"periods/{period.slug}/index.html"


def page_path(page_id: str) -> str:
    return f"pages/{page_id}/index.html"


def objective_badge_path(objective_id: str) -> str:
    return f"badges/{objective_id}.svg"


def unit_badge_path(unit_id: str) -> str:
    return f"badges/units/{unit_id}.svg"


@dataclass(frozen=True)
class UnitRollup:
    unit: Unit
    rollup: Rollup


class UnitRollups:
    """Each period's units with objectives in it, in the order of the units; a list of the
    units of some kinds is made once and then is the same list."""

    def __init__(
        self, model: Model, last: UnitRollups | None = None, changed: Collection[str] = ()
    ) -> None:
        """With the lists of a ``last`` model that has the same periods and units, only
        those of the periods ``changed`` are made again: the others are the very same."""
        self._by_period: dict[str, list[UnitRollup]] = {
            period_id: (
                last._by_period[period_id]
                if last is not None and period_id not in changed
                else _unit_rollups(model, period_id)
            )
            for period_id in model.periods
        }
        self._chosen: dict[tuple[str, tuple[str, ...]], list[UnitRollup]] = (
            {key: items for key, items in last._chosen.items() if key[0] not in changed}
            if last is not None
            else {}
        )

    def of(self, period_id: str, kinds: tuple[str, ...]) -> list[UnitRollup]:
        """The rollups of ``period_id``'s units of ``kinds``."""
        key = (period_id, kinds)
        if key not in self._chosen:
            by_period = self._by_period[period_id]
            self._chosen[key] = [item for item in by_period if item.unit.kind in kinds]
        return self._chosen[key]


def _unit_rollups(model: Model, period_id: str) -> list[UnitRollup]:
    """The rollups of ``period_id``'s units with objectives in it, in the order of the units."""
    rollups = model.unit_rollups
    return [
        UnitRollup(unit, rollup)
        for unit in model.units.values()
        if (rollup := rollups.get((unit.id, period_id))) is not None
    ]


def home_page(model: Model, rollups: UnitRollups) -> Page:
    """The home page shows the date, and how much of the current period has gone by."""
    current = model.periods.get(model.current_period or "")
    inputs = (
        model.today,
        tuple(model.period_rollups.values()),
        *(model.objectives_in(current.id) if current else ()),
        *((r.rollup for r in rollups.of(current.id, ("team",))) if current else ()),
    )
    return Page("index.html", "home.html", inputs, "home")


def period_page(model: Model, period: Period, rollups: UnitRollups) -> Page:
    objectives = model.objectives_in(period.id)
    inputs = (
        model.period_rollups[period.id],
        *objectives,
        # the cascade names the key results its roots align to in other periods, and the
        # first parent of an objective it lists "also under" it
        *(model.objectives[p] for o in objectives for p in o.parent_objectives),
        *(r.rollup for r in rollups.of(period.id, KINDS)),
    )
    return Page(period_path(period), "period.html", inputs, "period", (period.id,))


def objective_page(model: Model, objective: Objective) -> Page:
    """While its period runs, the page's charts mark the date."""
    shown = model.objectives.__getitem__
    running = model.periods[objective.period].state is PeriodState.CURRENT
    inputs = (
        objective,
        *map(shown, objective.ancestors),
        *map(shown, objective.parent_objectives),
        *map(shown, objective.children),
        *((model.today,) if running else ()),
    )
    return Page(
        objective_path(objective.id), "objective.html", inputs, "objective", (objective.id,)
    )


def objective_badge(objective: Objective) -> Asset:
    return Asset(objective_badge_path(objective.id), (objective,), "objective", objective.id)


def unit_page(model: Model, unit: Unit) -> Page:
    shown = model.objectives.__getitem__
    inputs = tuple(
        item
        for period_id in model.periods
        if (rollup := model.unit_rollups.get((unit.id, period_id)))
        for item in (rollup, *map(shown, rollup.objectives))
    )
    # and the key results it owns in any objective
    inputs += tuple(map(shown, model.key_result_owners.get(unit.id, ())))
    return Page(unit_path(unit.id), "unit.html", inputs, "unit", (unit.id,))


def unit_badge(model: Model, unit: Unit) -> Asset:
    current = model.periods.get(model.current_period or "")
    rollup = model.unit_rollups.get((unit.id, current.id)) if current else None
    inputs = (rollup, *map(model.objectives.__getitem__, rollup.objectives)) if rollup else ()
    return Asset(unit_badge_path(unit.id), inputs, "unit", unit.id)


def units_page() -> Page:
    return Page("units/index.html", "units.html", (), "units")


def has_status_page(model: Model) -> bool:
    """Whether the site has the status page: a public build may leave it out
    (``public_status_page: false``)."""
    return not model.public or model.config.public_status_page


def status_page(model: Model) -> Page:
    """The status page shows the date."""
    inputs = (model.today, *model.period_rollups.values(), *model.objectives.values())
    return Page("status/index.html", "status.html", inputs, "status")


def closing_pages(model: Model) -> list[Page]:
    """The free pages, how to read the site (its rule and bands come from the
    configuration), search and the 404 page: they show only what every page may show."""
    pages = [
        Page(page_path(p.id), "page.html", (), "free_page", (p.id,)) for p in model.pages.values()
    ]
    return [
        *pages,
        Page(GUIDE_PATH, "guide.html", (), "guide"),
        Page("search/index.html", "search.html", (), "search"),
        Page("404.html", "404.html", (), "not_found"),
    ]


def plan(model: Model, rollups: UnitRollups | None = None) -> list[Page | Asset]:
    """Every page and badge of the site of ``model``, in the order they are listed."""
    rollups = rollups or UnitRollups(model)
    objectives, units = model.objectives.values(), model.units.values()
    return [
        home_page(model, rollups),
        *(period_page(model, period, rollups) for period in model.periods.values()),
        *(objective_page(model, objective) for objective in objectives),
        units_page(),
        *(unit_page(model, unit) for unit in units),
        *([status_page(model)] if has_status_page(model) else []),
        *closing_pages(model),
        *(objective_badge(objective) for objective in objectives),
        *(unit_badge(model, unit) for unit in units),
    ]
