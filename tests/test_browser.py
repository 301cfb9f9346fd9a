"""The built example site in a real browser: headless Debian Chromium driven by Playwright.

The example is built once for the module and opened two ways: over HTTP
from a standard-library server on 127.0.0.1, and straight from the file
system (``file://``), since the spec promises that every link is relative.
Every page a test opens is watched: a console error, an uncaught exception,
a failed request or an HTTP error fails the test.

Without Chromium at ``/usr/bin/chromium`` these tests fail and say how to
install it (``bash tests/run.sh`` does); they are skipped only when Playwright
itself is missing (installed without the ``test`` extra). The module
also writes the screenshots of ``docs/screenshots/`` that the README shows.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from browsertools import served_folder

pytest.importorskip("playwright.sync_api")

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    expect,
)
from playwright.sync_api import Error as PlaywrightError

TODAY = "2026-11-26"
REPOSITORY = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
#: Screenshots are full pages, cut off at this height to keep the files small.
MAX_SCREENSHOT_HEIGHT = 3000
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
NARROW = {"width": 375, "height": 740}
AXE = Axe()


# --------------------------------------------------------------------------- the site


@dataclass(frozen=True)
class Site:
    """The built example: its folder, the API export, and the pages the tests visit."""

    folder: Path
    api: dict[str, Any]

    def objective(self, objective_id: str) -> dict[str, Any]:
        return next(o for o in self.api["objectives"] if o["id"] == objective_id)

    def unit(self, unit_id: str) -> dict[str, Any]:
        return next(u for u in self.api["units"] if u["id"] == unit_id)

    @property
    def current_period(self) -> str:
        today = self.api["today"]
        return next(p["id"] for p in self.api["periods"] if p["start"] <= today <= p["end"])

    def pages(self) -> dict[str, str]:
        """The page of each kind that the audits and screenshots use, by name."""
        period = self.current_period
        company = next(u["id"] for u in self.api["units"] if u["kind"] == "company")
        top = next(
            o["id"]
            for o in self.api["objectives"]
            if o["owner"] == company and o["period"] == period
        )
        team = next(u["id"] for u in self.api["units"] if u["kind"] == "team")
        return {
            "home": "index.html",
            "period": f"periods/{period.lower()}/index.html",
            "objective": f"objectives/{top}/index.html",
            "unit": f"units/{team}/index.html",
            "status": "status/index.html",
            "search": "search/index.html?q=sales",
        }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("browser") / "site"
    result = subprocess.run(
        # No base_url: 404.html then links relatively, as the pages do, instead of
        # to the example's production host, which a test browser cannot reach.
        [
            *(sys.executable, "-m", "okrpub", "build", "--out", str(folder)),
            *("--today", TODAY, "--base-url", ""),
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    api = json.loads((folder / "api" / "okrs.json").read_text(encoding="utf-8"))
    return Site(folder, api)


@pytest.fixture(scope="module")
def http_root(site: Site) -> Iterator[str]:
    """``http://127.0.0.1:<free port>/``, serving the built site from a background thread."""
    with served_folder(site.folder) as root:
        yield root


@pytest.fixture(scope="module")
def file_root(site: Site) -> str:
    return site.folder.as_uri() + "/"


@pytest.fixture(params=["http", "file"])
def root(request: pytest.FixtureRequest) -> str:
    """The site's root URL, once over HTTP and once from the file system."""
    return request.getfixturevalue(f"{request.param}_root")


# --------------------------------------------------------------------------- the browser


