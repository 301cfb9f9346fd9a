"""Where a build writes, and what a failed, killed or concurrent build leaves behind.

A build replaces its output folder whole, so it replaces only a folder that
okrpub made: missing, empty, or marked with ``.okrpub-site``. ``output_dir``
(which a pull request may set) stays inside the project and away from
``.git``, the content, the theme and the cache folder. A build killed at any
moment leaves the previous site or the new one, whole; the next build removes
what it left. Two builds never write one output at once. The site's folders
and files follow the umask. A build with nothing to show makes an empty, valid
site, and a full disk or an unwritable folder is one line, the site unchanged.
"""

from __future__ import annotations

import errno
import fcntl
import itertools
import json
import multiprocessing
import os
import random
import stat
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from outputtools import beside, lock_of, spare_of, strays_in_spare
from sitetools import (
    SMALL_PROJECT,
    TODAY,
    build,
    check_links,
    md,
    parse_html,
    render_in_workers,
    run_okrpub,
    tree_of,
    write_files,
)

from okrpub.config import load_config
from okrpub.diagnostics import Diagnostics
from okrpub.site.write import MARK, MARK_NAME


def one_line_error(text: str) -> bool:
    return text.startswith("okrpub: error: ") and text.count("\n") == 1


# Only what okrpub made is replaced ---------------------------------------------


@pytest.mark.parametrize("where", ["notes", "elsewhere/somewhere"])
def test_a_build_never_replaces_a_folder_okrpub_did_not_make(tmp_path: Path, where: str) -> None:
    """``--out notes`` in the project, or a folder anywhere else (``~/somewhere``)."""
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = write_files(tmp_path / "project" / where, {"todo.md": "mine", "deep/er.txt": "mine"})
    before = tree_of(out)
    result = run_okrpub(project, "build", "--out", where, "--today", TODAY)
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert f"has no {MARK_NAME} file" in result.err
    assert "delete this one if an earlier okrpub built it" in result.err
    assert tree_of(out) == before
    assert [name for name in beside(out) if name.startswith(f".{out.name}.")] == []


def test_a_build_never_replaces_git(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    git = write_files(project / ".git", {"HEAD": "ref: refs/heads/main\n", "objects/x": "x"})
    before = tree_of(git)
    result = run_okrpub(project, "build", "--out", ".git", "--today", TODAY)
    assert result.code == 2
    assert one_line_error(result.err) and ".git" in result.err
    assert tree_of(git) == before


def test_an_empty_folder_or_an_okrpub_site_is_replaced(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    out.mkdir()
    assert build(project, out).code == 0
    assert (out / MARK_NAME).read_bytes() == MARK
    assert build(project, out, "--public").code == 0
    assert (out / MARK_NAME).read_bytes() == MARK
    assert beside(out) == [".site.okrpub-spare", "project", "site"]


@pytest.mark.parametrize(
    ("output_dir", "clash"),
    [
        (".git", "git's folder"),
        (".git/site", "git's folder"),
        (".", "the project folder"),
        ("content", "content_dir 'content'"),
        ("content/site", "content_dir 'content'"),
        (".okrpub-cache", "cache_dir '.okrpub-cache'"),
        ("theme/site", "theme 'theme'"),
    ],
)
def test_output_dir_stays_away_from_git_and_what_okrpub_reads(
    tmp_path: Path, output_dir: str, clash: str
) -> None:
    """A pull request that sets ``output_dir: .git`` is an error in ``check``, and ``build``
    touches nothing."""
    config = f"theme: theme\noutput_dir: '{output_dir}'\n"
    project = write_files(tmp_path / "project", {**SMALL_PROJECT, "okrpub.yaml": config})
    write_files(project, {".git/HEAD": "ref: refs/heads/main\n", "theme/templates/x": ""})
    before = tree_of(project)
    for command in ("check", "build"):
        result = run_okrpub(project, command, "--today", TODAY)
        assert result.code == 2
        assert f"okrpub.yaml:2:13: error: output_dir '{output_dir}' overlaps {clash}" in result.out
    assert tree_of(project) == before


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([".", ".git", "content", ".okrpub-cache", "theme", "site"]), max_size=3
    )
)
def test_output_dir_is_refused_exactly_when_it_touches_what_a_build_must_not_replace(
    parts: list[str],
) -> None:
    """Any path made of those names: refused exactly when it is the project, or is, holds or
    lies in .git, the content, cache or theme folder."""
    output = [part for part in parts if part != "."]
    refused = not output or ".git" in output or output[0] in ("content", ".okrpub-cache", "theme")
    with tempfile.TemporaryDirectory() as folder:
        root = write_files(
            Path(folder), {"okrpub.yaml": f"theme: theme\noutput_dir: '{'/'.join(parts) or '.'}'\n"}
        )
        (root / "theme").mkdir()
        diagnostics = Diagnostics()
        load_config(root, diagnostics)
    assert [d.rule for d in diagnostics.errors] == (["config"] if refused else [])


