"""Publishing essentials (issue #18, items 8, 9 and 11): each page's description,
OpenGraph tags and canonical URL; ``robots.txt``, ``noindex`` and the sitemap by
audience; free pages in the header or footer; an optional status page; the logo,
primary colour, footer text and links of ``okrpub.yaml``; a project style sheet that
extends the default one; units in the singular and numbers in the language's format."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from publishtools import BASE_URL, LOGO, PRIMARY, PROJECT
from sitetools import REPOSITORY, build, check_links, md, parse_html, run_okrpub, tree_of_names

from okrpub.config import DEFAULT_THEME
from okrpub.site.brand import contrast, text_colour
from okrpub.site.i18n import load_locale

MakeProject = Callable[..., Path]


def built(make_project: MakeProject, out: Path, *args: str, **files: str | bytes) -> Path:
    """``out``, where the publishing project (with ``files`` changed) is built."""
    project = make_project({**PROJECT, **files}, base=False)
    result = build(project, out, *args)
    assert result.code == 0, result.out + result.err
    return out


def head_of(page: Path) -> dict[str, str]:
    """The page's ``<meta>`` contents by name or property, and its canonical link."""
    document = parse_html(page)
    found = {
        meta.attrs.get("name") or meta.attrs.get("property", ""): meta.attrs.get("content", "")
        for meta in document.find_all("meta")
    }
    for link in document.find_all("link", rel="canonical"):
        found["canonical"] = link.attrs["href"]
    return found


@pytest.fixture
def site(make_project: MakeProject, tmp_path: Path) -> Path:
    return built(make_project, tmp_path / "site", "--public")


# -- the head: description, OpenGraph, canonical URL ------------------------------------------


def test_every_page_has_a_description_opengraph_tags_and_a_canonical_url(site: Path) -> None:
    pages = [p for p in tree_of_names(site) if p.endswith(".html") and p != "404.html"]
    assert len(pages) > 10
    for path in pages:
        head = head_of(site / path)
        assert 20 <= len(head["description"]) <= 160, (path, head["description"])
        assert head["og:description"] == head["description"]
        url = BASE_URL + path.removesuffix("index.html")
        assert head["canonical"] == head["og:url"] == url, path
        title = parse_html(site / path).find("title").text
        assert head["og:title"] == title.removesuffix(" · Town of Example"), path
        assert head["og:site_name"] == "Town of Example"
        assert head["og:type"] in ("website", "article")
        assert head["og:locale"] == "en_US"
    assert "canonical" not in head_of(site / "404.html")


def test_a_description_is_the_first_paragraph_of_the_page_escaped(site: Path) -> None:
    objective = site / "objectives" / "clean-streets" / "index.html"
    description = 'Residents told us the streets are "not clean enough" <em>& we listen</em>.'
    assert head_of(objective)["description"] == description
    raw = objective.read_text(encoding="utf-8")
    assert "&#34;not clean enough&#34; &lt;em&gt;&amp; we listen&lt;/em&gt;." in raw
    unit = head_of(site / "units" / "town" / "index.html")
    assert unit["description"] == "The town's services for its 12,000 residents."
    privacy = head_of(site / "pages" / "privacy" / "index.html")
    assert privacy["description"] == "We keep no data about visitors."
    roads = head_of(site / "objectives" / "fix-roads" / "index.html")
    assert roads["description"] == (
        "Fix the roads: an objective of Roads for 2026-Q4, with its key results and how they "
        "are going."
    )
    assert head_of(objective)["og:type"] == "article"


def test_a_long_description_is_cut_at_a_word(make_project: MakeProject, tmp_path: Path) -> None:
    page = md("title: Long\n", "word " * 100 + "\n")
    site = built(make_project, tmp_path / "site", **{"content/pages/long.md": page})
    description = head_of(site / "pages" / "long" / "index.html")["description"]
    assert len(description) <= 160
    assert description.endswith("word…")


