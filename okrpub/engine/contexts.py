"""Contexts: the views of :mod:`okrpub.site.views` for one model, their parts reused.

A :class:`ViewMemo` kept from one rebuild to the next (``serve``) keeps the
parts views are assembled from (:mod:`okrpub.site.parts`) while what they are
made of is the very same: the status rows of an objective, an objective's
own parts, a period's grading counts and the units' rollup lists. A tree of
the cascade whose objective, key result and children are the very same as
last time is the very same node, so that a ``{% cache %}`` block of the
template reuses what it rendered for a whole subtree (:mod:`okrpub.engine.fragments`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from okrpub.engine.memo import IdentityMemo
from okrpub.engine.stats import (
    GRADINGS_MADE,
    OBJECTIVE_PARTS_MADE,
    ROLLUP_LISTS_MADE,
    ROLLUP_PERIODS_LISTED,
    STATUS_ROWS_MADE,
    Stats,
)
from okrpub.model.types import Model, Objective, Rollup, Unit
from okrpub.site import meta, parts, views
from okrpub.site.i18n import Locale
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.parts import Cascade, ObjectiveParts, StatusRows, TreeNode
from okrpub.site.plan import KINDS, Asset, Page, UnitRollups
from okrpub.site.theme import Theme

#: What the units' rollup lists are made of: the periods, units, and rollups' keys and values.
_RollupsMadeOf = tuple[
    tuple[str, ...], tuple[Unit, ...], tuple[tuple[str, str], ...], tuple[Rollup, ...]
]


class ViewMemo:
    """The parts of the last views, for the next ones to reuse.

    Each objective's own parts (charts and body) are kept only when the memo
    ``remembers`` (``serve``): a ``build`` renders each page once.
    """

    def __init__(self, remembers: bool = False) -> None:
        self.remembers = remembers
        #: What the status page lists of each current objective.
        self.status_rows = IdentityMemo[Objective, StatusRows]()
        #: Each past period's grading counts, and the objectives they were counted from.
        self.grading: dict[str, tuple[tuple[Objective, ...], tuple[int, int]]] = {}
        #: Each period's last cascade, its node for each objective.
        self.trees: dict[str, dict[str, TreeNode]] = {}
        #: The parts of each objective's page last made, and the ids of the objectives then.
        self.parts: dict[str, ObjectiveParts] = {}
        self._objective_ids: list[str] = []
        #: The last rollup lists, and what they were made from.
        self._rollups: tuple[_RollupsMadeOf, UnitRollups] | None = None

    def rollups(self, model: Model, stats: Stats) -> UnitRollups:
        """The units' rollup lists of ``model``: the last ones (the very same lists) while
        the periods, units and rollups are the same."""
        made_of: _RollupsMadeOf = (
            tuple(model.periods),
            tuple(model.units.values()),
            tuple(model.unit_rollups),
            tuple(model.unit_rollups.values()),
        )
        last = self._rollups
        if last is None or last[0][:3] != made_of[:3]:
            changed, rollups = set(model.periods), UnitRollups(model)
        else:
            # the same periods, units and rollups' keys: the periods of the rollups that
            # changed are listed again
            changed = _periods_changed(made_of[2], last[0][3], made_of[3])
            if not changed:
                return last[1]
            rollups = UnitRollups(model, last[1], changed)
        stats.add(ROLLUP_LISTS_MADE)
        stats.add(ROLLUP_PERIODS_LISTED, len(changed))
        self._rollups = (made_of, rollups)
        return rollups

    def forget_removed(self, model: Model) -> None:
        """Forget the parts of objectives the site no longer has."""
        ids = list(model.objectives)
        if ids != self._objective_ids:
            self.parts = {key: part for key, part in self.parts.items() if key in model.objectives}
            self._objective_ids = ids


def _periods_changed(
    keys: tuple[tuple[str, str], ...], before: tuple[Rollup, ...], now: tuple[Rollup, ...]
) -> set[str]:
    """The periods of the units' rollups (by ``keys``: unit, period) that changed."""
    return {
        key[1]
        for key, old, new in zip(keys, before, now, strict=True)
        if old is not new and old != new
    }


