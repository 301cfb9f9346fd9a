"""Incremental rendering: a renderer kept across rebuilds (as ``serve`` keeps it)
renders again only the pages whose inputs changed, and its output is always
byte for byte what a fresh build of the same content produces."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitetools import REPOSITORY

from okrpub import export
from okrpub.build import BuildOptions, new_renderer, render
from okrpub.cache import CacheStore
from okrpub.load import LoadCache
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

    def rebuild(self) -> dict[str, bytes]:
        config, _ = read_config(self.root)
        result = render(self.root, config, TODAY, self.options, self.cache, self.renderer)
        assert result.files is not None, [d.as_text() for d in result.analysis.diagnostics]
        return dict(result.files)

    def clean_build(self) -> dict[str, bytes]:
        config, _ = read_config(self.root)
        result = render(self.root, config, TODAY, self.options)
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