@pytest.mark.parametrize("base_url", ["", "/okrs/"])
def test_without_an_absolute_base_url_there_is_no_canonical_url(
    make_project: MakeProject, tmp_path: Path, base_url: str
) -> None:
    site = built(make_project, tmp_path / "site", "--base-url", base_url)
    head = head_of(site / "index.html")
    assert "canonical" not in head and "og:url" not in head
    assert head["og:title"] == "Overview"


# -- robots.txt, noindex and the sitemap ------------------------------------------------------


def test_an_internal_build_asks_robots_to_stay_out(
    make_project: MakeProject, tmp_path: Path
) -> None:
    site = built(make_project, tmp_path / "site")
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    assert not (site / "sitemap.xml").exists()
    for path in ("index.html", "objectives/clean-streets/index.html", "404.html"):
        assert head_of(site / path)["robots"] == "noindex", path


def test_a_public_build_may_be_indexed_and_names_its_sitemap(site: Path) -> None:
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert robots == f"User-agent: *\nAllow: /\nSitemap: {BASE_URL}sitemap.xml\n"
    assert (site / "sitemap.xml").is_file()
    for path in ("index.html", "objectives/clean-streets/index.html"):
        assert "robots" not in head_of(site / path), path


@pytest.mark.parametrize(
    ("setting", "public", "sitemap"),
    [("true", False, True), ("false", True, False)],
    ids=["internal-with-sitemap", "public-without-sitemap"],
)
def test_the_sitemap_can_be_configured(
    make_project: MakeProject, tmp_path: Path, setting: str, public: bool, sitemap: bool
) -> None:
    config = PROJECT["okrpub.yaml"] + f"sitemap: {setting}\n"
    args = ["--public"] if public else []
    site = built(make_project, tmp_path / "site", *args, **{"okrpub.yaml": config})
    assert (site / "sitemap.xml").exists() == sitemap
    assert ("Sitemap:" in (site / "robots.txt").read_text(encoding="utf-8")) == (sitemap and public)


# -- free pages in the header and the footer --------------------------------------------------


def nav_links(page: Path, selector: str) -> list[tuple[str, str]]:
    document = parse_html(page)
    if selector == "header":
        links = document.find("nav", **{"class": "site-nav"}).find_all("a")
    else:
        links = document.find("footer").find("nav").find_all("a")
    return [(link.text, link.attrs["href"]) for link in links]


def test_free_pages_are_linked_from_the_header_or_the_footer_in_order(site: Path) -> None:
    header = nav_links(site / "index.html", "header")
    assert header[-1] == ("About", "pages/about/index.html")
    assert not any("privacy" in href or "notes" in href for _, href in header)
    footer = nav_links(site / "index.html", "footer")
    assert footer == [
        ("Accessibility statement", "pages/accessibility/index.html"),
        ("Privacy", "pages/privacy/index.html"),
        ("Contact", "mailto:okr@example.org"),
        ("Open data", "https://data.example.org/"),
    ]
    # the page with nav: none is built, but linked from nowhere
    assert (site / "pages" / "draft-notes" / "index.html").is_file()
    assert "draft-notes" not in (site / "index.html").read_text(encoding="utf-8")
    assert check_links(site).problems == []


def test_header_pages_follow_their_nav_order(make_project: MakeProject, tmp_path: Path) -> None:
    site = built(
        make_project,
        tmp_path / "site",
        **{
            "content/pages/zebra.md": md("title: Zebra\nnav_order: -1\n"),
            "content/pages/alpha.md": md("title: Alpha\n"),
        },
    )
    titles = [title for title, _ in nav_links(site / "index.html", "header")]
    assert titles[-3:] == ["Zebra", "About", "Alpha"]


def test_bad_nav_front_matter_is_an_error_at_its_line(make_project: MakeProject, check) -> None:
    project = make_project(
        {
            **PROJECT,
            "content/pages/about.md": md(
                'title: About\nnav: sidebar\nnav_order: "first"\nnav_title: " "\n'
            ),
        },
        base=False,
    )
    result = check(project)
    assert result.code == 1
    assert (
        "content/pages/about.md:3:6: error: nav must be 'header' or 'footer' or 'none', "
        "got 'sidebar' [schema]"
    ) in result.out.splitlines()
    assert (
        "content/pages/about.md:4:12: error: nav_order must be a whole number between "
        "-1,000,000 and 1,000,000, got 'first' [schema]"
    ) in result.out.splitlines()
    assert (
        "content/pages/about.md:5:12: error: nav_title must be a non-empty string, got ' ' [schema]"
    ) in result.out.splitlines()


