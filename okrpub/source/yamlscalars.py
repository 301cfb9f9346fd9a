"""YAML scalars by the YAML 1.2 core schema (with dates), not PyYAML's YAML 1.1.

``no`` is text, ``010`` is ten, ``1e3`` a number. The loader leaves the tag
of each plain scalar for the builder (:mod:`okrpub.source.yamlbuild`) to
resolve, once per distinct text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    # The stubs see two unrelated classes; both are the same safe loader to this module.
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

TAG = "tag:yaml.org,2002:"
STR = TAG + "str"
INT = TAG + "int"
FLOAT = TAG + "float"
TIMESTAMP = TAG + "timestamp"
MERGE = TAG + "merge"
SEQ = TAG + "seq"
MAP = TAG + "map"


class _CoreResolver(yaml.resolver.BaseResolver):
    """The tags of plain scalars in the YAML 1.2 core schema, plus YAML 1.1's dates.

    ``yes``, ``no``, ``on`` and ``off`` are text, ``010`` is ten, ``1:30`` and ``1_000``
    are text, ``1e3`` and ``0o17`` are numbers. Dates (``2026-11-26``) are not in the
    core schema, but front matter needs them: they resolve as PyYAML resolves them.
    """


#: The plain scalars of each tag in the YAML 1.2 core schema, and the characters they begin
#: with ("" for the empty text).
_CORE_SCHEMA = {
    "null": (r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    "bool": (r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    "int": (r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    "float": (
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN",
        list("-+.0123456789"),
    ),
}
for name, (pattern, first) in _CORE_SCHEMA.items():
    _CoreResolver.add_implicit_resolver(TAG + name, re.compile(f"(?:{pattern})\\Z"), first)
_CoreResolver.add_implicit_resolver(
    TIMESTAMP,
    next(
        regexp
        for tag, regexp in yaml.resolver.Resolver.yaml_implicit_resolvers["2"]
        if tag == TIMESTAMP
    ),
    list("0123456789"),
)

#: The tag the loader gives a plain (unquoted, untagged) scalar: the builder resolves it.
PLAIN = "okrpub:plain"
_RESOLVER = _CoreResolver()


class Loader(_BaseLoader):
    """The safe loader, leaving the tag of each plain scalar for the builder to resolve.

    The composer asks for the tag of every scalar, and PyYAML answers with a
    series of regular expressions in Python: a quarter of composing our front
    matter. The builder instead resolves and reads each plain scalar once per
    distinct text (``date``, ``value``, ``0.8``... recur), which gives the same
    tag and value each time: both depend on nothing but the text.
    """

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        # What PyYAML gives a list or mapping without a tag (it has no path resolvers).
        return SEQ if kind is yaml.SequenceNode else MAP

    # The composer tells the resolver where each node stands, for path resolvers, which
    # this loader has none of: doing nothing saves a tenth of composing.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_SAFE_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _int(node: yaml.ScalarNode) -> int:
    """A whole number of the core schema: ``010`` is ten, ``0o17`` octal, ``0x1F`` hex."""
    text = node.value
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text)


def _float(node: yaml.ScalarNode) -> float:
    """A number of the core schema with a point or exponent, or ``.inf``, ``-.inf``, ``.nan``."""
    lowered = node.value.lower()
    if lowered.lstrip("+-") in (".inf", ".nan"):
        return float(lowered.replace(".", ""))
    return float(node.value)


#: Constructors of the plain scalar tags, the only scalar tags allowed.
CONSTRUCTORS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    STR: lambda node: node.value,
    INT: _int,
    FLOAT: _float,
    TAG + "bool": lambda node: node.value.lower() == "true",
    TAG + "null": lambda node: None,
    TIMESTAMP: lambda node: _SAFE_CONSTRUCTOR.construct_yaml_timestamp(node),
}


def plain_tag(text: str) -> str:
    """The tag PyYAML resolves a plain scalar with this text to."""
    # PyYAML's stubs leave resolve() untyped.
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def scalar(node: yaml.ScalarNode) -> Any:
    """The value of a scalar with one of the plain tags (the caller checks the tag)."""
    return CONSTRUCTORS[node.tag](node)
