"""A period in a heading stays whole on a phone: ``2026-Q4`` broke after its hyphen at 390 px
("How we are doing in 2026-" / "Q4"). In headless Chromium at 390 and 1366 px."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")

from browsertools import VIEWPORTS, page_opener, served_folder
from playwright.sync_api import Browser, Page

PAGES = ["", "periods/2026-q4/", "status/"]


@pytest.fixture(scope="module")
def root(example_site: Path) -> Iterator[str]:
    with served_folder(example_site) as served:
        yield served


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    with page_opener(browser) as open_:
        yield open_


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("path", PAGES)
def test_a_period_in_a_heading_is_on_one_line(
    root: str, open_page: Callable[..., Page], path: str, width: str
) -> None:
    page = open_page(width)
    page.goto(f"{root}/{path}")
    periods = page.locator("h1 .unbroken, h2 .unbroken")
    assert periods.count() >= 1
    for index in range(periods.count()):
        period = periods.nth(index)
        assert period.inner_text() in {"2026-Q4", "2026-Q3"}
        assert period.evaluate("element => element.getClientRects().length") == 1
        lines = period.evaluate("element => Math.round(element.getBoundingClientRect().height)")
        line_height = period.evaluate(
            "element => parseFloat(getComputedStyle(element.parentElement).lineHeight)"
        )
        assert lines <= line_height * 1.1