@dataclass
class Watch:
    """Everything that went wrong on the pages of one browser context."""

    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.problems.append(f"console {message.type} on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on(
            "pageerror", lambda error: self.problems.append(f"exception on {page.url}: {error}")
        )
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda response: (
                self.problems.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.on("framenavigated", lambda frame: self.visited.append(frame.url))

    def _request_failed(self, request: Request) -> None:
        # A request cut short by the next navigation (a favicon, say) is aborted,
        # not failed: a missing file is a 404 over HTTP and ERR_FILE_NOT_FOUND from disk.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(**context_options)``: a fresh page whose errors fail the test.

    Console errors, uncaught exceptions, failed requests and HTTP
    errors are collected on every page the test visits and checked at the end.
    """
    contexts: list[BrowserContext] = []
    watch = Watch()

    def open_(**options: Any) -> Page:
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch.attach(page)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
    assert watch.visited, "the test visited no page"


def heading(page: Page) -> str:
    return page.locator("main h1").inner_text().strip()


# --------------------------------------------------------------------------- navigation


def test_click_from_home_through_the_cascade_to_a_unit(
    site: Site, root: str, open_page: Callable[..., Page]
) -> None:
    """Home → current period → an objective → its parent objective → the parent's owner."""
    period = site.current_period
    # A personal or team objective whose parent is itself aligned: the deepest cascade.
    child = next(
        o
        for o in site.api["objectives"]
        if o["period"] == period
        and o["parent"]
        and site.objective(o["parent"].split("#")[0])["parent"]
    )
    parent = site.objective(child["parent"].split("#")[0])
    owner = site.unit(parent["owner"])

    page = open_page()
    page.goto(root + "index.html")
    assert period in heading(page)
    # the period switcher lists every period; the cascade opens below its second level
    page.locator(".site-nav .period-switcher summary").click()
    page.locator(".site-nav").get_by_role("link", name=period, exact=True).click()
    expect(page).to_have_url(re.compile(rf"periods/{period.lower()}/index\.html$"))
    assert period in heading(page)
    page.get_by_role("button", name="Expand all").click()

    page.locator(".tree").get_by_role("link", name=child["title"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"objectives/{child['id']}/index\.html$"))
    assert heading(page) == child["title"]
    # The chain of parents is in the breadcrumbs.
    expect(page.locator(".breadcrumbs")).to_contain_text(parent["title"])

    page.locator(".aligns").get_by_role("link", name=parent["title"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"objectives/{parent['id']}/index\.html$"))
    assert heading(page) == parent["title"]
    # The child is listed among the objectives aligned to its parent.
    expect(
        page.locator("#children-heading + .objective-list").get_by_role(
            "link", name=child["title"], exact=True
        )
    ).to_be_visible()

    page.locator(".objective .lead").get_by_role("link", name=owner["name"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"units/{owner['id']}/index\.html$"))
    assert heading(page) == owner["name"]
    expect(page.get_by_role("link", name=parent["title"], exact=True)).to_be_visible()


def test_every_page_and_link_works(
    site: Site, http_root: str, open_page: Callable[..., Page]
) -> None:
    """Crawl the whole site from home: every page loads cleanly, every link resolves,
    and every ``#fragment`` names an element of its page."""
    page = open_page()
    queue, seen = [http_root + "index.html"], set()
    ids: dict[str, set[str]] = {}
    wanted: list[tuple[str, str, str]] = []  # (page, target page, fragment)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        if not url.endswith(".html"):
            response = page.request.get(url)
            assert response.ok, f"{url}: HTTP {response.status}"
            continue
        response = page.goto(url)
        assert response is not None and response.ok, url
        ids[url] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        links = page.eval_on_selector_all(
            "a[href], form[action]",
            "nodes => nodes.map(n => n.tagName === 'A'"
            " ? [n.getAttribute('href'), n.href] : [n.getAttribute('action'), n.action])",
        )
        for raw, href in links:
            if not href.startswith(http_root):
                continue  # a link from content to another site
            assert not raw.startswith("/"), f"{url} has a root-relative link: {raw}"
            target, fragment = urldefrag(href)
            queue.append(target)
            if fragment:
                wanted.append((url, target, fragment))
    missing = [
        f"{source} links to {target}#{fragment}"
        for source, target, fragment in wanted
        if fragment not in ids.get(target, set())
    ]
    assert not missing, missing
    pages = {url for url in seen if url.endswith(".html")}
    built = {
        http_root + path.relative_to(site.folder).as_posix()
        for path in site.folder.rglob("*.html")
        if path.name != "404.html"
    }
    assert built <= pages, f"pages no link leads to: {sorted(built - pages)}"
    page.goto(http_root + "404.html")
    expect(page.get_by_role("link", name=re.compile("home", re.I)).last).to_be_visible()


# --------------------------------------------------------------------------- search


def test_search_box_suggests_and_follows(
    site: Site, root: str, open_page: Callable[..., Page]
) -> None:
    target = site.objective(site.pages()["objective"].split("/")[1])
    page = open_page()
    page.goto(root + "periods/" + site.current_period.lower() + "/index.html")
    box = page.get_by_role("searchbox")
    box.click()
    box.press_sequentially("million", delay=20)
    suggestions = page.locator("#search-suggestions")
    expect(suggestions).to_be_visible()
    link = suggestions.get_by_role("link", name=re.compile(re.escape(target["title"])))
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(rf"objectives/{target['id']}/index\.html$"))
    assert heading(page) == target["title"]

    # From the keyboard: arrow down into the suggestions, Enter follows one.
    box = page.get_by_role("searchbox")
    box.fill("")
    box.press_sequentially("marketing", delay=20)
    expect(suggestions.get_by_role("link").first).to_be_visible()
    box.press("ArrowDown")
    first = suggestions.get_by_role("link").first
    expect(first).to_be_focused()
    href = first.get_attribute("href")
    assert href is not None
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(href.lstrip("./")) + "$"))

    # Nothing found says so; Escape closes the panel.
    box = page.get_by_role("searchbox")
    box.fill("")
    box.press_sequentially("zzqxj", delay=20)
    expect(suggestions).to_contain_text("Nothing found")
    box.press("Escape")
    expect(suggestions).to_be_hidden()


