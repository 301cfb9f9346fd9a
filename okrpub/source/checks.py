"""Checks of single values, each with the JSON Schema that accepts the same values.

The field tables (:mod:`okrpub.source.schema`, :mod:`okrpub.source.configfields`)
are made of these; a check says what is wrong with a value, never raises.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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


@accepts({"type": "integer", "minimum": 1})
def whole_days(value: Any) -> Problem:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return None
    return ("schema", "a whole number of days greater than 0")


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
