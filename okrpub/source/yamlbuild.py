"""Building plain values from a YAML node graph, within fixed limits.

PyYAML's constructors drop line numbers, keep the last of two duplicate keys
without a word, and expand aliases without limit. The :class:`Builder`
makes plain Python values itself from the composed nodes, so that it can
report duplicate keys, refuse non-standard tags, and stop alias bombs and
runaway nesting after a fixed budget (:data:`MAX_NODES`, :data:`MAX_TEXT`,
:data:`MAX_DEPTH`).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from okrpub.diagnostics import Location
from okrpub.source.frontmatter import MAX_FILE_BYTES
from okrpub.source.yamlscalars import (
    CONSTRUCTORS,
    INT,
    MAP,
    MERGE,
    PLAIN,
    SEQ,
    STR,
    TIMESTAMP,
    Loader,
    plain_tag,
    scalar,
)

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

#: Most plain scalars remembered (then the memory starts afresh): about 10 MB.
MAX_RESOLVED = 50_000
#: Each plain scalar's text, with the tag it resolves to and the value it reads as.
_resolved: dict[str, tuple[str, Any]] = {}


class Abort(Exception):
    """Raised inside the builder when the document cannot be turned into data."""

    def __init__(self, location: Location, rule: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.rule = rule
        self.message = message


class Builder:
    """Plain values from the nodes of one document, counted against the limits.

    Every node built counts towards :data:`MAX_NODES` (each time an alias repeats it),
    the text of every scalar, keys too, towards :data:`MAX_TEXT`. A scalar in a list or
    mapping, most of the nodes, is counted and read right there rather than through
    :meth:`build`: a call less for each.
    """

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
            raise self.too_many(node)
        if type(node) is ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise Abort(
                self.locate(node), "yaml-limit", f"YAML is nested more than {MAX_DEPTH} levels deep"
            )
        if type(node) is MappingNode:
            return self.build_mapping(node, depth)
        self.check_tag(node, SEQ)
        return self.build_list(node.value, depth + 1)

    def build_list(self, items: list[yaml.Node], depth: int) -> list[Any]:
        built = []
        for item in items:
            if type(item) is ScalarNode:
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise self.too_many(item)
                built.append(self.scalar(item))
            else:
                built.append(self.build(item, depth))
        return built

    def build_mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        self.check_tag(node, MAP)
        result: dict[Any, Any] = {}
        depth += 1
        scalar = self.scalar
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                raise Abort(self.locate(key_node), "yaml", "a key must be a plain word")
            tag = key_node.tag
            if tag == MERGE or (tag == PLAIN and key_node.value == "<<"):
                raise Abort(
                    self.locate(key_node), "yaml-tag", "YAML merge keys (<<) are not supported"
                )
            key = scalar(key_node)
            if key in result:
                raise self.duplicate(node, key_node, key, result)
            if type(value_node) is ScalarNode:
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise self.too_many(value_node)
                result[key] = scalar(value_node)
            else:
                result[key] = self.build(value_node, depth)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        text = node.value
        self.text += len(text)
        if self.text > MAX_TEXT:
            raise Abort(
                self.locate(node),
                "yaml-limit",
                f"YAML expands to more than {MAX_TEXT:,} characters of text (an alias bomb?)",
            )
        tag = node.tag
        if tag == PLAIN:
            known = _resolved.get(text)
            if known is None:
                node.tag = plain_tag(text)
                known = (node.tag, self.constructed(node))
                if len(_resolved) >= MAX_RESOLVED:
                    _resolved.clear()
                _resolved[text] = known
            node.tag = known[0]
            return known[1]
        if tag == STR:
            return text
        return self.tagged(node)

    def tagged(self, node: yaml.ScalarNode) -> Any:
        """The value of a scalar with an explicit tag, which must be the tag its text has.

        The constructors fail with any kind of error on other text (``!!bool maybe``,
        ``!!int ""``), so they only ever read what the resolver gives their tag:
        ``!!bool yes`` is refused, as ``yes`` is text.
        """
        tag = node.tag
        if tag in CONSTRUCTORS and plain_tag(node.value) != tag:
            raise Abort(
                self.locate(node),
                "yaml-tag",
                f"YAML tag {tag!r} does not fit this value; remove the tag",
            )
        return self.constructed(node)

    def constructed(self, node: yaml.ScalarNode) -> Any:
        """The value of a scalar whose tag is resolved."""
        if node.tag not in CONSTRUCTORS:
            raise self.bad_tag(node)
        if node.tag == INT and len(node.value) > MAX_INT_LENGTH:
            raise Abort(
                self.locate(node),
                "yaml-limit",
                f"whole number is {len(node.value):,} characters long; the limit is "
                f"{MAX_INT_LENGTH} (quote it if it is text)",
            )
        try:
            return scalar(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            if node.tag == TIMESTAMP:
                return node.value  # such as 2026-02-30: the schema reports it as a bad date
            raise Abort(self.locate(node), "yaml", f"cannot read {node.value!r}: {exc}") from None

    def too_many(self, node: yaml.Node) -> Abort:
        return Abort(
            self.locate(node),
            "yaml-limit",
            f"YAML expands to more than {MAX_NODES} values (an alias bomb?)",
        )

    def duplicate(
        self, node: yaml.MappingNode, key_node: yaml.ScalarNode, key: Any, so_far: dict[Any, Any]
    ) -> Abort:
        # The keys so far are those of the pairs so far, in order.
        first = self.locate(node.value[list(so_far).index(key)][0])
        return Abort(
            self.locate(key_node),
            "duplicate-key",
            f"duplicate key '{key}' (first at line {first.line})",
        )

    def check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise self.bad_tag(node)

    def bad_tag(self, node: yaml.Node) -> Abort:
        return Abort(
            self.locate(node),
            "yaml-tag",
            f"YAML tag {node.tag!r} is not allowed; use plain strings, numbers, "
            "booleans, dates, lists and mappings",
        )


def check_depth(text: str, path: str, first_line: int) -> None:
    """Raise :class:`Abort` if ``text`` nests deeper than :data:`MAX_DEPTH`.

    This reads only the event stream, which the parser produces without
    recursion; composing a document nested thousands deep overflows the stack
    (and crashes libyaml's composer outright).
    """
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, _OPEN_EVENTS):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                assert mark is not None  # the parser marks every event
                raise Abort(
                    Location(path, mark.line + first_line, mark.column + 1),
                    "yaml-limit",
                    f"YAML is nested more than {MAX_DEPTH} levels deep",
                )
        elif isinstance(event, _CLOSE_EVENTS):
            depth -= 1
