"""``okrpub new``: write a new objective or unit where ``okrpub check`` will find it.

What the command line says goes into the file; what it cannot say (the key
results, the text below the front matter) is written as a placeholder,
``"<FILL IN: …>"``, which ``check`` reports as an error (rule ``placeholder``)
until someone replaces it, so a half-written file cannot be merged unnoticed.
Every reference is checked against the analysed project first: an unknown
owner, period, parent or lead is a usage error with a did-you-mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from okrpub.diagnostics import Diagnostic, Diagnostics, did_you_mean
from okrpub.edit.newfile import create_file
from okrpub.engine.loader import load_sources
from okrpub.engine.project import Analysis
from okrpub.errors import UsageError
from okrpub.model.periods import canonical_period_id, period_dates, period_forms
from okrpub.source.checks import PLACEHOLDER, SLUG
from okrpub.source.discover import UNITS_DIR, Kind, SourceFile, discover
from okrpub.source.schema import OBJECTIVE_TYPES, UNIT_KINDS
from okrpub.source.yamldoc import double_quoted, parse_yaml

#: Longest id ``new objective`` makes from a title.
MAX_SLUG = 50
KEY_RESULTS = 3


@dataclass(frozen=True)
class NewObjective:
    title: str
    owner: str
    period: str
    parent: str | None = None
    type: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class NewUnit:
    id: str
    name: str
    kind: str
    parent: str | None = None
    lead: str | None = None


@dataclass(frozen=True)
class Written:
    """The file written (project-relative) and the placeholders ``check`` will report in it."""

    path: str
    placeholders: list[Diagnostic]


def slugify(title: str) -> str:
    """An objective id from a title: ``"Grow to €1 million!"`` → ``grow-to-1-million``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > MAX_SLUG:
            break
        slug = longer
    return slug or "-".join(words)[:MAX_SLUG]


def fill_in(what: str) -> str:
    """A placeholder: ``<FILL IN: what>``."""
    return f"{PLACEHOLDER} {what}>"


#: What ``new objective`` writes for each key result.
KEY_RESULT_LINES = (
    "  - title: " + double_quoted(fill_in("a result you can measure")),
    "    start: " + double_quoted(fill_in("the number when the period begins")),
    "    target: " + double_quoted(fill_in("a number")),
)


def _word(text: str) -> str:
    """An id as YAML: plain where okrpub reads it back as the same text, else quoted
    (``"null"``, ``"1e3"``, ``"0o17"``)."""
    document = parse_yaml(text, "", Diagnostics())
    return text if document is not None and document.data == text else double_quoted(text)


def objective_text(new: NewObjective, period: str) -> str:
    lines = ["---", f"title: {double_quoted(new.title.strip())}", f"owner: {_word(new.owner)}"]
    lines.append(f"period: {_word(period)}")
    if new.parent:
        lines.append(f"parent: {_word(new.parent)}")
    if new.type:
        lines.append(f"type: {new.type}")
    lines.append("# Each key result has a start and a target, or done: false if it is yes or no.")
    lines.append("key_results:")
    lines += KEY_RESULT_LINES * KEY_RESULTS
    lines += ["---", fill_in("why this objective matters")]
    return "\n".join(lines) + "\n"


def unit_text(new: NewUnit) -> str:
    lines = ["---", f"name: {double_quoted(new.name.strip())}", f"kind: {new.kind}"]
    if new.parent:
        lines.append(f"parent: {_word(new.parent)}")
    if new.lead:
        lines.append(f"lead: {_word(new.lead)}")
    lines += ["---", fill_in(f"what this {new.kind} does, in a sentence or two")]
    return "\n".join(lines) + "\n"


