"""A public build leaks nothing (docs/security.md): the leak audit.

The example, a project built to hold every awkward case, and a 1,000-objective
organisation from the benchmark's generator (``bench/generate.py``) are built
with ``--public``; ``leaktools`` collects every string of every item that is
not public and searches every byte and every file name of the site for it (see
its docstring for what counts). The audit is shown to work: builds through
deliberately broken audience filters must fail it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from leaktools import audience_of, find_leaks, public_parts
from projecttools import write_org
from sitetools import REPOSITORY, TODAY, md, render_site, write_files, write_site

from okrpub.config import theme_folders
from okrpub.engine.build import BuildOptions, build
from okrpub.engine.project import analyse, read_config
from okrpub.model.audience import select_audience
from okrpub.model.compute import compute
from okrpub.model.resolve import Resolved
from okrpub.model.types import Model
from okrpub.site.i18n import load_locale
from okrpub.site.theme import Theme

DAY = dt.date.fromisoformat(TODAY)


@dataclass(frozen=True)
class Built:
    site: Path
    resolved: Resolved
    #: The whole project's model (everything, drafts included) and the public build's.
    internal: Model
    public: Model


def public_build(project: Path, out: Path, *, drafts: bool = False) -> Built:
    """``okrpub build --public`` (the real build) of ``project`` into ``out``."""
    config, diagnostics = read_config(project)
    assert not diagnostics.has_errors()
    result = build(project, config, DAY, BuildOptions(out, public=True, drafts=drafts))
    assert result.model is not None, [d.as_text() for d in result.analysis.diagnostics.errors]
    return Built(out, result.analysis.resolved, result.analysis.model, result.model)


def assert_no_leaks(site: Path, resolved: Resolved) -> None:
    leaks = find_leaks(site, audience_of(resolved))
    assert not leaks, "\n".join(str(leak) for leak in leaks[:40])


# -- the example -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return public_build(REPOSITORY, tmp_path_factory.mktemp("leaks") / "site")


def test_example_public_build_leaks_nothing(example: Built) -> None:
    assert_no_leaks(example.site, example.resolved)


def test_example_public_build_with_drafts_leaks_nothing(tmp_path: Path) -> None:
    built = public_build(REPOSITORY, tmp_path / "site", drafts=True)
    assert_no_leaks(built.site, built.resolved)


def test_the_example_has_secrets_for_the_audit_to_look_for(example: Built) -> None:
    secrets = audience_of(example.resolved).secrets
    for expected in (
        "raise gross margin on online sales to 34%",  # internal key result of a public objective
        "/gross-margin/",
        "own the barbecue gift market this christmas",  # the draft
        "/warehouse/",  # the internal team
        "/ship-same-day/",  # an objective of the internal warehouse team
        "kofi mensah",  # a person
        "ship-same-day.md",  # a file name
    ):
        assert expected in secrets, expected


# -- a project with every awkward case ---------------------------------------------------

PUBLIC = "visibility: public"
AWKWARD = {
    "okrpub.yaml": "title: Awkward\n",
    "content/units/acme.md": md(f"name: Acme\nkind: company\n{PUBLIC}\nlead: hidden-boss\n"),
    "content/units/hidden-boss.md": md("name: Bea Secretperson\nkind: person\nparent: acme\n"),
    "content/units/skunkworks.md": md(
        "name: Skunkworks Lab\nkind: team\nparent: acme\n", "The skunkworks builds zeppelins.\n"
    ),
    "content/units/open-team.md": md(
        f"name: Open Team\nkind: team\nparent: skunkworks\n{PUBLIC}\n", "We are open.\n"
    ),
    "content/pages/handbook.md": md(f"title: Handbook\n{PUBLIC}\n", "How we work.\n"),
    "content/pages/salaries.md": md("title: Salary bands\n", "Zeppelin pilots earn most.\n"),
    "content/2026-Q4/plan.md": md(
        f"""
        title: Grow in the open
        owner: acme
        period: 2026-Q4
        {PUBLIC}
        tags: [growth]
        key_results:
          - {{id: revenue, title: Revenue doubles, target: 10, owner: hidden-boss, start: 0}}
          - id: margin-secret
            title: Margin reaches thirty-four
            target: 34
            start: 0
            visibility: internal
            checkins: [{{date: 2026-11-20, value: 30, note: Suppliers raised prices quietly}}]
        """,
        "Growth matters.\n",
    ),
    "content/2026-Q4/zeppelin.md": md(
        """
        title: Launch the zeppelin line
        owner: acme
        period: 2026-Q4
        visibility: internal
        tags: [aerostat-codename]
        key_results: [{id: first-flight, title: First flight over the harbour, done: false}]
        """,
        "Nobody may know about zeppelins yet.\n",
    ),
    "content/2026-Q4/open-child.md": md(
        f"""
        title: Align to a secret
        owner: open-team
        period: 2026-Q4
        {PUBLIC}
        parent: zeppelin#first-flight
        key_results: [{{title: Open number, target: 5, start: 0}}]
        """
    ),
    "content/2026-Q4/kr-child.md": md(
        f"""
        title: Align to an internal key result
        owner: open-team
        period: 2026-Q4
        {PUBLIC}
        parent: plan#margin-secret
        key_results: [{{title: Another open number, target: 5, start: 0}}]
        """
    ),
    "content/2026-Q4/all-hidden.md": md(
        f"""
        title: Everything measured in private
        owner: acme
        period: 2026-Q4
        {PUBLIC}
        key_results:
          - {{title: Private measure alpha, target: 9, visibility: internal, start: 0}}
          - {{title: Private measure beta, done: true, visibility: internal}}
        """
    ),
    "content/2026-Q4/lab-public.md": md(
        f"""
        title: Public words of a hidden lab
        owner: skunkworks
        period: 2026-Q4
        {PUBLIC}
        key_results: [{{title: Lab measure, target: 3, start: 0}}]
        """
    ),
    "content/2026-Q4/draft-plan.md": md(
        f"""
        title: Half-baked draft idea
        owner: acme
        period: 2026-Q4
        {PUBLIC}
        draft: true
        key_results: [{{title: Draft measure, target: 3, start: 0}}]
        """
    ),
    "content/2027-Q1/only-internal.md": md(
        """
        title: Next year in secret
        owner: skunkworks
        period: 2027-Q1
        key_results: [{title: Secret next measure, target: 3, start: 0}]
        """
    ),
}


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Built:
    project = write_files(tmp_path_factory.mktemp("awkward") / "project", AWKWARD)
    return public_build(project, project.parent / "site")


def test_awkward_project_leaks_nothing(awkward: Built) -> None:
    assert_no_leaks(awkward.site, awkward.resolved)


def test_awkward_project_shows_what_it_may(awkward: Built) -> None:
    model = awkward.public
    assert set(model.units) == {"acme", "open-team"}
    assert set(model.pages) == {"handbook"}
    assert set(model.objectives) == {"plan", "open-child", "kr-child", "all-hidden"}
    assert list(model.periods) == ["2026-Q4"]  # 2027-Q1 has nothing public
    assert model.units["acme"].lead is None  # the lead is a person: internal
    assert model.units["open-team"].parent is None  # its parent team is internal
    plan = model.objectives["plan"]
    assert [kr.id for kr in plan.key_results] == ["revenue"]
    assert plan.key_results[0].owner is None  # owned by an internal person
    assert plan.hidden_key_results == 1
    child = model.objectives["open-child"]
    assert (child.parent, child.parent_hidden) == (None, True)
    via_kr = model.objectives["kr-child"]
    assert (via_kr.parent, via_kr.parent_key_result) == ("plan", None)
    hidden = model.objectives["all-hidden"]
    assert (hidden.progress, hidden.score, hidden.status) == (None, None, None)
    assert hidden.hidden_key_results == 2


def test_awkward_project_pages_say_what_is_left_out(awkward: Built) -> None:
    site = awkward.site

    def page(objective: str) -> str:
        return (site / "objectives" / objective / "index.html").read_text(encoding="utf-8")

    assert "aligns to an objective that is not public" in page("open-child")
    assert "1 key result is not public." in page("plan")
    text = page("all-hidden")
    assert "2 key results are not public." in text
    assert "shows no progress, grade or status" in text
    assert 'class="figures"' not in text
    data = json.loads((site / "api" / "okrs.json").read_text(encoding="utf-8"))
    numbers = {o["id"]: (o["progress"], o["score"], o["status"]) for o in data["objectives"]}
    assert numbers["all-hidden"] == (None, None, None)
    assert next(o for o in data["objectives"] if o["id"] == "kr-child")["parent"] == "plan"


# -- the audit catches real leaks ------------------------------------------------------


def _without(field: str, value: Any) -> Callable[[Resolved], Resolved]:
    """A broken audience filter: every objective (or unit, key result, page) gets
    ``field = value`` before the real filter runs."""

    def broken(resolved: Resolved) -> Resolved:
        kind, _, name = field.partition(".")
        if kind == "units":
            units = {k: dataclasses.replace(u, **{name: value}) for k, u in resolved.units.items()}
            resolved = dataclasses.replace(resolved, units=units)
        elif kind == "pages":
            pages = {k: dataclasses.replace(p, **{name: value}) for k, p in resolved.pages.items()}
            resolved = dataclasses.replace(resolved, pages=pages)
        elif kind == "key_results":
            objectives = {
                k: dataclasses.replace(
                    o,
                    key_results=tuple(
                        dataclasses.replace(kr, **{name: value}) for kr in o.key_results
                    ),
                )
                for k, o in resolved.objectives.items()
            }
            resolved = dataclasses.replace(resolved, objectives=objectives)
        else:
            objectives = {
                k: dataclasses.replace(o, **{name: value}) for k, o in resolved.objectives.items()
            }
            resolved = dataclasses.replace(resolved, objectives=objectives)
        return select_audience(resolved, public=True, drafts=False)

    return broken


BROKEN_FILTERS = {
    "internal key results kept": _without("key_results.visibility", None),
    "internal objectives kept": _without("objectives.visibility", "public"),
    "drafts kept": _without("objectives.draft", False),
    "internal units kept": _without("units.visibility", "public"),
    "internal pages kept": _without("pages.visibility", "public"),
    "no filter at all": lambda resolved: select_audience(resolved, public=False, drafts=True),
}


@pytest.mark.parametrize(
    ("project_name", "broken"),
    [
        (project_name, broken)
        for project_name in ("example", "awkward")
        for broken in sorted(BROKEN_FILTERS)
        # the example's one free page is public
        if (project_name, broken) != ("example", "internal pages kept")
    ],
)
def test_the_audit_catches_a_broken_audience_filter(
    project_name: str, broken: str, tmp_path: Path
) -> None:
    project = (
        REPOSITORY if project_name == "example" else write_files(tmp_path / "project", AWKWARD)
    )
    config, _ = read_config(project)
    analysis = analyse(project, config, DAY)
    model = compute(BROKEN_FILTERS[broken](analysis.resolved), config, DAY)
    folders = theme_folders(project, config.theme)
    files = render_site(model, Theme(folders, load_locale(folders, config.language)), "")
    write_site(files, tmp_path / "site")
    leaks = find_leaks(tmp_path / "site", audience_of(analysis.resolved))
    assert leaks, f"a build with {broken} passed the leak audit"


# -- a generated 1,000-objective organisation --------------------------------------------


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The generated organisation, built once with ``--public``."""
    project = tmp_path_factory.mktemp("org") / "project"
    assert len(write_org(1000, project).objectives) == 1000
    return public_build(project, project.parent / "site")


