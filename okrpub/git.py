"""Git: read files and history of a project straight from its repository.

Small functions around ``git`` run as a subprocess. Nothing here checks
anything out or writes to the repository: the working tree and the index
stay as they are. Every failure (no git, not a repository, an unknown
revision) becomes a :class:`~okrpub.project.UsageError` with git's own words.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from okrpub.config import CONFIG_FILE, load_config
from okrpub.diagnostics import Diagnostics
from okrpub.project import Analysis, UsageError, analyse, read_config

#: ``git ls-tree`` modes of plain files; links and submodules are not content.
_FILE_MODES = ("100644", "100755")


@dataclass(frozen=True)
class TreeFile:
    """A file of a commit: its path relative to the project folder and its blob id."""

    path: str
    blob: str


@dataclass(frozen=True)
class FileVersion:
    """One version of a file in the history: the day it was committed and its blob id."""

    date: dt.date
    path: str
    blob: str


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """The output of ``git ARGS`` run in ``root``; a failure is a usage error."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {reason[-1] if reason else 'no reason given'}")
    return done.stdout


def check_repository(root: Path) -> None:
    """Fail with a clear message unless ``root`` is inside a git working tree."""
    try:
        run_git(root, "rev-parse", "--is-inside-work-tree")
    except UsageError:
        raise UsageError(f"{root} is not in a git repository") from None


def resolve_revision(root: Path, revision: str) -> str:
    """The commit id that ``revision`` names; an unknown revision is a usage error.

    In a shallow clone, a revision that was not fetched is unknown too:
    ``git fetch --depth 1 origin REV`` brings it.
    """
    try:
        out = run_git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
        )
    except UsageError:
        raise UsageError(
            f"unknown revision {revision!r} (in a shallow clone, fetch it first: "
            f"git fetch --depth 1 origin {revision})"
        ) from None
    return out.decode().strip()


def list_files(root: Path, commit: str, folder: str) -> list[TreeFile]:
    """The plain files under ``folder`` (relative to ``root``) in ``commit``, recursively."""
    out = run_git(root, "ls-tree", "-r", "-z", commit, "--", folder)
    files = []
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, blob = meta.split()
        if kind == "blob" and mode in _FILE_MODES:
            files.append(TreeFile(path, blob))
    return files


def export_files(root: Path, commit: str, folder: str, destination: Path) -> None:
    """Write the files under ``folder`` in ``commit`` below ``destination``, as in the tree."""
    files = list_files(root, commit, folder)
    contents = read_blobs(root, (file.blob for file in files))
    for file in files:
        if file.blob not in contents:
            raise UsageError(f"{file.path} is missing from this clone of the repository")
        target = destination / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents[file.blob])


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of the blobs, read by one ``git cat-file --batch``; missing ones left out."""
    wanted = sorted(set(blobs))
    if not wanted:
        return {}
    out = run_git(root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode())
    contents: dict[str, bytes] = {}
    position = 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        header = out[position:header_end].decode().split()
        start = header_end + 1
        if len(header) != 3:  # "<id> missing": not in this clone
            position = start
            continue
        blob, kind, size = header
        if kind == "blob":
            contents[blob] = out[start : start + int(size)]
        position = start + int(size) + 1  # the content is followed by a newline
    return contents


def analyse_revision(root: Path, commit: str, today: dt.date) -> Analysis:
    """The analysis of the project as it was in ``commit``, read from git alone.

    ``okrpub.yaml``, the content folder and the theme folder of that commit are written to a
    temporary folder outside the project and analysed there like a working
    copy; diagnostics name the same paths. A broken configuration in that
    commit is a usage error.
    """
    with tempfile.TemporaryDirectory(prefix="okrpub-") as folder:
        snapshot = Path(folder)
        export_files(root, commit, CONFIG_FILE, snapshot)
        written = load_config(snapshot, Diagnostics())
        for folder in (written.content_dir, written.theme):  # the theme may hold locales
            if folder:
                export_files(root, commit, folder, snapshot)
        config, problems = read_config(snapshot)
        if problems.has_errors():
            raise UsageError(
                f"the project in {commit[:12]} cannot be read: {problems.errors[0].as_text()}"
            )
        return analyse(snapshot, config, today)


def file_versions(root: Path, folder: str) -> list[FileVersion]:
    """Every version of every file under ``folder`` that a commit wrote, oldest first.

    One ``git log --raw`` over the folder: each commit's date (the committer's,
    in the committer's time zone) and, for each file it added or changed, the
    path (relative to ``root``) and new blob id. Merge commits show no files;
    their changes are counted in the commits they merge.
    """
    out = run_git(
        root,
        "log",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--relative",
        "-z",
        "--format=%x01%cs",
        "--",
        folder,
    )
    versions: list[FileVersion] = []
    for chunk in out.decode("utf-8", "surrogateescape").split("\x01")[1:]:
        day, _, raw = chunk.partition("\n")
        date = dt.date.fromisoformat(day.strip("\0\n "))
        fields = raw.strip("\n\0").split("\0")
        for meta, path in zip(fields[::2], fields[1::2], strict=False):
            _, mode, _, blob, status = meta.lstrip(":").split()
            if status in ("A", "M") and mode in _FILE_MODES:
                versions.append(FileVersion(date, path, blob))
    return versions[::-1]