def test_search_page(site: Site, root: str, open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto(root + "search/index.html?q=sales")
    results = page.locator("#search-results li a")
    expect(results.first).to_be_visible()
    count = results.count()
    assert count >= 2
    expect(page.locator("#search-summary")).to_have_text(f"{count} results for “sales”")
    expect(page.get_by_role("searchbox")).to_have_value("sales")
    titles = [o["title"] for o in site.api["objectives"] if "sales" in o["title"].lower()]
    shown = results.evaluate_all("links => links.map(a => a.firstChild.textContent)")
    assert set(titles) <= set(shown)
    first_title = shown[0]
    results.first.click()
    assert heading(page) == first_title

    # Submitting the search form leads to the search page with the query.
    box = page.get_by_role("searchbox")
    box.fill("checkout")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"search/index\.html\?q=checkout$"))
    expect(page.locator("#search-results li").first).to_be_visible()
    expect(page.locator("#search-summary")).to_contain_text("“checkout”")


# --------------------------------------------------------------------------- layout


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", rgb)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_scheme(site: Site, http_root: str, open_page, scheme: str) -> None:
    page = open_page(color_scheme=scheme)
    for path in (site.pages()["home"], site.pages()["objective"]):
        page.goto(http_root + path)
        background, text = page.evaluate(
            "() => [getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
        if scheme == "dark":
            assert _luminance(background) < 0.05, background
            assert _luminance(text) > 0.6, text
        else:
            assert _luminance(background) > 0.9, background
            assert _luminance(text) < 0.05, text


def test_narrow_screen_has_no_horizontal_scrolling(
    site: Site, http_root: str, open_page: Callable[..., Page]
) -> None:
    page = open_page(viewport=NARROW)
    paths = [
        *site.pages().values(),
        "units/index.html",
        *(
            path.relative_to(site.folder).as_posix()
            for path in sorted(site.folder.glob("pages/*/index.html"))
        ),
        *(f"objectives/{o['id']}/index.html" for o in site.api["objectives"]),
    ]
    wide = []
    for path in paths:
        page.goto(http_root + path)
        width, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if width > inner:
            wide.append(f"{path}: {width} px wide in a {inner} px window")
    assert not wide, wide


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_status_tables_fit_a_laptop_screen(
    site: Site, http_root: str, open_page: Callable[..., Page], scheme: str, width: int
) -> None:
    """The status page's tables, and every cell in them, stay inside the page."""
    page = open_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page.goto(http_root + site.pages()["status"])
    expect(page.locator("main table.kr-table").first).to_be_visible()
    width_, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width_ <= inner, f"{width_} px wide in a {inner} px window"
    spilling = page.evaluate(
        """() => [...document.querySelectorAll('main table')].flatMap(table => {
          const box = table.parentElement.getBoundingClientRect();
          const wide = table.getBoundingClientRect().right > box.right + 0.5
            ? [`table ends past its section`] : [];
          const cells = [...table.querySelectorAll('th, td')]
            .filter(cell => cell.scrollWidth > cell.clientWidth)
            .map(cell => `${cell.innerText}: ${cell.scrollWidth} px in ${cell.clientWidth} px`);
          return [...wide, ...cells];
        })"""
    )
    assert not spilling, spilling


def test_keyboard_skip_link(site: Site, http_root: str, open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto(http_root + site.pages()["objective"])
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link not shown on focus"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes into the content, past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_objective_page_is_complete_without_javascript(
    site: Site, http_root: str, open_page: Callable[..., Page]
) -> None:
    page = open_page(java_script_enabled=False)
    objective = site.objective(site.pages()["objective"].split("/")[1])
    page.goto(http_root + site.pages()["objective"])
    assert heading(page) == objective["title"]
    key_results = page.locator("li.key-result")
    expect(key_results).to_have_count(len(objective["key_results"]))
    for index, kr in enumerate(objective["key_results"]):
        item = key_results.nth(index)
        expect(item.locator("h3")).to_have_text(kr["title"])
        expect(item.locator(".progress[role=progressbar]")).to_have_attribute(
            "aria-valuenow", str(round(kr["progress"] * 100))
        )
        # the period runs: a status, and no grade (#18; it showed "not graded")
        expect(item.locator(".grade")).to_have_count(0)
        expect(item.locator(".status")).to_be_visible()
        charts = item.locator("svg.chart")
        if kr["kind"] == "numeric":
            expect(charts).to_have_count(1)
            expect(charts).to_be_visible()
            expect(charts.locator("circle")).to_have_count(len(kr["checkins"]))
        else:
            expect(charts).to_have_count(0)
        if kr["checkins"]:
            item.locator("summary").click()
            expect(item.locator(".checkins tbody tr")).to_have_count(len(kr["checkins"]))
    # The search page says that it needs JavaScript. (Chromium parses <noscript> as
    # text when scripts are switched off through DevTools, so read its text.)
    page.goto(http_root + "search/index.html?q=sales")
    expect(page.locator("main noscript")).to_have_count(1)
    assert "Search needs JavaScript" in page.locator("main noscript").text_content()


# --------------------------------------------------------------------------- accessibility


@pytest.mark.parametrize(
    ("scheme", "viewport"),
    [("light", DESKTOP), ("dark", DESKTOP), ("light", MOBILE)],
    ids=["light", "dark", "mobile"],
)
def test_accessibility(site: Site, http_root: str, open_page, scheme: str, viewport) -> None:
    """axe-core finds no serious or critical problem (WCAG AA contrast included)."""
    page = open_page(color_scheme=scheme, viewport=viewport)
    found = []
    for name, path in site.pages().items():
        page.goto(http_root + path)
        if name == "search":
            expect(page.locator("#search-results li").first).to_be_visible()
        if name == "objective":
            page.locator("details.checkins summary").first.click()
        results = AXE.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:5]]
                found.append(f"{name}: {violation['id']} ({violation['help']}): {targets}")
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- print


