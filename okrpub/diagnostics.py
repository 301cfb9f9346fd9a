"""Diagnostics: problems in content or configuration, collected as values.

Every stage reports what is wrong with the content by adding a
:class:`Diagnostic` to a :class:`Diagnostics` collection; nothing that is
wrong with content is ever raised as an exception past the stage that found
it. The command line prints them in one of four formats.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: the path relative to the project, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True, order=True)
class Diagnostic:
    location: Location
    severity: Severity
    rule: str
    message: str

    def as_text(self) -> str:
        """One line, whatever the path or message hold (see :func:`escape_controls`)."""
        loc = self.location
        return escape_controls(
            f"{loc.path}:{loc.line}:{loc.column}: {self.severity}: {self.message} [{self.rule}]"
        )

    def as_github(self) -> str:
        loc = self.location
        message = _github_escape(self.message, data=True)
        title = _github_escape(self.rule, data=False)
        path = _github_escape(loc.path, data=False)
        return (
            f"::{self.severity} file={path},line={loc.line},col={loc.column},"
            f"title={title}::{message}"
        )

    def as_dict(self) -> dict[str, str | int]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "severity": str(self.severity),
            "rule": self.rule,
            "message": self.message,
        }


def _github_escape(text: str, *, data: bool) -> str:
    """Escape a value for a GitHub Actions workflow command (data or property).

    GitHub decodes its own escapes of line breaks; other control characters have none.
    """
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if not data:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return escape_controls(text)


#: Control characters (C0, DEL, C1) and the Unicode line and paragraph separators, each
#: as a backslash escape: in a file name or a key they could end a line of output, so that
#: the rest reads as another diagnostic, or drive the terminal.
_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))} | {
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def escape_controls(text: str) -> str:
    r"""``text`` with every control character and line separator escaped (``\n``, ``\x1b``)."""
    return text.translate(_CONTROL_ESCAPES)


class Diagnostics:
    """An ordered collection of diagnostics, shared by every stage of one run."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(self, location: Location, rule: str, message: str, severity: Severity) -> None:
        self._items.append(Diagnostic(location, severity, rule, message))

    def error(self, location: Location, rule: str, message: str) -> None:
        self.add(location, rule, message, Severity.ERROR)

    def warning(self, location: Location, rule: str, message: str) -> None:
        self.add(location, rule, message, Severity.WARNING)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def as_found(self) -> list[Diagnostic]:
        """In the order the stages found them (duplicates kept): cheap, unlike sorting."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics by file, line and column, duplicates removed."""
        # told apart by their order (equal diagnostics have equal orders): tuples hash
        # faster than the dataclasses
        unique = {_order(diagnostic): diagnostic for diagnostic in self._items}
        return [unique[order] for order in sorted(unique)]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity is Severity.WARNING]

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)


def _order(diagnostic: Diagnostic) -> tuple[str, int, int, str, str, str]:
    """The dataclass order of a diagnostic, as a plain tuple: much faster to sort by."""
    location = diagnostic.location
    return (
        location.path,
        location.line,
        location.column,
        diagnostic.severity,
        diagnostic.rule,
        diagnostic.message,
    )


#: GitLab's Code Quality severities for ours (its scale: info, minor, major, critical, blocker).
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def gitlab_report(diagnostics: Iterable[Diagnostic]) -> list[dict[str, object]]:
    """A GitLab Code Quality report: one issue per diagnostic.

    GitLab compares the fingerprints of a merge request's report with the target
    branch's to show which problems are new or fixed, so a fingerprint hashes what
    the problem is (path, rule, message), not its line: an edit above it does not
    make it new. Identical problems in one file are told apart by their order.
    """
    seen: dict[tuple[str, str, str], int] = {}
    issues: list[dict[str, object]] = []
    for diagnostic in diagnostics:
        what = (diagnostic.location.path, diagnostic.rule, diagnostic.message)
        seen[what] = seen.get(what, 0) + 1
        key = "\0".join((*what, str(seen[what])))
        issues.append(
            {
                "description": diagnostic.message,
                "check_name": diagnostic.rule,
                "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
                "severity": _GITLAB_SEVERITY[diagnostic.severity],
                "location": {
                    "path": diagnostic.location.path,
                    "lines": {"begin": diagnostic.location.line},
                },
            }
        )
    return issues


def format_diagnostics(diagnostics: Iterable[Diagnostic], output_format: str) -> str:
    """Render diagnostics as ``text``, ``json``, ``github`` annotations or a ``gitlab`` report."""
    items = list(diagnostics)
    if output_format == "json":
        return _indented_json(items)
    if output_format == "gitlab":
        return json.dumps(gitlab_report(items), indent=2, ensure_ascii=False)
    if output_format == "github":
        return "\n".join(d.as_github() for d in items)
    return "\n".join(d.as_text() for d in items)


def _indented_json(diagnostics: list[Diagnostic]) -> str:
    """``json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False)``,
    made a diagnostic at a time.

    The standard encoder indents in Python, value by value: for the thousands of
    warnings of a large organisation this writes the same text several times faster.
    """
    if not diagnostics:
        return "[]"
    return "[\n" + ",\n".join(map(_indented_row, diagnostics)) + "\n]"


def _indented_row(diagnostic: Diagnostic) -> str:
    """:meth:`Diagnostic.as_dict` as :func:`_indented_json` writes it."""
    location = diagnostic.location
    return (
        f'  {{\n    "path": {_quoted(location.path)},\n    "line": {location.line},\n'
        f'    "column": {location.column},\n    "severity": {_quoted(str(diagnostic.severity))},\n'
        f'    "rule": {_quoted(diagnostic.rule)},\n'
        f'    "message": {_quoted(diagnostic.message)}\n  }}'
    )


_quoted = json.encoder.encode_basestring


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""


__all__ = [
    "Diagnostic",
    "Diagnostics",
    "Location",
    "Severity",
    "did_you_mean",
    "escape_controls",
    "format_diagnostics",
    "gitlab_report",
]
