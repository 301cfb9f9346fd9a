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
from types import ModuleType
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, TODAY, Project, give_a_final_score
from sitetools import REPOSITORY, build, tree_of

from okrpub.engine import build as build_module
from okrpub.engine.build import Deferred, SiteFiles, new_renderer, render
from okrpub.engine.fragments import FragmentCache
from okrpub.engine.project import Analysis, analyse, read_config
from okrpub.engine.stats import (
    OBJECTIVES_COMPUTED,
    OBJECTIVES_LINTED,
    RESOLUTIONS,
    ROLLUPS_COMPUTED,
    Stats,
)
from okrpub.errors import UsageError
from okrpub.model.types import Model, Rollup
from okrpub.site import export, feed, pages, search
from okrpub.site.pages import TreeNode
from okrpub.source import load as load_module

OBJECTIVES = REPOSITORY / "content" / "2026-Q4"


def planned(files: dict[str, bytes]) -> int:
    """How many files of a site the planner plans: its pages and badges."""
    return sum(1 for path in files if path.endswith(".html") or path.startswith("badges/"))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


def test_a_first_render_renders_every_page(project: Project) -> None:
    files = project.rebuild()
    assert project.renderer.rendered == planned(files)


def test_nothing_changed_renders_nothing(project: Project) -> None:
    first = project.rebuild()
    assert project.rebuild() == first
    assert project.renderer.rendered == 0


def test_a_title_edit_renders_the_pages_that_show_it(project: Project) -> None:
    project.rebuild()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert files == project.clean_build()
    # the objective, its parent's page, its period, its owner, home and status, and the
    # objective's badge; not the rest
    assert 3 <= project.renderer.rendered < 13
    assert b"Renamed " in files["objectives/guides-and-links/index.html"]
    assert b"Renamed " in files["badges/guides-and-links.svg"]


def test_a_final_score_renders_the_badges_that_show_it(project: Project) -> None:
    project.rebuild()
    give_a_final_score(project)
    files = project.rebuild()
    assert files == project.clean_build()
    assert b">Grade<" in files["badges/top-3-in-search.svg"]
    assert b">Grade 2026-Q4<" in files["badges/units/marketing.svg"]


def test_a_unit_edit_renders_everything_again(project: Project) -> None:
    files = project.rebuild()
    project.edit("content/units/sam.md", "name: ", "name: Samuel ")
    assert project.rebuild() == project.clean_build()
    assert project.renderer.rendered == planned(files)


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


#: What the data files make of each objective and unit: the export's JSON, the search
#: rows, the newest check-in the feed looks for; a renderer remembers them.
PER_OBJECTIVE = [(export, "_objective"), (search, "_objective_row"), (feed, "_newest_order")]


@pytest.mark.parametrize(
    ("module", "name", "again"),
    [
        *((module, name, ["guides-and-links"]) for module, name in PER_OBJECTIVE),
        (search, "_unit_row", []),
    ],
)
def test_a_title_edit_makes_the_data_files_parts_of_only_that_objective_again(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    name: str,
    again: list[str],
) -> None:
    made: list[str] = []
    original = getattr(module, name)
    monkeypatch.setattr(
        module, name, lambda item, *rest: made.append(item.id) or original(item, *rest)
    )
    first = project.rebuild()
    kind = "units" if name == "_unit_row" else "objectives"
    assert sorted(made) == sorted(project.renderer.model.__getattribute__(kind))
    made.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert made == again
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


def count_fragments(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[object, ...]]]:
    """The page and keys of every ``{% cache %}`` body rendered from now on."""
    rendered: list[tuple[str, tuple[object, ...]]] = []
    original = FragmentCache.fragment

    def fragment(
        cache: FragmentCache,
        page: str,
        block: int,
        keys: tuple[object, ...],
        render: Callable[[], str],
    ) -> str:
        def counted() -> str:
            rendered.append((page, keys))
            return render()

        return original(cache, page, block, keys, counted)

    monkeypatch.setattr(FragmentCache, "fragment", fragment)
    return rendered


