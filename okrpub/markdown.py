"""Markdown: render bodies to safe HTML.

Python-Markdown does not sanitise. Unless ``unsafe_html`` is set, raw HTML
in a body is escaped (its ``html_block`` preprocessor and ``html`` inline
pattern are removed). Either way the result then passes through nh3, an
allow-list sanitizer, which drops scripts, event handlers, styles and every
URL scheme but http, https and mailto (``javascript:``, ``vbscript:``,
``data:`` and friends).
"""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from markupsafe import Markup

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list", "abbr"]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


class MarkdownRenderer:
    """One reusable Markdown converter (creating one per body is the slow part)."""

    def __init__(self, *, unsafe_html: bool) -> None:
        self._markdown = markdown_lib.Markdown(extensions=_EXTENSIONS, output_format="html")
        if not unsafe_html:
            self._markdown.preprocessors.deregister("html_block")
            self._markdown.inlinePatterns.deregister("html")

    def render(self, text: str) -> Markup:
        html = self._markdown.reset().convert(text)
        return Markup(sanitize(html))


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )
