"""Live reload in a real browser: ``okrpub serve`` and headless Debian Chromium (Playwright).

A page left open reloads by itself when a file changes, shows the error
overlay by itself when a file breaks, and drops it when the file is fixed.
Console errors, uncaught exceptions, failed requests and HTTP errors on the
page fail the test. Without Chromium at ``/usr/bin/chromium`` the tests fail
and say how to install it (``bash tests/run.sh`` does); they are skipped only
when Playwright itself is missing (installed without the ``test`` extra).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from servetools import Served, copy_example, start_serve

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Browser, Page, Request, expect

#: Milliseconds a page may take to follow a change: generous, speed is the benchmark's.
TIMEOUT_MS = 20_000
Q4 = "content/2026-Q4"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("serve-browser")
    with start_serve(copy_example(base / "project"), base / "tmp") as served:
        yield served
        assert served.stop() == 0, served.stderr


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """``open_page(url)``: a page in a fresh context whose every problem fails the test."""
    problems: list[str] = []
    context = browser.new_context()

    def on_failed(request: Request) -> None:
        # A reload cuts the old page's requests short (its event stream): aborted, not failed.
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {request.url} ({request.failure})")

    def open_(url: str) -> Page:
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
        page.on("requestfailed", on_failed)
        page.on(
            "response",
            lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        response = page.goto(url)
        assert response is not None and response.ok, url
        return page

    yield open_
    context.close()  # before the server goes: a closed event stream is no page problem
    assert not problems, "\n".join(problems)


def _not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.okrpubTestMark === true"))


def test_an_open_page_follows_edits_and_errors_by_itself(
    served: Served, open_page: Callable[[str], Page]
) -> None:
    file = served.project / Q4 / "webshop/checkout-that-converts.md"
    good = file.read_text(encoding="utf-8")
    page = open_page(served.url + "objectives/checkout-that-converts/")
    title = page.locator("main h1")
    expect(title).to_have_text("A checkout that turns visitors into customers")
    overlay = page.locator("#okrpub-errors")
    expect(overlay).to_have_count(0)

    # An edit: the page reloads itself (the mark set on this page is gone) with the new title.
    page.evaluate("window.okrpubTestMark = true")
    file.write_text(good.replace("title: A checkout", "title: A live checkout"), encoding="utf-8")
    expect(title).to_have_text(
        "A live checkout that turns visitors into customers", timeout=TIMEOUT_MS
    )
    assert not _not_reloaded(page)

    # A YAML syntax error: the overlay appears by itself, naming the place, over the last good page.
    page.evaluate("window.okrpubTestMark = true")
    file.write_text(good.replace("type: committed", "type: [committed"), encoding="utf-8")
    expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
    expect(overlay).to_contain_text(
        re.compile(rf"{re.escape(Q4)}/webshop/checkout-that-converts\.md:\d+:\d+: error: ")
    )
    expect(title).to_have_text("A live checkout that turns visitors into customers")
    assert not _not_reloaded(page)

    # Fixed: the overlay goes by itself and the page shows the fixed file.
    file.write_text(good.replace("title: A checkout", "title: A fixed checkout"), encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=TIMEOUT_MS)
    expect(title).to_have_text("A fixed checkout that turns visitors into customers")


def test_a_check_in_moves_the_progress_bar_on_the_parents_page(
    served: Served, open_page: Callable[[str], Page]
) -> None:
    """The newcomer's first edit: a key result's value, seen on the parent objective's page."""
    page = open_page(served.url + "objectives/grow-to-1m-online/")
    bar = page.get_by_role(
        "progressbar", name="Progress of Be the shop people find when they search for a barbecue"
    )
    before = int(bar.get_attribute("aria-valuenow") or "")
    file = served.project / Q4 / "marketing/top-3-in-search.md"
    text = file.read_text(encoding="utf-8")
    assert "value: 25600," in text
    file.write_text(text.replace("value: 25600,", "value: 30000,"), encoding="utf-8")
    expect(bar).not_to_have_attribute("aria-valuenow", str(before), timeout=TIMEOUT_MS)
    assert int(bar.get_attribute("aria-valuenow") or "") > before
