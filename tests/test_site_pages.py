"""Every page type of the example site exists and shows what docs/site.md says it must.

The example is built once (``example_site``) on 2026-11-26: 2026-Q4 is the
current quarter and 2026-Q3 is closed and graded. Numbers the pages show are
checked against ``api/okrs.json`` of the same build and, where it matters,
against numbers worked out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitetools import (
    EXAMPLE_BASE_URL,
    REPOSITORY,
    Element,
    build,
    main_of,
    parse_html,
    write_files,
)

from okrpub.site import views

Q4_TEAMS = ["customer-service", "marketing", "warehouse", "webshop"]


@pytest.fixture(scope="module")
def data(example_site: Path) -> dict[str, Any]:
    return json.loads((example_site / "api" / "okrs.json").read_text(encoding="utf-8"))


def objectives_of(data: dict[str, Any], period: str) -> list[dict[str, Any]]:
    return [o for o in data["objectives"] if o["period"] == period]


def grade_text(score: float) -> str:
    return f"{score:.2f}"


def colour(score: float) -> str:
    return "red" if score < 0.4 else "yellow" if score < 0.7 else "green"


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def graded_mean(objectives: list[dict[str, Any]]) -> float | None:
    """The grade of a rollup: the mean of the graded objectives' grades, else none."""
    scores = [o["score"] for o in objectives if o["score"] is not None]
    return mean(scores) if scores else None


def link_to(element: Element, href_end: str) -> Element:
    """The one link inside ``element`` whose href ends with ``href_end``."""
    links = [a for a in element.find_all("a") if a.attrs.get("href", "").endswith(href_end)]
    assert len(links) == 1, f"{len(links)} links to {href_end}"
    return links[0]


def assert_grade(element: Element, score: float | None) -> None:
    """``element`` holds a grade with this value, coloured, with the colour in words; or,
    for ``None``, "not graded" without a colour (never 0.00). A grade is a link to its part
    of "How to read this site"."""
    grade = element.find("a", class_="grade")
    assert grade.attrs["href"].endswith(
        "how-to-read/index.html#" + ("not-graded" if score is None else "grades")
    )
    if score is None:
        assert grade.attrs["class"].split() == ["grade", "grade-none"]
        assert grade.text == "not graded"
        return
    word = colour(score)
    assert f"grade-{word}" in grade.attrs["class"].split()
    assert grade.text == f"{grade_text(score)} ({word})"


def section(main: Element, heading_id: str) -> Element:
    return main.find("section", aria_labelledby=heading_id)


# Home ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def home(example_site: Path) -> Element:
    return main_of(example_site / "index.html")


def test_home_shows_the_current_period(home: Element) -> None:
    assert home.find("h1").text == "How we are doing in 2026-Q4"
    assert "1 October 2026 – 31 December 2026" in home.find("p", class_="lead").text
    assert link_to(home.find("section", class_="hero"), "periods/2026-q4/index.html")


def test_home_shows_progress_and_no_grade_while_the_period_runs(
    home: Element, data: dict[str, Any]
) -> None:
    # 2026-Q4 runs: nothing is graded, so no "Overall grade" beside the progress (it used to
    # show the progress as a grade, 0.47, then "not graded")
    assert graded_mean(objectives_of(data, "2026-Q4")) is None
    figures = home.find("dl", class_="figures")
    assert [d.text for d in figures.find_all("dt")] == ["Progress", "Objectives"]
    assert not section(home, "company-heading").find_all("a", class_="grade")
    progress = next(d for d in figures.find_all("dt") if d.text == "Progress")
    assert progress.parent is not None
    # a qualitative objective (no key results, progress null) is not in the mean
    overall = mean(
        [o["progress"] for o in objectives_of(data, "2026-Q4") if o["progress"] is not None]
    )
    assert progress.parent.find("dd").text == f"{round(overall * 100)}%"


