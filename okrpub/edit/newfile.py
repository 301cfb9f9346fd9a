"""Making a new file in a project (``init``, ``new``) without following a symbolic link.

A repository can hold symbolic links: a file name that is a link (even to
nothing yet) is never written through, and a folder on the way may be a link
only to a folder inside the project, as discovery follows them.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from okrpub.errors import UsageError
from okrpub.safefs import new_file


def folder_problem(root: Path, relative: str) -> str | None:
    """Why the folders of ``root/relative`` cannot take a new file (``None``: they can):
    one is not a folder, or is a symbolic link that leads outside ``root``."""
    real_root = Path(os.path.realpath(root))
    folder = PurePosixPath()
    for part in PurePosixPath(relative).parent.parts:
        folder /= part
        path = root / folder
        if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(real_root):
            return f"{folder} is a symbolic link to outside the project; okrpub does not follow it"
        if not os.path.lexists(path):
            return None  # this folder and those below it are made
        if not path.is_dir():
            return f"{folder} is not a folder"
    return None


def create_file(root: Path, relative: str, text: str) -> None:
    """Write ``text`` to the new file ``root/relative``, making its folders.

    ``FileExistsError`` if anything is at its place, a symbolic link too;
    :class:`UsageError` if a folder on the way is not one or leads outside ``root``.
    """
    problem = folder_problem(root, relative)
    if problem is not None:
        raise UsageError(f"refusing to write {relative}: {problem}")
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    new_file(target, text.encode("utf-8"))
