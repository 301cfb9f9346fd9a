"""Audience: what an internal and a public build contain, and the numbers they compute."""

from __future__ import annotations

import datetime as dt

import pytest
from projecttools import objective
from sitetools import TODAY, md

from okrpub.engine.build import BuildOptions, render
from okrpub.engine.project import analyse, read_config
from okrpub.engine.stats import OBJECTIVES_COMPUTED
from okrpub.model.audience import select_audience
from okrpub.model.compute import compute
from okrpub.model.types import Model

#: Base project plus: an internal team, and objectives of every visibility.
FILES = {
    "content/units/ops.md": md("name: Ops\nkind: team\nparent: acme\n"),  # internal by default
    "content/2026-Q4/ops/ops-goal.md": objective("title: Ops goal\nowner: ops\nparent: grow"),
    "content/2026-Q4/ops/ops-public.md": objective(
        "title: Ops says public\nowner: ops\nparent: grow\nvisibility: public"
    ),
    "content/2026-Q4/sales/secret.md": objective(
        "title: Secret\nowner: sales\nparent: grow\nvisibility: internal"
    ),
    "content/2026-Q4/sales/child-of-secret.md": objective(
        "title: Child\nowner: sales\nparent: secret"
    ),
    "content/2026-Q4/sales/draft.md": objective(
        "title: Draft\nowner: sales\nparent: grow\ndraft: true"
    ),
    "content/2026-Q4/jo/under-draft.md": objective("title: Under\nowner: jo\nparent: draft"),
    "content/2026-Q3/ops/old.md": objective("title: Old\nowner: ops\nperiod: 2026-Q3"),
    "content/2026-Q4/acme/mixed.md": md(
        """
        title: Mixed
        owner: acme
        key_results:
          - {id: shown, title: Shown, done: true}
          - {id: hidden, title: Hidden, done: false, weight: 3, visibility: internal}
          - {id: also-shown, title: Also shown, done: false, visibility: public}
          - {id: hidden-too, title: Hidden too, done: true, visibility: internal}
        """
    ),
}


@pytest.fixture
def build_model(analysis_of):
    """``build_model(public=..., drafts=...)``: the model one build of ``FILES`` computes."""
    analysis = analysis_of(FILES)
    assert not analysis.diagnostics.has_errors()

    def run(*, public: bool, drafts: bool = False) -> Model:
        resolved = select_audience(analysis.resolved, public=public, drafts=drafts)
        return compute(resolved, analysis.config, dt.date.fromisoformat(TODAY))

    return run


def test_internal_build_has_everything_but_drafts(build_model) -> None:
    model = build_model(public=False)
    assert set(model.units) == {"acme", "sales", "jo", "ops"}
    assert set(model.objectives) == {
        "grow",
        "more-leads",
        "ops-goal",
        "ops-public",
        "secret",
        "child-of-secret",
        "under-draft",
        "old",
        "mixed",
    }
    assert list(model.periods) == ["2026-Q3", "2026-Q4"]
    assert model.objectives["mixed"].hidden_key_results == 0
    assert len(model.objectives["mixed"].key_results) == 4


def test_internal_build_with_drafts(build_model) -> None:
    model = build_model(public=False, drafts=True)
    assert "draft" in model.objectives
    assert model.objectives["draft"].draft


def test_public_build_keeps_only_public_units_and_objectives(build_model) -> None:
    model = build_model(public=True, drafts=True)
    assert set(model.units) == {"acme", "sales"}
    # ops-public is public itself, but its owner is not; secret is internal;
    # child-of-secret takes its owner's (public) visibility; drafts never go public
    assert set(model.objectives) == {"grow", "more-leads", "child-of-secret", "mixed"}
    assert list(model.periods) == ["2026-Q4"]


def test_public_build_hides_a_parent_that_is_not_public(build_model) -> None:
    child = build_model(public=True).objectives["child-of-secret"]
    assert child.parent is None
    assert child.parent_objective is None
    assert child.parent_hidden
    assert child.ancestors == ()
    internal = build_model(public=False).objectives["child-of-secret"]
    assert (internal.parent, internal.parent_hidden) == ("secret", False)


def test_drafts_hide_their_parent_link(build_model) -> None:
    hidden = build_model(public=False).objectives["under-draft"]
    shown = build_model(public=False, drafts=True).objectives["under-draft"]
    assert (hidden.parent, hidden.parent_hidden) == (None, True)
    assert (shown.parent, shown.parent_hidden) == ("draft", False)
    assert build_model(public=False, drafts=True).objectives["draft"].children == ("under-draft",)


def test_public_build_leaves_out_internal_key_results(build_model) -> None:
    mixed = build_model(public=True).objectives["mixed"]
    assert [kr.id for kr in mixed.key_results] == ["shown", "also-shown"]
    assert mixed.hidden_key_results == 2


def test_public_numbers_come_from_public_key_results_only(build_model) -> None:
    internal = build_model(public=False).objectives["mixed"]
    public = build_model(public=True).objectives["mixed"]
    # internal: (1 + 0 * 3 + 0 + 1) / 6; public: (1 + 0) / 2
    assert internal.progress == round(2 / 6, 4)
    assert public.progress == 0.5
    assert public.score is None  # nothing is graded while the period runs


