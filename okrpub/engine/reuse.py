"""Reuse: files of the last build whose inputs did not change are kept, not rendered.

``build`` renders a page from the page's inputs (the objectives and rollups
it shows, see :mod:`okrpub.site.pages`) and from what every page may show (the
configuration, units, periods, free pages, the date, the theme's files,
okrpub's own code): together, the page's *digest*. Beside the cache
(``cache.py``) it keeps a manifest of the last build into each output
folder: every file's digest, and the inode, size and modification time it
had when okrpub wrote it. A file whose digest is unchanged and which is
still exactly the file okrpub wrote is the very same file in the new site
(a hard link, ``write.py``) instead of being rendered again; everything else
is rendered.

Objects are digested through their plain-data encoding (msgpack, which tells
``1`` from ``1.0`` and ``True``, as the output does; JSON for the rare value
with a whole number beyond 64 bits), memoised by identity (the objects live
for the whole build). Equal values can encode differently (a set's order),
which only costs a render; values that encode alike are shown alike, so a
hit means the page would come out the same. The manifest and the parts are
plain data too, read as untrusted: anything that does not decode into their
shape is no manifest (everything is rendered).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import msgspec

from okrpub.engine.cache import CacheProblem, code_version, store_version
from okrpub.engine.cachefolder import surprise
from okrpub.safefs import read_file, read_unchanged, write_file
from okrpub.site.export import EXPORT_FILE
from okrpub.site.feed import Order
from okrpub.site.search import SEARCH_FILES

#: What is stored per file: its digest, and its inode, size and modification time.
Entry = tuple[str, int, int, int]


def digest_of(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


def content_digest(content: bytes) -> str:
    """Of a file made the same for every model (a static file, a JSON Schema): its bytes."""
    return hashlib.blake2b(content, digest_size=20).hexdigest()


def theme_digest(folders: Iterable[Path]) -> bytes:
    """Of every file in the theme folders, by path and content."""
    digest = hashlib.blake2b(digest_size=20)
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.digest()


class Digests:
    """Digests of pages' inputs under one *frame* (what every page may show)."""

    def __init__(self, frame: object, theme: bytes) -> None:
        self.frame = digest_of(code_version().encode(), theme, *plain(frame))
        self._objects: dict[int, bytes] = {}

    def of(self, inputs: tuple[object, ...]) -> str:
        # every part is a digest of one length: joined, they are told apart all the same
        try:  # (most inputs are known: looked up without a Python loop)
            parts = b"".join(map(self._objects.__getitem__, map(id, inputs)))
        except KeyError:
            parts = b"".join(map(self.of_object, inputs))
        digest = hashlib.blake2b(self.frame, digest_size=20)
        digest.update(parts)
        return digest.hexdigest()

    def of_object(self, item: object) -> bytes:
        """Of ``item`` alone, whatever the frame."""
        known = self._objects.get(id(item))
        if known is None:
            known = self._objects[id(item)] = digest_of(*plain(item))
        return known

    def know(self, item: object, digest: bytes) -> None:
        """Take ``digest`` as :meth:`of_object` of ``item``: what it gave for an item that
        was made from the same inputs (:class:`~okrpub.engine.results.ObjectiveDigests`)."""
        self._objects[id(item)] = digest


_ENCODER = msgspec.msgpack.Encoder()


def plain(item: object) -> tuple[bytes, bytes]:
    """``item`` (model values: dataclasses, enums, dates, numbers, text, tuples and dicts
    of them) as plain data, after the name of the encoding."""
    try:
        return b"msgpack", _ENCODER.encode(item)
    except OverflowError:  # a whole number beyond 64 bits
        return b"json", msgspec.json.encode(item)


Key = TypeVar("Key", bytes, str)
#: Where a part lies in a data file: its offset and length.
Span = tuple[int, int]
#: A data file as a build wrote it: its inode, size and modification time.
Written = tuple[int, int, int]


