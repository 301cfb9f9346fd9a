"""The loader: what each content file gives, reused while the file is unchanged.

It wraps the pure loading of :mod:`okrpub.source.load`: a file's result is
keyed by its path and a digest of its bytes and of the ``_defaults.yaml``
files that apply to it, and kept in memory (``serve`` keeps one
:class:`LoadCache` across rebuilds) and in the cache folder
(:mod:`okrpub.engine.cache`) as plain data, encoded with msgspec. A file whose
signature is unchanged is not even read (:mod:`okrpub.engine.signatures`). What is read
back is decoded into the entry types, checked on the way: a row that does not
decode is a miss, and the file is parsed again. Many files to parse are
shared among worker processes. The files parsed are counted
(:data:`okrpub.engine.stats.FILES_PARSED`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import msgspec

from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.cache import CacheStore
from okrpub.engine.merging import Merge, merge_again
from okrpub.engine.signatures import Signatures, content_digest, read_bytes
from okrpub.engine.stats import FILES_LOOKED_AT, FILES_PARSED, Stats
from okrpub.source.discover import DEFAULTS_FILE, Kind, SourceFile
from okrpub.source.entries import Loaded, Sources
from okrpub.source.load import (
    Defaults,
    content_path,
    defaults_chain,
    folder_of,
    load_defaults,
    load_file,
)

#: Below this many files to load, starting worker processes costs more than it saves.
PARALLEL_FROM = 400
#: More workers than this wait on the parent, which decodes what they send.
MAX_WORKERS = 4

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Loaded)


def encode(loaded: Loaded) -> bytes | None:
    """``loaded`` as plain data; ``None`` when it has what msgpack cannot hold (a whole
    number beyond 64 bits): such a file is parsed again each run."""
    try:
        return _ENCODER.encode(loaded)
    except (OverflowError, UnicodeError, msgspec.EncodeError):
        return None


def decode(payload: bytes) -> Loaded | None:
    """What :func:`encode` gave ``payload`` from; ``None`` for anything else."""
    try:
        return _DECODER.decode(payload)
    except msgspec.DecodeError:
        return None


class LoadCache:
    """What each file gave, by path and a digest of what it was loaded from.

    ``serve`` keeps one across rebuilds; with a ``store`` the results are also
    kept on disk for the next run.
    """

    def __init__(self, store: CacheStore | None = None) -> None:
        self.store = store
        self._files: dict[str, tuple[bytes, Loaded]] = {}
        self._outlines: dict[str, tuple[bytes, Loaded]] = {}
        #: What the last whole discovery found, for ``serve`` to update by what changed;
        #: ``None`` until then, or when it reported problems (it is then repeated).
        self.discovered: list[SourceFile] | None = None
        #: The last merge of what the files gave, for ``serve`` to put new objectives in.
        self.merge: Merge | None = None
        #: What the last load was given, for ``serve`` to look only at the changed files.
        self.loaded: LastLoad | None = None

    def get(self, path: str, digest: bytes, *, alone: bool = False) -> Loaded | None:
        """What ``path`` gave when loaded from ``digest``, if known. The store's rows are
        read all at once, or only this file's when ``alone`` (``check`` needs few)."""
        cached = self._files.get(path)
        if cached is not None and cached[0] == digest:
            return cached[1]
        store, payload = self.store, None
        if store is not None:
            payload = store.one(path, digest) if alone else store.get(path, digest)
        loaded = decode(payload) if payload is not None else None
        if loaded is not None:
            self._files[path] = (digest, loaded)
        return loaded

    def digest_of_objective(self, path: str) -> bytes | None:
        """The digest ``path`` was loaded from, when it gave one objective (which that
        digest then decides, but for what resolution fills in: see
        :func:`~okrpub.model.resolve.references`); else ``None``."""
        cached = self._files.get(path) or self._outlines.get(path)
        if cached is None or len(cached[1].sources.objectives) != 1:
            return None
        return cached[0]

    def put_outline(self, path: str, digest: bytes, outline: Loaded) -> None:
        """Note the outline of what ``path`` gave when loaded from ``digest``
        (:mod:`okrpub.engine.outlines`)."""
        self._outlines[path] = (digest, outline)

    def last(self, path: str) -> Loaded | None:
        """What ``path`` gave when it was last loaded, whatever its bytes are now."""
        cached = self._files.get(path)
        return cached[1] if cached is not None else None

    def put(self, path: str, digest: bytes, loaded: Loaded, payload: bytes | None) -> None:
        self._files[path] = (digest, loaded)
        if self.store is not None and payload is not None:
            self.store.put(path, digest, payload)

    def keep_only(self, paths: set[str]) -> None:
        """Forget files that are gone, and save what changed to the store."""
        for path in set(self._files) - paths:
            del self._files[path]
        if self.store is not None:
            self.store.save(paths)