# -- the status page in public builds ---------------------------------------------------------


def test_a_public_build_can_leave_out_the_status_page(
    make_project: MakeProject, tmp_path: Path
) -> None:
    config = PROJECT["okrpub.yaml"] + "public_status_page: false\n"
    site = built(make_project, tmp_path / "site", "--public", **{"okrpub.yaml": config})
    assert not (site / "status").exists()
    for path in tree_of_names(site):
        if path.endswith((".html", ".xml", ".js")):
            assert "status/" not in (site / path).read_text(encoding="utf-8"), path
    assert check_links(site).problems == []
    internal = built(make_project, tmp_path / "internal", **{"okrpub.yaml": config})
    assert (internal / "status" / "index.html").is_file()
    assert ("Status", "status/index.html") in nav_links(internal / "index.html", "header")


def test_by_default_a_public_build_has_the_status_page(site: Path) -> None:
    assert (site / "status" / "index.html").is_file()


# -- branding ---------------------------------------------------------------------------------


def test_the_logo_is_copied_and_shown_as_an_image(site: Path) -> None:
    assert (site / "brand" / "logo.svg").read_bytes() == LOGO
    for path, root in [("index.html", ""), ("objectives/clean-streets/index.html", "../../")]:
        brand = parse_html(site / path).find("a", **{"class": "brand"})
        image = brand.find("img")
        assert image.attrs["src"] == f"{root}brand/logo.svg"
        assert image.attrs["alt"] == ""  # the title beside it says it
        assert brand.text == "Town of Example"
        assert "<svg" not in (site / path).read_text(encoding="utf-8").split("<main")[0]


def test_the_primary_colour_is_a_custom_property_with_readable_text(site: Path) -> None:
    css = (site / "brand" / "brand.css").read_text(encoding="utf-8")
    assert css == f":root {{ --brand: {PRIMARY}; --brand-text: #ffffff; }}\n"
    document = parse_html(site / "index.html")
    assert document.find("header").attrs["class"] == "site-header branded"
    sheets = [link.attrs["href"] for link in document.find_all("link", rel="stylesheet")]
    assert sheets == ["static/okrpub.css", "brand/brand.css"]
    default = (site / "static" / "okrpub.css").read_text(encoding="utf-8")
    assert ".site-header.branded { background: var(--brand);" in default


def test_without_branding_there_are_no_brand_files(
    make_project: MakeProject, tmp_path: Path
) -> None:
    site = built(make_project, tmp_path / "site", **{"okrpub.yaml": "title: Plain\n"})
    assert not (site / "brand").exists()
    document = parse_html(site / "index.html")
    assert document.find("header").attrs["class"] == "site-header"
    assert document.find("a", **{"class": "brand"}).find_all("img") == []
    assert document.find("footer").find_all("p", **{"class": "footer-text"}) == []
    assert [title for title, _ in nav_links(site / "index.html", "footer")] == [
        "Accessibility statement",
        "Privacy",
    ]


@given(red=st.integers(0, 255), green=st.integers(0, 255), blue=st.integers(0, 255))
def test_the_text_on_any_primary_colour_has_enough_contrast(
    red: int, green: int, blue: int
) -> None:
    colour = f"#{red:02x}{green:02x}{blue:02x}"
    assert contrast(colour, text_colour(colour)) >= 4.5


