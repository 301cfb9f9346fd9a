"""The offline search index, and safe HTML: raw HTML and ``javascript:`` links in content.

``search/index.js`` assigns the index to ``window.okrpubSearchIndex`` (a
script, so that it loads from ``file://`` too): rows of ``[kind, title, url,
context, words]`` with urls relative to the site root. Bodies are Markdown;
their raw HTML is escaped (or, with ``unsafe_html: true``, sanitised) and
dangerous URLs are dropped; front-matter strings are always escaped (docs/security.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitetools import Element, build, md, parse_html, write_files

PREFIX = "window.okrpubSearchIndex="


def index_of(site: Path) -> list[list[str]]:
    text = (site / "search" / "index.js").read_text(encoding="utf-8")
    assert text.startswith(PREFIX)
    assert text.endswith(";\n")
    return json.loads(text.removeprefix(PREFIX).removesuffix(";\n"))


@pytest.fixture(scope="module")
def index(example_site: Path) -> list[list[str]]:
    return index_of(example_site)


@pytest.fixture(scope="module")
def data(example_site: Path) -> dict[str, Any]:
    return json.loads((example_site / "api" / "okrs.json").read_text(encoding="utf-8"))


def test_index_rows_have_five_strings(index: list[list[str]]) -> None:
    assert index
    for row in index:
        assert len(row) == 5
        assert all(isinstance(cell, str) for cell in row)


def test_index_has_every_objective_unit_and_page(
    index: list[list[str]], data: dict[str, Any]
) -> None:
    by_kind: dict[str, set[str]] = {}
    for kind, title, _url, _context, _words in index:
        by_kind.setdefault(kind, set()).add(title)
    assert by_kind["objective"] == {o["title"] for o in data["objectives"]}
    assert by_kind["unit"] == {u["name"] for u in data["units"]}
    assert by_kind["page"] == {"How we use OKRs at Smokey Joe's"}
    assert set(by_kind) == {"objective", "unit", "page"}


def test_index_urls_are_relative_and_exist(index: list[list[str]], example_site: Path) -> None:
    for kind, _title, url, _context, _words in index:
        assert not url.startswith(("/", "http")), url
        assert url.endswith("index.html"), url
        assert (example_site / url).is_file(), (kind, url)
    urls = [row[2] for row in index]
    assert len(set(urls)) == len(urls)


def test_index_words_find_key_results_tags_and_bodies(index: list[list[str]]) -> None:
    row = next(r for r in index if r[2] == "objectives/top-3-in-search/index.html")
    assert row[3] == "2026-Q4 · Marketing"
    words = row[4].lower()
    assert "publish 12 buying guides" in words  # a key result's title
    assert "seo" in words  # a tag
    assert "marketing" in words  # the owner
    unit = next(r for r in index if r[2] == "units/warehouse/index.html")
    assert "carriers" in unit[4]  # from the unit's description


def test_suggestions_use_titles_only(example_site: Path, index: list[list[str]]) -> None:
    """The search box loads search/titles.js: the full index without the words."""
    prefix = "window.okrpubSearchTitles="
    text = (example_site / "search" / "titles.js").read_text(encoding="utf-8")
    assert text.startswith(prefix)
    titles = json.loads(text.removeprefix(prefix).removesuffix(";\n"))
    assert titles == [row[:4] for row in index]
    assert len(text) < len((example_site / "search" / "index.js").read_text(encoding="utf-8"))


def test_index_describes_units_in_words(index: list[list[str]]) -> None:
    contexts = {row[2]: row[3] for row in index if row[0] == "unit"}
    assert contexts["units/smokey/index.html"] == "Company"
    assert contexts["units/marketing/index.html"] == "Team · Smokey Joe's"
    assert contexts["units/sam/index.html"] == "Person · Marketing"


def test_index_leaves_out_drafts(index: list[list[str]]) -> None:
    assert not [r for r in index if "christmas-gifts" in r[2]]


# Safe HTML ---------------------------------------------------------------------

NASTY_BODY = """Plain **bold** text.

<script>alert("body script")</script>

<div onclick="alert('div')">raw block</div>

An inline <img src="x" onerror="alert('img')"> image and <b onmouseover="alert(1)">bold</b>.

