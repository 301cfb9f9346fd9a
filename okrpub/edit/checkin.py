"""``okrpub checkin``: add a check-in to a key result, changing nothing else in its file.

The file comes from the analysed project (objective id → source path) and the
place to write from the node positions of :mod:`okrpub.source.yamldoc`. The change is
a few insertions, and for ``--done`` and ``--score`` replaced values, at those
positions, so comments, key order, quoting, blank lines, line endings, a
byte-order mark and the Markdown body stay byte for byte as they were. New
check-ins take the style of the list they join: indented or not, one mapping
per line or one key per line. A flow list on the line of its key
(``checkins: []``, or one written by hand) is made a block list, its items
as written, one to a line, so that each later check-in is one added line in
a diff; a flow list in a flow mapping, or over several lines, stays one.

Before anything is written the new text is parsed again and must mean exactly
the old data plus the new check-in (and ``done``/``score``); otherwise the
command refuses and the file is left alone (and says so when YAML anchors or
aliases are the reason). The file is replaced atomically, by a rename, once
its bytes are checked to be still those read: an editor's save in between is
never lost. A file that is a symbolic link is never written through.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from okrpub.diagnostics import Diagnostics, did_you_mean
from okrpub.engine.project import Analysis
from okrpub.errors import UsageError
from okrpub.source.checks import MAX_NUMBER, is_finite, is_number
from okrpub.source.entries import KeyResultEntry, Number, ObjectiveEntry
from okrpub.source.frontmatter import decode, split_front_matter
from okrpub.source.yamlbuild import MAX_INT_LENGTH
from okrpub.source.yamldoc import Document, double_quoted, parse_yaml

BOM = b"\xef\xbb\xbf"
#: The column of an edit that inserts whole lines after its line.
AFTER_LINE = sys.maxsize
#: Characters YAML reads as line breaks besides ``\n`` and ``\r``: they would shift its lines.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")


@dataclass(frozen=True)
class NewCheckin:
    date: dt.date
    value: Number | bool
    confidence: float | None = None
    note: str | None = None

    def fields(self) -> list[tuple[str, Any]]:
        """The check-in's keys and values, in the order they are written."""
        found: list[tuple[str, Any]] = [("date", self.date), ("value", self.value)]
        if self.confidence is not None:
            found.append(("confidence", self.confidence))
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
class Target:
    objective: ObjectiveEntry
    index: int
    key_result: KeyResultEntry


# --- the command line's arguments -------------------------------------------------------


def find_key_result(analysis: Analysis, reference: str) -> Target:
    """The key result ``objective-id#kr-id`` names in the analysed project."""
    objective_id, hash_sign, kr_id = reference.partition("#")
    if not hash_sign or not kr_id:
        raise UsageError(
            f"name the key result as OBJECTIVE#KR (such as grow#revenue), got {reference!r}"
        )
    objectives = analysis.resolved.objectives
    objective = objectives.get(objective_id)
    if objective is None:
        hint = did_you_mean(objective_id, objectives)
        if not hint and analysis.diagnostics.has_errors():
            hint = " (objectives with errors are not known: run 'okrpub check')"
        raise UsageError(f"unknown objective '{objective_id}'{hint}")
    ids = [key_result.id for key_result in objective.key_results]
    if kr_id not in ids:
        raise UsageError(
            f"objective '{objective_id}' has no key result '{kr_id}'"
            f"{did_you_mean(kr_id, ids)} (it has: {', '.join(ids)})"
        )
    index = ids.index(kr_id)
    return Target(objective, index, objective.key_results[index])


def checkin_value(text: str | None, key_result: KeyResultEntry, done: bool) -> Number | bool:
    """The check-in's value: ``VALUE`` for a numeric key result, ``--done`` for a binary one."""
    if key_result.done is not None:
        if text is not None:
            raise UsageError(
                f"key result '{key_result.id}' is binary (done or not): leave out the VALUE "
                "and add --done when it is done"
            )
        return done or key_result.done
    if done:
        raise UsageError(f"--done is for binary key results; '{key_result.id}' has a target")
    if text is None:
        raise UsageError(f"key result '{key_result.id}' is numeric: give its VALUE now")
    return parse_number(text, "VALUE")


def parse_number(text: str, what: str) -> Number:
    """``text`` as a number ``check`` accepts in a file: a whole number of at most
    :data:`~okrpub.source.yamldoc.MAX_INT_LENGTH` characters, or a finite one within
    ±:data:`~okrpub.source.schema.MAX_NUMBER`."""
    number: Number
    if re.fullmatch(r"\s*[-+]?[0-9][0-9_]*\s*", text) and len(text.strip()) <= MAX_INT_LENGTH:
        number = int(text)
    else:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
    if not is_finite(number):
        raise UsageError(f"{what} must be a number, got {text!r}")
    if not is_number(number):
        raise UsageError(f"{what} must be between -{MAX_NUMBER:g} and {MAX_NUMBER:g}, got {text}")
    return number


