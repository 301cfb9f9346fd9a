"""Parts: what views are made of, each a plain function of a few model values.

A view (:mod:`okrpub.site.views`) is assembled from these parts: the cascade
of a period, what an objective's page shows of the objective alone, what the
status page lists of one objective, a period's grading counts. Each is made
from its arguments only, so the engine may keep one while they are unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from okrpub.model.types import Checkin, KeyResult, Model, Objective, Period, Rollup, Status
from okrpub.site.charts import Chart, checkin_chart
from okrpub.site.i18n import Locale
from okrpub.site.markdown import MarkdownRenderer


@dataclass(frozen=True)
class TreeNode:
    objective: Objective
    #: The title of the parent's key result this objective aligns to, if any.
    via_key_result: str | None
    children: tuple[TreeNode, ...]

    @property
    def below(self) -> int:
        """How many objectives the tree below this one holds."""
        return sum(1 + child.below for child in self.children)


class Cascade(NamedTuple):
    """A period's objectives as trees below those that align to none of the period's."""

    roots: list[TreeNode]
    unaligned: list[Objective]


@dataclass(frozen=True)
class KeyResultView:
    key_result: KeyResult
    objective: Objective
    chart: Chart | None

    @property
    def owner(self) -> str:
        """The key result's own owner, else its objective's."""
        return self.key_result.owner or self.objective.owner

    @property
    def checkins_newest_first(self) -> tuple[Checkin, ...]:
        return self.key_result.checkins[::-1]

    @property
    def latest_note(self) -> Checkin | None:
        """The newest check-in with a note: its note shows on the key result's card."""
        return next((c for c in reversed(self.key_result.checkins) if c.note), None)

    @property
    def show_weight(self) -> bool:
        """Whether the weight differs from the default of 1."""
        return self.key_result.weight != 1


class ObjectiveParts(NamedTuple):
    """What an objective's page shows of the objective alone, and what it was made from."""

    objective: Objective
    period: Period
    #: The day the charts' "today" marker shows while the period runs.
    today: dt.date
    key_results: list[KeyResultView]
    #: The body as HTML.
    body: str


class StatusRows(NamedTuple):
    """What the status page lists of one objective's key results."""

    off_track: list[KeyResultView]
    at_risk: list[KeyResultView]
    stale: list[KeyResultView]
    no_data: list[KeyResultView]


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


def find_key_result(objective: Objective | None, key_result_id: str | None) -> KeyResult | None:
    if objective is None or key_result_id is None:
        return None
    return next((kr for kr in objective.key_results if kr.id == key_result_id), None)


def cascade(model: Model, period_id: str) -> Cascade:
    """The cascade of ``period_id``: its roots' trees, and the unaligned objectives."""
    roots, unaligned = [], []
    for objective in model.objectives_in(period_id):
        parent = model.objectives.get(objective.parent_objective or "")
        if parent is not None and parent.period == period_id:
            continue
        if objective.unaligned:
            unaligned.append(objective)
        else:
            roots.append(tree(model, objective))
    return Cascade(roots, unaligned)


def tree(model: Model, objective: Objective) -> TreeNode:
    """The cascade below ``objective`` in its period."""
    children = (model.objectives[c] for c in objective.children)
    parent = model.objectives.get(objective.parent_objective or "")
    via = find_key_result(parent, objective.parent_key_result)
    return TreeNode(
        objective,
        via.title if via else None,
        tuple(tree(model, c) for c in children if c.period == objective.period),
    )


def objective_parts(
    objective: Objective,
    period: Period,
    today: dt.date,
    locale: Locale,
    markdown: MarkdownRenderer,
) -> ObjectiveParts:
    """The key results with their charts and the body's HTML of ``objective``'s page."""
    key_results = [
        KeyResultView(kr, objective, checkin_chart(kr, period, today, locale, f"chart-{index}"))
        for index, kr in enumerate(objective.key_results, start=1)
    ]
    body = markdown.render(objective.body)
    return ObjectiveParts(objective, period, today, key_results, body)


def status_rows(objective: Objective) -> StatusRows:
    views = [KeyResultView(kr, objective, None) for kr in objective.key_results]
    return StatusRows(
        [view for view in views if view.key_result.status == Status.OFF_TRACK],
        [view for view in views if view.key_result.status == Status.AT_RISK],
        [view for view in views if view.key_result.stale],
        [view for view in views if view.key_result.status == Status.NO_DATA],
    )


def grading_counts(objectives: tuple[Objective, ...]) -> tuple[int, int]:
    """How many of the objectives' key results that count are not graded, and how many count."""
    key_results = [kr for objective in objectives for kr in objective.key_results if kr.counts]
    return sum(not kr.graded for kr in key_results), len(key_results)
