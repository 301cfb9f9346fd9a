"""Charts and the period page in a real browser (issue #18, items 5 and 7).

The example is built once, served over HTTP and opened in Debian's headless
Chromium at 390 and 1366 pixels, in light and dark mode: the chart's labels are
visible, at least 12 px and apart; the cascade's expand-all and filter work;
the period switcher reaches every period; axe-core finds no violation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from browsertools import VIEWPORTS, served_folder
from playwright.sync_api import Page, expect
from sitetools import REPOSITORY, TODAY

AXE = Axe()
LOOKS = [(width, scheme) for width in VIEWPORTS for scheme in ("light", "dark")]
#: Objectives whose charts are checked: one in euros, one with a word as its unit.
CHARTED = ("grow-to-1m-online", "top-3-in-search")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """The example's root URL, served over HTTP from a background thread, and its
    ``api/okrs.json``."""
    folder = tmp_path_factory.mktemp("pages") / "site"
    command = [sys.executable, "-m", "okrpub", "build", "--out", str(folder), "--today", TODAY]
    result = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    api = json.loads((folder / "api" / "okrs.json").read_text(encoding="utf-8"))
    with served_folder(folder) as root:
        yield root, api


def current_period(api: dict[str, Any]) -> str:
    return next(p["id"] for p in api["periods"] if p["start"] <= api["today"] <= p["end"])


def period_url(root: str, api: dict[str, Any]) -> str:
    return f"{root}periods/{current_period(api).lower()}/index.html"


#: Each chart label's box on the screen, and its font size in CSS pixels as shown.
LABELS_JS = """
svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll('text')).map(text => {
    const box = text.getBoundingClientRect();
    return {text: text.textContent, left: box.left, top: box.top, right: box.right,
            bottom: box.bottom, size: parseFloat(getComputedStyle(text).fontSize) * scale};
  });
}
"""


def overlapping(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The pairs of labels whose boxes overlap (by more than half a pixel)."""
    pairs = []
    for index, a in enumerate(labels):
        for b in labels[index + 1 :]:
            if (
                a["left"] < b["right"] - 0.5
                and b["left"] < a["right"] - 0.5
                and a["top"] < b["bottom"] - 0.5
                and b["top"] < a["bottom"] - 0.5
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
def test_chart_labels_are_readable_and_apart(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page], width: str, scheme: str
) -> None:
    root, _ = site
    page = open_page(width, scheme)
    checked = 0
    for objective in CHARTED:
        page.goto(f"{root}objectives/{objective}/index.html")
        charts = page.locator("svg.chart")
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            labels = chart.evaluate(LABELS_JS)
            texts = [label["text"] for label in labels]
            assert any(text.startswith("target ") for text in texts), texts
            assert "today" in texts
            assert overlapping(labels) == [], (objective, index)
            assert min(label["size"] for label in labels) >= 12, (objective, index, width)
            box = chart.bounding_box()
            assert box is not None
            for label in labels:  # inside the page's width
                assert label["left"] >= 0 and label["right"] <= VIEWPORTS[width]["width"]
            expect(chart.locator("xpath=..").locator("figcaption")).to_be_visible()
            checked += 1
    assert checked >= 4
    # the latest note shows without opening the check-ins
    expect(page.locator("li.key-result .kr-note").first).to_be_visible()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_expand_all_and_collapse_all(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page], width: str
) -> None:
    root, api = site
    page = open_page(width)
    page.goto(period_url(root, api))
    subtrees = page.locator("#cascade details.tree-more")
    assert subtrees.count() >= 1
    deep = subtrees.first.locator("li .tree-item").first
    expect(deep).to_be_hidden()
    page.get_by_role("button", name="Expand all").click()
    for index in range(subtrees.count()):
        expect(subtrees.nth(index)).to_have_attribute("open", "")
    expect(deep).to_be_visible()
    page.get_by_role("button", name="Collapse all").click()
    expect(page.locator("#cascade details.tree-more[open]")).to_have_count(0)
    expect(deep).to_be_hidden()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_the_filter_hides_cards_that_do_not_match(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page], width: str
) -> None:
    root, api = site
    period = current_period(api)
    objectives = [o for o in api["objectives"] if o["period"] == period and o["parent"]]
    page = open_page(width)
    page.goto(period_url(root, api))
    # the count covers the cascade and the unaligned objectives below it
    total = page.locator("li[data-units]").count()
    assert total > page.locator("#cascade li[data-units]").count()
    # a team: its cards, and the cards above them as context; the others hidden
    team = next(o["owner"] for o in objectives if api_unit(api, o["owner"])["kind"] == "team")
    page.locator("#filter-unit").select_option(team)
    matching = page.locator(f'#cascade li[data-units~="{team}"]')
    assert 0 < matching.count() < total
    for index in range(matching.count()):
        expect(matching.nth(index).locator("> .tree-item")).to_be_visible()
    others = page.locator(f'#cascade li:not([data-units~="{team}"]):not(.filter-context)')
    assert others.count() > 0
    for index in range(others.count()):
        expect(others.nth(index)).to_be_hidden()
    count = matching.count()
    expect(page.locator("#filter-count")).to_have_text(f"{count} of {total} objectives match")
    # an owner's name, typed
    page.locator("#filter-unit").select_option("")
    owner = api_unit(api, objectives[-1]["owner"])["name"]
    page.locator("#filter-owner").fill(owner.lower())
    titles = [
        o["title"]
        for o in api["objectives"]
        if o["period"] == period and o["owner"] == objectives[-1]["owner"]
    ]
    for title in titles:
        expect(page.locator("#cascade").get_by_role("link", name=title, exact=True)).to_be_visible()
    # a status nobody has: every card hidden; no filter: every card back
    page.locator("#filter-owner").fill("")
    statuses = page.locator("#filter-status option")
    assert statuses.count() >= 2
    page.locator("#filter-status").select_option(index=1)
    wanted = statuses.nth(1).get_attribute("value")
    shown = page.locator(f'#cascade li[data-status="{wanted}"] > .tree-item')
    for index in range(shown.count()):
        expect(shown.nth(index)).to_be_visible()
    page.locator("#filter-status").select_option("")
    expect(page.locator("#cascade li[hidden]")).to_have_count(0)
    expect(page.locator("#cascade details.tree-more[open]")).to_have_count(0)


