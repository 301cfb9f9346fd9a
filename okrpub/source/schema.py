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
from okrpub.source.yamldoc import Document, Path

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
PARENT_REF = re.compile(r"([a-z0-9][a-z0-9-]*)(?:#([a-z0-9][a-z0-9-]*))?\Z")

#: How every placeholder that ``okrpub new`` writes begins: ``"<FILL IN: what to write>"``.
PLACEHOLDER = "<FILL IN:"

#: A check's verdict: ``None`` when the value is fine, else ``(rule, what it must be)``.
Problem = tuple[str, str] | None


@dataclass(frozen=True)
class Check:
    """A check of one value, and the JSON Schema (draft 2020-12) that accepts the same values.

    Both are written side by side so that the published schemas
    (:mod:`okrpub.site.jsonschema`) say what the validator does.
    """

    test: Callable[[Any], Problem]
    json: Mapping[str, Any]

    def __call__(self, value: Any) -> Problem:
        return self.test(value)


def accepts(json: Mapping[str, Any]) -> Callable[[Callable[[Any], Problem]], Check]:
    """Make a check function a :class:`Check` whose JSON Schema is ``json``."""

    def make(test: Callable[[Any], Problem]) -> Check:
        return Check(test, json)

    return make


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False
    #: What the key means, for the JSON Schemas (shown by editors).
    description: str = ""
    #: For a list of mappings: the table each entry is checked against.
    entries: Mapping[str, Field] | None = None
    #: For a list: the most entries it may have.
    max_entries: int | None = None


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


def placeholder_message(what: str, placeholder: str) -> str:
    return f"{what} is still a placeholder: replace {placeholder!r}"


#: Largest number (either sign) a value may be: more than any count or amount, and far from
#: where floats overflow (1.8e308) even in the difference or product of two (a start of
#: -1.7e308 and a target of 1.7e308 gave a wrong progress and a chart of NaN).
MAX_NUMBER = 1e100
#: Largest weight of a key result: a million times another's is more than anyone means,
#: and weighted sums stay far from overflow (a weight of 1.7e308 made them infinite).
MAX_WEIGHT = 1_000_000


def is_finite(value: Any) -> bool:
    """An int or a finite float, of any size (``True`` and ``False`` are not numbers)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A number okrpub computes with: finite and within ±:data:`MAX_NUMBER` (compared
    without turning an int into a float, which overflows)."""
    return is_finite(value) and -MAX_NUMBER <= value <= MAX_NUMBER


#: Not empty: some character other than white space.
_NOT_BLANK = r"\S"


def _pattern(regex: re.Pattern[str]) -> str:
    r"""A full-match regular expression as a JSON Schema ``pattern``.

    ``$(?!\n)`` is the end of the text both in JavaScript (editors) and in Python,
    whose ``$`` also matches before a last newline.
    """
    return "^" + regex.pattern.removesuffix(r"\Z") + r"$(?!\n)"


@accepts({"type": "string", "pattern": _NOT_BLANK})
def text(value: Any) -> Problem:
    if isinstance(value, str) and value.strip():
        return None
    return ("schema", "a non-empty string")


@accepts({"type": "string"})
def optional_text(value: Any) -> Problem:
    return None if isinstance(value, str) else ("schema", "a string")


@accepts({"type": ["string", "integer"], "pattern": _NOT_BLANK})
def period_id(value: Any) -> Problem:
    if isinstance(value, int) and not isinstance(value, bool):
        return None  # a year: ``period: 2026`` reads as a number
    return None if text(value) is None else ("schema", "a period id such as 2026-Q4")


@accepts({"type": "string", "pattern": _pattern(SLUG)})
def slug(value: Any) -> Problem:
    if isinstance(value, str) and SLUG.match(value):
        return None
    return ("bad-id", "an id of lower-case letters, digits and '-' (such as 'grow-sales')")


@accepts({"type": "string", "pattern": _pattern(PARENT_REF)})
def parent_ref(value: Any) -> Problem:
    if isinstance(value, str) and PARENT_REF.match(value):
        return None
    return ("bad-id", "an objective id or 'objective-id#kr-id'")


