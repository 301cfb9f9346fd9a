"""Pages: plan every HTML page of the site from the computed model.

Each :class:`Page` names its output path, its template and the context the
template receives. Everything a template shows is selected, ordered and
grouped here, so that templates only present. Each page holds only what it
shows: no page carries the whole cascade or a full navigation, which keeps
the site's size linear in the number of objectives.

A page also names its *inputs*: the objectives and rollups it shows. Its
context is built only when it is rendered, so that ``serve`` can skip the
pages whose inputs did not change. What every page may show (units, periods,
free pages, the menu) is not among the inputs: when any of that changes,
everything is rendered again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from markupsafe import Markup

from okrpub import __version__
from okrpub.engine.memo import IdentityMemo
from okrpub.model.types import (
    Checkin,
    KeyResult,
    Model,
    Objective,
    Period,
    PeriodState,
    Rollup,
    Status,
    Unit,
)
from okrpub.site.badges import badge_svg, objective_badge, unit_badge
from okrpub.site.charts import checkin_chart
from okrpub.site.i18n import Locale
from okrpub.site.markdown import MarkdownRenderer


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    #: The objectives and rollups the page shows: when they are the same, so is the page.
    inputs: tuple[object, ...]
    make_context: Callable[[], dict[str, Any]]

    def context(self) -> dict[str, Any]:
        return self.make_context()


@dataclass(frozen=True)
class Asset:
    """A file of the site made in Python rather than from a template: a badge."""

    path: str
    #: As for :class:`Page`: when they are the same, so is the file.
    inputs: tuple[object, ...]
    make: Callable[[], bytes]


@dataclass(frozen=True)
class Link:
    title: str
    href: str
    current: bool = False


@dataclass(frozen=True)
class TreeNode:
    objective: Objective
    #: The title of the parent's key result this objective aligns to, if any.
    via_key_result: str | None
    children: tuple[TreeNode, ...]


@dataclass(frozen=True)
class KeyResultView:
    key_result: KeyResult
    objective: Objective
    chart: Markup | None

    @property
    def owner(self) -> str:
        """The key result's own owner, else its objective's."""
        return self.key_result.owner or self.objective.owner

    @property
    def checkins_newest_first(self) -> tuple[Checkin, ...]:
        return self.key_result.checkins[::-1]

    @property
    def show_weight(self) -> bool:
        """Whether the weight differs from the default of 1."""
        return self.key_result.weight != 1


def _same_node(known: TreeNode, node: TreeNode) -> bool:
    return (
        known.objective is node.objective
        and known.via_key_result == node.via_key_result
        and len(known.children) == len(node.children)
        and all(a is b for a, b in zip(known.children, node.children, strict=True))
    )


def _find_key_result(objective: Objective | None, key_result_id: str | None) -> KeyResult | None:
    if objective is None or key_result_id is None:
        return None
    return next((kr for kr in objective.key_results if kr.id == key_result_id), None)


@dataclass(frozen=True)
class UnitRollup:
    unit: Unit
    rollup: Rollup


class ObjectiveParts(NamedTuple):
    """What an objective's page shows of the objective alone, and what it was made from."""

    objective: Objective
    period: Period
    key_results: list[KeyResultView]
    #: The body as HTML.
    body: str


class RollupLists(NamedTuple):
    """Each period's unit rollups, and the lists of some kinds of units chosen from them."""

    by_period: dict[str, list[UnitRollup]]
    #: By period id and kinds of unit.
    chosen: dict[tuple[str, tuple[str, ...]], list[UnitRollup]]


@dataclass(frozen=True)
class PeriodGroup:
    period: Period
    rollup: Rollup
    objectives: tuple[Objective, ...]


@dataclass(frozen=True)
class GradingReport:
    period: Period
    rollup: Rollup
    ungraded: int
    key_results: int


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


_KINDS = ("company", "team", "person")


#: Most rows in each list of the status page. A large organisation can have thousands
#: of key results behind: the page then shows the first ones (company before teams
#: before people) and how many more there are; each unit's page lists its own.
STATUS_LIST_LIMIT = 100


Planned = TypeVar("Planned", bound=Page | Asset)


class ObjectivePlan(NamedTuple):
    """The page and badge of each objective of one plan, in the order of its objectives."""

    objectives: dict[str, Objective]
    #: Each objective's place in the lists.
    places: dict[str, int]
    pages: list[Page]
    badges: list[Asset]