def test_the_footer_shows_its_text_and_links_escaped(
    make_project: MakeProject, tmp_path: Path
) -> None:
    config = (
        'title: "Town <script>alert(1)</script>"\n'
        'footer_text: "<img src=x onerror=alert(1)> & Co"\n'
        "footer_links:\n"
        '  - {title: "<b>Bold</b>", url: "https://example.org/?a=1&b=\\"2\\""}\n'
    )
    site = built(make_project, tmp_path / "site", **{"okrpub.yaml": config})
    raw = (site / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img src=x" not in raw and "<b>Bold" not in raw
    footer = parse_html(site / "index.html").find("footer")
    assert footer.find("p", **{"class": "footer-text"}).text == "<img src=x onerror=alert(1)> & Co"
    link = footer.find("nav").find_all("a")[-1]
    assert (link.text, link.attrs["href"]) == ("<b>Bold</b>", 'https://example.org/?a=1&b="2"')
    assert head_of(site / "index.html")["og:site_name"] == "Town <script>alert(1)</script>"


# -- okrpub.yaml's errors, at their line ------------------------------------------------------

CONFIG_ERRORS = {
    'primary_colour: "red"\n': "okrpub.yaml:2:17: error: primary_colour must be a colour as "
    "'#' and six hexadecimal digits, such as '#0b57b0', got 'red' [schema]",
    'primary_colour: "#0b57b0; } body { display: none"\n': "okrpub.yaml:2:17: error: "
    "primary_colour must be a colour as '#' and six hexadecimal digits, such as '#0b57b0', "
    "got '#0b57b0; } body { display: none' [schema]",
    'footer_links:\n  - {title: Evil, url: "javascript:alert(1)"}\n': "okrpub.yaml:3:24: "
    "error: footer_links[0].url must be an http://, https:// or mailto: URL, such as "
    "'https://example.org/privacy', got 'javascript:alert(1)' [schema]",
    'footer_links:\n  - {url: "https://example.org/"}\n': "okrpub.yaml:3:5: error: "
    "footer_links[0] is missing required key 'title' [missing-key]",
    "footer_links:\n" + '  - {title: A, url: "https://a.example/"}\n' * 21: "okrpub.yaml:3:3: "
    "error: footer_links has 21 links; the limit is 20 [limit]",
    f'footer_text: "{"x" * 501}"\n': "okrpub.yaml:2:14: error: footer_text must be a "
    f"non-empty string of at most 500 characters, got '{'x' * 56}... [schema]",
    "logo: ../logo.svg\n": "okrpub.yaml:2:7: error: logo must be the path of an image file "
    "inside the project (.svg, .png, .jpg, .jpeg, .webp, .gif), such as 'logo.svg', got "
    "'../logo.svg' [schema]",
    "logo: /etc/logo.svg\n": "okrpub.yaml:2:7: error: logo must be the path of an image file "
    "inside the project (.svg, .png, .jpg, .jpeg, .webp, .gif), such as 'logo.svg', got "
    "'/etc/logo.svg' [schema]",
    "logo: okrpub.yaml\n": "okrpub.yaml:2:7: error: logo must be the path of an image file "
    "inside the project (.svg, .png, .jpg, .jpeg, .webp, .gif), such as 'logo.svg', got "
    "'okrpub.yaml' [schema]",
    "logo: missing.png\n": "okrpub.yaml:2:7: error: logo 'missing.png' cannot be used: there "
    "is no such file; give the path of an image file inside the project (no symbolic link) "
    "[config]",
    "public_status_page: maybe\n": "okrpub.yaml:2:21: error: public_status_page must be "
    "true or false, got 'maybe' [schema]",
}


@pytest.mark.parametrize(
    ("setting", "message"), CONFIG_ERRORS.items(), ids=range(len(CONFIG_ERRORS))
)
def test_a_bad_branding_setting_is_an_error_at_its_line(
    make_project: MakeProject, tmp_path: Path, setting: str, message: str
) -> None:
    project = make_project({**PROJECT, "okrpub.yaml": "title: Town\n" + setting}, base=False)
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert message in result.out.splitlines(), result.out
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_logo_through_a_symbolic_link_is_refused(
    make_project: MakeProject, tmp_path: Path, link: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "logo.svg").write_bytes(LOGO)
    project = make_project(
        {**PROJECT, "okrpub.yaml": "title: Town\nlogo: branding/logo.svg\n"}, base=False
    )
    if link == "file":
        (project / "branding" / "logo.svg").unlink()
        os.symlink(outside / "logo.svg", project / "branding" / "logo.svg")
        reason = "it is a symbolic link"
    else:
        (project / "branding" / "logo.svg").unlink()
        (project / "branding").rmdir()
        os.symlink(outside, project / "branding")
        reason = "a folder on its way is a symbolic link or a file"
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert (
        f"okrpub.yaml:2:7: error: logo 'branding/logo.svg' cannot be used: {reason}; give the "
        "path of an image file inside the project (no symbolic link) [config]"
    ) in result.out.splitlines()


def test_a_logo_larger_than_a_megabyte_is_refused(
    make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project({**PROJECT, "branding/logo.svg": b" " * 1_000_001}, base=False)
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert (
        "okrpub.yaml:4:7: error: logo 'branding/logo.svg' cannot be used: larger than" in result.out
    )


HOSTILE_LOGOS = {
    "script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "an SVG logo may not have a <script> element",
    ),
    "handler": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "an SVG logo may not have an event handler (onload)",
    ),
    "link": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<a x:href="javascript:alert(1)"><rect/></a></svg>',
        "an SVG logo may link only to its own parts (href 'javascript:alert(1)')",
    ),
    "foreign": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        "an SVG logo may not have a <foreignobject> element",
    ),
    "style": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://x.example/a.css";'
        b"</style></svg>",
        "an SVG logo may not load anything (url() or @import in its style)",
    ),
    "entities": (
        b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
        "an SVG logo may not have a document type (<!DOCTYPE)",
    ),
    "html": (
        b"<html><script>1</script></html>",
        "it is not an SVG image (its root element is not <svg>)",
    ),
}