def test_home_lists_the_company_objectives_only(home: Element, data: dict[str, Any]) -> None:
    company = section(home, "company-heading")
    titles = [a.text for a in company.find_all("a", class_="objective-title")]
    assert titles == [
        "Grow to €1 million in online sales this quarter",
        "Stay a place people love to work, also in the Christmas rush",  # qualitative
    ]
    row = link_to(company, "objectives/grow-to-1m-online/index.html").closest("li")
    # while the period runs: progress and status, no grade
    assert not row.find_all("a", class_="grade")
    assert row.find("a", class_="status").text == "At risk"


def test_home_shows_each_teams_progress(home: Element, data: dict[str, Any]) -> None:
    teams = section(home, "teams-heading")
    # the period runs: objectives by status instead of a grade (it showed "not graded")
    assert [th.text for th in teams.find("thead").find_all("th")] == [
        "Team",
        "Objectives",
        "Progress",
        "Objectives by status",
    ]
    rows = teams.find("tbody").find_all("tr")
    assert [r.find("th").find("a").attrs["href"] for r in rows] == [
        f"units/{team}/index.html" for team in Q4_TEAMS
    ]
    marketing = rows[Q4_TEAMS.index("marketing")].find("span", class_="tally").text
    assert marketing == "At risk 1 On track 1"
    for row, team in zip(rows, Q4_TEAMS, strict=True):
        owned = [o for o in objectives_of(data, "2026-Q4") if o["owner"] == team]
        cells = row.find_all("td")
        assert cells[0].text == str(len(owned))
        progress = mean([o["progress"] for o in owned])
        assert cells[1].find("span", class_="progress-text").text == f"{round(progress * 100)}%"


def test_home_counts_objectives_by_status(home: Element, data: dict[str, Any]) -> None:
    counts = {
        item.find("a", class_="status").text: int(item.text.rsplit(" ", 1)[1])
        for item in home.find("ul", class_="status-counts").find_all("li")
    }
    statuses = [o["status"] for o in objectives_of(data, "2026-Q4")]
    assert counts == {
        "On track": statuses.count("on_track"),
        "At risk": statuses.count("at_risk"),
        "Off track": statuses.count("off_track"),
        "Done": statuses.count("done"),
    }
    assert sum(counts.values()) == 8


def test_home_links_to_every_period(home: Element) -> None:
    periods = section(home, "periods-heading")
    assert periods.hrefs() == [
        "periods/2026-q4/index.html",
        "periods/2026-q3/index.html",
        "how-to-read/index.html#grades",  # the closed period's grade
    ]
    assert "Closed" in periods.find_all("li")[1].text


# Period pages ------------------------------------------------------------------


@pytest.fixture(scope="module")
def q4(example_site: Path) -> Element:
    return main_of(example_site / "periods" / "2026-q4" / "index.html")


def tree_item(page: Element, objective_id: str) -> Element:
    """The ``<li>`` of the cascade tree that holds this objective's own tree (not one
    where it is listed "also under" a parent other than its first)."""
    cascade = section(page, "cascade-heading")
    homes = [
        div.closest("li")
        for div in cascade.find_all("div", class_="tree-item")
        if "also-under" not in div.attrs["class"].split()
        and div.find("a", class_="objective-title")
        .attrs["href"]
        .endswith(f"objectives/{objective_id}/index.html")
    ]
    assert len(homes) == 1, f"{objective_id} has {len(homes)} own places in the cascade"
    return homes[0]


def tree_parent(page: Element, objective_id: str) -> str | None:
    """The objective whose tree item holds this one's, or ``None`` at the top."""
    item = tree_item(page, objective_id)
    for ancestor in item.ancestors():
        if ancestor.tag == "li":
            link = ancestor.find("div", class_="tree-item").find("a", class_="objective-title")
            return link.attrs["href"].split("/")[-2]
    return None


def test_period_cascade_nests_company_team_person(q4: Element) -> None:
    assert q4.find("h1").text == "Period 2026-Q4"
    assert tree_parent(q4, "grow-to-1m-online") is None
    assert tree_parent(q4, "top-3-in-search") == "grow-to-1m-online"
    assert tree_parent(q4, "guides-and-links") == "top-3-in-search"
    for team_objective in [
        "five-star-service",
        "newspaper-campaign",
        "ship-same-day",
        "checkout-that-converts",
    ]:
        assert tree_parent(q4, team_objective) == "grow-to-1m-online"


