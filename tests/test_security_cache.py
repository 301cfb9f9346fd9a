"""The cache folder is untrusted input: it can be committed by mistake or planted by a
pull request. Whatever is in it costs at most a rebuild, said in one line on standard
error; it never runs code, writes outside the project, hangs or gives a traceback.

Each test plants one hostile thing in a warm cache, runs the command line, and
compares what it gives with what a run without the cache gives.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cachetools import CACHE, GROW, Planted, check_json, digest_of, rows, write_row
from hypothesis import given, settings
from hypothesis import strategies as st
from rebuildtools import Project
from servetools import start_serve
from sitetools import REPOSITORY, TODAY, Run, build, run_okrpub, tree_of

from okrpub.engine.cache import DATABASE, code_version

NOTE = "okrpub: note: cache in "


@pytest.fixture
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache folder of this test's own (where older versions kept a key)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache"


@pytest.fixture
def example(tmp_path: Path, own_key: Path) -> Path:
    return Project(tmp_path / "example").root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project holding an empty file and an empty folder, for links
    planted in the cache to point at: both must stay as they are."""
    folder = tmp_path / "outside"
    (folder / "folder").mkdir(parents=True)
    (folder / "victim").write_bytes(b"")
    return folder


def untouched(outside: Path) -> bool:
    names = sorted(path.relative_to(outside).as_posix() for path in outside.rglob("*"))
    return names == ["folder", "victim"] and (outside / "victim").read_bytes() == b""


def noted_once(run: Run) -> bool:
    """Whether the run said, in exactly one line on standard error, that it did not use
    the cache (and nothing else there)."""
    return run.err.startswith(NOTE) and len(run.err.splitlines()) == 1


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The example's site as a build without the cache makes it."""
    folder = tmp_path_factory.mktemp("clean")
    assert build(Project(folder / "project").root, folder / "site", "--no-cache").code == 0
    return tree_of(folder / "site")


# -- rows ----------------------------------------------------------------------------------


def test_a_forged_row_runs_nothing_and_costs_a_parse(
    example: Path, tmp_path: Path, own_key: Path
) -> None:
    """Rows sealed and pickled the way an older okrpub kept them, with the key file it
    left in the user's cache folder: the key is not read, nothing is unpickled, and the
    key file is left as it is."""
    cold = check_json(example)
    key = own_key / "okrpub" / "cache-key"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(bytes(32))
    marker = tmp_path / "pwned"
    write_row(example, GROW, bytes(32) + pickle.dumps(Planted(marker)))
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out, result.err) == (0, cold, "")
    assert not marker.exists()
    assert key.read_bytes() == bytes(32)


def forge_title(project: Path, title: bytes) -> None:
    """Make the cache say that ``GROW``, as it is, has the title ``title``: a row that
    decodes, for the file's true digest, as a pull request could commit it."""
    assert run_okrpub(project, "check", "--today", TODAY).code == 0
    true_digest = digest_of(project, GROW)
    grow = project / GROW
    original = grow.read_bytes()
    grow.write_bytes(original.replace(b"title: Grow to", b"title: " + title, 1))
    assert run_okrpub(project, "check", "--today", TODAY).code == 0
    forged = rows(project)[GROW]
    grow.write_bytes(original)
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        connection.execute(
            "UPDATE files SET digest = ?, payload = ? WHERE path = ?", (true_digest, forged, GROW)
        )


def test_a_cache_folder_okrpub_did_not_make_there_is_not_believed(
    example: Path, tmp_path: Path
) -> None:
    """A forged row that decodes is believed only in the folder okrpub made it in (where
    the user could as well edit the content). A checkout of a committed cache folder, or a
    copy, makes its files anew: nothing of it is believed, and the site shows the content."""
    forge_title(example, b"Forged title")
    here = build(example, tmp_path / "here")
    assert here.code == 0, here.err
    assert b"Forged title" in (tmp_path / "here" / "api" / "okrs.json").read_bytes()
    checkout = tmp_path / "checkout"
    shutil.copytree(example, checkout, ignore=shutil.ignore_patterns("site"))
    there = build(checkout, tmp_path / "there", "--stats")
    assert there.code == 0, there.err
    assert b"Forged title" not in (tmp_path / "there" / "api" / "okrs.json").read_bytes()
    fresh = tmp_path / "fresh"
    shutil.copytree(example, fresh, ignore=shutil.ignore_patterns("site", CACHE))
    cold = build(fresh, tmp_path / "cold", "--stats")
    assert files_parsed(there) == files_parsed(cold) > 1
    assert files_parsed(build(checkout, tmp_path / "again", "--stats")) == 0


def files_parsed(run: Run) -> int:
    """What ``build --stats`` said of the files it parsed."""
    return int(re.findall(r"^files parsed: (\d+)$", run.out, flags=re.MULTILINE)[0])


# -- symbolic links ---------------------------------------------------------------------------

