"""Helpers for tests that need a git repository (``okrpub diff``, ``build --history git``).

``commit(repo, files, date)`` writes ``files`` into ``repo`` (a value of ``None``
deletes that file), commits everything with author and committer date ``date``
and returns the commit id. Every git command runs with a fixed identity and
without the user's or the system's git configuration, in ``tmp_path`` only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
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