class PlanMemo:
    """The pages and badges of the last plan, for the next plan to reuse (``serve``).

    A page or badge whose inputs equal those it had in the last plan is the
    very same object again, inputs included: the renderer then compares them
    by identity, and no new page, closure or comparison is made for it. So
    that a page kept from an older plan renders just as a new one would, it
    names what it shows by id and reaches the model through :attr:`planner`,
    the current planner: it holds no older planner or model. Only the last
    plan's pages are kept.

    The objectives' pages and badges, most of the site, are kept in lists
    (:class:`ObjectivePlan`): while the site has the same objectives, a plan
    copies them and looks only at the objectives an edit touched.
    """

    def __init__(self) -> None:
        #: The planner of the current model.
        self.planner: Planner | None = None
        #: The objectives' pages and badges of the last plan.
        self.objectives: ObjectivePlan | None = None
        #: The units' rollups of the last plan.
        self.unit_rollups: dict[tuple[str, str], Rollup] | None = None
        #: The last :attr:`Planner._rollups_by_period`, and what it was made from.
        self.rollups: tuple[tuple[object, ...], RollupLists] | None = None
        #: What the status page lists of each current objective.
        self.status_rows = IdentityMemo[Objective, StatusRows]()
        #: The number of ungraded key results and of key results of each past period, and
        #: the objectives they were counted from.
        self.grading: dict[str, tuple[tuple[Objective, ...], tuple[int, int]]] = {}
        #: Each period's last cascade, its node for each objective (see :meth:`Planner._tree`).
        self.trees: dict[str, dict[str, TreeNode]] = {}
        #: The parts of each objective's page last made (see :meth:`Planner._objective_parts`).
        self.parts: dict[str, ObjectiveParts] = {}
        self._last: dict[str, Page | Asset] = {}
        self._kept: dict[str, Page | Asset] = {}

    def start(self, planner: Planner) -> None:
        """Plan for ``planner``'s model; what the last plan kept is what can be reused."""
        self.planner = planner
        # (a plan abandoned half-way kept less; one that kept nothing leaves the last one)
        self._last, self._kept = self._kept or self._last, {}

    def finish(self) -> None:
        """The plan is whole: forget the pages it did not reuse."""
        self._last = {}

    def unchanged(self, path: str) -> Page | Asset | None:
        """The last plan's page at ``path``, known to be unchanged; kept for the next plan."""
        known = self._last.get(path)
        return None if known is None else self.keep(known)

    def known(self, path: str, inputs: tuple[object, ...]) -> Page | Asset | None:
        """The last plan's page at ``path`` if it had equal inputs; kept for the next plan."""
        known = self._last.get(path)
        if known is None or known.inputs != inputs:
            return None
        return self.keep(known)

    def keep(self, planned: Planned) -> Planned:
        self._kept[planned.path] = planned
        return planned

    def context(
        self, path: str, make: Callable[..., dict[str, Any]], arguments: tuple[str, ...]
    ) -> dict[str, Any]:
        """The context of the page at ``path``, from the current model."""
        assert self.planner is not None
        return {**self.planner.base(path), **make(self.planner, *arguments)}

    def make(self, make: Callable[..., bytes], arguments: tuple[str, ...]) -> bytes:
        """A badge, from the current model."""
        assert self.planner is not None
        return make(self.planner, *arguments)


