"""Discovery: find the content files and say what each one is."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from okrpub.diagnostics import Diagnostics, Location

DEFAULTS_FILE = "_defaults.yaml"
UNITS_DIR = "units"
PAGES_DIR = "pages"


class Kind(StrEnum):
    UNIT = "unit"
    OBJECTIVE = "objective"
    PAGE = "page"
    DEFAULTS = "defaults"


@dataclass(frozen=True, order=True)
class SourceFile:
    """A content file: ``path`` relative to the project (for messages), ``file`` to read."""

    path: str
    file: Path
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


def _classify(relative: Path) -> Kind | None:
    if relative.name == DEFAULTS_FILE:
        return Kind.DEFAULTS
    if relative.suffix != ".md":
        return None
    top = relative.parts[0] if len(relative.parts) > 1 else ""
    if top == UNITS_DIR:
        return Kind.UNIT
    if top == PAGES_DIR:
        return Kind.PAGE
    return Kind.OBJECTIVE


def discover(root: Path, content_dir: str, diagnostics: Diagnostics) -> list[SourceFile]:
    """Every content file under ``root/content_dir``, in a stable order.

    Symbolic links are followed only when they stay inside the project, and
    every folder is visited once.
    """
    content = root / content_dir
    if not content.is_dir():  # reported by the configuration stage
        return []
    real_root = root.resolve()
    found: list[SourceFile] = []
    seen_folders = {content.resolve()}
    for folder, subfolders, names in os.walk(content, followlinks=True):
        here = Path(folder)
        kept = []
        for name in sorted(subfolders):
            if is_ignored(name) or not _inside(here / name, real_root, root, diagnostics):
                continue
            real = (here / name).resolve()
            if real in seen_folders:  # a link back up the tree would loop forever
                continue
            seen_folders.add(real)
            kept.append(name)
        subfolders[:] = kept
        for name in sorted(names):
            if is_ignored(name):
                continue
            file = here / name
            relative = file.relative_to(content)
            kind = _classify(relative)
            if kind is None or not _inside(file, real_root, root, diagnostics):
                continue
            found.append(SourceFile(file.relative_to(root).as_posix(), file, kind))
    return sorted(found)


def _inside(path: Path, real_root: Path, root: Path, diagnostics: Diagnostics) -> bool:
    if not path.is_symlink():
        return True
    target = path.resolve()
    if target.is_relative_to(real_root):
        return True
    diagnostics.error(
        Location(path.relative_to(root).as_posix()),
        "symlink",
        "symbolic link points outside the project; okrpub does not follow it",
    )
    return False
