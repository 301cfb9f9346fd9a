"""Writing the site: reproducible builds, the atomic swap, ``--strict`` and the summary line.

docs/format.md §10 (Today), §15 (exit status) and docs/security.md: the same
input and the same today give byte-identical output; the output folder is
replaced only by a successful build and then holds nothing of an earlier one;
no path leaves the output folder, and the output folder may not hold the
project.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from outputtools import strays_in_spare
from sitetools import (
    REPOSITORY,
    SMALL_PROJECT,
    TODAY,
    build,
    main_of,
    md,
    run_okrpub,
    tree_of,
    write_files,
    write_site,
)

from okrpub import safefs
from okrpub.site.write import (
    MARK,
    MARK_NAME,
    SiteFolder,
    WriteError,
    check_inside,
)

SUMMARY = re.compile(
    r"^built (internal|public) site in (.+): (\d+) pages, (\d+) objectives?, "
    r"(\d+) warnings?, \d+\.\d\d s$",
    re.MULTILINE,
)

#: A project that ``okrpub check`` passes without a single warning on TODAY.
CLEAN = SMALL_PROJECT
BROKEN = md("title: Broken\nowner: nobody\nperiod: 2026-Q4\nkey_results: []\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project that a test may change."""
    root = tmp_path / "project"
    shutil.copytree(REPOSITORY / "content", root / "content")
    shutil.copy(REPOSITORY / "okrpub.yaml", root / "okrpub.yaml")
    return root


@pytest.fixture
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return monkeypatch


def epoch(day: str, hour: int = 15) -> str:
    moment = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)
    return str(int(moment.timestamp()))


def leftovers(folder: Path) -> list[str]:
    """Names beside the output folder ``site`` other than the project and the spare folder
    (which holds nothing but files of the site): a lock file, a site left aside."""
    assert strays_in_spare(folder / "site") == []
    ours = ("project", "site", ".site.okrpub-spare")
    return sorted(p.name for p in folder.iterdir() if p.name not in ours)


# Reproducible builds -----------------------------------------------------------


def test_two_builds_are_byte_identical(example_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "elsewhere" / "out"
    assert build(REPOSITORY, again).code == 0
    first, second = tree_of(example_site), tree_of(again)
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name


def test_output_does_not_name_the_output_or_project_folder(example_site: Path) -> None:
    for name, content in tree_of(example_site).items():
        assert str(example_site).encode() not in content, name
        assert str(REPOSITORY).encode() not in content, name


def test_source_date_epoch_is_today_without_today(
    example_site: Path, tmp_path: Path, no_epoch: pytest.MonkeyPatch
) -> None:
    no_epoch.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))
    out = tmp_path / "site"
    assert build(REPOSITORY, out, today=None).code == 0
    assert tree_of(out) == tree_of(example_site)


def test_source_date_epoch_decides_the_current_period(
    tmp_path: Path, no_epoch: pytest.MonkeyPatch
) -> None:
    """When ``okrpub.yaml`` pins no date (the example's does: ``today:`` wins over
    SOURCE_DATE_EPOCH, see test_config_dates.py)."""
    project = tmp_path / "project"
    shutil.copytree(REPOSITORY / "content", project / "content")
    config = (REPOSITORY / "okrpub.yaml").read_text(encoding="utf-8")
    unpinned = re.sub(r"(?m)^today:.*\n", "", config)
    assert unpinned != config
    (project / "okrpub.yaml").write_text(unpinned, encoding="utf-8")
    no_epoch.setenv("SOURCE_DATE_EPOCH", epoch("2026-08-15"))
    out = tmp_path / "site"
    assert build(project, out, today=None).code == 0
    assert main_of(out / "index.html").find("h1").text == "How we are doing in 2026-Q3"
    assert b"15 August 2026" in (out / "index.html").read_bytes()