@pytest.mark.parametrize(("content", "problem"), HOSTILE_LOGOS.values(), ids=list(HOSTILE_LOGOS))
def test_an_svg_logo_that_could_run_or_fetch_anything_is_refused(
    make_project: MakeProject, tmp_path: Path, content: bytes, problem: str
) -> None:
    project = make_project({**PROJECT, "branding/logo.svg": content}, base=False)
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert f"okrpub.yaml:4:7: error: logo 'branding/logo.svg': {problem} [config]" in (
        result.out.splitlines()
    )


def test_a_raster_logo_must_be_an_image_of_its_kind(
    make_project: MakeProject, tmp_path: Path
) -> None:
    config = PROJECT["okrpub.yaml"].replace("logo.svg", "logo.png")
    files = {"okrpub.yaml": config, "branding/logo.png": b"<script>alert(1)</script>"}
    project = make_project({**PROJECT, **files}, base=False)
    result = build(project, tmp_path / "site")
    assert "okrpub.yaml:4:7: error: logo 'branding/logo.png': it is not a PNG image [config]" in (
        result.out.splitlines()
    )
    png = b"\x89PNG\r\n\x1a\n" + bytes(40)
    site = built(make_project, tmp_path / "ok", **{**files, "branding/logo.png": png})
    assert (site / "brand" / "logo.png").read_bytes() == png


# -- a project style sheet extends the default one --------------------------------------------