def api_unit(api: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in api["units"] if u["id"] == unit_id)


def test_without_javascript_the_cascade_is_all_there_grouped(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page]
) -> None:
    root, api = site
    page = open_page("390", java_script_enabled=False)
    page.goto(period_url(root, api))
    expect(page.locator("#cascade-tools")).to_be_hidden()
    # every objective of the period is on the page: in the cascade or among the unaligned
    period = current_period(api)
    in_period = sum(1 for o in api["objectives"] if o["period"] == period)
    # an objective under a second parent is listed there once more, marked "also under"
    cards = page.locator("#cascade li[data-units] > .tree-item:not(.also-under)").count()
    unaligned = page.locator("#unaligned li[data-units] > .tree-item:not(.also-under)").count()
    assert cards + unaligned == in_period
    summary = page.locator("#cascade details.tree-more > summary").first
    deep = page.locator("#cascade details.tree-more").first.locator("li .tree-item").first
    expect(deep).to_be_hidden()
    summary.click()
    expect(deep).to_be_visible()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_the_period_switcher_reaches_every_period(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page], width: str
) -> None:
    root, api = site
    page = open_page(width, java_script_enabled=False)
    page.goto(root + "index.html")
    switcher = page.locator(".site-nav .period-switcher")
    links = switcher.get_by_role("link")
    expect(links.first).to_be_hidden()
    switcher.locator("summary").click()
    periods = sorted((p["start"], p["id"]) for p in api["periods"])
    expect(links).to_have_text([period for _, period in reversed(periods)])
    oldest = periods[0][1]
    switcher.get_by_role("link", name=oldest, exact=True).click()
    assert page.url.endswith(f"periods/{oldest.lower()}/index.html")
    expect(page.locator(".site-nav .period-switcher a[aria-current=page]")).to_have_count(1)


def test_the_period_menu_closes_on_escape_and_outside_clicks(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page]
) -> None:
    root, _ = site
    page = open_page("390")
    page.goto(root + "index.html")
    menu = page.locator(".site-nav .period-switcher details")
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.locator("summary")).to_be_focused()
    menu.locator("summary").click()
    page.locator("main h1").click()
    expect(menu).not_to_have_attribute("open", "")


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
def test_no_axe_violations(
    site: tuple[str, dict[str, Any]], open_page: Callable[..., Page], width: str, scheme: str
) -> None:
    """axe-core finds no violation on an objective page with charts and on the period page
    with its tools shown, the switcher open and a filter applied."""
    root, api = site
    page = open_page(width, scheme)
    found = []
    for objective in CHARTED:
        page.goto(f"{root}objectives/{objective}/index.html")
        found += violations(page)
    page.goto(period_url(root, api))
    page.locator(".site-nav .period-switcher summary").click()
    page.get_by_role("button", name="Expand all").click()
    page.locator("#filter-status").select_option(index=1)
    found += violations(page)
    assert found == [], "\n".join(found)


def violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{page.url}: {v['id']} ({v['help']}): {[n['target'] for n in v['nodes'][:5]]}"
        for v in results.response["violations"]
    ]
