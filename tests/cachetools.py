"""Helpers for the tests of the load cache: its folder, a file of the example, rows
read and written behind okrpub's back, and a pickle that shows when it runs (what a
hostile row of an older, pickling okrpub would hold)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sitetools import TODAY, run_okrpub

import okrpub
from okrpub.engine.build import BuildOptions, BuildResult
from okrpub.engine.build import build as build_site
from okrpub.engine.cache import DATABASE, CacheStore
from okrpub.engine.loader import LoadCache
from okrpub.engine.project import check, open_cache, read_config
from okrpub.engine.stats import Stats

CACHE = ".okrpub-cache"
GROW = "content/2026-Q4/smokey/grow-to-1m-online.md"


def check_json(project: Path, *args: str) -> str:
    result = run_okrpub(project, "check", "--today", TODAY, "--format", "json", *args)
    assert result.code == 0, result.err
    return result.out


def check_stats(project: Path, *args: str) -> tuple[str, dict[str, int]]:
    """``okrpub check --format json --stats`` in a process of its own: what it printed,
    and the counts of what the engine did."""
    result = run_okrpub(project, "check", "--today", TODAY, "--format", "json", "--stats", *args)
    assert result.code == 0, result.err
    counts = re.findall(r"^([a-z ]+): (\d+)$", result.err, flags=re.MULTILINE)
    return result.out, {kind: int(number) for kind, number in counts}


def results(project: Path, kind: str) -> dict[str, bytes]:
    """The store's results of ``kind`` (``lint``: each objective's warnings), by key."""
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        query = "SELECT key, payload FROM results WHERE kind = ?"
        return dict(connection.execute(query, (kind,)))


def write_result(project: Path, kind: str, key: str, payload: object) -> None:
    """Replace the payload of a stored result behind okrpub's back (its digest stays)."""
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        query = "UPDATE results SET payload = ? WHERE kind = ? AND key = ?"
        assert connection.execute(query, (payload, kind, key)).rowcount == 1


def copy_result(project: Path, kind: str, source: str, target: str) -> None:
    """Give the result of ``kind`` for ``target`` the digest and payload of ``source``'s."""
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        query = (
            "UPDATE results SET (digest, payload) = (SELECT digest, payload FROM results "
            "WHERE kind = ?1 AND key = ?2) WHERE kind = ?1 AND key = ?3"
        )
        assert connection.execute(query, (kind, source, target)).rowcount == 1


def another_okrpub(folder: Path) -> Path:
    """A copy of okrpub in ``folder`` whose source differs by a comment: another okrpub, as
    an upgrade is. The folder to put on ``PYTHONPATH``."""
    package = Path(okrpub.__file__).parent
    shutil.copytree(package, folder / "okrpub", ignore=shutil.ignore_patterns("__pycache__"))
    init = folder / "okrpub" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "# another okrpub\n", encoding="utf-8")
    return folder


def run_another(okrpub_path: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``okrpub ARGS`` of the okrpub in ``okrpub_path``, run in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "okrpub", *args],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(okrpub_path)},
        capture_output=True,
        text=True,
        check=False,
    )


def rows(project: Path) -> dict[str, bytes]:
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        return dict(connection.execute("SELECT path, payload FROM files"))


class Planted:
    """A pickle that, when loaded, creates a file: what a hostile cache row would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def digest_of(project: Path, path: str) -> bytes:
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        return connection.execute("SELECT digest FROM files WHERE path = ?", (path,)).fetchone()[0]


def write_row(project: Path, path: str, payload: bytes) -> None:
    with sqlite3.connect(project / CACHE / DATABASE) as connection:
        connection.execute("UPDATE files SET payload = ? WHERE path = ?", (payload, path))


def cached_build(project: Path, out: Path, *, use_cache: bool = True) -> BuildResult:
    """``okrpub build --out OUT`` in this process, a run of its own: its result says what
    the engine did."""
    config, _ = read_config(project)
    cache = LoadCache(CacheStore(project / CACHE)) if use_cache else None
    try:
        result = build_site(project, config, dt.date.fromisoformat(TODAY), BuildOptions(out), cache)
    finally:
        if cache is not None and cache.store is not None:
            cache.store.close()
    assert result.model is not None
    return result


def checked_here(project: Path, *, cached: bool = True) -> tuple[object, Stats]:
    """What ``check`` finds in this process (with the store, or without: ``--no-cache``),
    and its counts (the finer ones too)."""
    config, _ = read_config(project)
    cache = open_cache(project, config, cached)
    stats = Stats()
    found = check(project, config, dt.date.fromisoformat(TODAY), cache, stats)
    if cache is not None and cache.store is not None:
        cache.store.close()
    return (found.diagnostics.sorted(), found.objectives, found.units), stats