def new_objective(root: Path, analysis: Analysis, new: NewObjective) -> Written:
    """Check ``new`` against the project and write its file; refuse to overwrite anything."""
    config, resolved = analysis.config, analysis.resolved
    _check_text("title", new.title)
    units, objectives = _known_ids(root, analysis)
    _check_known("owner", new.owner, units)
    if period_dates(new.period, config.periods, config.fiscal_year_start) is None:
        known_periods = {*config.periods, *resolved.periods}
        hint = did_you_mean(new.period, known_periods) or period_forms(
            new.period, config.fiscal_year_start
        )
        raise UsageError(f"unknown period '{new.period}'{hint}")
    if new.parent is not None:
        _check_parent(new.parent, analysis)
    if new.type is not None and new.type not in OBJECTIVE_TYPES:
        raise UsageError(f"--type must be committed or aspirational, got {new.type!r}")
    if new.id is not None and not SLUG.match(new.id):
        raise UsageError(f"--id must be lower-case letters, digits and '-', got {new.id!r}")
    objective_id = new.id or slugify(new.title)
    if not SLUG.match(objective_id):
        raise UsageError(f"cannot make an id from the title {new.title!r}; give one with --id")
    if objective_id in objectives:
        raise UsageError(f"objective id '{objective_id}' is taken; choose another with --id")
    period = canonical_period_id(new.period, config.periods)
    relative = f"{config.content_dir}/{period}/{new.owner}/{objective_id}.md"
    return _write_new(root, analysis, relative, objective_text(new, period), Kind.OBJECTIVE)


def new_unit(root: Path, analysis: Analysis, new: NewUnit) -> Written:
    """Check ``new`` against the project and write its unit file; refuse to overwrite."""
    _check_text("name", new.name)
    if not SLUG.match(new.id):
        raise UsageError(f"unit id must be lower-case letters, digits and '-', got {new.id!r}")
    if new.kind not in UNIT_KINDS:
        raise UsageError(f"--kind must be company, team or person, got {new.kind!r}")
    units, _ = _known_ids(root, analysis)
    if new.id in units:
        raise UsageError(f"unit id '{new.id}' is taken")
    resolved = analysis.resolved.units
    if new.kind == "company" and new.parent is not None:
        raise UsageError("a company unit has no --parent; make it a team")
    if new.kind != "company":
        if new.parent is None:
            raise UsageError(f"a {new.kind} unit needs --parent (the team or company it is in)")
        _check_known("parent unit", new.parent, units)
        if new.parent in resolved and resolved[new.parent].kind == "person":
            raise UsageError(f"--parent '{new.parent}' is a person; a person has no sub-units")
    if new.lead is not None:
        _check_known("lead", new.lead, units)
        if new.lead in resolved and resolved[new.lead].kind != "person":
            raise UsageError(f"--lead '{new.lead}' is a {resolved[new.lead].kind}, not a person")
    relative = f"{analysis.config.content_dir}/{UNITS_DIR}/{new.id}.md"
    return _write_new(root, analysis, relative, unit_text(new), Kind.UNIT)


def _check_text(what: str, value: str) -> None:
    if not value.strip():
        raise UsageError(f"the {what} must not be empty")
    if value.startswith(PLACEHOLDER):
        raise UsageError(f"the {what} must not be a placeholder")


def _check_known(what: str, value: str, known: Iterable[str]) -> None:
    known = set(known)
    if value not in known:
        raise UsageError(f"unknown {what} '{value}'{did_you_mean(value, known)}")


def _check_parent(parent: str, analysis: Analysis) -> None:
    objective_id, _, kr_id = parent.partition("#")
    objectives = analysis.resolved.objectives
    _check_known("parent objective", objective_id, objectives)
    if kr_id:
        choices = [key_result.id for key_result in objectives[objective_id].key_results]
        if kr_id not in choices:
            raise UsageError(
                f"objective '{objective_id}' has no key result '{kr_id}'"
                f"{did_you_mean(kr_id, choices)} (it has: {', '.join(choices)})"
            )


def _known_ids(root: Path, analysis: Analysis) -> tuple[set[str], set[str]]:
    """Unit and objective ids in use, including those of files that have errors."""
    files = discover(root, analysis.config.content_dir, Diagnostics())
    stems = {kind: {Path(f.path).stem for f in files if f.kind is kind} for kind in Kind}
    units = stems[Kind.UNIT] | set(analysis.resolved.units)
    objectives = stems[Kind.OBJECTIVE] | set(analysis.resolved.objectives)
    return units, objectives


def _write_new(root: Path, analysis: Analysis, relative: str, text: str, kind: Kind) -> Written:
    target = root / relative
    try:
        create_file(root, relative, text)
    except FileExistsError:
        raise UsageError(f"refusing to overwrite {relative}") from None
    diagnostics = Diagnostics()
    load_sources([SourceFile(relative, target, kind)], analysis.config.content_dir, diagnostics)
    found = [item for item in diagnostics.sorted() if item.rule == "placeholder"]
    return Written(relative, found)
