"""The cache folder: what loading each content file gave, kept between runs.

:mod:`okrpub.engine.loader` keys what one file gave by the file's path and a
digest of its bytes and of the ``_defaults.yaml`` files that apply to it; this
store keeps those results in one SQLite database in the project's
``cache_dir`` (``.okrpub-cache`` by default), under a version made from
okrpub's own source code and the Python running it: upgrading okrpub, or
editing its code, starts an empty cache. A file is known unchanged without
reading it only by a signature that any write changes
(:mod:`okrpub.engine.signatures`).

The results are plain data (msgpack): reading them runs nothing, and one
that does not decode is a miss. Table ``results`` keeps other results by kind
and key, each under the digest of its inputs: the files' signatures, outlines,
the content folder's listing, ``check``'s resolution, each objective's warnings.

A row that does decode is believed, so the store is bound to the place okrpub
made it: the folder holds an empty file, ``place``, that okrpub creates and
never changes, and the database and the build's parts (:mod:`okrpub.engine.reuse`)
are valid only under the :func:`store_version` of that very file (its device,
inode and change time, which no commit, copy or restored archive reproduces).
A cache folder committed by a pull request, or copied from elsewhere, is
therefore never believed: it costs one full load, then okrpub's own rows
replace it.

The folder itself is untrusted input too: committed by mistake, or planted by
a pull request, whatever is in it may cost a rebuild. Nothing in it is
reached through a symbolic link (every folder on the way is opened with
``O_NOFOLLOW``, every file too), and :mod:`okrpub.engine.cachefolder` finds
what okrpub never makes there: a link, anything but plain files and folders,
folders deeper than okrpub ever made, a database journal that names another
file (SQLite deletes that file when it rolls the journal back). The database is
read with ``trusted_schema`` off, and only if it holds okrpub's tables and
nothing else (a view or a trigger could loop forever), with values of their
types. Any surprise, and none of the cache is used.

A cache that cannot be used is never an error: :attr:`CacheStore.problem` says why.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from pathlib import Path

import okrpub
from okrpub.engine.cachefolder import DATABASE, surprise
from okrpub.safefs import FILE, NEW_FILE, open_folder

#: How long to wait for another okrpub process (a ``serve`` beside a ``build``) to finish writing.
BUSY_TIMEOUT_SECONDS = 10.0


#: okrpub's tables, by name: the database may hold nothing else (but the index SQLite
#: makes for the primary key), so that reading it runs nothing a pull request wrote.
TABLES = {
    "files": "(path TEXT PRIMARY KEY, digest BLOB NOT NULL, payload BLOB NOT NULL)",
    "meta": "(version TEXT NOT NULL)",
    #: What one item (an objective) gave a later stage (its lint warnings), by the item's
    #: key and the kind of result, with the digest of everything it was made from.
    "results": "(kind TEXT, key TEXT, digest BLOB NOT NULL, payload BLOB NOT NULL, "
    "PRIMARY KEY (kind, key))",
}
#: The database's schema as SQLite keeps it (``sqlite_master``), in order.
SCHEMA = (
    ("index", "sqlite_autoindex_files_1", "files", None),
    ("index", "sqlite_autoindex_results_1", "results", None),
    *(("table", name, name, f"CREATE TABLE {name} {columns}") for name, columns in TABLES.items()),
)
#: The empty file whose identity binds the store to its folder (:func:`store_version`).
PLACE = "place"

#: An SQL statement, and the rows to run it on.
Statement = tuple[str, Sequence[tuple[object, ...]]]
_PUT = "INSERT OR REPLACE INTO files VALUES (?, ?, ?)"
_FORGET = "DELETE FROM results WHERE kind = ? AND key = ?"
_KEEP = "INSERT OR REPLACE INTO results VALUES (?,?,?,?)"


class CacheProblem(Exception):
    """Something in the cache folder that okrpub did not put there."""


def store_version(folder: Path, *, create: bool) -> str | None:
    """The version the store in ``folder`` must carry to be believed: okrpub's code and
    the identity of the folder's ``place`` file (made first when ``create``); ``None``
    when there is no such file (and ``create`` is false)."""
    descriptor = open_folder(folder, create=create)
    try:
        try:
            marker = os.open(PLACE, FILE, dir_fd=descriptor)
        except FileNotFoundError:
            if not create:
                return None
            marker = os.open(PLACE, NEW_FILE, 0o600, dir_fd=descriptor)
        try:
            place = os.fstat(marker)
        finally:
            os.close(marker)
    finally:
        os.close(descriptor)
    if not stat.S_ISREG(place.st_mode):
        raise CacheProblem(f"{PLACE} is not a plain file")
    return f"{code_version()} {place.st_dev}:{place.st_ino}:{place.st_ctime_ns}"


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
    """Encoded load results by path, and other results by kind and key, each with the
    digest it was made from.

    The folder and database are made on first use, so that a command that
    stops early (a refused ``--out``) leaves nothing behind.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: Why the cache is not (or no longer) used, for the command line to print.
        self.problem: str | None = None
        #: The rows of ``files``, read on first use by :meth:`get` (``None`` until then).
        self._rows: dict[str, tuple[bytes, bytes]] | None = None
        #: The paths ``files`` has rows for (``None`` until first needed).
        self._paths: set[str] | None = None
        self._written: dict[str, tuple[bytes, bytes]] = {}
        #: The stored results of each kind read so far, by key: (digest, payload).
        self._results: dict[str, dict[str, tuple[bytes, bytes]]] = {}
        self._connection: sqlite3.Connection | None = None
        self._opened = False
        self._batched = False

    def _use(self) -> None:
        if self._opened:
            return
        self._opened = True
        try:
            self._open()
        except (OSError, sqlite3.Error, CacheProblem) as error:
            self._fail(error)

    def _open(self) -> None:
        found = surprise(self.folder)
        if found:
            raise CacheProblem(found)
        version = store_version(self.folder, create=True)
        connection = sqlite3.connect(self.folder / DATABASE, timeout=BUSY_TIMEOUT_SECONDS)
        self._connection = connection
        connection.execute("PRAGMA trusted_schema = OFF")
        for name, columns in TABLES.items():
            connection.execute(f"CREATE TABLE IF NOT EXISTS {name} {columns}")
        if _schema(connection) != SCHEMA:
            raise CacheProblem(f"{DATABASE} holds more than okrpub's tables")
        stored = connection.execute("SELECT version FROM meta").fetchone()
        if stored is None or stored[0] != version:
            with connection:
                connection.execute("DELETE FROM files")
                connection.execute("DELETE FROM results")
                connection.execute("DELETE FROM meta")
                connection.execute("INSERT INTO meta VALUES (?)", (version,))

    def _fail(self, error: Exception) -> None:
        self.problem = f"cache in {self.folder} not used: {error}"
        self._rows, self._paths, self._written, self._results = {}, set(), {}, {}
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def get(self, path: str, digest: bytes) -> bytes | None:
        """The payload stored for ``path`` if it was made from ``digest``: untrusted bytes.

        The first call reads every row (a ``build`` needs nearly all). Each row
        is handed out once (the caller keeps what it decodes), so that the rows
        do not stay in memory beside what they hold.
        """
        rows = self._files()
        row = rows.pop(path, None)
        if row is None or row[0] != digest:
            return None
        return row[1]

    def one(self, path: str, digest: bytes) -> bytes | None:
        """What :meth:`get` gives, reading that row alone (``check`` needs few)."""
        if self._rows is not None:
            return self.get(path, digest)
        query = "SELECT path, digest, payload FROM files WHERE path = ?"
        row = self._query(query, (path,)).get(path)
        return row[1] if row is not None and row[0] == digest else None

    def _files(self) -> dict[str, tuple[bytes, bytes]]:
        """The rows of ``files`` not handed out yet, read on first use."""
        if self._rows is None:
            self._rows = self._query("SELECT path, digest, payload FROM files")
            if self._paths is None:
                self._paths = set(self._rows)
        return self._rows

    def _stored_paths(self) -> set[str]:
        """The paths ``files`` has rows for; the types of every row are checked, the
        payloads not read."""
        if self._paths is None:
            payload = "CASE typeof(payload) WHEN 'blob' THEN x'' END"
            self._paths = set(self._query(f"SELECT path, digest, {payload} FROM files"))
        return self._paths

    def _query(self, query: str, values: tuple[str, ...] = ()) -> dict[str, tuple[bytes, bytes]]:
        """The rows ``query`` selects (key, digest, payload), by key; none when the store
        cannot be used."""
        self._use()
        if self._connection is None:
            return {}
        try:
            return _typed_rows(self._connection.execute(query, values))
        except (sqlite3.Error, CacheProblem) as error:
            self._fail(error)
            return {}

    def put(self, path: str, digest: bytes, payload: bytes) -> None:
        self._use()
        self._written[path] = (digest, payload)

    def save(self, paths: set[str]) -> None:
        """Write what changed, and forget files that are not in ``paths`` any more."""
        stored = self._stored_paths()
        gone = [(path,) for path in stored - paths]
        written = [(path, *row) for path, row in self._written.items() if path in paths]
        self._paths = (stored & paths) | {path for path, _, _ in written}
        self._written = {}
        self._write(("DELETE FROM files WHERE path = ?", gone), (_PUT, written))

    def result(self, kind: str, key: str, digest: bytes) -> bytes | None:
        """The payload of the result of ``kind`` for ``key`` if it was made from ``digest``:
        untrusted bytes."""
        row = self.row(kind, key)
        return row[1] if row is not None and row[0] == digest else None

    def row(self, kind: str, key: str) -> tuple[bytes, bytes] | None:
        """The digest and payload of the result of ``kind`` for ``key``, if stored."""
        return self._results_of(kind).get(key)

    def results(self, kind: str) -> dict[str, tuple[bytes, bytes]]:
        """Every stored result of ``kind`` (by key: digest, payload)."""
        return dict(self._results_of(kind))

    def _results_of(self, kind: str) -> dict[str, tuple[bytes, bytes]]:
        known = self._results.get(kind)
        if known is None:
            known = self._query("SELECT key, digest, payload FROM results WHERE kind = ?", (kind,))
            if self._connection is not None:
                self._results[kind] = known
        return known

    def keep_results(
        self,
        kind: str,
        keys: set[str],
        written: dict[str, tuple[bytes, bytes]],
        known: set[str] | None = None,
    ) -> None:
        """Write the results ``written`` (by key: digest, payload) of ``kind``, and forget
        those whose key is not in ``keys``: of the keys ``known`` to be stored, if given,
        else of all (read from the index)."""
        query = "SELECT key, x'', x'' FROM results WHERE kind = ?"
        stored = known or set(self._results.get(kind) or self._query(query, (kind,)))
        gone = [(kind, key) for key in stored - keys]
        rows = [(kind, key, *row) for key, row in written.items()]
        self._results.pop(kind, None)
        self._write((_FORGET, gone), (_KEEP, rows))

    def save_results(
        self, kind: str, rows: dict[str, tuple[bytes, bytes]], *, whole: bool = True
    ) -> None:
        """Keep ``rows`` (by key: digest, payload) as all the results of ``kind`` (not
        ``whole``: besides the others): write those that changed and forget the others."""
        stored = self._results_of(kind)
        connection = self._connection
        if connection is None:
            return
        gone = [(kind, key) for key in stored.keys() - rows.keys()] if whole else []
        written = [(kind, key, *row) for key, row in rows.items() if stored.get(key) != row]
        if whole:
            self._results[kind] = dict(rows)
        else:
            stored.update(rows)
        self._write((_FORGET, gone), (_KEEP, written))

    def _write(self, *statements: Statement) -> None:
        """Run each statement on its rows; commit, unless in a :meth:`batch`."""
        try:
            for statement, rows in statements:
                if self._connection is not None and rows:
                    self._connection.executemany(statement, rows)
            if self._connection is not None and not self._batched:
                self._connection.commit()
        except sqlite3.Error as error:
            self._fail(error)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Commit what the body writes once, at its end: each commit syncs the disk."""
        self._batched = True
        try:
            yield
        finally:
            self._batched = False
            self._write()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def batch(store: CacheStore | None) -> AbstractContextManager[None]:
    """What :meth:`CacheStore.batch` does, and nothing without a store."""
    return store.batch() if store is not None else nullcontext()


def _typed_rows(rows: Iterable[tuple[object, ...]]) -> dict[str, tuple[bytes, bytes]]:
    """Rows of key, digest and payload, by key; :class:`CacheProblem` when one holds values
    of another type."""
    # by columns, so that the types are checked without a Python loop over the rows
    keys, digests, payloads = list(zip(*rows, strict=True)) or [(), (), ()]
    if not (_all_of(str, keys) and _all_of(bytes, digests) and _all_of(bytes, payloads)):
        raise CacheProblem(f"{DATABASE} holds values of another type")
    return dict(zip(keys, zip(digests, payloads, strict=True), strict=True))


def _all_of(kind: type, values: Iterable[object]) -> bool:
    """Whether every value is exactly of type ``kind`` (not of a subclass)."""
    return set(map(type, values)) <= {kind}


def _schema(connection: sqlite3.Connection) -> tuple[tuple[object, ...], ...]:
    """What the database holds: views, triggers and indexes as well as tables."""
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name, tbl_name, sql"
    return tuple(connection.execute(query))