def test_a_project_custom_css_is_loaded_after_the_default_style_sheet(
    make_project: MakeProject, tmp_path: Path
) -> None:
    config = PROJECT["okrpub.yaml"] + "theme: look\n"
    site = built(
        make_project,
        tmp_path / "site",
        **{"okrpub.yaml": config, "look/static/custom.css": ".brand { font-size: 2rem; }\n"},
    )
    default = (site / "static" / "okrpub.css").read_text(encoding="utf-8")
    assert ".site-header" in default  # the default style sheet, whole
    assert (site / "static" / "custom.css").read_text(encoding="utf-8").startswith(".brand")
    page = parse_html(site / "objectives" / "clean-streets" / "index.html")
    sheets = [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
    assert sheets == [
        "../../static/okrpub.css",
        "../../brand/brand.css",
        "../../static/custom.css",
    ]


# -- units and numbers ------------------------------------------------------------------------


def figures(site: Path, objective: str) -> list[str]:
    page = parse_html(site / "objectives" / objective / "index.html")
    return [dd.text.replace("\xa0", " ") for dd in page.find_all("dd")]


def test_a_unit_singular_is_used_after_the_number_one(site: Path) -> None:
    shown = figures(site, "clean-streets")
    assert "1 newspaper" in shown
    assert "3 newspapers" in shown
    assert "0 newspapers" in shown
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "1\u00a0newspaper" in feed


def test_a_unit_singular_needs_a_unit(make_project: MakeProject, check) -> None:
    objective = md(
        """
        title: Clean streets
        owner: town
        period: 2026-Q4
        key_results:
          - {title: A, start: 0, target: 3, unit_singular: newspaper}
          - {title: B, done: true}
          - {title: C, done: true}
        """
    )
    project = make_project({**PROJECT, "content/2026-Q4/clean-streets.md": objective}, base=False)
    result = check(project)
    assert result.code == 1
    assert (
        "content/2026-Q4/clean-streets.md:6:52: error: key_results[0].unit_singular needs a "
        "unit: give 'unit' (such as 'orders') too [schema]"
    ) in result.out.splitlines()


def test_numbers_follow_the_language_and_the_export_keeps_them_raw(
    make_project: MakeProject, tmp_path: Path
) -> None:
    english = built(make_project, tmp_path / "en")
    assert "1,234.5 bins" in figures(english, "clean-streets")
    assert "20,000 bins" in figures(english, "clean-streets")
    dutch = built(
        make_project, tmp_path / "nl", **{"okrpub.yaml": PROJECT["okrpub.yaml"] + "language: nl\n"}
    )
    shown = figures(dutch, "clean-streets")
    assert "1.234,5 bins" in shown and "20.000 bins" in shown
    chart = (dutch / "objectives" / "clean-streets" / "index.html").read_text(encoding="utf-8")
    assert "1.234,5\u00a0bins" in chart.split("<svg", 2)[-1]
    export = json.loads((dutch / "api" / "okrs.json").read_text(encoding="utf-8"))
    key_result = export["objectives"][0]["key_results"][1]
    assert (key_result["current"], key_result["target"]) == (1234.5, 20000)


# -- the JSON Schemas of okrpub.yaml and free pages -------------------------------------------


def schema_validator(name: str) -> Draft202012Validator:
    schema = json.loads(run_okrpub(REPOSITORY, "schema", name).out)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_config_schema_takes_the_branding_keys_and_refuses_bad_values() -> None:
    config = schema_validator("config")
    assert config.is_valid(yaml.safe_load(PROJECT["okrpub.yaml"]))
    # as an editor sees it: YAML's dates (today: 2026-11-26) are strings in JSON
    example = yaml.safe_load((REPOSITORY / "okrpub.yaml").read_text("utf-8"))
    assert config.is_valid(json.loads(json.dumps(example, default=str)))
    bad = [
        {"primary_colour": "red"},
        {"footer_links": [{"title": "Evil", "url": "javascript:alert(1)"}]},
        {"footer_links": [{"url": "https://example.org/"}]},
        {"logo": "/etc/logo.svg"},
        {"sitemap": "yes"},
    ]
    for value in bad:
        assert not config.is_valid(value), value


def test_the_page_schema_takes_the_nav_keys() -> None:
    page = schema_validator("page")
    assert page.is_valid({"title": "Privacy", "nav": "footer", "nav_order": 2, "nav_title": "P"})
    assert not page.is_valid({"title": "Privacy", "nav": "sidebar"})
    assert not page.is_valid({"title": "Privacy", "nav_order": 1.5})


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "1,234 objectives"), ("nl", "1.234 doelstellingen")],
)
def test_counts_have_the_language_s_thousands_separator(language: str, shown: str) -> None:
    locale = load_locale([DEFAULT_THEME], language)
    assert locale.text("count.objectives", count=1234) == shown
    assert locale.text("count.objectives", count=1).startswith("1 ")
