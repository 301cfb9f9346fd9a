"""Schema validation: check parsed front matter against declarative field tables.

Each table maps a key to a :class:`Field` that says whether it is required
and how its value is checked. :func:`validate_mapping` reports unknown keys
(with a did-you-mean), missing keys and bad values at the node that is
wrong, and returns only the values that passed, so later stages never see
a value of the wrong type.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from okrpub.diagnostics import Diagnostics, Location, did_you_mean
from okrpub.yamldoc import Document, Path

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
PARENT_REF = re.compile(r"([a-z0-9][a-z0-9-]*)(?:#([a-z0-9][a-z0-9-]*))?\Z")

#: How every placeholder that ``okrpub new`` writes begins: ``"<FILL IN: what to write>"``.
PLACEHOLDER = "<FILL IN:"

#: A check returns ``None`` when the value is fine, else ``(rule, what it must be)``.
Check = Callable[[Any], tuple[str, str] | None]


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


def placeholder_message(what: str, placeholder: str) -> str:
    return f"{what} is still a placeholder: replace {placeholder!r}"


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def text(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and value.strip():
        return None
    return ("schema", "a non-empty string")


def optional_text(value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, str) else ("schema", "a string")


def period_id(value: Any) -> tuple[str, str] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None  # a year: ``period: 2026`` reads as a number
    return None if text(value) is None else ("schema", "a period id such as 2026-Q4")


def slug(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and SLUG.match(value):
        return None
    return ("bad-id", "an id of lower-case letters, digits and '-' (such as 'grow-sales')")


def parent_ref(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and PARENT_REF.match(value):
        return None
    return ("bad-id", "an objective id or 'objective-id#kr-id'")


def number(value: Any) -> tuple[str, str] | None:
    return None if is_number(value) else ("schema", "a number")


def positive(value: Any) -> tuple[str, str] | None:
    if not is_number(value):
        return ("schema", "a number")
    return None if value > 0 else ("range", "greater than 0")


def fraction(value: Any) -> tuple[str, str] | None:
    if not is_number(value):
        return ("schema", "a number between 0.0 and 1.0")
    return None if 0 <= value <= 1 else ("range", "between 0.0 and 1.0")


def boolean(value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, bool) else ("schema", "true or false")


def number_or_boolean(value: Any) -> tuple[str, str] | None:
    return (
        None
        if is_number(value) or isinstance(value, bool)
        else ("schema", "a number or true/false")
    )


def date(value: Any) -> tuple[str, str] | None:
    return None if as_date(value) is not None else ("bad-date", "a date such as 2026-10-05")


def one_of(*choices: str) -> Check:
    def check(value: Any) -> tuple[str, str] | None:
        if value in choices:
            return None
        return ("schema", " or ".join(repr(choice) for choice in choices))

    return check


def string_list(value: Any) -> tuple[str, str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None
    return ("schema", "a list of strings")


def non_empty_list(value: Any) -> tuple[str, str] | None:
    return (
        None if isinstance(value, list) and value else ("schema", "a list with at least one entry")
    )


def any_list(value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, list) else ("schema", "a list")


def mapping(value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, dict) else ("schema", "a mapping of keys to values")


def as_date(value: Any) -> dt.date | None:
    """A YAML date, or an ISO date in a string; ``None`` if it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


VISIBILITY = one_of("public", "internal")

UNIT_FIELDS: dict[str, Field] = {
    "name": Field(text, required=True),
    "kind": Field(one_of("company", "team", "person"), required=True),
    "parent": Field(slug),
    "lead": Field(slug),
    "visibility": Field(VISIBILITY),
}

CHECKIN_FIELDS: dict[str, Field] = {
    "date": Field(date, required=True),
    "value": Field(number_or_boolean),
    "confidence": Field(fraction),
    "note": Field(optional_text),
}

KEY_RESULT_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True),
    "id": Field(slug),
    "start": Field(number),
    "target": Field(number),
    "current": Field(number),
    "done": Field(boolean),
    "unit": Field(optional_text),
    "owner": Field(slug),
    "due": Field(date),
    "weight": Field(positive),
    "confidence": Field(fraction),
    "score": Field(fraction),
    "checkins": Field(any_list),
    "visibility": Field(one_of("internal", "public")),
}

#: Keys a ``_defaults.yaml`` may give to the objectives in its folder and below.
DEFAULTS_FIELDS: dict[str, Field] = {
    "owner": Field(slug),
    "period": Field(period_id),
    "parent": Field(parent_ref),
    "type": Field(one_of("committed", "aspirational")),
    "visibility": Field(VISIBILITY),
    "draft": Field(boolean),
    "tags": Field(string_list),
}

OBJECTIVE_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True),
    "id": Field(slug),
    **DEFAULTS_FIELDS,
    "owner": Field(slug, required=True),
    "period": Field(period_id, required=True),
    "key_results": Field(non_empty_list, required=True),
}

PAGE_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True),
    "visibility": Field(VISIBILITY),
}


def describe(path: Path) -> str:
    """``("key_results", 1, "target")`` as ``key_results[1].target``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_mapping(
    document: Document,
    path: Path,
    fields: Mapping[str, Field],
    what: str,
    diagnostics: Diagnostics,
) -> dict[str, Any] | None:
    """Check the mapping at ``path``; return its valid values, or ``None`` if it is no mapping."""
    value = document.data
    for part in path:
        value = value[part]
    if not isinstance(value, dict):
        got = "nothing" if value is None else f"a {type(value).__name__}"
        diagnostics.error(
            document.where(path), "schema", f"{what} must be a mapping of keys to values, got {got}"
        )
        return None
    valid: dict[str, Any] = {}
    for key, item in value.items():
        key_path = (*path, key)
        field = fields.get(key) if isinstance(key, str) else None
        if field is None:
            hint = did_you_mean(str(key), fields)
            diagnostics.error(
                document.where(key_path, key=True),
                "unknown-key",
                f"unknown key '{describe(key_path)}' in {what}{hint}",
            )
            continue
        if is_placeholder(item):
            diagnostics.error(
                document.where(key_path),
                "placeholder",
                placeholder_message(describe(key_path), item),
            )
            continue
        problem = field.check(item)
        if problem is None:
            valid[key] = item
            continue
        rule, expected = problem
        diagnostics.error(
            document.where(key_path),
            rule,
            f"{describe(key_path)} must be {expected}, got {_show(item)}",
        )
    for key, field in fields.items():
        if field.required and key not in value:
            diagnostics.error(
                document.where(path), "missing-key", f"{what} is missing required key '{key}'"
            )
    return valid


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    shown = repr(value) if not isinstance(value, (dt.date, list, dict)) else str(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def locations(document: Document, path: Path, keys: tuple[str, ...]) -> dict[str, Location]:
    """Where the mapping at ``path`` stands (key ``""``) and where the given keys' values do.

    Entries keep only these few locations, which later stages report at; the
    YAML node tree itself is not kept, so that loading stays lean.
    """
    found = {"": document.where(path)}
    mapping = document.data
    for part in path:
        mapping = mapping[part]
    for key in keys:
        if key in mapping:
            found[key] = document.where((*path, key))
    return found