def parse_fraction(text: str, what: str) -> float:
    number = float(parse_number(text, what))
    if not 0 <= number <= 1:
        raise UsageError(f"{what} must be between 0.0 and 1.0, got {text}")
    return number


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date must be a date such as 2026-11-26, got {text!r}") from None


def check_note(note: str) -> str:
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("--note is not valid text (it cannot be written as UTF-8)") from None
    return note


# --- the edit --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """A Markdown file as read: its text with the original line endings, and its data."""

    bom: bool
    lines: list[str]
    document: Document
    body: str
    front_matter: str


@dataclass(frozen=True)
class _Edit:
    """Insert ``text`` at ``column`` of file ``line`` (0-based), replacing ``replaced``
    characters; with ``column`` :data:`AFTER_LINE`, insert ``text``'s lines after the line."""

    line: int
    column: int
    text: str
    replaced: int = 0


def append_checkin(root: Path, target: Target, request: Request) -> int:
    """Add the check-in to the key result's file; return the check-in's line in the file."""
    path = target.objective.path
    file = _editable(root, path)
    original = _read_bytes(file, path)
    source = _read(original, path)
    index = target.index
    written = source.document.data.get("key_results")
    if not (
        isinstance(written, list)
        and index < len(written)
        and isinstance(written[index], dict)
        and written[index].get("id", f"kr{index + 1}") == target.key_result.id
    ):
        raise UsageError(f"{path} changed while okrpub read it; run the command again")
    edits = _edits(source.document, source.lines, index, request)
    text = _apply(source.lines, edits)
    raw = (BOM if source.bom else b"") + text.encode("utf-8")
    try:
        after = _read(raw, path)
    except UsageError:
        if not _anchored(source.front_matter):
            raise
        raise _unsafe(source, path) from None
    expected = _expected(source.document.data, index, request)
    if after.body != source.body or not _same(after.document.data, expected):
        raise _unsafe(source, path)
    _replace(file, raw, original, path)
    checkins = after.document.data["key_results"][index]["checkins"]
    return after.document.where(("key_results", index, "checkins", len(checkins) - 1)).line


def _unsafe(source: _Source, path: str) -> UsageError:
    """The edit is not what was asked for: why, when YAML anchors are the likely reason."""
    why = ""
    if _anchored(source.front_matter):
        why = (
            ": it uses YAML anchors and aliases (&name, *name), which the edit would break "
            "or change; add the check-in by hand"
        )
    return UsageError(f"cannot add the check-in to {path} safely{why}; the file was not changed")


def _anchored(front_matter: str) -> bool:
    """Whether YAML that reads without errors has anchors or aliases."""
    return any(
        isinstance(token, yaml.AnchorToken | yaml.AliasToken) for token in yaml.scan(front_matter)
    )


def _editable(root: Path, path: str) -> Path:
    """Where the file at ``path`` is to be replaced: not a symbolic link, and in a folder
    inside the project (a folder may be a link to one, as discovery follows them)."""
    file = root / path
    if file.is_symlink():
        raise UsageError(
            f"{path} is a symbolic link, which okrpub does not write through; "
            "add the check-in to the file it points to by hand"
        )
    folder = Path(os.path.realpath(file.parent))
    if not folder.is_relative_to(os.path.realpath(root)):
        raise UsageError(f"{path} is in a folder outside the project; okrpub does not write there")
    return folder / file.name


def _read_bytes(file: Path, path: str) -> bytes:
    """The bytes of ``file``, never read through a symbolic link."""
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


def _read(raw: bytes, path: str) -> _Source:
    diagnostics = Diagnostics()
    text = decode(raw, path, diagnostics)
    split = split_front_matter(text, path, diagnostics) if text is not None else None
    document = None
    if split is not None:
        document = parse_yaml(split.front_matter, path, diagnostics, first_line=2)
    if document is None or not isinstance(document.data, dict) or split is None:
        problems = "; ".join(item.as_text() for item in diagnostics.sorted())
        raise UsageError(f"cannot read {path}: {problems or 'no front matter'}")
    original = raw.removeprefix(BOM).decode("utf-8")
    if "\r" in original.replace("\r\n", ""):
        raise UsageError(f"{path} has lines that end in a lone carriage return; cannot edit it")
    if any(char in split.front_matter for char in _OTHER_BREAKS):
        raise UsageError(f"{path} has Unicode line separators in its front matter; cannot edit it")
    parts = original.split("\n")
    lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return _Source(raw.startswith(BOM), lines, document, split.body, split.front_matter)


