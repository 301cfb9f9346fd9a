"""Helpers for the tests of the output folder: what lies beside it (its lock file and
spare folder, docs/site.md) and what the spare folder holds."""

from __future__ import annotations

import os
from pathlib import Path

from okrpub.site.write import MARK, MARK_NAME


def beside(folder: Path) -> list[str]:
    """The names in the folder that holds ``folder``."""
    return sorted(os.listdir(folder.parent))


def lock_of(out: Path) -> Path:
    """The lock file of builds into ``out`` (docs/site.md)."""
    return out.parent / f".{out.name}.okrpub-lock"


def spare_of(out: Path) -> Path:
    """The spare folder beside ``out`` (docs/site.md)."""
    return out.parent / f".{out.name}.okrpub-spare"


def same_file(first: Path, second: Path) -> bool:
    """The very same file (a hard link), or where the file system makes none, a copy."""
    return (
        os.path.samestat(first.lstat(), second.lstat()) or first.read_bytes() == second.read_bytes()
    )


def strays_in_spare(out: Path) -> list[str]:
    """What the spare folder of ``out`` holds besides its mark and the very files of the
    site at the same paths: files, links, empty folders the site does not have."""
    spare, strays = spare_of(out), []
    for path in sorted(spare.rglob("*")):
        name = path.relative_to(spare).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()) and not (out / name).is_dir():
                strays.append(f"{name}/")
        elif name == MARK_NAME:
            if path.is_symlink() or path.read_bytes() != MARK:
                strays.append(name)
        elif path.is_symlink() or not (out / name).is_file() or not same_file(path, out / name):
            strays.append(name)
    return strays
