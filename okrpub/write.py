"""Writing: put the built site in place atomically.

The new site's files are written into a staging folder beside the output
folder first; nothing in the output changes until every file is there, so a
failed build leaves the previous site exactly as it was. Then, either:

- the staging folder holds the whole site and is swapped in with two
  renames (a first build, or most files changed); or
- the staging folder holds only the files that changed, and the build keeps
  the output's files that did not (``build`` knows them from its manifest,
  ``reuse.py``). The changed files are renamed into place one by one, and
  files of the earlier site that the new one does not have are removed. A
  file-system error half-way puts back every file already moved. A
  warm build of a large site so touches only what changed, instead of
  linking and then deleting every file of it.

Either way no file of an earlier build survives a new one that did not
write it, every path is checked to stay inside the site, and no path may be
written twice.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath


class WriteError(Exception):
    """The site could not be written (a bug or a file system problem, not bad content)."""


def safe_relative_path(path: str) -> PurePosixPath:
    """``path`` as a relative path that cannot leave the site folder."""
    check_inside(path)
    return PurePosixPath(path)


def check_inside(path: str) -> None:
    """Refuse ``path`` unless it is a relative path that cannot leave the site folder."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if path.startswith("/") or not parts or ".." in parts:
        raise WriteError(f"refusing to write outside the site: {path!r}")


class SiteFolder:
    """A new site written file by file into a staging folder beside ``output``, with
    files of the output :meth:`keep`-t as they are, then put in place by
    :meth:`publish` (or removed by :meth:`discard`).

    ``build`` writes pages here as they are rendered, also from worker
    processes, so that the whole site is never in memory at once.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        self.staging: Path | None = None
        #: Folders already made in the staging folder (a page has a folder of its own).
        self._folders: set[Path] = set()
        #: The output's files that are part of the new site as they are.
        self._kept: set[str] = set()

    def open(self) -> Path:
        """Make the staging folder (once); workers forked after this write into it."""
        if self.staging is None:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(
                tempfile.mkdtemp(prefix=f".{self.output.name}.new-", dir=self.output.parent)
            )
        return self.staging

    def add(self, path: str, content: bytes) -> None:
        target = self._target(path)
        try:
            with target.open("xb") as file:
                file.write(content)
        except FileExistsError:
            raise WriteError(f"two things want to be written to {path}") from None

    def keep(self, path: str) -> None:
        """Make the output's file at ``path``, unchanged since the last build, part of the
        new site as it is."""
        check_inside(path)
        if path in self._kept:
            raise WriteError(f"two things want to be written to {path}")
        self._kept.add(path)

    def where(self, path: str) -> Path:
        """Where the file at ``path`` of the new site is until :meth:`publish` (and, with
        the same inode, after it)."""
        return (self.output if path in self._kept else self.open()) / path

    def _target(self, path: str) -> Path:
        """Where ``path`` goes in the staging folder, its folder made."""
        target = self.open() / safe_relative_path(path)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def publish(self) -> None:
        """Put the new site in place: update the output with what changed when most of
        it is kept, else swap the whole new site in."""
        staging = self.open()
        written, _ = _tree(staging)
        if written & self._kept:
            twice = min(written & self._kept)
            raise WriteError(f"two things want to be written to {twice}")
        mostly_kept = len(self._kept) >= len(written)
        if not (mostly_kept and _update(self.output, staging, written, self._kept)):
            for path in sorted(self._kept):
                _copy_in(self.output / path, self._target(path))
            _swap(staging, self.output)
        shutil.rmtree(staging, ignore_errors=True)
        self.staging = None
        self._folders = set()
        self._kept = set()

    def discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
            self._folders = set()
        self._kept = set()


def _tree(folder: Path) -> tuple[set[str], set[str]]:
    """The site paths of the files and of the folders under ``folder``; links are files."""
    files: set[str] = set()
    folders: set[str] = set()
    pending = [("", os.fspath(folder))]
    while pending:
        prefix, where = pending.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                path = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(path)
                    pending.append((path + "/", entry.path))
                else:
                    files.add(path)
    return files, folders


def _copy_in(source: Path, target: Path) -> None:
    """Link a kept file into the staging folder (a copy where links cannot be made)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _update(output: Path, staging: Path, written: set[str], kept: set[str]) -> bool:
    """Move the ``written`` files from ``staging`` into ``output`` and remove the output's
    files that are neither written nor ``kept``; ``False`` (nothing done) when the output
    is not a folder whose layout lets the new files in.

    Every rename is undone if one fails, so the output is then as it was.
    """
    if not output.is_dir():
        return False
    files, folders = _tree(output)
    needed = {parent for path in written | kept for parent in _parents(path)}
    if not kept <= files or needed & files or (written | kept) & folders:
        return False
    moved: list[tuple[Path, Path]] = []
    made: list[Path] = []
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    try:
        for path in sorted(written):  # each replaced file is missing for one rename only
            if path in files:
                _move(output / path, retired / path, moved, made)
            _move(staging / path, output / path, moved, made)
        for path in sorted(files - kept - written):  # what the new site does not have
            _move(output / path, retired / path, moved, made)
    except BaseException:
        for source, target in reversed(moved):
            os.rename(target, source)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        shutil.rmtree(retired, ignore_errors=True)
        raise
    for folder in sorted(folders - needed, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (output / folder).rmdir()
    shutil.rmtree(retired, ignore_errors=True)
    return True


def _parents(path: str) -> list[str]:
    """The folders ``path`` is in, as site paths: ``a/b/c`` is in ``a`` and ``a/b``."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: index + 1]) for index in range(len(parts))]


def _move(source: Path, target: Path, moved: list[tuple[Path, Path]], made: list[Path]) -> None:
    """Rename ``source`` to ``target``, making its folders; note both for undoing."""
    missing = []
    folder = target.parent
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir()
        made.append(folder)
    os.rename(source, target)
    moved.append((source, target))


def _swap(staging: Path, output: Path) -> None:
    if not output.exists():
        staging.rename(output)
        return
    if not output.is_dir():
        raise WriteError(f"output path {output} exists and is not a folder")
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    retired.rmdir()
    output.rename(retired)
    try:
        staging.rename(output)
    except BaseException:
        retired.rename(output)
        raise
    shutil.rmtree(retired, ignore_errors=True)
