"""The schema of ``okrpub.yaml``: its field tables and the checks only they use.

:mod:`okrpub.config` reads the file against them; they live here, beside the
content's tables, so that validation can say where a misplaced key belongs
(``'base_url' belongs in okrpub.yaml``) without importing the configuration.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from okrpub.source.checks import (
    VISIBILITY,
    Check,
    Problem,
    accepts,
    boolean,
    date,
    fraction,
    mapping,
    slug,
    text,
    whole_days,
)
from okrpub.source.schema import Field


@accepts({"type": "integer", "minimum": 1, "maximum": 12})
def _month(value: Any) -> Problem:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return None
    return ("schema", "the number of a month, 1 (January) to 12 (December)")


def _folder_inside(example: str) -> Check:
    """A relative folder that stays in the project, like the symbolic links ``discover`` follows.

    ``okrpub.yaml`` may come from a pull request: it must not make a build read
    templates from, or replace, a folder elsewhere (``--out`` on the command line may).
    """

    def check(value: Any) -> Problem:
        if text(value) is None:
            folder = Path(value)
            if not folder.is_absolute() and ".." not in folder.parts:
                return None
        return ("schema", f"a folder inside the project, such as '{example}'")

    return Check(check, {"type": "string"})


#: What a base URL may be, as said in messages.
BASE_URL = (
    "an http:// or https:// URL or a path that starts with a single '/', "
    "such as 'https://okr.example.com/' or '/okrs/'"
)


def base_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be a base URL (``None``: it can; empty is none).

    The site links to it (``404.html``, the feed, the sitemap), so it must be
    a web address or a path on the site's host: not ``javascript:``, not a
    protocol-relative ``//host`` nor ``/\\host`` (another host, though it
    looks like a path), and no spaces, control or invisible characters, which
    browsers drop or read differently.
    """
    if not value:
        return None
    if any(unicodedata.category(char)[0] in "CZ" or char == "\\" for char in value):
        return f"{BASE_URL}, without spaces, backslashes or control characters"
    if value.startswith("/") and not value.startswith("//"):
        return None
    try:
        url = urlsplit(value)
        host = url.hostname
    except ValueError:  # such as a bracket left open: "https://[::1/"
        return BASE_URL
    web = url.scheme in ("http", "https") and value[len(url.scheme) :].startswith("://")
    return None if web and host else BASE_URL


@accepts({"type": "string"})
def _base_url(value: Any) -> Problem:
    if not isinstance(value, str):
        return ("schema", "a string")
    problem = base_url_problem(value)
    return None if problem is None else ("schema", problem)


CONFIG_FIELDS: dict[str, Field] = {
    "title": Field(text),
    "base_url": Field(_base_url),
    "language": Field(slug),
    "content_dir": Field(_folder_inside("content")),
    "output_dir": Field(_folder_inside("site")),
    "cache_dir": Field(_folder_inside(".okrpub-cache")),
    "theme": Field(_folder_inside("theme")),
    "default_visibility": Field(VISIBILITY),
    "stale_after_days": Field(
        whole_days,
        description="Days without a check-in after which a key result is stale (default 7).",
    ),
    "grade_thresholds": Field(mapping),
    "lint": Field(mapping),
    "periods": Field(mapping),
    "unsafe_html": Field(boolean),
    "follow_symlinks": Field(boolean),
    "today": Field(
        date,
        description="The date the site is shown as of, for an archived or demo site "
        "(default: the day it is built; --today wins).",
    ),
    "fiscal_year_start": Field(
        _month,
        description="The month (1-12) the fiscal year starts in: it makes the periods "
        "FY27, FY27-H1 and FY27-Q1 (fiscal years are named after the year they end in).",
    ),
}

THRESHOLD_FIELDS: dict[str, Field] = {
    "yellow": Field(fraction, required=True),
    "green": Field(fraction, required=True),
}

PERIOD_FIELDS: dict[str, Field] = {
    "start": Field(date, required=True),
    "end": Field(date, required=True),
}