def test_generated_org_public_build_leaks_nothing(org: Built) -> None:
    assert_no_leaks(org.site, org.resolved)


def test_generated_org_is_worth_auditing(org: Built) -> None:
    resolved = org.resolved
    units, objectives, _key_results, _pages = public_parts(resolved)
    assert len(resolved.objectives) == 1000
    assert 20 < len(objectives) < 900  # both public and non-public objectives
    assert 10 < len(units) < len(resolved.units)
    secrets = audience_of(resolved).secrets
    hidden = [o for o in resolved.objectives if o not in objectives]
    assert all(f"/{o}/" in secrets for o in hidden)
    assert len(secrets) > 10_000


def _mean(pairs: list[tuple[float | None, float]]) -> float | None:
    """The weighted mean, rounded, of the pairs with a value (``None`` when none has)."""
    known = [(value, weight) for value, weight in pairs if value is not None]
    if not known:
        return None
    return round(sum(value * weight for value, weight in known) / sum(w for _, w in known), 4)


def _plain_mean(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(sum(known) / len(known), 4) if known else None


def test_generated_org_public_numbers_come_from_public_items(org: Built) -> None:
    resolved, internal, public = org.resolved, org.internal, org.public
    units, objectives, key_results, _pages = public_parts(resolved)
    assert set(public.objectives) == objectives
    assert set(public.units) == units
    expected: dict[str, tuple[float | None, float | None]] = {}
    for objective_id in objectives:
        shown = [
            kr
            for kr in internal.objectives[objective_id].key_results
            if (objective_id, kr.id) in key_results
        ]
        expected[objective_id] = (
            _mean([(kr.progress, kr.weight) for kr in shown]),
            _mean([(kr.score, kr.weight) for kr in shown]),
        )
        got = public.objectives[objective_id]
        assert (got.progress, got.score) == expected[objective_id]
    # rollups: plain means over public objectives only
    for period_id, rollup in public.period_rollups.items():
        mine = sorted(o for o in objectives if resolved.objectives[o].period == period_id)
        assert sorted(rollup.objectives) == mine
        assert rollup.score == _plain_mean([expected[o][1] for o in mine])
    for (unit_id, period_id), rollup in public.unit_rollups.items():
        assert unit_id in units
        mine = [
            o
            for o in objectives
            if resolved.objectives[o].owner == unit_id
            and resolved.objectives[o].period == period_id
        ]
        assert rollup.progress == _plain_mean([expected[o][0] for o in mine])
    # and the export says the same
    data = json.loads((org.site / "api" / "okrs.json").read_bytes())
    for item in data["objectives"]:
        assert (item["progress"], item["score"]) == expected[item["id"]]
