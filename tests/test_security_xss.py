"""Hostile content leaves no executable markup in any output file (docs/security.md).

An XSS corpus goes into every string a content file can hold (objective
titles, bodies, tags, key-result titles and units, check-in notes, unit
names and descriptions, free pages), built with and without
``unsafe_html: true``. Every HTML file is parsed: no ``<script>`` but the
theme's own, no ``on…`` attribute, no ``javascript:``, ``vbscript:`` or
``data:`` URL, nothing that loads or runs anything. The JSON, the search
index and the XML feeds must be data and nothing else. Then hypothesis
feeds random Markdown to the renderer and random front matter through the
whole build.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitetools import TODAY, Element, build, parse_html, render_site, tree_of, write_files

from okrpub.config import Config, theme_folders
from okrpub.engine.project import analyse
from okrpub.model.audience import select_audience
from okrpub.model.compute import compute
from okrpub.site.i18n import load_locale
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.theme import Theme
from okrpub.site.write import MARK, MARK_NAME
from okrpub.source.inline import plain_text

#: Strings that try to become markup or code wherever they are put.
PAYLOADS = [
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "<svg onload=alert(4)><script>alert(5)</script></svg>",
    '<svg><a xlink:href="javascript:alert(6)"><text y="20">svg link</text></a></svg>',
    '"><script>alert(7)</script>',
    "' onmouseover='alert(8)' x='",
    '" onfocus="alert(9)" autofocus x="',
    "javascript:alert(10)",
    "&lt;script&gt;alert(11)&lt;/script&gt;",
    "&#x3C;img src=x onerror=alert(12)&#x3E;",
    "&#60;script&#62;alert(13)&#60;/script&#62;",
    "<iframe src=javascript:alert(14)></iframe>",
    '<a href="javascript:alert(15)">raw link</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(16)>",
    "<!--<script>alert(17)</script>-->",
    "]]><script>alert(18)</script><![CDATA[",
    "\u2028\u2029</script><script>alert(19)</script>",
    "{{ 7*7 }}{% if true %}x{% endif %}",
    "${alert(20)}`+alert(21)+`",
]
#: Markdown that tries to make links, images and raw HTML that run code.
MARKDOWN_PAYLOADS = [
    "[a](javascript:alert(30))",
    "[b](JaVaScRiPt:alert(31))",
    "[c](  javascript:alert(32))",
    "[d](java&#x09;script:alert(33))",
    "[e](vbscript:msgbox(34))",
    "[f](data:text/html;base64,PHNjcmlwdD5hbGVydCgzNSk8L3NjcmlwdD4=)",
    "![g](javascript:alert(36))",
    "![h](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMzcpPg==)",
    "[i][ref]\n\n[ref]: javascript:alert(38)",
    "<javascript:alert(39)>",
    '<https://example.org/"onmouseover="alert(40)>',
    "<details open ontoggle=alert(41)>toggle</details>",
    "<object data=javascript:alert(42)></object><embed src=javascript:alert(43)>",
    "<form action=javascript:alert(44)><button>x</button></form>",
    "<base href=javascript:alert(45)//>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(46)'>",
    "<style>@import 'javascript:alert(47)';</style>",
    '<div style="background:url(javascript:alert(48))">styled</div>',
    '<a href="&#106;avascript:alert(49)">entity link</a>',
    '<img src="jav&#x0A;ascript:alert(50)">',
    '<a href="https://ok.example/" onclick="alert(51)">ok link</a>',
    "<svg><use href=\"data:image/svg+xml,<svg id='x' onload='alert(52)'/>#x\"/></svg>",
    '<table><td background="javascript:alert(53)">cell</td></table>',
    "| h |\n|---|\n| <img src=x onerror=alert(54)> |",
    "```\n</code></pre><script>alert(55)</script>\n```",
]

#: Attributes whose value the browser follows, loads or runs.
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "xlink:href",
    "srcset", "cite", "longdesc", "codebase", "manifest", "ping",
}  # fmt: skip
#: Elements that run, load or embed something, or restyle the page.
ACTIVE_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "style", "base", "form",
    "meta", "link", "math", "template", "noscript", "portal",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def _scheme_of(url: str) -> str:
    """The URL as a browser reads its scheme: without whitespace and control characters."""
    return "".join(c for c in url if c > " " and c != "\x7f").lower()


def _the_themes_own(element: Element, head: set[int], path: str) -> bool:
    """The few active elements the theme writes itself."""
    if element.tag in ("meta", "link"):
        return id(element) in head
    if element.tag == "form":
        return "search-form" in element.attrs.get("class", "")
    if element.tag == "noscript":
        return path == "search/index.html"
    return False


def executable_markup(document: Element, path: str) -> list[str]:
    """Everything in ``document`` that could run code or load something it should not."""
    found = []
    head = {id(e) for e in document.find("head").iter()}
    for element in document.iter():
        where = f"{path}: <{element.tag}>"
        if element.tag == "script":
            if element.attrs.get("src", "").endswith("static/okrpub.js") and not element.text:
                continue
            found.append(f"{where} {element.text!r}")
        if element.tag in ACTIVE_ELEMENTS and not _the_themes_own(element, head, path):
            found.append(where)
        for name, value in element.attrs.items():
            if name.startswith("on"):
                found.append(f"{where} {name}={value!r}")
            if name in URL_ATTRIBUTES and _scheme_of(value).startswith(BAD_SCHEMES):
                found.append(f"{where} {name}={value!r}")
            if name == "style" and not _harmless_style(value):
                found.append(f"{where} style={value!r}")
    return found


def _harmless_style(style: str) -> bool:
    """Inline styles okrpub writes: a progress bar's width, a table column's alignment."""
    declarations = [d.strip() for d in style.split(";") if d.strip()]
    return all(
        d.split(":", 1)[0].strip() in ("width", "text-align") and "(" not in d and "\\" not in d
        for d in declarations
    )


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SVG = "{http://www.w3.org/2000/svg}"
#: All a badge is made of: no script, no link, no foreign element.
BADGE_ELEMENTS = {"svg", "title", "rect", "g", "text"}


SEARCH_PREFIXES = {
    "search/index.js": "window.okrpubSearchIndex=",
    "search/titles.js": "window.okrpubSearchTitles=",
}


def assert_no_executable_markup(files: dict[str, bytes]) -> None:
    """Check every file of a site (site path -> bytes)."""
    problems: list[str] = []
    for path, content in sorted(files.items()):
        text = content.decode("utf-8")
        if path.endswith(".html"):
            problems += executable_markup(parse_html(text), path)
        elif path in SEARCH_PREFIXES:
            # data only: one assignment of a JSON literal
            prefix = SEARCH_PREFIXES[path]
            assert text.startswith(prefix) and text.endswith(";\n"), path
            json.loads(text.removeprefix(prefix).removesuffix(";\n"))
        elif path.endswith(".json"):
            json.loads(text)
        elif path in ("feed.xml", "sitemap.xml"):
            namespace = ATOM if path == "feed.xml" else SITEMAP
            for element in ET.fromstring(content).iter():
                assert element.tag.startswith(namespace), (path, element.tag)
                assert not any(name.startswith("on") for name in element.attrib), path
        elif path.startswith("badges/") and path.endswith(".svg"):
            for element in ET.fromstring(content).iter():
                assert element.tag.removeprefix(SVG) in BADGE_ELEMENTS, (path, element.tag)
                assert not any(name.startswith("on") or "href" in name for name in element.attrib)
        elif path.startswith("static/"):
            continue  # the theme's own files, copied unchanged
        elif path == MARK_NAME:
            assert content == MARK, path  # okrpub's mark of a folder it built: fixed text
        elif path == "robots.txt":
            # directives only: what robots may index, and the sitemap's URL
            for line in text.splitlines():
                assert line.split(":")[0] in ("User-agent", "Allow", "Disallow", "Sitemap"), line
        else:
            problems.append(f"{path}: an unexpected file")
    assert not problems, "\n".join(problems)


# -- the corpus in every string ----------------------------------------------------------


def _front_matter(data: dict[str, Any], body: str) -> str:
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    return "---\n" + dumped + "---\n" + body


#: A link ``check`` accepts (http, no white space) that tries to leave its attribute.
HOSTILE_URL = "https://ok.example/\"><script>alert(60)</script>'onmouseover='alert(61)"


def corpus_project(root: Path, unsafe_html: bool) -> Path:
    everything = "\n\n".join([*PAYLOADS, *MARKDOWN_PAYLOADS])
    files: dict[str, str] = {
        "okrpub.yaml": f"title: 'Site <script>alert(90)</script>'\nunsafe_html: {unsafe_html}\n"
        "default_visibility: public\n",
        "content/units/acme.md": _front_matter(
            {"name": PAYLOADS[2], "kind": "company"}, everything
        ),
        "content/pages/about.md": _front_matter({"title": PAYLOADS[5]}, everything),
    }
    for index, payload in enumerate(PAYLOADS):
        files[f"content/units/team-{index}.md"] = _front_matter(
            {"name": payload, "kind": "team", "parent": "acme"}, payload
        )
        files[f"content/pages/page-{index}.md"] = _front_matter({"title": payload}, payload)
        files[f"content/2026-Q4/objective-{index}.md"] = _front_matter(
            {
                "title": payload,
                "owner": f"team-{index}",
                "period": "2026-Q4",
                "parent": "objective-0" if index else None,
                "tags": [payload, "plain"],
                "links": [{"title": payload, "url": HOSTILE_URL}],
                "key_results": [
                    {
                        "id": "numeric",
                        "title": payload,
                        "start": 0,
                        "target": 10,
                        "unit": payload,
                        "health": "at_risk",
                        "health_note": payload,
                        "links": [{"title": payload, "url": HOSTILE_URL}],
                        "checkins": [
                            {"date": "2026-11-20", "value": 4, "note": payload},
                            {"date": "2026-11-24", "value": 6, "confidence": 0.5, "note": payload},
                        ],
                    },
                    {
                        "id": "binary",
                        "title": payload,
                        "done": False,
                        "checkins": [{"date": "2026-11-24", "value": True, "note": payload}],
                    },
                ],
            },
            everything,
        )
        if not index:
            text = files["content/2026-Q4/objective-0.md"]
            files["content/2026-Q4/objective-0.md"] = text.replace("parent: null\n", "")
    for index, payload in enumerate(MARKDOWN_PAYLOADS):
        files[f"content/pages/markdown-{index}.md"] = _front_matter(
            {"title": f"Markdown {index}"}, payload
        )
    return write_files(root, files)


@pytest.fixture(scope="module", params=[False, True], ids=["escaped", "unsafe_html"])
def corpus_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = corpus_project(tmp_path_factory.mktemp("xss") / "project", request.param)
    out = project.parent / "site"
    result = build(project, out)
    assert result.code == 0, result.out + result.err
    return out


def test_the_corpus_leaves_no_executable_markup(corpus_site: Path) -> None:
    files = tree_of(corpus_site)
    assert len([p for p in files if p.startswith("objectives/")]) == len(PAYLOADS)
    assert_no_executable_markup(files)


def test_the_corpus_is_shown_as_text(corpus_site: Path) -> None:
    """Escaping keeps every payload readable: the title is the very string written, or where
    it is inline Markdown (an entity such as ``&lt;``, a code span) what that says as text."""
    for index, payload in enumerate(PAYLOADS):
        page = parse_html(corpus_site / "objectives" / f"objective-{index}" / "index.html")
        assert page.find("h1").text == plain_text(payload.strip())
        assert page.find("title").text.startswith(plain_text(payload.strip()))
    assert plain_text(PAYLOADS[9]) == "<script>alert(11)</script>"  # text, never markup
    data = json.loads((corpus_site / "api" / "okrs.json").read_bytes())
    titles = {o["id"]: o["title"] for o in data["objectives"]}
    assert titles == {f"objective-{i}": plain_text(p.strip()) for i, p in enumerate(PAYLOADS)}
    notes = [
        c["note"] for o in data["objectives"] for kr in o["key_results"] for c in kr["checkins"]
    ]
    assert set(notes) == {p.strip() for p in PAYLOADS}
    for index, payload in enumerate(PAYLOADS):
        badge = ET.parse(corpus_site / "badges" / f"objective-{index}.svg").getroot()
        assert badge.find(f"{SVG}title").text.startswith(f"{plain_text(payload.strip())}: ")
    feed = ET.parse(corpus_site / "feed.xml").getroot()
    summaries = " ".join(e.text or "" for e in feed.iter(f"{ATOM}summary"))
    assert PAYLOADS[1] in summaries  # a check-in note, as text


def test_the_checker_finds_executable_markup() -> None:
    """The checker above is not blind: each of these must be reported."""
    bad = [
        "<p><script>alert(1)</script></p>",
        '<p><img src="x" onerror="alert(1)"></p>',
        '<p><a href=" JaVa\tScript:alert(1)">x</a></p>',
        '<p><a href="data:text/html,x">x</a></p>',
        '<p><svg><a xlink:href="javascript:alert(1)">x</a></svg></p>',
        "<p><iframe src=x></iframe></p>",
        '<p><span style="background:url(x)">x</span></p>',
    ]
    for html in bad:
        page = f"<html><head></head><body>{html}</body></html>"
        assert executable_markup(parse_html(page), "x.html"), html


# -- the renderer under hypothesis ----------------------------------------------------------

MARKUP = st.sampled_from(
    [
        "<", ">", "&", '"', "'", "`", "*", "_", "[", "]", "(", ")", "!", "#", "|", ":", "\n",
        "\n\n", "    ", "- ", "> ", "1. ", "```", "<script>", "</script>", "<img ", "<svg ",
        "<a ", "href=", "src=", "onerror=", "onload=", "javascript:", "vbscript:", "data:",
        "&#x6a;", "&#106;", "&lt;", "&gt;", "&#x3C;", "<!--", "-->", "<![CDATA[", "]]>",
        "alert(1)", "x", " ", "\t", "\x00", "\u2028",
    ]
)  # fmt: skip
markdown_text = st.lists(MARKUP | st.text(max_size=4), max_size=60).map("".join)


def _renderers() -> dict[bool, MarkdownRenderer]:
    return {unsafe: MarkdownRenderer(unsafe_html=unsafe) for unsafe in (False, True)}


RENDERERS = _renderers()


@settings(max_examples=400, deadline=None)
@given(text=markdown_text, unsafe=st.booleans())
def test_random_markdown_renders_to_harmless_html(text: str, unsafe: bool) -> None:
    html = RENDERERS[unsafe].render(text)
    document = parse_html(f"<html><head></head><body>{html}</body></html>")
    assert executable_markup(document, "body.html") == []


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000 + "x" + "]" * 20_000,  # quadratic bracket matching in some parsers
        "[a](" * 20_000,
        "\n".join("  " * depth + "- x" for depth in range(2_000)),  # deep lists
        "a\n: b\n" * 5_000,  # a long definition list (recursion in some parsers)
        "> " * 5_000 + "x",
        "\n".join(">" * depth for depth in range(1, 1_000)),
        "*a **b " * 10_000,
        "<div>" * 10_000,
    ],
    ids=["brackets", "links", "lists", "definitions", "quotes", "quote-lines", "emphasis", "divs"],
)
def test_pathological_markdown_renders(text: str) -> None:
    for renderer in RENDERERS.values():
        html = renderer.render(text)
        assert "<script" not in html


# -- random front matter through the whole build ----------------------------------------------

strings = st.one_of(
    st.sampled_from(PAYLOADS + MARKDOWN_PAYLOADS),
    st.lists(MARKUP, min_size=1, max_size=8).map("".join),
    st.text(min_size=1, max_size=20),
)


@st.composite
def hostile_objectives(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    key_result: dict[str, Any] = {"title": draw(strings), "unit": draw(strings)}
    if draw(st.booleans()):
        key_result["start"] = 0
        key_result["target"] = draw(st.integers(1, 100))
    else:
        key_result["done"] = draw(st.booleans())
    key_result["checkins"] = [
        {"date": "2026-11-24", "note": draw(strings)} for _ in range(draw(st.integers(0, 2)))
    ]
    data = {
        "title": draw(strings),
        "owner": "acme",
        "period": "2026-Q4",
        "tags": draw(st.lists(strings, max_size=3)),
        "key_results": [key_result],
    }
    return data, draw(markdown_text)


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(
        tmp_path_factory.mktemp("fuzz-xss"),
        {"content/units/acme.md": "---\nname: Acme\nkind: company\nvisibility: public\n---\n"},
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objective=hostile_objectives(), unit=strings, unsafe=st.booleans(), public=st.booleans())
def test_random_hostile_content_builds_to_harmless_files(
    fuzz_project: Path,
    objective: tuple[dict[str, Any], str],
    unit: str,
    unsafe: bool,
    public: bool,
) -> None:
    data, body = objective
    objective_file = fuzz_project / "content" / "2026-Q4" / "fuzz.md"
    unit_file = fuzz_project / "content" / "units" / "team.md"
    objective_file.parent.mkdir(parents=True, exist_ok=True)
    objective_file.write_text(_front_matter(data, body), encoding="utf-8", errors="surrogatepass")
    unit_file.write_text(
        _front_matter({"name": unit, "kind": "team", "parent": "acme"}, body),
        encoding="utf-8",
        errors="surrogatepass",
    )
    config = Config(unsafe_html=unsafe, default_visibility="public")
    analysis = analyse(fuzz_project, config, dt.date.fromisoformat(TODAY))
    if analysis.diagnostics.has_errors():
        return  # reported, not built: the loader's own fuzz tests check the diagnostics
    model = compute(
        select_audience(analysis.resolved, public=public, drafts=False),
        config,
        dt.date.fromisoformat(TODAY),
    )
    folders = theme_folders(fuzz_project, None)
    files = render_site(model, Theme(folders, load_locale(folders, "en")), "")
    assert_no_executable_markup(dict(files))


def test_control_characters_keep_the_feed_well_formed(tmp_path: Path) -> None:
    """XML forbids most control characters even escaped; the feed leaves them out."""
    project = write_files(
        tmp_path / "project",
        {
            "content/units/acme.md": "---\nname: Acme\nkind: company\n---\n",
            "content/2026-Q4/x.md": _front_matter(
                {
                    "title": "Bell \x07 and escape \x1b",
                    "owner": "acme",
                    "period": "2026-Q4",
                    "key_results": [
                        {
                            "title": "Form \x0c feed",
                            "start": 0,
                            "target": 5,
                            "checkins": [{"date": "2026-11-24", "value": 1, "note": "nul\x01"}],
                        }
                    ],
                },
                "",
            ),
        },
    )
    assert build(project, tmp_path / "site").code == 0
    feed = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    entry = next(feed.iter(f"{ATOM}entry"))
    assert entry.find(f"{ATOM}title").text == "Form  feed: 1"
    assert entry.find(f"{ATOM}summary").text == "Objective: Bell  and escape  · nul"
