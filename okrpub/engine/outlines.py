"""Outlines: what ``check`` needs of each file before it knows what to compute.

Resolution and the cascade read few fields of an objective's entry: the
references of :func:`~okrpub.model.resolve.references` and where they stand
in the file. ``check`` resolves the content from each file's *outline*, kept
in the store under the file's digest (kind :data:`OUTLINE`, by path): what the
file gave, with each objective's title, body, tags, links and each key
result's title, check-ins, links and note left out, and all of the file's
diagnostics. An outline is a fraction of the entry's size, so an unchanged
file costs little to take from the store. An objective's full entry is
decoded (or its file parsed) only when ``check`` computes the objective
(:meth:`Outlines.entry`): when its warnings are not in the store.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable

from okrpub.diagnostics import Diagnostics
from okrpub.engine.cache import batch
from okrpub.engine.loader import FileDigests, Job, LoadCache, decode, defaults_of, encode, parse
from okrpub.engine.resolution import Row
from okrpub.engine.stats import Stats
from okrpub.errors import OkrpubError
from okrpub.model.resolve import with_period
from okrpub.source.discover import Kind, SourceFile
from okrpub.source.entries import Checkins, KeyResultEntry, Loaded, ObjectiveEntry, Sources
from okrpub.source.load import merge

#: The kind of row that keeps a file's outline, encoded, under the file's digest.
OUTLINE = "outline"
#: The kind of row that keeps the digest of that (read when the outline is not).
OUTLINE_DIGEST = "outline digest"
#: The size of an outline's digest.
DIGEST_SIZE = 20

_NO_CHECKINS = Checkins()


def outline(loaded: Loaded) -> Loaded:
    """What a file gave, with what neither resolution nor the cascade reads left out of
    each objective (its units, pages, declared ids and diagnostics as they are)."""
    part = loaded.sources
    objectives = [_objective_outline(entry) for entry in part.objectives]
    return Loaded(dataclasses.replace(part, objectives=objectives), loaded.diagnostics)


def _objective_outline(entry: ObjectiveEntry) -> ObjectiveEntry:
    key_results = tuple(_key_result_outline(key_result) for key_result in entry.key_results)
    return dataclasses.replace(entry, title="", tags=(), key_results=key_results, body="", links=())


def _key_result_outline(entry: KeyResultEntry) -> KeyResultEntry:
    return dataclasses.replace(
        entry, title="", checkins=_NO_CHECKINS, links=(), health_note="", unit=""
    )


class ChangedWhileChecking(OkrpubError):
    """A file changed while ``check`` read it: what it found would not hold together."""


class Outlines:
    """The outlines of the content files: their digest together, and what they give
    merged (read and decoded when first asked for); full entries on demand."""

    def __init__(self, cache: LoadCache, stats: Stats | None) -> None:
        self._cache, self._stats = cache, stats
        #: Each file's job and digest, by path, to load its full entry again if need be.
        self._files: dict[str, tuple[Job, bytes]] = {}
        #: Each file's outline when made this run, by path.
        self._made: dict[str, Loaded] = {}
        self._digest = hashlib.blake2b(digest_size=20)

    def note(self, job: Job, digest: bytes, outline_digest: bytes, made: Loaded | None) -> None:
        """Note the outline of ``job``'s file, loaded from ``digest``: ``outline_digest``
        its digest, ``made`` the outline if it was made this run."""
        path = job.source.path
        self._files[path] = (job, digest)
        if made is not None:
            self._made[path] = made
        self._digest.update(path.encode() + b"\0" + outline_digest)

    def digest(self) -> bytes:
        """Of every file's outline, in order: what resolution and the cascade are made of."""
        return self._digest.digest()

    def paths(self) -> set[str]:
        return set(self._files)

    def sources(self, diagnostics: Diagnostics) -> Sources:
        """What the files give together, in outline; their problems go to ``diagnostics``."""
        store = self._cache.store
        found = []
        for path, (_, digest) in self._files.items():
            known = self._made.get(path)
            if known is None and store is not None:
                payload = store.result(OUTLINE, path, digest)
                known = decode(payload) if payload is not None else None
            if known is None:  # a damaged row: the file's outline is made again
                known = outline(self._full(path))
            self._cache.put_outline(path, digest, known)
            found.append(known)
        merged, problems = merge(found)
        diagnostics.extend(problems)
        return merged

    def entry(self, row: Row) -> ObjectiveEntry:
        """The full entry of the objective of ``row``, as resolution made it."""
        full = next(e for e in self._full(row.path).sources.objectives if e.id == row.id)
        return with_period(full, row.period, row.visibility)

    def file_digest(self, path: str) -> bytes | None:
        """The digest ``path`` was loaded from."""
        known = self._files.get(path)
        return known[1] if known is not None else None

    def _full(self, path: str) -> Loaded:
        job, digest = self._files[path]
        loaded = self._cache.get(path, digest, alone=True)
        if loaded is None:  # no row (or one that does not decode): parse the file again
            [(again, loaded)] = parse([job], self._cache, self._stats)
            if again != digest:
                raise ChangedWhileChecking(f"{path} changed while okrpub read it; check again")
        return loaded


def load_outlines(
    files: Iterable[SourceFile],
    content_dir: str,
    diagnostics: Diagnostics,
    cache: LoadCache,
    stats: Stats | None = None,
) -> Outlines:
    """Every file's outline (:func:`outline`), known by its digest kept in the store when
    the file's digest is unchanged, else made from its full entry in the store, else from
    the file parsed (counted in ``stats``). The problems found reading the
    ``_defaults.yaml`` files go to ``diagnostics``."""
    files = list(files)
    digests = FileDigests(content_dir, defaults_of(files, diagnostics), cache, stats)
    store = cache.store
    # the outlines are kept only beside their digests: those stored are all there may be
    stored = store.results(OUTLINE_DIGEST) if store is not None else {}
    outlines = Outlines(cache, stats)
    known: list[tuple[Job, bytes, bytes | Loaded | None]] = []
    defaults = Kind.DEFAULTS
    for source in files:
        if source.kind is defaults:
            continue
        job, digest = digests.job(source)
        kept = stored.get(source.path)
        if kept is not None and kept[0] == digest and len(kept[1]) == DIGEST_SIZE:
            known.append((job, digest, kept[1]))
            continue
        loaded = cache.get(source.path, digest, alone=True)
        known.append((job, digest, None if loaded is None else outline(loaded)))
    parsed = iter(parse([job for job, _, found in known if found is None], cache, stats))
    digests_kept: dict[str, tuple[bytes, bytes]] = {}
    made: dict[str, tuple[bytes, bytes]] = {}
    for job, digest, found in known:
        path = job.source.path
        if isinstance(found, bytes):
            outlines.note(job, digest, found, None)
            digests_kept[path] = (digest, found)
            continue
        if found is None:
            digest, loaded = next(parsed)
            found = outline(loaded)
        payload = encode(found)
        if payload is None:  # too big to keep: the file's digest stands for it, made each run
            outlines.note(job, digest, digest, found)
            continue
        outline_digest = hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest()
        outlines.note(job, digest, outline_digest, found)
        digests_kept[path] = (digest, outline_digest)
        made[path] = (digest, payload)
    with batch(store):  # one commit
        if store is not None:
            store.save_results(OUTLINE_DIGEST, digests_kept)
            store.keep_results(OUTLINE, set(digests_kept), made, set(stored))
        cache.keep_only(outlines.paths())
        digests.signatures.save()
    return outlines
