"""The ``{% cache key, ... %}...{% endcache %}`` tag of templates.

A block's text is taken to depend only on its keys, on the page it is on
(``page_path``) and on what every page may show. The tag asks the
:class:`Fragments` the theme is lent (:meth:`okrpub.site.theme.Theme.caching`)
for the block's text; with none lent, it just renders its body. Keeping and
reusing the text is the engine's (:mod:`okrpub.engine.fragments`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Protocol

from jinja2 import nodes
from jinja2.environment import Environment
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context


class Fragments(Protocol):
    """Where the text of ``{% cache %}`` blocks is kept."""

    def fragment(
        self, page: str, block: int, keys: tuple[object, ...], render: Callable[[], str]
    ) -> str:
        """The text of ``block`` on ``page`` for ``keys``: remembered, else ``render()``."""
        ...


class FragmentCacheExtension(Extension):
    """``{% cache key, ... %}body{% endcache %}``: the body's text, reused while the keys,
    the page and the frame are the same."""

    tags = {"cache"}  # noqa: RUF012 (Jinja's own attribute)

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.extend(fragment_cache=None)
        #: Each parsed block's number: a template parsed again gets new ones.
        self._blocks = itertools.count()

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        arguments = [
            nodes.Const(next(self._blocks)),
            nodes.ContextReference(),
            nodes.Tuple(keys, "load"),
        ]
        call = self.call_method("_fragment", arguments)
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(
        self, block: int, context: Context, keys: tuple[object, ...], caller: Callable[[], str]
    ) -> str:
        # Jinja's stubs do not know the attributes extend() adds (see __init__).
        cache: Fragments | None = self.environment.fragment_cache  # type: ignore[attr-defined]
        page = context.get("page_path")
        if cache is None or not isinstance(page, str):
            return caller()
        return cache.fragment(page, block, keys, caller)
