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

from markupsafe import Markup, escape

from okrpub.model.types import Checkin, KeyResult, Model, Objective, Period, Rollup, Status
from okrpub.site.charts import Chart, checkin_chart
from okrpub.site.format import ShownCheckin, shown_checkins
from okrpub.site.i18n import Locale
from okrpub.site.markdown import MarkdownRenderer


@dataclass(frozen=True)
class TreeNode:
    objective: Objective
    #: The title of the parent's key result this objective aligns to, if any.
    via_key_result: str | None
    children: tuple[TreeNode, ...]
    #: Where the objective is shown under a parent other than its first: that first
    #: parent, where its own tree stands ("also under …"); it has no children here.
    also_under: Objective | None = None

    @property
    def below(self) -> int:
        """How many objectives the tree below this one holds."""
        return sum(1 + child.below for child in self.children)


class Cascade(NamedTuple):
    """A period's objectives as trees below those that align to none of the period's."""

    roots: list[TreeNode]
    #: The team and personal objectives that align to nothing, with what aligns to them.
    unaligned: list[TreeNode]


#: No HTML: what a view that shows none of a text has for it.
NO_HTML = Markup()


class CheckinCells(NamedTuple):
    """A check-in as the cells of the objective page's table, each as HTML: its date,
    value and confidence as shown (an en dash for none), escaped; its health (for the
    ``status`` macro); its note's inline Markdown. A row is most of a page's text, so the
    theme writes it out as it is."""

    date: Markup
    value: Markup
    confidence: Markup
    health: str | None
    note: Markup


@dataclass(frozen=True)
class KeyResultView:
    key_result: KeyResult
    objective: Objective
    chart: Chart | None
    #: On the objective's page: the title, the owner's health note and each check-in's note
    #: (oldest first) as HTML of their inline Markdown.
    title_html: Markup = NO_HTML
    health_note_html: Markup = NO_HTML
    notes_html: tuple[Markup, ...] = ()
    #: On the objective's page: the check-ins' cells, newest first.
    checkin_cells: tuple[CheckinCells, ...] = ()

    @property
    def owner(self) -> str:
        """The key result's own owner, else its objective's."""
        return self.key_result.owner or self.objective.owner

    @property
    def latest_note(self) -> tuple[Checkin, Markup] | None:
        """The newest check-in with a note, and the note as HTML: it shows on the key
        result's card."""
        rows = self.key_result.checkins.rows
        noted = (index for index in range(len(rows) - 1, -1, -1) if rows[index][3])
        index = next(noted, None)
        return None if index is None else (Checkin(*rows[index]), self.notes_html[index])

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
    #: The title as HTML (its inline Markdown).
    title_html: Markup = NO_HTML


class StatusRows(NamedTuple):
    """What the status page lists of one objective's key results (a stale one is at
    risk or off track, and says so in its reasons)."""

    off_track: list[KeyResultView]
    at_risk: list[KeyResultView]
    no_data: list[KeyResultView]


@dataclass(frozen=True)
class PeriodGroup:
    period: Period
    rollup: Rollup
    objectives: tuple[Objective, ...]


@dataclass(frozen=True)
class PeriodKeyResults:
    """The key results a unit owns in one period."""

    period: Period
    key_results: tuple[KeyResultView, ...]


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
    """The cascade of ``period_id``: its roots' trees, and the unaligned objectives.

    An objective with several parents has its tree under its first parent (or is a
    root, when that is in another period); under each other parent of the period it
    is listed, marked "also under" the first. An unaligned objective has its tree too,
    so that what aligns to it is on the page.
    """
    roots: list[TreeNode] = []
    unaligned: list[TreeNode] = []
    for objective in model.objectives_in(period_id):
        parent = model.objectives.get(objective.parent_objective or "")
        if parent is not None and parent.period == period_id:
            continue
        (unaligned if objective.unaligned else roots).append(tree(model, objective))
    return Cascade(roots, unaligned)


def tree(model: Model, objective: Objective, under: Objective | None = None) -> TreeNode:
    """The cascade below ``objective`` in its period, where it stands under ``under``
    (its first parent, or none for a root)."""
    under = under or model.objectives.get(objective.parent_objective or "")
    children = []
    for child_id in objective.children:
        child = model.objectives[child_id]
        if child.period != objective.period:
            continue
        if child.parent_objective == objective.id:
            children.append(tree(model, child, objective))
        else:
            first = model.objectives[child.parent_objective or ""]
            children.append(TreeNode(child, _via(child, objective), (), first))
    return TreeNode(objective, _via(objective, under), tuple(children))


def _via(objective: Objective, parent: Objective | None) -> str | None:
    """The title of ``parent``'s key result that ``objective`` aligns to, if any."""
    if parent is None:
        return None
    refs = (ref.partition("#") for ref in objective.parents)
    kr_id = next((kr for parent_id, _, kr in refs if parent_id == parent.id and kr), None)
    found = find_key_result(parent, kr_id)
    return found.title if found else None


def objective_parts(
    objective: Objective,
    period: Period,
    today: dt.date,
    locale: Locale,
    markdown: MarkdownRenderer,
) -> ObjectiveParts:
    """The key results with their charts, and the HTML of the body, titles and notes of
    ``objective``'s page."""
    key_results = []
    for index, kr in enumerate(objective.key_results, start=1):
        notes = tuple(markdown.inline(row[3]) for row in kr.checkins.rows)
        shown = shown_checkins(locale, kr)
        view = KeyResultView(
            kr,
            objective,
            checkin_chart(kr, period, today, locale, f"chart-{index}", shown),
            markdown.inline(kr.title_markdown),
            markdown.inline(kr.health_note),
            notes,
            checkin_cells(kr, notes, shown),
        )
        key_results.append(view)
    return ObjectiveParts(
        objective,
        period,
        today,
        key_results,
        markdown.render(objective.body),
        markdown.inline(objective.title_markdown),
    )


def checkin_cells(
    key_result: KeyResult, notes: tuple[Markup, ...], shown: tuple[ShownCheckin, ...]
) -> tuple[CheckinCells, ...]:
    """``key_result``'s check-ins as the table's cells, newest first, from the check-ins
    ``shown`` and their ``notes`` as HTML (both oldest first)."""
    cells = [
        CheckinCells(escape(date), escape(value), escape(confidence), row[4], note)
        for (date, value, confidence), row, note in zip(
            shown, key_result.checkins.rows, notes, strict=True
        )
    ]
    return tuple(cells[::-1])


def status_rows(objective: Objective) -> StatusRows:
    views = [KeyResultView(kr, objective, None) for kr in objective.key_results]
    return StatusRows(
        [view for view in views if view.key_result.status == Status.OFF_TRACK],
        [view for view in views if view.key_result.status == Status.AT_RISK],
        [view for view in views if view.key_result.status == Status.NO_DATA],
    )


def grading_counts(objectives: tuple[Objective, ...]) -> tuple[int, int]:
    """How many of the objectives' key results that count are not graded (by themselves or
    by their objective's own grade), and how many count."""
    covered = sum(objective.grade_covers for objective in objectives)
    counted = sum(objective.counted for objective in objectives)
    return counted - covered, counted
