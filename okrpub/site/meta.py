"""What a page's head says about it: its description, canonical URL and whether search
engines may index it.

The description is the page's own words: the first paragraph of its body
(an objective's, a unit's or a free page's), as plain text, bounded; a page
without one is described in the language's words. Everything here is plain
text: the template escapes it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from okrpub.model.types import Model
from okrpub.site.brand import social_image_path
from okrpub.site.feed import absolute
from okrpub.site.i18n import Locale

#: Longest description, in characters: about what search results show.
MAX_DESCRIPTION = 160


class _Paragraphs(HTMLParser):
    """The text of each ``<p>`` of an HTML fragment, its white space collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._depth:
            self._depth -= 1
            if not self._depth:
                self.paragraphs.append(" ".join("".join(self._text).split()))
                self._text = []

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)


def first_paragraph(html: str) -> str:
    """The plain text of the first paragraph with words in ``html``, or ``""``."""
    parser = _Paragraphs()
    start = 0
    # fed a paragraph at a time, so that the parser stops at the first with words
    while start < len(html):
        end = html.find("</p>", start)
        end = len(html) if end < 0 else end + len("</p>")
        parser.feed(html[start:end])
        start = end
        if any(parser.paragraphs):
            break
    parser.close()
    return next((text for text in parser.paragraphs if text), "")


def shortened(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def description(
    model: Model, locale: Locale, view: str, arguments: tuple[str, ...], body: str
) -> str:
    """The description of a page made by ``view`` (with ``arguments``) whose body, if it
    has one, is the HTML ``body``."""
    return shortened(first_paragraph(body) or _described(model, locale, view, arguments))


def _described(model: Model, locale: Locale, view: str, arguments: tuple[str, ...]) -> str:
    """A page without words of its own, described in the language's words."""
    site = model.config.title
    if view == "objective":
        objective = model.objectives[arguments[0]]
        owner = model.units[objective.owner].name
        return locale.text(
            "meta.objective", title=objective.title, owner=owner, period=objective.period
        )
    if view == "unit":
        return locale.text("meta.unit", name=model.units[arguments[0]].name, site=site)
    if view == "period":
        return locale.text("meta.period", period=arguments[0], site=site)
    if view == "free_page":
        return locale.text("meta.page", title=model.pages[arguments[0]].title, site=site)
    if view == "status":
        return locale.text("meta.status", site=site)
    return locale.text("meta.site", site=site)


def canonical(base_url: str, path: str) -> str | None:
    """The absolute URL of the page at ``path``, when ``base_url`` is absolute; else
    ``None`` (a path alone is no canonical URL). The 404 page has none."""
    if not base_url.lower().startswith(("http://", "https://")) or path == "404.html":
        return None
    return absolute(base_url, path.removesuffix("index.html"))


def head(
    model: Model,
    locale: Locale,
    base_url: str,
    view: str,
    arguments: tuple[str, ...],
    path: str,
    body: str,
) -> dict[str, Any]:
    """What ``base.html``'s head shows of a page."""
    url = canonical(base_url, path)
    image = social_image_path(model.config)
    return {
        "description": description(model, locale, view, arguments, body),
        "canonical": url,
        # a link preview's image needs an absolute URL, as the canonical URL does
        "og_image": absolute(base_url, image) if url and image else None,
        # a large card for an image made for previews; a small one for the logo
        "twitter_card": "summary_large_image" if model.config.social_image else "summary",
        "og_type": "article" if view in ("objective", "free_page") else "website",
        # an internal site is for the organisation, not for search engines
        "indexable": model.public,
    }
