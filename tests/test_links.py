"""Links and inline Markdown (issue #17 item 8).

``links:`` on objectives and key results: http(s) and mailto only, bounded, shown and
exported. Inline Markdown (links, emphasis, code) in titles and notes: rendered and
sanitised where the site shows HTML, plain text wherever a title is text (``<title>``,
feeds, search, the JSON export, labels, breadcrumbs). Hostile input in the style of
tests/test_security_xss.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projecttools import BASE
from sitetools import TODAY, build, main_of, md, parse_html, run_okrpub, write_files

from okrpub.site.markdown import MarkdownRenderer
from okrpub.source.inline import plain_text

GROW = "content/2026-Q4/acme/grow.md"
LEADS = "content/2026-Q4/sales/leads.md"
ATOM = "{http://www.w3.org/2005/Atom}"

#: Links on the objective and a key result; Markdown in titles and a note.
LINKED = md(
    """
    title: Grow the [business](https://acme.example/plan) *fast*
    owner: acme
    type: committed
    links:
      - {title: Plan, url: "https://acme.example/plan"}
      - {title: Ask Jo, url: "mailto:jo@acme.example"}
    key_results:
      - id: revenue
        title: Reach 100 k `revenue`
        start: 0
        target: 100
        links:
          - {title: "Issue #12", url: "https://git.acme.example/issues/12"}
        checkins:
          - date: 2026-11-23
            value: 80
            confidence: 0.8
            note: "See [the deal](https://crm.acme.example/d/1) **now**"
    """
)

#: A team objective under it, whose breadcrumbs show the parent's title.
CHILD = md(
    """
    title: Find more leads
    owner: sales
    parent: grow
    key_results:
      - title: 40 leads
        start: 0
        target: 40
    """
)


def project(root: Path, grow: str = LINKED) -> Path:
    return write_files(root, {**BASE, GROW: grow, LEADS: CHILD})


def exported(site: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((site / "api/okrs.json").read_text(encoding="utf-8"))
    return {o["id"]: o for o in data["objectives"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = project(tmp_path_factory.mktemp("links") / "project")
    out = root.parent / "site"
    result = build(root, out)
    assert result.code == 0, result.out + result.err
    return out


# -- links ----------------------------------------------------------------------------------


def test_links_are_shown_and_exported(site: Path) -> None:
    page = main_of(site / "objectives/grow/index.html")
    header = page.find("header")
    links = header.find("ul", class_="links")
    assert [(a.attrs["href"], a.text) for a in links.find_all("a")] == [
        ("https://acme.example/plan", "Plan"),
        ("mailto:jo@acme.example", "Ask Jo"),
    ]
    card = page.find("li", id="kr-revenue").find("ul", class_="links")
    assert [(a.attrs["href"], a.text) for a in card.find_all("a")] == [
        ("https://git.acme.example/issues/12", "Issue #12")
    ]
    grow = exported(site)["grow"]
    assert grow["links"] == [
        {"title": "Plan", "url": "https://acme.example/plan"},
        {"title": "Ask Jo", "url": "mailto:jo@acme.example"},
    ]
    assert grow["key_results"][0]["links"] == [
        {"title": "Issue #12", "url": "https://git.acme.example/issues/12"}
    ]
    assert exported(site)["leads"]["links"] == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://files.acme.example/",
        "/relative/path",
        "https://acme.example/a b",
        "https://",
    ],
)
def test_a_link_that_is_not_http_or_mailto_is_an_error_at_its_value(
    tmp_path: Path, url: str
) -> None:
    grow = LINKED.replace('"mailto:jo@acme.example"', json.dumps(url))
    checked = run_okrpub(project(tmp_path, grow), "check", "--today", TODAY)
    assert checked.code == 1
    assert (
        f"{GROW}:7:26: error: links[1].url must be an address starting with https://, "
        "http:// or mailto: (such as https://example.org/issues/12); other kinds of link "
        "are not allowed, got "
    ) in checked.out
    assert "[bad-url]" in checked.out


def test_links_are_bounded(tmp_path: Path) -> None:
    many = "".join(
        f'      - {{title: "L{i}", url: "https://acme.example/{i}"}}\n' for i in range(21)
    )
    issue = '      - {title: "Issue #12", url: "https://git.acme.example/issues/12"}\n'
    assert issue in LINKED
    grow = LINKED.replace(issue, many)
    long_title = LINKED.replace("{title: Plan,", "{title: " + "x" * 201 + ",")
    checked = run_okrpub(project(tmp_path / "many", grow), "check", "--today", TODAY)
    assert "key_results[0].links has 21 links; the limit is 20 [limit]" in checked.out
    checked = run_okrpub(project(tmp_path / "long", long_title), "check", "--today", TODAY)
    assert "links[0].title must be at most 200 characters, got 'xxx" in checked.out
    assert "[range]" in checked.out


def test_a_link_needs_a_title_and_a_url_and_nothing_else(tmp_path: Path) -> None:
    grow = LINKED.replace("{title: Plan, url:", "{name: Plan, href:")
    checked = run_okrpub(project(tmp_path, grow), "check", "--today", TODAY)
    assert "unknown key 'links[0].name' in links[0]" in checked.out
    assert "links[0] is missing required key 'title'" in checked.out
    assert "links[0] is missing required key 'url'" in checked.out


def test_the_schemas_describe_links(tmp_path: Path) -> None:
    root = project(tmp_path)
    schema = json.loads(run_okrpub(root, "schema", "objective").out)
    links = schema["properties"]["links"]
    assert links["maxItems"] == 20
    assert links["items"]["required"] == ["title", "url"]
    krs = schema["properties"]["key_results"]["items"]["properties"]
    assert krs["links"]["items"]["properties"]["url"]["maxLength"] == 2000
    okrs = json.loads(run_okrpub(root, "schema", "okrs").out)
    objective = okrs["properties"]["objectives"]["items"]["properties"]
    assert objective["links"]["items"]["required"] == ["title", "url"]


# -- inline Markdown in titles and notes ----------------------------------------------------


def test_markdown_in_a_title_renders_where_the_site_shows_html(site: Path) -> None:
    page = main_of(site / "objectives/grow/index.html")
    heading = page.find("h1")
    (link,) = heading.find_all("a")
    assert (link.attrs["href"], link.text) == ("https://acme.example/plan", "business")
    assert heading.find("em").text == "fast"
    card = page.find("li", id="kr-revenue")
    assert card.find("h3").find("code").text == "revenue"
    note = card.find("td", class_="cell-note")
    assert note.find("a").attrs["href"] == "https://crm.acme.example/d/1"
    assert note.find("strong").text == "now"
    # the latest note on the card, too (it showed the Markdown as text)
    latest = card.find("p", class_="kr-note")
    assert latest.find("a").attrs["href"] == "https://crm.acme.example/d/1"
    assert latest.find("strong").text == "now"


def test_a_title_is_plain_text_wherever_it_is_text(site: Path) -> None:
    plain = "Grow the business fast"
    document = parse_html(site / "objectives/grow/index.html")
    assert document.find("title").text.startswith(plain)
    crumb = main_of(site / "objectives/leads/index.html").find("nav", class_="breadcrumbs")
    assert plain in [a.text for a in crumb.find_all("a")]
    bar = document.find("li", id="kr-revenue").find("span", class_="progress")
    assert bar.attrs["aria-label"] == "Progress of Reach 100 k revenue"
    grow = exported(site)["grow"]
    assert grow["title"] == plain
    assert grow["key_results"][0]["title"] == "Reach 100 k revenue"
    # a note is exported as written, like a body
    assert (
        "[the deal](https://crm.acme.example/d/1)" in grow["key_results"][0]["checkins"][0]["note"]
    )
    titles = (site / "search/titles.js").read_text(encoding="utf-8")
    assert plain in titles and "[business]" not in titles
    feed = ET.parse(site / "feed.xml").getroot()
    (entry,) = [e for e in feed.iter(f"{ATOM}entry") if "revenue" in e.find(f"{ATOM}title").text]
    assert "Reach 100 k revenue" in entry.find(f"{ATOM}title").text
    summary = entry.find(f"{ATOM}summary").text
    assert plain in summary and "See the deal now" in summary and "](" not in summary
    badge = ET.parse(site / "badges/grow.svg").getroot()
    assert badge.find("{http://www.w3.org/2000/svg}title").text.startswith(plain + ":")
    for path in site.rglob("*.html"):
        assert "[business](" not in path.read_text(encoding="utf-8"), path


def test_a_hostile_link_in_a_title_does_not_become_a_link(tmp_path: Path) -> None:
    grow = LINKED.replace(
        "title: Grow the [business](https://acme.example/plan) *fast*",
        'title: "Grow [a](javascript:alert(1)) [b](data:text/html,x) [c](/local) '
        '<img src=x onerror=alert(2)> ![d](https://acme.example/x.png)"',
    )
    root = project(tmp_path / "project", grow)
    assert build(root, tmp_path / "site").code == 0
    heading = main_of(tmp_path / "site/objectives/grow/index.html").find("h1")
    assert [a.attrs.get("href") for a in heading.find_all("a")] == [None]  # [c]: no href
    assert heading.find_all("img") == []
    assert "<img src=x onerror=alert(2)>" in heading.text  # raw HTML stays text
    assert "d" in heading.text  # an image: its description


# -- hostile input under hypothesis -----------------------------------------------------------

PIECES = st.sampled_from(
    [
        "<", ">", "&", '"', "'", "`", "*", "_", "[", "]", "(", ")", "!", "#", "\n", "- ",
        "> ", "1. ", "<script>", "<img src=x onerror=alert(1)>", "javascript:", "data:",
        "vbscript:", "https://ok.example/", "mailto:a@b.example", "&#x6a;", "&#106;",
        "<https://ok.example/\"onmouseover=\"alert(1)>", "x", " ", "\t", "\x00",
    ]
)  # fmt: skip
inline_text = st.lists(PIECES | st.text(max_size=4), max_size=40).map("".join)
#: What inline Markdown may become: nothing of a block, no image, no raw HTML.
INLINE_TAGS = {"a", "em", "strong", "code"}


@settings(max_examples=300, deadline=None)
@given(text=inline_text)
def test_random_inline_markdown_renders_to_harmless_inline_html(text: str) -> None:
    html = MarkdownRenderer.inline(text)
    document = parse_html(f"<html><head></head><body>{html}</body></html>")
    for element in document.find("body").iter():
        if element.tag == "body":
            continue
        assert element.tag in INLINE_TAGS, (text, html)
        assert set(element.attrs) <= {"href", "title", "rel"}, (text, html)
        href = element.attrs.get("href")
        assert href is None or href.startswith(("https://", "http://", "mailto:")), html
    assert "<" not in plain_text(text) or "<" in text


@pytest.mark.parametrize(
    "text",
    ["[" * 20_000 + "x" + "]" * 20_000, "[a](" * 20_000, "*a **b " * 10_000, "`" * 40_000],
    ids=["brackets", "links", "emphasis", "backticks"],
)
def test_very_long_inline_markdown_renders(text: str) -> None:
    assert "<script" not in MarkdownRenderer.inline(text)
    assert len(plain_text(text)) <= len(text)