class Contexts:
    """The context of each page (and the bytes of each badge) of one model."""

    def __init__(
        self,
        model: Model,
        locale: Locale,
        markdown: MarkdownRenderer,
        base_url: str,
        memo: ViewMemo,
        stats: Stats,
    ) -> None:
        """Parts made (in this process) are counted in ``stats``."""
        self.model = model
        self.stats = stats
        self.locale = locale
        self.markdown = markdown
        self.base_url = base_url
        self.memo = memo
        self.rollups = memo.rollups(model, stats)
        memo.forget_removed(model)
        self._views: dict[str, Callable[..., dict[str, Any]]] = {
            "home": self._home,
            "period": self._period,
            "objective": self._objective,
            "units": lambda: views.units(model),
            "unit": lambda unit_id: views.unit(model, unit_id, markdown),
            "status": self._status,
            "free_page": lambda page_id: views.free_page(model, page_id, markdown),
            "guide": lambda: views.guide(model),
            "search": dict,
            "not_found": lambda: views.not_found(model, locale, base_url),
        }

    def render(self, theme: Theme, item: Page | Asset) -> bytes:
        """The bytes of a page or badge."""
        if isinstance(item, Asset):
            return self.badge(item)
        return theme.render(item.template, self.context(item)).encode("utf-8")

    def context(self, page: Page) -> dict[str, Any]:
        base = views.base(self.model, self.locale, page.path)
        view = self._views[page.view](*page.arguments)
        body = str(view.get("body", ""))
        head = meta.head(
            self.model, self.locale, self.base_url, page.view, page.arguments, page.path, body
        )
        return {**base, **view, **head}

    def badge(self, asset: Asset) -> bytes:
        if asset.badge == "objective":
            return views.objective_badge_svg(self.model, asset.subject, self.locale)
        return views.unit_badge_svg(self.model, asset.subject, self.locale)

    def _home(self) -> dict[str, Any]:
        current = self.model.periods.get(self.model.current_period or "")
        team_rollups = self.rollups.of(current.id, ("team",)) if current else []
        return views.home(self.model, team_rollups)

    def _period(self, period_id: str) -> dict[str, Any]:
        made = parts.cascade(self.model, period_id)
        last, trees = self.memo.trees.get(period_id, {}), dict[str, TreeNode]()
        roots = [_reuse_tree(root, last, trees) for root in made.roots]
        unaligned = [_reuse_tree(root, last, trees) for root in made.unaligned]
        self.memo.trees[period_id] = trees
        cascade = Cascade(roots, unaligned)
        return views.period(self.model, period_id, cascade, self.rollups.of(period_id, KINDS))

    def _objective(self, objective_id: str) -> dict[str, Any]:
        objective = self.model.objectives[objective_id]
        period = self.model.periods[objective.period]
        memo = self.memo
        known = memo.parts.get(objective_id) if memo.remembers else None
        today = self.model.today
        if (
            known is None
            or known.objective is not objective
            or known.period != period
            or known.today != today
        ):
            self.stats.add(OBJECTIVE_PARTS_MADE)
            known = parts.objective_parts(objective, period, today, self.locale, self.markdown)
            if memo.remembers:
                memo.parts[objective_id] = known
        return views.objective(self.model, objective_id, known)

    def _status(self) -> dict[str, Any]:
        model, memo = self.model, self.memo
        rows = memo.status_rows.each(views.status_objectives(model), self._status_rows)
        grading = {}
        for period_id in views.past_periods(model):
            objectives = tuple(model.objectives_in(period_id))
            known = memo.grading.get(period_id)
            if known is None or known[0] != objectives:
                self.stats.add(GRADINGS_MADE)
                known = (objectives, parts.grading_counts(objectives))
            grading[period_id] = known
        memo.grading = grading
        return views.status(model, rows, {key: counts for key, (_, counts) in grading.items()})

    def _status_rows(self, objective: Objective) -> StatusRows:
        self.stats.add(STATUS_ROWS_MADE)
        return parts.status_rows(objective)


def _reuse_tree(
    node: TreeNode, last: dict[str, TreeNode], trees: dict[str, TreeNode], under: str = ""
) -> TreeNode:
    """``node`` (under the objective ``under``), or the last tree's node at its place when
    that has the very same objective and children and the same key result; its nodes put
    in ``trees``. An objective listed "also under" a second parent has a place there too."""
    children = tuple(_reuse_tree(child, last, trees, node.objective.id) for child in node.children)
    place = node.objective.id if node.also_under is None else f"{node.objective.id} {under}"
    known = last.get(place)
    if (
        known is not None
        and known.objective is node.objective
        and known.via_key_result == node.via_key_result
        and known.also_under is node.also_under
        and len(known.children) == len(children)
        and all(a is b for a, b in zip(known.children, children, strict=True))
    ):
        node = known
    elif any(a is not b for a, b in zip(node.children, children, strict=True)):
        node = dataclasses.replace(node, children=children)
    trees[place] = node
    return node
