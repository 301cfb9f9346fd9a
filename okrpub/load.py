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
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from okrpub import schema
from okrpub.diagnostics import Diagnostic, Diagnostics, Location
from okrpub.discover import DEFAULTS_FILE, Kind, SourceFile
from okrpub.frontmatter import decode, split_front_matter
from okrpub.model import Checkin  # check-ins are plain values: the model keeps them as read
from okrpub.schema import MAX_CHECKINS, MAX_KEY_RESULTS
from okrpub.yamldoc import Document, parse_yaml

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
    checkins: tuple[Checkin, ...]
    visibility: str | None
    locations: dict[str, Location]


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

    def merge(self, other: Sources) -> None:
        self.units.extend(other.units)
        self.objectives.extend(other.objectives)
        self.pages.extend(other.pages)
        self.declared_units |= other.declared_units
        self.declared_objectives |= other.declared_objectives


@dataclass(frozen=True)
class _Defaults:
    values: dict[str, Any]
    document: Document
    #: The text of the file: when it changes, the objectives below it load again.
    signature: str


class LoadCache:
    """What each file gave in earlier loads, reused while the file and the
    ``_defaults.yaml`` files that apply to it are unchanged (for ``serve``)."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[Hashable, Sources, list[Diagnostic]]] = {}

    def get(self, path: str, signature: Hashable) -> tuple[Sources, list[Diagnostic]] | None:
        cached = self._files.get(path)
        return cached[1:] if cached is not None and cached[0] == signature else None

    def put(self, path: str, signature: Hashable, part: Sources, found: list[Diagnostic]) -> None:
        self._files[path] = (signature, part, found)

    def keep_only(self, paths: set[str]) -> None:
        """Forget files that are gone."""
        for path in set(self._files) - paths:
            del self._files[path]


def _signature(source: SourceFile, chain: list[_Defaults]) -> Hashable:
    """Changes when the file or one of its defaults files changes (or cannot be read)."""
    try:
        stat = source.file.stat()
    except OSError:
        return None
    own = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return (own, *(defaults.signature for defaults in chain))


def load_sources(
    files: Iterable[SourceFile],
    content_dir: str,
    diagnostics: Diagnostics,
    cache: LoadCache | None = None,
) -> Sources:
    """Load every file; the problems found go to ``diagnostics``.

    With a ``cache``, a file whose signature is unchanged is not read again.
    """
    files = list(files)
    defaults = _load_defaults([f for f in files if f.kind is Kind.DEFAULTS], diagnostics)
    sources = Sources()
    for source in files:
        if source.kind is Kind.DEFAULTS:
            continue
        chain = _defaults_chain(source.path, content_dir, defaults)
        signature = _signature(source, chain) if cache is not None else None
        cached = cache.get(source.path, signature) if cache is not None else None
        if cached is None:
            part, local = Sources(), Diagnostics()
            _load_one(source, chain, local, part)
            cached = (part, local.sorted())
            if cache is not None and signature is not None:
                cache.put(source.path, signature, *cached)
        sources.merge(cached[0])
        diagnostics.extend(cached[1])
    if cache is not None:
        cache.keep_only({source.path for source in files})
    return sources


def _load_one(
    source: SourceFile, chain: list[_Defaults], diagnostics: Diagnostics, sources: Sources
) -> None:
    parsed = _read_markdown(source, diagnostics)
    if source.kind is Kind.UNIT:
        _add_unit(source, parsed, diagnostics, sources)
    elif source.kind is Kind.PAGE:
        _add_page(source, parsed, diagnostics, sources)
    else:
        _add_objective(source, parsed, chain, diagnostics, sources)


def _read_text(source: SourceFile, diagnostics: Diagnostics) -> str | None:
    try:
        raw = source.file.read_bytes()
    except OSError as exc:
        diagnostics.error(Location(source.path), "read", f"cannot read file: {exc.strerror}")
        return None
    return decode(raw, source.path, diagnostics)


def _read_markdown(source: SourceFile, diagnostics: Diagnostics) -> tuple[Document, str] | None:
    text = _read_text(source, diagnostics)
    if text is None:
        return None
    split = split_front_matter(text, source.path, diagnostics)
    if split is None:
        return None
    document = parse_yaml(split.front_matter, source.path, diagnostics, first_line=2)
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


def _load_defaults(
    files: list[SourceFile], diagnostics: Diagnostics
) -> dict[PurePosixPath, _Defaults]:
    """Valid ``_defaults.yaml`` values by the folder (project-relative) they apply to."""
    found: dict[PurePosixPath, _Defaults] = {}
    for source in files:
        text = _read_text(source, diagnostics)
        if text is None:
            continue
        document = parse_yaml(text, source.path, diagnostics)
        if document is None or document.data is None:
            continue
        values = schema.validate_mapping(
            document, (), schema.DEFAULTS_FIELDS, DEFAULTS_FILE, diagnostics
        )
        if values:
            found[PurePosixPath(source.path).parent] = _Defaults(values, document, text)
    return found


def _defaults_chain(
    path: str, content_dir: str, defaults: dict[PurePosixPath, _Defaults]
) -> list[_Defaults]:
    """The defaults that apply to a file, farthest folder first."""
    content = PurePosixPath(Path(content_dir).as_posix())
    folder = PurePosixPath(path).parent
    chain = []
    while True:
        if folder in defaults:
            chain.append(defaults[folder])
        if folder == content or folder == folder.parent:
            break
        folder = folder.parent
    return chain[::-1]


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
    )


def _checkins(
    document: Document,
    path: tuple[str, int],
    entries: list[Any],
    binary: bool,
    diagnostics: Diagnostics,
) -> tuple[Checkin, ...] | None:
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
    return tuple(sorted(checkins, key=lambda checkin: checkin.date))
