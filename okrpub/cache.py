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

A cache that cannot be used (a read-only folder, a damaged database) is
never an error: okrpub loads everything and says why in :attr:`CacheStore.problem`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import sys
from functools import cache
from pathlib import Path

import okrpub

DATABASE = "load.sqlite"
#: How long to wait for another okrpub process (a ``serve`` beside a ``build``) to finish writing.
BUSY_TIMEOUT_SECONDS = 10.0


KEY_FILE = "cache-key"
KEY_SIZE = 32
SEAL_SIZE = 32

#: Non-blocking, so that a named pipe cannot make okrpub wait.
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


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


def _replace(folder: int, name: str, content: bytes, mode: int) -> None:
    """Write ``content`` into a new file in ``folder``, then rename it to ``name``."""
    temporary = f".{name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary, dir_fd=folder)  # left by a process that died, with this number
    descriptor = os.open(temporary, _NEW_FILE, mode, dir_fd=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


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
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode())
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
        except (OSError, sqlite3.Error) as error:
            self._fail(error)

    def _open(self) -> None:
        self._key = secret_key()
        self.folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.folder / DATABASE, timeout=BUSY_TIMEOUT_SECONDS)
        self._connection = connection
        connection.execute("CREATE TABLE IF NOT EXISTS meta (version TEXT NOT NULL)")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS files "
            "(path TEXT PRIMARY KEY, digest BLOB NOT NULL, payload BLOB NOT NULL)"
        )
        stored = connection.execute("SELECT version FROM meta").fetchone()
        if stored is None or stored[0] != code_version():
            with connection:
                connection.execute("DELETE FROM files")
                connection.execute("DELETE FROM meta")
                connection.execute("INSERT INTO meta VALUES (?)", (code_version(),))
        self._rows = {
            path: (digest, payload)
            for path, digest, payload in connection.execute(
                "SELECT path, digest, payload FROM files"
            )
        }
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
