"""The period page at any size, and the period switcher (issue #18, item 7).

Built through the command line: the cascade shows its first two levels and keeps
each deeper subtree in a closed ``details`` (so it works without JavaScript),
each card carries what the filter by team, owner and status reads, the tools are
there for JavaScript to show, and every page's navigation reaches every period.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from projecttools import BASE
from sitetools import Element, build, main_of, md, parse_html, write_files

#: Acme > Sales > Jo, and Ann in Sales; a chain of four objectives in 2026-Q4 and one in
#: 2026-Q3 (closed on ``TODAY``).
FILES = {
    **BASE,
    "content/units/ann.md": md("name: Ann Lee\nkind: person\nparent: sales\n"),
    "content/2026-Q4/sales/sell.md": md(
        """
        title: Sell more
        owner: sales
        parent: grow#revenue
        key_results:
          - id: deals
            title: Close 10 deals
            start: 0
            target: 10
            checkins: [{date: 2026-11-24, value: 6}]
        """
    ),
    "content/2026-Q4/jo/calls.md": md(
        """
        title: Call every customer
        owner: jo
        parent: sell
        key_results:
          - id: calls
            title: Make 100 calls
            start: 0
            target: 100
            checkins: [{date: 2026-11-24, value: 60}]
        """
    ),
    "content/2026-Q4/jo/script.md": md(
        """
        title: Write a call script
        owner: jo
        parent: calls
        key_results:
          - id: script
            title: Script written
            done: true
            checkins: [{date: 2026-11-24, value: true}]
        """
    ),
    "content/2026-Q4/ann/leads.md": md(
        """
        title: Find new leads
        owner: ann
        parent: sell
        key_results:
          - id: leads
            title: Find 40 leads
            start: 0
            target: 40
            checkins: [{date: 2026-11-24, value: 4}]
        """
    ),
    "content/2026-Q3/acme/summer.md": md(
        """
        title: A good summer
        owner: acme
        period: 2026-Q3
        key_results:
          - id: grills
            title: Sell 100 grills
            start: 0
            target: 100
            score: 0.6
            checkins: [{date: 2026-09-20, value: 60}]
        """
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cascade")
    root = write_files(folder / "project", FILES)
    result = build(root, folder / "site")
    assert result.code in (0, 1), result.err
    return folder / "site"


def card(page: Element, title: str) -> Element:
    """The cascade's ``<li>`` of the objective titled ``title``."""
    link = next(a for a in page.find("div", id="cascade").find_all("a") if a.text == title)
    return link.closest("li")


def closed_subtrees_above(item: Element) -> list[Element]:
    return [e for e in item.ancestors() if e.tag == "details" and "tree-more" in e.attrs["class"]]


def test_the_cascade_is_collapsed_below_the_second_level(site: Path) -> None:
    page = main_of(site / "periods/2026-q4/index.html")
    # levels 1 and 2 show; level 3 is in one closed subtree, level 4 in two
    assert closed_subtrees_above(card(page, "Grow the business")) == []
    assert closed_subtrees_above(card(page, "Sell more")) == []
    below_sales = closed_subtrees_above(card(page, "Call every customer"))
    assert len(below_sales) == 1
    assert closed_subtrees_above(card(page, "Find new leads")) == below_sales
    assert len(closed_subtrees_above(card(page, "Write a call script"))) == 2
    for details in page.find_all("details", class_="tree-more"):
        assert "open" not in details.attrs
    summaries = [d.find("summary").text for d in page.find_all("details", class_="tree-more")]
    assert summaries == ["3 objectives below", "1 objective below"]
    # the subtree belongs to the card of Sales's objective
    assert below_sales[0].parent is card(page, "Sell more")


def test_cards_carry_what_the_filter_reads(site: Path) -> None:
    page = main_of(site / "periods/2026-q4/index.html")
    assert card(page, "Write a call script").attrs["data-units"] == "jo sales acme"
    assert card(page, "Write a call script").attrs["data-status"] == "done"
    assert card(page, "Sell more").attrs["data-units"] == "sales acme"
    tools = page.find("div", id="cascade-tools")
    assert "hidden" in tools.attrs  # shown by JavaScript only
    buttons = {b.attrs["data-cascade"]: b.text for b in tools.find_all("button")}
    assert buttons == {"expand": "Expand all", "collapse": "Collapse all"}
    units = [
        (o.attrs["value"], o.text)
        for o in tools.find("select", id="filter-unit").find_all("option")
    ]
    assert units == [("", "Any team"), ("acme", "Acme"), ("sales", "Sales")]  # no people
    statuses = [
        o.attrs["value"] for o in tools.find("select", id="filter-status").find_all("option")
    ]
    assert statuses[0] == "" and "done" in statuses
    assert len(statuses) == len(set(statuses))
    assert tools.find("input", id="filter-owner").attrs["type"] == "text"
    labels = [label.text for label in tools.find_all("label")]
    assert [text.split()[0] for text in labels] == ["Team", "Owner", "Status"]


def test_the_period_switcher_reaches_every_period_from_every_page(site: Path) -> None:
    for path in ("index.html", "periods/2026-q3/index.html", "objectives/script/index.html"):
        nav = parse_html(site / path).find("nav", class_="site-nav")
        switcher = nav.find("li", class_="period-switcher")
        assert switcher.find("summary").text == "Periods"
        links = [(a.text, a.attrs["href"]) for a in switcher.find_all("a")]
        root = "../" * path.count("/")
        assert links == [
            ("2026-Q4", f"{root}periods/2026-q4/index.html"),
            ("2026-Q3", f"{root}periods/2026-q3/index.html"),
        ]
        current = [a.text for a in switcher.find_all("a") if "aria-current" in a.attrs]
        assert current == (["2026-Q3"] if path.startswith("periods/") else [])
        assert "Current" in switcher.find_all("li")[0].text
