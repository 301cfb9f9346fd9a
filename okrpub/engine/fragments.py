"""Fragment caching: ``{% cache key, ... %}...{% endcache %}`` in templates.

``serve`` renders a period page again whenever one of its thousands of
objectives changed. The tag lets it reuse the text of every tree row and
table row whose keys are unchanged (after the ``FragmentCacheExtension``
example of the Jinja documentation).

A block's text is taken to depend only on its keys, on the page it is on
(``page_path``: links are relative) and on the *frame*, what every page may
show (configuration, date, units, periods, free pages, the theme and its
language). The renderer empties the cache when the frame changed; each
:class:`~okrpub.engine.renderer.SiteRenderer` has its own cache, and a new theme means
a new renderer.

Model objects are compared by identity: unchanged objectives and rollups are
the very same objects from one rebuild to the next (``renderer._reuse_unchanged``),
and comparing deep frozen dataclasses would cost what rendering saves. The
cache keeps a reference to every key object, so an id is never reused while
an entry holds it. ``str``, ``int``, ``float``, ``bool`` and ``None`` are
compared by value (and type: ``1`` and ``True`` print differently).

The tag itself is the theme's (:mod:`okrpub.site.cachetag`); it caches only
while a renderer lends its cache to the theme
(:meth:`okrpub.site.theme.Theme.caching`, ``serve``); otherwise (``build``) it
just renders its body.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from typing import NamedTuple

#: Key types compared by value and type (a ``str`` or ``None`` stands for itself: no id or
#: tuple equals one).
_BY_VALUE = (int, float, bool)


class _Fragment(NamedTuple):
    #: The key objects, held so that their ids stay theirs while the entry lives.
    keys: tuple[object, ...]
    #: As the body gave it: markup under autoescaping, so that it is not escaped again.
    text: str
    #: The lookups of the fragments its body used: reusing it uses them too.
    inner: tuple[Hashable, ...]


#: A page's fragments by block and keys.
_Fragments = dict[Hashable, _Fragment]


class FragmentCache:
    """The fragments of each page's last render.

    An entry lives while the page that used it still uses it: rendering a
    page again keeps only the fragments that render used, and :meth:`sweep`
    drops the pages the site no longer has. Pages that were not rendered
    again keep theirs, for the next edit that touches them.
    """

    def __init__(self) -> None:
        self._pages: dict[str, _Fragments] = {}
        #: The pages rendered since the last sweep: the fragments they used, and their
        #: fragments before.
        self._rendering: dict[str, tuple[_Fragments, _Fragments]] = {}
        #: For each block being rendered, outermost first, the lookups its body used.
        self._open: list[list[Hashable]] = []
        #: How many blocks were rendered rather than reused, ever.
        self.rendered = 0

    def fragment(
        self, page: str, block: int, keys: tuple[object, ...], render: Callable[[], str]
    ) -> str:
        """The text of ``block`` on ``page`` for ``keys``: remembered, else rendered.

        Blocks may nest (a subtree of the cascade and its rows): a block reused
        whole keeps the blocks inside it too, for when it is rendered again.
        """
        used, before = self._rendering.get(page) or self._start(page)
        lookup = (block, *map(_lookup_key, keys))
        found = used.get(lookup)
        if found is None:
            found = before.get(lookup)
            if found is None:
                found = self._render(keys, render)
            else:
                _keep_inner(found, used, before)
            used[lookup] = found
        if self._open:
            self._open[-1].append(lookup)
        return found.text

    def _render(self, keys: tuple[object, ...], render: Callable[[], str]) -> _Fragment:
        self.rendered += 1
        self._open.append([])
        try:
            text = render()
        finally:
            inner = self._open.pop()
        return _Fragment(keys, text, tuple(inner))

    def _start(self, page: str) -> tuple[_Fragments, _Fragments]:
        started = self._rendering[page] = ({}, self._pages.get(page, {}))
        return started

    def sweep(self, pages: Collection[str]) -> None:
        """End a rebuild of a site whose pages are ``pages``: keep what was used."""
        for page, (used, _) in self._rendering.items():
            self._pages[page] = used
        self._rendering = {}
        self._pages = {page: used for page, used in self._pages.items() if page in pages}

    def clear(self) -> None:
        """Forget everything: what every page may show changed."""
        self._pages = {}
        self._rendering = {}


def _keep_inner(fragment: _Fragment, used: _Fragments, before: _Fragments) -> None:
    """Count the fragments inside a reused one as used (and those inside them)."""
    for lookup in fragment.inner:
        if lookup not in used and (inner := before.get(lookup)) is not None:
            used[lookup] = inner
            _keep_inner(inner, used, before)


def _lookup_key(key: object) -> Hashable:
    """What stands for ``key`` in a lookup: its value for plain values, else its id."""
    kind = type(key)
    if kind is str or key is None:
        return key
    if kind is float:
        return (kind, repr(key))  # 0.0 and -0.0 are equal but print differently
    if kind in _BY_VALUE:
        return (kind, key)
    return id(key)
