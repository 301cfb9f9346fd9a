"""Configuration: the typed settings of ``okrpub.yaml`` and their loader.

Every key has a default, so a project without ``okrpub.yaml`` works. Errors
in the configuration are diagnostics like errors in content, but the command
line exits with status 2 for them: nothing can be checked without a config.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import okrpub.themes as themes
from okrpub.diagnostics import Diagnostics, did_you_mean
from okrpub.source.checks import SLUG, as_date
from okrpub.source.configfields import CONFIG_FIELDS, PERIOD_FIELDS, THRESHOLD_FIELDS
from okrpub.source.configfields import base_url_problem as base_url_problem  # for the command line
from okrpub.source.frontmatter import decode
from okrpub.source.validate import validate_mapping
from okrpub.source.yamldoc import Document, parse_yaml

CONFIG_FILE = "okrpub.yaml"

#: Lint rules: OKR-quality warnings that ``lint:`` in the config can turn off or make errors.
LINT_RULES: dict[str, str] = {
    "kr-count": "an objective without 3 to 5 key results",
    "unaligned": "a team or person objective that aligns to nothing",
    "stale": "a key result of the current period without a recent check-in",
    "parent-period": "an objective whose parent is in another period",
    "ungraded": "a key result of a closed period without a final score",
    "direction": "a key result whose title says down (reduce) or up (increase) "
    "while its target says the other way",
}
LINT_LEVELS = ("off", "warning", "error")

#: The default theme's folder, shipped inside the package as ``okrpub.themes``.
DEFAULT_THEME = Path(themes.__file__).parent / "default"


@dataclass(frozen=True)
class GradeThresholds:
    """Grades below ``yellow`` are red, below ``green`` yellow, the rest green."""

    yellow: float = 0.4
    green: float = 0.7

    def colour(self, grade: float) -> str:
        if grade < self.yellow:
            return "red"
        return "yellow" if grade < self.green else "green"


@dataclass(frozen=True)
class CustomPeriod:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Config:
    title: str = "OKRs"
    base_url: str = ""
    language: str = "en"
    content_dir: str = "content"
    output_dir: str = "site"
    cache_dir: str = ".okrpub-cache"
    theme: str | None = None
    default_visibility: str = "internal"
    stale_after_days: int = 7
    grade_thresholds: GradeThresholds = GradeThresholds()
    lint: dict[str, str] = field(default_factory=dict)
    periods: dict[str, CustomPeriod] = field(default_factory=dict)
    unsafe_html: bool = False
    follow_symlinks: bool = False
    #: The date the site is pinned to (``--today`` wins over it).
    today: dt.date | None = None
    #: The month fiscal years start in; ``None``: no fiscal periods (``FY27-Q1``).
    fiscal_year_start: int | None = None

    def lint_level(self, rule: str) -> str:
        return self.lint.get(rule, "warning")


def load_config(root: Path, diagnostics: Diagnostics) -> Config:
    """Read ``okrpub.yaml`` in ``root``; defaults for what is missing or wrong."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return Config()
    text = decode(path.read_bytes(), CONFIG_FILE, diagnostics)
    if text is None:
        return Config()
    document = parse_yaml(text, CONFIG_FILE, diagnostics)
    if document is None or document.data is None:
        return Config()
    values = validate_mapping(document, (), CONFIG_FIELDS, CONFIG_FILE, diagnostics)
    if values is None:
        return Config()
    if "grade_thresholds" in values:
        values["grade_thresholds"] = _thresholds(document, diagnostics)
    if "lint" in values:
        values["lint"] = _lint_levels(document, diagnostics)
    if "periods" in values:
        values["periods"] = _custom_periods(document, diagnostics)
    if "language" in values:
        _check_language(root, values, document, diagnostics)
    if "output_dir" in values:
        _check_output_dir(values, document, diagnostics)
    if "today" in values:
        values["today"] = as_date(values["today"])
    return Config(**values)


def theme_folders(root: Path, theme: str | None) -> list[Path]:
    """Where templates, static files and locales are looked up, first match wins."""
    return [root / theme, DEFAULT_THEME] if theme else [DEFAULT_THEME]


def _check_language(
    root: Path, values: dict[str, Any], document: Document, diagnostics: Diagnostics
) -> None:
    """A language needs a ``locales/<language>.yaml`` in the project theme or the default one."""
    languages = {
        path.stem
        for folder in theme_folders(root, values.get("theme"))
        for path in (folder / "locales").glob("*.yaml")
    }
    language = values["language"]
    if language not in languages:
        hint = did_you_mean(language, languages) or f" (available: {', '.join(sorted(languages))})"
        diagnostics.error(
            document.where(("language",)), "config", f"no interface language '{language}'{hint}"
        )
        del values["language"]