@pytest.mark.parametrize("target", ["../victim", ".git"])
def test_output_dir_may_not_lead_away_through_a_link(tmp_path: Path, target: str) -> None:
    """``site`` a link committed to the repository: to a site built elsewhere (so marked),
    or to ``.git``."""
    project = write_files(tmp_path / "project", {**SMALL_PROJECT, "okrpub.yaml": "title: T\n"})
    assert build(project, tmp_path / "victim").code == 0
    write_files(project, {".git/HEAD": "ref: refs/heads/main\n"})
    (project / "site").symlink_to(target)
    before = tree_of(tmp_path)
    result = run_okrpub(project, "build", "--today", TODAY)
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert tree_of(tmp_path) == before
    assert os.readlink(project / "site") == target


def test_a_link_as_the_output_builds_into_its_target(tmp_path: Path) -> None:
    """The link stays a link, its target gets the new site, and nothing is left beside
    either."""
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    real = tmp_path / "real"
    assert build(project, real).code == 0
    link = tmp_path / "link"
    link.symlink_to(real)
    write_files(project, {"okrpub.yaml": "title: Renamed\n"})
    assert build(project, link).code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert build(project, tmp_path / "clean", "--no-cache").code == 0
    assert tree_of(real) == tree_of(tmp_path / "clean")
    assert beside(link) == [".real.okrpub-spare", "clean", "link", "project", "real"]


