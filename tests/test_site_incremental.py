"""Incremental rendering: a renderer kept across rebuilds (as ``serve`` keeps it)
renders again only the pages whose inputs changed, and within them only the
``{% cache %}`` fragments whose keys changed; its output is always byte for
byte what a fresh build of the same content produces."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, TODAY, Project, set_a_current_value
from sitetools import REPOSITORY, build, md, tree_of, write_files

from okrpub.engine.build import BuildOptions, new_renderer, render
from okrpub.engine.build import build as build_site
from okrpub.engine.cache import CacheStore
from okrpub.engine.contexts import Contexts, ViewMemo
from okrpub.engine.loader import LoadCache
from okrpub.engine.project import Analysis, analyse, read_config
from okrpub.engine.sitefiles import Deferred, SiteFiles
from okrpub.engine.stats import (
    DATA_FILES_MADE,
    EXPORT_PARTS_MADE,
    FEED_PARTS_MADE,
    FILES_KEPT,
    FILES_PARSED,
    FILES_WRITTEN,
    FRAGMENTS_RENDERED,
    GRADINGS_MADE,
    MERGES,
    OBJECTIVE_PAGES_PLANNED,
    OBJECTIVE_PARTS_MADE,
    OBJECTIVES_COMPUTED,
    OBJECTIVES_LINTED,
    OBJECTIVES_LOOKED_AT,
    PAGES_PLANNED,
    PAGES_RENDERED,
    PERIOD_PAGES_PLANNED,
    RESOLUTIONS,
    ROLLUP_LISTS_MADE,
    ROLLUP_PERIODS_LISTED,
    ROLLUPS_COMPUTED,
    SEARCH_ROWS_MADE,
    STATUS_ROWS_MADE,
    UNIT_PAGES_PLANNED,
    WARNINGS_LOOKED_AT,
    Stats,
)
from okrpub.errors import UsageError
from okrpub.model.types import Model, PeriodState
from okrpub.site import feed, plan

OBJECTIVES = REPOSITORY / "content" / "2026-Q4"


def planned(files: dict[str, bytes]) -> int:
    """How many files of a site the planner plans: its pages and badges."""
    return sum(1 for path in files if path.endswith(".html") or path.startswith("badges/"))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


def test_a_first_render_renders_every_page(project: Project) -> None:
    files = project.rebuild()
    assert project.stats[PAGES_RENDERED] == planned(files)


def test_nothing_changed_renders_nothing(project: Project) -> None:
    first = project.rebuild()
    assert project.rebuild() == first
    assert project.stats[PAGES_RENDERED] == 0


def test_a_title_edit_renders_the_pages_that_show_it(project: Project) -> None:
    project.rebuild()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert files == project.clean_build()
    # the objective, its parent's page, its period, its owner, home and status, and the
    # objective's badge; not the rest
    assert 3 <= project.stats[PAGES_RENDERED] < 13
    assert b"Renamed " in files["objectives/guides-and-links/index.html"]
    assert b"Renamed " in files["badges/guides-and-links.svg"]


def test_a_new_value_renders_the_badges_that_show_it(project: Project) -> None:
    before = project.rebuild()
    set_a_current_value(project)
    files = project.rebuild()
    assert files == project.clean_build()
    for badge in ("badges/top-3-in-search.svg", "badges/units/marketing.svg"):
        assert files[badge] != before[badge]
    # a running objective's badge shows its status and progress; a unit's its progress
    assert b">Status<" in files["badges/top-3-in-search.svg"]
    assert b">Progress 2026-Q4<" in files["badges/units/marketing.svg"]


def test_a_unit_edit_renders_everything_again(project: Project) -> None:
    files = project.rebuild()
    project.edit("content/units/sam.md", "name: ", "name: Samuel ")
    assert project.rebuild() == project.clean_build()
    assert project.stats[PAGES_RENDERED] == planned(files)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=4, unique=True),
    st.sampled_from([feed.FEED_ENTRIES, 5]),
)
def test_any_series_of_edits_equals_a_clean_build(
    tmp_path: Path, edits: list[int], feed_entries: int
) -> None:
    """Also with a feed of 5 entries, which only some objectives' check-ins make."""
    project = Project(tmp_path / "series")
    with mock.patch.object(feed, "FEED_ENTRIES", feed_entries):
        project.rebuild()
        for index in edits:
            EDITS[index](project)
            assert project.rebuild() == project.clean_build(), edits