@dataclass
class Parts:
    """What each objective gave the data files of the last build, for this build to make
    again only for the objectives that changed."""

    #: Its part of ``api/okrs.json``, by the objective's digest (:meth:`Digests.of_object`).
    export: dict[bytes, bytes] = field(default_factory=dict)
    #: Its rows of the search indexes, by :func:`search_key`.
    search: dict[bytes, tuple[bytes, bytes]] = field(default_factory=dict)
    #: The order of its newest check-in in the feed (``None``: it has none), by the
    #: objective's digest.
    feed: dict[bytes, Order | None] = field(default_factory=dict)
    #: Each unit's rows of the search indexes, by its id, and the frame they were made
    #: under (:attr:`Digests.frame`, which has the units).
    units: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    frame: bytes = b""


@dataclass
class Layout:
    """Where each objective's parts lie in the data files a build made (kept by the next
    build instead of the parts themselves, which it takes from those very files)."""

    #: The data files the spans are in, as written.
    files: dict[str, Written] = field(default_factory=dict)
    #: The span of its part in ``api/okrs.json``, by the objective's digest.
    export: dict[bytes, Span] = field(default_factory=dict)
    #: The spans of its rows in the two search indexes, by :func:`search_key`.
    search: dict[bytes, tuple[Span, Span]] = field(default_factory=dict)
    #: As :attr:`Parts.feed`.
    feed: dict[bytes, Order | None] = field(default_factory=dict)
    #: The spans of each unit's rows in the search indexes, by its id, and the frame.
    units: dict[str, tuple[Span, Span]] = field(default_factory=dict)
    frame: bytes = b""


def search_key(objective_digest: bytes, owner_name: str) -> bytes:
    """What an objective's search rows are made of: the objective and its owner's name
    (after a digest of one length: the two are told apart)."""
    return objective_digest + owner_name.encode()


