"""Discovery: find the content files and say what each one is."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from pathlib import Path

from okrpub.diagnostics import Diagnostics, Location, escape_controls

DEFAULTS_FILE = "_defaults.yaml"
UNITS_DIR = "units"
PAGES_DIR = "pages"


_name = attrgetter("name")
_path = attrgetter("path")


class Kind(StrEnum):
    UNIT = "unit"
    OBJECTIVE = "objective"
    PAGE = "page"
    DEFAULTS = "defaults"


@dataclass(frozen=True, order=True)
class SourceFile:
    """A content file: ``path`` relative to the project (for messages), ``file`` to read
    (a string from discovery: thousands of ``Path`` objects take time to make)."""

    path: str
    file: str | Path
    kind: Kind


def is_ignored(name: str) -> bool:
    """Hidden files, READMEs and the temporary files editors leave behind."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith("~")
        or name.lower() == "readme.md"
        or "___jb_" in name
        or name == "4913"  # vim's test file
    )


def classify(relative: str) -> Kind | None:
    """What a file is, from its path relative to the content folder (``/``-separated)."""
    folder, _, name = relative.rpartition("/")
    return _kind(folder.partition("/")[0], name)


def _kind(top: str, name: str) -> Kind | None:
    """What the file ``name`` is, under the folder ``top`` of the content folder (``""``:
    in the content folder itself)."""
    if name == DEFAULTS_FILE:
        return Kind.DEFAULTS
    if not name.endswith(".md"):
        return None
    if top == UNITS_DIR:
        return Kind.UNIT
    if top == PAGES_DIR:
        return Kind.PAGE
    return Kind.OBJECTIVE


def discover(
    root: Path,
    content_dir: str,
    diagnostics: Diagnostics,
    links: list[str] | None = None,
    *,
    follow_links: bool = False,
    folders: list[str] | None = None,
) -> list[SourceFile]:
    """Every content file under ``root/content_dir``, in a stable order.

    A symbolic link (the content folder itself included) is an error unless
    ``follow_links`` (``follow_symlinks`` in ``okrpub.yaml``); then it is followed
    when it leads to a place inside the project that is not hidden, and a linked
    folder is visited only once; those followed are added to ``links``. A name
    that is not UTF-8 is an error too, and what it names is not read. Each folder
    walked is added to ``folders``, as its path under the content folder (``""``, then
    ``2026-Q4/``, ...).
    """
    content = root / content_dir
    if not content.is_dir():  # reported by the configuration stage
        return []
    folders = [] if folders is None else folders
    walk = _Walk(root, diagnostics, [] if links is None else links, follow_links, folders)
    if not walk.reaches(content_dir):
        return []
    shown = Path(content_dir).as_posix() + "/"
    walk.folder(str(content), shown, "", (os.path.realpath(content),))
    return sorted(walk.found, key=_path)


def escaped_name(name: str) -> str:
    """A file name as printable text: bytes that are not UTF-8, and control characters,
    as backslash escapes (``bad\\xff.md``)."""
    return escape_controls(os.fsencode(name).decode("utf-8", "backslashreplace"))


def _not_utf8(name: str) -> UnicodeDecodeError | None:
    """Why the bytes of a name read from the file system are not UTF-8, if they are not."""
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeDecodeError as error:
        return error
    return None