def test_period_cascade_names_the_key_result_aligned_to(q4: Element) -> None:
    def meta(objective_id: str) -> str:
        item = tree_item(q4, objective_id).find("div", class_="tree-item")
        return item.find("span", class_="meta").text

    assert 'via key result “Reach the top 3 of search results for "buy barbecue"”' in meta(
        "top-3-in-search"
    )
    assert "via key result “Run a 20% discount campaign in two national newspapers”" in meta(
        "newspaper-campaign"
    )
    assert "via key result" not in meta("five-star-service")  # aligns to the objective
    assert "via key result" not in meta("guides-and-links")


def test_period_shows_unaligned_objectives_apart(q4: Element) -> None:
    unaligned = section(q4, "unaligned-heading")
    assert unaligned.hrefs().count("../../objectives/payments-expert/index.html") == 1
    cascade = section(q4, "cascade-heading")
    assert "../../objectives/payments-expert/index.html" not in cascade.hrefs()


def test_period_shows_progress_per_unit_while_it_runs(q4: Element, data: dict[str, Any]) -> None:
    assert section(q4, "grades-heading").find("h2").text == "Progress per team and person"
    table = section(q4, "grades-heading").find("tbody")
    shown = {
        row.find("th").find("a").attrs["href"].split("/")[-2]: row for row in table.find_all("tr")
    }
    owners = {owner for o in objectives_of(data, "2026-Q4") for owner in o["owners"]}
    assert set(shown) == owners
    assert {"smokey", "marketing", "sam", "tom"} <= owners
    for owner, row in shown.items():
        # every owner's rollup counts a co-owned objective; a qualitative one has no progress
        owned = [
            o["progress"]
            for o in objectives_of(data, "2026-Q4")
            if owner in o["owners"] and o["progress"] is not None
        ]
        assert row.find("span", class_="progress-text").text == f"{round(mean(owned) * 100)}%"
        assert not row.find_all("a", class_="grade")  # it showed "not graded" for each


def test_closed_period_shows_grades_per_unit(example_site: Path, data: dict[str, Any]) -> None:
    q3 = main_of(example_site / "periods" / "2026-q3" / "index.html")
    assert section(q3, "grades-heading").find("h2").text == "Grades per team and person"
    for row in section(q3, "grades-heading").find("tbody").find_all("tr"):
        owner = row.find("th").find("a").attrs["href"].split("/")[-2]
        owned = [o for o in objectives_of(data, "2026-Q3") if o["owner"] == owner]
        assert_grade(row, graded_mean(owned))


def test_closed_period_page(example_site: Path, data: dict[str, Any]) -> None:
    q3 = main_of(example_site / "periods" / "2026-q3" / "index.html")
    assert "Closed" in q3.find("p", class_="lead").text
    assert_grade(
        q3.find("p", class_="lead"), mean([o["score"] for o in objectives_of(data, "2026-Q3")])
    )
    assert tree_parent(q3, "summer-peak-q3") == "best-summer-ever-q3"
    assert tree_parent(q3, "webshop-team-q3") == "faster-webshop-q3"
    statuses = [s.text for s in section(q3, "cascade-heading").find_all("a", class_="status")]
    assert set(statuses) == {"Closed"}


# Objective pages -------------------------------------------------------------


def objective_page(site: Path, objective_id: str) -> Element:
    return main_of(site / "objectives" / objective_id / "index.html")


def key_result_item(page: Element, kr_id: str) -> Element:
    return page.find("li", class_="key-result", id=f"kr-{kr_id}")


def figures(item: Element) -> dict[str, str]:
    """The ``<dt>`` → ``<dd>`` texts of a key result."""
    dl = item.find("dl", class_="kr-figures")
    return {div.find("dt").text: div.find("dd").text for div in dl.find_all("div")}


def test_objective_page_shows_every_key_result(example_site: Path, data: dict[str, Any]) -> None:
    for entry in data["objectives"]:
        page = objective_page(example_site, entry["id"])
        assert page.find("h1").text == entry["title"]
        items = page.find_all("li", class_="key-result")
        assert [i.attrs["id"] for i in items] == [f"kr-{kr['id']}" for kr in entry["key_results"]]
        for item, kr in zip(items, entry["key_results"], strict=True):
            assert item.find("h3").text == kr["title"]


