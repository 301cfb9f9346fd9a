"""Helpers for the tests of ``okrpub build`` (``tests/test_site_*.py``).

``run_okrpub(project, *args)`` runs the command line in-process inside
``project`` (changing the working folder with ``os.chdir`` and restoring it)
and returns its exit status and output. ``parse_html`` turns a page into a
small element tree with the standard library's ``html.parser``, so that tests
can ask about structure (this link is inside that list item) instead of
matching text with regular expressions.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from okrpub.cli.main import main
from okrpub.engine import build as build_module
from okrpub.engine import workers
from okrpub.engine.renderer import SiteRenderer
from okrpub.engine.sitefiles import SiteFiles
from okrpub.model.types import Model
from okrpub.site.theme import Theme
from okrpub.site.write import SiteFolder

#: The date every build runs on unless a test says otherwise (a Thursday in 2026-Q4).
TODAY = "2026-11-26"
#: The repository, whose ``content/`` and ``okrpub.yaml`` are the example project.
REPOSITORY = Path(__file__).resolve().parent.parent
#: ``base_url`` of the example's ``okrpub.yaml``.
EXAMPLE_BASE_URL = "https://okr.smokeyjoes.example/"

# Elements that never have content or an end tag.
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass(frozen=True)
class Run:
    """The outcome of one in-process command."""

    code: int
    out: str
    err: str


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Run the body with ``folder`` as the working folder, then go back."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def run_okrpub(project: Path, *args: str) -> Run:
    """``okrpub ARGS`` run in ``project``; its exit status, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    with inside(project), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


def calls_from_now_on(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    noted: Callable[..., object] = lambda first, *rest: first,
) -> list[Any]:
    """From now on, for each call of ``owner.name``, what ``noted`` takes from its
    arguments: by default the first (``self`` of a method)."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def spy(*arguments: Any, **options: Any) -> Any:
        calls.append(noted(*arguments))
        return original(*arguments, **options)

    monkeypatch.setattr(owner, name, spy)
    return calls


def build(project: Path, out: Path, *args: str, today: str | None = TODAY) -> Run:
    """``okrpub build --out OUT [--today TODAY] ARGS`` in ``project``."""
    dated = ["--today", today] if today is not None else []
    return run_okrpub(project, "build", "--out", str(out), *dated, *args)


def md(front_matter: str, body: str = "") -> str:
    """A Markdown file: ``---``, the dedented YAML, ``---``, the body.

    Line *n* of the YAML is line *n* + 1 of the file.
    """
    return "---\n" + textwrap.dedent(front_matter).strip("\n") + "\n---\n" + body


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """Write ``files`` (path relative to ``root`` -> text or bytes; ``None``: no file)."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        if content is None:
            continue
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def tree_of_names(folder: Path) -> list[str]:
    """The POSIX paths of every file under ``folder``, relative to it, sorted."""
    return [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()]


