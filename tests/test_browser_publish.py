"""A branded public site in Chromium (issue #18, items 8, 9 and 12): the logo, the primary
colour with readable text on it, the footer's text, pages and links, at 390 and 1366 px in
light and dark mode; axe-core finds nothing; the printed footer ends in no separator."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from browsertools import served_folder
from playwright.sync_api import Browser, Page, expect
from publishtools import PRIMARY, PROJECT
from sitetools import build, write_files

from okrpub.site.brand import contrast

VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 800}}
PAGES = ["index.html", "objectives/clean-streets/index.html", "pages/privacy/index.html"]
AXE = Axe()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The branded project, built public and served over HTTP on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("publish")
    project = write_files(folder / "project", PROJECT)
    site = folder / "site"
    result = build(project, site, "--public", "--base-url", "")
    assert result.code == 0, result.out + result.err
    with served_folder(site) as root:
        yield root


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A fresh page; a console error, an exception or a failed request fails the test."""
    problems: list[str] = []
    contexts = []

    def open_(**options: Any) -> Page:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, problems


def _rgb(css: str) -> str:
    """``rgb(11, 110, 79)`` as ``#0b6e4f``."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_branding_shows_and_reads_well(
    root: str, open_page: Callable[..., Page], scheme: str, device: str
) -> None:
    page = open_page(color_scheme=scheme, viewport=VIEWPORTS[device])
    for path in PAGES:
        page.goto(root + path)
        logo = page.locator(".brand-logo")
        expect(logo).to_be_visible()
        assert page.evaluate("document.querySelector('.brand-logo').naturalWidth") > 0
        box = logo.bounding_box()
        assert box is not None and 24 <= box["height"] <= 48
        band, text, link = page.evaluate(
            "() => [getComputedStyle(document.querySelector('.site-header')).backgroundColor,"
            " getComputedStyle(document.querySelector('.brand')).color,"
            " getComputedStyle(document.querySelector('.site-nav a')).color]"
        )
        assert _rgb(band) == PRIMARY
        assert contrast(_rgb(band), _rgb(text)) >= 4.5
        assert contrast(_rgb(band), _rgb(link)) >= 4.5
        footer = page.locator(".site-footer")
        expect(footer.get_by_text("Town of Example, Main Street 1")).to_be_visible()
        for name in ("Accessibility statement", "Privacy", "Contact", "Open data"):
            expect(footer.get_by_role("link", name=name, exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[device]["width"]
        if scheme == "light" and path == "index.html":
            page.screenshot(path=f"/tmp/publish-home-{device}.png", full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_axe_core_finds_no_violation(
    root: str, open_page: Callable[..., Page], scheme: str, device: str
) -> None:
    page = open_page(color_scheme=scheme, viewport=VIEWPORTS[device])
    found = []
    for path in PAGES:
        page.goto(root + path)
        for violation in AXE.run(page).response["violations"]:
            targets = [node["target"] for node in violation["nodes"][:5]]
            found.append(f"{path}: {violation['id']} ({violation['help']}): {targets}")
    assert not found, "\n".join(found)


def test_the_footer_pages_are_reached_from_the_footer(
    root: str, open_page: Callable[..., Page]
) -> None:
    page = open_page(viewport=VIEWPORTS["mobile"])
    page.goto(root)
    page.locator(".site-footer").get_by_role("link", name="Privacy", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Privacy statement")
    current = page.locator(".site-footer a[aria-current='page']")
    expect(current).to_have_text("Privacy")
    expect(page.locator(".site-nav").get_by_role("link", name="Privacy")).to_have_count(0)


def test_the_printed_footer_ends_in_no_separator(root: str, open_page: Callable[..., Page]) -> None:
    page = open_page(viewport=VIEWPORTS["desktop"])
    for path in PAGES:
        page.goto(root + path)
        page.emulate_media(media="print")
        footer = page.locator(".site-footer").inner_text()
        lines = [line.strip() for line in footer.splitlines() if line.strip()]
        expected = ["Town of Example, Main Street 1"]
        if path == "index.html":  # the home page has the date
            expected.append("Published with okrpub on 26 November 2026")
        assert lines == expected, (path, footer)
        page.emulate_media(media="screen")