def test_key_result_progress_bar_has_a_text_label(example_site: Path) -> None:
    item = key_result_item(objective_page(example_site, "top-3-in-search"), "buying-guides")
    bar = item.find("span", class_="progress")
    assert bar.attrs["role"] == "progressbar"
    assert bar.attrs["aria-valuenow"] == "67"
    assert bar.attrs["aria-label"] == "Progress of Publish 12 buying guides"
    assert item.find("span", class_="progress-text").text == "67%"  # 8 of 12


def test_key_result_shows_start_current_target_with_units(example_site: Path) -> None:
    page = objective_page(example_site, "grow-to-1m-online")
    sales = figures(key_result_item(page, "online-sales"))
    assert (sales["Start"], sales["Now"], sales["Target"]) == (
        "€ 420,000",
        "€ 638,000",
        "€ 1,000,000",
    )
    assert sales["Confidence"] == "45%"
    assert sales["Status"] == "At risk"
    assert "Grade" not in sales  # the period runs (it showed "not graded")
    reasons = key_result_item(page, "online-sales").find("p", class_="kr-reasons")
    assert reasons.text == "Why: confidence 45% (below 50%)"
    assert "38%" in key_result_item(page, "online-sales").find("p", class_="kr-progress").text
    rank = key_result_item(page, "top-3")
    assert (figures(rank)["Start"], figures(rank)["Now"], figures(rank)["Target"]) == (
        "rank 14",
        "rank 6",
        "rank 3",
    )  # the example writes its rank before the number (unit_position: before)
    # a value and its unit never break over two lines
    assert "rank\u00a014" in rank.find("dl", class_="kr-figures").raw_text()
    assert "lower is better" in rank.find("p", class_="meta").text
    assert "Grade" not in figures(rank)
    assert "73%" in rank.find("p", class_="kr-progress").text  # (6 - 14) / (3 - 14)


def test_binary_key_result_shows_done_or_not(example_site: Path) -> None:
    page = objective_page(example_site, "grow-to-1m-online")
    checkout = figures(key_result_item(page, "new-checkout"))
    assert checkout["Done"] == "not done"
    assert "Start" not in checkout
    assert "Grade" not in checkout  # the period runs (it showed "not graded", never 0.00)
    closed = objective_page(example_site, "faster-webshop-q3")
    assert {figures(item)["Grade"] for item in closed.find_all("li", class_="key-result")} == {
        "0.90 (green)",
        "0.85 (green)",
        "0.30 (red)",
        "not graded",
    }


def test_objective_shows_grade_with_colour_word_and_status(example_site: Path) -> None:
    page = objective_page(example_site, "grow-to-1m-online")
    header = page.find("article").find("header")
    # the period runs: progress and status, no grade (it showed "not graded")
    assert [d.text for d in header.find("dl", class_="figures").find_all("dt")] == [
        "Progress",
        "Status",
    ]
    # closed: the grade of the three graded key results, and what it covers
    closed = objective_page(example_site, "faster-webshop-q3").find("dl", class_="figures")
    assert_grade(closed, (0.9 + 0.85 + 0.3) / 3)
    assert "· 3 of 4 graded" in closed.text
    assert "At risk" in header.find("dl", class_="figures").text
    assert "Committed" in header.find("p", class_="lead").text


def test_numeric_key_result_has_an_svg_chart_with_a_target_line(example_site: Path) -> None:
    item = key_result_item(objective_page(example_site, "top-3-in-search"), "organic-sessions")
    svg = item.find("svg", class_="chart")
    assert svg.attrs["role"] == "img"
    assert svg.find("title").text == "Check-ins of Grow organic search visits to 30,000 a week"
    assert svg.find_all("line", class_="chart-target")
    points = svg.find_all("circle", class_="chart-point")
    assert len(points) == 8
    assert points[-1].find("title").text == "23 November 2026: 25,600 visits"
    labels = [t.text for t in svg.find_all("text")]
    # the axis in nice ticks of the unit, the target and the last value written out
    assert {"15k", "20k", "25k", "30k", "visits", "target 30,000 visits", "25,600 visits"} <= set(
        labels
    )


