"""The cache folder as okrpub leaves it: anything else there means none of it is used.

The folder is untrusted input (:mod:`okrpub.engine.cache`): :func:`surprise`
finds what okrpub never makes there.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from okrpub.safefs import FILE, FOLDER, open_folder

DATABASE = "load.sqlite"
#: The rollback journal SQLite keeps beside the database during a transaction.
JOURNAL = f"{DATABASE}-journal"
#: How deep the folders okrpub made there go: the ``compiled-templates/<version>/<file>``
#: that earlier versions kept there (never read now) are the deepest.
FOLDER_DEPTH = 2
#: What ends an SQLite rollback journal that names a super-journal (then deleted by SQLite).
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def surprise(folder: Path) -> str | None:
    """What the cache ``folder`` holds that okrpub never puts there, if anything: then
    none of it may be used. A folder that is not there yet holds nothing."""
    try:
        descriptor = open_folder(folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        return _refused(error)
    try:
        return _surprise_in(descriptor, "", FOLDER_DEPTH) or _journal_surprise(descriptor)
    except OSError as error:
        return _refused(error)
    finally:
        os.close(descriptor)


def _refused(error: OSError) -> str:
    """Why a folder on the way to the cache could not be opened."""
    if error.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(error.filename):
        return f"{error.filename} is a symbolic link"
    return str(error)


def _surprise_in(descriptor: int, where: str, depth: int) -> str | None:
    """The first thing in the folder ``descriptor`` (at ``where``) that is neither a plain
    file nor a folder at most ``depth`` deep."""
    with os.scandir(descriptor) as entries:
        for entry in entries:
            path = where + entry.name
            if entry.is_symlink():
                return f"{path} is a symbolic link"
            if entry.is_dir(follow_symlinks=False):
                if depth == 0:
                    return f"{path} is a folder deeper than okrpub makes"
                inner = os.open(entry.name, FOLDER, dir_fd=descriptor)
                try:
                    found = _surprise_in(inner, f"{path}/", depth - 1)
                finally:
                    os.close(inner)
                if found:
                    return found
            elif not entry.is_file(follow_symlinks=False):
                return f"{path} is not a plain file"
    return None


def _journal_surprise(descriptor: int) -> str | None:
    """SQLite deletes the super-journal a rollback journal names, wherever it is; okrpub's
    transactions have none."""
    try:
        journal = os.open(JOURNAL, FILE, dir_fd=descriptor)
    except FileNotFoundError:
        return None
    with os.fdopen(journal, "rb") as file:
        file.seek(max(os.fstat(journal).st_size - len(JOURNAL_MAGIC), 0))
        names_another = file.read() == JOURNAL_MAGIC
    return f"{JOURNAL} names another file" if names_another else None