@dataclass(frozen=True)
class _Defaults:
    defaults: Defaults
    #: Of the file's path and bytes: when it changes, the objectives below it load again.
    digest: bytes


@dataclass(frozen=True)
class Job:
    """One file to load: its bytes (or why they could not be read; ``None`` while its
    signature spares reading them) and its defaults."""

    source: SourceFile
    raw: bytes | OSError | None
    chain: list[_Defaults]
    #: The digest of what it loads from, when ``raw`` is given (so as not to digest it again).
    raw_digest: bytes | None = None

    def digest(self, content: bytes) -> bytes:
        """What the file loads from: its path, defaults and the ``content`` digest of its bytes."""
        return _digest(self.source.path, content, [defaults.digest for defaults in self.chain])

    def read(self) -> tuple[Job, bytes]:
        """The job with its bytes, read now if they were not, and its digest from them."""
        if self.raw is not None and self.raw_digest is not None:
            return self, self.raw_digest
        raw = read_bytes(self.source) if self.raw is None else self.raw
        return dataclasses.replace(self, raw=raw), self.digest(content_digest(raw))


def _digest(path: str, content: bytes, chain: list[bytes]) -> bytes:
    digest = hashlib.blake2b(path.encode(), digest_size=20)
    for defaults in chain:
        digest.update(defaults)
    digest.update(content)
    return digest.digest()


class FileDigests:
    """What each file loads from, its bytes read only when its signature changed
    (:mod:`okrpub.engine.signatures`)."""

    def __init__(
        self,
        content_dir: str,
        defaults: dict[str, _Defaults],
        cache: LoadCache | None,
        stats: Stats | None,
    ) -> None:
        self._content, self._defaults = content_path(content_dir), defaults
        self._chains: dict[str, list[_Defaults]] = {}  # by folder: most folders hold many files
        self.signatures = Signatures(cache.store if cache is not None else None, stats)

    def job(self, source: SourceFile) -> tuple[Job, bytes]:
        """The job of loading ``source``, and the digest of what it loads from."""
        folder = folder_of(source.path)
        chain = self._chains.get(folder)
        if chain is None:
            chain = self._chains[folder] = (
                defaults_chain(source.path, self._content, self._defaults) if self._defaults else []
            )
        raw, content = self.signatures.digest(source)
        digest = _digest(source.path, content, [defaults.digest for defaults in chain])
        return Job(source, raw, chain, digest if raw is not None else None), digest


