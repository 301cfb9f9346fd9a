"""``check`` with the store: after an edit it reads, resolves and computes only what the
edit touches (its counts say so), and it says exactly what ``check --no-cache`` says."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest
from cachetools import GROW, check_json, check_stats, results, rows, write_result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, TODAY, Project
from sitetools import REPOSITORY, run_okrpub

from okrpub.engine.outlines import OUTLINE, OUTLINE_DIGEST
from okrpub.engine.project import check, open_cache, read_config
from okrpub.engine.resolution import RESOLUTION
from okrpub.engine.signatures import MARGIN_NS, STAT
from okrpub.engine.stats import (
    FILES_PARSED,
    FILES_READ,
    OBJECTIVES_COMPUTED,
    OBJECTIVES_LINTED,
    RESOLUTIONS,
    Stats,
)

#: An objective of a person, aligned to a team's objective.
LEAF = "content/2026-Q4/sam/guides-and-links.md"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Project(tmp_path / "example").root


def edit(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def counts_of(
    counts: dict[str, int],
) -> tuple[int, int, int, int]:
    return (
        counts[FILES_PARSED],
        counts[RESOLUTIONS],
        counts[OBJECTIVES_COMPUTED],
        counts[OBJECTIVES_LINTED],
    )


def test_a_title_edit_resolves_nothing_again(example: Path) -> None:
    """A title is in no outline: the kept resolution holds, and only the edited objective
    (and its parent, whose period its warnings name) is computed."""
    check_json(example)
    leaf = example / LEAF
    leaf.write_text(leaf.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))
    out, counts = check_stats(example)
    assert counts_of(counts) == (1, 0, 2, 1)
    assert out == check_json(example, "--no-cache")


def test_an_edit_of_a_reference_resolves_again(example: Path) -> None:
    check_json(example)
    edit(example, LEAF, "parent: top-3-in-search", "parent: grow-to-1m-online#online-sales")
    out, counts = check_stats(example)
    assert counts[FILES_PARSED] == 1 and counts[RESOLUTIONS] == 1
    assert out == check_json(example, "--no-cache")


@pytest.mark.parametrize(
    "kinds", [(RESOLUTION,), (RESOLUTION, OUTLINE), (OUTLINE_DIGEST,)], ids=" and ".join
)
def test_a_kept_row_that_does_not_decode_is_made_again(
    example: Path, kinds: tuple[str, ...]
) -> None:
    """A damaged resolution, outline or outline's digest costs some work, never a wrong
    word: the content is resolved again only when the resolution is damaged."""
    before = check_json(example)
    for kind in kinds:
        write_result(example, kind, "" if kind == RESOLUTION else GROW, b"\x93\x01")
    out, counts = check_stats(example)
    assert counts[RESOLUTIONS] == (RESOLUTION in kinds)
    assert out == before == check_json(example, "--no-cache")


def test_a_resolution_kept_in_the_former_shape_is_made_again(example: Path) -> None:
    """A store written by an earlier okrpub kept each objective's references and place
    encoded and the units as entries: such a row is not believed, and costs a resolution."""
    before = check_json(example)
    [payload] = results(example, RESOLUTION).values()
    found, frame, units, rows, (kept_units, pages, periods) = msgspec.msgpack.decode(payload)
    for row in rows:
        row[5] = None if row[5] is None else [b"msgpack", row[5]]
    entries = {
        unit_id: {**{key: unit[key] for key in UNIT_ENTRY_FIELDS}, "locations": {}}
        for unit_id, unit in kept_units.items()
    }
    former = [found, frame, units, rows, [entries, pages, periods]]
    write_result(example, RESOLUTION, "", msgspec.msgpack.encode(former))
    out, counts = check_stats(example)
    assert counts[RESOLUTIONS] == 1
    assert out == before == check_json(example, "--no-cache")


#: What an earlier okrpub kept of each unit, but its locations.
UNIT_ENTRY_FIELDS = ("id", "name", "kind", "parent", "lead", "visibility", "body", "path")


def test_a_check_right_after_another_makes_nothing(example: Path) -> None:
    check_json(example)
    out, counts = check_stats(example)
    assert counts_of(counts) == (0, 0, 0, 0)
    assert out == check_json(example, "--no-cache")


def test_a_check_after_a_file_is_removed_forgets_its_rows(example: Path) -> None:
    """The store keeps rows only for the files there are: a removed file's entry, outline
    and outline's digest go, the others' stay; a check after makes nothing."""
    check_json(example)
    (example / LEAF).unlink()
    check_json(example)
    for kept in (rows(example), results(example, OUTLINE), results(example, OUTLINE_DIGEST)):
        assert LEAF not in kept and GROW in kept
    out, counts = check_stats(example)
    assert counts_of(counts) == (0, 0, 0, 0)
    assert out == check_json(example, "--no-cache")


def test_a_check_that_computes_nothing_imports_no_renderer(example: Path) -> None:
    """``check`` runs on every pull request and in editors, and importing is much of its
    time: one that computes nothing loads neither the Markdown parser nor the XML parser
    of logos (what ``build`` needs), nor the URL opener the feed's XML escaping brings in,
    nor the JSON Schemas (what ``okrpub schema`` prints), nor what writes new files
    (``okrpub new``)."""
    check_json(example)
    command = [sys.executable, "-X", "importtime", "-m", "okrpub", "check", "--today", str(TODAY)]
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run(
        command, cwd=example, env=environment, capture_output=True, text=True, timeout=60
    )
    imported = set(re.findall(r"^import time: .*\| +([\w.]+)$", done.stderr, re.MULTILINE))
    assert {"okrpub.engine.checking", "msgspec"} <= imported  # what the run did import
    unneeded = {
        "markdown_it",
        "xml.etree.ElementTree",
        "urllib.request",
        "okrpub.site.jsonschema",
        "okrpub.edit.new",
    }
    assert not unneeded & imported


# -- files known by their signature ---------------------------------------------------------


#: How many tests below take a project whose files are old enough (:func:`aged_project`).
AGED_PROJECTS = 4


@pytest.fixture(scope="module")
def aged_projects(tmp_path_factory: pytest.TempPathFactory) -> list[Project]:
    """Fresh projects for the tests below, made together and then left to age past the
    margin once: waiting for each test's own would take seconds a test. (Copying files
    or setting their times back cannot age them: either sets their change time.)"""
    folder = tmp_path_factory.mktemp("aged")
    projects = [Project(folder / str(number)) for number in range(AGED_PROJECTS)]
    time.sleep(MARGIN_NS / 1e9 + 0.2)
    return projects


@pytest.fixture
def aged_project(aged_projects: list[Project], tmp_path: Path) -> Project:
    """A fresh project whose files are old enough to be known by their signature: an
    unused one of :func:`aged_projects`, else one made now and waited for."""
    if aged_projects:
        return aged_projects.pop()
    project = Project(tmp_path / "aged")
    time.sleep(MARGIN_NS / 1e9 + 0.2)
    return project


def checked(project: Path, today: dt.date = TODAY, *, cached: bool = True) -> tuple[object, Stats]:
    """What ``check`` finds in this process (with the store, or without), and its counts."""
    config, _ = read_config(project)
    cache = open_cache(project, config, cached)
    stats = Stats()
    found = check(project, config, today, cache, stats)
    if cache is not None and cache.store is not None:
        cache.store.close()
    facts = (found.diagnostics.sorted(), found.objectives, found.units)
    return facts, stats


def test_a_file_unchanged_since_the_last_run_is_not_read(aged_project: Project) -> None:
    example = aged_project.root
    first, stats = checked(example)
    assert stats[FILES_READ] == stats[FILES_PARSED] > 0
    again, stats = checked(example)
    assert (stats[FILES_READ], stats[FILES_PARSED]) == (0, 0)
    assert again == first == checked(example, cached=False)[0]


def test_the_same_size_and_times_with_other_bytes_are_read(aged_project: Project) -> None:
    """Writing a file sets its change time, which no one can set back."""
    example = aged_project.root
    checked(example)
    file = example / GROW
    before = file.stat()
    edit(example, GROW, "title: Grow", "title: Sell")
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file.stat().st_size == before.st_size
    found, stats = checked(example)
    assert (stats[FILES_READ], stats[FILES_PARSED]) == (1, 1)
    assert found == checked(example, cached=False)[0]


def test_a_signature_kept_with_another_digest_costs_a_parse(aged_project: Project) -> None:
    """A tampered signature row names bytes no entry was made from: the file is parsed."""
    example = aged_project.root
    checked(example)
    write_result(example, STAT, GROW, b"\x00" * 20)
    found, stats = checked(example)
    assert (stats[FILES_READ], stats[FILES_PARSED]) == (0, 1)
    assert found == checked(example, cached=False)[0]


def test_every_kind_of_edit_of_old_files_checks_as_without_the_store(
    aged_project: Project,
) -> None:
    """One edit after another, each on files older than the margin but the edited ones."""
    project = aged_project
    checked(project.root)
    since = file_clock(project.root)
    for index, change in enumerate(EDITS):
        change(project)
        found, stats = checked(project.root, project.today)
        assert found == checked(project.root, project.today, cached=False)[0], index
        assert stats[FILES_READ] <= written_since(project.root, since), index


def file_clock(project: Path) -> int:
    """The file system's time now (ns): a marker's ctime, from the kernel's coarse clock,
    which can lag ``time.time_ns()`` by a tick, so a file written next is not older."""
    marker = project / "clock-marker"
    marker.write_bytes(b"")
    return marker.stat().st_ctime_ns


def written_since(project: Path, since: int) -> int:
    """How many content files were written since ``since`` (ns): the edits'."""
    files = [file.stat() for file in (project / "content").rglob("*.md")]
    return sum(status.st_ctime_ns >= since for status in files)


# -- any series of edits, each a run of its own ---------------------------------------------


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=4, unique=True))
def test_any_series_of_checks_says_what_checks_without_the_store_say(
    tmp_path: Path, edits: list[int]
) -> None:
    """After each edit, ``check`` with the store prints what it prints without; and a
    ``check`` right after parses, resolves, computes and lints nothing."""
    project = Project(tmp_path / "checks")
    for index in [None, *edits]:
        if index is not None:
            EDITS[index](project)
        today = project.today.isoformat()
        cached = run_okrpub(project.root, "check", "--today", today, "--format", "json")
        clean = run_okrpub(
            project.root, "check", "--today", today, "--format", "json", "--no-cache"
        )
        assert (cached.code, cached.out) == (clean.code, clean.out)
        again = run_okrpub(project.root, "check", "--today", today, "--stats")
        counts = re.findall(r"^([a-z ]+): (\d+)$", again.err, flags=re.MULTILINE)
        assert counts_of({kind: int(number) for kind, number in counts}) == (0, 0, 0, 0)
