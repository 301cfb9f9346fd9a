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
    #: For a check of one value or a list of them (:func:`one_or_list`): the check of
    #: each element, so that a bad element is reported where it stands.
    each: Check | None = None

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
    without turning an int into a float, which overflows; infinity and NaN are out of range)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) and -MAX_NUMBER <= value <= MAX_NUMBER


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


#: Most ids one ``owner`` or ``parent`` list may hold.
MAX_IDS = 20


def one_or_list(check: Check, noun: str) -> Check:
    """One value that passes ``check``, or a list of 1 to :data:`MAX_IDS` different ones
    (``owner: [a, b]``): the first is the main one."""

    def test(value: Any) -> Problem:
        if not isinstance(value, list):
            return check.test(value)
        if not value or len(value) > MAX_IDS:
            return ("schema", f"one {noun} or a list of 1 to {MAX_IDS} of them")
        if any(check.test(item) is not None for item in value):
            return ("bad-id", f"a list of {noun}s")
        if len(set(value)) < len(value):
            return ("schema", f"a list of different {noun}s")
        return None

    json = {
        "anyOf": [
            dict(check.json),
            {
                "type": "array",
                "items": dict(check.json),
                "minItems": 1,
                "maxItems": MAX_IDS,
                "uniqueItems": True,
            },
        ]
    }
    return Check(test, json, each=check)


#: What a number out of range must be.
_WITHIN = f"between -{MAX_NUMBER:g} and {MAX_NUMBER:g}"
_NUMBER_RANGE = {"minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}


@accepts({"type": "number", **_NUMBER_RANGE})
def number(value: Any) -> Problem:
    if is_number(value):
        return None
    return ("range", _WITHIN) if is_finite(value) else ("schema", "a number")


#: Largest ``nav_order`` (either sign): an order, not an amount.
MAX_ORDER = 1_000_000


@accepts({"type": "integer", "minimum": -MAX_ORDER, "maximum": MAX_ORDER})
def order(value: Any) -> Problem:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ORDER:
        return None
    return ("schema", f"a whole number between -{MAX_ORDER:,} and {MAX_ORDER:,}")


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
    if isinstance(value, bool) or is_number(value):
        return None
    return ("range", _WITHIN) if is_finite(value) else ("schema", "a number or true/false")


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


@accepts({"type": "array"})
def any_list(value: Any) -> Problem:
    return None if isinstance(value, list) else ("schema", "a list")


@accepts({"type": "object"})
def mapping(value: Any) -> Problem:
    return None if isinstance(value, dict) else ("schema", "a mapping of keys to values")


#: Longest URL of a link, and longest title: more than any real one.
MAX_URL = 2000
MAX_LINK_TITLE = 200
#: A link's URL: http, https or mailto (in any case), then no white space or control character.
URL = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Mm][Aa][Ii][Ll][Tt][Oo]:)[^\s\x00-\x1f\x7f]+\Z")


@accepts({"type": "string", "pattern": _pattern(URL), "maxLength": MAX_URL})
def url(value: Any) -> Problem:
    if not isinstance(value, str) or not URL.match(value):
        return (
            "bad-url",
            "an address starting with https://, http:// or mailto: "
            "(such as https://example.org/issues/12); other kinds of link are not allowed",
        )
    return None if len(value) <= MAX_URL else ("range", f"at most {MAX_URL:,} characters")


@accepts({"type": "string", "pattern": _NOT_BLANK, "maxLength": MAX_LINK_TITLE})
def link_title(value: Any) -> Problem:
    if text(value) is not None:
        return ("schema", "a non-empty string")
    if len(value) > MAX_LINK_TITLE:
        return ("range", f"at most {MAX_LINK_TITLE} characters")
    return None


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
#: ``owner`` of an objective or key result: a unit id, or a list of them.
OWNERS = one_or_list(slug, "unit id")
#: ``parent`` of an objective: ``objective`` or ``objective#kr``, or a list of them.
PARENTS = one_or_list(parent_ref, "parent")