@pytest.mark.parametrize("kind", [EXPORT_PARTS_MADE, SEARCH_ROWS_MADE, FEED_PARTS_MADE])
def test_a_title_edit_makes_the_data_files_parts_of_only_that_objective_again(
    project: Project, kind: str
) -> None:
    """What the data files make of each objective and unit (the export's JSON, the search
    rows, the newest check-in the feed looks for) is remembered by the renderer."""
    first = project.rebuild()
    model = project.renderer.model
    assert model is not None
    units = len(model.units) if kind == SEARCH_ROWS_MADE else 0
    assert project.stats[kind] == len(model.objectives) + units
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert project.stats[kind] == 1
    assert files == project.clean_build()
    assert files["search/index.js"] != first["search/index.js"]


def test_a_change_the_watcher_did_not_report_is_not_read(project: Project) -> None:
    """What ``serve`` trusts its watcher for: a rebuild told which files changed reads only
    those; one that cannot be told (``None``) reads every file again."""
    project.rebuild()
    path = project.root / "content/2026-Q4/smokey/grow-to-1m-online.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Untold "))
    project.edit("content/2026-Q4/marketing/top-3-in-search.md", "title: ", "title: Told ")
    files = project.rebuild()
    page = files["objectives/top-3-in-search/index.html"]
    assert b"Told " in page
    assert b"Untold " not in page
    project.changed = None
    assert b"Untold " in project.rebuild()["objectives/top-3-in-search/index.html"]


def analysed(
    project: Project, today: dt.date = TODAY, changed: frozenset[str] | None = None
) -> tuple[Analysis, Stats]:
    """The analysis with the project's cache and memo, and what the engine did for it."""
    config, _ = read_config(project.root)
    stats = Stats()
    found = analyse(project.root, config, today, project.cache, changed, project.memo, stats)
    return found, stats


def clean_analysis(project: Project, today: dt.date = TODAY) -> Analysis:
    config, _ = read_config(project.root)
    return analyse(project.root, config, today)


def test_an_edit_computes_only_what_it_changed(project: Project) -> None:
    """With a memo, an objective whose entry and place are unchanged is not computed
    again, and only the rollups of the edited objective's period and owner are."""
    first, stats = analysed(project)
    assert stats[OBJECTIVES_COMPUTED] == len(first.model.objectives)
    assert stats[ROLLUPS_COMPUTED] == len(first.model.period_rollups) + len(
        first.model.unit_rollups
    )
    changed = frozenset({"content/2026-Q4/tom/payments-expert.md"})
    project.edit(*changed, "title: ", "title: Edited ")
    second, stats = analysed(project, changed=changed)
    assert stats[OBJECTIVES_COMPUTED] == 1
    assert stats[ROLLUPS_COMPUTED] == 2  # 2026-Q4's, and tom's in 2026-Q4
    assert second.model.objectives["payments-expert"].title.startswith("Edited ")
    assert second.model == clean_analysis(project).model


def test_a_new_day_computes_everything_again(project: Project) -> None:
    first, _ = analysed(project)
    later = TODAY + dt.timedelta(days=1)
    second, stats = analysed(project, later)
    assert stats[OBJECTIVES_COMPUTED] == len(first.model.objectives)
    assert second.model == clean_analysis(project, later).model