def test_today_wins_over_source_date_epoch(
    example_site: Path, tmp_path: Path, no_epoch: pytest.MonkeyPatch
) -> None:
    no_epoch.setenv("SOURCE_DATE_EPOCH", epoch("2026-08-15"))
    out = tmp_path / "site"
    assert build(REPOSITORY, out, today=TODAY).code == 0
    assert tree_of(out) == tree_of(example_site)


def test_bad_source_date_epoch_is_a_usage_error(
    tmp_path: Path, no_epoch: pytest.MonkeyPatch
) -> None:
    no_epoch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = build(REPOSITORY, tmp_path / "site", today=None)
    assert result.code == 2
    assert "SOURCE_DATE_EPOCH" in result.err
    assert not (tmp_path / "site").exists()


# The atomic swap ---------------------------------------------------------------


def test_failed_build_leaves_the_previous_site_as_it_was(project: Path) -> None:
    out = project.parent / "site"
    assert build(project, out).code == 0
    before = tree_of(out)
    write_files(project, {"content/2026-Q4/broken.md": BROKEN})
    result = build(project, out)
    assert result.code == 1
    assert "content/2026-Q4/broken.md" in result.out
    assert "the site was not changed" in result.err
    assert tree_of(out) == before
    assert leftovers(project.parent) == []


def test_failed_first_build_writes_nothing(project: Path) -> None:
    write_files(project, {"content/2026-Q4/broken.md": BROKEN})
    out = project.parent / "site"
    assert build(project, out).code == 1
    assert not out.exists()
    assert leftovers(project.parent) == []


def test_successful_build_removes_files_of_an_earlier_build(project: Path) -> None:
    out = project.parent / "site"
    assert build(project, out).code == 0
    write_files(out, {"stray.txt": "old", "objectives/gone/index.html": "<p>old</p>"})
    assert build(project, out).code == 0
    assert not (out / "stray.txt").exists()
    assert not (out / "objectives" / "gone").exists()
    assert (out / "objectives" / "grow-to-1m-online" / "index.html").is_file()
    assert leftovers(project.parent) == []


def test_removed_objective_disappears_from_the_site(project: Path) -> None:
    out = project.parent / "site"
    assert build(project, out).code == 0
    (project / "content" / "2026-Q4" / "tom" / "payments-expert.md").unlink()
    assert build(project, out).code == 0
    assert not (out / "objectives" / "payments-expert").exists()
    assert not any(b"payments-expert" in content for content in tree_of(out).values())


@pytest.mark.parametrize(
    "path", ["../evil.txt", "a/../../evil.txt", "..", "/etc/evil.txt", "", "."]
)
def test_write_refuses_paths_that_leave_the_site(path: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_files(out, {"keep.txt": "kept"})
    with pytest.raises(WriteError):
        check_inside(path)
    with pytest.raises(WriteError):
        write_site({"index.html": b"new", path: b"evil"}, out)
    assert tree_of(out) == {"keep.txt": b"kept"}
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_write_puts_exactly_the_files_in_place(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"old.txt": b"old"}, out)
    write_site({"index.html": b"home", "a/b/c.txt": b"deep"}, out)
    assert tree_of(out) == {"a/b/c.txt": b"deep", "index.html": b"home", MARK_NAME: MARK}


@pytest.mark.parametrize("where", [".", "content", "content/site", ".."])
def test_output_overlapping_the_project_is_a_usage_error(project: Path, where: str) -> None:
    before = tree_of(project)
    result = build(project, project / where)
    assert result.code == 2
    assert "overlaps" in result.err
    assert "Traceback" not in result.err
    assert tree_of(project) == before


def test_output_that_is_a_file_is_a_usage_error(project: Path) -> None:
    out = project.parent / "site"
    out.write_text("not a folder")
    result = build(project, out)
    assert result.code == 2
    assert "okrpub: error:" in result.err
    assert out.read_text() == "not a folder"
    assert leftovers(project.parent) == []


# --strict and the summary line ------------------------------------------------


def test_strict_fails_on_warnings_and_leaves_the_site(project: Path) -> None:
    out = project.parent / "site"
    assert build(project, out).code == 0
    before = tree_of(out)
    result = build(project, out, "--strict")
    assert result.code == 1
    assert "0 errors and 4 warnings (--strict)" in result.err
    assert "[kr-count]" in result.out
    assert tree_of(out) == before


