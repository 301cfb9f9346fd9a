"""The ``{% cache %}`` tag of templates (``okrpub/fragments.py``).

A block's text is remembered per page and keys while a renderer lends the
theme its cache (``serve``) and just rendered otherwise (``build``). Model
objects are keys by identity, plain values by value; the cache keeps only
what each page's last render used.
"""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitetools import write_files

from okrpub.config import DEFAULT_THEME
from okrpub.engine.fragments import FragmentCache
from okrpub.site.i18n import load_locale
from okrpub.site.theme import Theme, ThemeError

#: Shows each key's type and value, so a block reused for a key that merely compares
#: equal (``1`` for ``True``, ``0.0`` for ``-0.0``) shows in the output.
KEYS_TEMPLATE = "{% for key in keys %}{% cache key %}{{ describe(key) }};{% endcache %}{% endfor %}"


@dataclass(frozen=True)
class Box:
    """A stand-in for a model object: frozen, compared by value, weakly referable."""

    value: int


class Counting:
    """A theme with ``templates`` (over the default theme); ``describe(key)`` records each
    key whose block body renders."""

    def __init__(self, root: Path, templates: dict[str, str]) -> None:
        folders = [
            write_files(root, {f"templates/{n}": t for n, t in templates.items()}),
            DEFAULT_THEME,
        ]
        self.theme = Theme(folders, load_locale(folders, "en"))
        self.theme.environment.globals["describe"] = self.describe
        self.rendered: list[object] = []

    def describe(self, key: object) -> str:
        self.rendered.append(key)
        return f"{type(key).__name__}:{key}"

    def render(
        self, keys: list[object], page: str = "a/index.html", template: str = "keys.html"
    ) -> str:
        return self.theme.render(template, {"keys": keys, "page_path": page})

    def cached(
        self, fragments: FragmentCache, keys: list[object], page: str = "a/index.html"
    ) -> str:
        with self.theme.caching(fragments):
            return self.render(keys, page)


@pytest.fixture
def counting(tmp_path: Path) -> Counting:
    return Counting(tmp_path / "theme", {"keys.html": KEYS_TEMPLATE})


def test_without_a_cache_a_block_just_renders(counting: Counting) -> None:
    assert counting.render(["x", "x"]) == "str:x;str:x;"
    assert counting.rendered == ["x", "x"]


def test_a_cached_block_renders_once_per_page_and_keys(counting: Counting) -> None:
    fragments = FragmentCache()
    assert counting.cached(fragments, ["x", "y", "x"]) == "str:x;str:y;str:x;"
    assert counting.cached(fragments, ["y", "x"]) == "str:y;str:x;"
    assert counting.rendered == ["x", "y"]
    # links are relative: the same keys on another page are another fragment
    assert counting.cached(fragments, ["x"], page="b/c/index.html") == "str:x;"
    assert counting.rendered == ["x", "y", "x"]


def test_blocks_with_the_same_keys_are_distinct(tmp_path: Path) -> None:
    two = "{% for key in keys %}{% cache key %}one{% endcache %} {% cache key %}two{% endcache %}"
    two += "{% endfor %}"
    counting = Counting(tmp_path / "theme", {"two.html": two})
    with counting.theme.caching(FragmentCache()):
        assert counting.render(["x"], template="two.html") == "one two"


def test_a_page_without_page_path_is_not_cached(counting: Counting) -> None:
    with counting.theme.caching(FragmentCache()):
        for _ in range(2):
            assert counting.theme.render("keys.html", {"keys": ["x"]}) == "str:x;"
    assert counting.rendered == ["x", "x"]


def test_a_cache_tag_without_a_key_is_a_theme_error(tmp_path: Path) -> None:
    counting = Counting(tmp_path / "theme", {"bad.html": "{% cache %}x{% endcache %}"})
    with pytest.raises(ThemeError, match=r"bad\.html:1"):
        counting.render([], template="bad.html")


#: Plain values that compare equal across types or print differently while equal.
PLAIN = st.sampled_from([0, 1, True, False, 0.0, -0.0, 1.0, float("nan"), "", "1", None])
POOL_OF_BOXES = [Box(1), Box(1), Box(2)]  # two equal but different objects


