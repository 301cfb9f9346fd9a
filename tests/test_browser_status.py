"""Issue #18 in Chromium: the status page's filter and sorting, its lists without
JavaScript, its width on laptop screens, the neutral progress bars, the page "How to
read this site", and axe-core on them, at 390 and 1366 px, in light and dark mode.

The example is built once for the module and served over HTTP from 127.0.0.1; a
console error or a failed request on any page fails the test.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browsertools import served_folder

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

TODAY = "2026-11-26"
REPOSITORY = Path(__file__).resolve().parent.parent
SIZES = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
SCHEMES = ["light", "dark"]
AXE = Axe()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example built on ``TODAY``, served at ``http://127.0.0.1:<port>/``."""
    folder = tmp_path_factory.mktemp("browser-status") / "site"
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


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(**context_options)``: a page whose console errors and failed
    requests fail the test."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def open_(**options: Any) -> Page:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
        page.on(
            "response",
            lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


def visible_rows(page: Page) -> list[str]:
    """The ids of the key results whose rows show, in order."""
    return page.evaluate(
        """() => [...document.querySelectorAll('tr[data-status]')]
          .filter(row => row.offsetParent !== null)
          .map(row => row.querySelector('th a').getAttribute('href').split('#kr-')[1])"""
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_the_status_page_filters_by_team_owner_and_status(
    root: str, open_page: Callable[..., Page], size: str, scheme: str
) -> None:
    page = open_page(viewport=SIZES[size], color_scheme=scheme)
    page.goto(root + "status/index.html")
    form = page.locator("form.status-filter")
    expect(form).to_be_visible()
    every = visible_rows(page)
    assert len(every) == 8
    expect(form.locator("output")).to_have_text("8 of 8 key results shown")

    form.get_by_label("Team").select_option("marketing")
    assert visible_rows(page) == ["newspapers", "campaign-revenue", "guide-visitors"]
    expect(page.locator('.team-group[data-team="warehouse"]').first).to_be_hidden()
    form.get_by_label("Status").select_option("at_risk")
    assert visible_rows(page) == ["newspapers", "campaign-revenue"]
    expect(page.locator('[id="2026-q4-no_data"]')).to_be_hidden()
    expect(form.locator("output")).to_have_text("2 of 8 key results shown")

    form.get_by_label("Team").select_option("")
    form.get_by_label("Status").select_option("")
    form.get_by_label("Owner").select_option(label="Sam Okafor")
    assert visible_rows(page) == ["guide-visitors"]
    form.get_by_label("Owner").select_option("")
    assert visible_rows(page) == every


def test_the_status_page_sorts_by_a_column(root: str, open_page: Callable[..., Page]) -> None:
    page = open_page(viewport=SIZES["desktop"])
    page.goto(root + "status/index.html")
    marketing = page.locator('[id="2026-q4-at_risk"] .team-group[data-team="marketing"]')
    progress = marketing.get_by_role("button", name="Progress")
    progress.click()
    expect(marketing.locator("thead th").nth(3)).to_have_attribute("aria-sort", "ascending")
    assert visible_rows(page)[4:6] == ["campaign-revenue", "newspapers"]  # 35% before 50%
    progress.click()
    expect(marketing.locator("thead th").nth(3)).to_have_attribute("aria-sort", "descending")
    assert visible_rows(page)[4:6] == ["newspapers", "campaign-revenue"]


@pytest.mark.parametrize("size", SIZES)
def test_without_javascript_the_status_page_is_grouped_lists(
    root: str, open_page: Callable[..., Page], size: str
) -> None:
    page = open_page(viewport=SIZES[size], java_script_enabled=False)
    page.goto(root + "status/index.html")
    expect(page.locator("form.status-filter")).to_have_count(0)
    at_risk = page.locator('[id="2026-q4-at_risk"]')
    expect(at_risk.locator("h3")).to_contain_text("6 key results at risk")
    teams = at_risk.locator(".team-group h4")
    expect(teams).to_have_text(
        [
            "Smokey Joe's 1 key result",
            "Customer Service 2 key results",
            "Marketing 2 key results",
            "Warehouse & Logistics 1 key result",
        ]
    )
    assert len(visible_rows(page)) == 8
    expect(page.locator('tr:has(a[href$="#kr-damaged"]) .reasons')).to_have_text(
        "36% against a pace of 62% · no check-in since 2 November 2026"
    )


def test_home_counts_lead_to_their_section(root: str, open_page: Callable[..., Page]) -> None:
    page = open_page(viewport=SIZES["desktop"])
    page.goto(root + "index.html")
    page.locator("ul.status-counts a.count").first.click()
    assert page.url.endswith("status/index.html#2026-q4-at_risk")
    expect(page.locator('[id="2026-q4-at_risk"]')).to_be_in_viewport()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", [1024, 1280])
def test_the_status_page_fits_a_laptop_screen(
    root: str, open_page: Callable[..., Page], width: int, scheme: str
) -> None:
    page = open_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page.goto(root + "status/index.html")
    expect(page.locator("form.status-filter")).to_be_visible()
    scrolled, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert scrolled <= inner, f"{scrolled} px wide in a {inner} px window"
    spilling = page.evaluate(
        """() => [...document.querySelectorAll('main table th, main table td')]
          .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
          .map(cell => `${cell.innerText}: ${cell.scrollWidth} px in ${cell.clientWidth} px`)"""
    )
    assert not spilling, spilling


@pytest.mark.parametrize("scheme", SCHEMES)
def test_progress_bars_are_neutral_and_statuses_coloured(
    root: str, open_page: Callable[..., Page], scheme: str
) -> None:
    page = open_page(viewport=SIZES["desktop"], color_scheme=scheme)
    page.goto(root + "objectives/grow-to-1m-online/index.html")
    colours = page.evaluate(
        """() => ({
          bars: [...new Set([...document.querySelectorAll('.progress-bar')]
            .map(bar => getComputedStyle(bar).backgroundColor))],
          neutral: getComputedStyle(document.documentElement).getPropertyValue('--bar').trim(),
          atRisk: getComputedStyle(document.querySelector('a.status-at_risk')).color,
          onTrack: getComputedStyle(document.querySelector('a.status-on_track')).color,
        })"""
    )
    neutral = colours["neutral"].lstrip("#")
    rgb = f"rgb({int(neutral[0:2], 16)}, {int(neutral[2:4], 16)}, {int(neutral[4:6], 16)})"
    assert colours["bars"] == [rgb]
    assert colours["atRisk"] != colours["onTrack"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_badge_leads_to_its_explanation(
    root: str, open_page: Callable[..., Page], scheme: str
) -> None:
    page = open_page(viewport=SIZES["mobile"], color_scheme=scheme)
    page.goto(root + "objectives/grow-to-1m-online/index.html")
    page.locator("dl.figures a.status").click()
    assert page.url.endswith("how-to-read/index.html#status-at_risk")
    expect(page.locator("#status-at_risk")).to_be_in_viewport()
    expect(page.locator("main h1")).to_have_text("How to read this site")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_accessibility(root: str, open_page: Callable[..., Page], size: str, scheme: str) -> None:
    """axe-core finds no violation on the pages this issue changed, filter shown."""
    page = open_page(viewport=SIZES[size], color_scheme=scheme)
    found = []
    for path in (
        "status/index.html",
        "how-to-read/index.html",
        "index.html",
        "objectives/grow-to-1m-online/index.html",
        "objectives/faster-webshop-q3/index.html",
        "periods/2026-q4/index.html",
    ):
        page.goto(root + path)
        for violation in AXE.run(page).response["violations"]:
            targets = [node["target"] for node in violation["nodes"][:5]]
            found.append(f"{path}: {violation['id']} ({violation['help']}): {targets}")
    assert not found, "\n".join(found)