def test_a_link_to_a_folder_okrpub_did_not_make_is_refused(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    notes = write_files(tmp_path / "notes", {"todo.md": "mine"})
    link = tmp_path / "link"
    link.symlink_to(notes)
    result = build(project, link)
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert link.is_symlink()
    assert tree_of(notes) == {"todo.md": b"mine"}
    assert beside(link) == ["link", "notes", "project"]


# A killed build ------------------------------------------------------------------


def objectives(title: str) -> dict[str, str]:
    """A small project of a dozen objectives, the first titled ``title``."""
    files = dict(SMALL_PROJECT)
    for number in range(12):
        files[f"content/2026-Q4/o{number}.md"] = md(
            f"""
            title: {title if number == 0 else f"Objective {number}"}
            owner: acme
            period: 2026-Q4
            key_results:
              - {{title: One, start: 0, target: 10,
                 checkins: [{{date: 2026-11-24, value: {number}}}]}}
            """
        )
    return files


def start_build(project: Path, out: Path) -> BaseProcess:
    """``okrpub build --out OUT`` in a process of its own, forked from this one."""
    process = multiprocessing.get_context("fork").Process(
        target=lambda: sys.exit(build(project, out).code)
    )
    process.start()
    return process


def starting(process: BaseProcess, out: Path) -> float:
    """Now: the build has just started."""
    return time.perf_counter()


def writing(process: BaseProcess, out: Path) -> float:
    """Wait until the build's new site appears beside ``out`` (or the build ended); when."""
    while process.is_alive() and not any(
        name.startswith(f".{out.name}.new-") for name in os.listdir(out.parent)
    ):
        time.sleep(0.0005)
    return time.perf_counter()


def publishing(process: BaseProcess, out: Path) -> float:
    """Wait until the output folder changes: a file renamed into or out of it, or another
    folder in its place (or the build ended); when."""
    writing(process, out)
    before = os.stat(out)
    while process.is_alive() and os.path.samestat(before, now := os.stat(out)):
        if now.st_mtime_ns != before.st_mtime_ns:
            break
    return time.perf_counter()


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    """Builds that alternate two versions of the content (a warm build keeping most files)
    are killed at random moments: from its start, while it writes the new site, or as the
    output changes. Each time the output is byte for byte one of the two sites, and the
    next build leaves nothing beside it."""
    versions = {"old": objectives("Grow"), "new": objectives("Grow faster")}
    sites = {}
    for name, files in versions.items():
        reference = write_files(tmp_path / f"{name}-project", files)
        assert build(reference, tmp_path / f"{name}-site", "--no-cache").code == 0
        sites[name] = tree_of(tmp_path / f"{name}-site")
    project = write_files(tmp_path / "project", versions["old"])
    out = tmp_path / "site"
    assert build(project, out).code == 0
    write_files(project, versions["new"])
    process = start_build(project, out)  # once whole, to time it
    started = time.perf_counter()
    staged = writing(process, out)
    process.join()
    assert process.exitcode == 0
    spans = [time.perf_counter() - started, time.perf_counter() - staged, 0.002]
    moments = [starting, writing, publishing]
    chance = random.Random(TODAY)
    for kill in range(12):
        shown = next(name for name, site in sites.items() if tree_of(out) == site)
        write_files(project, versions["new" if shown == "old" else "old"])
        process = start_build(project, out)
        moment = moments[kill % 3](process, out) + chance.uniform(0, spans[kill % 3])
        time.sleep(max(0.0, moment - time.perf_counter()))
        process.kill()
        process.join()
        assert tree_of(out) in sites.values(), f"kill {kill}: a mixed site"
    assert build(project, out).code == 0
    assert strays_in_spare(out) == []
    references = ["new-project", "new-site", "old-project", "old-site"]
    assert beside(out) == [".site.okrpub-spare", *references, "project", "site"]


@pytest.mark.parametrize("killed", ["taken aside", "put in place"])
def test_the_next_build_finishes_the_swap_of_a_killed_build(tmp_path: Path, killed: str) -> None:
    """Where two folders cannot be exchanged, a build killed between its renames has left
    the previous site aside (``.site.okrpub-old``) and the new one in the spare folder or
    already in place; the next build, even one that fails on content, first puts the
    previous site back in place, or on to the spare folder."""
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out, aside = tmp_path / "site", tmp_path / ".site.okrpub-old"
    assert build(project, out).code == 0
    previous = tree_of(out)
    write_files(project, {"okrpub.yaml": "title: New\n"})
    assert build(project, tmp_path / "new", "--no-cache").code == 0
    new = tree_of(tmp_path / "new")
    out.rename(aside)
    (tmp_path / "new").rename(spare_of(out) if killed == "taken aside" else out)
    write_files(project, {"content/2026-Q4/broken.md": md("title: Broken\n")})
    assert build(project, out).code == 1
    assert tree_of(out) == (previous if killed == "taken aside" else new)
    assert beside(out) == [".site.okrpub-spare", "project", "site"]
    assert strays_in_spare(out) == []


def test_the_spare_folder_holds_nothing_the_site_does_not(tmp_path: Path) -> None:
    """After an objective is removed and a page changes: no file of the previous site
    that the new one dropped or changed stays beside it, nor a folder the new one has not;
    nor after a failed build."""
    project = write_files(tmp_path / "project", objectives("Secret plan"))
    out = tmp_path / "site"
    for title in ("Secret plan", "Public plan"):
        write_files(project, {**objectives(title)})
        assert build(project, out).code == 0
    # the changed page's folder stays for the next build, empty: the site has it too
    assert strays_in_spare(out) == []
    assert list((spare_of(out) / "objectives" / "o0").iterdir()) == []
    (project / "content" / "2026-Q4" / "o1.md").unlink()
    assert build(project, out).code == 0
    assert strays_in_spare(out) == []
    assert not list(spare_of(out).rglob("o1"))
    assert b"Secret plan" not in b"".join(p.read_bytes() for p in spare_of(out).rglob("*.*"))
    write_files(project, {"okrpub.yaml": "theme: broken\n"})
    write_files(project / "broken", {"templates/404.html": "{{ 1 + 'a' }}"})
    assert build(project, out).code == 2
    assert strays_in_spare(out) == []


@pytest.mark.parametrize("what", ["folder", "link"])
def test_a_spare_folder_okrpub_did_not_make_is_left_alone(tmp_path: Path, what: str) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    assert build(project, out).code == 0
    mine = write_files(tmp_path / "mine", {"todo.md": "mine"})
    if what == "folder":
        mine.rename(spare_of(out))
        mine = spare_of(out)
    else:
        spare_of(out).symlink_to(mine)
    before = tree_of(out)
    result = build(project, out)
    assert result.code == 2
    assert one_line_error(result.err) and "is in the way" in result.err
    assert tree_of(mine) == {"todo.md": b"mine"}
    assert tree_of(out) == before


# Readable by a web server ----------------------------------------------------------


@pytest.mark.parametrize(
    ("umask", "folders", "files"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)]
)
def test_the_site_follows_the_umask(tmp_path: Path, umask: int, folders: int, files: int) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    previous = os.umask(umask)
    try:
        assert build(project, out).code == 0
    finally:
        os.umask(previous)
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (folders if path.is_dir() else files), (path, oct(mode))