#: What a number out of range must be.
_WITHIN = f"between -{MAX_NUMBER:g} and {MAX_NUMBER:g}"
_NUMBER_RANGE = {"minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}


@accepts({"type": "number", **_NUMBER_RANGE})
def number(value: Any) -> Problem:
    if not is_finite(value):
        return ("schema", "a number")
    return None if is_number(value) else ("range", _WITHIN)


@accepts({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_WEIGHT})
def weight(value: Any) -> Problem:
    if not is_finite(value):
        return ("schema", "a number")
    if value <= 0:
        return ("range", "greater than 0")
    return None if value <= MAX_WEIGHT else ("range", f"at most {MAX_WEIGHT:,}")


@accepts({"type": "number", "minimum": 0, "maximum": 1})
def fraction(value: Any) -> Problem:
    if not is_number(value):
        return ("schema", "a number between 0.0 and 1.0")
    return None if 0 <= value <= 1 else ("range", "between 0.0 and 1.0")


@accepts({"type": "boolean"})
def boolean(value: Any) -> Problem:
    return None if isinstance(value, bool) else ("schema", "true or false")


@accepts({"type": ["number", "boolean"], **_NUMBER_RANGE})
def number_or_boolean(value: Any) -> Problem:
    if isinstance(value, bool):
        return None
    if not is_finite(value):
        return ("schema", "a number or true/false")
    return None if is_number(value) else ("range", _WITHIN)


@accepts({"type": "string", "format": "date"})
def date(value: Any) -> Problem:
    return None if as_date(value) is not None else ("bad-date", "a date such as 2026-10-05")


def one_of(*choices: str) -> Check:
    def check(value: Any) -> Problem:
        if value in choices:
            return None
        return ("schema", " or ".join(repr(choice) for choice in choices))

    return Check(check, {"enum": list(choices)})


@accepts({"type": "array", "items": {"type": "string"}})
def string_list(value: Any) -> Problem:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None
    return ("schema", "a list of strings")


@accepts({"type": "array", "minItems": 1})
def non_empty_list(value: Any) -> Problem:
    return (
        None if isinstance(value, list) and value else ("schema", "a list with at least one entry")
    )


@accepts({"type": "array"})
def any_list(value: Any) -> Problem:
    return None if isinstance(value, list) else ("schema", "a list")


@accepts({"type": "object"})
def mapping(value: Any) -> Problem:
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

#: Most key results one objective may have, and check-ins one key result.
MAX_KEY_RESULTS = 20
MAX_CHECKINS = 500

UNIT_FIELDS: dict[str, Field] = {
    "name": Field(text, required=True, description="The unit's name, as the site shows it."),
    "kind": Field(
        one_of("company", "team", "person"),
        required=True,
        description="What the unit is: the company, a team or a person.",
    ),
    "parent": Field(
        slug,
        description="Id of the company or team this unit belongs to "
        "(required for teams and people; none for the company).",
    ),
    "lead": Field(slug, description="Id of the person who leads this unit."),
    "visibility": Field(
        VISIBILITY,
        description="'public' to show the unit on the public site "
        "(default: default_visibility in okrpub.yaml).",
    ),
}

CHECKIN_FIELDS: dict[str, Field] = {
    "date": Field(date, required=True, description="The day of the check-in, YYYY-MM-DD."),
    "value": Field(
        number_or_boolean,
        description="Where the key result stands: a number, or true/false for a binary one.",
    ),
    "confidence": Field(
        fraction, description="How likely the target is reached by the due date, 0.0 to 1.0."
    ),
    "note": Field(optional_text, description="What changed and why."),
}

KEY_RESULT_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True, description="What will be measurably true."),
    "id": Field(slug, description="Unique in the objective (default: kr1, kr2, ... by position)."),
    "start": Field(number, description="Where a numeric key result starts (default 0)."),
    "target": Field(
        number,
        description="Makes the key result numeric: the number to reach; "
        "below start means lower is better.",
    ),
    "current": Field(
        number,
        description="Where a numeric key result stands (default: the latest check-in's value).",
    ),
    "done": Field(boolean, description="Makes the key result binary: whether it is done."),
    "unit": Field(optional_text, description="Shown after its numbers, such as '%' or 'orders'."),
    "owner": Field(slug, description="Id of the unit that owns this key result."),
    "due": Field(date, description="The due date (default: the last day of the period)."),
    "weight": Field(
        weight, description="Its weight in the objective's progress and grade (default 1)."
    ),
    "confidence": Field(
        fraction,
        description="How likely the target is reached, 0.0 to 1.0 "
        "(default: the latest check-in's).",
    ),
    "score": Field(
        fraction, description="The final grade, 0.0 to 1.0, given at the end of the period."
    ),
    "checkins": Field(
        any_list,
        description="The check-ins, usually one a week.",
        entries=CHECKIN_FIELDS,
        max_entries=MAX_CHECKINS,
    ),
    "visibility": Field(
        one_of("internal", "public"),
        description="'internal' keeps this key result out of public builds.",
    ),
    "cancelled": Field(
        text,
        description="Why it was cancelled: it stays visible, struck through with this "
        "reason, and out of every mean.",
    ),
}

