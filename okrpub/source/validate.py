"""Validation: check parsed YAML against a field table (:mod:`okrpub.source.schema`).

:func:`validate_mapping` reports unknown keys (with a did-you-mean, or where
the key belongs), missing keys and bad values at the node that is wrong, and
returns only the values that passed, so later stages never see a value of
the wrong type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from okrpub.diagnostics import Diagnostics, Location, did_you_mean
from okrpub.source.checks import Check, is_placeholder, period_id, placeholder_message, slug
from okrpub.source.configfields import CONFIG_FIELDS
from okrpub.source.schema import (
    CHECKIN_FIELDS,
    DEFAULTS_FIELDS,
    KEY_RESULT_FIELDS,
    OBJECTIVE_FIELDS,
    PAGE_FIELDS,
    UNIT_FIELDS,
    Field,
)
from okrpub.source.yamldoc import Document, Path


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
    valid = valid_copy(value, fields)
    if valid is not None:
        return valid
    valid = {}
    for key, item in value.items():
        field = fields.get(key) if isinstance(key, str) else None
        key_path = (*path, key)
        if field is None:
            hint = (
                _COMPUTED.get(key, "") or _belongs_in(key, fields) or did_you_mean(str(key), fields)
            )
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
        problem = field.check.test(item)
        if problem is None:
            valid[key] = item
            continue
        each = field.check.each
        if (
            isinstance(item, list)
            and each
            and _bad_elements(document, key_path, item, each, diagnostics)
        ):
            continue
        rule, expected = problem
        message = f"{describe(key_path)} must be {expected}, got {_show(item)}"
        if isinstance(item, list) and field.check in _ONE_ID:
            noun = "id" if key == "id" else f"{key} id"
            message = (
                f"{describe(key_path)}: one {noun} is expected here, got a list of {len(item)}"
            )
        diagnostics.error(document.where(key_path), rule, message + _yaml11_note(item, field))
    for key, field in fields.items():
        if field.required and key not in value:
            diagnostics.error(
                document.where(path), "missing-key", f"{what} is missing required key '{key}'"
            )
    return valid


def valid_copy(mapping: dict[Any, Any], fields: Mapping[str, Field]) -> dict[str, Any] | None:
    """A copy of ``mapping`` when it is :func:`valid`, else ``None``."""
    return dict(mapping) if valid(mapping, fields) else None


def valid(mapping: dict[Any, Any], fields: Mapping[str, Field]) -> bool:
    """Whether ``mapping`` has every required key and its values all pass: the common
    case, checked without working out what to report."""
    for key, item in mapping.items():
        field = fields.get(key)
        if field is None or is_placeholder(item) or field.check.test(item) is not None:
            return False
    return all(key in mapping for key, field in fields.items() if field.required)


def _bad_elements(
    document: Document, path: Path, items: list[Any], check: Check, diagnostics: Diagnostics
) -> bool:
    """Report each element of the list at ``path`` that fails ``check`` or repeats an
    earlier one, where it stands; whether there was any."""
    found = False
    for index, item in enumerate(items):
        at = (*path, index)
        problem = check.test(item)
        if problem is not None:
            rule, expected = problem
            message = f"{describe(at)} must be {expected}, got {_show(item)}"
        elif item in items[:index]:
            rule, message = "duplicate-id", f"{describe(at)} repeats {item!r}"
        else:
            continue
        diagnostics.error(document.where(at), rule, message)
        found = True
    return found


#: Checks of one id, where a list (``owner: [a, b]``) gets its own message.
_ONE_ID = (slug, period_id)


#: Each kind of mapping okrpub reads, named as a message says where a key belongs.
_HOMES: tuple[tuple[str, Mapping[str, Field]], ...] = (
    ("an objective", OBJECTIVE_FIELDS),
    ("_defaults.yaml", DEFAULTS_FIELDS),
    ("a key result", KEY_RESULT_FIELDS),
    ("a check-in", CHECKIN_FIELDS),
    ("a unit", UNIT_FIELDS),
    ("a page", PAGE_FIELDS),
    ("okrpub.yaml", CONFIG_FIELDS),
)


#: Keys people write for what okrpub works out itself (``status: at_risk``).
_COMPUTED = {
    "status": "; okrpub works out the status from progress, dates and confidence "
    "(to say how its owner sees a key result, use 'health')",
    "progress": "; okrpub works out the progress from start, target and the check-ins",
    "grade": "; okrpub works out the grade: a key result's final grade is its 'score'",
}


def _belongs_in(key: Any, fields: Mapping[str, Field]) -> str:
    """``; 'period' belongs in an objective or _defaults.yaml`` for a key of other kinds of
    mapping than ``fields``, or an empty string."""
    homes = [name for name, table in _HOMES if table is not fields and key in table]
    if not homes:
        return ""
    listed = ", ".join(homes[:-1]) + " or " + homes[-1] if len(homes) > 1 else homes[0]
    return f"; '{key}' belongs in {listed}"


#: Plain words YAML 1.1 read as booleans: text in YAML 1.2, which okrpub reads.
_YAML11_BOOLEANS = frozenset(
    variant for word in ("yes", "no", "on", "off") for variant in (word, word.title(), word.upper())
)
#: A number with ``_`` between digits: a number in YAML 1.1, text in YAML 1.2.
_YAML11_NUMBER = re.compile(r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?\Z")


def _yaml11_note(value: Any, field: Field) -> str:
    """Why text that YAML 1.1 read as a boolean or number is text here, for a field that
    takes one (an empty string otherwise)."""
    if not isinstance(value, str) or not {"number", "boolean"} & set(_types(field)):
        return ""
    if value in _YAML11_BOOLEANS:
        return f" ({value} is text in YAML 1.2, which okrpub reads: write true or false)"
    if "_" in value and _YAML11_NUMBER.match(value):
        return f" ({value} is text in YAML 1.2, which okrpub reads: write {value.replace('_', '')})"
    return ""


def _types(field: Field) -> list[str]:
    types = field.check.json.get("type", [])
    return [types] if isinstance(types, str) else list(types)


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    shown = repr(value) if not isinstance(value, (dt.date, list, dict)) else str(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def locations(document: Document, path: Path, keys: tuple[str, ...]) -> dict[str, Location]:
    """Where the mapping at ``path`` stands (key ``""``) and where the given keys' values do.

    A key whose value is a list also gives each element's, as ``key[0]``, ``key[1]``, ...
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
            if isinstance(mapping[key], list):
                for index in range(len(mapping[key])):
                    found[f"{key}[{index}]"] = document.where((*path, key, index))
    return found