def test_binary_key_result_has_no_chart(example_site: Path) -> None:
    item = key_result_item(objective_page(example_site, "grow-to-1m-online"), "new-checkout")
    assert not item.find_all("svg")


def test_checkin_history_is_newest_first(example_site: Path) -> None:
    item = key_result_item(objective_page(example_site, "top-3-in-search"), "organic-sessions")
    rows = item.find("details", class_="checkins").find("tbody").find_all("tr")
    dates = [row.find("td").text for row in rows]
    assert dates[0] == "23 November 2026"
    assert dates[-1] == "5 October 2026"
    assert "Black Friday searches are picking up." in rows[0].text


def test_breadcrumbs_go_up_to_the_company(example_site: Path) -> None:
    page = objective_page(example_site, "guides-and-links")
    crumbs = page.find("nav", class_="breadcrumbs").find_all("li")
    assert [c.text for c in crumbs] == [
        "2026-Q4",
        "Grow to €1 million in online sales this quarter",
        "Be the shop people find when they search for a barbecue",
        "Write the barbecue guides everyone links to",
    ]
    assert crumbs[-1].attrs["aria-current"] == "page"
    assert crumbs[1].find("a").attrs["href"] == "../../objectives/grow-to-1m-online/index.html"


def test_objective_names_what_it_aligns_to(example_site: Path) -> None:
    aligns = objective_page(example_site, "top-3-in-search").find("p", class_="aligns")
    assert aligns.find("a").attrs["href"] == "../../objectives/grow-to-1m-online/index.html"
    assert 'Reach the top 3 of search results for "buy barbecue"' in aligns.text


def test_objective_lists_its_aligned_children(example_site: Path) -> None:
    children = section(objective_page(example_site, "grow-to-1m-online"), "children-heading")
    assert sorted(h.split("/")[-2] for h in children.hrefs() if "objectives/" in h) == [
        "checkout-that-converts",
        "five-star-service",
        "newspaper-campaign",
        "ship-same-day",
        "top-3-in-search",
    ]
    leaf = section(objective_page(example_site, "guides-and-links"), "children-heading")
    assert leaf.text.endswith("No objectives align to this one yet.")


def test_objective_renders_its_markdown_body(example_site: Path) -> None:
    body = section(objective_page(example_site, "ship-same-day"), "why-heading")
    assert "More sales only help if we can ship them." in body.text
    table = body.find("table")
    assert [th.text for th in table.find("thead").find_all("th")] == [
        "",
        "Q3 2026",
        "Goal Q4 2026",
    ]
    assert "|" not in table.text


def test_objective_shows_tags_and_stale_marker(example_site: Path) -> None:
    page = objective_page(example_site, "ship-same-day")
    assert [t.text for t in page.find("ul", class_="tags").find_all("li")] == ["logistics"]
    damaged = figures(key_result_item(page, "damaged"))
    assert "no recent check-in" in damaged["Status"]


# Unit pages ------------------------------------------------------------------


def unit_page(site: Path, unit_id: str) -> Element:
    return main_of(site / "units" / unit_id / "index.html")


def test_unit_page_shows_description_parent_and_members(example_site: Path) -> None:
    page = unit_page(example_site, "marketing")
    assert page.find("h1").text == "Marketing"
    assert "Marketing brings people to the shop" in page.find("div", class_="body").text
    lead = page.find("p", class_="lead")
    assert "part of Smokey Joe's" in lead.text
    assert "../../units/smokey/index.html" in lead.hrefs()
    assert "../../units/maria/index.html" in lead.hrefs()  # the lead
    members = section(page, "members-heading")
    assert members.hrefs() == ["../../units/maria/index.html", "../../units/sam/index.html"]
    assert not page.find_all(aria_labelledby="sub-units-heading")


def test_company_page_lists_its_teams(example_site: Path) -> None:
    page = unit_page(example_site, "smokey")
    teams = section(page, "sub-units-heading")
    assert teams.hrefs() == [f"../../units/{team}/index.html" for team in Q4_TEAMS]
    assert section(page, "members-heading").hrefs() == ["../../units/joe/index.html"]


