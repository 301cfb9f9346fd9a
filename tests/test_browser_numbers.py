"""Numbers and periods as a person reads them, in headless Chromium: a period in a heading
stays whole on a phone (``2026-Q4`` broke after its hyphen at 390 px: "How we are doing in
2026-" / "Q4"), and a count the script writes has the language's thousands separator, as
the pages' own counts do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")

from browsertools import VIEWPORTS, built_and_served, served_folder
from playwright.sync_api import Page, expect
from sitetools import md

PAGES = ["", "periods/2026-q4/", "status/"]


@pytest.fixture(scope="module")
def root(example_site: Path) -> Iterator[str]:
    with served_folder(example_site) as served:
        yield served


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


WIDGETS = 1001


@pytest.fixture(scope="module")
def widgets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dutch site with 1,001 objectives named "Widget"."""
    files = {
        "okrpub.yaml": "language: nl\n",
        "content/units/acme.md": md("name: Acme\nkind: company\n"),
        **{
            f"content/2026-Q4/widget-{index}.md": md(
                f"title: Widget {index}\nowner: acme\nperiod: 2026-Q4\n"
            )
            for index in range(WIDGETS)
        },
    }
    with built_and_served(tmp_path_factory.mktemp("widgets"), files) as served:
        yield served


def test_a_count_the_script_writes_has_the_languages_thousands_separator(
    widgets: str, open_page: Callable[..., Page]
) -> None:
    page = open_page("1366")
    page.goto(f"{widgets}/search/?q=widget")
    expect(page.locator("#search-summary")).to_have_text("1.001 resultaten voor “widget”")
