"""The example's objective pages in Chromium, at 390 and 1366 px: links, owner-set health, an
objective graded as a whole and a Markdown link in a title (issue #17 items 7, 8, 10), with
no axe-core violation.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsertools import served_folder

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

TODAY = "2026-11-26"
REPOSITORY = Path(__file__).resolve().parent.parent
WIDTHS = [390, 1366]
AXE = Axe()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example, built and served over HTTP (axe-core reads the style sheets, which a
    page from ``file://`` may not); its root URL."""
    folder = tmp_path_factory.mktemp("browser-grades") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "okrpub", "build", "--out", str(folder), "--today", TODAY],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with served_folder(folder) as root:
        yield root


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield opened
    context.close()
    assert not errors, errors


def objective(page: Page, site: str, objective_id: str) -> None:
    page.goto(f"{site}objectives/{objective_id}/index.html")


def no_violations(page: Page) -> None:
    page.locator("details.checkins summary").first.click()
    violations = AXE.run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


def visible_inside_the_page(page: Page, selector: str) -> None:
    """Shown, and within the width of the page (no sideways scrolling)."""
    element = page.locator(selector).first
    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box


def test_links_and_owner_set_health(page: Page, site: str) -> None:
    objective(page, site, "checkout-that-converts")
    links = page.locator("header ul.links a")
    expect(links).to_have_count(2)
    expect(links.first).to_have_text("Epic: one-page checkout")
    visible_inside_the_page(page, "header ul.links")
    card = page.locator("#kr-checkout-live")
    expect(card.locator("ul.links a").first).to_have_attribute(
        "href", "https://git.smokeyjoes.example/webshop/shop/-/issues/212"
    )
    health = card.locator("p.kr-health")
    expect(health).to_contain_text("Owner says: At risk")
    expect(health).to_contain_text("computed status: On track")
    expect(health.locator("a[rel]")).to_have_text("saved cards fix")
    visible_inside_the_page(page, "#kr-checkout-live p.kr-health")
    no_violations(page)


def test_an_objective_graded_as_a_whole(page: Page, site: str) -> None:
    objective(page, site, "best-summer-ever-q3")
    grade = page.locator("dl.figures dd.grade-given")
    expect(grade).to_have_text("graded 0.70 (green) (key results 0.76)")
    visible_inside_the_page(page, "dl.figures dd.grade-given")
    no_violations(page)


def test_a_markdown_link_in_a_title(page: Page, site: str) -> None:
    objective(page, site, "top-3-in-search")
    title = page.locator("#kr-buying-guides h3")
    expect(title).to_have_text("Publish 12 buying guides")
    expect(title.locator("a")).to_have_attribute("href", "https://www.smokeyjoes.example/guides/")
    assert "[buying guides]" not in page.content()
    no_violations(page)