def test_an_objective_edit_renders_only_its_fragments(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = count_fragments(monkeypatch)
    project.rebuild()
    assert len(rendered) > 20
    rendered.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert project.renderer.model is not None
    edited = project.renderer.model.objectives["guides-and-links"]
    shown = (edited, *edited.key_results)
    # in the cascade its row, and the subtrees it is in (its own and its ancestors'), whose
    # other rows and subtrees are reused; elsewhere only rows that show it or its key results
    period = [keys for page, keys in rendered if page == "periods/2026-q4/index.html"]
    subtrees = [keys[0].objective.id for keys in period if isinstance(keys[0], TreeNode)]
    assert subtrees == [*reversed(edited.ancestors), "guides-and-links"]
    assert [keys for keys in period if not isinstance(keys[0], TreeNode)] == [(edited, None)]
    elsewhere = [keys for page, keys in rendered if page != "periods/2026-q4/index.html"]
    assert all(any(k is s for k in keys for s in shown) for keys in elsewhere), rendered
    assert files == project.clean_build()


def rename_sam(model: Model) -> Model:
    units = {**model.units, "sam": dataclasses.replace(model.units["sam"], name="Samuel")}
    return dataclasses.replace(model, units=units)


def move_today(model: Model) -> Model:
    return dataclasses.replace(model, today=model.today + dt.timedelta(days=1))


@pytest.mark.parametrize("change", [rename_sam, move_today])
def test_a_frame_change_empties_the_fragment_cache(
    project: Project, monkeypatch: pytest.MonkeyPatch, change: Callable[[Model], Model]
) -> None:
    """What every page may show changed, but every objective is the very same object:
    without emptying the cache, the rows would keep Sam's old name."""
    rendered = count_fragments(monkeypatch)
    project.rebuild()
    every_fragment = len(rendered)
    assert project.renderer.model is not None
    changed = change(project.renderer.model)
    rendered.clear()
    files = project.renderer.render(changed)
    assert len(rendered) == every_fragment
    config, _ = read_config(project.root)
    assert files == new_renderer(project.root, config, project.options).render(changed)


def test_build_renders_fragments_without_keeping_them(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``build`` renders each page once: its blocks just render, nothing is remembered."""
    rendered = count_fragments(monkeypatch)
    assert build(project.root, tmp_path / "site").code == 0
    assert rendered == []
    assert (
        tree_of(tmp_path / "site")["periods/2026-q4/index.html"]
        == project.rebuild()["periods/2026-q4/index.html"]
    )


@pytest.mark.parametrize("unit", ["marketing", "sam"])
def test_a_renamed_unit_gets_new_search_rows_for_its_objectives_and_members(
    project: Project, unit: str
) -> None:
    """The rows of the objectives a unit owns and of its members show its name: with the
    very same objective and unit objects (which serve does not give a renamed unit's
    rows: a unit's change renders everything again), those rows are made again."""
    project.rebuild()
    model, renderer = project.renderer.model, project.renderer
    assert model is not None
    renamed = dataclasses.replace(model.units[unit], name="Renamed Unit")
    model = dataclasses.replace(model, units={**model.units, unit: renamed})
    locale = renderer.theme.locale
    files = search.search_indexes(model, locale, renderer.search_rows)
    assert files == search.search_indexes(model, locale)
    rows = files["search/index.js"].decode().splitlines()[0].split('],["')
    shown = [row for row in rows if "Renamed Unit" in row]
    owned = [o for o in model.objectives.values() if o.owner == unit]
    members = [u for u in model.units.values() if u.parent == unit]
    assert len(shown) == 1 + len(owned) + len(members) > 1


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
        path, "{date: 2026-11-20, value: 2, confidence: 0.3", "{date: 2026-11-10, value: 2"
    )
    linted, after = warnings(TODAY, frozenset({path}))
    assert linted == 1
    assert [t for t in after if t not in before] == [
        f"{path}:13:5: warning: key result 'pairing' has had no check-in since 2026-11-10 "
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


def count_made_of(monkeypatch: pytest.MonkeyPatch, *kinds: type) -> list[Any]:
    """Every object of ``kinds`` made from now on."""
    made: list[Any] = []
    for kind in kinds:
        original = kind.__init__

        def counted(
            made_one: Any, *arguments: Any, original: Callable[..., None] = original
        ) -> None:
            original(made_one, *arguments)
            made.append(made_one)

        monkeypatch.setattr(kind, "__init__", counted)
    return made


def count_made(monkeypatch: pytest.MonkeyPatch) -> list[pages.Page | pages.Asset]:
    """Every page and badge the planner makes from now on (rather than reuses)."""
    return count_made_of(monkeypatch, pages.Page, pages.Asset)


def test_an_edit_plans_new_pages_and_badges_only_where_it_changed_them(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner gives every other page and badge the last plan's very object."""
    made = count_made(monkeypatch)
    files = project.rebuild()
    assert len(made) == planned(files)
    made.clear()
    project.rebuild()
    assert made == []
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    # the pages that show it (its own, its parent's, the period, its owner's, home, status)
    # and its badge: just the ones rendered again
    paths = {page.path for page in made}
    assert len(made) == project.renderer.rendered
    assert {
        "objectives/guides-and-links/index.html",
        "objectives/top-3-in-search/index.html",
        "badges/guides-and-links.svg",
    } <= paths
    assert "objectives/grow-to-1m-online/index.html" not in paths
    assert files == project.clean_build()


@pytest.mark.parametrize(
    ("edit", "looked_at"),
    [
        # itself, its parent (which lists it), what is below it (none)
        (
            ("sam/guides-and-links.md", "title: ", "title: X "),
            {"guides-and-links", "top-3-in-search"},
        ),
        # itself and everything below it, which shows it among its ancestors
        (
            ("marketing/top-3-in-search.md", "title: ", "title: X "),
            {"top-3-in-search", "grow-to-1m-online", "guides-and-links"},
        ),
    ],
)
def test_an_edit_looks_only_at_the_objectives_whose_pages_show_what_it_changed(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str, str],
    looked_at: set[str],
) -> None:
    """While the site has the same objectives, the others' pages and badges are copied
    from the last plan without computing their inputs."""
    looked: list[str] = []
    original = pages.Planner._objective_page

    def objective_page(planner: pages.Planner, objective: Any, last: Any) -> pages.Page:
        looked.append(objective.id)
        return original(planner, objective, last)

    monkeypatch.setattr(pages.Planner, "_objective_page", objective_page)
    project.rebuild()
    assert project.renderer.model is not None
    assert sorted(looked) == sorted(project.renderer.model.objectives)
    looked.clear()
    relative, old, new = edit
    project.edit(f"content/2026-Q4/{relative}", old, new)
    files = project.rebuild()
    assert set(looked) == looked_at
    assert files == project.clean_build()


def test_an_edit_looks_only_at_the_units_whose_pages_show_what_it_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other units' pages and badges are the last plan's, without computing inputs."""
    looked: list[str] = []
    original = pages.Planner._untouched_unit

    def untouched_unit(planner: pages.Planner, unit_id: str, path: str) -> Any:
        kept = original(planner, unit_id, path)
        if kept is None:
            looked.append(unit_id)
        return kept

    monkeypatch.setattr(pages.Planner, "_untouched_unit", untouched_unit)
    project.rebuild()
    assert project.renderer.model is not None
    assert len(looked) == 2 * len(project.renderer.model.units)
    looked.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert looked == ["sam", "sam"]  # its page and badge
    looked.clear()
    # a new score: a new objective and a new rollup of its owner
    give_a_final_score(project)
    files = project.rebuild()
    assert looked == ["marketing", "marketing"]
    assert files == project.clean_build()
    # a rollup that changed while its objectives did not (as when one leaves for another unit)
    looked.clear()
    model = project.renderer.model
    key = ("marketing", "2026-Q4")
    rollup = dataclasses.replace(model.unit_rollups[key], progress=0.123)
    model = dataclasses.replace(model, unit_rollups={**model.unit_rollups, key: rollup})
    files = project.renderer.render(model)
    assert looked == ["marketing", "marketing"]
    config, _ = read_config(project.root)
    assert files == new_renderer(project.root, config, project.options).render(model)


def test_an_edit_counts_again_only_the_status_rows_it_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status page's rows are remembered per objective, each past period's grading
    counts while it has the same objectives, and each period's unit rollups while the
    units and rollups are the same."""
    made: list[str] = []
    status_rows, grading_counts = pages._status_rows, pages._grading_counts
    monkeypatch.setattr(pages, "_status_rows", lambda o: made.append(o.id) or status_rows(o))
    monkeypatch.setattr(
        pages, "_grading_counts", lambda os: made.append(os[0].period) or grading_counts(os)
    )
    unit_rollups = count_made_of(monkeypatch, pages.UnitRollup)
    project.rebuild()
    assert "2026-Q3" in made
    assert "grow-to-1m-online" in made
    assert unit_rollups
    made.clear()
    unit_rollups.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    project.rebuild()
    assert made == ["guides-and-links"]
    assert unit_rollups == []
    made.clear()
    give_a_final_score(project)  # a new rollup of marketing in 2026-Q4
    project.rebuild()
    assert made == ["top-3-in-search"]
    assert unit_rollups
    project.edit("content/2026-Q3/smokey/best-summer-ever-q3.md", "score: ", "score: 0.1 #")
    files = project.rebuild()
    assert "2026-Q3" in made
    assert files == project.clean_build()


def test_pages_kept_from_older_plans_hold_no_older_model(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page reused from the last plan reaches the model through the current planner, and
    the plan memo forgets the pages the last plan did not have: a server running for hours
    holds one model and one plan."""
    made = count_made(monkeypatch)
    project.rebuild()
    assert project.renderer.model is not None
    first_model = weakref.ref(project.renderer.model)
    path = "objectives/checkout-that-converts/index.html"
    removed_page = weakref.ref(next(page for page in made if page.path == path))
    made.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    project.rebuild()
    project.remove("content/2026-Q4/webshop/checkout-that-converts.md")
    project.rebuild()
    gc.collect()
    assert first_model() is None
    assert removed_page() is None


def test_an_edit_updates_the_last_files_and_keeps_the_sitemap(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the site has the same paths the renderer updates its last files in place (none
    is added again), and it makes the sitemap again only when a page comes or goes."""
    sitemaps, added = [], []
    original_sitemap, original_add = feed.sitemap, SiteFiles.add
    monkeypatch.setattr(feed, "sitemap", lambda *a: sitemaps.append(a) or original_sitemap(*a))
    monkeypatch.setattr(
        SiteFiles,
        "add",
        lambda files, path, content: added.append(path) or original_add(files, path, content),
    )
    files = project.rebuild()
    assert len(sitemaps) == 1
    assert len(added) == len(files)
    sitemaps.clear()
    added.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert sitemaps == added == []
    assert files == project.clean_build()
    sitemaps.clear()
    project.remove("content/2026-Q4/webshop/checkout-that-converts.md")
    files = project.rebuild()
    assert len(sitemaps) == 1
    assert files == project.clean_build()


def test_an_edited_objective_is_put_into_the_last_merge(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the files gave is not merged again when the edited files each gave one
    objective, before and after; a new file is merged with the others."""
    merges: list[int] = []
    original = load_module._merged
    monkeypatch.setattr(
        load_module, "_merged", lambda results: merges.append(1) or original(results)
    )
    project.rebuild()
    assert merges == [1]
    project.edit("content/2026-Q4/tom/payments-expert.md", "title: ", "title: Edited ")
    files = project.rebuild()
    assert merges == [1]
    assert b"Edited " in files["objectives/payments-expert/index.html"]
    project.write(
        "content/2026-Q4/marketing/extra.md",
        "---\ntitle: An extra objective\nkey_results:\n  - {title: One, target: 3}\n---\n",
    )
    project.rebuild()
    assert merges == [1, 1]
    monkeypatch.undo()
    assert project.rebuild() == project.clean_build()


def test_behind_a_symbolic_link_every_file_is_read_again(project: Project) -> None:
    """The watcher sees a change behind a linked folder by another path, if at all: with
    links in the content, a rebuild reads every file, whatever it was told."""
    project.edit_config("stale_after_days: 7\n", "stale_after_days: 7\nfollow_symlinks: true\n")
    shared = project.root / "shared"
    shared.mkdir()
    (shared / "linked.md").write_text(
        "---\ntitle: Linked\nowner: sam\nperiod: 2026-Q4\n"
        "key_results:\n  - {title: One, target: 3}\n---\n",
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


def test_data_files_are_made_when_first_read(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In memory the export, feed, sitemap and search indexes wait until read (a rebuild
    need not make them for the page it serves); each is made once, a file unchanged
    since the last render is not made again, and comparing sites makes none of them."""
    made: list[str] = []
    for module, name, label in [
        (build_module, "export_json", "api/okrs.json"),
        (build_module, "atom_feed", "feed.xml"),
        (build_module, "search_indexes", "search"),
    ]:
        original = getattr(build_module, name)
        monkeypatch.setattr(
            module, name, lambda *a, _o=original, _l=label: made.append(_l) or _o(*a)
        )
    files = render_in_memory(project)
    assert made == []
    assert project.renderer.model is not None
    again = project.renderer.render(project.renderer.model)
    assert again == files and made == []
    export_bytes = files["api/okrs.json"]
    assert files["api/okrs.json"] is export_bytes and made == ["api/okrs.json"]
    assert again["api/okrs.json"] is export_bytes  # the same file, kept deferred
    files["search/index.js"], files["search/titles.js"]
    assert made == ["api/okrs.json", "search"]
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


def render_in_memory(project: Project) -> SiteFiles:
    """The project's site rendered by its renderer, with nothing read from it yet."""
    config, _ = read_config(project.root)
    result = render(project.root, config, TODAY, project.options, renderer=project.renderer)
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


def test_a_title_edit_reuses_the_period_grades_table_whole(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grades table is one block keyed by the list of rollups, the very same list while
    no rollup changed: a title edit does not even look its rows up; a new check-in value
    changes rollups, and then the rows are looked up (and the changed ones rendered)."""
    looked_up: list[tuple[str, tuple[object, ...]]] = []
    original = FragmentCache.fragment
    monkeypatch.setattr(
        FragmentCache,
        "fragment",
        lambda cache, page, *rest: (
            looked_up.append((page, rest[1])) or original(cache, page, *rest)
        ),
    )

    def table_rows() -> list[tuple[object, ...]]:
        return [
            keys
            for page, keys in looked_up
            if page == "periods/2026-q4/index.html" and isinstance(keys[-1], Rollup)
        ]

    project.rebuild()
    assert len(table_rows()) > 3
    looked_up.clear()
    sam = "content/2026-Q4/sam/guides-and-links.md"
    project.edit(sam, "title: ", "title: Renamed ")
    project.rebuild()
    assert any(page == "periods/2026-q4/index.html" for page, _ in looked_up)
    assert table_rows() == []
    project.edit(sam, "{date: 2026-11-23, value: 4,", "{date: 2026-11-23, value: 6,")
    files = project.rebuild()
    assert len(table_rows()) > 3
    assert files == project.clean_build()


def test_an_ancestor_edit_renders_the_pages_below_without_making_their_parts_again(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page below an objective shows its title (the breadcrumbs): those pages are
    rendered again, but their key results' charts and body HTML are the last ones."""
    charts: list[str] = []
    real_chart = pages.checkin_chart
    monkeypatch.setattr(
        pages, "checkin_chart", lambda kr, *rest: charts.append(kr.id) or real_chart(kr, *rest)
    )
    project.rebuild()
    assert project.renderer.model is not None
    before = project.renderer.model.objectives
    below = [o.id for o in before.values() if "grow-to-1m-online" in o.ancestors]
    assert len(below) > 3
    charts.clear()
    project.edit("content/2026-Q4/smokey/grow-to-1m-online.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert all(b"Renamed " in files[f"objectives/{o}/index.html"] for o in below)
    edited = project.renderer.model.objectives["grow-to-1m-online"]
    assert sorted(charts) == sorted(kr.id for kr in edited.key_results)
    assert files == project.clean_build()


def test_build_remembers_no_page_parts(project: Project) -> None:
    """``build`` plans once: its planner keeps nothing for a next plan."""
    config, _ = read_config(project.root)
    model = analyse(project.root, config, TODAY).model
    assert model is not None
    planner = pages.Planner(model, project.renderer.theme.locale, project.renderer.markdown)
    for page in planner.pages():
        if isinstance(page, pages.Page):
            page.context()
    assert planner.memo.parts == {}