class _Walk:
    def __init__(
        self,
        root: Path,
        diagnostics: Diagnostics,
        links: list[str],
        follow_links: bool,
        folders: list[str],
    ) -> None:
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self.diagnostics = diagnostics
        self.links = links
        self.follow_links = follow_links
        self.found: list[SourceFile] = []
        self.folders = folders

    def reaches(self, content_dir: str) -> bool:
        """Whether the content folder may be read: each link on the way to it is followed."""
        parts = Path(content_dir).parts
        for end in range(1, len(parts) + 1):
            shown = "/".join(parts[:end])
            folder = str(self.root / shown)
            if os.path.islink(folder) and not self.follows(folder, shown):
                return False
        return True

    def folder(self, folder: str, shown: str, relative: str, chain: tuple[str, ...]) -> None:
        """Walk ``folder``: ``shown`` is its path in messages, ``relative`` its path under
        the content folder, ``chain`` the real paths of it and the folders above it."""
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=_name)
        self.folders.append(relative)
        top = relative.partition("/")[0]
        for entry in entries:
            name = entry.name
            # an ASCII name is UTF-8: most are, and telling costs little
            if is_ignored(name) or not (name.isascii() or self.named_in_utf8(entry, shown)):
                continue
            link = entry.is_symlink()
            if link and not self.follows(entry.path, shown + name):
                continue
            # a link that loops is no folder (where DirEntry.is_dir would raise)
            if os.path.isdir(entry.path) if link else entry.is_dir():
                real = os.path.realpath(entry.path) if link else os.path.join(chain[-1], name)
                if real in chain:  # a link back up the tree would loop forever
                    continue
                self.folder(entry.path, f"{shown}{name}/", f"{relative}{name}/", (*chain, real))
                continue
            kind = _kind(top, name)
            if kind is not None:
                self.found.append(SourceFile(shown + name, entry.path, kind))

    def named_in_utf8(self, entry: os.DirEntry[str], shown: str) -> bool:
        """Whether the entry's name is UTF-8; a name that is not cannot be shown or published."""
        error = _not_utf8(entry.name)
        if error is None:
            return True
        what = "folder" if entry.is_dir(follow_symlinks=False) else "file"
        self.diagnostics.error(
            Location(shown + escaped_name(entry.name)),
            "encoding",
            f"{what} name is not UTF-8 (byte 0x{error.object[error.start]:02x} at offset "
            f"{error.start}); okrpub does not read it: rename it in UTF-8",
        )
        return False

    def follows(self, link: str, shown: str) -> bool:
        """Whether to follow the symbolic link at ``link``; if not, it is reported why."""
        if not self.follow_links:
            self.refuse(
                shown,
                "symbolic link: okrpub follows links only when okrpub.yaml sets "
                "follow_symlinks: true; put the file or folder itself here, or set that key",
            )
            return False
        real = Path(os.path.realpath(link))
        if not real.is_relative_to(self.real_root):
            self.refuse(
                shown, "symbolic link points outside the project; okrpub does not follow it"
            )
            return False
        if any(is_ignored(part) for part in real.relative_to(self.real_root).parts):
            self.refuse(
                shown,
                "symbolic link points into a hidden or ignored place (such as .git); "
                "okrpub does not follow it",
            )
            return False
        self.links.append(shown)
        return True

    def refuse(self, shown: str, message: str) -> None:
        self.diagnostics.error(Location(shown), "symlink", message)


def rediscover(
    found: list[SourceFile], changed: frozenset[str], root: Path, content_dir: str
) -> list[SourceFile] | None:
    """What discovery would find now, given that it ``found`` these files and that only
    the files at ``changed`` (project-relative paths) were made, changed or removed since.

    ``serve`` knows from its watcher what changed, and needs not walk thousands of
    folders for it. ``None`` when only a whole discovery can tell: a path outside the
    content folder, a symbolic link, or a name that is not UTF-8.
    """
    prefix = Path(content_dir).as_posix() + "/"
    files = {source.path: source for source in found}
    same_paths = True
    for path in changed:
        if not path.startswith(prefix) or _not_utf8(path) is not None:
            return None
        relative = path[len(prefix) :]
        kind = classify(relative)
        if kind is None or any(is_ignored(part) for part in relative.split("/")):
            continue
        file = root / path
        if file.is_symlink():
            return None
        if file.is_file():
            same_paths = same_paths and path in files
            files[path] = SourceFile(path, str(file), kind)
        elif files.pop(path, None) is not None:
            same_paths = False
    return found if same_paths else sorted(files.values())
