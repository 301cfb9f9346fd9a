"""YAML with positions: parse front matter into plain values plus a location per node.

PyYAML's constructors drop line numbers, keep the last of two duplicate keys
without a word, and expand aliases without limit. This stage composes the
node graph with the fast C loader when available and builds plain Python
values itself, so that it can record where every key and value stands,
report duplicate keys, refuse non-standard tags, and stop alias bombs and
runaway nesting after a fixed budget. Plain scalars are read by the YAML 1.2
core schema (with dates), not PyYAML's YAML 1.1: ``no`` is text, ``010`` is ten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from okrpub.diagnostics import Diagnostics, Location
from okrpub.source.frontmatter import MAX_FILE_BYTES

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    # The stubs see two unrelated classes; both are the same safe loader to this module.
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_INT = _TAG + "int"
_FLOAT = _TAG + "float"
_TIMESTAMP = _TAG + "timestamp"
_MERGE = _TAG + "merge"


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
    _CoreResolver.add_implicit_resolver(_TAG + name, re.compile(f"(?:{pattern})\\Z"), first)
_CoreResolver.add_implicit_resolver(
    _TIMESTAMP,
    next(
        regexp
        for tag, regexp in yaml.resolver.Resolver.yaml_implicit_resolvers["2"]
        if tag == _TIMESTAMP
    ),
    list("0123456789"),
)

#: Most plain scalars remembered (then the memory starts afresh): about 10 MB.
MAX_RESOLVED = 50_000
#: Each plain scalar's text, with the tag it resolves to and the value it reads as.
_resolved: dict[str, tuple[str, Any]] = {}
#: The tag the loader gives a plain (unquoted, untagged) scalar: the builder resolves it.
_PLAIN = "okrpub:plain"
_RESOLVER = _CoreResolver()
#: Values pickle writes in full wherever they occur: these are shared between nodes.
_WRITTEN_IN_FULL = (int, float, bool, type(None))


class _Loader(_BaseLoader):
    """The safe loader, leaving the tag of each plain scalar for the builder to resolve.

    The composer asks for the tag of every scalar, and PyYAML answers with a
    series of regular expressions in Python: a quarter of composing our front
    matter. The builder instead resolves and reads each plain scalar once per
    distinct text (``date``, ``value``, ``0.8``... recur), which gives the same
    tag and value each time: both depend on nothing but the text.
    """

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        # PyYAML's stubs leave resolve() untyped.
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


#: Most nodes one document may expand to (aliases counted each time they are used).
MAX_NODES = 50_000
#: Most characters of text (keys and values) one document may expand to, aliases counted
#: each time they are used: what the largest file holds, so aliases cannot make a document
#: hold more text than some file without them could.
MAX_TEXT = MAX_FILE_BYTES
#: Longest whole number, in characters: any that long (even in ``0x`` form) is
#: far inside a float's range, and is read in no time and printed without Python's limit.
MAX_INT_LENGTH = 100
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 20

_OPEN_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


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
_CONSTRUCTORS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    _STR: lambda node: node.value,
    _INT: _int,
    _FLOAT: _float,
    _TAG + "bool": lambda node: node.value.lower() == "true",
    _TAG + "null": lambda node: None,
    _TIMESTAMP: lambda node: _CONSTRUCTOR.construct_yaml_timestamp(node),
}
#: Front matter shorter than this cannot nest deep enough to overflow libyaml's composer
#: (it crashes somewhere between 20,000 and 40,000 levels), so it skips the nesting pre-check.
SAFE_TO_COMPOSE = 8_000

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """Plain data from one YAML document, and the node tree to locate any part of it.

    Locations are looked up only when a diagnostic needs one, so parsing a
    valid file records nothing it will not use. A document with defaults
    (see ``load.py``) looks up a top-level key it does not have itself in
    the nearest defaults document that has it.
    """

    data: Any
    root: yaml.Node | None
    path: str
    first_line: int = 1
    defaults: tuple[Document, ...] = ()

    def location(self, node: yaml.Node | None) -> Location:
        if node is None:
            return Location(self.path, self.first_line, 1)
        mark = node.start_mark
        return Location(self.path, mark.line + self.first_line, mark.column + 1)

    def where(self, path: Path, *, key: bool = False) -> Location:
        """The location of the value (or key) at ``path``, else of its nearest ancestor.

        ``path`` is a key path such as ``("key_results", 1, "target")``.
        """
        if path and self.defaults and _child(self.root, path[0]) is None:
            for defaults in self.defaults:
                if isinstance(defaults.data, dict) and path[0] in defaults.data:
                    return defaults.where(path, key=key)
        node = self.root
        for index, part in enumerate(path):
            pair = _child(node, part)
            if pair is None:
                break
            key_node, node = pair
            if key and index == len(path) - 1 and key_node is not None:
                node = key_node
        return self.location(node)

    def node(self, path: Path) -> yaml.Node | None:
        """The node at ``path`` in this document's own text, or ``None`` if there is none."""
        node = self.root
        for part in path:
            pair = _child(node, part)
            if pair is None:
                return None
            node = pair[1]
        return node


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back as exactly ``text``.

    Everything outside printable ASCII and the printable rest of Unicode is escaped,
    including line and paragraph separators, which YAML would read as line breaks.
    """
    return '"' + "".join(_escape(char) for char in text) + '"'


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    printable = 0x20 <= code <= 0x7E or (
        0xA0 <= code <= 0x10FFFF
        and not 0xD800 <= code <= 0xDFFF
        and char not in "\u2028\u2029\ufeff\ufffe\uffff"
    )
    if printable:
        return char
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """The ``(key node, value node)`` of ``part`` under ``node``, if there is one."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and _same_key(key_node, part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return None, node.value[part]
    return None