@pytest.mark.parametrize(
    ("edit", "computed"),
    [
        (lambda p: None, 0),
        # the objective, in the checked model and in the build's (which leaves a draft out)
        (lambda p: p.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: X "), 2),
        # a free page is in the frame of the pages, not of the objectives
        (lambda p: p.edit("content/pages/how-we-use-okrs.md", "title: ", "title: X "), 0),
        # a unit is in the frame of the objectives: every one, of both models
        (lambda p: p.edit("content/units/sam.md", "name: ", "name: X "), None),
    ],
    ids=["nothing", "objective", "free page", "unit"],
)
def test_a_rebuild_computes_again_only_what_its_edit_changed(
    project: Project, edit: Callable[[Project], None], computed: int | None
) -> None:
    first = Stats()
    project.rebuild(first)
    edit(project)
    stats = Stats()
    assert project.rebuild(stats) == project.clean_build()
    assert stats[OBJECTIVES_COMPUTED] == (
        first[OBJECTIVES_COMPUTED] if computed is None else computed
    )


def test_an_objective_edit_renders_only_its_fragments(project: Project) -> None:
    """In the cascade its row and the subtrees it is in (its own and its ancestors'), whose
    other rows and subtrees are reused; elsewhere only the rows that show it (the status
    page's rows of its key results)."""
    project.rebuild()
    assert project.stats[FRAGMENTS_RENDERED] > 20
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert project.renderer.model is not None
    edited = project.renderer.model.objectives["guides-and-links"]
    status_rows = sum(kr.status != "on_track" or kr.stale for kr in edited.key_results)
    subtrees, row = len(edited.ancestors) + 1, 1
    assert project.stats[FRAGMENTS_RENDERED] == subtrees + row + status_rows
    assert files == project.clean_build()


def rename_sam(model: Model) -> Model:
    units = {**model.units, "sam": dataclasses.replace(model.units["sam"], name="Samuel")}
    return dataclasses.replace(model, units=units)


def move_today(model: Model) -> Model:
    return dataclasses.replace(model, today=model.today + dt.timedelta(days=1))


def test_a_frame_change_empties_the_fragment_cache(project: Project) -> None:
    """What every page may show changed, but every objective is the very same object:
    without emptying the cache, the rows would keep Sam's old name."""
    project.rebuild()
    every_fragment = project.stats[FRAGMENTS_RENDERED]
    assert project.renderer.model is not None
    changed = rename_sam(project.renderer.model)
    stats = Stats()
    files = project.renderer.render(changed, stats)
    assert stats[FRAGMENTS_RENDERED] == every_fragment
    config, _ = read_config(project.root)
    assert files == new_renderer(project.root, config, project.options).render(changed)


def test_the_date_alone_renders_only_the_pages_that_show_it(project: Project) -> None:
    """The date is no part of what every page may show: with every objective and period
    the very same, a new date renders the home and status pages again (their footers
    show it) and the pages of the running period's objectives (their charts mark the
    day), and nothing else."""
    project.rebuild()
    assert project.renderer.model is not None
    changed = move_today(project.renderer.model)
    running = [
        o
        for o in changed.objectives.values()
        if changed.periods[o.period].state is PeriodState.CURRENT
    ]
    assert 0 < len(running) < len(changed.objectives)
    stats = Stats()
    files = project.renderer.render(changed, stats)
    assert stats[PAGES_RENDERED] == 2 + len(running)
    assert stats[FRAGMENTS_RENDERED] == 0
    config, _ = read_config(project.root)
    assert files == new_renderer(project.root, config, project.options).render(changed)


#: A company with a closed period's objective and a running period's, and a team with a
#: closed period's objective only (2026-Q4 runs on ``TODAY``).
TWO_PERIODS = {
    "content/units/acme.md": md("name: Acme\nkind: company\n"),
    "content/units/ops.md": md("name: Ops\nkind: team\nparent: acme\n"),
    "content/2026-Q3/past.md": md(
        """
        title: Past
        owner: ops
        period: 2026-Q3
        key_results:
          - {title: One, target: 10, checkins: [{date: 2026-09-20, value: 7}], start: 0}
        """
    ),
    "content/2026-Q4/now.md": md(
        """
        title: Now
        owner: acme
        period: 2026-Q4
        key_results:
          - {title: One, target: 10, checkins: [{date: 2026-11-24, value: 5}], start: 0}
        """
    ),
}


def test_a_next_day_build_renders_only_the_pages_that_depend_on_the_day(tmp_path: Path) -> None:
    """With the cache, a build on the next day renders again the home and status pages
    (they show the date) and the pages and badges of what is running (its numbers, pace
    and expected progress, depend on the date); a closed period's are kept as they are.
    The site is byte for byte a clean build's of that day."""
    project = write_files(tmp_path / "project", TWO_PERIODS)
    out, clean = tmp_path / "site", tmp_path / "clean"
    assert build(project, out, today=TODAY.isoformat()).code == 0
    next_day = TODAY + dt.timedelta(days=1)
    config, _ = read_config(project)
    cache, stats = LoadCache(CacheStore(project / ".okrpub-cache")), Stats()
    try:
        result = build_site(project, config, next_day, BuildOptions(out), cache, stats)
    finally:
        assert cache.store is not None
        cache.store.close()
    assert result.model is not None
    assert build(project, clean, "--no-cache", today=next_day.isoformat()).code == 0
    assert tree_of(out) == tree_of(clean)
    depend = [
        "index.html",
        "status/index.html",
        "periods/2026-q4/index.html",
        "objectives/now/index.html",
        "units/acme/index.html",  # it has a running objective
        "badges/now.svg",
        "badges/units/acme.svg",
    ]
    kept = [
        "periods/2026-q3/index.html",
        "objectives/past/index.html",
        "units/index.html",
        "units/ops/index.html",
        "search/index.html",
        "404.html",
        "how-to-read/index.html",  # its rule and bands come from the configuration
        "badges/past.svg",
        "badges/units/ops.svg",
    ]
    assert stats[PAGES_RENDERED] == len(depend)
    fixed = [path for path in tree_of(out) if path.startswith("static/") or ".schema." in path]
    assert stats[FILES_KEPT] == len(kept) + len(fixed)  # and the static files and schemas
    assert sorted(
        p for p in tree_of(out) if p.endswith((".html", ".svg")) and "static/" not in p
    ) == sorted(depend + kept)
    # only the pages that show the date say it
    dated = [path for path in depend + kept if b"Published with okrpub on" in tree_of(out)[path]]
    assert dated == ["index.html", "status/index.html"]


def test_build_renders_fragments_without_keeping_them(project: Project, tmp_path: Path) -> None:
    """``build`` renders each page once: its blocks just render, nothing is remembered."""
    config, _ = read_config(project.root)
    stats = Stats()
    result = build_site(project.root, config, TODAY, BuildOptions(tmp_path / "site"), stats=stats)
    assert result.model is not None
    assert stats[PAGES_RENDERED] > 20
    assert stats[FRAGMENTS_RENDERED] == 0
    assert (
        tree_of(tmp_path / "site")["periods/2026-q4/index.html"]
        == project.rebuild()["periods/2026-q4/index.html"]
    )


@pytest.mark.parametrize("unit", ["marketing", "sam"])
def test_a_renamed_unit_gets_new_search_rows_for_its_objectives_and_members(
    project: Project, unit: str
) -> None:
    """The rows of the objectives a unit owns and of its members show its name: with the
    very same objective and unit objects, those rows (and the unit's) are made again."""
    project.rebuild()
    model = project.renderer.model
    assert model is not None
    renamed = dataclasses.replace(model.units[unit], name="Renamed Unit")
    model = dataclasses.replace(model, units={**model.units, unit: renamed})
    stats = Stats()
    files = project.renderer.render(model, stats)
    config, _ = read_config(project.root)
    assert files == new_renderer(project.root, config, project.options).render(model)
    owned = [o for o in model.objectives.values() if o.owner == unit]
    members = [u for u in model.units.values() if u.parent == unit]
    assert stats[SEARCH_ROWS_MADE] == 1 + len(owned) + len(members) > 1
    rows = files["search/index.js"].decode().splitlines()[0].split('],["')
    assert len([row for row in rows if "Renamed Unit" in row]) == stats[SEARCH_ROWS_MADE]


def test_an_edit_lints_only_what_it_changed(project: Project) -> None:
    """With a memo, an objective that is unchanged keeps its warnings; the edited one
    is linted again (its key result goes stale); a new day (another frame) lints every
    objective again. The warnings are always those of a clean analysis."""

    def warnings(today: dt.date, changed: frozenset[str] | None) -> tuple[int, list[str]]:
        found, stats = analysed(project, today, changed)
        texts = [d.as_text() for d in found.diagnostics.sorted()]
        assert texts == [d.as_text() for d in clean_analysis(project, today).diagnostics.sorted()]
        return stats[OBJECTIVES_LINTED], texts

    every = len(clean_analysis(project).model.objectives)
    linted, before = warnings(TODAY, None)
    assert linted == every
    path = "content/2026-Q4/tom/payments-expert.md"
    project.edit(
        path, "{date: 2026-11-20, value: 2, confidence: 0.6", "{date: 2026-11-10, value: 2"
    )
    linted, after = warnings(TODAY, frozenset({path}))
    assert linted == 1
    assert [t for t in after if t not in before] == [
        f"{path}:23:5: warning: key result 'tech-notes' has had no check-in since 2026-11-10 "
        "(stale after 7 days) [stale]"
    ]
    linted, _ = warnings(TODAY + dt.timedelta(days=30), frozenset())
    assert linted == every


def test_a_new_parent_places_the_objective_anew(project: Project) -> None:
    """A parent, owner, period or key result id that changed moves an objective in the
    cascade: the memo then works out every place again."""
    config, _ = read_config(project.root)
    first = analyse(project.root, config, TODAY, project.cache, None, project.memo).model
    assert first.objectives["payments-expert"].ancestors == ()
    changed = frozenset({"content/2026-Q4/tom/payments-expert.md"})
    project.edit(*changed, "title: ", "parent: five-star-service\ntitle: ")
    second = analyse(project.root, config, TODAY, project.cache, changed, project.memo).model
    assert second.objectives["payments-expert"].ancestors == (
        "five-star-service",
        "grow-to-1m-online",
    )
    assert "payments-expert" in second.objectives["five-star-service"].children
    assert second == analyse(project.root, config, TODAY).model


def test_an_edit_no_reference_depends_on_is_not_resolved_again(project: Project) -> None:
    """A new title is put into the last resolution; a new parent is resolved anew."""
    _, stats = analysed(project)
    assert stats[RESOLUTIONS] == 1
    path = "content/2026-Q4/tom/payments-expert.md"
    project.edit(path, "title: ", "title: Edited ")
    found, stats = analysed(project, changed=frozenset({path}))
    assert stats[RESOLUTIONS] == 0
    assert found.resolved == clean_analysis(project).resolved
    assert found.resolved.objectives["payments-expert"].title.startswith("Edited ")
    project.edit(path, "title: ", "parent: five-star-service\ntitle: ")
    found, stats = analysed(project, changed=frozenset({path}))
    assert stats[RESOLUTIONS] == 1
    assert found.resolved == clean_analysis(project).resolved


def test_an_edit_plans_new_pages_and_badges_only_where_it_changed_them(project: Project) -> None:
    """The planner gives every other page and badge the last plan's very object."""
    first = project.rebuild()
    assert project.stats[PAGES_PLANNED] == planned(first)
    project.rebuild()
    assert project.stats[PAGES_PLANNED] == 0
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    # the pages that show it (its own, its parent's, the period, its owner's, home, status)
    # and its badge: just the ones rendered again
    assert 3 <= project.stats[PAGES_PLANNED] == project.stats[PAGES_RENDERED] < 13
    differ = {path for path in first if path in files and files[path] != first[path]}
    assert {
        "objectives/guides-and-links/index.html",
        "objectives/top-3-in-search/index.html",
        "badges/guides-and-links.svg",
    } <= differ
    assert "objectives/grow-to-1m-online/index.html" not in differ
    assert files == project.clean_build()


@pytest.mark.parametrize(
    ("edit", "looked_at"),
    [
        # itself, its parent (which lists it), what is below it (none)
        (("sam/guides-and-links.md", "title: ", "title: X "), 2),
        # itself and everything below it, which shows it among its ancestors
        (("marketing/top-3-in-search.md", "title: ", "title: X "), 3),
    ],
)
def test_an_edit_looks_only_at_the_objectives_whose_pages_show_what_it_changed(
    project: Project, edit: tuple[str, str, str], looked_at: int
) -> None:
    """While the site has the same objectives, the others' pages and badges are copied
    from the last plan without computing their inputs."""
    project.rebuild()
    assert project.renderer.model is not None
    assert project.stats[OBJECTIVE_PAGES_PLANNED] == len(project.renderer.model.objectives)
    relative, old, new = edit
    project.edit(f"content/2026-Q4/{relative}", old, new)
    files = project.rebuild()
    assert project.stats[OBJECTIVE_PAGES_PLANNED] == looked_at
    assert files == project.clean_build()


@pytest.mark.parametrize(
    ("relative", "parent"),
    [("sam/guides-and-links.md", False), ("marketing/top-3-in-search.md", True)],
)
def test_an_edit_computes_and_lints_looking_only_at_the_objectives_it_touched(
    project: Project, relative: str, parent: bool
) -> None:
    """While the cascade is the same, the other objectives are taken as they were without
    comparing their inputs; the warnings of the edited one's children (which depend on
    their parent's period) are looked up again too."""
    project.rebuild()
    model = project.renderer.model
    assert model is not None
    # twice: the checked model, which has a draft, and the site's
    assert project.stats[OBJECTIVES_LOOKED_AT] == 2 * len(model.objectives) + 1
    assert project.stats[WARNINGS_LOOKED_AT] == len(model.objectives) + 1
    project.edit(f"content/2026-Q4/{relative}", "title: ", "title: Renamed ")
    files = project.rebuild()
    edited = relative.rpartition("/")[2].removesuffix(".md")
    children = len(model.objectives[edited].children)
    assert (children > 0) is parent
    assert project.stats[OBJECTIVES_LOOKED_AT] == 2
    assert project.stats[WARNINGS_LOOKED_AT] == 1 + children
    assert files == project.clean_build()


def test_an_edit_looks_only_at_the_period_pages_that_show_what_it_changed(
    project: Project,
) -> None:
    """The other periods' pages are the last plan's, without computing their inputs; an
    objective that moves to another period is looked at on both."""
    project.rebuild()
    periods = project.renderer.model.periods if project.renderer.model else {}
    assert len(periods) >= 2
    assert project.stats[PERIOD_PAGES_PLANNED] == len(periods)
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert project.stats[PERIOD_PAGES_PLANNED] == 1
    assert files == project.clean_build()
    project.edit(
        "content/2026-Q4/sam/guides-and-links.md", "owner: sam", "owner: sam\nperiod: 2026-Q3"
    )
    files = project.rebuild()
    assert project.stats[PERIOD_PAGES_PLANNED] == 2
    assert files == project.clean_build()


def test_an_edit_looks_only_at_the_units_whose_pages_show_what_it_changed(
    project: Project,
) -> None:
    """The other units' pages and badges are the last plan's, without computing inputs."""
    project.rebuild()
    assert project.renderer.model is not None
    assert project.stats[UNIT_PAGES_PLANNED] == 2 * len(project.renderer.model.units)
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert project.stats[UNIT_PAGES_PLANNED] == 2  # sam's page and badge
    # a new value: a new objective and a new rollup of its owner (marketing); the units
    # that own its key results (sam, webshop) list them on their pages too
    set_a_current_value(project)
    files = project.rebuild()
    edited = project.renderer.model.objectives["top-3-in-search"]
    assert edited.units_involved == ("marketing", "sam", "webshop")
    assert project.stats[UNIT_PAGES_PLANNED] == 2 * 3
    assert files == project.clean_build()
    # a rollup that changed while its objectives did not (as when one leaves for another unit)
    model = project.renderer.model
    key = ("marketing", "2026-Q4")
    rollup = dataclasses.replace(model.unit_rollups[key], progress=0.123)
    model = dataclasses.replace(model, unit_rollups={**model.unit_rollups, key: rollup})
    stats = Stats()
    files = project.renderer.render(model, stats)
    assert stats[UNIT_PAGES_PLANNED] == 2
    config, _ = read_config(project.root)
    assert files == new_renderer(project.root, config, project.options).render(model)


def test_after_units_change_an_edit_plans_only_the_units_it_touched(project: Project) -> None:
    """A unit added or removed plans every unit's page and badge again (each compared with
    the last plan's); the edit after that only those of the units it touched."""
    project.rebuild()
    project.write("content/units/kim.md", "---\nname: Kim\nkind: person\nparent: marketing\n---\n")
    files = project.rebuild()
    assert project.renderer.model is not None
    assert project.stats[UNIT_PAGES_PLANNED] == 2 * len(project.renderer.model.units)
    assert files == project.clean_build()
    for step in range(2):
        project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
        files = project.rebuild()
        assert project.stats[UNIT_PAGES_PLANNED] == 2  # sam's page and badge
        assert files == project.clean_build()
        if not step:
            project.remove("content/units/kim.md")
            files = project.rebuild()
            assert project.stats[UNIT_PAGES_PLANNED] == 2 * len(project.renderer.model.units)
            assert files == project.clean_build()


def test_an_edit_counts_again_only_the_status_rows_it_changed(project: Project) -> None:
    """The status page's rows are remembered per objective, each past period's grading
    counts while it has the same objectives, and each period's unit rollups while the
    units and rollups are the same."""
    project.rebuild()
    assert project.stats[GRADINGS_MADE] == 1  # 2026-Q3
    assert project.stats[STATUS_ROWS_MADE] > 3
    assert project.stats[ROLLUP_LISTS_MADE] == 1
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    project.rebuild()
    assert project.stats[STATUS_ROWS_MADE] == 1
    assert project.stats[GRADINGS_MADE] == project.stats[ROLLUP_LISTS_MADE] == 0
    set_a_current_value(project)  # a new rollup of marketing in 2026-Q4
    project.rebuild()
    assert project.stats[STATUS_ROWS_MADE] == project.stats[ROLLUP_LISTS_MADE] == 1
    assert project.stats[GRADINGS_MADE] == 0
    project.edit("content/2026-Q3/smokey/best-summer-ever-q3.md", "score: ", "score: 0.1 #")
    files = project.rebuild()
    assert project.stats[GRADINGS_MADE] == 1
    assert files == project.clean_build()


def test_a_changed_rollup_lists_again_only_its_period(project: Project) -> None:
    """The units' rollup lists of a period none of whose rollups changed are kept: a new
    value in 2026-Q4 lists again that period's units only, and the site is a clean build's."""
    project.rebuild()
    periods = len(project.renderer.model.periods) if project.renderer.model else 0
    assert project.stats[ROLLUP_PERIODS_LISTED] == periods > 1
    set_a_current_value(project)  # a new rollup of marketing in 2026-Q4
    files = project.rebuild()
    assert (project.stats[ROLLUP_LISTS_MADE], project.stats[ROLLUP_PERIODS_LISTED]) == (1, 1)
    assert files == project.clean_build()


def test_pages_kept_from_older_plans_hold_no_older_model(project: Project) -> None:
    """A page reused from the last plan holds no model, and the renderer forgets the pages
    (and their inputs) the site no longer has: a server running for hours holds one model
    and one plan."""
    project.rebuild()
    assert project.renderer.model is not None
    first_model = weakref.ref(project.renderer.model)
    removed = weakref.ref(project.renderer.model.objectives["checkout-that-converts"])
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    project.rebuild()
    project.remove("content/2026-Q4/webshop/checkout-that-converts.md")
    project.rebuild()
    gc.collect()
    assert first_model() is None
    assert removed() is None


def test_an_edit_updates_the_last_files_and_keeps_the_sitemap(project: Project) -> None:
    """While the site has the same paths the renderer puts in place only the files it made
    again, and it makes the sitemap again only when a page comes or goes (reading every
    file, a rebuild makes the four data files, the two search indexes together; an
    internal site has a sitemap when okrpub.yaml asks for one)."""
    config = (project.root / "okrpub.yaml").read_text(encoding="utf-8")
    project.write("okrpub.yaml", config + "sitemap: true\n")
    files = project.rebuild()
    assert project.stats[FILES_WRITTEN] == len(files)
    assert project.stats[DATA_FILES_MADE] == 4
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    others = len(files) - planned(files)  # the data files, static files and schemas
    assert project.stats[FILES_WRITTEN] == project.stats[PAGES_RENDERED] + others
    assert project.stats[DATA_FILES_MADE] == 3
    assert files == project.clean_build()
    project.remove("content/2026-Q4/webshop/checkout-that-converts.md")
    files = project.rebuild()
    assert project.stats[DATA_FILES_MADE] == 4
    assert files == project.clean_build()


def test_an_edited_objective_is_put_into_the_last_merge(project: Project) -> None:
    """What the files gave is not merged again when the edited files each gave one
    objective, before and after; a new file is merged with the others."""
    project.rebuild()
    assert project.stats[MERGES] == 1
    project.edit("content/2026-Q4/tom/payments-expert.md", "title: ", "title: Edited ")
    files = project.rebuild()
    assert (project.stats[FILES_PARSED], project.stats[MERGES]) == (1, 0)
    assert b"Edited " in files["objectives/payments-expert/index.html"]
    assert files == project.clean_build()
    project.write(
        "content/2026-Q4/marketing/extra.md",
        "---\ntitle: An extra objective\n"
        "key_results:\n  - {title: One, target: 3, start: 0}\n---\n",
    )
    files = project.rebuild()
    assert (project.stats[FILES_PARSED], project.stats[MERGES]) == (1, 1)
    assert files == project.clean_build()


def test_behind_a_symbolic_link_every_file_is_read_again(project: Project) -> None:
    """The watcher sees a change behind a linked folder by another path, if at all: with
    links in the content, a rebuild reads every file, whatever it was told."""
    project.edit_config("stale_after_days: 7\n", "stale_after_days: 7\nfollow_symlinks: true\n")
    shared = project.root / "shared"
    shared.mkdir()
    (shared / "linked.md").write_text(
        "---\ntitle: Linked\nowner: sam\nperiod: 2026-Q4\n"
        "key_results:\n  - {title: One, target: 3, start: 0}\n---\n",
        encoding="utf-8",
    )
    (project.root / "content/2026-Q4/shared").symlink_to(shared, target_is_directory=True)
    project.rebuild()
    (shared / "linked.md").write_text(
        (shared / "linked.md").read_text(encoding="utf-8").replace("Linked", "Edited behind"),
        encoding="utf-8",
    )
    files = project.rebuild()  # told of no change
    assert b"Edited behind" in files["objectives/linked/index.html"]
    assert files == project.clean_build()


def test_data_files_are_made_when_first_read(project: Project) -> None:
    """In memory the export, feed, sitemap and search indexes wait until read (a rebuild
    need not make them for the page it serves); each is made once, a file unchanged
    since the last render is not made again, and comparing sites makes none of them."""
    stats = Stats()
    files = render_in_memory(project, stats)
    assert stats[DATA_FILES_MADE] == 0
    assert project.renderer.model is not None
    again = project.renderer.render(project.renderer.model, Stats())
    assert again == files and stats[DATA_FILES_MADE] == 0
    assert files["api/okrs.json"] == files["api/okrs.json"]
    assert stats[DATA_FILES_MADE] == 1
    assert again["api/okrs.json"] == files["api/okrs.json"]  # the same file, kept deferred
    files["search/index.js"], files["search/titles.js"]
    assert stats[DATA_FILES_MADE] == 2
    assert dict(files) == project.clean_build()


def test_a_deferred_file_waits_for_the_render_in_progress(project: Project) -> None:
    """A request thread reading a data file takes the renderer's lock: it never makes the
    file from memos a render is updating at the same time."""
    files = render_in_memory(project)
    read: list[bytes] = []
    with project.renderer.lock:
        reader = threading.Thread(target=lambda: read.append(files["feed.xml"]))
        reader.start()
        reader.join(0.2)
        assert reader.is_alive() and read == []
    reader.join()
    assert read == [project.clean_build()["feed.xml"]]


def render_in_memory(project: Project, stats: Stats | None = None) -> SiteFiles:
    """The project's site rendered by its renderer, with nothing read from it yet."""
    config, _ = read_config(project.root)
    options, renderer = project.options, project.renderer
    result = render(project.root, config, TODAY, options, renderer=renderer, stats=stats)
    assert result.files is not None
    return result.files


def test_comparing_sites_makes_deferred_files_only_when_all_else_is_equal() -> None:
    made: list[bytes] = []
    lock = threading.RLock()

    def deferred(content: bytes) -> Deferred:
        return Deferred(lambda: made.append(content) or content, lock)

    shared = deferred(b"shared")
    site = SiteFiles({"index.html": b"a", "feed.xml": shared})
    assert site == SiteFiles({"index.html": b"a", "feed.xml": shared})
    assert site != SiteFiles({"index.html": b"b", "feed.xml": deferred(b"shared")})
    assert made == []
    assert site == SiteFiles({"index.html": b"a", "feed.xml": deferred(b"shared")})
    assert site != SiteFiles({"index.html": b"a", "feed.xml": deferred(b"other")})
    assert site == {"index.html": b"a", "feed.xml": b"shared"}
    assert sorted(made) == [b"other", b"shared", b"shared"]
    assert site.replaced({"index.html": b"c"}) == {"index.html": b"c", "feed.xml": b"shared"}
    with pytest.raises(UsageError, match=r"written to feed\.xml"):
        site.add("feed.xml", b"again")


def test_a_title_edit_reuses_the_period_grades_table_whole(project: Project) -> None:
    """The grades table is one block keyed by the list of rollups, the very same list while
    no rollup changed: a title edit makes no new list (nor renders a row); a new check-in
    value changes rollups, and then a new list is made and the changed rows rendered."""
    project.rebuild()
    sam = "content/2026-Q4/sam/guides-and-links.md"
    project.edit(sam, "title: ", "title: Renamed ")
    project.rebuild()
    assert project.stats[ROLLUP_LISTS_MADE] == 0
    renamed = project.stats[FRAGMENTS_RENDERED]
    project.edit(sam, "{date: 2026-11-23, value: 4,", "{date: 2026-11-23, value: 6,")
    files = project.rebuild()
    assert project.stats[ROLLUP_LISTS_MADE] == 1
    # as for the title, and the table and its row of the one rollup that changed (Sam's)
    assert project.stats[FRAGMENTS_RENDERED] == renamed + 2
    assert files == project.clean_build()


def test_an_ancestor_edit_renders_the_pages_below_without_making_their_parts_again(
    project: Project,
) -> None:
    """Every page below an objective shows its title (the breadcrumbs): those pages are
    rendered again, but their key results' charts and body HTML are the last ones."""
    project.rebuild()
    assert project.renderer.model is not None
    assert project.stats[OBJECTIVE_PARTS_MADE] == len(project.renderer.model.objectives)
    before = project.renderer.model.objectives
    below = [o.id for o in before.values() if "grow-to-1m-online" in o.ancestors]
    assert len(below) > 3
    project.edit("content/2026-Q4/smokey/grow-to-1m-online.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert all(b"Renamed " in files[f"objectives/{o}/index.html"] for o in below)
    assert project.stats[PAGES_RENDERED] > len(below)
    assert project.stats[OBJECTIVE_PARTS_MADE] == 1
    assert files == project.clean_build()


def test_build_remembers_no_page_parts(project: Project) -> None:
    """``build`` renders each page once: its views keep no objective's parts."""
    config, _ = read_config(project.root)
    model = analyse(project.root, config, TODAY).model
    renderer, memo = project.renderer, ViewMemo()
    contexts = Contexts(model, renderer.theme.locale, renderer.markdown, "", memo, Stats())
    for page in plan.plan(model):
        contexts.render(renderer.theme, page)
    assert contexts.stats[OBJECTIVE_PARTS_MADE] == len(model.objectives)
    assert memo.parts == {}
