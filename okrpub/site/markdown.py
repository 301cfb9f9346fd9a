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

from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.deflist import deflist_plugin

from okrpub.source.checks import URL
from okrpub.source.inline import has_markup, inline_parser, plain_text

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

    @staticmethod
    def inline(text: str) -> Markup:
        """A title or note as HTML: its inline Markdown (links, emphasis, code) only,
        never raw HTML (not even with ``unsafe_html``), sanitised like a body."""
        if not has_markup(text):
            return escape(text)
        return Markup(_INLINE_CLEANER.clean(_INLINE.renderInline(text)))


def _image_as_text(
    renderer: object, tokens: Sequence[Token], index: int, options: object, env: object
) -> str:
    """An image in a title or note: its description, as text (a render rule of markdown-it,
    which passes the renderer first)."""
    return str(escape(plain_text(tokens[index].content)))


_INLINE = inline_parser()
_INLINE.add_render_rule("image", _image_as_text)


#: The allow-list, made once: handing it to ``nh3.clean`` made it again for every body.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    clean_content_tags={"script", "style"},
    link_rel="noopener noreferrer",
    filter_style_properties=_STYLE_PROPERTIES,
)


def _absolute_only(element: str, attribute: str, value: str) -> str | None:
    """A link of a title or note goes to an http(s) or mailto URL, like ``links:``; it
    is shown on many pages, where a relative one would lead somewhere else on each."""
    return None if attribute == "href" and not URL.match(value) else value


#: The allow-list of inline Markdown: what links, emphasis and code make.
_INLINE_CLEANER = nh3.Cleaner(
    tags={"a", "em", "strong", "code"},
    attributes={"a": {"href", "title"}},
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer",
    attribute_filter=_absolute_only,
)


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes, style properties and URL schemes."""
    return _CLEANER.clean(html)
