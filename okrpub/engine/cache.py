"""The cache folder: what loading each content file gave, kept between runs.

Reading, parsing and validating the files is most of ``check``'s time, and
nearly all of it is the same as last time. ``load.py`` keys what one file
gave by the file's path and a digest of its bytes and of the
``_defaults.yaml`` files that apply to it; this store keeps those results in
one SQLite database in the project's ``cache_dir`` (``.okrpub-cache`` by
default), under a version made from okrpub's own source code and the Python
running it: upgrading okrpub, or editing its code, starts an empty cache.
A wrong hit would be a wrong site, so there is no shortcut through file
times or sizes. What a file loads to does not depend on ``okrpub.yaml`` or
the theme, so changing those keeps the cache (the pages are rendered anew).

The results are pickled, and unpickling runs code, while the project folder
comes from pull requests: a committed ``.okrpub-cache`` (or a ``cache_dir``
pointing at one) must not run anything in CI. So every row is sealed with an
MAC (keyed BLAKE2b) under a secret key that lives outside the project, in the user's cache
folder (``$XDG_CACHE_HOME/okrpub/cache-key``, made on first use, readable by
the user only); a row that does not carry a valid seal is never unpickled.

The folder itself is untrusted input too: committed by mistake, or planted by
a pull request, whatever is in it may cost a rebuild and nothing more. Nothing
in it is reached through a symbolic link (every folder on the way is opened
with ``O_NOFOLLOW``, every file too), and :func:`surprise` finds what okrpub
never makes there: a link, anything but plain files and folders, folders
deeper than its own, a database journal that names another file (SQLite
deletes that file when it rolls the journal back). The database is read with
``trusted_schema`` off, and only if it holds okrpub's tables and nothing else
(a view or a trigger could loop forever), with values of their types. Any
surprise, and none of the cache is used.

A cache that cannot be used (a read-only folder, a damaged database, a
surprise) is never an error: okrpub loads everything and says why in
:attr:`CacheStore.problem`, one line the command line prints.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import sqlite3
import stat
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import BinaryIO

import okrpub

DATABASE = "load.sqlite"
#: How long to wait for another okrpub process (a ``serve`` beside a ``build``) to finish writing.
BUSY_TIMEOUT_SECONDS = 10.0


KEY_FILE = "cache-key"
KEY_SIZE = 32
SEAL_SIZE = 32
#: okrpub's tables, by name: the database may hold nothing else (but the index SQLite
#: makes for the primary key), so that reading it runs nothing a pull request wrote.
TABLES = {
    "files": "(path TEXT PRIMARY KEY, digest BLOB NOT NULL, payload BLOB NOT NULL)",
    "meta": "(version TEXT NOT NULL)",
}
#: The database's schema as SQLite keeps it (``sqlite_master``), in order.
SCHEMA = (
    ("index", "sqlite_autoindex_files_1", "files", None),
    *(("table", name, name, f"CREATE TABLE {name} {columns}") for name, columns in TABLES.items()),
)
#: The rollback journal SQLite keeps beside the database during a transaction.
JOURNAL = f"{DATABASE}-journal"
#: The ``compiled-templates/<version>/<file>`` of :mod:`okrpub.site.theme` are the deepest.
FOLDER_DEPTH = 2
#: What ends an SQLite rollback journal that names a super-journal (then deleted by SQLite).
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: Non-blocking, so that a named pipe cannot make okrpub wait.
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class CacheProblem(Exception):
    """Something in the cache folder that okrpub did not put there."""


def key_file() -> Path:
    """Where the secret key that seals cache rows is kept: never inside a project."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "okrpub" / KEY_FILE


def secret_key() -> bytes:
    """The user's cache key, made (readable by the user only) when there is none yet, or
    when the file holds anything but a key (a run that died while making it once left it
    empty; an empty key seals nothing)."""
    path = key_file()
    key = _read_key(path)
    if key is not None:
        return key
    key = secrets.token_bytes(KEY_SIZE)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _replace(descriptor, path.name, key, 0o600)
    finally:
        os.close(descriptor)
    # another okrpub starting at the same time may have put its own there since
    return _read_key(path) or key


