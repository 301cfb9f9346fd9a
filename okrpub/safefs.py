"""Files and folders reached without following a symbolic link.

Everything okrpub reads can be planted by a pull request, the project folder,
its cache folder and git objects alike, and a symbolic link there could make a
write land anywhere. These primitives are the one place that opens files and
folders for okrpub's own writes (and for its reads of what it made):

- :func:`open_folder` reaches a folder from ``/`` and :func:`descend` one below
  an open folder, each step opened with ``O_NOFOLLOW`` (optionally made);
- :func:`new_file` makes a file that did not exist (``O_EXCL | O_NOFOLLOW``);
- :func:`replace_file` and :func:`write_file` put a file in place whole, by a
  rename of a new file beside it;
- :func:`read_plain` and :func:`read_file` read a plain file (not a link, a
  pipe or a device, and without waiting on one);
- :func:`exchange` swaps two folders in one atomic rename (Linux).

A refused link is an ``OSError`` (``ELOOP``, or ``ENOTDIR`` for a folder);
callers turn it into their own message.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

#: A folder, never through a link.
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: A file to read, never through a link; non-blocking, so that a named pipe cannot make
#: okrpub wait.
FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
#: A new file: never one that exists, nor through a link.
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

#: What a file is written with: its bytes, or a function that writes them to a stream.
Content = bytes | Callable[[BinaryIO], object]


def open_folder(path: Path, *, create: bool = False) -> int:
    """A descriptor of the folder ``path``, reached from ``/`` without following a
    symbolic link (``OSError`` naming the link); with ``create``, the folders that are
    missing are made."""
    parts = Path(os.path.abspath(path)).parts
    descriptor = os.open(parts[0], FOLDER)
    for depth in range(1, len(parts)):
        try:
            inner = _inner_folder(descriptor, parts[depth], create, 0o777)
        except OSError as error:
            raise OSError(error.errno, error.strerror, os.path.join(*parts[: depth + 1])) from None
        finally:
            os.close(descriptor)
        descriptor = inner
    return descriptor


def descend(folder: int, names: Iterable[str], *, create: bool = False, mode: int = 0o777) -> int:
    """A new descriptor of the folder ``names`` below the open ``folder``, each step opened
    without following a link; with ``create``, missing folders are made with ``mode``."""
    descriptor = os.dup(folder)
    for name in names:
        try:
            inner = _inner_folder(descriptor, name, create, mode)
        finally:
            os.close(descriptor)
        descriptor = inner
    return descriptor


def _inner_folder(descriptor: int, name: str, create: bool, mode: int) -> int:
    try:
        return os.open(name, FOLDER, dir_fd=descriptor)
    except FileNotFoundError:
        if not create:
            raise
    with contextlib.suppress(FileExistsError):  # another process made it just now
        os.mkdir(name, mode, dir_fd=descriptor)
    return os.open(name, FOLDER, dir_fd=descriptor)


def new_file(
    path: Path | str, content: Content, *, mode: int = 0o666, folder: int | None = None
) -> None:
    """Write ``content`` to a new file at ``path`` (relative to the open ``folder`` if
    given): ``FileExistsError`` if anything is there, a symbolic link too."""
    descriptor = os.open(path, NEW_FILE, mode, dir_fd=folder)
    if not isinstance(content, bytes):
        with os.fdopen(descriptor, "wb") as file:
            content(file)
        return
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def replace_file(folder: int, name: str, content: Content, mode: int = 0o666) -> None:
    """Put ``content`` in the file ``name`` of the open ``folder`` whole or not at all: a new
    file beside it is written, then renamed over it (a link there is replaced, not followed)."""
    temporary = f".{name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary, dir_fd=folder)  # left by a process that died, with this number
    try:
        new_file(temporary, content, mode=mode, folder=folder)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def write_file(folder: Path, name: str, content: Content) -> None:
    """:func:`replace_file` of ``name`` in ``folder`` (made if missing), which is reached
    without following a link."""
    descriptor = open_folder(folder, create=True)
    try:
        replace_file(descriptor, name, content)
    finally:
        os.close(descriptor)


def read_plain(path: Path | str, *, folder: int | None = None, limit: int = -1) -> bytes:
    """The bytes (at most ``limit`` of them, if not -1) of the plain file at ``path``
    (relative to the open ``folder`` if given), never through a link; ``OSError`` if it
    is not a plain file."""
    descriptor = os.open(path, FILE, dir_fd=folder)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a plain file", str(path))
        return file.read(limit)


def read_unchanged(path: Path | str, written: tuple[int, int, int]) -> bytes | None:
    """The bytes of the plain file at ``path`` (never through a link) if it is still the
    file of that inode, size and modification time (``written``), else ``None``."""
    try:
        with os.fdopen(os.open(path, FILE), "rb") as file:
            found = os.fstat(file.fileno())
            signature = (found.st_ino, found.st_size, found.st_mtime_ns)
            if not stat.S_ISREG(found.st_mode) or signature != tuple(written):
                return None
            content = file.read()
    except OSError:
        return None
    return content if len(content) == written[1] else None


def read_file(folder: Path, name: str) -> bytes:
    """The bytes of the plain file ``name`` in ``folder``, reached without following a link."""
    descriptor = open_folder(folder)
    try:
        return read_plain(name, folder=descriptor)
    finally:
        os.close(descriptor)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    _renameat2.argtypes += [ctypes.c_uint]
    _renameat2.restype = ctypes.c_int


def exchange(first: Path, second: Path) -> None:
    """Swap two folders in one atomic rename (Linux 3.15, glibc 2.28); ``ENOSYS`` where
    there is no such call, ``EINVAL`` where the file system cannot."""
    if _renameat2 is None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))
    paths = os.fsencode(first), os.fsencode(second)
    if _renameat2(_AT_FDCWD, paths[0], _AT_FDCWD, paths[1], _RENAME_EXCHANGE) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), str(second))
