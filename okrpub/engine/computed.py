"""Computed objectives and rollups as plain rows in the store, for a new process to decode.

A computed objective is kept under the digest of its inputs
(:func:`~okrpub.engine.results.inputs_digest`), like its warnings, as a msgpack
row of its fields in order and of each key result's. What it holds of its
entry as it is (its body, each key result's check-ins: most of its bytes) is
left out and taken from the entry again when the row is read: decoding the
rest of 10,000 objectives costs a fraction of computing them.

A row is untrusted input: it is decoded strictly into the fields' types
(numbers as written: ``1`` and ``1.0`` stay apart), carries a checksum of
itself, and must hold together with the entry (the same id, path and key
results). One that does not is a miss: the objective is computed.

A rollup is kept likewise, under the digest of its objectives' inputs, as a
row of its fields.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast, get_type_hints

import msgspec

from okrpub.engine.loader import LoadCache
from okrpub.engine.results import StoredResults
from okrpub.engine.reuse import digest_of
from okrpub.model import types
from okrpub.model.types import KeyResult, Objective, Rollup
from okrpub.source.entries import ObjectiveEntry

#: The kinds of row: the checked model's objectives, and the audience's (when it differs).
OBJECTIVE = "objective"
AUDIENCE_OBJECTIVE = "audience objective"
#: The kind of the rollups' rows, by the kind of their objectives'.
ROLLUPS = {OBJECTIVE: "rollup", AUDIENCE_OBJECTIVE: "audience rollup"}

_KEY_RESULT_FIELDS = KeyResult.__struct_fields__
_CHECKINS = _KEY_RESULT_FIELDS.index("checkins")
_OBJECTIVE_FIELDS = tuple(field.name for field in dataclasses.fields(Objective))
_BODY = _OBJECTIVE_FIELDS.index("body")
_KEY_RESULTS = _OBJECTIVE_FIELDS.index("key_results")
_PATH = _OBJECTIVE_FIELDS.index("path")
_CHECK_SIZE = 8
Made = TypeVar("Made")
#: Made from a row's fields in order (positional arguments, which mypy does not expect).
_key_result: Callable[..., KeyResult] = KeyResult


def _row_type(hints: dict[str, Any], names: tuple[str, ...], left_out: dict[str, Any]) -> Any:
    """The tuple type of a row of the fields ``names``: each its type, or ``left_out``'s."""
    return tuple.__class_getitem__(tuple(left_out.get(name, hints[name]) for name in names))


_KEY_RESULT_ROW = _row_type(
    get_type_hints(KeyResult, vars(types)), _KEY_RESULT_FIELDS, {"checkins": None}
)
_OBJECTIVE_ROW = _row_type(
    get_type_hints(Objective, vars(types)),
    _OBJECTIVE_FIELDS,
    {"body": None, "key_results": tuple.__class_getitem__((_KEY_RESULT_ROW, ...))},
)
_ROLLUP_FIELDS = tuple(field.name for field in dataclasses.fields(Rollup))
_ROLLUP_ROW = _row_type(get_type_hints(Rollup, vars(types)), _ROLLUP_FIELDS, {})
_ENCODER = msgspec.msgpack.Encoder()
_DECODER: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(_OBJECTIVE_ROW)
_ROLLUP_DECODER: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(_ROLLUP_ROW)


def _checked(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECK_SIZE).digest() + payload


def _unchecked(row: bytes, decoder: msgspec.msgpack.Decoder[Any]) -> list[Any] | None:
    """The fields of a row made by :func:`_checked`, if its checksum holds and it decodes."""
    check, payload = row[:_CHECK_SIZE], row[_CHECK_SIZE:]
    if _checked(payload)[:_CHECK_SIZE] != check:
        return None
    try:
        return list(decoder.decode(payload))
    except msgspec.DecodeError:
        return None


def row_of(objective: Objective, entry: ObjectiveEntry) -> bytes | None:
    """The row of ``objective``, computed from ``entry``; ``None`` when it does not hold
    its entry's body and check-ins as they are, or has what msgpack cannot hold."""
    if objective.body is not entry.body or len(objective.key_results) != len(entry.key_results):
        return None
    key_results = []
    for made, written in zip(objective.key_results, entry.key_results, strict=True):
        if made.checkins is not written.checkins:
            return None
        fields = list(msgspec.structs.astuple(made))
        fields[_CHECKINS] = None
        key_results.append(fields)
    fields = [getattr(objective, name) for name in _OBJECTIVE_FIELDS]
    fields[_BODY], fields[_KEY_RESULTS] = None, key_results
    try:
        return _checked(_ENCODER.encode(fields))
    except (OverflowError, msgspec.EncodeError):
        return None


