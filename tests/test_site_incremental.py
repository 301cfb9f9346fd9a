"""Incremental rendering: a renderer kept across rebuilds (as ``serve`` keeps it)
renders again only the pages whose inputs changed, and its output is always
byte for byte what a fresh build of the same content produces."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitetools import REPOSITORY

from okrpub import export, feed, search
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
    # the newest check-in of all, and the newest ones gone from another objective
    lambda p: p.edit(
        "content/2026-Q4/tom/payments-expert.md",
        'Exam booked for 10 December."}\n',
        'Exam booked for 10 December."}\n      - {date: 2026-11-25, value: true}\n',
    ),
    lambda p: [
        p.edit("content/2026-Q4/marketing/top-3-in-search.md", "- {date: 2026-11-23", "# {")
        for _ in range(4)
    ],
    give_a_final_score,
    lambda p: p.edit("okrpub.yaml", "title: ", "title: Renamed "),
]


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
            if index == len(EDITS) - 1:  # the configuration changed: serve makes a new renderer
                config, _ = read_config(project.root)
                project.renderer = new_renderer(project.root, config, project.options)
            assert project.rebuild() == project.clean_build(), [EDITS[i] for i in edits]


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
