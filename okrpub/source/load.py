"""Loading: turn each discovered file into a validated, typed entry.

This stage runs the per-file part of the pipeline (read, decode, split front
matter, parse YAML, apply ``_defaults.yaml``, validate against the schema)
and checks what can be checked inside one file. A file with any error gives
no entry, but its id is remembered as *declared* so that the next stage does
not also report everything that refers to it as unknown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from okrpub.diagnostics import Diagnostic, Diagnostics, Location
from okrpub.engine.cache import CacheStore
from okrpub.model.types import Checkin, Checkins  # plain values: the model keeps them as read
from okrpub.source import schema
from okrpub.source.discover import DEFAULTS_FILE, Kind, SourceFile
from okrpub.source.frontmatter import SplitFile, decode, split_front_matter
from okrpub.source.schema import MAX_CHECKINS, MAX_KEY_RESULTS
from okrpub.source.yamldoc import Document, parse_yaml

Number = int | float


@dataclass(frozen=True)
class KeyResultEntry:
    id: str
    title: str
    start: Number
    target: Number | None
    current: Number | None
    done: bool | None
    unit: str
    owner: str | None
    due: dt.date | None
    weight: Number
    confidence: float | None
    score: float | None
    checkins: Checkins
    visibility: str | None
    locations: dict[str, Location]
    #: Why it was cancelled; it stays visible but out of every mean.
    cancelled: str | None = None


@dataclass(frozen=True)
class ObjectiveEntry:
    id: str
    title: str
    owner: str
    period: str
    parent: str | None
    type: str
    visibility: str | None
    draft: bool
    tags: tuple[str, ...]
    key_results: tuple[KeyResultEntry, ...]
    body: str
    path: str
    locations: dict[str, Location]


@dataclass(frozen=True)
class UnitEntry:
    id: str
    name: str
    kind: str
    parent: str | None
    lead: str | None
    visibility: str | None
    body: str
    path: str
    locations: dict[str, Location]


@dataclass(frozen=True)
class PageEntry:
    id: str
    title: str
    body: str
    path: str
    locations: dict[str, Location]
    #: ``public`` or ``internal``; ``None`` until resolution applies ``default_visibility``.
    visibility: str | None = None


@dataclass
class Sources:
    """Everything that loaded cleanly, plus the ids of files that did not."""

    units: list[UnitEntry] = field(default_factory=list)
    objectives: list[ObjectiveEntry] = field(default_factory=list)
    pages: list[PageEntry] = field(default_factory=list)
    declared_units: set[str] = field(default_factory=set)
    declared_objectives: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Defaults:
    values: dict[str, Any]
    document: Document
    #: Of the file's path and text: when it changes, the objectives below it load again.
    digest: bytes


@dataclass(frozen=True)
class Loaded:
    """What one file gave: its entries (or its id, when it has errors) and its diagnostics."""

    sources: Sources
    diagnostics: tuple[Diagnostic, ...]


class LoadCache:
    """What each file gave, by path and a digest of what it was loaded from.

    ``serve`` keeps one across rebuilds; with a ``store`` (``cache.py``) the
    results are also kept on disk for the next run.
    """

    def __init__(self, store: CacheStore | None = None) -> None:
        self.store = store
        self._files: dict[str, tuple[bytes, Loaded]] = {}
        #: What the last whole discovery found, for ``serve`` to update by what changed;
        #: ``None`` until then, or when it reported problems (it is then repeated).
        self.discovered: list[SourceFile] | None = None
        #: The last merge of what the files gave, for ``serve`` to put new objectives in.
        self.merge: Merge | None = None

    def get(self, path: str, digest: bytes) -> Loaded | None:
        cached = self._files.get(path)
        if cached is not None and cached[0] == digest:
            return cached[1]
        payload = self.store.get(path, digest) if self.store is not None else None
        if payload is None:
            return None
        loaded: Loaded = pickle.loads(payload)
        self._files[path] = (digest, loaded)
        return loaded

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
class _Job:
    """One file to load: its bytes (or why they could not be read) and its defaults."""

    source: SourceFile
    raw: bytes | OSError
    chain: list[_Defaults]

    def digest(self) -> bytes:
        digest = hashlib.blake2b(self.source.path.encode(), digest_size=20)
        for defaults in self.chain:
            digest.update(defaults.digest)
        digest.update(self.raw if isinstance(self.raw, bytes) else repr(self.raw).encode())
        return digest.digest()


#: Below this many files to load, starting worker processes costs more than it saves.
PARALLEL_FROM = 400
#: More workers than this wait on the parent, which unpickles what they send.
MAX_WORKERS = 4


def load_sources(
    files: Iterable[SourceFile],
    content_dir: str,
    diagnostics: Diagnostics,
    cache: LoadCache | None = None,
    changed: frozenset[str] | None = None,
) -> Sources:
    """Load every file; the problems found go to ``diagnostics``.

    With a ``cache``, a file whose bytes (and defaults) are unchanged is not
    parsed again; when ``changed`` says which files may have changed since the
    cache was filled (``serve``'s watcher does), the others are not even read.
    Many files to parse are shared among worker processes.
    """
    files = list(files)
    defaults = _load_defaults([f for f in files if f.kind is Kind.DEFAULTS], diagnostics)
    known = _unchanged(cache, changed)
    chains: dict[str, list[_Defaults]] = {}  # by folder: most folders hold many files
    results: list[Loaded | None] = []
    jobs: dict[int, tuple[_Job, bytes]] = {}
    for source in files:
        if source.kind is Kind.DEFAULTS:
            continue
        loaded = known(source.path)
        if loaded is None:
            folder = _folder_of(source.path)
            if folder not in chains:
                chains[folder] = _defaults_chain(source.path, content_dir, defaults)
            job = _Job(source, _read_bytes(source), chains[folder])
            digest = job.digest()
            loaded = cache.get(source.path, digest) if cache is not None else None
            if loaded is None:
                jobs[len(results)] = (job, digest)
        results.append(loaded)
    keep_payload = cache is not None and cache.store is not None
    parsed = _load_all([job for job, _ in jobs.values()], keep_payload)
    for (index, (job, digest)), (loaded, payload) in zip(jobs.items(), parsed, strict=True):
        results[index] = loaded
        if cache is not None:
            cache.put(job.source.path, digest, loaded, payload)
    if cache is not None:
        cache.keep_only({source.path for source in files if source.kind is not Kind.DEFAULTS})
    done = [loaded for loaded in results if loaded is not None]
    assert len(done) == len(results)
    last = cache.merge if cache is not None else None
    merge = (last and _merged_again(last, done)) or _merged(done)
    if cache is not None:
        cache.merge = merge
    diagnostics.extend(merge.found)
    return merge.sources


@dataclass(frozen=True)
class Merge:
    """What the files gave together, in their order, and what each file gave."""

    results: list[Loaded]
    sources: Sources
    #: Their problems, in order.
    found: list[Diagnostic]
    #: For each file that gave one objective and nothing else, by its place in
    #: :attr:`results`: the objective's place in ``sources.objectives``.
    places: dict[int, int]


def _merged(results: list[Loaded]) -> Merge:
    merged = Sources()
    found: list[Diagnostic] = []
    places: dict[int, int] = {}
    units, objectives, pages = merged.units, merged.objectives, merged.pages
    declared_units, declared_objectives = merged.declared_units, merged.declared_objectives
    for index, loaded in enumerate(results):
        part = loaded.sources
        if part.objectives:
            if len(part.objectives) == 1 and not part.units and not part.pages:
                places[index] = len(objectives)
            objectives += part.objectives
        if part.declared_objectives:
            declared_objectives |= part.declared_objectives
        if part.units:
            units += part.units
        if part.declared_units:
            declared_units |= part.declared_units
        if part.pages:
            pages += part.pages
        if loaded.diagnostics:
            found += loaded.diagnostics
    return Merge(results, merged, found, places)


def _merged_again(last: Merge, results: list[Loaded]) -> Merge | None:
    """The last merge with new objectives in it, when the files that changed (``serve``
    reads few) each gave one objective and nothing else, before and now, with no
    problems either time; else ``None``."""
    if len(last.results) != len(results):
        return None
    objectives = last.sources.objectives
    for index, (before, now) in enumerate(zip(last.results, results, strict=True)):
        if before is now:
            continue
        place = last.places.get(index)
        part = now.sources
        if (
            place is None
            or before.diagnostics
            or now.diagnostics
            or len(part.objectives) != 1
            or part.units
            or part.pages
            or part.declared_objectives != before.sources.declared_objectives
            or part.declared_units != before.sources.declared_units
        ):
            return None
        if objectives is last.sources.objectives:
            objectives = list(objectives)
        objectives[place] = part.objectives[0]
    sources = dataclasses.replace(last.sources, objectives=objectives)
    return Merge(results, sources, last.found, last.places)


def _unchanged(
    cache: LoadCache | None, changed: frozenset[str] | None
) -> Callable[[str], Loaded | None]:
    """What a file gave last time if it is known not to have changed, else ``None``.

    A changed ``_defaults.yaml`` changes what every file below it gives: then every
    file is read again (and parsed again only if its digest says so).
    """
    if cache is None or changed is None:
        return lambda path: None
    if any(path.rpartition("/")[2] == DEFAULTS_FILE for path in changed):
        return lambda path: None
    return lambda path: None if path in changed else cache.last(path)


def _read_bytes(source: SourceFile) -> bytes | OSError:
    try:
        with open(source.file, "rb") as file:
            return file.read()
    except OSError as error:
        return error


def _load_all(jobs: list[_Job], keep_payload: bool) -> Iterator[tuple[Loaded, bytes | None]]:
    """Load ``jobs`` in order, in worker processes when there are many and cores to spare.

    Workers send their results back pickled, which is also what the cache stores.
    """
    workers = min(usable_cores(), MAX_WORKERS)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        for job in jobs:
            loaded = _load_job(job)
            yield loaded, _dumps(loaded) if keep_payload else None
        return
    # Forking copies only the calling thread: unsafe in serve (a server and a watcher run
    # beside it), where workers start afresh instead (and import okrpub again).
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for payload in pool.map(_load_pickled, jobs, chunksize=chunk):
            yield pickle.loads(payload), payload


def usable_cores() -> int:
    """The cores this process may run on (fewer than the machine's in a limited container)."""
    return len(os.sched_getaffinity(0))


def _dumps(loaded: Loaded) -> bytes:
    return pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)


def _load_pickled(job: _Job) -> bytes:
    return _dumps(_load_job(job))


def _load_job(job: _Job) -> Loaded:
    part, found = Sources(), Diagnostics()
    _load_one(job.source, job.raw, job.chain, found, part)
    return Loaded(part, tuple(found.sorted()))


def _load_one(
    source: SourceFile,
    raw: bytes | OSError,
    chain: list[_Defaults],
    diagnostics: Diagnostics,
    sources: Sources,
) -> None:
    parsed = _read_markdown(source, raw, diagnostics)
    if source.kind is Kind.UNIT:
        _add_unit(source, parsed, diagnostics, sources)
    elif source.kind is Kind.PAGE:
        _add_page(source, parsed, diagnostics, sources)
    else:
        _add_objective(source, parsed, chain, diagnostics, sources)


def _decode(source: SourceFile, raw: bytes | OSError, diagnostics: Diagnostics) -> str | None:
    if isinstance(raw, OSError):
        diagnostics.error(Location(source.path), "read", f"cannot read file: {raw.strerror}")
        return None
    return decode(raw, source.path, diagnostics)


def _read_markdown(
    source: SourceFile, raw: bytes | OSError, diagnostics: Diagnostics
) -> tuple[Document, str] | None:
    text = _decode(source, raw, diagnostics)
    return None if text is None else parse_markdown(text, source.path, diagnostics)


def parse_markdown(text: str, path: str, diagnostics: Diagnostics) -> tuple[Document, str] | None:
    """A Markdown file's front matter (a mapping) and body, or ``None`` after reporting why not."""
    split = split_front_matter(text, path, diagnostics)
    if split is None:
        return None
    _body_placeholders(path, split, diagnostics)
    document = parse_yaml(split.front_matter, path, diagnostics, first_line=2)
    if document is None:
        return None
    if not isinstance(document.data, dict):
        got = "nothing" if document.data is None else f"a {type(document.data).__name__}"
        diagnostics.error(
            document.where(()),
            "front-matter",
            f"front matter must be a mapping of keys to values, got {got}",
        )
        return None
    return document, split.body


def _body_placeholders(path: str, split: SplitFile, diagnostics: Diagnostics) -> None:
    """Report each placeholder ``okrpub new`` left in the body, where it stands."""
    first_line = split.front_matter.count("\n") + 3  # after '---', the YAML and '---'
    for number, line in enumerate(split.body.split("\n"), start=first_line):
        column = line.find(schema.PLACEHOLDER)
        if column >= 0:
            placeholder = line[column:].partition(">")[0] + ">"
            diagnostics.error(
                Location(path, number, column + 1),
                "placeholder",
                schema.placeholder_message("the text below the front matter", placeholder),
            )


def _file_id(source: SourceFile, diagnostics: Diagnostics, what: str) -> str | None:
    stem = PurePosixPath(source.path).stem
    if schema.SLUG.match(stem):
        return stem
    diagnostics.error(
        Location(source.path),
        "bad-id",
        f"file name '{stem}' is not a valid {what} id: use lower-case letters, digits and '-'",
    )
    return None


def _add_unit(
    source: SourceFile,
    parsed: tuple[Document, str] | None,
    diagnostics: Diagnostics,
    sources: Sources,
) -> None:
    unit_id = _file_id(source, diagnostics, "unit")
    if unit_id:
        sources.declared_units.add(unit_id)
    if parsed is None:
        return
    document, body = parsed
    values = schema.validate_mapping(document, (), schema.UNIT_FIELDS, "unit", diagnostics)
    if values is None or diagnostics.has_errors() or unit_id is None:
        return
    sources.units.append(
        UnitEntry(
            id=unit_id,
            name=values["name"].strip(),
            kind=values["kind"],
            parent=values.get("parent"),
            lead=values.get("lead"),
            visibility=values.get("visibility"),
            body=body,
            path=source.path,
            locations=schema.locations(document, (), ("id", "parent", "lead")),
        )
    )


def _add_page(
    source: SourceFile,
    parsed: tuple[Document, str] | None,
    diagnostics: Diagnostics,
    sources: Sources,
) -> None:
    page_id = _file_id(source, diagnostics, "page")
    if parsed is None:
        return
    document, body = parsed
    values = schema.validate_mapping(document, (), schema.PAGE_FIELDS, "page", diagnostics)
    if values is None or diagnostics.has_errors() or page_id is None:
        return
    sources.pages.append(
        PageEntry(
            page_id,
            values["title"].strip(),
            body,
            source.path,
            schema.locations(document, (), ("id",)),
            visibility=values.get("visibility"),
        )
    )


def _load_defaults(files: list[SourceFile], diagnostics: Diagnostics) -> dict[str, _Defaults]:
    """Valid ``_defaults.yaml`` values by the folder (project-relative) they apply to."""
    found: dict[str, _Defaults] = {}
    for source in files:
        raw = _read_bytes(source)
        text = _decode(source, raw, diagnostics)
        if text is None:
            continue
        document = parse_yaml(text, source.path, diagnostics)
        if document is None or document.data is None:
            continue
        values = schema.validate_mapping(
            document, (), schema.DEFAULTS_FIELDS, DEFAULTS_FILE, diagnostics
        )
        if values:
            digest = _Job(source, raw, []).digest()
            found[_folder_of(source.path)] = _Defaults(values, document, digest)
    return found


def _defaults_chain(path: str, content_dir: str, defaults: dict[str, _Defaults]) -> list[_Defaults]:
    """The defaults that apply to a file, farthest folder first."""
    content = Path(content_dir).as_posix()
    folder = _folder_of(path)
    chain = []
    while True:
        if folder in defaults:
            chain.append(defaults[folder])
        if folder in (content, "") or "/" not in folder:
            break
        folder = _folder_of(folder)
    return chain[::-1]


def _folder_of(path: str) -> str:
    """``a/b`` for ``a/b/c.md``: project paths are ``/``-separated."""
    return path.rpartition("/")[0]


def _with_defaults(document: Document, chain: list[_Defaults]) -> Document:
    """The document with default keys filled in; their locations point into the defaults file."""
    data: dict[Any, Any] = {}
    for defaults in chain:
        data.update(defaults.values)
    data.update(document.data)
    nearest_first = tuple(defaults.document for defaults in reversed(chain))
    return dataclasses.replace(document, data=data, defaults=nearest_first)


def _add_objective(
    source: SourceFile,
    parsed: tuple[Document, str] | None,
    chain: list[_Defaults],
    diagnostics: Diagnostics,
    sources: Sources,
) -> None:
    own = parsed[0].data if parsed else {}
    objective_id = own.get("id") if isinstance(own.get("id"), str) else None
    if objective_id is None:
        objective_id = _file_id(source, diagnostics, "objective")
    if objective_id:
        sources.declared_objectives.add(objective_id)
    if parsed is None:
        return
    document = _with_defaults(parsed[0], chain)
    values = schema.validate_mapping(
        document, (), schema.OBJECTIVE_FIELDS, "objective", diagnostics
    )
    if values is None:
        return
    key_results = _key_results(document, values.get("key_results", []), diagnostics)
    if diagnostics.has_errors() or objective_id is None:
        return
    period = values["period"]
    sources.objectives.append(
        ObjectiveEntry(
            id=objective_id,
            title=values["title"].strip(),
            owner=values["owner"],
            period=str(period).strip(),
            parent=values.get("parent"),
            type=values.get("type", "aspirational"),
            visibility=values.get("visibility"),
            draft=values.get("draft", False),
            tags=tuple(values.get("tags", ())),
            key_results=key_results,
            body=parsed[1],
            path=source.path,
            locations=schema.locations(document, (), ("id", "owner", "period", "parent")),
        )
    )


def valid_key_results(document: Document) -> tuple[KeyResultEntry, ...]:
    """The key results of an objective's front matter that are valid on their own.

    For versions of a file read from the history, where nothing is reported.
    """
    entries = document.data.get("key_results")
    return _key_results(document, entries, Diagnostics()) if isinstance(entries, list) else ()


def _key_results(
    document: Document, entries: list[Any], diagnostics: Diagnostics
) -> tuple[KeyResultEntry, ...]:
    if len(entries) > MAX_KEY_RESULTS:
        diagnostics.error(
            document.where(("key_results",)),
            "limit",
            f"objective has {len(entries)} key results; the limit is {MAX_KEY_RESULTS}",
        )
        return ()
    key_results: list[KeyResultEntry] = []
    first_use: dict[str, int] = {}
    for index in range(len(entries)):
        key_result = _key_result(document, index, diagnostics)
        if key_result is None:
            continue
        if key_result.id in first_use:
            diagnostics.error(
                key_result.locations.get("id", key_result.locations[""]),
                "duplicate-id",
                f"key result id '{key_result.id}' is used twice in this objective "
                f"(key_results[{first_use[key_result.id]}] and key_results[{index}])",
            )
            continue
        first_use[key_result.id] = index
        key_results.append(key_result)
    return tuple(key_results)


def _key_result(document: Document, index: int, diagnostics: Diagnostics) -> KeyResultEntry | None:
    path = ("key_results", index)
    name = f"key_results[{index}]"
    values = schema.validate_mapping(document, path, schema.KEY_RESULT_FIELDS, name, diagnostics)
    if values is None:
        return None
    where = document.where(path)
    binary = "done" in values
    if "target" in values and binary:
        diagnostics.error(
            where,
            "schema",
            f"{name} has both 'target' and 'done'; a key result is numeric or binary",
        )
        return None
    if "target" not in values and not binary:
        written = document.data["key_results"][index]
        if "target" in written or "done" in written:
            return None  # it is there but wrong; that is already reported
        diagnostics.error(
            where,
            "not-measurable",
            f"{name} has neither 'target' (a number to reach) nor 'done' (true/false): "
            "it is not measurable",
        )
        return None
    start = values.get("start", 0)
    if "target" in values and values["target"] == start:
        diagnostics.error(
            document.where((*path, "target")),
            "target-equals-start",
            f"{name}.target equals its start ({start}); there is nothing to progress",
        )
        return None
    if binary and "current" in values:
        diagnostics.error(
            document.where((*path, "current")),
            "schema",
            f"{name}.current applies to numeric key results; a binary one uses 'done'",
        )
        return None
    checkins = _checkins(document, path, values.get("checkins", []), binary, diagnostics)
    if checkins is None or "title" not in values:
        return None  # what is wrong is already reported
    due = values.get("due")
    return KeyResultEntry(
        id=values.get("id", f"kr{index + 1}"),
        title=values["title"].strip(),
        start=start,
        target=values.get("target"),
        current=values.get("current"),
        done=values.get("done"),
        unit=values.get("unit", "").strip(),
        owner=values.get("owner"),
        due=schema.as_date(due) if due is not None else None,
        weight=values.get("weight", 1),
        confidence=values.get("confidence"),
        score=values.get("score"),
        checkins=checkins,
        visibility=values.get("visibility"),
        locations=schema.locations(document, path, ("id", "owner")),
        cancelled=values["cancelled"].strip() if "cancelled" in values else None,
    )


def _checkins(
    document: Document,
    path: tuple[str, int],
    entries: list[Any],
    binary: bool,
    diagnostics: Diagnostics,
) -> Checkins | None:
    name = schema.describe((*path, "checkins"))
    if len(entries) > MAX_CHECKINS:
        diagnostics.error(
            document.where((*path, "checkins")),
            "limit",
            f"{name} has {len(entries)} check-ins; the limit is {MAX_CHECKINS}",
        )
        return None
    checkins: list[Checkin] = []
    ok = True
    for index in range(len(entries)):
        at = (*path, "checkins", index)
        values = schema.validate_mapping(
            document, at, schema.CHECKIN_FIELDS, f"{name}[{index}]", diagnostics
        )
        if values is None or "date" not in values:
            ok = False
            continue
        value = values.get("value")
        if value is not None and isinstance(value, bool) != binary:
            expected = "true or false (the key result is binary)" if binary else "a number"
            diagnostics.error(
                document.where((*at, "value")),
                "schema",
                f"{name}[{index}].value must be {expected}, got {value!r}",
            )
            ok = False
            continue
        date = schema.as_date(values["date"])
        assert date is not None  # checked by the schema
        checkins.append(
            Checkin(
                date=date,
                value=value,
                confidence=values.get("confidence"),
                note=values.get("note", "").strip(),
            )
        )
    if not ok:
        return None
    return Checkins(sorted(checkins, key=lambda checkin: checkin.date))
