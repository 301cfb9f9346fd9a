"""The output's lock: one build at a time writes an output folder.

The lock is a file beside the output folder (``.<name>.okrpub-lock``), held
with ``flock`` while a build writes (:func:`output_lock`). It is made without
following a link, must be an empty regular file, and is removed by the build
that holds it; a build waiting for it then takes the new one. Before the
build writes, the swap of a build killed between its renames is finished
(:func:`~okrpub.site.write.finish_swap`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from okrpub.site.write import WriteError, beside, failing_as, finish_swap, in_the_way


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the lock of ``output`` (a real path, no symbolic link) while the body runs,
    having first finished the swap of a build killed during it; while another build
    holds the lock, a :class:`WriteError`."""
    output = output.absolute()
    lock = beside(output, "okrpub-lock")
    made: list[Path] = []
    try:
        with failing_as(f"cannot write beside {output}"):
            _make_folders(output.parent, made)
            descriptor = _take_lock(lock, output)
        try:
            with failing_as(f"cannot put back the site a killed build left beside {output}"):
                finish_swap(output)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lock)  # while holding it: a build waiting for this file then retries
            os.close(descriptor)
    finally:
        if not os.path.lexists(output):  # no site: no folder made for it either
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Make ``folder`` and the folders it is in that are missing, noting each in ``made``."""
    if not os.path.isdir(folder):
        _make_folders(folder.parent, made)
        folder.mkdir()
        made.append(folder)


def _take_lock(lock: Path, output: Path) -> int:
    """An open descriptor of the lock file, locked; made if missing, never through a link."""
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EISDIR):
                raise WriteError(in_the_way(lock)) from None
            raise
        try:
            held = os.fstat(descriptor)
            if not stat.S_ISREG(held.st_mode) or held.st_size:
                raise WriteError(in_the_way(lock))
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WriteError(
                    f"another okrpub build is writing {output}; run this one when it has finished"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(held, os.lstat(lock)):
                    return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # the build that held it removed it: take the new one