def _check_output_dir(values: dict[str, Any], document: Document, diagnostics: Diagnostics) -> None:
    """A build replaces ``output_dir`` whole: it must not be the project, nor be, hold or lie
    in ``.git`` or a folder okrpub reads or keeps (the content, cache and theme folders).

    ``build`` checks the same on the real paths, symbolic links followed; this says it
    where the value is, and already in ``okrpub check`` of a pull request.
    """
    output = PurePosixPath(values["output_dir"])
    kept = {
        "content_dir": values.get("content_dir", Config.content_dir),
        "cache_dir": values.get("cache_dir", Config.cache_dir),
        "theme": values.get("theme"),
    }
    clashes = [
        f"{key} '{folder}'"
        for key, folder in kept.items()
        if folder is not None and overlaps(output, PurePosixPath(folder))
    ]
    if ".git" in output.parts:
        clashes.append("git's folder")
    if not output.parts:
        clashes = ["the project folder"]
    if clashes:
        diagnostics.error(
            document.where(("output_dir",)),
            "config",
            f"output_dir '{values['output_dir']}' overlaps {' and '.join(clashes)}; a build "
            "replaces its output folder whole, so give it a folder of its own, such as 'site'",
        )
        del values["output_dir"]


def overlaps(first: PurePath, second: PurePath) -> bool:
    """Whether one of the two folders is, or is inside, the other."""
    return first.is_relative_to(second) or second.is_relative_to(first)


def _thresholds(document: Document, diagnostics: Diagnostics) -> GradeThresholds:
    path = ("grade_thresholds",)
    values = validate_mapping(document, path, THRESHOLD_FIELDS, "grade_thresholds", diagnostics)
    if not values or len(values) < 2:
        return GradeThresholds()
    if values["yellow"] >= values["green"]:
        diagnostics.error(
            document.where(path),
            "config",
            "grade_thresholds.yellow must be below grade_thresholds.green",
        )
        return GradeThresholds()
    return GradeThresholds(**values)


def _lint_levels(document: Document, diagnostics: Diagnostics) -> dict[str, str]:
    levels: dict[str, str] = {}
    for rule, level in document.data["lint"].items():
        where = document.where(("lint", rule), key=True)
        if level is False:  # YAML 1.1 reads a bare ``off`` as false
            level = "off"
        if rule not in LINT_RULES:
            hint = did_you_mean(str(rule), LINT_RULES)
            diagnostics.error(where, "unknown-key", f"unknown lint rule '{rule}'{hint}")
        elif level not in LINT_LEVELS:
            diagnostics.error(
                document.where(("lint", rule)),
                "schema",
                f"lint.{rule} must be 'off', 'warning' or 'error', got {level!r}",
            )
        else:
            levels[rule] = level
    return levels


def _period_clash(period_id: str, earlier: dict[str, CustomPeriod]) -> str | None:
    """Why a custom period id cannot be used, if it clashes (ids are case-insensitive).

    A custom period may redefine a built-in one (a fiscal 2026-Q4, say).
    """
    same = [name for name in earlier if name.lower() == period_id.lower()]
    if same:
        return f"period id '{period_id}' is the same as '{same[0]}' (ids are case-insensitive)"
    return None


def _custom_periods(document: Document, diagnostics: Diagnostics) -> dict[str, CustomPeriod]:
    periods: dict[str, CustomPeriod] = {}
    for period_id in document.data["periods"]:
        path = ("periods", period_id)
        name = f"periods.{period_id}"
        values = validate_mapping(document, path, PERIOD_FIELDS, name, diagnostics)
        if not isinstance(period_id, str) or not SLUG.match(period_id.lower()):
            diagnostics.error(
                document.where(path, key=True),
                "bad-id",
                f"period id {period_id!r} must be letters, digits and '-'",
            )
            continue
        clash = _period_clash(period_id, periods)
        if clash:
            diagnostics.error(document.where(path, key=True), "bad-id", clash)
            continue
        if not values or len(values) < 2:
            continue
        start, end = as_date(values["start"]), as_date(values["end"])
        if start is None or end is None:  # pragma: no cover - checked by the schema
            continue
        if end < start:
            diagnostics.error(
                document.where((*path, "end")), "bad-date", f"{name}.end is before its start"
            )
            continue
        periods[period_id] = CustomPeriod(start, end)
    return periods
