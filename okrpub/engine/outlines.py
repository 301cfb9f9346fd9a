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
from okrpub.engine.loader import FileDigests, Job, LoadCache, decode, defaults_of, encode, parse
from okrpub.engine.resolution import Row
from okrpub.engine.stats import Stats
from okrpub.errors import OkrpubError
from okrpub.model.resolve import with_period
from okrpub.source.discover import Kind, SourceFile
from okrpub.source.entries import Checkins, KeyResultEntry, Loaded, ObjectiveEntry, Sources
from okrpub.source.load import merge

#: The kind of row that keeps a file's outline.
OUTLINE = "outline"

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
    merged (decoded when first asked for); full entries on demand."""

    def __init__(self, cache: LoadCache, stats: Stats | None) -> None:
        self._cache, self._stats = cache, stats
        #: Each file's job and digest, by path, to load its full entry again if need be.
        self._files: dict[str, tuple[Job, bytes]] = {}
        #: Each file's outline as kept in the store, and as made this run if it was.
        self._outlines: list[tuple[str, bytes, Loaded | None]] = []
        self._digest = hashlib.blake2b(digest_size=20)

    def note(self, job: Job, digest: bytes, payload: bytes, made: Loaded | None) -> None:
        """Note the outline of ``job``'s file, loaded from ``digest``: ``payload`` encoded."""
        path = job.source.path
        self._files[path] = (job, digest)
        self._outlines.append((path, payload, made))
        self._digest.update(len(payload).to_bytes(8, "little"))
        self._digest.update(payload)

    def digest(self) -> bytes:
        """Of every file's outline, in order: what resolution and the cascade are made of."""
        return self._digest.digest()

    def paths(self) -> set[str]:
        return set(self._files)

    def sources(self, diagnostics: Diagnostics) -> Sources:
        """What the files give together, in outline; their problems go to ``diagnostics``."""
        found = []
        for path, payload, made in self._outlines:
            known = made or decode(payload)
            if known is None:  # a damaged row: the file's outline is made again
                known = outline(self._full(path))
            self._cache.put_outline(path, self._files[path][1], known)
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
    """The outline of every file, from the store when its digest is unchanged, else
    from its full entry in the store, else parsed (counted in ``stats``); the problems
    found reading the ``_defaults.yaml`` files go to ``diagnostics``."""
    files = list(files)
    digests = FileDigests(content_dir, defaults_of(files, diagnostics), cache, stats)
    store = cache.store
    outlines = Outlines(cache, stats)
    kept: dict[str, tuple[bytes, bytes]] = {}
    known: list[tuple[Job, bytes, bytes | Loaded | None]] = []
    for source in files:
        if source.kind is Kind.DEFAULTS:
            continue
        job, digest = digests.job(source)
        payload = store.result(OUTLINE, source.path, digest) if store is not None else None
        if payload is None and (loaded := cache.get(source.path, digest, alone=True)) is not None:
            known.append((job, digest, outline(loaded)))
        else:
            known.append((job, digest, payload))
    jobs = [job for job, _, found in known if found is None]
    parsed = iter(parse(jobs, cache, stats))
    for job, digest, found in known:
        made = None
        if found is None:
            digest, loaded = next(parsed)
            found = outline(loaded)
        if isinstance(found, Loaded):
            made, found = found, encode(found)
        if found is None:  # too big to keep: its digest stands for it, and it is made each run
            outlines.note(job, digest, b"file " + digest, made)
            continue
        outlines.note(job, digest, found, made)
        kept[job.source.path] = (digest, found)
    if store is not None:
        store.save_results(OUTLINE, kept)
    cache.keep_only(outlines.paths())
    digests.signatures.save()
    return outlines