def _edits(document: Document, lines: list[str], index: int, request: Request) -> list[_Edit]:
    key_result = document.node(("key_results", index))
    if not isinstance(key_result, yaml.MappingNode):
        raise UsageError(f"key_results[{index}] in {document.path} is not a mapping")
    edits = _checkin_edits(document, lines, key_result, index, request.checkin)
    if request.done and document.data["key_results"][index].get("done") is not True:
        done = document.node(("key_results", index, "done"))
        edits.append(_replace_scalar(done, "true", document.path))
    if request.score is not None:
        score = document.node(("key_results", index, "score"))
        text = _scalar(request.score)
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
) -> list[_Edit]:
    checkins = document.node(("key_results", index, "checkins"))
    if checkins is None:
        if key_result.flow_style:
            return [_new_key(key_result, "checkins", f"[{flow(checkin)}]")]
        item = _item_prefix(document, key_result) + flow(checkin)
        indent = " " * key_result.start_mark.column
        return [_Edit(_line_after(key_result), AFTER_LINE, f"{indent}checkins:\n{item}")]
    if not isinstance(checkins, yaml.SequenceNode):
        raise UsageError(f"key_results[{index}].checkins in {document.path} is not a list")
    if not checkins.flow_style:
        return [_Edit(_line_after(checkins), AFTER_LINE, _block_item(checkins, checkin))]
    start, end = checkins.start_mark, checkins.end_mark
    if key_result.flow_style or start.line != end.line or start.line != _key_line(key_result):
        if not checkins.value:
            return [_Edit(start.line + 1, start.column + 1, flow(checkin))]
        last = checkins.value[-1].end_mark
        return [_Edit(last.line + 1, last.column, f", {flow(checkin)}")]
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
) -> list[_Edit]:
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
        _Edit(start.line + 1, before, "", end.column - before),
        _Edit(start.line + 1, AFTER_LINE, text),
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


def _new_key(mapping: yaml.MappingNode, key: str, value: str) -> _Edit:
    if mapping.flow_style:
        end = mapping.value[-1][1].end_mark
        return _Edit(end.line + 1, end.column, f", {key}: {value}")
    indent = " " * mapping.start_mark.column
    return _Edit(_line_after(mapping), AFTER_LINE, f"{indent}{key}: {value}")


def _block_item(checkins: yaml.SequenceNode, checkin: NewCheckin) -> str:
    """The check-in as the next item of a block list, in the style of the last item."""
    dash = checkins.start_mark.column
    last = checkins.value[-1]
    gap = last.start_mark.column - dash if last.start_mark.column > dash else 2
    prefix = " " * dash + "-" + " " * (gap - 1)
    if isinstance(last, yaml.MappingNode) and not last.flow_style:
        pairs = [f"{key}: {_scalar(value)}" for key, value in checkin.fields()]
        return prefix + ("\n" + " " * (dash + gap)).join(pairs)
    return prefix + flow(checkin)


def _replace_scalar(node: yaml.Node | None, text: str, path: str) -> _Edit:
    if not isinstance(node, yaml.ScalarNode) or node.start_mark.line != node.end_mark.line:
        raise UsageError(f"cannot replace a value in {path} that spans several lines")
    start = node.start_mark
    return _Edit(start.line + 1, start.column, text, node.end_mark.column - start.column)


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


def _apply(lines: list[str], edits: list[_Edit]) -> str:
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
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in checkin.fields()) + "}"


def _scalar(value: Any) -> str:
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


def _expected(data: dict[str, Any], index: int, request: Request) -> dict[str, Any]:
    expected = copy.deepcopy(data)
    key_result = expected["key_results"][index]
    key_result.setdefault("checkins", []).append(dict(request.checkin.fields()))
    if request.done:
        key_result["done"] = True
    if request.score is not None:
        key_result["score"] = request.score
    return expected


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``1``, ``1.0`` and ``True`` differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _replace(file: Path, data: bytes, read: bytes, path: str) -> None:
    """Write ``data`` to a hidden temporary file beside ``file``, then rename it over
    ``file``, unless ``file`` no longer holds the bytes ``read`` (an editor saved it)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if _read_bytes(file, path) != read:
            raise UsageError(
                f"{path} changed while okrpub added the check-in (saved in an editor?); "
                "it was left as it is: run the command again"
            )
        os.chmod(temporary, file.lstat().st_mode & 0o7777)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
