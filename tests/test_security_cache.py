"""The cache folder is untrusted input: it can be committed by mistake or planted by a
pull request. Whatever is in it costs at most a rebuild, said in one line on standard
error; it never runs code, writes outside the project, hangs or gives a traceback.

Each test plants one hostile thing in a warm cache, runs the command line, and
compares what it gives with what a run without the cache gives.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import signal
from pathlib import Path

import pytest
from sitetools import TODAY, Run, build, run_okrpub, tree_of
from test_cache import GROW, Planted, check_json, digest_of, write_row
from test_site_incremental import Project

from okrpub.cache import key_file, seal, secret_key

NOTE = "okrpub: note: cache in "


@pytest.fixture
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key folder of this test's own, since the tests here damage the key."""
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


# -- the key ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 16, 31, 33, 100])
def test_a_key_of_another_size_is_replaced_and_never_used(
    example: Path, tmp_path: Path, size: int
) -> None:
    """A run that died between making the key file and writing it left it empty: a seal
    with an empty key is no seal, and a forged pickle would then run."""
    cold = check_json(example)
    bad_key = bytes(range(size))
    key_file().write_bytes(bad_key)
    marker = tmp_path / "pwned"
    if size <= 64:  # BLAKE2b's longest key; a longer one once made every run fail
        forged = pickle.dumps(Planted(marker))
        write_row(example, GROW, seal(bad_key, GROW, digest_of(example, GROW), forged))
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out, result.err) == (0, cold, "")
    assert not marker.exists()
    assert len(key_file().read_bytes()) == 32
    assert key_file().stat().st_mode & 0o777 == 0o600


def _make_key_on_a_full_disk() -> None:
    """Try to make the key where no byte can be written (as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    try:
        secret_key()
    except OSError:
        os._exit(0)
    os._exit(1)


def test_a_run_that_cannot_write_the_key_leaves_no_part_of_it(own_key: Path) -> None:
    """The key is written aside, then renamed: a run that dies half-way, or finds the disk
    full, once left an empty key file, which other runs read (1 in 5 of those started at
    the same time read it before it was written)."""
    process = multiprocessing.get_context("fork").Process(target=_make_key_on_a_full_disk)
    process.start()
    process.join()
    assert process.exitcode == 0  # it failed to make the key
    assert list(key_file().parent.iterdir()) == []
    assert len(secret_key()) == 32
    assert [path.name for path in key_file().parent.iterdir()] == [key_file().name]