#: Entries of a warm cache (globs), each replaced by a link to a folder or file outside.
LINKED = [
    ("", "folder"),
    ("compiled-templates", "folder"),  # where earlier versions kept compiled templates
    (DATABASE, "victim"),
    (f"{DATABASE}-journal", "victim"),
    (f"{DATABASE}-wal", "victim"),
    ("site-*.json", "victim"),
    ("site-*.parts", "victim"),
    # where the manifest and the parts were written first, before they were renamed
    (".site-*.json.tmp", "victim"),
    (".site-*.parts.tmp", "victim"),
]


def plant_link(cache: Path, pattern: str, target: Path) -> None:
    """Replace what ``pattern`` names in ``cache`` (made from the manifest's name when
    it is a temporary file) by a symbolic link to ``target``."""
    if pattern.startswith(".site-"):
        (manifest,) = cache.glob("site-*.json")
        stem = manifest.stem
        name = pattern.replace("site-*", stem)
        (cache / name).symlink_to(target)
        return
    found = sorted(cache.glob(pattern)) if pattern else [cache]
    path = found[0] if found else cache / pattern
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize(("pattern", "target"), LINKED)
def test_a_link_in_the_cache_is_never_followed(
    example: Path,
    tmp_path: Path,
    outside: Path,
    clean: dict[str, bytes],
    pattern: str,
    target: str,
) -> None:
    site = tmp_path / "site"
    assert build(example, site).code == 0
    plant_link(example / CACHE, pattern, outside / target)
    result = build(example, site)
    assert result.code == 0
    assert noted_once(result), result.err
    assert untouched(outside)
    assert tree_of(site) == clean


def test_a_cache_folder_that_is_a_link_is_not_used_by_check(example: Path, outside: Path) -> None:
    cold = check_json(example, "--no-cache")
    (example / CACHE).symlink_to(outside / "folder")
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out) == (0, cold)
    assert noted_once(result), result.err
    assert untouched(outside)


def test_serve_says_once_why_it_does_not_use_the_cache(
    example: Path, outside: Path, tmp_path: Path
) -> None:
    """The store finds out on first use, which is after serve made it: serve says so after
    its first build, and not again on the next."""
    (example / CACHE).symlink_to(outside / "folder")
    with start_serve(example, tmp_path / "tmp") as served:
        grow = example / GROW
        grow.write_text(grow.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
        served.wait(lambda: served.rebuilds() >= 2, "the rebuild after the edit")
        notes = [line for line in served.lines if line.startswith("note: cache in ")]
        assert len(notes) == 1, served.stderr
        assert served.stop() == 0, served.stderr
    assert untouched(outside)


def test_a_link_on_the_way_to_the_cache_folder_is_not_followed(
    example: Path, outside: Path
) -> None:
    """``cache_dir`` may come from a pull request, with a link planted in it."""
    cold = check_json(example, "--no-cache")
    config = example / "okrpub.yaml"
    config.write_text(config.read_text() + "cache_dir: planted/cache\n")
    (example / "planted").symlink_to(outside / "folder")
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out) == (0, cold)
    assert noted_once(result), result.err
    assert untouched(outside)


#: As deep as Python's recursion limit: walking it recursively overflows.
DEPTH = sys.getrecursionlimit()


@pytest.fixture
def deep() -> Iterator[Callable[[Path], None]]:
    """``deep(folder)`` makes ``folder/a/a/...``, :data:`DEPTH` folders deep; they are
    removed afterwards from the bottom up (``shutil.rmtree`` would overflow)."""
    made: list[Path] = []

    def make(folder: Path) -> None:
        made.append(folder)
        descriptors = _descend(folder, create=True)
        for descriptor in descriptors:
            os.close(descriptor)

    yield make
    for folder in made:
        descriptors = _descend(folder, create=False)
        for descriptor in reversed(descriptors[:-1]):
            os.rmdir("a", dir_fd=descriptor)
            os.close(descriptor)
        os.close(descriptors[-1])
        folder.rmdir()


def _descend(folder: Path, *, create: bool) -> list[int]:
    """Descriptors of ``folder`` and of each ``a`` below it, made when ``create``."""
    if create:
        folder.mkdir()
    descriptors = [os.open(folder, os.O_RDONLY)]
    for _ in range(DEPTH):
        if create:
            os.mkdir("a", dir_fd=descriptors[-1])
        descriptors.append(os.open("a", os.O_RDONLY, dir_fd=descriptors[-1]))
    return descriptors


def test_folders_deeper_than_the_cache_makes_are_not_walked(
    example: Path, tmp_path: Path, clean: dict[str, bytes], deep: Callable[[Path], None]
) -> None:
    """Removing another okrpub's compiled templates walked any depth: a deep enough
    planted folder made that a RecursionError. okrpub keeps none there now, and finds
    the folder deeper than it ever made without walking all of it."""
    assert build(example, tmp_path / "site").code == 0
    compiled = example / CACHE / "compiled-templates"
    compiled.mkdir()
    deep(compiled / "another")
    result = build(example, tmp_path / "again")  # a new output folder: every page is rendered
    assert result.code == 0
    assert noted_once(result), result.err
    assert tree_of(tmp_path / "again") == clean


