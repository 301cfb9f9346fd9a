"""The period page's filter covers the unaligned objectives too (issue #18, item 7), in
headless Chromium at 390 and 1366 px, light and dark.

A small project is built once: a company objective with a team objective below it, and
two unaligned objectives (a team's, at risk, and a person's in another team).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from browsertools import VIEWPORTS, built_and_served
from playwright.sync_api import Page, expect
from sitetools import md

AXE = Axe()
LOOKS = [(width, scheme) for width in VIEWPORTS for scheme in ("light", "dark")]


def objective(title: str, owner: str, parent: str | None, confidence: float) -> str:
    aligned = f"parent: {parent}\n" if parent else ""
    return md(
        f"title: {title}\nowner: {owner}\nperiod: 2026-Q4\n{aligned}key_results:\n"
        f"  - {{title: Count, start: 0, target: 10, checkins: "
        f"[{{date: 2026-11-23, value: 6, confidence: {confidence}}}]}}\n"
    )


FILES = {
    "content/units/acme.md": md("name: Acme\nkind: company\n"),
    "content/units/sales.md": md("name: Sales\nkind: team\nparent: acme\n"),
    "content/units/ops.md": md("name: Operations\nkind: team\nparent: acme\n"),
    "content/units/jo.md": md("name: Jo Smith\nkind: person\nparent: sales\n"),
    "content/2026-Q4/grow.md": objective("Grow the business", "acme", None, 0.8),
    "content/2026-Q4/sell.md": objective("Sell more", "sales", "grow", 0.8),
    "content/2026-Q4/ship.md": objective("Ship on time", "ops", None, 0.45),
    "content/2026-Q4/learn.md": objective("Learn the trade", "jo", None, 0.8),
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with built_and_served(tmp_path_factory.mktemp("design"), FILES) as served:
        yield served


def shown(page: Page, title: str) -> None:
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()


def hidden(page: Page, title: str) -> None:
    expect(page.get_by_role("link", name=title, exact=True)).to_be_hidden()


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
def test_the_filter_covers_the_unaligned_objectives(
    root: str, open_page: Callable[..., Page], width: str, scheme: str
) -> None:
    page = open_page(width, scheme)
    page.goto(root + "periods/2026-q4/index.html")
    count = page.locator("#filter-count")
    # a team: its unaligned objective shows, the other team's person's does not
    page.locator("#filter-unit").select_option("ops")
    shown(page, "Ship on time")
    hidden(page, "Learn the trade")
    hidden(page, "Sell more")
    expect(count).to_have_text("1 of 4 objectives match")
    # a person's objective is found by the team above them
    page.locator("#filter-unit").select_option("sales")
    shown(page, "Learn the trade")
    shown(page, "Sell more")
    hidden(page, "Ship on time")
    expect(count).to_have_text("2 of 4 objectives match")
    # by status, and by the owner's name, typed
    page.locator("#filter-unit").select_option("")
    page.locator("#filter-status").select_option("at_risk")
    shown(page, "Ship on time")
    hidden(page, "Learn the trade")
    page.locator("#filter-status").select_option("")
    page.locator("#filter-owner").fill("jo sm")
    shown(page, "Learn the trade")
    hidden(page, "Ship on time")
    expect(count).to_have_text("1 of 4 objectives match")
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
    # no unaligned objective matches: their section goes; no filter: everything is back
    page.locator("#filter-owner").fill("sales")
    expect(page.locator("#unaligned")).to_be_hidden()
    shown(page, "Sell more")
    page.locator("#filter-owner").fill("")
    expect(page.locator("#unaligned")).to_be_visible()
    for title in ("Grow the business", "Sell more", "Ship on time", "Learn the trade"):
        shown(page, title)
    expect(count).to_have_text("")


def test_without_javascript_the_unaligned_objectives_are_all_there(
    root: str, open_page: Callable[..., Page]
) -> None:
    page = open_page("390", java_script_enabled=False)
    page.goto(root + "periods/2026-q4/index.html")
    expect(page.locator("#cascade-tools")).to_be_hidden()
    for title in ("Ship on time", "Learn the trade"):
        shown(page, title)
