"""Loading: one content file's bytes to its typed entries and its problems.

The per-file part of the pipeline: decode, split front matter, parse YAML,
apply ``_defaults.yaml``, validate against the schema, and check what can be
checked inside one file. A file with any error gives no entry, but its id is
remembered as *declared* so that the next stage does not also report
everything that refers to it as unknown. :func:`merge` puts what the files
gave together. Reading the files, and reusing what unchanged files gave, is
the engine's (:mod:`okrpub.engine.loader`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from okrpub.diagnostics import Diagnostic, Diagnostics, Location
from okrpub.source import schema
from okrpub.source.checks import PLACEHOLDER, SLUG, placeholder_message
from okrpub.source.discover import DEFAULTS_FILE, Kind, SourceFile
from okrpub.source.entries import Loaded, ObjectiveEntry, PageEntry, Sources, UnitEntry, as_ids
from okrpub.source.frontmatter import SplitFile, decode, split_front_matter
from okrpub.source.keyresults import key_result_entries
from okrpub.source.links import link_entries
from okrpub.source.validate import locations, validate_mapping
from okrpub.source.yamldoc import Document, parse_yaml

#: What the engine keeps for each ``_defaults.yaml`` (:class:`Defaults`, or more).
D = TypeVar("D")


@dataclass(frozen=True)
class Defaults:
    """The valid values of one ``_defaults.yaml``, and where they stand in it."""

    values: dict[str, Any]
    document: Document


def load_file(source: SourceFile, raw: bytes | OSError, chain: Sequence[Defaults]) -> Loaded:
    """What the file ``source`` gives: its bytes ``raw`` (or why they could not be read)
    under the defaults ``chain`` that apply to it (:func:`defaults_chain`)."""
    part, found = Sources(), Diagnostics()
    parsed = _read_markdown(source, raw, found)
    if source.kind is Kind.UNIT:
        _add_unit(source, parsed, found, part)
    elif source.kind is Kind.PAGE:
        _add_page(source, parsed, found, part)
    else:
        _add_objective(source, parsed, chain, found, part)
    return Loaded(part, tuple(found.sorted()))


def merge(results: Iterable[Loaded]) -> tuple[Sources, list[Diagnostic]]:
    """What the files gave together, in their order, and their problems."""
    merged = Sources()
    found: list[Diagnostic] = []
    for loaded in results:
        part = loaded.sources
        merged.objectives += part.objectives
        merged.declared_objectives |= part.declared_objectives
        merged.units += part.units
        merged.declared_units |= part.declared_units
        merged.pages += part.pages
        found += loaded.diagnostics
    return merged, found


def load_defaults(
    source: SourceFile, raw: bytes | OSError, diagnostics: Diagnostics
) -> Defaults | None:
    """The valid values of the ``_defaults.yaml`` ``source``, if it has any."""
    text = _decode(source, raw, diagnostics)
    if text is None:
        return None
    document = parse_yaml(text, source.path, diagnostics)
    if document is None or document.data is None:
        return None
    values = validate_mapping(document, (), schema.DEFAULTS_FIELDS, DEFAULTS_FILE, diagnostics)
    return Defaults(values, document) if values else None


def defaults_chain(path: str, content: str, defaults: Mapping[str, D]) -> list[D]:
    """The defaults that apply to a file, farthest folder first, from ``defaults`` by the
    folder (project-relative) they apply to; ``content``: the content folder, as a
    ``/``-separated project path (:func:`content_path`)."""
    folder = folder_of(path)
    chain = []
    while True:
        if folder in defaults:
            chain.append(defaults[folder])
        if folder in (content, "") or "/" not in folder:
            break
        folder = folder_of(folder)
    return chain[::-1]


def content_path(content_dir: str) -> str:
    """The content folder ``content_dir`` as a ``/``-separated project path."""
    return Path(content_dir).as_posix()


def folder_of(path: str) -> str:
    """``a/b`` for ``a/b/c.md``: project paths are ``/``-separated."""
    return path.rpartition("/")[0]


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
    if PLACEHOLDER not in split.body:
        return
    first_line = split.front_matter.count("\n") + 3  # after '---', the YAML and '---'
    for number, line in enumerate(split.body.split("\n"), start=first_line):
        column = line.find(PLACEHOLDER)
        if column >= 0:
            placeholder = line[column:].partition(">")[0] + ">"
            diagnostics.error(
                Location(path, number, column + 1),
                "placeholder",
                placeholder_message("the text below the front matter", placeholder),
            )


def _file_id(source: SourceFile, diagnostics: Diagnostics, what: str) -> str | None:
    stem = PurePosixPath(source.path).stem
    if SLUG.match(stem):
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
    values = validate_mapping(document, (), schema.UNIT_FIELDS, "unit", diagnostics)
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
            locations=locations(document, (), ("id", "parent", "lead")),
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
    values = validate_mapping(document, (), schema.PAGE_FIELDS, "page", diagnostics)
    if values is None or diagnostics.has_errors() or page_id is None:
        return
    sources.pages.append(
        PageEntry(
            page_id,
            values["title"].strip(),
            body,
            source.path,
            locations(document, (), ("id",)),
            visibility=values.get("visibility"),
            nav=values.get("nav", "header"),
            nav_title=values["nav_title"].strip() if "nav_title" in values else None,
            nav_order=values.get("nav_order"),
        )
    )


def _with_defaults(document: Document, chain: Sequence[Defaults]) -> Document:
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
    chain: Sequence[Defaults],
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
    values = validate_mapping(document, (), schema.OBJECTIVE_FIELDS, "objective", diagnostics)
    if values is None:
        return
    key_results = key_result_entries(document, values.get("key_results", []), diagnostics)
    links = link_entries(document, (), diagnostics)
    if diagnostics.has_errors() or objective_id is None:
        return
    period = values["period"]
    sources.objectives.append(
        ObjectiveEntry(
            id=objective_id,
            title=values["title"].strip(),
            owners=as_ids(values["owner"]),
            period=str(period).strip(),
            parents=as_ids(values.get("parent")),
            type=values.get("type", "aspirational"),
            visibility=values.get("visibility"),
            draft=values.get("draft", False),
            tags=tuple(values.get("tags", ())),
            key_results=key_results,
            body=parsed[1],
            path=source.path,
            locations=locations(document, (), ("id", "owner", "period", "parent", "key_results")),
            score=values.get("score"),
            links=links,
            stale_after_days=values.get("stale_after_days"),
        )
    )
