"""Writing: put the built site in place atomically.

The whole site is written into a fresh folder beside the output folder and
then swapped in with two renames, so a failed build leaves the previous site
exactly as it was, and no file of an earlier build survives a new one. Every
path is checked to stay inside the site, and no path may be written twice.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


class WriteError(Exception):
    """The site could not be written (a bug or a file system problem, not bad content)."""


def safe_relative_path(path: str) -> PurePosixPath:
    """``path`` as a relative path that cannot leave the site folder."""
    relative = PurePosixPath(path)
    if (
        relative.is_absolute()
        or not relative.parts
        or any(p in ("..", "", ".") for p in relative.parts)
    ):
        raise WriteError(f"refusing to write outside the site: {path!r}")
    return relative


def write_site(files: Mapping[str, bytes], output: Path) -> None:
    """Replace ``output`` with exactly ``files`` (site-relative path → content)."""
    folder = SiteFolder(output)
    try:
        for path, content in files.items():
            folder.add(path, content)
        folder.publish()
    except BaseException:
        folder.discard()
        raise


class SiteFolder:
    """A new site written file by file into a staging folder beside ``output``,
    then swapped in whole by :meth:`publish` (or removed by :meth:`discard`).

    ``build`` writes pages here as they are rendered, also from worker
    processes, so that the whole site is never in memory at once.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        self.staging: Path | None = None
        #: Folders already made in the staging folder (a page has a folder of its own).
        self._folders: set[Path] = set()

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

    def link(self, source: Path, path: str) -> bool:
        """Hard-link an unchanged file of the last build in; ``False`` if that cannot be done."""
        target = self._target(path)
        try:
            os.link(source, target)
        except FileExistsError:
            raise WriteError(f"two things want to be written to {path}") from None
        except OSError:  # a file system without hard links: render it instead
            return False
        return True

    def _target(self, path: str) -> Path:
        """Where ``path`` goes in the staging folder, its folder made."""
        target = self.open() / safe_relative_path(path)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def publish(self) -> None:
        _swap(self.open(), self.output)
        self.staging = None
        self._folders = set()

    def discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
            self._folders = set()


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
