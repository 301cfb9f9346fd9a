"""Signatures: which content files are unchanged, told by their status, not their bytes.

Reading and digesting thousands of files is much of a warm run. As git's
index does, the store keeps each file's *signature* (its size, modification
and change times in nanoseconds, inode and device) beside the digest of its
bytes (kind :data:`STAT` of the ``results`` table). A file whose signature is
the stored one is not read: its bytes are taken to be those digested then.

Why that is safe:

- A write to a file sets its change time to the time of the write, which no
  program can set back (``utime`` sets it too); replacing it (as editors and
  git do) gives another inode as well. A file written after its signature was
  taken therefore has another signature, and is read.
- Racy timestamps: a file written twice within one tick of the file system's
  clock keeps its times. So a signature is kept only when the file was last
  changed at least :data:`MARGIN_NS` before this run began (the signature is
  taken before the bytes are read): any later write has later times. A file
  edited just now is read on every run until it is that old.
- The store is untrusted. A row can only say "these bytes have this digest"
  for a file of exactly that signature; the rest of the store is keyed by
  digests as before. Only someone who can write the cache folder, which is
  bound to its place (:func:`~okrpub.engine.cache.store_version`), can plant
  a row, and they can write the content as well. What a planted or damaged
  row can do otherwise is cost a read.
- It assumes the file system's clock runs with the machine's (within the
  margin), as ``make`` and git do; ``--no-cache`` reads every file.
"""

from __future__ import annotations

import hashlib
import os
import time

from okrpub.engine.cache import CacheStore
from okrpub.engine.stats import FILES_READ, Stats
from okrpub.source.discover import SourceFile

#: The kind of row that keeps a file's signature (its digest) and the digest of its bytes.
STAT = "stat"
#: How long before a run a file must have last changed for its signature to be kept.
MARGIN_NS = 2_000_000_000
#: The size of a digest of a file's bytes.
DIGEST_SIZE = 20


def content_digest(raw: bytes | OSError) -> bytes:
    """The digest of a file's bytes, or of why they could not be read."""
    content = raw if isinstance(raw, bytes) else repr(raw).encode()
    return hashlib.blake2b(content, digest_size=DIGEST_SIZE).digest()


def signature_of(status: os.stat_result) -> bytes:
    """A file's (or folder's) signature: its size, modification and change times, inode
    and device."""
    return b"%d %d %d %d %d" % (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
    )


def read_bytes(source: SourceFile) -> bytes | OSError:
    """The bytes of ``source``, or why they could not be read."""
    try:
        with open(source.file, "rb") as file:
            return file.read()
    except OSError as error:
        return error


class Signatures:
    """The digests of the content files' bytes, read only when their signature changed;
    the signatures of this run's files are all the store keeps after :meth:`save`."""

    def __init__(self, store: CacheStore | None, stats: Stats | None = None) -> None:
        self._store, self._stats = store, stats or Stats()
        #: Only files last changed before this are safe to know by their signature.
        self._before = time.time_ns() - MARGIN_NS
        self._rows: dict[str, tuple[bytes, bytes]] = {}

    def digest(self, source: SourceFile) -> tuple[bytes | OSError | None, bytes]:
        """The bytes of ``source`` when they had to be read (``None`` when its signature
        says they are unchanged), and their digest."""
        if self._store is None:
            raw = self._read(source)
            return raw, content_digest(raw)
        try:
            status = os.stat(source.file)
        except OSError as error:
            return error, content_digest(error)
        signature = signature_of(status)
        row = self._store.row(STAT, source.path)
        if row is not None and row[0] == signature and len(row[1]) == DIGEST_SIZE:
            self._rows[source.path] = row
            return None, row[1]
        raw = self._read(source)
        digest = content_digest(raw)
        if isinstance(raw, bytes) and max(status.st_mtime_ns, status.st_ctime_ns) < self._before:
            self._rows[source.path] = (signature, digest)
        return raw, digest

    def _read(self, source: SourceFile) -> bytes | OSError:
        self._stats.add(FILES_READ)
        return read_bytes(source)

    def save(self, *, whole: bool = True) -> None:
        """Keep this run's signatures, and only them (not ``whole``: besides the others,
        when this run took the signatures of the files that changed only)."""
        if self._store is not None:
            self._store.save_results(STAT, self._rows, whole=whole)