def _read_key(path: Path) -> bytes | None:
    """The key in ``path`` (not followed if it is a link), if it is one."""
    try:
        descriptor = os.open(path, _FILE)
    except FileNotFoundError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        key = file.read(KEY_SIZE + 1)
    return key if len(key) == KEY_SIZE else None


def open_folder(path: Path, *, create: bool = False) -> int:
    """A descriptor of the folder ``path``, reached from ``/`` without following a
    symbolic link (``OSError`` naming the link); with ``create``, the folders that are
    missing are made."""
    parts = Path(os.path.abspath(path)).parts
    descriptor = os.open(parts[0], _FOLDER)
    for depth in range(1, len(parts)):
        try:
            inner = _inner_folder(descriptor, parts[depth], create)
        except OSError as error:
            raise OSError(error.errno, error.strerror, os.path.join(*parts[: depth + 1])) from None
        finally:
            os.close(descriptor)
        descriptor = inner
    return descriptor


def _inner_folder(descriptor: int, name: str, create: bool) -> int:
    try:
        return os.open(name, _FOLDER, dir_fd=descriptor)
    except FileNotFoundError:
        if not create:
            raise
    with contextlib.suppress(FileExistsError):  # another okrpub made it just now
        os.mkdir(name, dir_fd=descriptor)
    return os.open(name, _FOLDER, dir_fd=descriptor)