def test_unit_page_lists_objectives_by_period_with_grades(
    example_site: Path, data: dict[str, Any]
) -> None:
    page = unit_page(example_site, "marketing")
    groups = section(page, "objectives-heading").find_all("section", class_="period-group")
    assert [g.find("h3").find("a").text for g in groups] == ["2026-Q4", "2026-Q3"]
    for group in groups:
        period = group.find("h3").find("a").text
        owned = [o for o in objectives_of(data, period) if "marketing" in o["owners"]]
        titles = group.find("ul", class_="objective-list").find_all("a", class_="objective-title")
        links = [a.attrs["href"] for a in titles]
        assert links == [f"../../objectives/{o['id']}/index.html" for o in owned]
        if period == "2026-Q3":
            assert_grade(group.find("h3"), graded_mean(owned))
        else:  # running: its progress, no grade (it showed "not graded")
            progress = mean([o["progress"] for o in owned])
            assert group.find("h3").find("span", class_="progress-text").text == (
                f"{round(progress * 100)}%"
            )
            assert not group.find("h3").find_all("a", class_="grade")


def test_person_who_owns_a_key_result_but_no_objective(example_site: Path) -> None:
    """Lena leads Customer Service and owns one of its key results, but no objective:
    her page says what she leads and lists that key result, and no empty objectives."""
    page = unit_page(example_site, "lena")
    lead = page.find("p", class_="lead")
    assert "Person · part of Customer Service · leads Customer Service" in lead.text
    owned = section(page, "key-results-heading")
    assert owned.find("a", class_="objective-title").text == "Average review rating of 4.7 stars"
    assert "../../objectives/five-star-service/index.html#kr-review-rating" in owned.hrefs()
    assert not page.find_all(aria_labelledby="objectives-heading")


def test_units_index_is_a_tree(example_site: Path) -> None:
    page = main_of(example_site / "units" / "index.html")
    sam = link_to(page, "units/sam/index.html").closest("li")
    marketing = sam.closest("ul").closest("li")
    assert marketing.find("a").attrs["href"] == "../units/marketing/index.html"


# Status page -----------------------------------------------------------------


@pytest.fixture(scope="module")
def status(example_site: Path) -> Element:
    return main_of(example_site / "status" / "index.html")


def kr_links(table_section: Element) -> list[str]:
    return [
        row.find("th").find("a").attrs["href"]
        for body in table_section.find_all("tbody")
        for row in body.find_all("tr")
    ]


def status_list(status: Element, anchor: str) -> Element:
    return status.find("section", id=anchor)


def teams_of(table_section: Element) -> list[str]:
    return [
        group.attrs["data-team"] for group in table_section.find_all("div", class_="team-group")
    ]


def test_status_lists_off_track_and_at_risk_key_results_by_team(
    status: Element, data: dict[str, Any]
) -> None:
    for wanted in ("off_track", "at_risk"):
        expected = {
            f"../objectives/{o['id']}/index.html#kr-{kr['id']}"
            for o in objectives_of(data, "2026-Q4")
            for kr in o["key_results"]
            if kr["status"] == wanted
        }
        listed = status_list(status, f"2026-q4-{wanted}")
        assert set(kr_links(listed)) == expected
        rows = [row for row in listed.find_all("tr") if "data-status" in row.attrs]
        assert {row.find("a", class_="status").attrs["class"] for row in rows} == {
            f"status status-{wanted}"
        }
    # grouped by team in the order of the units; a key result's own owner (marketing for
    # "newspapers" in the company objective) decides, and a person's team (sam: marketing)
    at_risk = status_list(status, "2026-q4-at_risk")
    assert teams_of(at_risk) == ["smokey", "customer-service", "marketing", "warehouse"]
    marketing = at_risk.find("div", data_team="marketing")
    assert [href.split("#kr-")[1] for href in kr_links(marketing)] == [
        "newspapers",
        "campaign-revenue",
    ]
    assert marketing.find("h4").text == "Marketing 2 key results"
    # tom's "pairing" is cancelled: it is not counted as off track
    off_track = status_list(status, "2026-q4-off_track")
    assert off_track.find("h3").text == "Off track 1 key result off track"
    assert teams_of(off_track) == ["warehouse"]