# -- the database -----------------------------------------------------------------------------


def test_a_recursive_view_named_like_the_table_does_not_hang(example: Path) -> None:
    """The command runs in a process of its own, so that a hang fails the test."""
    cold = check_json(example)
    database = example / CACHE / DATABASE
    database.unlink()
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE meta (version TEXT NOT NULL)")
        connection.execute("INSERT INTO meta VALUES (?)", (code_version(),))
        connection.execute(
            "CREATE VIEW files (path, digest, payload) AS WITH RECURSIVE endless(n) AS "
            "(SELECT 1 UNION ALL SELECT n + 1 FROM endless) SELECT n, n, n FROM endless"
        )
    connection.close()
    command = [sys.executable, "-m", "okrpub", "check", "--today", TODAY, "--format", "json"]
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run(
        command, cwd=example, env=environment, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (0, cold)
    assert noted_once(Run(done.returncode, done.stdout, done.stderr)), done.stderr


HOSTILE_SCHEMAS = {
    "a payload of another type": [
        "UPDATE files SET payload = hex(payload)",
    ],
    "columns without types": [
        "ALTER TABLE files RENAME TO old",
        "CREATE TABLE files (path, digest, payload)",
        "INSERT INTO files SELECT path, digest, NULL FROM old",
        "DROP TABLE old",
    ],
    "a trigger": [
        "CREATE TABLE log (path TEXT)",
        "CREATE TRIGGER logged AFTER INSERT ON files BEGIN INSERT INTO log VALUES (new.path); END",
    ],
    "an index": ["CREATE INDEX by_digest ON files (digest)"],
}


@pytest.mark.parametrize("statements", HOSTILE_SCHEMAS.values(), ids=HOSTILE_SCHEMAS)
def test_a_database_okrpub_did_not_make_is_not_used(example: Path, statements: list[str]) -> None:
    cold = check_json(example)
    with sqlite3.connect(example / CACHE / DATABASE) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out) == (0, cold)
    assert noted_once(result), result.err


def hot_journal_naming(database: Path, victim: Path) -> bytes:
    """A rollback journal of ``database`` as SQLite leaves it when a transaction over
    several databases stops half-way: it names their super-journal, which SQLite deletes
    once it has rolled the journal back (www.sqlite.org/fileformat.html)."""
    magic = bytes.fromhex("d9d505f920a163d7")
    page_size = 4096
    sector_size = 512
    pages = database.stat().st_size // page_size
    header = magic + struct.pack(">IIIII", 0, 0, pages, sector_size, page_size)
    name = str(victim).encode()
    pending_page = 0x40000000 // page_size + 1
    record = struct.pack(">I", pending_page) + name + struct.pack(">II", len(name), sum(name))
    return header.ljust(sector_size, b"\0") + record + magic


def test_a_journal_naming_another_file_deletes_nothing(example: Path, outside: Path) -> None:
    cold = check_json(example)
    database = example / CACHE / DATABASE
    journal = database.with_name(f"{DATABASE}-journal")
    journal.write_bytes(hot_journal_naming(database, outside / "victim"))
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out) == (0, cold)
    assert noted_once(result), result.err
    assert untouched(outside)


# -- anything else ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Warm:
    """A copy of the example built twice (its cache warm), and a copy of that cache."""

    project: Path
    site: Path
    cache: Path


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Warm:
    folder = tmp_path_factory.mktemp("warm")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "user-cache"))
        project = Project(folder / "project").root
        assert build(project, folder / "site").code == 0
        assert build(project, folder / "site").code == 0
    shutil.copytree(project / CACHE, folder / "cache")
    return Warm(project, folder / "site", folder / "cache")


garbage = st.one_of(
    st.tuples(st.just("replace"), st.binary(max_size=200)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1)),
)


def damaged(data: bytes, how: str, amount: bytes | float) -> bytes:
    if isinstance(amount, bytes):
        return amount
    at = min(int(amount * len(data)), max(len(data) - 1, 0))
    if how == "truncate" or not data:
        return data[:at]
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


@settings(max_examples=10, deadline=None)
@given(which=st.floats(0, 1), damage=garbage)
def test_garbage_in_any_cache_file_costs_at_most_a_rebuild(
    warm: Warm, clean: dict[str, bytes], which: float, damage: tuple[str, bytes | float]
) -> None:
    """Random bytes in any file of a warm cache (the database, the manifest, the parts):
    the same site, no traceback, at most one note."""
    cache = warm.project / CACHE
    shutil.rmtree(cache)
    shutil.copytree(warm.cache, cache)
    files = sorted(path for path in cache.rglob("*") if path.is_file())
    file = files[min(int(which * len(files)), len(files) - 1)]
    file.write_bytes(damaged(file.read_bytes(), *damage))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("XDG_CACHE_HOME", str(warm.cache.parent / "user-cache"))
        result = build(warm.project, warm.site)
    assert result.code == 0
    assert result.err == "" or noted_once(result), result.err
    assert tree_of(warm.site) == clean