def test_public_rollups_come_from_public_objectives_only(build_model) -> None:
    internal = build_model(public=False).period_rollups["2026-Q4"]
    public = build_model(public=True).period_rollups["2026-Q4"]
    assert public.objectives == ("grow", "mixed", "child-of-secret", "more-leads")
    assert len(internal.objectives) == 8
    public_model = build_model(public=True)
    progress = [public_model.objectives[o].progress for o in public.objectives]
    assert public.progress == round(sum(progress) / len(progress), 4)
    assert ("ops", "2026-Q4") not in public_model.unit_rollups


def test_public_objective_without_public_key_results(analysis_of) -> None:
    """It is shown without numbers, and counts in no rollup (docs/format.md §13)."""
    files = {
        "content/2026-Q4/acme/all-internal.md": md(
            """
            title: All internal
            owner: acme
            key_results:
              - {title: a, done: false, visibility: internal}
            """
        )
    }
    analysis = analysis_of(files)
    resolved = select_audience(analysis.resolved, public=True, drafts=False)
    model = compute(resolved, analysis.config, dt.date.fromisoformat(TODAY))
    objective = model.objectives["all-internal"]
    assert objective.key_results == ()
    assert objective.hidden_key_results == 1
    assert (objective.progress, objective.score, objective.colour, objective.status) == (
        None,
        None,
        None,
        None,
    )
    assert not objective.measured
    # listed with its unit and period, but left out of their numbers
    rollup = model.period_rollups["2026-Q4"]
    assert "all-internal" in rollup.objectives
    measured = [model.objectives[o] for o in rollup.objectives if o != "all-internal"]
    assert rollup.progress == round(sum(o.progress for o in measured) / len(measured), 4)
    assert sum(vars(rollup.statuses).values()) == len(measured)
    alone = model.unit_rollups[("acme", "2026-Q4")]
    assert alone.objectives == ("all-internal", "grow")
    assert alone.progress == model.objectives["grow"].progress
    # internally it has numbers like any other objective
    internal = analysis.model.objectives["all-internal"]
    assert internal.measured
    assert internal.progress == 0.0


def test_alignment_to_an_internal_key_result_names_only_the_objective(analysis_of) -> None:
    files = {
        "content/2026-Q4/acme/grow.md": md(
            """
            title: Grow
            owner: acme
            key_results:
              - {id: revenue, title: Revenue, target: 10, start: 0}
              - {id: margin, title: Margin, target: 10, visibility: internal, start: 0}
            """
        ),
        "content/2026-Q4/sales/more-leads.md": md(
            """
            title: More leads
            owner: sales
            parent: grow#margin
            key_results: [{title: Calls, target: 5, start: 0}]
            """
        ),
    }
    analysis = analysis_of(files)
    internal = analysis.model.objectives["more-leads"]
    assert (internal.parent, internal.parent_key_result) == ("grow#margin", "margin")
    resolved = select_audience(analysis.resolved, public=True, drafts=False)
    public = compute(resolved, analysis.config, dt.date.fromisoformat(TODAY))
    child = public.objectives["more-leads"]
    assert (child.parent, child.parent_objective, child.parent_key_result) == ("grow", "grow", None)
    assert not child.parent_hidden


def test_free_pages_have_a_visibility(analysis_of) -> None:
    files = {
        "content/pages/open.md": md("title: Open\nvisibility: public\n"),
        "content/pages/closed.md": md("title: Closed\nvisibility: internal\n"),
        "content/pages/default.md": md("title: Default\n"),
    }
    analysis = analysis_of(files)
    assert {p.id: p.visibility for p in analysis.model.pages.values()} == {
        "closed": "internal",
        "default": "internal",
        "open": "public",
    }
    for public, expected in ((False, {"open", "closed", "default"}), (True, {"open"})):
        resolved = select_audience(analysis.resolved, public=public, drafts=False)
        model = compute(resolved, analysis.config, dt.date.fromisoformat(TODAY))
        assert set(model.pages) == expected
        assert model.public is public


def test_free_pages_follow_default_visibility(make_project) -> None:
    files = {
        "okrpub.yaml": "default_visibility: public\n",
        "content/pages/default.md": md("title: Default\n"),
    }
    root = make_project(files)
    config, _ = read_config(root)
    analysis = analyse(root, config, dt.date.fromisoformat(TODAY))
    resolved = select_audience(analysis.resolved, public=True, drafts=False)
    assert set(resolved.pages) == {"default"}


@pytest.mark.parametrize(
    ("files", "public", "drafts", "again"),
    [
        ({k: v for k, v in FILES.items() if "draft" not in k}, False, False, False),
        ({k: v for k, v in FILES.items() if "draft" not in k}, True, False, True),
        (FILES, False, True, False),
        (FILES, False, False, True),
    ],
)
def test_a_build_that_leaves_nothing_out_computes_the_checked_model_only(
    make_project, tmp_path, files, public: bool, drafts: bool, again: bool
) -> None:
    """An internal build that leaves nothing out (no drafts, or drafts shown) uses the
    checked model itself; any other computes its audience's model too."""
    root = make_project(files)
    config, _ = read_config(root)
    options = BuildOptions(tmp_path / "unused", public=public, drafts=drafts)
    result = render(root, config, dt.date.fromisoformat(TODAY), options)
    assert result.model is not None
    checked = result.analysis.model
    computed = len(checked.objectives) + (len(result.model.objectives) if again else 0)
    assert result.stats[OBJECTIVES_COMPUTED] == computed
    assert (result.model != checked) == again
