"""``okrpub checkin``: add a check-in to a key result, changing nothing else in its file.

The file comes from the analysed project (objective id → source path), and the
change from :mod:`okrpub.edit.yamledit`: a few insertions, and for ``--done``
and ``--score`` replaced values, so comments, key order, quoting, blank lines,
line endings, a byte-order mark and the Markdown body stay byte for byte as
they were.

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
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from okrpub.diagnostics import Diagnostics, did_you_mean
from okrpub.edit.yamledit import Request, apply, checkin_edits
from okrpub.engine.project import Analysis
from okrpub.errors import UsageError
from okrpub.model.types import Number
from okrpub.safefs import read_plain
from okrpub.source.checks import MAX_NUMBER, is_finite, is_number
from okrpub.source.entries import KeyResultEntry, ObjectiveEntry
from okrpub.source.frontmatter import decode, split_front_matter
from okrpub.source.yamlbuild import MAX_INT_LENGTH
from okrpub.source.yamldoc import Document, parse_yaml

BOM = b"\xef\xbb\xbf"
#: Characters YAML reads as line breaks besides ``\n`` and ``\r``: they would shift its lines.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")


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
    edits = checkin_edits(source.document, source.lines, index, request)
    text = apply(source.lines, edits)
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
        return read_plain(file)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


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
