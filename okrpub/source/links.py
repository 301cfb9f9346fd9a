"""Links: the ``links:`` list of an objective or key result, each ``{title, url}``."""

from __future__ import annotations

from okrpub.diagnostics import Diagnostics
from okrpub.source.checks import any_list
from okrpub.source.entries import Link
from okrpub.source.schema import LINK_FIELDS, MAX_LINKS
from okrpub.source.validate import describe, validate_mapping
from okrpub.source.yamldoc import Document, Path


def link_entries(document: Document, path: Path, diagnostics: Diagnostics) -> tuple[Link, ...]:
    """The links of the mapping at ``path`` (none when it has no ``links``); each problem
    goes to ``diagnostics`` at the entry or value that is wrong."""
    mapping = document.data
    for part in path:
        mapping = mapping[part]
    written = mapping.get("links")
    if written is None or any_list(written) is not None:
        return ()  # none, or not a list: already reported by the field's check
    at = (*path, "links")
    name = describe(at)
    if len(written) > MAX_LINKS:
        diagnostics.error(
            document.where(at),
            "limit",
            f"{name} has {len(written)} links; the limit is {MAX_LINKS}",
        )
        return ()
    links = []
    for index in range(len(written)):
        values = validate_mapping(
            document, (*at, index), LINK_FIELDS, f"{name}[{index}]", diagnostics
        )
        if values is not None and "title" in values and "url" in values:
            links.append(Link(values["title"].strip(), values["url"]))
    return tuple(links)