[a javascript link](javascript:alert('md'))
[a data link](data:text/html;base64,PHNjcmlwdD4=)
[a vbscript link](vbscript:msgbox)
<a href="javascript:alert('raw')">raw javascript link</a>
[a good link](https://example.org/ok)
[mail](mailto:team@example.org)
"""
NASTY_TITLE = "Win <script>alert('title')</script> & \"more\""
NASTY_UNIT = "Acme <i>Evil</i>"


def nasty_project(root: Path, config: str) -> Path:
    return write_files(
        root,
        {
            "okrpub.yaml": config,
            "content/units/acme.md": md(
                f"name: '{NASTY_UNIT}'\nkind: company\n",
                "<iframe src='https://evil.example/'></iframe>Unit text.\n",
            ),
            "content/2026-Q4/nasty.md": md(
                f"""
                title: '{NASTY_TITLE.replace("'", "''")}'
                owner: acme
                period: 2026-Q4
                tags: ['<b>tag</b>']
                key_results:
                  - title: '<img src=x onerror=alert(2)>'
                    target: 10
                    start: 0
                    unit: '<u>'
                    checkins: [{{date: 2026-11-24, value: 5, note: '<script>alert(3)</script>'}}]
                """,
                NASTY_BODY,
            ),
            "content/pages/about.md": md(
                "title: About\n", "<script>alert('page')</script>\n[x](javascript:alert(4))\n"
            ),
        },
    )


def build_nasty(tmp_path_factory: pytest.TempPathFactory, config: str) -> Path:
    project = nasty_project(tmp_path_factory.mktemp("nasty") / "project", config)
    out = project.parent / "site"
    result = build(project, out)
    assert result.code == 0, result.out + result.err
    return out


@pytest.fixture(scope="module")
def escaped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_nasty(tmp_path_factory, "title: Safe\n")


@pytest.fixture(scope="module")
def unsafe_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_nasty(tmp_path_factory, "unsafe_html: true\n")


@pytest.fixture(params=["escaped_site", "unsafe_site"])
def nasty_site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def scripts_and_handlers(document: Element) -> list[str]:
    """Scripts other than the theme's, ``on…`` attributes, iframes and bad URLs."""
    found = []
    for element in document.iter():
        if element.tag == "script" and not element.attrs.get("src", "").endswith("okrpub.js"):
            found.append(f"<script> {element.text!r}")
        if element.tag in ("iframe", "object", "embed", "style"):
            found.append(f"<{element.tag}>")
        for name, value in element.attrs.items():
            if name.startswith("on"):
                found.append(f"{name}= on <{element.tag}>")
            if name in ("href", "src") and value.strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                found.append(f"{name}={value!r}")
    return found


def test_no_script_handler_or_dangerous_url_in_any_page(nasty_site: Path) -> None:
    pages = sorted(nasty_site.rglob("*.html"))
    assert pages
    for page in pages:
        assert scripts_and_handlers(parse_html(page)) == [], page


def test_front_matter_strings_are_escaped(nasty_site: Path) -> None:
    page = nasty_site / "objectives" / "nasty" / "index.html"
    document = parse_html(page)
    assert document.find("h1").text == NASTY_TITLE
    raw = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in raw
    assert "&lt;img src=x onerror=alert(2)&gt;" in raw
    assert "&lt;b&gt;tag&lt;/b&gt;" in raw
    assert not document.find_all("i")  # the unit's name is text, not markup
    assert NASTY_UNIT in document.find("main").text


def test_raw_html_in_bodies_is_escaped_by_default(escaped_site: Path) -> None:
    body = parse_html(escaped_site / "objectives" / "nasty" / "index.html").find(
        "section", aria_labelledby="why-heading"
    )
    assert '<script>alert("body script")</script>' in body.text  # shown as text
    assert body.find("strong").text == "bold"  # Markdown still works
    assert not body.find_all("b")
    assert not body.find_all("img")
    links = {a.text: a.attrs.get("href") for a in body.find_all("a")}
    assert links["a good link"] == "https://example.org/ok"
    assert links["mail"] == "mailto:team@example.org"
    for text in ("a javascript link", "a data link", "a vbscript link"):
        assert links.get(text) is None  # the text stays, the link goes


def test_unsafe_html_keeps_harmless_markup_only(unsafe_site: Path) -> None:
    body = parse_html(unsafe_site / "objectives" / "nasty" / "index.html").find(
        "section", aria_labelledby="why-heading"
    )
    assert body.find("b").text == "bold"
    assert body.find("b").attrs == {}
    assert "alert" not in " ".join(str(e.attrs) for e in body.iter())
    assert "body script" not in body.text


def test_feed_and_json_escape_content(nasty_site: Path) -> None:
    feed = (nasty_site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in feed
    data = json.loads((nasty_site / "api" / "okrs.json").read_text(encoding="utf-8"))
    assert data["objectives"][0]["title"] == NASTY_TITLE


def test_search_index_is_data_not_code(nasty_site: Path) -> None:
    rows = index_of(nasty_site)
    assert NASTY_TITLE in [row[1] for row in rows]
    text = (nasty_site / "search" / "index.js").read_text(encoding="utf-8")
    assert text.count(PREFIX) == 1