def read_file(folder: Path, name: str) -> bytes:
    """The bytes of the plain file ``name`` in ``folder``, reached without following a link."""
    descriptor = open_folder(folder)
    try:
        file_descriptor = os.open(name, _FILE, dir_fd=descriptor)
    finally:
        os.close(descriptor)
    with os.fdopen(file_descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file_descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a plain file", name)
        return file.read()


#: What a file is written with: its bytes, or a function that writes them to a stream.
Content = bytes | Callable[[BinaryIO], object]


def write_file(folder: Path, name: str, content: Content) -> None:
    """Make the file ``name`` in ``folder`` (made if missing) whole or not at all: a new
    file beside it is written, then takes its place. No link is followed."""
    descriptor = open_folder(folder, create=True)
    try:
        _replace(descriptor, name, content, 0o666)
    finally:
        os.close(descriptor)


def _replace(folder: int, name: str, content: Content, mode: int) -> None:
    """Write ``content`` into a new file in ``folder``, then rename it to ``name``."""
    temporary = f".{name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary, dir_fd=folder)  # left by a process that died, with this number
    descriptor = os.open(temporary, _NEW_FILE, mode, dir_fd=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            if isinstance(content, bytes):
                file.write(content)
            else:
                content(file)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


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
                inner = os.open(entry.name, _FOLDER, dir_fd=descriptor)
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
        journal = os.open(JOURNAL, _FILE, dir_fd=descriptor)
    except FileNotFoundError:
        return None
    with os.fdopen(journal, "rb") as file:
        file.seek(max(os.fstat(journal).st_size - len(JOURNAL_MAGIC), 0))
        names_another = file.read() == JOURNAL_MAGIC
    return f"{JOURNAL} names another file" if names_another else None


def new_mac(key: bytes, path: str, digest: bytes) -> hashlib.blake2b:
    """A keyed BLAKE2b (a MAC, RFC 7693) of a row's path and digest, to be updated with
    its payload."""
    mac = hashlib.blake2b(path.encode(), key=key, digest_size=SEAL_SIZE)
    mac.update(b"\0")
    mac.update(digest)
    return mac


def _mac(key: bytes, path: str, digest: bytes, payload: bytes | memoryview) -> bytes:
    """The MAC of the row's path, digest and payload."""
    mac = new_mac(key, path, digest)
    mac.update(payload)
    return mac.digest()


def seal(key: bytes, path: str, digest: bytes, payload: bytes) -> bytes:
    """The payload with a MAC of the row's path, digest and payload in front."""
    return _mac(key, path, digest, payload) + payload


def unseal(key: bytes, path: str, digest: bytes, sealed: bytes) -> bytes | None:
    """The payload, if the seal is valid; else ``None``."""
    payload = unsealed_view(key, path, digest, sealed)
    return payload.tobytes() if payload is not None else None


def unsealed_view(key: bytes, path: str, digest: bytes, sealed: bytes) -> memoryview | None:
    """The payload as a view into ``sealed`` (no copy), if the seal is valid; else ``None``."""
    payload = memoryview(sealed)[SEAL_SIZE:]
    valid = hmac.compare_digest(_mac(key, path, digest, payload), sealed[:SEAL_SIZE])
    return payload if valid else None


@cache
def code_version() -> str:
    """A digest of okrpub's Python source, its version and the Python version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{okrpub.__version__} {sys.version}".encode())
    package = Path(okrpub.__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


class CacheStore:
    """Sealed, pickled load results by path, each with the digest it was made from.

    The folder and database are made on first use, so that a command that
    stops early (a refused ``--out``) leaves nothing behind.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: Why the cache is not (or no longer) used, for the command line to print.
        self.problem: str | None = None
        self._rows: dict[str, tuple[bytes, bytes]] = {}
        self._paths: set[str] = set()
        self._written: dict[str, tuple[bytes, bytes]] = {}
        self._connection: sqlite3.Connection | None = None
        self._opened = False
        self._key = b""

    def _use(self) -> None:
        if self._opened:
            return
        self._opened = True
        try:
            self._open()
        except (OSError, sqlite3.Error, CacheProblem) as error:
            self._fail(error)

    def _open(self) -> None:
        self._key = secret_key()
        found = surprise(self.folder)
        if found:
            raise CacheProblem(found)
        os.close(open_folder(self.folder, create=True))
        connection = sqlite3.connect(self.folder / DATABASE, timeout=BUSY_TIMEOUT_SECONDS)
        self._connection = connection
        connection.execute("PRAGMA trusted_schema = OFF")
        for name, columns in TABLES.items():
            connection.execute(f"CREATE TABLE IF NOT EXISTS {name} {columns}")
        if _schema(connection) != SCHEMA:
            raise CacheProblem(f"{DATABASE} holds more than okrpub's tables")
        stored = connection.execute("SELECT version FROM meta").fetchone()
        if stored is None or stored[0] != code_version():
            with connection:
                connection.execute("DELETE FROM files")
                connection.execute("DELETE FROM meta")
                connection.execute("INSERT INTO meta VALUES (?)", (code_version(),))
        self._rows = {}
        for path, digest, payload in connection.execute("SELECT path, digest, payload FROM files"):
            if (type(path), type(digest), type(payload)) != (str, bytes, bytes):
                raise CacheProblem(f"{DATABASE} holds values of another type")
            self._rows[path] = (digest, payload)
        self._paths = set(self._rows)

    def _fail(self, error: Exception) -> None:
        self.problem = f"cache in {self.folder} not used: {error}"
        self._rows, self._paths, self._written = {}, set(), {}
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def get(self, path: str, digest: bytes) -> bytes | None:
        """The payload stored for ``path`` if it was made from ``digest`` and its seal holds.

        Each row is handed out once (the caller keeps what it unpickles), so
        that the rows do not stay in memory beside what they hold.
        """
        self._use()
        row = self._rows.pop(path, None)
        if row is None or row[0] != digest:
            return None
        return unseal(self._key, path, digest, row[1])

    def put(self, path: str, digest: bytes, payload: bytes) -> None:
        self._use()
        self._written[path] = (digest, seal(self._key, path, digest, payload))

    def save(self, paths: set[str]) -> None:
        """Write what changed, and forget files that are not in ``paths`` any more."""
        self._use()
        connection = self._connection
        if connection is None:
            return
        gone = [(path,) for path in self._paths - paths]
        written = [(path, *row) for path, row in self._written.items() if path in paths]
        self._paths = (self._paths & paths) | {path for path, _, _ in written}
        self._written = {}
        if not gone and not written:
            return
        try:
            with connection:
                connection.executemany("DELETE FROM files WHERE path = ?", gone)
                connection.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", written)
        except sqlite3.Error as error:
            self._fail(error)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _schema(connection: sqlite3.Connection) -> tuple[tuple[object, ...], ...]:
    """What the database holds: views, triggers and indexes as well as tables."""
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name, tbl_name, sql"
    return tuple(connection.execute(query))
