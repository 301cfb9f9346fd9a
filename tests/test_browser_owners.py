"""Person pages and the cascade's "also under" in headless Chromium (issue 18, item 4).

The example is built once; Maria Jansen's page lists the key result she co-owns in
the company's objective, Joe Castillo's the one he owns, at a phone's and a laptop's
width, and axe-core finds no problem on them or on the period page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsertools import served_folder

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

MOBILE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
AXE = Axe()


@pytest.fixture(scope="module")
def root(example_site: Path) -> Iterator[str]:
    """The built example over HTTP on 127.0.0.1 (axe-core reads the style sheets, which a
    ``file://`` page may not)."""
    with served_folder(example_site) as root:
        yield root


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on a console error or an uncaught exception."""
    errors: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['help']}): {[n['target'] for n in v['nodes'][:5]]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [MOBILE, LAPTOP], ids=["390", "1366"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_person_page_shows_the_key_results_the_person_owns(
    root: str, open_page: Page, viewport: dict[str, int], scheme: str
) -> None:
    page = open_page
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    page.goto(root + "units/maria/index.html")
    expect(page.locator("main .lead")).to_contain_text("leads Marketing")
    owned = page.locator("section[aria-labelledby=key-results-heading]")
    expect(owned.get_by_role("heading", name="Key results owned")).to_be_visible()
    item = owned.locator("li").filter(has_text="Online sales over the last 13 weeks")
    expect(item).to_be_visible()
    expect(item.locator(".tag")).to_have_text("co-owner")
    expect(item.locator(".status")).to_be_visible()
    expect(item.get_by_role("progressbar")).to_be_visible()
    # nothing overflows the page sideways
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    assert violations(page) == []

    page.goto(root + "units/joe/index.html")
    item = page.locator("section[aria-labelledby=key-results-heading] li").first
    expect(item).to_contain_text("Online sales over the last 13 weeks")
    expect(item.locator(".tag")).to_have_count(0)  # Joe is the accountable owner
    item.get_by_role("link", name="Online sales over the last 13 weeks", exact=False).click()
    expect(page.locator("#kr-online-sales")).to_be_in_viewport()
    assert violations(page) == []


@pytest.mark.parametrize("viewport", [MOBILE, LAPTOP], ids=["390", "1366"])
def test_the_cascade_marks_an_objective_also_under_a_second_parent(
    root: str, open_page: Page, viewport: dict[str, int]
) -> None:
    page = open_page
    page.set_viewport_size(viewport)
    page.goto(root + "periods/2026-q4/index.html")
    page.get_by_role("button", name="Expand all").click()  # it stands below the second level
    also = page.locator(".tree-item.also-under")
    expect(also).to_have_count(1)
    expect(also.locator(".objective-title")).to_have_text(
        "Ship every order the day it comes in, even in the Christmas rush"
    )
    expect(also.locator(".meta")).to_contain_text("also under")
    link = also.locator(".meta").get_by_role("link", name="Grow to €1 million", exact=False)
    expect(link).to_be_visible()
    qualitative = page.locator(".tree-item").filter(has_text="Stay a place people love to work")
    expect(qualitative.locator(".numbers")).to_have_text("no key results yet")
    assert violations(page) == []
