"""Feeds: the Atom feed of check-ins and the sitemap, the two files that need absolute URLs,
and ``robots.txt``, which names the sitemap."""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from okrpub import __version__
from okrpub.model.types import Checkin, KeyResult, Model, Objective
from okrpub.site.format import format_percent, format_quantity
from okrpub.site.i18n import Locale
from okrpub.source.inline import plain_text

#: The feed's path in the site.
FEED_FILE = "feed.xml"
#: The feed holds the newest check-ins only; the site and the JSON export have them all.
FEED_ENTRIES = 100
#: Characters XML 1.0 does not allow at all, not even escaped (most control characters).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# xml.sax.saxutils is imported where used: it imports urllib.request (about 60 ms),
# and `check` imports this module (for the feed's orders kept in the store) but never
# writes a feed.


def escape(text: str) -> str:
    """``text`` as XML character data: escaped, without the characters XML forbids."""
    from xml.sax.saxutils import escape as xml_escape

    return xml_escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    """``text`` as a quoted XML attribute value, without the characters XML forbids."""
    from xml.sax.saxutils import quoteattr as xml_quoteattr

    return xml_quoteattr(_NOT_XML.sub("", text))


def absolute(base_url: str, path: str) -> str:
    """``path`` under the configured ``base_url`` (kept relative when there is none)."""
    if not base_url:
        return path
    return base_url.rstrip("/") + "/" + path


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


#: A check-in in the feed, with its key result and objective.
Entry = tuple[Checkin, KeyResult, Objective]
#: What orders the feed, newest first: the date, then the objective's and key result's ids.
Order = tuple[dt.date, str, str]


def _order(entry: Entry) -> Order:
    checkin, kr, objective = entry
    return (checkin.date, objective.id, kr.id)


def _entries(objectives: Iterable[Objective]) -> Iterator[Entry]:
    return (
        (checkin, kr, objective)
        for objective in objectives
        for kr in objective.key_results
        for checkin in kr.checkins
    )


def newest_order(objective: Objective) -> Order | None:
    """The order of the objective's newest check-in: a key result's are oldest first."""
    return max(
        (
            (kr.last_checkin, objective.id, kr.id)
            for kr in objective.key_results
            if kr.last_checkin is not None
        ),
        default=None,
    )


def _newest_checkins(model: Model, orders: Iterable[Order | None] | None = None) -> list[Entry]:
    """The newest ``FEED_ENTRIES`` check-ins, newest first.

    Only the ``FEED_ENTRIES`` objectives whose newest check-ins are the newest
    can hold them: were one of another objective's check-ins among them, the
    newest check-ins of those objectives would all be newer still, one more
    than there are entries (two objectives never tie: the order holds the
    objective's id). So only their check-ins are compared. ``orders``: the
    :func:`newest_order` of each objective, made here when not given.
    """
    if orders is None:
        orders = map(newest_order, model.objectives.values())
    chosen = heapq.nlargest(FEED_ENTRIES, filter(None, orders))
    objectives = (model.objectives[objective_id] for _, objective_id, _ in chosen)
    # the same as sorting all their check-ins, newest first, and keeping the first ones
    return heapq.nlargest(FEED_ENTRIES, _entries(objectives), key=_order)


def atom_feed(
    model: Model, locale: Locale, base_url: str, orders: Iterable[Order | None] | None = None
) -> bytes:
    """An Atom feed of check-ins, newest first (``orders``: see :func:`_newest_checkins`)."""
    entries = _newest_checkins(model, orders)
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
    return format_quantity(locale, value, kr.unit, kr.unit_singular, kr.unit_position)


def _summary(checkin: Checkin, objective: Objective, locale: Locale) -> str:
    parts = [locale.text("feed.objective", title=objective.title)]
    if checkin.confidence is not None:
        parts.append(
            locale.text("feed.confidence", confidence=format_percent(locale, checkin.confidence))
        )
    if checkin.note:
        parts.append(plain_text(checkin.note))
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


def robots_txt(public: bool, base_url: str, sitemap: bool) -> bytes:
    """``robots.txt``: a public site may be indexed (its sitemap named when the site has
    one at an absolute URL); an internal one asks every robot to stay out."""
    if not public:
        return b"User-agent: *\nDisallow: /\n"
    lines = ["User-agent: *", "Allow: /"]
    if sitemap and base_url.lower().startswith(("http://", "https://")):
        lines.append(f"Sitemap: {absolute(base_url, 'sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")
