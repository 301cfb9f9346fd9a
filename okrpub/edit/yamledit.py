"""The text of a new check-in, and where in a front matter it goes.

The edits are insertions (and for ``done`` and ``score`` replaced values) at
positions from :mod:`okrpub.source.yamldoc`'s nodes, so that everything else in
the file stays byte for byte as it was. New check-ins take the style of the
list they join: indented or not, one mapping per line or one key per line. A
flow list on the line of its key (``checkins: []``, or one written by hand) is
made a block list, its items as written, one to a line, so that each later
check-in is one added line in a diff; a flow list in a flow mapping, or over
several lines, stays one.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Any

import yaml

from okrpub.errors import UsageError
from okrpub.model.types import Number
from okrpub.source.yamldoc import Document, double_quoted

#: The column of an edit that inserts whole lines after its line.
AFTER_LINE = sys.maxsize


@dataclass(frozen=True)
class NewCheckin:
    date: dt.date
    value: Number | bool
    confidence: float | None = None
    note: str | None = None
    #: What the owner says of the key result: ``on_track``, ``at_risk`` or ``off_track``.
    health: str | None = None

    def fields(self) -> list[tuple[str, Any]]:
        """The check-in's keys and values, in the order they are written."""
        found: list[tuple[str, Any]] = [("date", self.date), ("value", self.value)]
        if self.confidence is not None:
            found.append(("confidence", self.confidence))
        if self.health is not None:
            found.append(("health", self.health))
        if self.note is not None:
            found.append(("note", self.note))
        return found


@dataclass(frozen=True)
class Request:
    """A check-in, and what else to set on its key result: ``done: true``, a ``score``."""

    checkin: NewCheckin
    done: bool = False
    score: float | None = None


@dataclass(frozen=True)
class Edit:
    """Insert ``text`` at ``column`` of file ``line`` (0-based), replacing ``replaced``
    characters; with ``column`` :data:`AFTER_LINE`, insert ``text``'s lines after the line."""

    line: int
    column: int
    text: str
    replaced: int = 0


def checkin_edits(document: Document, lines: list[str], index: int, request: Request) -> list[Edit]:
    key_result = document.node(("key_results", index))
    if not isinstance(key_result, yaml.MappingNode):
        raise UsageError(f"key_results[{index}] in {document.path} is not a mapping")
    edits = _checkin_edits(document, lines, key_result, index, request.checkin)
    if request.done and document.data["key_results"][index].get("done") is not True:
        done = document.node(("key_results", index, "done"))
        edits.append(_replace_scalar(done, "true", document.path))
    if request.score is not None:
        score = document.node(("key_results", index, "score"))
        text = scalar(request.score)
        if score is not None:
            edits.append(_replace_scalar(score, text, document.path))
        else:
            edits.append(_new_key(key_result, "score", text))
    return edits


def _checkin_edits(
    document: Document,
    lines: list[str],
    key_result: yaml.MappingNode,
    index: int,
    checkin: NewCheckin,
) -> list[Edit]:
    checkins = document.node(("key_results", index, "checkins"))
    if checkins is None:
        if key_result.flow_style:
            return [_new_key(key_result, "checkins", f"[{flow(checkin)}]")]
        item = _item_prefix(document, key_result) + flow(checkin)
        indent = " " * key_result.start_mark.column
        return [Edit(_line_after(key_result), AFTER_LINE, f"{indent}checkins:\n{item}")]
    if not isinstance(checkins, yaml.SequenceNode):
        raise UsageError(f"key_results[{index}].checkins in {document.path} is not a list")
    if not checkins.flow_style:
        return [Edit(_line_after(checkins), AFTER_LINE, _block_item(checkins, checkin))]
    start, end = checkins.start_mark, checkins.end_mark
    if key_result.flow_style or start.line != end.line or start.line != _key_line(key_result):
        if not checkins.value:
            return [Edit(start.line + 1, start.column + 1, flow(checkin))]
        last = checkins.value[-1].end_mark
        return [Edit(last.line + 1, last.column, f", {flow(checkin)}")]
    return _to_block(document, lines, key_result, checkins, checkin)


def _key_line(key_result: yaml.MappingNode) -> int:
    """The line (0-based, in the front matter) of the key result's ``checkins`` key."""
    line: int = next(key.start_mark.line for key, _ in key_result.value if key.value == "checkins")
    return line


