"""The schema of ``okrpub.yaml``: its field tables and the checks only they use.

:mod:`okrpub.config` reads the file against them; they live here, beside the
content's tables, so that validation can say where a misplaced key belongs
(``'base_url' belongs in okrpub.yaml``) without importing the configuration.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from okrpub.source.checks import (
    VISIBILITY,
    Check,
    Problem,
    accepts,
    any_list,
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
    if not _plain_characters(value):
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


def _plain_characters(value: str) -> bool:
    """No spaces, backslashes, control or invisible characters: what browsers drop or read
    differently in a URL."""
    return not any(unicodedata.category(char)[0] in "CZ" or char == "\\" for char in value)


@accepts({"type": "string"})
def _base_url(value: Any) -> Problem:
    if not isinstance(value, str):
        return ("schema", "a string")
    problem = base_url_problem(value)
    return None if problem is None else ("schema", problem)


#: Image files a logo may be, by their extension.
LOGO_TYPES = ("svg", "png", "jpg", "jpeg", "webp", "gif")
#: Image files a link preview may show (``social_image``): no SVG, which chat apps and
#: social networks do not show.
SOCIAL_IMAGE_TYPES = ("png", "jpg", "jpeg", "webp", "gif")
#: Longest footer text, and most footer links.
MAX_FOOTER_TEXT = 500
MAX_FOOTER_LINKS = 20
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\Z")


def _image_path(kinds: tuple[str, ...], example: str) -> Check:
    """A relative path inside the project to an image file of one of ``kinds`` (whether
    it is there, and is no symbolic link, :mod:`okrpub.config` checks)."""

    @accepts({"type": "string", "pattern": rf"^[^/\\].*\.({'|'.join(kinds)})$(?!\n)"})
    def check(value: Any) -> Problem:
        if text(value) is None and not any(char in value for char in "\\\0"):
            path = PurePosixPath(value)
            inside = not path.is_absolute() and ".." not in path.parts
            if inside and path.suffix[1:].lower() in kinds:
                return None
        listed = ", ".join(f".{kind}" for kind in kinds)
        where = f"inside the project ({listed}), such as '{example}'"
        return ("schema", f"the path of an image file {where}")

    return check


_logo = _image_path(LOGO_TYPES, "logo.svg")
_social_image = _image_path(SOCIAL_IMAGE_TYPES, "social.png")


@accepts({"type": "string", "pattern": "^" + _COLOUR.pattern.removesuffix(r"\Z") + "$(?!\n)"})
def _colour(value: Any) -> Problem:
    if isinstance(value, str) and _COLOUR.match(value):
        return None
    return ("schema", "a colour as '#' and six hexadecimal digits, such as '#0b57b0'")


@accepts({"type": "string", "pattern": r"\S", "maxLength": MAX_FOOTER_TEXT})
def _footer_text(value: Any) -> Problem:
    if text(value) is None and len(value) <= MAX_FOOTER_TEXT:
        return None
    return ("schema", f"a non-empty string of at most {MAX_FOOTER_TEXT} characters")


@accepts({"type": "string", "pattern": "^([hH][tT][tT][pP][sS]?://|mailto:)"})
def _link_url(value: Any) -> Problem:
    """An http(s) URL of a host, or a mailto URL; without spaces or control characters."""
    if isinstance(value, str) and not value.startswith("/"):
        address = value.removeprefix("mailto:")
        if address != value and address and _plain_characters(address):
            return None
        if address == value and value and base_url_problem(value) is None:
            return None
    return ("schema", "an http://, https:// or mailto: URL, such as 'https://example.org/privacy'")


FOOTER_LINK_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True, description="The link's words."),
    "url": Field(_link_url, required=True, description="An http(s) or mailto URL."),
}

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
    "status": Field(mapping),
    "lint": Field(mapping),
    "periods": Field(mapping),
    "unsafe_html": Field(boolean),
    "follow_symlinks": Field(boolean),
    "logo": Field(_logo, description="An image file of the project shown beside the title."),
    "social_image": Field(
        _social_image,
        description="The image a link to the site shows in chat apps and social networks "
        "(og:image; default: the logo, unless it is an SVG); needs an absolute base_url.",
    ),
    "primary_colour": Field(
        _colour, description="The colour of the header band, such as '#0b57b0'."
    ),
    "footer_text": Field(_footer_text, description="A line of text in every page's footer."),
    "footer_links": Field(
        any_list,
        description="Links in every page's footer: each a title and an http(s) or mailto URL.",
        entries=FOOTER_LINK_FIELDS,
        max_entries=MAX_FOOTER_LINKS,
    ),
    "public_status_page": Field(
        boolean, description="false leaves the status page out of public builds."
    ),
    "sitemap": Field(
        boolean, description="Whether to write sitemap.xml (default: in public builds only)."
    ),
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

#: The thresholds of the status rule (:class:`okrpub.config.StatusRule`), each optional.
STATUS_FIELDS: dict[str, Field] = {
    "at_risk_confidence": Field(fraction),
    "off_track_confidence": Field(fraction),
    "at_risk_behind": Field(fraction),
    "off_track_behind": Field(fraction),
}

PERIOD_FIELDS: dict[str, Field] = {
    "start": Field(date, required=True),
    "end": Field(date, required=True),
}
