"""Reuse between builds: a file of the last build whose inputs did not change is
kept in the new site (the same inode), everything else is rendered, and the
site is always byte for byte what a build without the cache writes."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import msgspec
import pytest
from cachetools import another_okrpub, cached_build, run_another
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, Project
from sitetools import TODAY, build, calls_from_now_on, tree_of, write_files

from okrpub.engine.reuse import Manifest
from okrpub.engine.stats import (
    DATA_FILES_MADE,
    EXPORT_PARTS_MADE,
    FEED_PARTS_MADE,
    FILES_KEPT,
    FILES_WRITTEN,
    OBJECTIVES_DIGESTED,
    SEARCH_ROWS_MADE,
)
from okrpub.model.types import Checkin

GROW = "objectives/grow-to-1m-online/index.html"
SHIP = "objectives/ship-same-day/index.html"
SUMMER = "objectives/summer-peak-q3/index.html"  # another period: shows nothing of Q4


def inodes(site: Path) -> dict[str, int]:
    return {
        path.relative_to(site).as_posix(): path.stat().st_ino
        for path in site.rglob("*")
        if path.is_file()
    }


def warm_and_clean(project: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """A build with the cache into ``site``, and one without into a fresh folder."""
    assert build(project, tmp_path / "site").code == 0
    clean = tmp_path / "clean"
    assert build(project, clean, "--no-cache").code == 0
    return tree_of(tmp_path / "site"), tree_of(clean)


def test_nothing_changed_keeps_every_file(tmp_path: Path) -> None:
    project = Project(tmp_path / "project").root
    assert build(project, tmp_path / "site").code == 0
    before = inodes(tmp_path / "site")
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean
    after = inodes(tmp_path / "site")
    html = [path for path in before if path.endswith(".html")]
    assert all(after[path] == before[path] for path in html)
    assert build(project, tmp_path / "site").code == 0  # the kept files stay recorded
    again = inodes(tmp_path / "site")
    assert all(again[path] == before[path] for path in html)


def test_nothing_changed_writes_no_file(tmp_path: Path) -> None:
    """The theme's static files and the JSON Schemas, the same for every model, are kept
    like the pages: a build with nothing changed writes nothing, and leaves the output
    folder as it is (nothing to put in its place)."""
    project = Project(tmp_path / "project").root
    cached_build(project, tmp_path / "site")
    before, folder = inodes(tmp_path / "site"), (tmp_path / "site").stat().st_ino
    stats = cached_build(project, tmp_path / "site").stats
    assert (stats[FILES_WRITTEN], stats[FILES_KEPT]) == (0, len(before) - 1)  # not the mark
    assert inodes(tmp_path / "site") == before
    assert (tmp_path / "site").stat().st_ino == folder
    fixed = [path for path in before if path.startswith("static/") or ".schema." in path]
    assert fixed
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean
    assert all(inodes(tmp_path / "site")[path] == before[path] for path in fixed)


@pytest.mark.parametrize("stray", ["stray.txt", "objectives/stray.html", "empty/", "a/b/"])
def test_nothing_changed_still_leaves_nothing_else_in_the_output(
    tmp_path: Path, stray: str
) -> None:
    """With nothing changed, the output is left as it is only while it holds nothing but the
    site: a file or folder put in it goes as after any build."""
    project = Project(tmp_path / "project").root
    cached_build(project, tmp_path / "site")
    stray_path = tmp_path / "site" / stray
    if stray.endswith("/"):
        stray_path.mkdir(parents=True)
    else:
        stray_path.write_text("stray")
    assert cached_build(project, tmp_path / "site").stats[FILES_WRITTEN] == 0
    assert not stray_path.exists()
    assert not (tmp_path / "site" / stray.split("/")[0]).exists() or stray.startswith("obj")
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean


def test_nothing_changed_makes_no_check_in_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page digests of a warm build encode the check-ins' rows as they were read from
    the cache."""
    project = Project(tmp_path / "project").root
    assert build(project, tmp_path / "site").code == 0
    made = calls_from_now_on(monkeypatch, Checkin, "__init__")
    assert build(project, tmp_path / "site").code == 0
    assert made == []