def _to_block(
    document: Document,
    lines: list[str],
    key_result: yaml.MappingNode,
    checkins: yaml.SequenceNode,
    checkin: NewCheckin,
) -> list[Edit]:
    """A one-line flow list after its key (``checkins: [...]``) made a block list, one line
    per check-in: the items written before, as they were written, then the new one.

    Once converted, every later check-in is one added line in a diff, where a flow
    list would rewrite one ever longer line every week.
    """
    start, end = checkins.start_mark, checkins.end_mark
    line = lines[start.line + 1]
    before = len(line[: start.column].rstrip(" \t"))  # the spaces after "checkins:" go too
    prefix = _item_prefix(document, key_result)
    items = [line[item.start_mark.column : item.end_mark.column] for item in checkins.value]
    text = "\n".join(prefix + item for item in [*items, flow(checkin)])
    return [
        Edit(start.line + 1, before, "", end.column - before),
        Edit(start.line + 1, AFTER_LINE, text),
    ]


def _item_prefix(document: Document, key_result: yaml.MappingNode) -> str:
    """What goes before an item of a new block list in the key result: its key's
    indentation and the dash and gap of the file's ``key_results`` list."""
    key_results = document.node(("key_results",))
    assert isinstance(key_results, yaml.SequenceNode)  # it holds the key result
    dash, gap = 2, 2
    if not key_results.flow_style:
        assert document.root is not None  # it holds key_results
        dash = key_results.start_mark.column - document.root.start_mark.column
        gap = key_result.start_mark.column - key_results.start_mark.column
    indent = " " * key_result.start_mark.column
    return f"{indent}{' ' * dash}-{' ' * max(gap - 1, 1)}"


def _new_key(mapping: yaml.MappingNode, key: str, value: str) -> Edit:
    if mapping.flow_style:
        end = mapping.value[-1][1].end_mark
        return Edit(end.line + 1, end.column, f", {key}: {value}")
    indent = " " * mapping.start_mark.column
    return Edit(_line_after(mapping), AFTER_LINE, f"{indent}{key}: {value}")


def _block_item(checkins: yaml.SequenceNode, checkin: NewCheckin) -> str:
    """The check-in as the next item of a block list, in the style of the last item."""
    dash = checkins.start_mark.column
    last = checkins.value[-1]
    gap = last.start_mark.column - dash if last.start_mark.column > dash else 2
    prefix = " " * dash + "-" + " " * (gap - 1)
    if isinstance(last, yaml.MappingNode) and not last.flow_style:
        pairs = [f"{key}: {scalar(value)}" for key, value in checkin.fields()]
        return prefix + ("\n" + " " * (dash + gap)).join(pairs)
    return prefix + flow(checkin)


def _replace_scalar(node: yaml.Node | None, text: str, path: str) -> Edit:
    if not isinstance(node, yaml.ScalarNode) or node.start_mark.line != node.end_mark.line:
        raise UsageError(f"cannot replace a value in {path} that spans several lines")
    start = node.start_mark
    return Edit(start.line + 1, start.column, text, node.end_mark.column - start.column)


def _line_after(node: yaml.Node) -> int:
    """The file line (0-based) after which new lines go to follow ``node``.

    A block collection's own end lies past the comments and blank lines that
    follow it, so this is where its last scalar, or last flow collection, ends.
    """
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark
    return end.line + 1 if end.column > 0 else end.line  # front matter starts on line 1


def apply(lines: list[str], edits: list[Edit]) -> str:
    """The text with every edit made; edits at one place keep the order they are given in."""
    lines = list(lines)
    order = sorted(enumerate(edits), key=lambda pair: (pair[1].line, pair[1].column, pair[0]))
    for _, edit in reversed(order):
        line = lines[edit.line]
        if edit.column == AFTER_LINE:
            newline = "\r\n" if line.endswith("\r\n") else "\n"
            added = [text + newline for text in edit.text.split("\n")]
            lines[edit.line + 1 : edit.line + 1] = added
        else:
            end = edit.column + edit.replaced
            lines[edit.line] = line[: edit.column] + edit.text + line[end:]
    return "".join(lines)


def flow(checkin: NewCheckin) -> str:
    """The check-in as a one-line YAML mapping: ``{date: 2026-11-26, value: 5}``."""
    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in checkin.fields()) + "}"


def scalar(value: Any) -> str:
    """``value`` as YAML that reads back as the same value of the same type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return double_quoted(value)