def _same_key(key_node: yaml.ScalarNode, part: str | int) -> bool:
    if isinstance(part, str) and key_node.tag == _STR:
        text: str = key_node.value
        return text == part
    try:
        value: object = _scalar(key_node)
        return value == part
    except (yaml.YAMLError, ValueError, OverflowError):
        return False


def _plain_tag(text: str) -> str:
    """The tag PyYAML resolves a plain scalar with this text to."""
    # PyYAML's stubs leave resolve() untyped.
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _scalar(node: yaml.ScalarNode) -> Any:
    """The value of a scalar with one of the plain tags (the caller checks the tag)."""
    return _CONSTRUCTORS[node.tag](node)


class _Abort(Exception):
    """Raised inside the builder when the document cannot be turned into data."""

    def __init__(self, location: Location, rule: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.rule = rule
        self.message = message


class _Builder:
    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.first_line = first_line
        self.nodes = 0
        self.text = 0

    def locate(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + self.first_line, mark.column + 1)

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Abort(
                self.locate(node),
                "yaml-limit",
                f"YAML expands to more than {MAX_NODES} values (an alias bomb?)",
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise _Abort(
                self.locate(node), "yaml-limit", f"YAML is nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, depth)
        self.check_tag(node, _TAG + "seq")
        return [self.build(item, depth + 1) for item in node.value]

    def scalar(self, node: yaml.ScalarNode) -> Any:
        self.text += len(node.value)
        if self.text > MAX_TEXT:
            raise _Abort(
                self.locate(node),
                "yaml-limit",
                f"YAML expands to more than {MAX_TEXT:,} characters of text (an alias bomb?)",
            )
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag != _PLAIN:
            return self.tagged(node)
        known = _resolved.get(node.value)
        if known is None:
            node.tag = _plain_tag(node.value)
            known = (node.tag, self.constructed(node))
            if len(_resolved) >= MAX_RESOLVED:
                _resolved.clear()
            _resolved[node.value] = known
        node.tag, value = known
        # Each node gets its own text or date, as from PyYAML: pickle (the cache, the page
        # digests) writes an object met twice as a reference to the first, so sharing them
        # would make the same data pickle differently when parsed and when read back.
        if type(value) in _WRITTEN_IN_FULL:
            return value
        return node.value if isinstance(value, str) else value.replace()

    def tagged(self, node: yaml.ScalarNode) -> Any:
        """The value of a scalar with an explicit tag, which must be the tag its text has.

        The constructors fail with any kind of error on other text (``!!bool maybe``,
        ``!!int ""``), so they only ever read what the resolver gives their tag:
        ``!!bool yes`` is refused, as ``yes`` is text.
        """
        tag = node.tag
        if tag in _CONSTRUCTORS and _plain_tag(node.value) != tag:
            raise _Abort(
                self.locate(node),
                "yaml-tag",
                f"YAML tag {tag!r} does not fit this value; remove the tag",
            )
        return self.constructed(node)

    def constructed(self, node: yaml.ScalarNode) -> Any:
        """The value of a scalar whose tag is resolved."""
        if node.tag not in _CONSTRUCTORS:
            raise self.bad_tag(node)
        if node.tag == _INT and len(node.value) > MAX_INT_LENGTH:
            raise _Abort(
                self.locate(node),
                "yaml-limit",
                f"whole number is {len(node.value):,} characters long; the limit is "
                f"{MAX_INT_LENGTH} (quote it if it is text)",
            )
        try:
            return _scalar(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            if node.tag == _TIMESTAMP:
                return node.value  # such as 2026-02-30: the schema reports it as a bad date
            raise _Abort(self.locate(node), "yaml", f"cannot read {node.value!r}: {exc}") from None

    def build_mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        self.check_tag(node, _TAG + "map")
        result: dict[Any, Any] = {}
        key_nodes: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Abort(self.locate(key_node), "yaml", "a key must be a plain word")
            if key_node.tag == _PLAIN and key_node.value == "<<":
                key_node.tag = _MERGE  # what PyYAML resolves a plain << to
            if key_node.tag == _MERGE:
                raise _Abort(
                    self.locate(key_node), "yaml-tag", "YAML merge keys (<<) are not supported"
                )
            key = self.scalar(key_node)
            if key in result:
                first = self.locate(key_nodes[key])
                raise _Abort(
                    self.locate(key_node),
                    "duplicate-key",
                    f"duplicate key '{key}' (first at line {first.line})",
                )
            key_nodes[key] = key_node
            result[key] = self.build(value_node, depth + 1)
        return result

    def check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise self.bad_tag(node)

    def bad_tag(self, node: yaml.Node) -> _Abort:
        return _Abort(
            self.locate(node),
            "yaml-tag",
            f"YAML tag {node.tag!r} is not allowed; use plain strings, numbers, "
            "booleans, dates, lists and mappings",
        )


def _check_depth(text: str, path: str, first_line: int) -> None:
    """Raise :class:`_Abort` if ``text`` nests deeper than :data:`MAX_DEPTH`.

    This reads only the event stream, which the parser produces without
    recursion; composing a document nested thousands deep overflows the stack
    (and crashes libyaml's composer outright).
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _OPEN_EVENTS):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                assert mark is not None  # the parser marks every event
                raise _Abort(
                    Location(path, mark.line + first_line, mark.column + 1),
                    "yaml-limit",
                    f"YAML is nested more than {MAX_DEPTH} levels deep",
                )
        elif isinstance(event, _CLOSE_EVENTS):
            depth -= 1


def parse_yaml(
    text: str, path: str, diagnostics: Diagnostics, *, first_line: int = 1
) -> Document | None:
    """Parse one YAML document; on failure add a diagnostic and return ``None``.

    ``first_line`` is the file line on which ``text`` starts, so that locations
    inside front matter point at the right line of the Markdown file.
    """
    try:
        if len(text) > SAFE_TO_COMPOSE:
            _check_depth(text, path, first_line)
        node = yaml.compose(text, Loader=_Loader)
    except _Abort as abort:
        diagnostics.error(abort.location, abort.rule, abort.message)
        return None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            # PyYAML 6.0.4 and later stop at libyaml's own limit, far deeper than ours:
            # report ours, where the text first nests too deeply, as with older releases.
            try:
                _check_depth(text[: exc.problem_mark.index], path, first_line)
            except _Abort as abort:
                diagnostics.error(abort.location, abort.rule, abort.message)
                return None
            except yaml.YAMLError:
                pass
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diagnostics.error(Location(path, line, column), "yaml", f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(Location(path, first_line, 1), "yaml", f"YAML error: {exc}")
        return None
    if node is None:
        return Document(None, None, path, first_line)
    builder = _Builder(path, first_line)
    try:
        data = builder.build(node, 0)
    except _Abort as abort:
        diagnostics.error(abort.location, abort.rule, abort.message)
        return None
    except RecursionError:
        diagnostics.error(Location(path, first_line, 1), "yaml-limit", "YAML is nested too deeply")
        return None
    return Document(data, node, path, first_line)