def test_an_edit_renders_what_shows_it_and_keeps_the_rest(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    assert build(project.root, tmp_path / "site").code == 0
    before = inodes(tmp_path / "site")
    project.edit("content/2026-Q4/smokey/grow-to-1m-online.md", "title: ", "title: Renamed ")
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm == clean
    assert b"Renamed " in warm[GROW]
    after = inodes(tmp_path / "site")
    assert after[GROW] != before[GROW]
    assert after["api/okrs.json"] != before["api/okrs.json"]
    assert after[SUMMER] == before[SUMMER]


def test_a_file_changed_in_the_output_is_rendered_again(tmp_path: Path) -> None:
    project = Project(tmp_path / "project").root
    assert build(project, tmp_path / "site").code == 0
    with (tmp_path / "site" / SHIP).open("ab") as page:
        page.write(b"<!-- changed by hand -->")
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean


PLANTED = "<script>alert(1)</script>"


def plant(project: Path, site: Path, *, facts_known: bool) -> None:
    """Replace a page of the built ``site`` by a file of the same size and time, and write a
    manifest that vouches for it: with the inode the new file has (``facts_known``), or
    with that of the file okrpub wrote, which is all a manifest written beforehand knows."""
    manifest = Manifest.load(project / ".okrpub-cache", site)
    digest, _, size, time = manifest.previous[SHIP]
    planted = site / "planted.html"
    planted.write_bytes(PLANTED.encode().ljust(size))
    os.utime(planted, ns=(time, time))
    planted.replace(site / SHIP)  # a new inode: the old file existed while it was made
    manifest.written = dict(manifest.previous)
    if facts_known:
        manifest.record(SHIP, digest, site / SHIP)
    manifest.save()


def test_a_manifest_cannot_vouch_for_a_file_okrpub_did_not_write(tmp_path: Path) -> None:
    """A pull request can commit a manifest and a site to go with it: the manifest names
    the inode of each file okrpub wrote, which no file checked out later has."""
    project = Project(tmp_path / "project").root
    assert build(project, tmp_path / "site").code == 0
    plant(project, tmp_path / "site", facts_known=False)
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean


def test_the_files_inode_size_and_time_are_what_is_trusted(tmp_path: Path) -> None:
    """The control of the test above: a manifest that knows the new file's facts is
    believed."""
    project = Project(tmp_path / "project").root
    assert build(project, tmp_path / "site").code == 0
    plant(project, tmp_path / "site", facts_known=True)
    assert build(project, tmp_path / "site").code == 0
    assert (tmp_path / "site" / SHIP).read_bytes().startswith(PLANTED.encode())


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b'{"output": 1, "files": []}', b'{"output": "x", "files": {"a": [1]}}'],
)
def test_a_manifest_of_another_shape_is_no_manifest(tmp_path: Path, content: bytes) -> None:
    project = Project(tmp_path / "project").root
    assert build(project, tmp_path / "site").code == 0
    manifest = Manifest.load(project / ".okrpub-cache", tmp_path / "site")
    manifest.file.write_bytes(content)
    assert Manifest.load(project / ".okrpub-cache", tmp_path / "site").previous == {}
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean


def test_a_theme_change_renders_every_page_again(tmp_path: Path) -> None:
    project = Project(tmp_path / "project").root
    config = project / "okrpub.yaml"
    config.write_text(config.read_text() + "theme: theme\n")
    write_files(project / "theme", {"static/extra.css": "body {}"})
    assert build(project, tmp_path / "site").code == 0
    before = inodes(tmp_path / "site")
    write_files(project / "theme", {"templates/404.html": "{% extends 'base.html' %}"})
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean
    after = inodes(tmp_path / "site")
    assert after[GROW] != before[GROW]


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=4, unique=True))
def test_any_series_of_warm_builds_equals_clean_builds(tmp_path: Path, edits: list[int]) -> None:
    project = Project(tmp_path / "series")
    assert build(project.root, tmp_path / "site").code == 0
    for index in edits:
        EDITS[index](project)
        warm, clean = warm_and_clean(project.root, tmp_path)
        assert warm == clean, [EDITS[i] for i in edits]