def test_print_style_writes_out_the_report(
    site: Site, http_root: str, open_page: Callable[..., Page]
) -> None:
    page = open_page()
    objective = site.objective(site.pages()["objective"].split("/")[1])
    page.goto(http_root + site.pages()["objective"])
    note = next(c["note"] for kr in objective["key_results"] for c in kr["checkins"] if c["note"])
    expect(page.get_by_text(note, exact=True)).to_be_hidden()  # in a closed <details> on screen

    # the date is on the home and status pages only
    assert page.locator(".site-footer").inner_text().strip() == "Check-in feed · Data (JSON)"

    page.emulate_media(media="print")
    expect(page.get_by_text(note, exact=True)).to_be_visible()
    for kr in objective["key_results"]:
        if kr["checkins"]:
            rows = page.locator(f"#kr-{kr['id']} .checkins tbody tr")
            expect(rows.first).to_be_visible()
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".search-form")).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("li.key-result .status").first).to_be_visible()
    # The footer's links are left out, and the "·" before each of them too.
    assert page.locator(".site-footer").inner_text().strip() == ""
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    page.goto(http_root + site.pages()["status"])
    footer = page.locator(".site-footer").inner_text().strip()
    assert footer == "Published with okrpub on 26 November 2026", footer
    page.emulate_media(media="screen")
    footer = page.locator(".site-footer").inner_text().strip()
    assert footer == "Published with okrpub on 26 November 2026 · Check-in feed · Data (JSON)"


# --------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("mobile", MOBILE)], ids=["desktop", "mobile"]
)
def test_screenshots(
    site: Site, http_root: str, open_page: Callable[..., Page], device: str, viewport: dict
) -> None:
    """Full-page screenshots in light mode for docs/screenshots/, cut at 3000 px."""
    page = open_page(viewport=viewport, color_scheme="light", device_scale_factor=1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("home", "period", "objective", "status"):
        page.goto(http_root + site.pages()[name])
        page.evaluate("() => document.fonts.ready.then(() => true)")
        # Every card painted: content-visibility: auto can leave the cards outside the
        # viewport blank in a full-page screenshot taken on a busy machine.
        page.add_style_tag(content="* { content-visibility: visible !important; }")
        height = page.evaluate("() => document.documentElement.scrollHeight")
        path = SCREENSHOTS / f"{name}-{device}.png"
        try:
            page.screenshot(
                path=path,
                full_page=True,
                animations="disabled",
                caret="hide",
                clip={
                    "x": 0,
                    "y": 0,
                    "width": viewport["width"],
                    "height": min(height, MAX_SCREENSHOT_HEIGHT),
                },
            )
        except PlaywrightError as error:  # pragma: no cover - reported with the page's name
            pytest.fail(f"screenshot of {name} ({device}) failed: {error}")
        assert path.stat().st_size > 10_000
