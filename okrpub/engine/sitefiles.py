"""Site files: the files of one build in memory, some made only when first read (``serve``)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Mapping

from okrpub.errors import UsageError


class Deferred:
    """A file's bytes, made when first read (under ``lock``) and then kept.

    In memory (``serve``) the data files are made this way: they are read
    rarely (search on first use, the export and feed by other tools) and a
    rebuild need not wait for them. Two are equal only if the very same.
    """

    __slots__ = ("_content", "_lock", "_make")

    def __init__(self, make: Callable[[], bytes], lock: threading.RLock) -> None:
        self._make: Callable[[], bytes] | None = make
        self._lock = lock
        self._content: bytes | None = None

    @property
    def made(self) -> bool:
        """Whether the bytes were made already."""
        return self._make is None

    def content(self) -> bytes:
        with self._lock:
            if self._make is not None:
                self._content, self._make = self._make(), None
        assert self._content is not None
        return self._content


class SiteFiles(Mapping[str, bytes]):
    """The files of one build by site path; a path can be added only once.

    A file may be :class:`Deferred`: reading it makes it. Comparing two
    ``SiteFiles`` compares the other files first, and makes deferred files
    only when all those are equal and the deferred ones not the very same.
    """

    def __init__(self, entries: Mapping[str, bytes | Deferred] | None = None) -> None:
        self._made: dict[str, bytes] = {}
        self._deferred: dict[str, Deferred] = {}
        for path, entry in (entries or {}).items():
            self._put(path, entry)

    def add(self, path: str, content: bytes | Deferred) -> None:
        if path in self:
            raise UsageError(f"two things want to be written to {path}")
        self._put(path, content)

    def _put(self, path: str, content: bytes | Deferred) -> None:
        if isinstance(content, Deferred):
            self._deferred[path] = content
        else:
            self._made[path] = content

    def entry(self, path: str) -> bytes | Deferred:
        """The file at ``path`` as it is kept: its bytes, or the :class:`Deferred` making them."""
        return self._made[path] if path in self._made else self._deferred[path]

    def replaced(self, entries: Mapping[str, bytes | Deferred]) -> SiteFiles:
        """These files with those of ``entries`` put in place of theirs (or added)."""
        files = SiteFiles()
        files._made, files._deferred = dict(self._made), dict(self._deferred)
        for path, entry in entries.items():
            files._made.pop(path, None)
            files._deferred.pop(path, None)
            files._put(path, entry)
        return files

    def __getitem__(self, path: str) -> bytes:
        made = self._made.get(path)
        return made if made is not None else self._deferred[path].content()

    def __iter__(self) -> Iterator[str]:
        return itertools.chain(self._made, self._deferred)

    def __len__(self) -> int:
        return len(self._made) + len(self._deferred)

    def __contains__(self, path: object) -> bool:
        return path in self._made or path in self._deferred

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SiteFiles) or self._deferred.keys() != other._deferred.keys():
            return super().__eq__(other)
        return self._made == other._made and all(
            deferred is other._deferred[path] or deferred.content() == other[path]
            for path, deferred in self._deferred.items()
        )

    def known_same(self, other: SiteFiles) -> bool:
        """Whether equal as far as is known without making a file: the same paths, the
        made files equal and the deferred ones the very same."""
        deferred = other._deferred
        return (
            self._deferred.keys() == deferred.keys()
            and all(entry is deferred[path] for path, entry in self._deferred.items())
            and self._made == other._made
        )

    __hash__ = None  # type: ignore[assignment]