def same_key(a: object, b: object) -> bool:
    """What the cache must treat as the same key: the same object, or a plain value of the
    same type that prints the same."""
    plain = (str, int, float, bool, type(None))
    return a is b or (type(a) is type(b) and type(a) in plain and repr(a) == repr(b))


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Counting:
    """One theme for every example of a hypothesis test."""
    return Counting(tmp_path_factory.mktemp("shared"), {"keys.html": KEYS_TEMPLATE})


@given(
    st.lists(
        st.one_of(PLAIN, st.text(max_size=3), st.integers(-3, 3), st.sampled_from(POOL_OF_BOXES)),
        max_size=12,
    )
)
def test_keys_compare_plain_values_by_value_and_objects_by_identity(
    shared: Counting, keys: list[object]
) -> None:
    shared.rendered.clear()
    assert shared.cached(FragmentCache(), keys) == shared.render(keys)
    first_of_kind = [
        key for index, key in enumerate(keys) if not any(same_key(key, k) for k in keys[:index])
    ]
    assert shared.rendered[: len(first_of_kind)] == first_of_kind


def test_an_equal_but_different_key_object_renders_again(counting: Counting) -> None:
    fragments = FragmentCache()
    first, equal = Box(1), Box(1)
    counting.cached(fragments, [first])
    fragments.sweep(["a/index.html"])
    counting.cached(fragments, [first])
    counting.cached(fragments, [equal])
    assert [key is equal for key in counting.rendered] == [False, True]


def test_a_key_object_keeps_its_id_while_its_fragment_lives(counting: Counting) -> None:
    """The cache holds its key objects: a new object can never take a remembered one's id
    (CPython readily gives a freed object's address to the next one)."""
    fragments = FragmentCache()
    for value in range(20):
        assert counting.cached(fragments, [Box(value)]) == f"Box:Box(value={value});"
        counting.rendered.clear()  # the test's own reference


def test_a_page_keeps_only_the_fragments_its_last_render_used(counting: Counting) -> None:
    fragments = FragmentCache()
    kept, dropped = Box(1), Box(2)
    counting.cached(fragments, [kept, dropped])
    fragments.sweep(["a/index.html", "b/index.html"])
    counting.cached(fragments, [kept])
    counting.cached(fragments, ["other"], page="b/index.html")
    fragments.sweep(["a/index.html", "b/index.html"])
    counting.rendered.clear()
    counting.cached(fragments, [kept, dropped])
    assert counting.rendered == [dropped]


def test_pages_not_rendered_again_keep_their_fragments(counting: Counting) -> None:
    fragments = FragmentCache()
    counting.cached(fragments, ["x"], page="a/index.html")
    fragments.sweep(["a/index.html", "b/index.html"])
    counting.cached(fragments, ["y"], page="b/index.html")
    fragments.sweep(["a/index.html", "b/index.html"])
    counting.cached(fragments, ["x"], page="a/index.html")
    assert counting.rendered == ["x", "y"]


def test_swept_and_cleared_fragments_let_their_keys_go(counting: Counting) -> None:
    """serve runs for hours: a key object no page uses any more is not kept alive."""
    fragments = FragmentCache()
    for forget in (lambda: fragments.sweep([]), fragments.clear):
        box = Box(1)
        counting.cached(fragments, [box])
        alive = weakref.ref(box)
        forget()
        del box
        counting.rendered.clear()
        gc.collect()
        assert alive() is None


#: An outer block around inner ones, as the cascade's subtrees around their rows.
NESTED_TEMPLATE = (
    "{% cache keys[0] %}[{% for key in keys[1:] %}"
    "{% cache key %}{{ describe(key) }};{% endcache %}{% endfor %}]{% endcache %}"
)


def test_a_block_reused_whole_keeps_the_blocks_inside_it(tmp_path: Path) -> None:
    """The inner blocks of an outer block that was reused were not used by that render,
    yet they are kept: when the outer block changes, its unchanged inner ones are reused."""
    counting = Counting(tmp_path / "theme", {"keys.html": NESTED_TEMPLATE})
    fragments = FragmentCache()
    outer, inner = Box(0), [Box(1), Box(2)]
    first = counting.cached(fragments, [outer, *inner])
    fragments.sweep({"a/index.html"})
    assert counting.cached(fragments, [outer, *inner]) == first  # the outer block, whole
    fragments.sweep({"a/index.html"})
    counting.rendered.clear()
    new_outer = Box(0)
    assert counting.cached(fragments, [new_outer, *inner]) == first
    fragments.sweep({"a/index.html"})
    assert counting.rendered == []  # the inner blocks were still there