def test_every_status_row_says_why(status: Element) -> None:
    reasons = {
        row.find("th").find("a").attrs["href"].split("#kr-")[1]: row.find(
            "span", class_="reasons"
        ).text
        for row in status.find_all("tr")
        if "data-status" in row.attrs
    }
    assert reasons["peak-capacity"] == "confidence 20% (below 30%) · 31% against a pace of 62%"
    assert reasons["online-sales"] == "confidence 45% (below 50%)"
    assert reasons["newspapers"] == "50% against a pace of 78%"
    assert reasons["damaged"] == ("36% against a pace of 62% · no check-in since 2 November 2026")
    assert reasons["guide-visitors"] == "no value reported yet"


def test_status_prints_the_rule(status: Element) -> None:
    rule = status.find("ul", class_="rule").text
    assert (
        "Off track when its owner's confidence is below 30%, its progress is more than 50" in rule
    )
    assert "At risk when confidence is below 50%, progress is more than 25 points behind" in rule
    assert "no check-in for more than 7 days" in rule


def test_status_lists_key_results_with_no_data_yet(status: Element) -> None:
    no_data = status_list(status, "2026-q4-no_data")
    assert no_data.find("h3").text == "No data yet 1 key result with no data yet"
    assert kr_links(no_data) == ["../objectives/guides-and-links/index.html#kr-guide-visitors"]
    assert teams_of(no_data) == ["marketing"]  # sam's team
    assert "no data yet" in no_data.find("tbody").text


def test_a_stale_key_result_is_at_risk_and_says_so(status: Element) -> None:
    # there was a list of stale key results; a stale one is at risk and gives the reason
    at_risk = status_list(status, "2026-q4-at_risk")
    row = link_to(at_risk, "objectives/ship-same-day/index.html#kr-damaged").closest("tr")
    assert "no check-in since 2 November 2026" in row.find("span", class_="reasons").text
    assert "2 November 2026" in row.find_all("td")[-1].text


def test_status_lists_unaligned_objectives(status: Element) -> None:
    unaligned = status.find("section", id="2026-q4-unaligned")
    assert unaligned.find("ul").hrefs()[0] == "../objectives/payments-expert/index.html"


def test_status_covers_every_running_period(tmp_path: Path) -> None:
    """A year and a quarter running at once: both are on the page (it showed the shortest)."""
    files = {
        "okrpub.yaml": "periods:\n  fy2026: {start: 2026-01-01, end: 2026-12-31}\n",
        "content/units/acme.md": "---\nname: Acme\nkind: company\n---\n",
        "content/fy2026/acme/year.md": objective_file("fy2026", "0.2"),
        "content/2026-Q4/acme/quarter.md": objective_file("2026-Q4", "0.4"),
    }
    project = write_files(tmp_path / "p", files)
    assert build(project, tmp_path / "site").code == 0
    page = main_of(tmp_path / "site" / "status" / "index.html")
    assert [h.text.split(" ")[1] for h in page.find_all("h2")[1:3]] == ["2026-Q4", "fy2026"]
    assert kr_links(status_list(page, "fy2026-off_track")) == ["../objectives/year/index.html#kr-k"]
    assert kr_links(status_list(page, "2026-q4-at_risk")) == [
        "../objectives/quarter/index.html#kr-k"
    ]


def objective_file(period: str, confidence: str) -> str:
    return (
        f"---\ntitle: T\nowner: acme\nperiod: {period}\nkey_results:\n"
        f"  - {{id: k, title: K, start: 0, target: 10, checkins: "
        f"[{{date: 2026-11-25, value: 9, confidence: {confidence}}}]}}\n---\n"
    )


def test_home_status_counts_link_to_the_status_page(home: Element, status: Element) -> None:
    counts = home.find("ul", class_="status-counts")
    links = [a.attrs["href"] for a in counts.find_all("a", class_="count")]
    assert links == ["status/index.html#2026-q4-at_risk"]  # the only status with objectives
    assert status_list(status, "2026-q4-at_risk")


