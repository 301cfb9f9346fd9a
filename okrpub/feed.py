"""Feeds: the Atom feed of check-ins and the sitemap, the two files that need absolute URLs."""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterable
from urllib.parse import quote
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from okrpub import __version__
from okrpub.i18n import Locale
from okrpub.model import Checkin, KeyResult, Model, Objective
from okrpub.theme import format_quantity

#: The feed holds the newest check-ins only; the site and the JSON export have them all.
FEED_ENTRIES = 100
#: Characters XML 1.0 does not allow at all, not even escaped (most control characters).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """``text`` as XML character data: escaped, without the characters XML forbids."""
    return _escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    """``text`` as a quoted XML attribute value, without the characters XML forbids."""
    return _quoteattr(_NOT_XML.sub("", text))


def absolute(base_url: str, path: str) -> str:
    """``path`` under the configured ``base_url`` (kept relative when there is none)."""
    if not base_url:
        return path
    return base_url.rstrip("/") + "/" + path


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _newest_checkins(model: Model) -> list[tuple[Checkin, KeyResult, Objective]]:
    every = (
        (checkin, kr, objective)
        for objective in model.objectives.values()
        for kr in objective.key_results
        for checkin in kr.checkins
    )
    # the same as sorting all of them, newest first, and keeping the first ones
    return heapq.nlargest(
        FEED_ENTRIES, every, key=lambda item: (item[0].date, item[2].id, item[1].id)
    )


def atom_feed(model: Model, locale: Locale, base_url: str) -> bytes:
    """An Atom feed of check-ins, newest first."""
    entries = _newest_checkins(model)
    updated = entries[0][0].date if entries else model.today
    home = absolute(base_url, "")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(locale.language)}>',
        f"<title>{escape(model.config.title)}</title>",
        f"<subtitle>{escape(locale.text('feed.subtitle'))}</subtitle>",
        f"<id>{escape(home or 'urn:okrpub:' + quote(model.config.title, safe=''))}</id>",
        f'<link rel="alternate" href={quoteattr(home or "index.html")}/>',
        f'<link rel="self" href={quoteattr(absolute(base_url, "feed.xml"))}/>',
        f"<updated>{_timestamp(updated)}</updated>",
        f'<generator version="{__version__}">okrpub</generator>',
        f"<author><name>{escape(model.config.title)}</name></author>",
    ]
    for checkin, kr, objective in entries:
        link = absolute(base_url, f"objectives/{objective.id}/")
        value = (
            ""
            if checkin.value is None
            else locale.text("feed.value", value=_value(checkin.value, kr, locale))
        )
        title = locale.text("feed.entry", key_result=kr.title, value=value).strip()
        lines += [
            "<entry>",
            f"<title>{escape(title)}</title>",
            f"<id>{escape(_entry_id(base_url, objective, kr, checkin))}</id>",
            f'<link rel="alternate" href={quoteattr(link)}/>',
            f"<updated>{_timestamp(checkin.date)}</updated>",
            f"<summary>{escape(_summary(checkin, objective, locale))}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _value(value: float | bool, kr: KeyResult, locale: Locale) -> str:
    if isinstance(value, bool):
        return locale.text("value.done" if value else "value.not_done")
    return format_quantity(locale, value, kr.unit)


def _summary(checkin: Checkin, objective: Objective, locale: Locale) -> str:
    parts = [locale.text("feed.objective", title=objective.title)]
    if checkin.confidence is not None:
        parts.append(
            locale.text("feed.confidence", confidence=f"{round(checkin.confidence * 100)}%")
        )
    if checkin.note:
        parts.append(checkin.note)
    return " · ".join(parts)


def _entry_id(base_url: str, objective: Objective, kr: KeyResult, checkin: Checkin) -> str:
    fragment = f"{objective.id}/{kr.id}/{checkin.date.isoformat()}"
    return absolute(base_url, f"objectives/{fragment}") if base_url else f"urn:okrpub:{fragment}"


def sitemap(paths: Iterable[str], base_url: str, lastmod: dt.date) -> bytes:
    """``sitemap.xml`` listing every HTML page (as folder URLs, like the JSON export)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path in paths:
        if path == "404.html":
            continue
        url = absolute(base_url, path.removesuffix("index.html"))
        lines.append(f"<url><loc>{escape(url)}</loc><lastmod>{lastmod.isoformat()}</lastmod></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")
