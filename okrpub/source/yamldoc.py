"""YAML with positions: parse front matter into plain values plus a location per node.

The node graph is composed with the fast C loader when available
(:mod:`okrpub.source.yamlscalars` reads scalars by the YAML 1.2 core schema)
and turned into plain values within fixed limits
(:mod:`okrpub.source.yamlbuild`); the :class:`Document` keeps the nodes to
locate any part of it when a diagnostic needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from okrpub.diagnostics import Diagnostics, Location
from okrpub.source.yamlbuild import Abort, Builder, check_depth
from okrpub.source.yamlscalars import STR, Loader, scalar

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
        text = isinstance(part, str)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if text and key_node.tag == STR:
                if key_node.value == part:
                    return key_node, value_node
            elif _same_value(key_node, part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return None, node.value[part]
    return None


def _same_value(key_node: yaml.ScalarNode, part: str | int) -> bool:
    try:
        value: object = scalar(key_node)
        return value == part
    except (yaml.YAMLError, ValueError, OverflowError):
        return False


def parse_yaml(
    text: str, path: str, diagnostics: Diagnostics, *, first_line: int = 1
) -> Document | None:
    """Parse one YAML document; on failure add a diagnostic and return ``None``.

    ``first_line`` is the file line on which ``text`` starts, so that locations
    inside front matter point at the right line of the Markdown file.
    """
    try:
        if len(text) > SAFE_TO_COMPOSE:
            check_depth(text, path, first_line)
        node = yaml.compose(text, Loader=Loader)
    except Abort as abort:
        diagnostics.error(abort.location, abort.rule, abort.message)
        return None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            # PyYAML 6.0.4 and later stop at libyaml's own limit, far deeper than ours:
            # report ours, where the text first nests too deeply, as with older releases.
            try:
                check_depth(text[: exc.problem_mark.index], path, first_line)
            except Abort as abort:
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
    builder = Builder(path, first_line)
    try:
        data = builder.build(node, 0)
    except Abort as abort:
        diagnostics.error(abort.location, abort.rule, abort.message)
        return None
    except RecursionError:
        diagnostics.error(Location(path, first_line, 1), "yaml-limit", "YAML is nested too deeply")
        return None
    return Document(data, node, path, first_line)