def objective_of(row: bytes, entry: ObjectiveEntry) -> Objective | None:
    """The objective of a ``row`` of ``entry``'s, if it decodes and holds together."""
    fields = _unchecked(row, _DECODER)
    if fields is None or fields[0] != entry.id or fields[_PATH] != entry.path:
        return None
    written = entry.key_results
    made = fields[_KEY_RESULTS]
    if len(made) != len(written):
        return None
    key_results = []
    for kr, kr_entry in zip(made, written, strict=True):
        if kr[0] != kr_entry.id:
            return None
        key_results.append(_key_result(*kr[:_CHECKINS], kr_entry.checkins, *kr[_CHECKINS + 1 :]))
    fields[_KEY_RESULTS] = tuple(key_results)
    fields[_BODY] = entry.body
    return _made(Objective, _OBJECTIVE_FIELDS, fields)


def _made(kind: type[Made], names: tuple[str, ...], values: list[Any]) -> Made:
    """The frozen dataclass ``kind`` with the field ``names`` of ``values`` (all of them, in
    order), as its ``__init__`` makes it but without a call of ``object.__setattr__`` for
    each field (a tenth of reading 10,000 objectives)."""
    made = object.__new__(kind)
    made.__dict__.update(zip(names, values, strict=True))
    return made


class StoredObjectives:
    """The computed objectives of one kind kept in the store (rows of :func:`row_of`), by
    id, and this run's: all that the store keeps of the kind after :meth:`save`."""

    def __init__(self, cache: LoadCache | None, kind: str) -> None:
        self.kind = kind
        self._stored = StoredResults(cache, kind, bytes)

    def get(self, entry: ObjectiveEntry, digest: bytes | None) -> Objective | None:
        """The objective of ``entry`` kept under ``digest``, if any holds together."""
        row = self._stored.get(entry.id, digest)
        return None if row is None else objective_of(row, entry)

    def put(self, entry: ObjectiveEntry, digest: bytes | None, made: Objective) -> None:
        """Keep ``made``, computed from ``entry`` (with the inputs of ``digest``)."""
        if digest is not None and (row := row_of(made, entry)) is not None:
            self._stored.put(entry.id, digest, row)

    def carry(self, key: str) -> None:
        """Keep the stored row of ``key`` as it is (reused from memory: ``serve``)."""
        self._stored.carry(key)

    def save(self, whole: bool) -> None:
        """Keep this run's rows: only them if ``whole``, else besides the others."""
        if whole:
            self._stored.save()
        else:
            self._stored.save_over()


class StoredRollups:
    """The rollups kept in the store with the objectives of one kind, by the key of
    :data:`~okrpub.model.compute.Rollups`, and this run's: all that is kept after
    :meth:`save`."""

    def __init__(self, cache: LoadCache | None, kind: str, frame: bytes) -> None:
        self._stored = StoredResults(cache, ROLLUPS[kind], bytes)
        self._frame = frame

    def digest(self, inputs: Iterable[bytes | None]) -> bytes | None:
        """The digest of a rollup of objectives made from ``inputs`` (``None``: not kept)."""
        parts = tuple(inputs)
        # digests of one length: joined, they are told apart all the same
        return None if None in parts else digest_of(self._frame, b"".join(cast(Any, parts)))

    def get(
        self, key: str | tuple[str, str], digest: bytes | None, ids: tuple[str, ...]
    ) -> Rollup | None:
        """The rollup of the objectives ``ids`` kept for ``key`` under ``digest``, if any
        decodes and holds together."""
        row = self._stored.get(_key(key), digest)
        fields = None if row is None else _unchecked(row, _ROLLUP_DECODER)
        return None if fields is None or fields[0] != ids else _made(Rollup, _ROLLUP_FIELDS, fields)

    def put(self, key: str | tuple[str, str], digest: bytes | None, made: Rollup) -> None:
        """Keep ``made``, the rollup for ``key`` made from the inputs of ``digest``."""
        if digest is not None:
            fields = [getattr(made, name) for name in _ROLLUP_FIELDS]
            self._stored.put(_key(key), digest, _checked(_ENCODER.encode(fields)))

    def save(self) -> None:
        """Keep this run's rows, and only them."""
        self._stored.save()


def _key(key: str | tuple[str, str]) -> str:
    """A period's rollup's key is its id; a unit's in a period's, both ids."""
    return key if isinstance(key, str) else "\0".join(key)
