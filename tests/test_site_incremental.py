"""Incremental rendering: a renderer kept across rebuilds (as ``serve`` keeps it)
renders again only the pages whose inputs changed, and within them only the
``{% cache %}`` fragments whose keys changed; its output is always byte for
byte what a fresh build of the same content produces."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitetools import REPOSITORY, build, tree_of

from okrpub import export
from okrpub.build import BuildOptions, new_renderer, render
from okrpub.cache import CacheStore
from okrpub.fragments import FragmentCache
from okrpub.load import LoadCache
from okrpub.model import Model
from okrpub.project import read_config

TODAY = dt.date(2026, 11, 26)
OBJECTIVES = REPOSITORY / "content" / "2026-Q4"


def planned(files: dict[str, bytes]) -> int:
    """How many files of a site the planner plans: its pages and badges."""
    return sum(1 for path in files if path.endswith(".html") or path.startswith("badges/"))


class Project:
    """A copy of the example with a load cache (on disk) and a renderer kept, like ``serve``."""

    def __init__(self, root: Path) -> None:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(REPOSITORY / "content", root / "content")
        shutil.copy(REPOSITORY / "okrpub.yaml", root / "okrpub.yaml")
        self.root = root
        self.options = BuildOptions(root / "unused")
        self.cache = LoadCache(CacheStore(root / ".okrpub-cache"))
        config, _ = read_config(root)
        self.renderer = new_renderer(root, config, self.options)
        self.today = TODAY

    def rebuild(self) -> dict[str, bytes]:
        config, _ = read_config(self.root)
        result = render(self.root, config, self.today, self.options, self.cache, self.renderer)
        assert result.files is not None, [d.as_text() for d in result.analysis.diagnostics]
        return dict(result.files)

    def clean_build(self) -> dict[str, bytes]:
        config, _ = read_config(self.root)
        result = render(self.root, config, self.today, self.options)
        assert result.files is not None
        return dict(result.files)

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


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


def give_a_final_score(project: Project) -> None:
    """A score in the current period: the badges of the objective and its owner say "Grade"."""
    project.edit(
        "content/2026-Q4/marketing/top-3-in-search.md",
        "    unit: guides\n",
        "    unit: guides\n    score: 0.9\n",
    )


EDITS: list[Callable[[Project], None]] = [
    lambda p: p.edit("content/2026-Q4/smokey/grow-to-1m-online.md", "title: ", "title: X "),
    lambda p: p.edit("content/2026-Q4/marketing/top-3-in-search.md", "value: 7,", "value: 5,"),
    lambda p: p.edit(
        "content/2026-Q4/sam/guides-and-links.md",
        "parent: top-3-in-search",
        "parent: grow-to-1m-online#online-sales",
    ),
    lambda p: p.edit(
        "content/2026-Q4/tom/payments-expert.md", "title: ", "parent: five-star-service\ntitle: "
    ),
    lambda p: (p.root / "content/2026-Q4/webshop/checkout-that-converts.md").unlink(),
    lambda p: (p.root / "content/2026-Q4/warehouse/ship-same-day.md").rename(
        p.root / "content/2026-Q4/warehouse/same-day-shipping.md"
    ),
    lambda p: (p.root / "content/2026-Q4/marketing/extra.md").write_text(
        "---\ntitle: An extra objective\nparent: top-3-in-search\n"
        "key_results:\n  - {title: One, target: 3}\n  - {title: Two, target: 4}\n"
        "  - {title: Three, done: false}\n---\nWhy.\n",
        encoding="utf-8",
    ),
    lambda p: p.edit("content/2026-Q3/smokey/best-summer-ever-q3.md", "score: ", "score: 0.1 #"),
    give_a_final_score,
    lambda p: p.edit("content/units/sam.md", "name: ", "name: Samuel "),
    lambda p: setattr(p, "today", TODAY + dt.timedelta(days=9)),
    lambda p: p.edit("okrpub.yaml", "title: ", "title: Renamed "),
]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=4, unique=True))
def test_any_series_of_edits_equals_a_clean_build(tmp_path: Path, edits: list[int]) -> None:
    project = Project(tmp_path / "series")
    project.rebuild()
    for index in edits:
        EDITS[index](project)
        if index == len(EDITS) - 1:  # the configuration changed: serve makes a new renderer
            config, _ = read_config(project.root)
            project.renderer = new_renderer(project.root, config, project.options)
        assert project.rebuild() == project.clean_build(), [EDITS[i] for i in edits]


def test_a_title_edit_encodes_only_that_objective_for_the_export(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    original = export._objective
    monkeypatch.setattr(
        export, "_objective", lambda objective: encoded.append(objective.id) or original(objective)
    )
    project.rebuild()
    assert len(encoded) == 13
    encoded.clear()
    project.edit("content/2026-Q4/sam/guides-and-links.md", "title: ", "title: Renamed ")
    files = project.rebuild()
    assert encoded == ["guides-and-links"]
    assert files == project.clean_build()


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
    # its row in the cascade, and elsewhere only rows that show it or its key results
    period = [keys for page, keys in rendered if page == "periods/2026-q4/index.html"]
    assert period == [(edited, None)]
    assert all(any(k is s for k in keys for s in shown) for _, keys in rendered), rendered
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