def load_sources(
    files: list[SourceFile],
    content_dir: str,
    diagnostics: Diagnostics,
    cache: LoadCache | None = None,
    changed: frozenset[str] | None = None,
    stats: Stats | None = None,
) -> Sources:
    """Load every file; the problems found go to ``diagnostics``.

    With a ``cache``, a file whose bytes (and defaults) are unchanged is not
    parsed again; when ``changed`` says which files may have changed since the
    cache was filled (``serve``'s watcher does), the others are not even read,
    and when the files are the very list of the last load, not even looked at.
    The files parsed and looked at, and whole merges of what they gave, are
    counted in ``stats``.
    """
    stats = stats or Stats()
    last = cache.loaded if cache is not None and cache.merge is not None else None
    same_files = cache is not None and last is not None and files is last.files
    if same_files and changed is not None and not _defaults_changed(changed):
        assert cache is not None and last is not None
        return _load_changed(last, changed, content_dir, diagnostics, cache, stats)
    found = Diagnostics()
    defaults = defaults_of(files, found)
    diagnostics.extend(found.as_found())
    digests = FileDigests(content_dir, defaults, cache, stats)
    known = _unchanged(cache, changed)
    sources = [source for source in files if source.kind is not Kind.DEFAULTS]
    index = {source.path: place for place, source in enumerate(sources)}
    results = [known(source.path) for source in sources]
    stats.add(FILES_LOOKED_AT, len(results))
    unknown = [(place, sources[place]) for place, loaded in enumerate(results) if loaded is None]
    for place, loaded in _looked_up(unknown, digests, cache, stats).items():
        results[place] = loaded
    done = [loaded for loaded in results if loaded is not None]
    assert len(done) == len(results)
    if cache is not None:
        paths = set(index)
        cache.keep_only(paths)
        digests.signatures.save(whole=changed is None)
        cache.loaded = LastLoad(files, sources, index, paths, defaults, found.as_found())
    return _merge(cache, done, range(len(done)), diagnostics, stats)


@dataclass(frozen=True)
class LastLoad:
    """What ``serve``'s last load was given and found besides what the files gave."""

    #: The very list of files it was given.
    files: list[SourceFile]
    #: The files that give something (not ``_defaults.yaml``), and each one's place by path.
    sources: list[SourceFile]
    index: dict[str, int]
    paths: set[str]
    defaults: dict[str, _Defaults]
    #: The problems of the ``_defaults.yaml`` files.
    found: list[Diagnostic]


def _load_changed(
    last: LastLoad,
    changed: frozenset[str],
    content_dir: str,
    diagnostics: Diagnostics,
    cache: LoadCache,
    stats: Stats,
) -> Sources:
    """What :func:`load_sources` gives for the very files of the ``last`` load, of which
    only those at ``changed`` (none a ``_defaults.yaml``) may have changed: only those are
    looked at, the others are what they gave last time."""
    diagnostics.extend(last.found)
    looked = sorted(last.index[path] for path in changed if path in last.index)
    stats.add(FILES_LOOKED_AT, len(looked))
    digests = FileDigests(content_dir, last.defaults, cache, stats)
    results = list(cache.merge.results if cache.merge is not None else ())
    unknown = [(place, last.sources[place]) for place in looked]
    for place, loaded in _looked_up(unknown, digests, cache, stats).items():
        results[place] = loaded
    cache.keep_only(last.paths)
    digests.signatures.save(whole=False)
    return _merge(cache, results, looked, diagnostics, stats)


def _looked_up(
    files: list[tuple[int, SourceFile]],
    digests: FileDigests,
    cache: LoadCache | None,
    stats: Stats,
) -> dict[int, Loaded]:
    """What each file gives, by its place: kept in the ``cache`` for its digest, else
    parsed."""
    found: dict[int, Loaded] = {}
    jobs: dict[int, Job] = {}
    for place, source in files:
        job, digest = digests.job(source)
        loaded = cache.get(source.path, digest) if cache is not None else None
        if loaded is None:
            jobs[place] = job
        else:
            found[place] = loaded
    for place, (_, loaded) in zip(jobs, parse(list(jobs.values()), cache, stats), strict=True):
        found[place] = loaded
    return found


