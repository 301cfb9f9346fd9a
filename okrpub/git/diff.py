"""Diff: what a change does to the OKRs, for reviewers (``okrpub diff BASE [HEAD]``).

:func:`compare` turns the analyses of two revisions into a :class:`Comparison`:
objectives and key results added, removed, retitled or re-parented; progress,
grade and status before and after; new check-ins; and the diagnostics the change
introduces or fixes. Diagnostics are matched by path, severity, rule and message,
not by line, because an edit above a problem moves it without changing it.
:func:`format_markdown` writes a pull-request comment, :func:`format_json` the
same facts as data.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from okrpub.diagnostics import Diagnostic, Severity
from okrpub.engine.project import Analysis
from okrpub.model.types import Checkin, KeyResult, Objective

T = TypeVar("T")

#: Most items one list of the comment shows before "and N more".
MAX_ITEMS = 10
#: Most changed objectives the comment details.
MAX_OBJECTIVES = 25
#: Longest check-in note the comment quotes, in characters.
MAX_NOTE = 200

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Revision:
    """A revision as the user named it, and the commit it names."""

    name: str
    commit: str


@dataclass(frozen=True)
class Change:
    """A value before and after the change."""

    before: Any
    after: Any


@dataclass(frozen=True)
class KeyResultChange:
    id: str
    #: The title after the change (before it, for a removed key result).
    title: str
    kind: str  # added, removed or changed
    title_before: str | None = None
    progress: Change | None = None
    score: Change | None = None
    current: Change | None = None
    new_checkins: tuple[Checkin, ...] = ()


@dataclass(frozen=True)
class ObjectiveChange:
    id: str
    #: The title after the change (before it, for a removed objective).
    title: str
    kind: str  # added, removed or changed
    owner: str
    period: str
    title_before: str | None = None
    owner_before: str | None = None
    period_before: str | None = None
    parent: Change | None = None
    progress: Change | None = None
    score: Change | None = None
    status: Change | None = None
    key_results: tuple[KeyResultChange, ...] = ()

    def of_kind(self, kind: str) -> list[KeyResultChange]:
        return [kr for kr in self.key_results if kr.kind == kind]


@dataclass(frozen=True)
class Comparison:
    base: Revision
    head: Revision
    #: Added and changed objectives in the head's order, then removed ones in the base's.
    objectives: tuple[ObjectiveChange, ...]
    introduced: tuple[Diagnostic, ...]
    fixed: tuple[Diagnostic, ...]

    def of_kind(self, kind: str) -> list[ObjectiveChange]:
        return [objective for objective in self.objectives if objective.kind == kind]

    @property
    def new_checkins(self) -> int:
        return sum(len(kr.new_checkins) for o in self.objectives for kr in o.key_results)


def compare(base: Revision, before: Analysis, head: Revision, after: Analysis) -> Comparison:
    """What changed from the analysis ``before`` (of ``base``) to ``after`` (of ``head``)."""
    old, new = before.model.objectives, after.model.objectives
    changes = [_objective_change(old.get(i), objective) for i, objective in new.items()]
    removed = [_removed(objective) for i, objective in old.items() if i not in new]
    introduced, fixed = _diagnostic_changes(before.diagnostics, after.diagnostics)
    return Comparison(
        base,
        head,
        tuple(change for change in [*changes, *removed] if change is not None),
        introduced,
        fixed,
    )


def _change(before: T, after: T) -> Change | None:
    return None if before == after else Change(before, after)


def _removed(objective: Objective) -> ObjectiveChange:
    return ObjectiveChange(
        objective.id, objective.title, REMOVED, objective.owner, objective.period
    )


def _objective_change(old: Objective | None, new: Objective) -> ObjectiveChange | None:
    """How ``new`` differs from ``old`` (``None``: it is new), or ``None`` when it does not."""
    if old is None:
        # a new objective's check-ins are part of it, not news of their own
        key_results = tuple(KeyResultChange(kr.id, kr.title, ADDED) for kr in new.key_results)
        return ObjectiveChange(
            new.id, new.title, ADDED, new.owner, new.period, key_results=key_results
        )
    old_krs = {kr.id: kr for kr in old.key_results}
    new_ids = {kr.id for kr in new.key_results}
    changes = [_key_result_change(old_krs.get(kr.id), kr) for kr in new.key_results] + [
        KeyResultChange(kr.id, kr.title, REMOVED) for kr in old.key_results if kr.id not in new_ids
    ]
    change = ObjectiveChange(
        new.id,
        new.title,
        CHANGED,
        new.owner,
        new.period,
        title_before=old.title if old.title != new.title else None,
        owner_before=old.owner if old.owner != new.owner else None,
        period_before=old.period if old.period != new.period else None,
        parent=_change(old.parent, new.parent),
        progress=_change(old.progress, new.progress),
        score=_change(old.score, new.score),
        status=_change(_text(old.status), _text(new.status)),
        key_results=tuple(kr for kr in changes if kr is not None),
    )
    unchanged = ObjectiveChange(new.id, new.title, CHANGED, new.owner, new.period)
    return None if change == unchanged else change


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


def _key_result_change(old: KeyResult | None, new: KeyResult) -> KeyResultChange | None:
    """How ``new`` differs from ``old`` (``None``: it is new), or ``None`` when it does not."""
    if old is None:
        return KeyResultChange(new.id, new.title, ADDED, new_checkins=tuple(new.checkins))
    seen = set(old.checkins)
    change = KeyResultChange(
        new.id,
        new.title,
        CHANGED,
        title_before=old.title if old.title != new.title else None,
        progress=_change(old.progress, new.progress),
        score=_change(old.score, new.score),
        current=_change(
            old.current if old.kind == "numeric" else old.done,
            new.current if new.kind == "numeric" else new.done,
        ),
        new_checkins=tuple(c for c in new.checkins if c not in seen),
    )
    return None if change == KeyResultChange(new.id, new.title, CHANGED) else change


_DiagnosticKey = tuple[str, Severity, str, str]


def _diagnostic_key(diagnostic: Diagnostic) -> _DiagnosticKey:
    return (diagnostic.location.path, diagnostic.severity, diagnostic.rule, diagnostic.message)


def _diagnostic_changes(
    before: Iterable[Diagnostic], after: Iterable[Diagnostic]
) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """The diagnostics only ``after`` has (introduced) and only ``before`` has (fixed).

    Two equal diagnostics in one file count twice: fixing one of them is a fix.
    """
    before, after = list(before), list(after)
    old = Counter(_diagnostic_key(d) for d in before)
    new = Counter(_diagnostic_key(d) for d in after)
    return _beyond(after, old), _beyond(before, new)


def _beyond(
    diagnostics: list[Diagnostic], other: Counter[_DiagnosticKey]
) -> tuple[Diagnostic, ...]:
    """The diagnostics left when each one's equal in ``other`` cancels it out."""
    left = other.copy()
    kept = []
    for diagnostic in diagnostics:
        key = _diagnostic_key(diagnostic)
        if left[key]:
            left[key] -= 1
        else:
            kept.append(diagnostic)
    return tuple(kept)


