"""Links: every link of every page of the example resolves inside the site (docs/site.md).

All links are relative and name a file (``…/index.html``, never a bare
folder), so the site works under any sub-path, from any static host and from
``file://``. Fragments point at ids that exist. The internal, public and
drafts builds are each checked.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitetools import (
    EXAMPLE_BASE_URL,
    REPOSITORY,
    LinkReport,
    build,
    check_links,
    parse_html,
    tree_of_names,
    write_files,
)


@pytest.fixture(scope="module", params=["internal", "public", "drafts"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "site"
    flags = {"internal": [], "public": ["--public"], "drafts": ["--drafts"]}[request.param]
    result = build(REPOSITORY, out, *flags)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def report(site: Path) -> LinkReport:
    return check_links(site)


def test_every_relative_link_resolves_to_a_file_and_id(report: LinkReport) -> None:
    assert report.problems == []
    assert report.checked > 300


def test_no_absolute_links_in_pages_except_under_base_url(report: LinkReport) -> None:
    """okrpub links to its own pages relatively; absolute links elsewhere are only those the
    content writes (``links:``, Markdown links in titles, notes and bodies)."""
    written = {
        url
        for path in (REPOSITORY / "content").rglob("*.md")
        for url in re.findall(r"https?://[^\s\"'<>)]+", path.read_text(encoding="utf-8"))
    }
    elsewhere = [link for link in report.absolute if not link.startswith(EXAMPLE_BASE_URL)]
    assert set(elsewhere) <= written, set(elsewhere) - written


def test_every_page_is_reachable_from_the_home_page(site: Path) -> None:
    """By links and the search form: no page is an orphan (except 404.html)."""
    pages = {name for name in tree_of_names(site) if name.endswith(".html")}
    seen = {"index.html"}
    queue = deque(["index.html"])
    while queue:
        name = queue.popleft()
        for element in parse_html(site / name).iter():
            href = element.attrs.get("href") or element.attrs.get("action", "")
            path = urlsplit(href).path
            if not path or urlsplit(href).scheme:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
            if target in pages and target not in seen:
                seen.add(target)
                queue.append(target)
    assert pages - seen == {"404.html"}


def test_stylesheet_script_and_feed_are_linked_from_every_page(site: Path) -> None:
    for path in site.rglob("*.html"):
        document = parse_html(path)
        depth = len(path.relative_to(site).parts) - 1
        # 404.html is shown at any depth, so it links absolutely under base_url.
        root = EXAMPLE_BASE_URL if path.name == "404.html" else "../" * depth
        stylesheets = [e.attrs["href"] for e in document.find_all("link", rel="stylesheet")]
        assert stylesheets == [f"{root}static/okrpub.css"]
        assert [e.attrs["src"] for e in document.find_all("script")] == [f"{root}static/okrpub.js"]
        feed = document.find("link", rel="alternate", type="application/atom+xml")
        assert feed.attrs["href"] == f"{root}feed.xml"


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    """The link checker itself: each kind of broken link is reported."""
    bad = [
        "missing.html",
        "sub/",
        "../outside.html",
        "/index.html",
        "//example.com/x",
        "javascript:alert(1)",
        "page.html#nowhere",
        "#nowhere",
    ]
    links = "".join(f'<a href="{href}">x</a>' for href in bad)
    write_files(
        tmp_path,
        {
            "index.html": f'<html><body><main id="m">{links}<a href="page.html#here">ok</a>'
            '<a href="#m">ok</a><a href="https://elsewhere.example/">ok</a></main></body></html>',
            "page.html": '<p id="here">here</p>',
            "sub/index.html": "<p>sub</p>",
        },
    )
    report = check_links(tmp_path)
    assert len(report.problems) == len(bad)
    for href, problem in zip(bad, report.problems, strict=True):
        assert repr(href) in problem
    assert report.absolute == ["https://elsewhere.example/"]
