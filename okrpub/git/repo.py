"""Git: read files and history of a project straight from its repository.

Small functions around ``git`` run as a subprocess. Nothing here checks
anything out or writes to the repository: the working tree and the index
stay as they are. Every failure (no git, not a repository, an unknown
revision) becomes a :class:`~okrpub.errors.UsageError` with git's own words.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from okrpub.config import CONFIG_FILE, load_config
from okrpub.diagnostics import Diagnostics, Location
from okrpub.errors import UsageError
from okrpub.safefs import descend, new_file
from okrpub.source.discover import escaped_name

#: ``git ls-tree`` modes of plain files, of symbolic links and of submodules.
_FILE_MODES = ("100644", "100755")
_LINK_MODE = "120000"
_SUBMODULE_MODE = "160000"


@dataclass(frozen=True)
class TreeEntry:
    """An entry of a commit: its path relative to the project folder, mode and object id."""

    path: str
    mode: str
    oid: str


@dataclass(frozen=True)
class FileVersion:
    """One version of a file in the history: the day it was committed and its blob id."""

    date: dt.date
    path: str
    blob: str


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """The output of ``git ARGS`` run in ``root``; a failure is a usage error.

    Paths given to git are literal: a folder named in a pull request's ``okrpub.yaml``
    cannot be pathspec magic such as ``:(top)``.
    """
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "--literal-pathspecs", *args],
            input=stdin,
            capture_output=True,
            check=False,
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
        name = shlex.quote(revision) if revision.isprintable() else "REVISION"
        raise UsageError(
            f"unknown revision {revision!r} (in a shallow clone, fetch it first: "
            f"git fetch --depth 1 origin -- {name})"
        ) from None
    return out.decode().strip()


def list_tree(root: Path, commit: str, folders: Sequence[str]) -> list[TreeEntry]:
    """Every file, link and submodule under ``folders`` (relative to ``root``; none: all
    of ``root``) in ``commit``, recursively, as git lists them: paths are not checked."""
    out = run_git(root, "ls-tree", "-r", "-z", commit, "--", *folders)
    entries = []
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if record:
            meta, _, path = record.partition("\t")
            mode, _, oid = meta.split()
            entries.append(TreeEntry(path, mode, oid))
    return entries


def unsafe_path(path: str) -> bool:
    """Whether a path from a git tree could leave the folder it is put in, or name git's
    own files: an empty, ``.`` or ``..`` part, a ``.git`` part, a backslash or a NUL."""
    return any(
        part in ("", ".", "..") or part.lower() == ".git" or "\\" in part or "\0" in part
        for part in path.split("/")
    )


def export_tree(
    root: Path, entries: list[TreeEntry], destination: Path, problems: Diagnostics
) -> None:
    """Put the files and symbolic links of ``entries`` below ``destination``.

    ``destination`` is a new folder of okrpub's own. An unsafe path is reported and
    left out, never used; nothing is written through a link (links are made as they
    are, last; ``discover`` decides whether to follow them). A submodule is reported:
    its content is not in this repository.
    """
    kept = []
    for entry in entries:
        if unsafe_path(entry.path):
            problems.error(
                Location(escaped_name(entry.path)),
                "unsafe-path",
                "path with an empty, '.', '..' or '.git' part, or a backslash, in the git tree; "
                "okrpub diff leaves it out: make the commit again without it",
            )
        elif entry.mode == _SUBMODULE_MODE:
            problems.warning(
                Location(escaped_name(entry.path)),
                "submodule",
                "submodule: okrpub diff cannot see the files in it; "
                "keep content in the repository itself",
            )
        elif entry.mode in _FILE_MODES or entry.mode == _LINK_MODE:
            kept.append(entry)
    contents = read_blobs(root, (entry.oid for entry in kept))
    for entry in sorted(kept, key=lambda entry: entry.mode == _LINK_MODE):  # links last
        if entry.oid not in contents:
            raise UsageError(f"{entry.path} is missing from this clone of the repository")
        try:
            _put(destination, entry, contents[entry.oid])
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            problems.error(
                Location(escaped_name(entry.path)),
                "unsafe-path",
                f"cannot be made in a folder ({reason}), for example because the git tree "
                "has it twice; okrpub diff leaves it out",
            )


def _put(destination: Path, entry: TreeEntry, content: bytes) -> None:
    """Make the file or symbolic link ``entry`` below ``destination``, following no link."""
    *folders, name = entry.path.split("/")
    top = os.open(destination, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        folder = descend(top, folders, create=True, mode=0o700)
    finally:
        os.close(top)
    try:
        if entry.mode == _LINK_MODE:
            os.symlink(content, name, dir_fd=folder)
        else:
            new_file(name, content, mode=0o600, folder=folder)
    finally:
        os.close(folder)


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


def export_revision(root: Path, commit: str, snapshot: Path) -> Diagnostics:
    """Put the project as it was in ``commit`` into the empty folder ``snapshot``, read
    from git alone; the problems met on the way.

    ``okrpub.yaml``, the content folder and the theme folder of that commit (all
    of the project folder when it sets ``follow_symlinks``: links may lead
    anywhere in it) are written by :func:`export_tree`, so that the snapshot can
    be analysed like a working copy, with diagnostics naming the same paths.
    """
    problems = Diagnostics()
    config_file = [e for e in list_tree(root, commit, [CONFIG_FILE]) if e.path == CONFIG_FILE]
    if any(entry.mode == _LINK_MODE for entry in config_file):
        raise UsageError(f"{CONFIG_FILE} in {commit[:12]} is a symbolic link; make it a file")
    export_tree(root, config_file, snapshot, problems)
    written = load_config(snapshot, Diagnostics())
    folders = [] if written.follow_symlinks else [written.content_dir]
    if written.theme and folders:  # the theme may hold locales
        folders.append(written.theme)
    others = [e for e in list_tree(root, commit, folders) if e.path != CONFIG_FILE]
    export_tree(root, others, snapshot, problems)
    return problems


def file_versions(root: Path, folder: str) -> list[FileVersion]:
    """Every version of every file under ``folder`` that a commit wrote, oldest first.

    One ``git log --raw`` over the folder: each commit's date (the committer's,
    in the committer's time zone) and, for each file it added or changed, the
    path (relative to ``root``) and new blob id. Merge commits show no files;
    their changes are counted in the commits they merge. A path may hold any
    byte but NUL, so the output is read field by field; a date Python cannot
    hold leaves that commit's files out.
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
    fields = iter(out.decode("utf-8", "surrogateescape").split("\0"))
    date: dt.date | None = None
    for field in fields:
        field = field.lstrip("\n")
        if field.startswith("\x01"):
            date = _date(field[1:])
        elif field.startswith(":"):
            path = next(fields, "")  # after the file's mode, ids and status: its path
            _, mode, _, blob, status = field[1:].split()
            if date is not None and status in ("A", "M") and mode in _FILE_MODES:
                versions.append(FileVersion(date, path, blob))
    return versions[::-1]


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