# ---- Markdown ------------------------------------------------------------------------------

#: What can start markup inside a line (CommonMark and GitHub's extensions: tables,
#: strikethrough, math, mentions, a heading's closing ``#``). Text never starts a line
#: here, so list and heading markers at a line start need no escape.
_ESCAPE = {ord(c): "\\" + c for c in "\\`*_{}[]()<>#+!|~&$@"}


def escape_markdown(text: str) -> str:
    """``text`` as literal Markdown inline text: one line, every character that could be
    markup backslash-escaped (CommonMark allows that for any ASCII punctuation), so that
    nothing of it becomes emphasis, a link, a table cell, HTML, an entity or a mention.
    """
    printable = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(printable.split()).translate(_ESCAPE)


def format_markdown(comparison: Comparison) -> str:
    """A pull-request comment: a summary line, then the changes grouped by objective."""
    lines = [
        f"### okrpub: {_revision(comparison.base)} → {_revision(comparison.head)}",
        "",
        _summary(comparison),
    ]
    added, removed = comparison.of_kind(ADDED), comparison.of_kind(REMOVED)
    changed = comparison.of_kind(CHANGED)
    if added:
        lines += ["", "#### Added objectives", ""]
        lines += _capped([_added_objective(o) for o in added], "objectives")
    if removed:
        lines += ["", "#### Removed objectives", ""]
        lines += _capped([f"- {_name(o.title, o.id)}" for o in removed], "objectives")
    for objective in changed[:MAX_OBJECTIVES]:
        lines += ["", f"#### {_name(objective.title, objective.id)}", "", *_changed(objective)]
    if len(changed) > MAX_OBJECTIVES:
        lines += ["", f"…and {len(changed) - MAX_OBJECTIVES} more changed objectives."]
    for title, diagnostics in (
        ("Problems introduced", comparison.introduced),
        ("Problems fixed", comparison.fixed),
    ):
        if diagnostics:
            lines += ["", f"#### {title}", ""]
            lines += _capped([_diagnostic(d) for d in diagnostics], "problems")
    return "\n".join(lines) + "\n"


def _revision(revision: Revision) -> str:
    return f"{escape_markdown(revision.name)} ({revision.commit[:7]})"


def _summary(comparison: Comparison) -> str:
    counts = [
        (len(comparison.of_kind(ADDED)), "objective added", "objectives added"),
        (len(comparison.of_kind(REMOVED)), "objective removed", "objectives removed"),
        (len(comparison.of_kind(CHANGED)), "objective changed", "objectives changed"),
        (comparison.new_checkins, "new check-in", "new check-ins"),
        (len(comparison.introduced), "problem introduced", "problems introduced"),
        (len(comparison.fixed), "problem fixed", "problems fixed"),
    ]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return ", ".join(parts).capitalize() + "." if parts else "No changes to the OKRs."