def test_strict_passes_without_warnings(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", CLEAN)
    result = build(project, tmp_path / "site", "--strict")
    assert result.code == 0, result.out + result.err
    match = SUMMARY.search(result.out)
    assert match, result.out
    assert match.group(5) == "0"


def test_summary_counts_in_words(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", CLEAN)
    result = build(project, tmp_path / "site")
    assert ", 1 objective, 0 warnings, " in result.out


def test_build_prints_the_summary_line(example_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build(REPOSITORY, out)
    assert result.code == 0
    match = SUMMARY.search(result.out)
    assert match, result.out
    audience, where, pages, objectives, warnings = match.groups()
    assert (audience, where) == ("internal", str(out))
    assert int(pages) == len(list(out.rglob("*.html")))
    assert (int(objectives), int(warnings)) == (14, 4)
    assert result.out.splitlines()[-1] == match.group(0)


def test_public_summary_counts_what_the_public_site_has(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build(REPOSITORY, out, "--public")
    match = SUMMARY.search(result.out)
    assert match, result.out
    assert match.group(1) == "public"
    assert int(match.group(3)) == len(list(out.rglob("*.html")))
    assert int(match.group(4)) == len(list((out / "objectives").iterdir()))


def test_build_in_the_project_writes_to_output_dir(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", {**CLEAN, "okrpub.yaml": "output_dir: public\n"})
    result = run_okrpub(project, "build", "--today", TODAY)
    assert result.code == 0, result.err
    assert (project / "public" / "index.html").is_file()
    assert not (project / "site").exists()


def test_a_site_folder_refuses_a_path_twice_and_leaves_the_output_alone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_files(out, {"keep.txt": "kept"})
    folder = SiteFolder(out)
    folder.add("index.html", b"first")
    with pytest.raises(WriteError, match=r"two things want to be written to index\.html"):
        folder.add("index.html", b"second")
    folder.discard()
    assert tree_of(out) == {"keep.txt": b"kept"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# Updating in place -------------------------------------------------------------


def folders_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def test_a_warm_build_keeps_the_unchanged_files_and_gives_a_clean_build(project: Path) -> None:
    """Most files unchanged: they are the very files of the last build (linked into the new
    site), a stray file and the folders that only it needed go, and the result is a clean
    build's."""
    out = project.parent / "site"
    assert build(project, out).code == 0
    unchanged = out / "pages" / "how-we-use-okrs" / "index.html"
    unchanged_inode = unchanged.stat().st_ino
    write_files(out, {"stray/deeper/old.txt": "old", "stray.txt": "old"})
    (project / "content" / "2026-Q4" / "tom" / "payments-expert.md").unlink()
    assert build(project, out).code == 0
    assert unchanged.stat().st_ino == unchanged_inode
    clean = project.parent / "clean"
    assert build(project, clean, "--no-cache").code == 0
    assert tree_of(out) == tree_of(clean)
    assert folders_under(out) == folders_under(clean)
    assert leftovers(project.parent) == ["clean"]


def test_a_folder_where_a_file_goes_makes_the_build_swap_the_site_in(project: Path) -> None:
    out = project.parent / "site"
    assert build(project, out).code == 0
    (out / "feed.xml").unlink()
    (out / "feed.xml").mkdir()
    (out / "feed.xml" / "in-the-way.txt").write_text("x")
    assert build(project, out).code == 0
    clean = project.parent / "clean"
    assert build(project, clean, "--no-cache").code == 0
    assert tree_of(out) == tree_of(clean)
    assert leftovers(project.parent) == ["clean"]


def site_with_files(out: Path) -> SiteFolder:
    """An output built before, and a new site keeping most of it, changing a file, dropping
    one (and its folder) and adding one in a new folder."""
    old = {"kept.html": b"kept", "kept/deep.html": b"deep", "changed.html": b"old"}
    write_site({**old, "gone/page.html": b"gone"}, out)
    folder = SiteFolder(out)
    folder.keep("kept.html")
    folder.keep("kept/deep.html")
    folder.add("changed.html", b"new")
    folder.add("added/page.html", b"added")
    return folder


def test_a_new_site_takes_the_very_files_it_keeps(tmp_path: Path) -> None:
    out = tmp_path / "site"
    folder = site_with_files(out)
    kept_inode = (out / "kept.html").stat().st_ino
    folder.publish()
    assert tree_of(out) == {
        "kept.html": b"kept",
        "kept/deep.html": b"deep",
        "changed.html": b"new",
        "added/page.html": b"added",
        MARK_NAME: MARK,
    }
    assert (out / "kept.html").stat().st_ino == kept_inode
    assert folders_under(out) == ["added", "kept"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.okrpub-spare", "site"]
    assert strays_in_spare(out) == []


@pytest.mark.parametrize("failing", [None, 1, 2])
def test_without_an_exchange_two_renames_swap_the_site_in_or_put_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int | None
) -> None:
    """Where the system cannot exchange two folders, the output goes aside and the new site
    takes its place; when either rename fails (here the ``failing``-th), the previous site
    is where it was."""
    monkeypatch.setattr(safefs, "_renameat2", None)  # a C library without renameat2
    out = tmp_path / "site"
    folder = site_with_files(out)
    before = tree_of(out)
    renames = []
    real_rename = os.rename

    def rename(source: Path, target: Path) -> None:
        renames.append(source)
        if len(renames) == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    if failing is None:
        folder.publish()
        assert tree_of(out)["changed.html"] == b"new"
        assert sorted(p.name for p in tmp_path.iterdir()) == [".site.okrpub-spare", "site"]
        assert strays_in_spare(out) == []
    else:
        with pytest.raises(WriteError, match="No space left"):
            folder.publish()
        assert tree_of(out) == before
        assert folders_under(out) == ["gone", "kept"]
        folder.discard()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("links", [True, False])
def test_a_swap_takes_the_kept_files_along(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    """The new site holds the kept files hard-linked (copied where the file system makes no
    links)."""
    out = tmp_path / "site"
    write_site({"kept.html": b"kept", "gone.html": b"gone"}, out)
    kept_inode = (out / "kept.html").stat().st_ino
    if not links:
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(1, "no")))
    folder = SiteFolder(out)
    folder.keep("kept.html")
    folder.add("a.html", b"a")
    folder.add("b/c.html", b"c")
    folder.publish()
    expected = {"kept.html": b"kept", "a.html": b"a", "b/c.html": b"c", MARK_NAME: MARK}
    assert tree_of(out) == expected
    assert ((out / "kept.html").stat().st_ino == kept_inode) is links
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.okrpub-spare", "site"]
    assert strays_in_spare(out) == []


def test_a_path_both_kept_and_written_is_refused_and_the_output_left_alone(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)
    folder = SiteFolder(out)
    folder.keep("index.html")
    with pytest.raises(WriteError, match=r"two things want to be written to index\.html"):
        folder.keep("index.html")
    with pytest.raises(WriteError, match=r"two things want to be written to index\.html"):
        folder.add("index.html", b"new")
    folder.discard()
    assert tree_of(out) == {"index.html": b"old", MARK_NAME: MARK}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("path", ["../evil.txt", "a/../../evil.txt", "..", "/etc/evil.txt", ""])
def test_keeping_a_path_that_leaves_the_site_is_refused(path: str, tmp_path: Path) -> None:
    with pytest.raises(WriteError):
        SiteFolder(tmp_path / "site").keep(path)


@given(st.text(alphabet="ab./", max_size=12))
def test_a_path_is_refused_exactly_when_it_would_leave_the_site(path: str) -> None:
    relative = PurePosixPath(path)
    leaves = relative.is_absolute() or not relative.parts or ".." in relative.parts
    try:
        check_inside(path)
    except WriteError:
        assert leaves
    else:
        assert not leaves
