"""Helpers for tests that need a git repository (``okrpub diff``, ``build --history git``).

``commit(repo, files, date)`` writes ``files`` into ``repo`` (a value of ``None``
deletes that file), commits everything with author and committer date ``date``
and returns the commit id. ``hostile_commit(repo, folder, entries)`` commits
entries that git itself would refuse (``..``, ``.git``, links), written as they
are. Every git command runs with a fixed identity and without the user's or the
system's git configuration, in ``tmp_path`` only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from sitetools import write_files

#: Author and committer of every test commit; no git configuration is read.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: str = "2026-11-20T12:00:00+00:00") -> str:
    """``git ARGS`` in ``repo`` with the test identity; its standard output."""
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def init_repo(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return repo


def commit(
    repo: Path, files: Mapping[str, str | bytes | None], date: str = "2026-11-20T12:00:00+00:00"
) -> str:
    """Write (or, for ``None``, delete) ``files``, commit all on ``date``; the commit id."""
    write_files(repo, files)
    for relative, content in files.items():
        if content is None:
            (repo / relative).unlink(missing_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", f"change on {date}", date=date)
    return git(repo, "rev-parse", "HEAD").strip()


#: A tree entry as git stores it: mode, name (any bytes but NUL) and object id.
Entry = tuple[str, bytes, str]


def write_object(repo: Path, kind: str, data: bytes) -> str:
    """Store ``data`` as a git object of ``kind`` as it is (``--literally``); its id."""
    done = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", kind, "--literally", "-w", "--stdin"],
        env={**os.environ, **GIT_ENV},
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().strip()


def tree(repo: Path, entries: Iterable[Entry]) -> str:
    """A tree object of ``entries``, in the order given, unchecked; its id."""
    data = b"".join(
        f"{mode} ".encode() + name + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries
    )
    return write_object(repo, "tree", data)


def nested(repo: Path, names: Iterable[bytes], leaf: Entry) -> Entry:
    """``leaf`` inside folders named ``names`` (outermost first), as one tree entry."""
    *outer, last = [*names, leaf[1]]
    entry = (leaf[0], last, leaf[2])
    for name in reversed(outer):
        entry = ("40000", name, tree(repo, [entry]))
    return entry


def hostile_commit(repo: Path, folder: str, entries: Iterable[Entry]) -> str:
    """A commit on top of ``HEAD`` (not checked out) whose tree is ``HEAD``'s with
    ``entries`` added to ``folder`` (``/``-separated, existing); its id."""
    root = _with_entries(repo, "HEAD^{tree}", folder.split("/"), list(entries))
    return git(repo, "commit-tree", root, "-p", "HEAD", "-m", "hostile").strip()


def _with_entries(repo: Path, tree_id: str, path: list[str], entries: list[Entry]) -> str:
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-z", tree_id],
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        check=True,
    ).stdout
    present: list[Entry] = []
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, _, oid = meta.decode().split()
        if path and name == path[0].encode():
            oid = _with_entries(repo, oid, path[1:], entries)
        present.append((mode, name, oid))
    return tree(repo, present if path else [*present, *entries])