def test_a_link_to_the_recorded_file_is_not_kept(tmp_path: Path) -> None:
    """The output's file must be the very file okrpub wrote, not a link to it elsewhere: a
    kept link would leave the site pointing outside itself."""
    project = Project(tmp_path / "project").root
    site = tmp_path / "site"
    assert build(project, site).code == 0
    elsewhere = tmp_path / "elsewhere.html"
    (site / SHIP).rename(elsewhere)
    (site / SHIP).symlink_to(elsewhere)
    warm, clean = warm_and_clean(project, tmp_path)
    assert warm == clean
    assert not (site / SHIP).is_symlink()


# -- the export's parts ---------------------------------------------------------------------

SHIP_FILE = "content/2026-Q4/warehouse/ship-same-day.md"
GROW_FILE = "content/2026-Q4/smokey/grow-to-1m-online.md"


def test_the_export_encodes_only_the_objectives_that_changed(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    cached_build(project.root, tmp_path / "site")
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    assert cached_build(project.root, tmp_path / "site").stats[EXPORT_PARTS_MADE] == 1
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm["api/okrs.json"] == clean["api/okrs.json"]
    assert b"Renamed " in warm["api/okrs.json"]


def test_the_feed_orders_only_the_objectives_that_changed(tmp_path: Path) -> None:
    """Each objective's newest check-in, which orders the feed, is kept with the parts."""
    project = Project(tmp_path / "project")
    cached_build(project.root, tmp_path / "site")
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    assert cached_build(project.root, tmp_path / "site").stats[FEED_PARTS_MADE] == 1
    # a check-in less: that objective's newest check-in is another
    project.edit("content/2026-Q4/marketing/top-3-in-search.md", "- {date: 2026-11-23", "# {")
    assert cached_build(project.root, tmp_path / "site").stats[FEED_PARTS_MADE] == 1
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm["feed.xml"] == clean["feed.xml"]


def test_the_search_indexes_make_rows_only_for_the_objectives_that_changed(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path / "project")
    cached_build(project.root, tmp_path / "site")
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    # the units' rows are kept too, while the units are unchanged
    edited = cached_build(project.root, tmp_path / "site")
    assert edited.model is not None
    units = len(edited.model.units)
    assert edited.stats[SEARCH_ROWS_MADE] == 1
    project.edit("content/units/smokey.md", 'name: "Smokey', 'name: "Smoky')
    renamed = cached_build(project.root, tmp_path / "site")
    # every unit's (the units changed), and its objectives' too: its new name is in them
    assert renamed.stats[SEARCH_ROWS_MADE] > units + 1
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm["search/index.js"] == clean["search/index.js"]
    assert "Smoky Joe's" in warm["search/index.js"].decode()


def test_no_data_file_is_made_when_nothing_changed(tmp_path: Path) -> None:
    """Nothing changed, every data file is kept (and their tens of megabytes of parts are
    not needed); after an edit they are made again from the parts of the last build."""
    project = Project(tmp_path / "project")
    cached_build(project.root, tmp_path / "site")
    kept = cached_build(project.root, tmp_path / "site").stats
    assert (kept[DATA_FILES_MADE], kept[EXPORT_PARTS_MADE]) == (0, 0)
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    made = cached_build(project.root, tmp_path / "site").stats
    assert made[DATA_FILES_MADE] > 0
    assert made[EXPORT_PARTS_MADE] == 1  # the others' parts were read from the last build


def test_only_the_objectives_that_changed_are_digested(tmp_path: Path) -> None:
    """An objective's digest (its pages' and data parts' key) is kept in the store under its
    inputs: a new build digests only the objectives whose inputs changed, and a new day all."""
    project = Project(tmp_path / "project")
    first = cached_build(project.root, tmp_path / "site")
    assert first.model is not None
    assert first.stats[OBJECTIVES_DIGESTED] == len(first.model.objectives)
    assert cached_build(project.root, tmp_path / "site").stats[OBJECTIVES_DIGESTED] == 0
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    assert cached_build(project.root, tmp_path / "site").stats[OBJECTIVES_DIGESTED] == 1
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm == clean
    assert b"Renamed " in warm[GROW]


def test_export_parts_of_another_okrpub_are_not_used(tmp_path: Path) -> None:
    """The parts an upgraded (or edited) okrpub finds were made by another code: all are
    made again."""
    project = Project(tmp_path / "project")
    other = another_okrpub(tmp_path / "other")
    site = str(tmp_path / "site")
    run = run_another(other, project.root, "build", "--today", TODAY, "--out", site)
    assert run.returncode == 0, run.stderr
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    encoded = cached_build(project.root, tmp_path / "site").stats[EXPORT_PARTS_MADE]
    assert encoded == len(json.loads(tree_of(tmp_path / "site")["api/okrs.json"])["objectives"])


def test_parts_are_taken_only_from_data_files_as_written(tmp_path: Path) -> None:
    """The parts of the last build are read from its data files in the output: one changed
    since gives none (the others' still do), and the site is what a clean build writes."""
    project = Project(tmp_path / "project")
    first = cached_build(project.root, tmp_path / "site")
    assert first.model is not None
    export = tmp_path / "site" / "api" / "okrs.json"
    export.write_bytes(export.read_bytes().replace(b'"objectives":[', b'"objectives": ['))
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    made = cached_build(project.root, tmp_path / "site").stats
    assert made[EXPORT_PARTS_MADE] == len(first.model.objectives)
    assert made[SEARCH_ROWS_MADE] == 1
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm == clean


@pytest.mark.parametrize("span", [(-1, 5), (10**12, 5), (0, 0), (0, 10**12)])
def test_parts_out_of_their_files_are_not_used(tmp_path: Path, span: tuple[int, int]) -> None:
    """A kept layout whose spans do not lie in the data files (a garbage store) costs those
    parts, never a traceback or another site."""
    project = Project(tmp_path / "project")
    cached_build(project.root, tmp_path / "site")
    file = Manifest.load(project.root / ".okrpub-cache", tmp_path / "site").file
    version, files, export, search, feed, units, frame = msgspec.msgpack.decode(
        file.with_suffix(".parts").read_bytes()
    )
    export = dict.fromkeys(export, span)
    search = dict.fromkeys(search, (span, span))
    units = dict.fromkeys(units, (span, span))
    layout = [version, files, export, search, feed, units, frame]
    file.with_suffix(".parts").write_bytes(msgspec.msgpack.encode(layout))
    project.edit(GROW_FILE, "title: ", "title: Renamed ")
    made = cached_build(project.root, tmp_path / "site").stats
    assert made[EXPORT_PARTS_MADE] == len(export)
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm == clean


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage" * 20,
        pickle.dumps(("version", {}, {})),  # as an older okrpub kept them, unsealed
        msgspec.msgpack.encode(["version", {"a": 1}, {}]),
    ],
)
def test_parts_that_do_not_decode_are_not_used(tmp_path: Path, content: bytes) -> None:
    project = Project(tmp_path / "project")
    assert build(project.root, tmp_path / "site").code == 0
    manifest = Manifest.load(project.root / ".okrpub-cache", tmp_path / "site")
    manifest.file.with_suffix(".parts").write_bytes(content)
    project.edit(SHIP_FILE, "title: ", "title: Renamed ")
    warm, clean = warm_and_clean(project.root, tmp_path)
    assert warm == clean
