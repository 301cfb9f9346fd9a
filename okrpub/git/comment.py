"""The comparison of two revisions (:mod:`okrpub.git.diff`) as a pull-request comment in
Markdown, where nothing from the content can become markup, or as JSON."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from okrpub.diagnostics import Diagnostic
from okrpub.git.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    Change,
    Comparison,
    KeyResultChange,
    ObjectiveChange,
    Revision,
    Span,
)
from okrpub.model.types import Checkin

#: Most items one list of the comment shows before "and N more".
MAX_ITEMS = 10
#: Most changed objectives the comment details.
MAX_OBJECTIVES = 25
#: Longest check-in note the comment quotes, in characters.
MAX_NOTE = 200


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
    if comparison.periods:
        lines += ["", "#### Periods with new dates", ""]
        lines += _capped(
            [
                f"- {escape_markdown(p.id)}: {_span(p.before)} → {_span(p.after)}"
                for p in comparison.periods
            ],
            "periods",
        )
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
        (len(comparison.periods), "period with new dates", "periods with new dates"),
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
    if objective.period_dates is not None:
        dates = objective.period_dates
        numbers += f" (its period's dates changed: {_span(dates.before)} → {_span(dates.after)})"
    if numbers:
        lines.append(f"- {numbers}")
    if objective.given_score is not None:
        lines.append(_given_score(objective.given_score))
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


def _given_score(given: Change) -> str:
    """The objective's own score given, changed or taken away (shown even when 0.00)."""
    if given.before is None:
        return f"- Objective graded as a whole: score {given.after:.2f} given"
    if given.after is None:
        return f"- Its own score ({given.before:.2f}) taken away: the key results' grades count"
    return f"- Its own score {given.before:.2f} → {given.after:.2f}"


def _span(span: Span) -> str:
    return f"{span.start.isoformat()} – {span.end.isoformat()}"


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{round(value * 100)}%"


def _grade(value: float | None) -> str:
    return "not graded" if value is None else f"{value:.2f}"


def _owner(value: str | None) -> str:
    return "none" if value is None else f"`{value}`"


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
    if kr.given_score is not None:
        before, after = (_written(v) for v in (kr.given_score.before, kr.given_score.after))
        facts.append(f"score {before} → {after} (not a grade while the period runs)")
    if kr.owner is not None:
        facts.append(f"owner {_owner(kr.owner.before)} → {_owner(kr.owner.after)}")
    lines = [f"- {_name(kr.title, kr.id)}: {'; '.join(facts)}"] if facts else []
    if kr.cancelled is not None:
        lines.append(_cancellation(kr, kr.cancelled))
    if kr.title_before is not None:
        lines.append(
            f"- {_name(kr.title, kr.id)} retitled; it was: {escape_markdown(kr.title_before)}"
        )
    return lines


def _cancellation(kr: KeyResultChange, cancelled: Change) -> str:
    """A key result cancelled (with its reason), un-cancelled, or given another reason."""
    name = _name(kr.title, kr.id)
    if cancelled.after is None:
        return f"- {name} is no longer cancelled; it counts again"
    reason = escape_markdown(cancelled.after)
    if cancelled.before is None:
        return f"- {name} cancelled: {reason}"
    return f"- {name} cancelled for another reason: {reason}"


def _written(score: float | None) -> str:
    return "none" if score is None else f"{score:.2f}"


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
