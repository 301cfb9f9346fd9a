"""Inline Markdown, the kind titles and notes may hold: links, emphasis and code.

No block (a heading, a list, a quote), no raw HTML (it stays text) and no
image (its text stands for it). :func:`plain_text` is what the Markdown says
as plain text, for wherever a title is text and not HTML: the page's
``<title>``, feeds, the search index, the JSON export, labels. The site
renders the HTML (:meth:`okrpub.site.markdown.MarkdownRenderer.inline`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: The inline rules of markdown-it that are on; every other rule is off.
INLINE_RULES = ["escape", "backticks", "emphasis", "link", "autolink", "entity", "image"]

#: What may start inline Markdown: an escape, code, emphasis, a link or an image, an
#: autolink (``<`` before a ``>``) or an entity (``&lt;``). A text without any is its own
#: plain text, and is read without the parser (most titles and notes).
_MARKUP = re.compile(
    r"[\\`*_\[]|<[^>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def has_markup(text: str) -> bool:
    """Whether ``text`` may hold inline Markdown (else it means itself, as text)."""
    return _MARKUP.search(text) is not None


def inline_parser() -> MarkdownIt:
    """A parser of inline Markdown only (use its ``parseInline`` and ``renderInline``)."""
    from markdown_it import MarkdownIt  # only once a text has markup: ``check`` seldom needs it

    return MarkdownIt("zero").enable(INLINE_RULES)


@cache
def _parser() -> MarkdownIt:
    return inline_parser()


def plain_text(text: str) -> str:
    """``text`` with its inline Markdown taken away: a link's text, code without its
    backticks, an image's description; the text itself when that leaves nothing."""
    if not has_markup(text):
        return text
    (paragraph,) = _parser().parseInline(text)
    plain = _plain(paragraph.children or ()).strip()
    return plain or text


def _plain(tokens: Sequence[Token]) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_plain(token.children or ()))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