def parse(
    jobs: list[Job], cache: LoadCache | None, stats: Stats | None
) -> list[tuple[bytes, Loaded]]:
    """What each job's file gives, parsed (and counted in ``stats``), with the digest it
    was loaded from; kept in ``cache``."""
    if stats is not None:
        stats.add(FILES_PARSED, len(jobs))
    ready = [job.read() for job in jobs]
    keep_payload = cache is not None and cache.store is not None
    parsed = list(_load_all([job for job, _ in ready], keep_payload))
    if cache is not None:
        for (job, digest), (loaded, payload) in zip(ready, parsed, strict=True):
            cache.put(job.source.path, digest, loaded, payload)
    return [(digest, loaded) for (_, digest), (loaded, _) in zip(ready, parsed, strict=True)]


def _merge(
    cache: LoadCache | None,
    results: list[Loaded],
    looked: Iterable[int],
    diagnostics: Diagnostics,
    stats: Stats,
) -> Sources:
    """What ``results`` give together (:func:`~okrpub.engine.merging.merge_again`), the merge
    kept in the ``cache``; their problems go to ``diagnostics``."""
    merge = merge_again(cache.merge if cache is not None else None, results, looked, stats)
    if cache is not None:
        cache.merge = merge
    diagnostics.extend(merge.found)
    return merge.sources


def _defaults_changed(changed: frozenset[str]) -> bool:
    """Whether a ``_defaults.yaml`` file is among the ``changed`` paths: it changes what
    every file below it gives."""
    return any(path.rpartition("/")[2] == DEFAULTS_FILE for path in changed)


def _unchanged(
    cache: LoadCache | None, changed: frozenset[str] | None
) -> Callable[[str], Loaded | None]:
    """What a file gave last time if it is known not to have changed, else ``None``.

    A changed ``_defaults.yaml`` changes what every file below it gives: then every
    file is read again (and parsed again only if its digest says so).
    """
    if cache is None or changed is None or _defaults_changed(changed):
        return lambda path: None
    return lambda path: None if path in changed else cache.last(path)


def defaults_of(files: list[SourceFile], diagnostics: Diagnostics) -> dict[str, _Defaults]:
    """Valid ``_defaults.yaml`` values by the folder (project-relative) they apply to."""
    found: dict[str, _Defaults] = {}
    for source in files:
        if source.kind is not Kind.DEFAULTS:
            continue
        raw = read_bytes(source)
        defaults = load_defaults(source, raw, diagnostics)
        if defaults is not None:
            digest = _digest(source.path, content_digest(raw), [])
            found[folder_of(source.path)] = _Defaults(defaults, digest)
    return found


def _load_all(jobs: list[Job], keep_payload: bool) -> Iterator[tuple[Loaded, bytes | None]]:
    """Load ``jobs`` in order, in worker processes when there are many and cores to spare.

    Workers send their results back encoded, which is also what the store keeps.
    """
    workers = min(usable_cores(), MAX_WORKERS)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        for job in jobs:
            loaded = _load_job(job)
            yield loaded, encode(loaded) if keep_payload else None
        return
    import multiprocessing  # here: a warm run parses few files, in this process
    from concurrent.futures import ProcessPoolExecutor

    # Forking copies only the calling thread: unsafe in serve (a server and a watcher run
    # beside it), where workers start afresh instead (and import okrpub again).
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for sent in pool.map(_load_encoded, jobs, chunksize=chunk):
            if isinstance(sent, Loaded):
                yield sent, None
                continue
            decoded = decode(sent)
            assert decoded is not None  # encoded by a worker of this very okrpub
            yield decoded, sent


def usable_cores() -> int:
    """The cores this process may run on (fewer than the machine's in a limited container)."""
    return len(os.sched_getaffinity(0))


def _load_encoded(job: Job) -> bytes | Loaded:
    """In a worker: what the job gives, encoded when it can be."""
    loaded = _load_job(job)
    return encode(loaded) or loaded


def _load_job(job: Job) -> Loaded:
    assert job.raw is not None  # read by Job.read
    return load_file(job.source, job.raw, [defaults.defaults for defaults in job.chain])
