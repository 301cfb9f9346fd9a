"""Markdown: render bodies to safe HTML.

Bodies are CommonMark (with tables, strikethrough and definition lists),
rendered by markdown-it-py: its parser takes time linear in the size of the
text, also for hostile input (thousands of nested brackets, lists or
quotes), and nests no deeper than a fixed limit, so no body can hang or
crash a build. Unless ``unsafe_html`` is set, raw HTML in a body is escaped
and shown as text. Either way the result then passes through nh3, an
allow-list sanitizer, which drops scripts, event handlers, styles and every
URL scheme but http, https and mailto (``javascript:``, ``vbscript:``,
``data:`` and friends).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.deflist import deflist_plugin

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
    # column alignment of tables: only the text-align property survives (see below)
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start"},
}
_STYLE_PROPERTIES = {"text-align"}
_URL_SCHEMES = {"http", "https", "mailto"}


class MarkdownRenderer:
    """One reusable Markdown parser (creating one per body is the slow part)."""

    def __init__(self, *, unsafe_html: bool) -> None:
        self._markdown = (
            MarkdownIt("commonmark", {"html": unsafe_html})
            .enable(["table", "strikethrough"])
            .use(deflist_plugin)
        )

    def render(self, text: str) -> Markup:
        return Markup(sanitize(self._markdown.render(text)))


#: The allow-list, made once: handing it to ``nh3.clean`` made it again for every body.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    clean_content_tags={"script", "style"},
    link_rel="noopener noreferrer",
    filter_style_properties=_STYLE_PROPERTIES,
)


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes, style properties and URL schemes."""
    return _CLEANER.clean(html)
