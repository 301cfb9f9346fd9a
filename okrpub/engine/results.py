"""Results: what a stage made of one objective, kept in the store by the digest of its inputs.

An objective's lint warnings are a plain function of their inputs. The
engine keeps them between runs in the store (:mod:`okrpub.engine.cache`), one
row per objective and kind of result, under the digest of what the result
was made from: the digest of the computed objective's inputs
(:func:`inputs_digest`) and the parent's period (:func:`derived_digest`).
An objective's inputs are

- the objective frame (:meth:`~okrpub.engine.frame.Frame.of_objectives`);
- its entry: the digest of the file it was loaded from (which decides the
  entry when the file gave only it) and what resolution fills in
  (:func:`~okrpub.model.resolve.references`);
- its place in the cascade.

A new process after an edit finds every other objective's row under an
unchanged digest and makes again only what depends on the edit. A row is
decoded into the result's type as untrusted input: one that does not decode,
or was made from other inputs, is a miss.

The digest of each computed objective's plain data, which its pages' digests
are made of (:meth:`~okrpub.engine.reuse.Digests.of_object`), is kept too,
under the digest of its inputs: encoding a whole objective, with its
check-ins, to digest it costs more than computing it.

Computed objectives and rollups are kept too, by
:mod:`okrpub.engine.computed`, without what an objective holds of its entry
as it is (its body, its check-ins).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

import msgspec

from okrpub.engine.frame import Frame
from okrpub.engine.loader import LoadCache
from okrpub.engine.reuse import Digests, digest_of, plain
from okrpub.engine.stats import OBJECTIVES_DIGESTED, Stats
from okrpub.model.resolve import references
from okrpub.model.types import Objective
from okrpub.source.entries import ObjectiveEntry

Result = TypeVar("Result")

#: The kinds of result kept: one objective's lint warnings, and its digest.
LINT = "lint"
DIGEST = "digest"

_ENCODER = msgspec.msgpack.Encoder()


def frame_digest(frame: Frame) -> bytes:
    """The digest of what every objective's results may depend on."""
    return digest_of(*plain(frame.of_objectives()))


def inputs_digest(
    cache: LoadCache | None, frame: bytes, entry: ObjectiveEntry, *more: object
) -> bytes | None:
    """The digest of a result made from ``entry`` and ``more`` under ``frame``; ``None``
    when the entry's file does not decide it (the result is then made each run)."""
    if cache is None or (file := cache.digest_of_objective(entry.path)) is None:
        return None
    return digest_of(frame, file, references_digest(entry, *more))


def references_digest(entry: ObjectiveEntry, *more: object) -> bytes:
    """The digest of what resolution filled in of ``entry`` and ``more`` (its place)."""
    return digest_of(*plain((references(entry), *more)))


def derived_digest(inputs: bytes | None, period: str | None) -> bytes | None:
    """The digest of a result made from what ``inputs`` is the digest of, and ``period``
    (an objective's warnings: from the objective and its parent's period)."""
    return None if inputs is None else digest_of(inputs, *_plain(period))


@functools.lru_cache(maxsize=1024)
def _plain(period: str | None) -> tuple[bytes, bytes]:
    """:func:`plain` of a parent's period, made once: most objectives share a few."""
    return plain((period,))


class StoredResults(Generic[Result]):
    """The results of one kind in the store, by objective id, and this run's rows: all
    that the store keeps of the kind after :meth:`save`."""

    def __init__(self, cache: LoadCache | None, kind: str, shape: type[Result]) -> None:
        self._store = cache.store if cache is not None else None
        self._kind = kind
        self._decoder = msgspec.msgpack.Decoder(shape)
        self._rows: dict[str, tuple[bytes, bytes]] = {}

    def get(self, key: str, digest: bytes | None) -> Result | None:
        """The result kept for ``key`` if it was made from ``digest``."""
        if digest is None or self._store is None:
            return None
        payload = self._store.result(self._kind, key, digest)
        if payload is None:
            return None
        try:
            found: Result = self._decoder.decode(payload)
        except msgspec.DecodeError:
            return None
        self._rows[key] = (digest, payload)
        return found

    def put(self, key: str, digest: bytes | None, result: Result) -> None:
        """Keep ``result``, made from ``digest``, for ``key`` (not when it has what msgpack
        cannot hold: a whole number beyond 64 bits)."""
        if digest is None or self._store is None:
            return
        try:
            self._rows[key] = (digest, _ENCODER.encode(result))
        except (OverflowError, msgspec.EncodeError):
            return

    def carry(self, key: str) -> None:
        """Keep the stored row of ``key`` as it is: its result was reused from memory
        (``serve``). (Its digest is checked when it is read.)"""
        if self._store is not None and (row := self._store.row(self._kind, key)) is not None:
            self._rows[key] = row

    def save(self) -> None:
        """Keep this run's rows, and only them."""
        if self._store is not None:
            self._store.save_results(self._kind, self._rows)

    def save_over(self) -> None:
        """Keep this run's rows, and the other stored rows as they are (``serve``: the
        results of the same objectives as last time were reused from memory without a
        look)."""
        if self._store is not None:
            self._store.save_results(self._kind, self._rows, whole=False)


class ObjectiveDigests:
    """The digest of each computed objective (:meth:`Digests.of_object`), kept in the store
    under the digest of the objective's inputs (``inputs``, by id: see
    :meth:`~okrpub.engine.analysis.ComputeMemo.digests`)."""

    def __init__(self, cache: LoadCache | None, inputs: Mapping[str, bytes | None]) -> None:
        self._stored = StoredResults(cache, DIGEST, bytes)
        self._inputs = inputs

    def give(self, objectives: Iterable[Objective], digests: Digests, stats: Stats) -> None:
        """Let ``digests`` know each objective's digest, made (and counted in ``stats``)
        only when not kept; keep them."""
        for objective in objectives:
            inputs = self._inputs.get(objective.id)
            kept = self._stored.get(objective.id, inputs)
            if kept is not None and len(kept) == _DIGEST_SIZE:
                digests.know(objective, kept)
            else:
                self._stored.put(objective.id, inputs, digests.of_object(objective))
                stats.add(OBJECTIVES_DIGESTED)
        self._stored.save()


#: The size of a digest (:func:`~okrpub.engine.reuse.digest_of`).
_DIGEST_SIZE = len(digest_of())