def _capped(items: Sequence[str], noun: str) -> list[str]:
    """At most :data:`MAX_ITEMS` items, then a line saying how many more there are."""
    shown = list(items[:MAX_ITEMS])
    if len(items) > MAX_ITEMS:
        shown.append(f"- …and {len(items) - MAX_ITEMS} more {noun}")
    return shown


def _name(title: str, item_id: str) -> str:
    """A title in bold and its id (ids are slugs: safe in a code span)."""
    return f"**{escape_markdown(title)}** (`{item_id}`)"


def _added_objective(objective: ObjectiveChange) -> str:
    count = len(objective.key_results)
    return (
        f"- {_name(objective.title, objective.id)}: owner `{objective.owner}`, "
        f"{escape_markdown(objective.period)}, {count} key result{'s' * (count != 1)}"
    )


def _changed(objective: ObjectiveChange) -> list[str]:
    lines = []
    if objective.title_before is not None:
        lines.append(f"- Retitled; it was: {escape_markdown(objective.title_before)}")
    if objective.owner_before is not None:
        lines.append(f"- Owner `{objective.owner_before}` → `{objective.owner}`")
    if objective.period_before is not None:
        before, after = escape_markdown(objective.period_before), escape_markdown(objective.period)
        lines.append(f"- Period {before} → {after}")
    if objective.parent is not None:
        lines.append(
            f"- Aligned to {_parent(objective.parent.before)} → {_parent(objective.parent.after)}"
        )
    numbers = _numbers(objective.progress, objective.score, objective.status)
    if numbers:
        lines.append(f"- {numbers}")
    added, removed = objective.of_kind(ADDED), objective.of_kind(REMOVED)
    changed = objective.of_kind(CHANGED)
    lines += _capped(
        [f"- Key result added: {_name(kr.title, kr.id)}" for kr in added]
        + [f"- Key result removed: {_name(kr.title, kr.id)}" for kr in removed]
        + [line for kr in changed for line in _changed_key_result(kr)],
        "key result changes",
    )
    checkins = [(kr, c) for kr in [*added, *changed] for c in kr.new_checkins]
    lines += _capped([_checkin(kr, checkin) for kr, checkin in checkins], "check-ins")
    return lines


def _parent(parent: str | None) -> str:
    return f"`{parent}`" if parent else "nothing"


def _numbers(progress: Change | None, score: Change | None, status: Change | None) -> str:
    parts = []
    if progress is not None:
        parts.append(f"progress {_percent(progress.before)} → {_percent(progress.after)}")
    if score is not None:
        parts.append(f"grade {_grade(score.before)} → {_grade(score.after)}")
    if status is not None:
        parts.append(f"status {_status(status.before)} → {_status(status.after)}")
    return "; ".join(parts).capitalize()


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def _grade(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _status(value: str | None) -> str:
    return "–" if value is None else value.replace("_", " ")


def _changed_key_result(kr: KeyResultChange) -> list[str]:
    """One line for a changed key result (and one if it was retitled)."""
    facts = []
    if kr.current is not None:
        facts.append(f"current {_value(kr.current.before)} → {_value(kr.current.after)}")
    numbers = _numbers(kr.progress, kr.score, None)
    if numbers:
        facts.append(numbers[0].lower() + numbers[1:])
    lines = [f"- {_name(kr.title, kr.id)}: {'; '.join(facts)}"] if facts else []
    if kr.title_before is not None:
        lines.append(
            f"- {_name(kr.title, kr.id)} retitled; it was: {escape_markdown(kr.title_before)}"
        )
    return lines


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "done" if value else "not done"
    return escape_markdown(str(value)) if value is not None else "–"


def _checkin(kr: KeyResultChange, checkin: Checkin) -> str:
    value = f": {_value(checkin.value)}" if checkin.value is not None else ""
    confidence = f", confidence {checkin.confidence:g}" if checkin.confidence is not None else ""
    note = checkin.note if len(checkin.note) <= MAX_NOTE else checkin.note[: MAX_NOTE - 1] + "…"
    quoted = f" — {escape_markdown(note)}" if note else ""
    return f"- Check-in {checkin.date.isoformat()} on `{kr.id}`{value}{confidence}{quoted}"


def _diagnostic(diagnostic: Diagnostic) -> str:
    loc = diagnostic.location
    return (
        f"- {diagnostic.severity}: {escape_markdown(loc.path)}:{loc.line}: "
        f"{escape_markdown(diagnostic.message)} \\[{escape_markdown(diagnostic.rule)}\\]"
    )


# ---- JSON ----------------------------------------------------------------------------------


def format_json(comparison: Comparison) -> str:
    """The comparison as JSON: every fact of the comment, nothing capped."""
    return json.dumps(_plain(comparison), indent=2, ensure_ascii=False) + "\n"


def _plain(value: object) -> Any:
    """Dataclasses, tuples, dates and diagnostics as JSON values."""
    if isinstance(value, Diagnostic):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


__all__ = ["Comparison", "Revision", "compare", "escape_markdown", "format_json", "format_markdown"]