class Planner:
    """Builds the page list for one model; ``markdown`` renders bodies.

    With the ``memo`` of the last plan (``serve``), a page or badge whose
    inputs are unchanged is the last plan's object.
    """

    def __init__(
        self,
        model: Model,
        locale: Locale,
        markdown: MarkdownRenderer,
        base_url: str = "",
        memo: PlanMemo | None = None,
    ) -> None:
        self.model = model
        self.locale = locale
        self.markdown = markdown
        self.base_url = base_url
        self.memo = memo or PlanMemo()
        self.memo.start(self)
        #: Whether the memo outlives this plan, so that what it remembers is used again.
        self.remembers = memo is not None
        #: The units whose pages and badges may differ from the last plan's (``None``: any).
        self._touched_units: set[str] | None = None

    def pages(self) -> Iterator[Page | Asset]:
        model = self.model
        current = model.periods.get(model.current_period or "")
        home_inputs = (
            tuple(model.period_rollups.values()),
            *(model.objectives_in(current.id) if current else ()),
            *((r.rollup for r in self._unit_rollups(current.id, ("team",))) if current else ()),
        )
        yield self._page("index.html", "home.html", home_inputs, Planner._home)
        for period in model.periods.values():
            objectives = model.objectives_in(period.id)
            inputs = (
                model.period_rollups[period.id],
                *objectives,
                # the cascade names the key results its roots align to in other periods
                *(model.objectives[o.parent_objective] for o in objectives if o.parent_objective),
                *(r.rollup for r in self._unit_rollups(period.id, _KINDS)),
            )
            path = period_path(period)
            yield self._page(path, "period.html", inputs, Planner._period, period.id)
        planned = self._objective_plan()
        yield from planned.pages
        yield self._page("units/index.html", "units.html", (), Planner._units)
        shown = model.objectives.__getitem__
        for unit in model.units.values():
            if (kept := self._untouched_unit(unit.id, unit_path(unit.id))) is not None:
                yield kept
                continue
            inputs = tuple(
                item
                for period_id in model.periods
                if (rollup := model.unit_rollups.get((unit.id, period_id)))
                for item in (rollup, *map(shown, rollup.objectives))
            )
            yield self._page(unit_path(unit.id), "unit.html", inputs, Planner._unit, unit.id)
        status_inputs = (*model.period_rollups.values(), *model.objectives.values())
        yield self._page("status/index.html", "status.html", status_inputs, Planner._status)
        for page in model.pages.values():
            yield self._page(page_path(page.id), "page.html", (), Planner._free_page, page.id)
        yield self._page("search/index.html", "search.html", (), Planner._search)
        yield self._page("404.html", "404.html", (), Planner._not_found)
        yield from planned.badges
        yield from self._unit_badges()
        self.memo.finish()

    def _objective_plan(self) -> ObjectivePlan:
        """Each objective's page and badge; with the last plan's, made again only for the
        objectives an edit touched when the site has the same objectives (``serve``)."""
        objectives, last = self.model.objectives, self.memo.objectives
        if last is not None and list(last.objectives) == list(objectives):
            index, pages, badges = last.places, list(last.pages), list(last.badges)
            changed = [
                key for key, value in objectives.items() if last.objectives[key] is not value
            ]
            for key in self._showing(changed):
                pages[index[key]] = self._objective_page(objectives[key], pages[index[key]])
            for key in changed:
                badges[index[key]] = self._objective_badge_asset(
                    objectives[key], badges[index[key]]
                )
            self._touched_units = self._units_touched_by(changed)
        else:
            index = {key: place for place, key in enumerate(objectives)}
            if last is None:
                last = ObjectivePlan({}, {}, [], [])
            lasts = last.places
            pages = [
                self._objective_page(o, last.pages[lasts[o.id]] if o.id in lasts else None)
                for o in objectives.values()
            ]
            badges = [
                self._objective_badge_asset(o, last.badges[lasts[o.id]] if o.id in lasts else None)
                for o in objectives.values()
            ]
            self.memo.parts = {i: p for i, p in self.memo.parts.items() if i in objectives}
        self.memo.objectives = ObjectivePlan(objectives, index, pages, badges)
        self.memo.unit_rollups = self.model.unit_rollups
        return self.memo.objectives

    def _units_touched_by(self, changed: list[str]) -> set[str] | None:
        """The units whose pages and badges may show what changed since the last plan: the
        owners of the objectives that changed and the units whose rollups changed (which
        includes the last owner of an objective that changed hands); ``None``: any."""
        model, last = self.model, self.memo.unit_rollups
        if last is None or list(last) != list(model.unit_rollups):
            return None
        touched = {model.objectives[key].owner for key in changed}
        touched.update(
            key[0] for key, rollup in model.unit_rollups.items() if last[key] is not rollup
        )
        return touched

    def _untouched_unit(self, unit_id: str, path: str) -> Page | Asset | None:
        """The last plan's page or badge at ``path`` of a unit no change touched."""
        if self._touched_units is None or unit_id in self._touched_units:
            return None
        return self.memo.unchanged(path)

    def _showing(self, changed: list[str]) -> set[str]:
        """The objectives whose pages show one of ``changed``: those, their parents (which
        list their children) and everything below them (which shows its ancestors)."""
        objectives = self.model.objectives
        showing = {
            parent
            for key in changed
            if (parent := objectives[key].parent_objective) is not None and parent in objectives
        }
        below, seen = list(changed), set()
        while below:
            key = below.pop()
            if key not in seen:
                seen.add(key)
                below.extend(objectives[key].children)
        return showing | seen

    def _objective_page(self, objective: Objective, last: Page | None) -> Page:
        shown = self.model.objectives.__getitem__
        inputs = (objective, *map(shown, objective.ancestors), *map(shown, objective.children))
        if last is not None and last.inputs == inputs:
            return last
        path = objective_path(objective.id)
        context = functools.partial(self.memo.context, path, Planner._objective, (objective.id,))
        return Page(path, "objective.html", inputs, context)

    def _objective_badge_asset(self, objective: Objective, last: Asset | None) -> Asset:
        inputs = (objective,)
        if last is not None and last.inputs == inputs:
            return last
        path = objective_badge_path(objective.id)
        make = functools.partial(self.memo.make, Planner._objective_badge, (objective.id,))
        return Asset(path, inputs, make)

    def _unit_badges(self) -> Iterator[Page | Asset]:
        model = self.model
        current, shown = model.periods.get(model.current_period or ""), model.objectives.__getitem__
        for unit in model.units.values():
            if (kept := self._untouched_unit(unit.id, unit_badge_path(unit.id))) is not None:
                yield kept
                continue
            rollup = model.unit_rollups.get((unit.id, current.id)) if current else None
            inputs = (rollup, *map(shown, rollup.objectives)) if rollup else ()
            yield self._asset(unit_badge_path(unit.id), inputs, Planner._unit_badge, unit.id)

    def _objective_badge(self, objective_id: str) -> bytes:
        objective = self.model.objectives[objective_id]
        period = self.model.periods[objective.period]
        return badge_svg(objective_badge(objective, period, self.locale))

    def _unit_badge(self, unit_id: str) -> bytes:
        model = self.model
        current = model.periods.get(model.current_period or "")
        rollup = model.unit_rollups.get((unit_id, current.id)) if current else None
        objectives = tuple(model.objectives[o] for o in rollup.objectives) if rollup else ()
        name = model.units[unit_id].name
        return badge_svg(unit_badge(name, current, rollup, objectives, self.locale))

    def _page(
        self,
        path: str,
        template: str,
        inputs: tuple[object, ...],
        make: Callable[..., dict[str, Any]],
        *arguments: str,
    ) -> Page:
        """The page at ``path``: the memo's, if it had these inputs, else a new one."""
        known = self.memo.known(path, inputs)
        if isinstance(known, Page) and known.template == template:
            return known
        context = functools.partial(self.memo.context, path, make, arguments)
        return self.memo.keep(Page(path, template, inputs, context))

    def _asset(
        self,
        path: str,
        inputs: tuple[object, ...],
        make: Callable[..., bytes],
        *arguments: str,
    ) -> Asset:
        """As :meth:`_page`, for a badge."""
        known = self.memo.known(path, inputs)
        if isinstance(known, Asset):
            return known
        made = functools.partial(self.memo.make, make, arguments)
        return self.memo.keep(Asset(path, inputs, made))

    def base(self, path: str, urls: Urls | None = None) -> dict[str, Any]:
        """What every template receives."""
        urls = urls or Urls(path)
        model = self.model
        targets = [(self.locale.text("nav.home"), "index.html")]
        current = model.periods.get(model.current_period or "")
        if current is not None:
            targets.append(
                (self.locale.text("nav.period", period=current.id), period_path(current))
            )
        targets.append((self.locale.text("nav.units"), "units/index.html"))
        targets.append((self.locale.text("nav.status"), "status/index.html"))
        targets.extend((page.title, page_path(page.id)) for page in model.pages.values())
        nav = [Link(title, urls.asset(target), target == path) for title, target in targets]
        return {
            "site_title": model.config.title,
            "generator": f"okrpub {__version__}",
            "today": model.today,
            "urls": urls,
            "nav": nav,
            "units": model.units,
            "objectives": model.objectives,
            "periods": model.periods,
            "page_path": path,
            # what a parent left out of this build is: not public, or (internally) a draft
            "parent_hidden_text": "objective.parent_hidden"
            if model.public
            else "objective.parent_draft",
        }

    def _free_page(self, page_id: str) -> dict[str, Any]:
        page = self.model.pages[page_id]
        return {"page": page, "body": self.markdown.render(page.body)}

    def _search(self) -> dict[str, Any]:
        return {}

    def _not_found(self) -> dict[str, Any]:
        # A host shows 404.html for any missing path, at any depth: relative links
        # would break there, so its links are absolute when a base_url is known.
        root = self.base_url.rstrip("/") + "/" if self.base_url else None
        return self.base("404.html", Urls("404.html", root))

    def _unit_rollups(self, period_id: str, kinds: tuple[str, ...]) -> list[UnitRollup]:
        """The rollups of ``period_id``'s units of ``kinds``: the very same list while the
        periods, units and rollups are the same, so a template may cache a table by it."""
        by_period, chosen = self._rollups_by_period
        key = (period_id, kinds)
        if key not in chosen:
            chosen[key] = [item for item in by_period[period_id] if item.unit.kind in kinds]
        return chosen[key]

    @functools.cached_property
    def _rollups_by_period(self) -> RollupLists:
        """Each period's units with objectives in it, in the order of the units, and the
        lists chosen from them (the memo's while the periods, units and rollups are the
        same)."""
        model = self.model
        made_of = (
            tuple(model.periods),
            tuple(model.units.values()),
            tuple(model.unit_rollups),
            tuple(model.unit_rollups.values()),
        )
        if self.memo.rollups is not None and self.memo.rollups[0] == made_of:
            return self.memo.rollups[1]
        by_period: dict[str, list[UnitRollup]] = {period_id: [] for period_id in model.periods}
        for unit in model.units.values():
            for period_id, items in by_period.items():
                rollup = model.unit_rollups.get((unit.id, period_id))
                if rollup is not None:
                    items.append(UnitRollup(unit, rollup))
        lists = RollupLists(by_period, {})
        self.memo.rollups = (made_of, lists)
        return lists

    def _home(self) -> dict[str, Any]:
        model = self.model
        period = model.periods.get(model.current_period or "")
        periods = [
            PeriodGroup(p, model.period_rollups[p.id], ())
            for p in sorted(model.periods.values(), key=lambda p: (p.start, p.id), reverse=True)
        ]
        if period is None:
            return {"period": None, "periods": periods}
        objectives = model.objectives_in(period.id)
        return {
            "period": period,
            "rollup": model.period_rollups[period.id],
            "company_objectives": [o for o in objectives if model.units[o.owner].kind == "company"],
            "team_rollups": self._unit_rollups(period.id, ("team",)),
            "periods": periods,
        }

    def _tree(
        self, objective: Objective, trees: dict[str, TreeNode], last: dict[str, TreeNode]
    ) -> TreeNode:
        """The cascade below ``objective`` in its period, its nodes put in ``trees``. A
        node whose objective, key result and children are the very same as in the last
        tree (``last``) is the very same node, so a template can reuse what it rendered
        for a whole subtree."""
        children = (self.model.objectives[c] for c in objective.children)
        parent = self.model.objectives.get(objective.parent_objective or "")
        via = _find_key_result(parent, objective.parent_key_result)
        node = TreeNode(
            objective,
            via.title if via else None,
            tuple(self._tree(c, trees, last) for c in children if c.period == objective.period),
        )
        known = last.get(objective.id)
        if known is not None and _same_node(known, node):
            node = known
        trees[objective.id] = node
        return node

    def _period(self, period_id: str) -> dict[str, Any]:
        model = self.model
        period = model.periods[period_id]
        objectives = model.objectives_in(period.id)
        roots, unaligned = [], []
        trees: dict[str, TreeNode] = {}
        last = self.memo.trees.get(period_id, {})
        for objective in objectives:
            parent = model.objectives.get(objective.parent_objective or "")
            if parent is not None and parent.period == period.id:
                continue
            if objective.unaligned:
                unaligned.append(objective)
            else:
                roots.append(self._tree(objective, trees, last))
        self.memo.trees[period_id] = trees
        return {
            "period": period,
            "rollup": model.period_rollups[period.id],
            "cascade": roots,
            "unaligned": unaligned,
            "unit_rollups": self._unit_rollups(period.id, _KINDS),
        }

    def _objective(self, objective_id: str) -> dict[str, Any]:
        model = self.model
        objective = model.objectives[objective_id]
        period = model.periods[objective.period]
        ancestors = [model.objectives[a] for a in reversed(objective.ancestors)]
        parent = model.objectives.get(objective.parent_objective or "")
        parent_key_result = _find_key_result(parent, objective.parent_key_result)
        parts = self._objective_parts(objective, period)
        return {
            "objective": objective,
            "owner": model.units[objective.owner],
            "period": period,
            "ancestors": ancestors,
            "parent": parent,
            "parent_key_result": parent_key_result,
            "key_results": parts.key_results,
            "children": [model.objectives[c] for c in objective.children],
            "body": parts.body,
        }

    def _objective_parts(self, objective: Objective, period: Period) -> ObjectiveParts:
        """The key results with their charts and the body's HTML of ``objective``'s page:
        with a memo (``serve``), the last ones while the objective is the very same object
        and its period equal (an edit of an ancestor renders the page again, not these)."""
        known = self.memo.parts.get(objective.id) if self.remembers else None
        if known is not None and known.objective is objective and known.period == period:
            return known
        key_results = [
            KeyResultView(kr, objective, checkin_chart(kr, period, self.locale, f"chart-{index}"))
            for index, kr in enumerate(objective.key_results, start=1)
        ]
        parts = ObjectiveParts(objective, period, key_results, self.markdown.render(objective.body))
        if self.remembers:
            self.memo.parts[objective.id] = parts
        return parts

    def _units(self) -> dict[str, Any]:
        top = [u.id for u in self.model.units.values() if u.parent is None]
        return {"top_units": top}

    def _unit(self, unit_id: str) -> dict[str, Any]:
        model = self.model
        unit = model.units[unit_id]
        children = [model.units[c] for c in unit.children]
        groups = [
            PeriodGroup(
                period,
                model.unit_rollups[(unit.id, period.id)],
                tuple(
                    model.objectives[o] for o in model.unit_rollups[(unit.id, period.id)].objectives
                ),
            )
            for period in sorted(
                model.periods.values(), key=lambda p: (p.start, p.id), reverse=True
            )
            if (unit.id, period.id) in model.unit_rollups
        ]
        return {
            "unit": unit,
            "breadcrumbs": [model.units[a] for a in reversed(unit.ancestors)],
            "parent": model.units.get(unit.parent or ""),
            "lead": model.units.get(unit.lead or ""),
            "sub_units": [c for c in children if c.kind != "person"],
            "members": [c for c in children if c.kind == "person"],
            "groups": groups,
            "body": self.markdown.render(unit.body),
        }

    def _status(self) -> dict[str, Any]:
        model = self.model
        period = model.periods.get(model.current_period or "")
        current = period is not None and period.state is PeriodState.CURRENT
        objectives = model.objectives_in(period.id) if period is not None and current else []
        rows = self.memo.status_rows.each(objectives, _status_rows)
        past = [
            p
            for p in sorted(model.periods.values(), key=lambda p: (p.start, p.id), reverse=True)
            if p.state is PeriodState.PAST
        ]
        grading = {p.id: self._grading(p.id) for p in past}
        self.memo.grading = grading
        reports = [GradingReport(p, model.period_rollups[p.id], *grading[p.id][1]) for p in past]
        lists: dict[str, list[Any]] = {
            "off_track": [view for row in rows for view in row.off_track],
            "at_risk": [view for row in rows for view in row.at_risk],
            "stale": [view for row in rows for view in row.stale],
            "unaligned": [objective for objective in objectives if objective.unaligned],
        }
        return {
            "period": period if current else None,
            **{name: items[:STATUS_LIST_LIMIT] for name, items in lists.items()},
            "counts": {name: len(items) for name, items in lists.items()},
            "hidden": {
                name: max(0, len(items) - STATUS_LIST_LIMIT) for name, items in lists.items()
            },
            "reports": reports,
        }

    def _grading(self, period_id: str) -> tuple[tuple[Objective, ...], tuple[int, int]]:
        """The ungraded key results and all key results of a period's objectives (the
        memo's count while they are the same)."""
        objectives = tuple(self.model.objectives_in(period_id))
        known = self.memo.grading.get(period_id)
        if known is not None and known[0] == objectives:
            return known
        return objectives, _grading_counts(objectives)


class StatusRows(NamedTuple):
    """What the status page lists of one objective's key results."""

    off_track: list[KeyResultView]
    at_risk: list[KeyResultView]
    stale: list[KeyResultView]


def _status_rows(objective: Objective) -> StatusRows:
    views = [KeyResultView(kr, objective, None) for kr in objective.key_results]
    return StatusRows(
        [view for view in views if view.key_result.status == Status.OFF_TRACK],
        [view for view in views if view.key_result.status == Status.AT_RISK],
        [view for view in views if view.key_result.stale],
    )


def _grading_counts(objectives: tuple[Objective, ...]) -> tuple[int, int]:
    """How many of the objectives' key results have no score given, and how many they have."""
    key_results = [kr for objective in objectives for kr in objective.key_results]
    return sum(not kr.score_given for kr in key_results), len(key_results)