#: Keys a ``_defaults.yaml`` may give to the objectives in its folder and below.
DEFAULTS_FIELDS: dict[str, Field] = {
    "owner": Field(slug, description="Id of the unit that owns the objective."),
    "period": Field(period_id, description="The period, such as 2026-Q4, 2026-H2 or 2026."),
    "parent": Field(
        parent_ref,
        description="What the objective aligns to: an objective id, or objective-id#kr-id.",
    ),
    "type": Field(
        one_of("committed", "aspirational"),
        description="Committed (expected to reach 1.0) or aspirational (default; 0.7 is good).",
    ),
    "visibility": Field(
        VISIBILITY,
        description="'public' to show the objective on the public site "
        "(default: its owner unit's).",
    ),
    "draft": Field(boolean, description="Drafts are left out of built sites unless --drafts."),
    "tags": Field(string_list, description="Words to group and find objectives by."),
}

OBJECTIVE_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True, description="Where we want to be: the objective."),
    "id": Field(slug, description="Unique across the site (default: the file name without .md)."),
    **DEFAULTS_FIELDS,
    "owner": Field(
        slug,
        required=True,
        description="Id of the unit that owns the objective (may come from _defaults.yaml).",
    ),
    "period": Field(
        period_id,
        required=True,
        description="The period, such as 2026-Q4 (may come from _defaults.yaml).",
    ),
    "key_results": Field(
        non_empty_list,
        required=True,
        description="How we know we got there: 3 to 5 key results.",
        entries=KEY_RESULT_FIELDS,
        max_entries=MAX_KEY_RESULTS,
    ),
}

#: Keys of the objective table that may come from a ``_defaults.yaml`` instead of the file.
FROM_DEFAULTS = frozenset(DEFAULTS_FIELDS)

PAGE_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True, description="The page's title."),
    "visibility": Field(VISIBILITY, description="'public' to show the page on the public site."),
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


#: Checks of one id, where a list (``owner: [a, b]``) gets its own message.
_ONE_ID = (slug, parent_ref, period_id)


def _homes() -> tuple[tuple[str, Mapping[str, Field]], ...]:
    """Each kind of mapping okrpub reads, named as a message says where a key belongs."""
    from okrpub.config import CONFIG_FIELDS  # config imports this module

    return (
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
    "status": "; okrpub works out the status from progress, dates and confidence",
    "progress": "; okrpub works out the progress from start, target and the check-ins",
    "grade": "; okrpub works out the grade: a key result's final grade is its 'score'",
}


def _belongs_in(key: Any, fields: Mapping[str, Field]) -> str:
    """``; 'period' belongs in an objective or _defaults.yaml`` for a key of other kinds of
    mapping than ``fields``, or an empty string."""
    homes = [name for name, table in _homes() if table is not fields and key in table]
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
