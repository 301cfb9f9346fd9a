"""Configuration: the typed settings of ``okrpub.yaml`` and their loader.

Every key has a default, so a project without ``okrpub.yaml`` works. Errors
in the configuration are diagnostics like errors in content, but the command
line exits with status 2 for them: nothing can be checked without a config.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import okrpub.themes as themes
from okrpub.diagnostics import Diagnostics, did_you_mean
from okrpub.safefs import descend, open_folder, read_plain
from okrpub.source.checks import SLUG, as_date
from okrpub.source.configfields import (
    CONFIG_FIELDS,
    FOOTER_LINK_FIELDS,
    MAX_FOOTER_LINKS,
    PERIOD_FIELDS,
    STATUS_FIELDS,
    THRESHOLD_FIELDS,
)
from okrpub.source.configfields import base_url_problem as base_url_problem  # for the command line
from okrpub.source.frontmatter import decode
from okrpub.source.images import image_problem
from okrpub.source.validate import validate_mapping
from okrpub.source.yamldoc import Document, parse_yaml

CONFIG_FILE = "okrpub.yaml"

#: Lint rules: OKR-quality warnings that ``lint:`` in the config can turn off or make errors.
LINT_RULES: dict[str, str] = {
    "kr-count": "an objective without 3 to 5 key results",
    "no-key-results": "an objective with no key results yet (qualitative)",
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
        """The colour of ``grade`` as the site shows it, with two decimals: a mean of
        0.6986 reads "0.70", so it is green, as "0.70" is."""
        shown = round(grade, 2)
        if shown < self.yellow:
            return "red"
        return "yellow" if shown < self.green else "green"


@dataclass(frozen=True)
class StatusRule:
    """When a key result of a running period is at risk or off track (``status:``).

    Below ``at_risk_confidence`` it is at risk, below ``off_track_confidence`` off
    track; behind its even pace by more than ``at_risk_behind`` (a share of the way
    from start to target) at risk, by more than ``off_track_behind`` off track.
    """

    at_risk_confidence: float = 0.5
    off_track_confidence: float = 0.3
    at_risk_behind: float = 0.25
    off_track_behind: float = 0.5


@dataclass(frozen=True)
class CustomPeriod:
    start: dt.date
    end: dt.date


#: Largest logo file, in bytes: it is copied into the site and shown on every page.
MAX_LOGO_BYTES = 1_000_000


@dataclass(frozen=True)
class FooterLink:
    title: str
    url: str


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
    status: StatusRule = StatusRule()
    lint: dict[str, str] = field(default_factory=dict)
    periods: dict[str, CustomPeriod] = field(default_factory=dict)
    unsafe_html: bool = False
    follow_symlinks: bool = False
    #: The logo: a path relative to the project, checked to be a plain file in it.
    logo: str | None = None
    #: The image of link previews (``og:image``): a path like ``logo``; ``None``: the logo.
    social_image: str | None = None
    #: ``#rrggbb``: the header band's colour; ``None``: the theme's.
    primary_colour: str | None = None
    footer_text: str = ""
    footer_links: tuple[FooterLink, ...] = ()
    #: Whether a public build has the status page.
    public_status_page: bool = True
    #: Whether to write ``sitemap.xml``; ``None``: in public builds only.
    sitemap: bool | None = None
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
    if "status" in values:
        values["status"] = _status_rule(document, diagnostics)
    if "lint" in values:
        values["lint"] = _lint_levels(document, diagnostics)
    if "periods" in values:
        values["periods"] = _custom_periods(document, diagnostics)
    if "language" in values:
        _check_language(root, values, document, diagnostics)
    if "output_dir" in values:
        _check_output_dir(values, document, diagnostics)
    if "footer_links" in values:
        values["footer_links"] = _footer_links(document, diagnostics)
    if "footer_text" in values:
        values["footer_text"] = values["footer_text"].strip()
    for key in ("logo", "social_image"):
        if key in values and not _image_is_there(root, key, values[key], document, diagnostics):
            del values[key]
    if "today" in values:
        values["today"] = as_date(values["today"])
    return Config(**values)


def read_logo(root: Path, logo: str) -> bytes:
    """The bytes of the project's logo, reached without following a symbolic link
    (``OSError`` if it is not a plain file inside the project, or is too large)."""
    parts = PurePosixPath(logo).parts
    folder = open_folder(root)
    try:
        inner = descend(folder, parts[:-1])
    finally:
        os.close(folder)
    try:
        content = read_plain(parts[-1], folder=inner, limit=MAX_LOGO_BYTES + 1)
    finally:
        os.close(inner)
    if len(content) > MAX_LOGO_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_LOGO_BYTES:,} bytes", logo)
    return content


def _image_is_there(
    root: Path, key: str, image: str, document: Document, diagnostics: Diagnostics
) -> bool:
    """Whether the image of ``key`` (the logo, the social image) is a plain file of the
    project, no larger than :data:`MAX_LOGO_BYTES`, reached without a symbolic link, and an
    image of its kind (an SVG without scripts): it is copied into the site."""
    try:
        problem = image_problem(image, read_logo(root, image))
    except OSError as error:
        reasons = {
            errno.ELOOP: "it is a symbolic link",
            errno.ENOTDIR: "a folder on its way is a symbolic link or a file",
            errno.ENOENT: "there is no such file",
        }
        reason = reasons.get(error.errno or 0) or error.strerror or "it cannot be read"
        diagnostics.error(
            document.where((key,)),
            "config",
            f"{key} '{image}' cannot be used: {reason}; give the path of an image file "
            "inside the project (no symbolic link)",
        )
        return False
    if problem is not None:
        diagnostics.error(document.where((key,)), "config", f"{key} '{image}': {problem}")
        return False
    return True


def _footer_links(document: Document, diagnostics: Diagnostics) -> tuple[FooterLink, ...]:
    written = document.data["footer_links"]
    if len(written) > MAX_FOOTER_LINKS:
        diagnostics.error(
            document.where(("footer_links",)),
            "limit",
            f"footer_links has {len(written)} links; the limit is {MAX_FOOTER_LINKS}",
        )
    links = []
    for index in range(min(len(written), MAX_FOOTER_LINKS)):
        name = f"footer_links[{index}]"
        path = ("footer_links", index)
        values = validate_mapping(document, path, FOOTER_LINK_FIELDS, name, diagnostics)
        if values and len(values) == len(FOOTER_LINK_FIELDS):
            links.append(FooterLink(values["title"].strip(), values["url"]))
    return tuple(links)


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


#: Pairs of ``status:`` keys where the first may not be above the second.
_STATUS_ORDER = (
    ("off_track_confidence", "at_risk_confidence"),
    ("at_risk_behind", "off_track_behind"),
)


def _status_rule(document: Document, diagnostics: Diagnostics) -> StatusRule:
    """The ``status:`` block: each key optional, each pair in order."""
    path = ("status",)
    values = validate_mapping(document, path, STATUS_FIELDS, "status", diagnostics)
    if values is None:
        return StatusRule()
    rule = StatusRule(**values)
    for low, high in _STATUS_ORDER:
        if getattr(rule, low) > getattr(rule, high):
            key = low if low in values else high
            diagnostics.error(
                document.where((*path, key)),
                "config",
                f"status.{low} ({getattr(rule, low)}) must not be above "
                f"status.{high} ({getattr(rule, high)})",
            )
            return StatusRule()
    return rule


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