@dataclass
class Manifest:
    """The files of the last build into one output folder, and what they were made from."""

    file: Path
    output: Path
    previous: dict[str, Entry]
    written: dict[str, Entry] = field(default_factory=dict)
    #: Where this build's parts are, once it made the data files: saved with the manifest.
    made_parts: Layout | None = None

    @classmethod
    def load(cls, cache_dir: Path, output: Path) -> Manifest:
        """The manifest of ``output``, empty when there is none, it is not the user's own,
        or the cache folder holds a surprise (:func:`okrpub.engine.cache.surprise`)."""
        output = output.absolute()
        name = hashlib.blake2b(str(output).encode(), digest_size=10).hexdigest()
        file = cache_dir / f"site-{name}.json"
        return cls(file, output, _read(file, output) if surprise(cache_dir) is None else {})

    def last_parts(self) -> Parts:
        """What each objective gave the data files of the last build, taken from those
        files in the output where they are still as written (read when a build makes them
        again: tens of megabytes at 10,000 objectives)."""
        layout = _read_parts(_parts_file(self.file))
        if layout is None:
            return Parts()
        files = {
            path: read_unchanged(os.path.join(self.output, path), written)
            for path, written in layout.files.items()
            if path in (EXPORT_FILE, *SEARCH_FILES)
        }
        search = _search_parts(layout.search, files)
        units = _search_parts(layout.units, files)
        return Parts(_export_parts(layout, files), search, layout.feed, units, layout.frame)

    def unchanged(self, made: Mapping[str, str]) -> set[str]:
        """The paths of ``made`` (path: digest) whose file in the output is still what the
        digest gives: the very file this manifest recorded (not even a link to it),
        unchanged since."""
        previous, kept = self.previous, set[str]()
        try:
            output = os.open(self.output, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return kept
        try:
            for path, digest in made.items():
                entry = previous.get(path)
                if entry is not None and entry[0] == digest and _still(path, output, entry):
                    kept.add(path)
        finally:
            os.close(output)
        return kept

    def inode(self, path: str) -> int:
        """The inode of the output's file at ``path``, as :meth:`unchanged` found it."""
        return self.previous[path][1]

    def carry(self, path: str) -> None:
        """Record a file the new site keeps as it is: as :meth:`unchanged` found it."""
        self.written[path] = self.previous[path]

    def record(self, path: str, digest: str, written: Path) -> None:
        stat = written.stat()
        self.written[path] = (digest, stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def signature(self, path: str) -> Written:
        """The inode, size and modification time of the file :meth:`record` recorded."""
        _, inode, size, modified = self.written[path]
        return inode, size, modified

    def save(self) -> None:
        """Keep what was written (after the new site is in place); best effort, like the cache."""
        if surprise(self.file.parent) is not None:
            return
        saved = _Saved(str(self.output), self.written)
        try:
            write_file(self.file.parent, self.file.name, msgspec.json.encode(saved))
            version = store_version(self.file.parent, create=True)
            if self.made_parts is not None and version is not None:
                made = self.made_parts
                parts = _SavedParts(
                    version, made.files, made.export, made.search, made.feed, made.units, made.frame
                )
                write_file(self.file.parent, _parts_file(self.file).name, _ENCODER.encode(parts))
        except (OSError, CacheProblem):
            return


class _Saved(msgspec.Struct):
    """A manifest as kept on disk."""

    output: str
    files: dict[str, Entry]


class _SavedParts(msgspec.Struct, array_like=True):
    """A :class:`Layout` as kept on disk, with the version of okrpub that made it."""

    version: str
    files: dict[str, Written]
    export: dict[bytes, Span]
    search: dict[bytes, tuple[Span, Span]]
    feed: dict[bytes, Order | None]
    units: dict[str, tuple[Span, Span]]
    frame: bytes


def _parts_file(manifest_file: Path) -> Path:
    return manifest_file.with_suffix(".parts")


def _read_parts(file: Path) -> Layout | None:
    """The layout of the last build of okrpub's very code into this very cache folder
    (:func:`~okrpub.engine.cache.store_version`), else none."""
    if surprise(file.parent) is not None:
        return None
    try:
        version = store_version(file.parent, create=False)
        kept = msgspec.msgpack.decode(read_file(file.parent, file.name), type=_SavedParts)
    except (OSError, CacheProblem, msgspec.DecodeError):
        return None
    if not version or kept.version != version:
        return None
    return Layout(kept.files, kept.export, kept.search, kept.feed, kept.units, kept.frame)


def _export_parts(layout: Layout, files: dict[str, bytes | None]) -> dict[bytes, bytes]:
    content = files.get(EXPORT_FILE)
    if content is None:
        return {}
    return {
        digest: content[start : start + length]
        for digest, (start, length) in layout.export.items()
        if _inside(start, length, content)
    }


def _search_parts(
    spans: Mapping[Key, tuple[Span, Span]], files: dict[str, bytes | None]
) -> dict[Key, tuple[bytes, bytes]]:
    titles, index = (files.get(path) for path in SEARCH_FILES)
    if titles is None or index is None:
        return {}
    return {
        key: (titles[first : first + first_length], index[second : second + second_length])
        for key, ((first, first_length), (second, second_length)) in spans.items()
        if _inside(first, first_length, titles) and _inside(second, second_length, index)
    }


def _inside(start: int, length: int, content: bytes) -> bool:
    """Whether the span lies in ``content`` (a span of a garbage layout may not)."""
    return 0 <= start < start + length <= len(content)


def _still(path: str, output: int, entry: Entry) -> bool:
    """Whether the file at ``path`` in the open ``output`` is the one ``entry`` recorded."""
    try:
        stat = os.lstat(path, dir_fd=output)
    except OSError:
        return False
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns) == entry[1:]


def _read(file: Path, output: Path) -> dict[str, Entry]:
    try:
        saved = msgspec.json.decode(read_file(file.parent, file.name), type=_Saved)
    except (OSError, msgspec.DecodeError):
        return {}
    return saved.files if saved.output == str(output) else {}