# Nothing to show -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "audience"),
    [
        (SMALL_PROJECT, ("--public",)),
        ({"content/units/acme.md": md("name: A\nkind: company\n")}, ()),
    ],
)
def test_a_site_with_nothing_to_show_is_empty_and_valid(
    tmp_path: Path, files: dict[str, str], audience: tuple[str, ...]
) -> None:
    """Day one of a public site: every objective internal; or no objective at all."""
    project = write_files(tmp_path / "project", files)
    out = tmp_path / "site"
    result = build(project, out, *audience)
    assert result.code == 0, result.err
    assert ", 0 objectives, " in result.out
    assert check_links(out).problems == []
    export = json.loads((out / "api" / "okrs.json").read_bytes())
    Draft202012Validator(json.loads((out / "api" / "okrs.schema.json").read_bytes())).validate(
        export
    )
    assert export["objectives"] == []
    home = parse_html(out / "index.html").text
    assert "There are no objectives yet." in home
    assert "All periods" not in home  # no heading over an empty list
    ET.parse(out / "feed.xml")
    assert (out / "robots.txt").read_bytes().startswith(b"User-agent: *\n")
    if audience:  # a public site has a sitemap, an internal one none unless configured
        assert ET.parse(out / "sitemap.xml").getroot()


# A full disk, an unwritable folder, a second build --------------------------------


@pytest.mark.parametrize("workers", [False, True])
def test_a_full_disk_is_one_line_and_the_site_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    assert build(project, out).code == 0
    before = tree_of(out)
    if workers:
        render_in_workers(monkeypatch)
    real_write, writes = os.write, itertools.count()

    def write(descriptor: int, data: bytes) -> int:
        if next(writes) >= 2:  # the disk fills up a few files in
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", write)
    result = build(project, out, "--no-cache")
    monkeypatch.undo()
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert "No space left on device" in result.err
    assert tree_of(out) == before
    assert beside(out) == ["project", "site"]


def test_an_unwritable_output_parent_is_one_line_and_the_site_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder that holds the output refuses new entries (as without write permission,
    which does not stop root, so the refusal is made by the os functions)."""
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    parent = tmp_path / "www"
    out = parent / "site"
    assert build(project, out).code == 0
    before = tree_of(out)
    real_open, real_mkdir = os.open, os.mkdir

    def refused(path: object) -> None:
        if Path(os.fsdecode(path)).parent == parent:  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def open_(path: str, flags: int, mode: int = 0o777, **options: object) -> int:
        if flags & os.O_CREAT:
            refused(path)
        return real_open(path, flags, mode, **options)  # type: ignore[arg-type]

    def mkdir(path: str, mode: int = 0o777, **options: object) -> None:
        refused(path)
        real_mkdir(path, mode, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)
    result = build(project, out)
    monkeypatch.undo()
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert "Permission denied" in result.err
    assert tree_of(out) == before
    assert os.listdir(parent) == ["site"]


def test_a_second_build_into_one_output_is_refused_while_one_runs(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    assert build(project, out).code == 0
    before = tree_of(out)
    with lock_of(out).open("w") as running:  # what a build in progress holds
        fcntl.flock(running, fcntl.LOCK_EX)
        result = build(project, out, "--public")
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert "another okrpub build is writing" in result.err
    assert tree_of(out) == before
    assert build(project, out, "--public").code == 0
    assert lock_of(out).name not in beside(out)  # the lock file goes with the build


def test_the_lock_is_never_taken_through_a_link(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    mine = write_files(tmp_path / "mine", {"file.txt": "mine"}) / "file.txt"
    lock_of(out).symlink_to(mine)
    result = build(project, out)
    assert result.code == 2
    assert one_line_error(result.err), result.err
    assert mine.read_text() == "mine" and lock_of(out).is_symlink()
    assert not out.exists()