def test_status_lists_show_the_first_rows_and_count_the_rest(
    status: Element, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large organisation has thousands of key results behind: each list is capped."""
    monkeypatch.setattr(views, "STATUS_LIST_LIMIT", 2)
    assert build(REPOSITORY, tmp_path / "site", "--no-cache").code == 0
    capped = main_of(tmp_path / "site" / "status" / "index.html")
    full = kr_links(status_list(status, "2026-q4-at_risk"))
    at_risk = status_list(capped, "2026-q4-at_risk")
    # the first two in the order of the objectives, then grouped by team
    assert kr_links(at_risk) == [
        "../objectives/grow-to-1m-online/index.html#kr-online-sales",
        "../objectives/grow-to-1m-online/index.html#kr-newspapers",
    ]
    assert at_risk.find("h3").text == status_list(status, "2026-q4-at_risk").find("h3").text
    assert at_risk.find("p", class_="meta").text == (
        f"And {len(full) - 2} more; each unit's page lists its own."
    )
    off_track = status_list(capped, "2026-q4-off_track")  # one: all shown
    assert kr_links(off_track) == kr_links(status_list(status, "2026-q4-off_track"))
    assert "more;" not in off_track.text


def test_status_has_a_grading_report_of_closed_periods(status: Element) -> None:
    rows = section(status, "grading-heading").find("tbody").find_all("tr")
    assert len(rows) == 1
    cells = [c.text for c in rows[0].find_all("td")]
    assert rows[0].find("th").text == "2026-Q3"
    # 17 of 18 key results graded: 11 green, 4 yellow (0.45, 0.5, 0.55, 0.65), 2 red (0.3,
    # 0.3); "new-hosting" is done but not graded, so it has no colour. The grade is the
    # mean of the objectives' grades, best-summer-ever-q3's its own 0.7 (not its key
    # results' 0.76)
    assert cells == ["5", "0.70 (green) · 17 of 18 graded", "11", "4", "2", "1 / 18"]


# Free pages, 404 and search ----------------------------------------------------


def test_free_page(example_site: Path) -> None:
    page = main_of(example_site / "pages" / "how-we-use-okrs" / "index.html")
    assert page.find("h1").text == "How we use OKRs at Smokey Joe's"
    body = page.find("div", class_="body")
    assert [h.text for h in body.find_all("h2")][:2] == ["Objectives and key results", "The rhythm"]
    assert body.find("table")
    assert body.find("strong").text == "Objectives and Key Results"


def test_free_pages_are_in_the_navigation(example_site: Path) -> None:
    nav = parse_html(example_site / "index.html").find("nav", class_="site-nav")
    assert "pages/how-we-use-okrs/index.html" in nav.hrefs()


def test_not_found_page_links_under_base_url(example_site: Path) -> None:
    page = main_of(example_site / "404.html")
    assert page.find("h1").text == "Page not found"
    assert page.hrefs() == [f"{EXAMPLE_BASE_URL}index.html"]


def test_not_found_page_without_base_url_links_relatively(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(REPOSITORY, out, "--base-url", "").code == 0
    assert main_of(out / "404.html").hrefs() == ["index.html"]


def test_search_page(example_site: Path) -> None:
    document = parse_html(example_site / "search" / "index.html")
    page = document.find("main")
    assert page.find("h1").text == "Search"
    assert page.find("ol", id="search-results")
    assert page.find("noscript")
    box = document.find("input", id="search-box")
    assert box.attrs["data-index"] == "../search/titles.js"
    assert page.find("ol", id="search-results").attrs["data-index"] == "../search/index.js"
    assert box.closest("form").attrs["action"] == "../search/index.html"


def test_every_page_has_one_h1_title_and_language(example_site: Path) -> None:
    for path in sorted(example_site.rglob("*.html")):
        document = parse_html(path)
        assert len(document.find_all("h1")) == 1, path
        assert document.find("html").attrs["lang"] == "en"
        assert document.find("title").text.endswith("· Smokey Joe's OKRs")