def tree_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its POSIX path relative to it, with its bytes."""
    return {name: (folder / name).read_bytes() for name in tree_of_names(folder)}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = field(default=None, repr=False)
    children: list[Element | str] = field(default_factory=list, repr=False)

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with this tag (any if ``None``) and these attributes.

        ``class_`` matches one of the space-separated classes; other attributes
        must be equal (``aria_label`` stands for ``aria-label``).
        """
        return [e for e in self.iter() if (tag is None or e.tag == tag) and e.matches(attrs)]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        """The first element that :meth:`find_all` finds; fails the test if there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs} in <{self.tag} {self.attrs}>"
        return found[0]

    def matches(self, attrs: Mapping[str, str]) -> bool:
        for name, wanted in attrs.items():
            if name == "class_":
                if wanted not in self.attrs.get("class", "").split():
                    return False
            elif self.attrs.get(name.replace("_", "-")) != wanted:
                return False
        return True

    @property
    def text(self) -> str:
        """The text inside, with runs of white space as one space."""
        return " ".join(self.raw_text().split())

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    def ancestors(self) -> Iterator[Element]:
        element = self.parent
        while element is not None:
            yield element
            element = element.parent

    def closest(self, tag: str) -> Element:
        """The nearest enclosing element with this tag."""
        for element in self.ancestors():
            if element.tag == tag:
                return element
        raise AssertionError(f"<{self.tag}> is not inside a <{tag}>")

    def hrefs(self) -> list[str]:
        return [a.attrs["href"] for a in self.find_all("a") if "href" in a.attrs]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        element: Element | None = self.current
        while element is not None and element.tag != tag:
            element = element.parent
        if element is None or element.parent is None:
            self.errors.append(f"stray </{tag}>")
            return
        if element is not self.current:
            self.errors.append(f"</{tag}> closes <{self.current.tag}>")
        self.current = element.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(source: str | bytes | Path) -> Element:
    """The element tree of an HTML document; fails the test on unbalanced tags."""
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    assert not builder.errors, builder.errors
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    return builder.root


def main_of(page: Path) -> Element:
    """The ``<main>`` element of a built page."""
    return parse_html(page).find("main")


#: Attributes whose value is a URL the browser follows or loads.
LINK_ATTRIBUTES = ("href", "src", "action", "data-index")
#: Attributes whose value is a list of ids on the same page.
ID_REFERENCE_ATTRIBUTES = ("aria-labelledby", "aria-describedby", "aria-controls", "for")


@dataclass(frozen=True)
class LinkReport:
    """What :func:`check_links` found in a built site."""

    problems: list[str]
    absolute: list[str]
    checked: int


def ids_of(document: Element) -> list[str]:
    return [e.attrs["id"] for e in document.iter() if "id" in e.attrs]


def check_links(site: Path) -> LinkReport:
    """Check every link of every HTML page of ``site``.

    A relative link must name a file of the site (not a folder, so the site
    works from ``file://``) without climbing out of it, and a ``#fragment``
    must be an id of the page it points to. Absolute ``http(s)`` links are
    collected, not judged; any other scheme, ``//host`` or ``/path`` link is
    a problem.
    """
    files = set(tree_of_names(site))
    documents = {name: parse_html(site / name) for name in sorted(files) if name.endswith(".html")}
    ids = {name: set(ids_of(document)) for name, document in documents.items()}
    problems: list[str] = []
    absolute: list[str] = []
    checked = 0
    for name, document in documents.items():
        page_ids = ids_of(document)
        duplicates = sorted({i for i in page_ids if page_ids.count(i) > 1})
        if duplicates:
            problems.append(f"{name}: duplicate ids {duplicates}")
        for element in document.iter():
            for attribute in ID_REFERENCE_ATTRIBUTES:
                for wanted in element.attrs.get(attribute, "").split():
                    if wanted not in ids[name]:
                        problems.append(f"{name}: {attribute}={wanted!r} names no id")
            for attribute in LINK_ATTRIBUTES:
                if attribute in element.attrs:
                    checked += 1
                    link = element.attrs[attribute]
                    problem = _link_problem(name, link, files, ids, absolute)
                    if problem:
                        problems.append(f"{name}: {attribute}={link!r}: {problem}")
    return LinkReport(problems, absolute, checked)


def _link_problem(
    page: str, link: str, files: set[str], ids: dict[str, set[str]], absolute: list[str]
) -> str | None:
    parts = urlsplit(link)
    if parts.scheme in ("http", "https") and parts.netloc:
        absolute.append(link)
        return None
    if parts.scheme == "mailto":
        return None
    if parts.scheme or parts.netloc:
        return "not a relative link"
    if parts.path.startswith("/"):
        return "a root-relative link breaks under a sub-path and from file://"
    if not parts.path:
        if parts.fragment and parts.fragment not in ids[page]:
            return "no such id on this page"
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target == ".." or target.startswith("../"):
        return "leaves the site"
    if parts.path.endswith("/") or target not in files:
        return f"{target} is not a file of the site"
    if parts.fragment and target in ids and parts.fragment not in ids[target]:
        return f"{target} has no id {parts.fragment!r}"
    return None


#: The smallest clean project: a company with one objective of three key results.
SMALL_PROJECT = {
    "content/units/acme.md": md("name: Acme\nkind: company\n", "We make things.\n"),
    "content/2026-Q4/grow.md": md(
        """
        title: Grow
        owner: acme
        period: 2026-Q4
        key_results:
          - {title: One, start: 0, target: 10,
             checkins: [{date: 2026-11-24, value: 7, confidence: 0.8}]}
          - {title: Two, start: 0, target: 10,
             checkins: [{date: 2026-11-24, value: 7, confidence: 0.8}]}
          - {title: Three, done: true}
        """
    ),
}


def render_site(model: Model, theme: Theme, base_url: str) -> SiteFiles:
    """Every file of the site of ``model``, rendered in memory."""
    return SiteRenderer(theme, base_url, unsafe_html=model.config.unsafe_html).render(model)


def write_site(files: Mapping[str, bytes], output: Path) -> None:
    """Replace ``output`` with exactly ``files`` (site path → content), as ``build`` does."""
    folder = SiteFolder(output)
    try:
        for path, content in files.items():
            folder.add(path, content)
        folder.publish()
    except BaseException:
        folder.discard()
        raise


def render_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on builds render their pages in two worker processes, however few there are."""
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(build_module, "usable_cores", lambda: 2)
