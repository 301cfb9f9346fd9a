"""Issue #18: one colour language, the status rule on the site, and "How to read this site".

While a period runs, colour means status only: progress bars are neutral and there is
no grade. Grades, in their colours, appear once a period has closed. Every status and
grade badge links to its part of the generated page ``how-to-read/index.html``, which
every site has, in its language, with the thresholds of its ``okrpub.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitetools import (
    SMALL_PROJECT,
    Element,
    build,
    ids_of,
    main_of,
    md,
    parse_html,
    run_okrpub,
    write_files,
)

GUIDE = "how-to-read/index.html"
#: The parts of the page that badges and the status page link to.
PARTS = {
    "progress",
    "pace",
    "confidence",
    "status",
    "grades",
    "not-graded",
    "no-data",
    "cancelled",
    *(
        f"status-{s}"
        for s in ("on_track", "at_risk", "off_track", "no_data", "done", "closed", "cancelled")
    ),
}


def pages(site: Path) -> dict[str, Element]:
    return {
        p.relative_to(site).as_posix(): parse_html(p)
        for p in sorted(site.rglob("*.html"))
        if p.name == "index.html"
    }


def test_the_example_has_a_page_on_how_to_read_it(example_site: Path) -> None:
    page = main_of(example_site / GUIDE)
    assert page.find("h1").text == "How to read this site"
    assert set(ids_of(page)) >= PARTS
    assert "below 50%" in page.find("ul", class_="rule").text  # the default rule
    bands = page.find("ul", class_="bands").text
    assert "green: 0.70 and above" in bands
    assert "red: below 0.40" in bands
    # every page's menu reaches it
    home = parse_html(example_site / "index.html")
    assert GUIDE in home.find("nav", class_="site-nav").hrefs()


def test_every_badge_links_to_its_part_of_the_page(example_site: Path) -> None:
    seen = set()
    for name, document in pages(example_site).items():
        for badge in document.find_all("a", class_="status") + document.find_all(
            "a", class_="grade"
        ):
            path, _, part = badge.attrs["href"].rpartition("#")
            assert path.endswith(GUIDE), (name, badge.attrs["href"])
            assert part in PARTS, (name, part)
            kind = badge.attrs["class"].split()[1]
            expected = {"grade-none": "not-graded"}.get(kind, "grades")
            if kind.startswith("status-"):
                expected = kind
            assert part == expected, (name, kind, part)
            seen.add(part)
    assert {"status-on_track", "status-at_risk", "status-closed", "grades", "not-graded"} <= seen


def test_colour_means_status_while_a_period_runs(example_site: Path) -> None:
    """No grade and no grade colour on a running period's pages; progress bars are neutral."""
    for name, document in pages(example_site).items():
        for bar in document.find_all("span", class_="progress-bar"):
            assert bar.attrs["class"] == "progress-bar", name
    running = [
        main_of(example_site / "objectives" / o / "index.html")
        for o in ("grow-to-1m-online", "ship-same-day", "guides-and-links")
    ]
    running.append(main_of(example_site / "periods" / "2026-q4" / "index.html"))
    for page in running:
        assert not page.find_all("a", class_="grade")
        assert page.find_all("a", class_="status")
    assert (
        "grade"
        not in main_of(example_site / "periods" / "2026-q4" / "index.html")
        .find("p", class_="lead")
        .text.lower()
    )


def test_grades_appear_once_a_period_has_closed(example_site: Path) -> None:
    page = main_of(example_site / "objectives" / "faster-webshop-q3" / "index.html")
    grades = [a.attrs["class"] for a in page.find_all("a", class_="grade")]
    assert "grade grade-green" in grades
    assert "grade grade-red" in grades
    assert "grade grade-none" in grades  # not graded, as such
    assert {a.text for a in page.find_all("a", class_="status")} <= {"Closed", "Done"}


def test_the_page_is_in_dutch(tmp_path: Path) -> None:
    project = write_files(tmp_path / "p", {**SMALL_PROJECT, "okrpub.yaml": "language: nl\n"})
    assert build(project, tmp_path / "site").code == 0
    page = main_of(tmp_path / "site" / GUIDE)
    assert page.find("h1").text == "Zo lees je deze site"
    assert set(ids_of(page)) >= PARTS
    assert "onder 50%" in page.find("ul", class_="rule").text
    assert page.find("h2", id="not-graded").text == "Niet beoordeeld"


def test_a_new_project_explains_itself(tmp_path: Path) -> None:
    """``okrpub init`` makes a site that has the page (it had only the example's own)."""
    assert run_okrpub(tmp_path, "init", "new", "--today", "2026-11-26").code == 0
    assert build(tmp_path / "new", tmp_path / "site").code == 0
    page = main_of(tmp_path / "site" / GUIDE)
    assert page.find("h2", id="status").text == "Status"


RULE = (
    "status:\n  at_risk_confidence: 0.8\n  off_track_confidence: 0.6\n"
    "  at_risk_behind: 0.1\n  off_track_behind: 0.3\n"
)
#: 2026-11-26: 62% of 2026-Q4 is gone. Progress 55%, confidence 0.7.
KEY_RESULT = (
    "{title: Sales, start: 0, target: 100, "
    "checkins: [{date: 2026-11-25, value: 55, confidence: 0.7}]}"
)
RULE_FILES = {
    "content/units/acme.md": md("name: Acme\nkind: company\n"),
    "content/2026-Q4/grow.md": md(
        f"title: Grow\nowner: acme\nperiod: 2026-Q4\nkey_results:\n  - {KEY_RESULT}\n"
    ),
}


@pytest.mark.parametrize(
    ("config", "status", "reason"),
    [
        ("", "On track", None),
        (RULE, "At risk", "confidence 70% (below 80%)"),
        (RULE.replace("0.6", "0.75"), "Off track", "confidence 70% (below 75%)"),
    ],
)
def test_configured_thresholds_change_the_status_and_are_printed(
    tmp_path: Path, config: str, status: str, reason: str | None
) -> None:
    project = write_files(tmp_path / "p", {**RULE_FILES, "okrpub.yaml": config})
    result = build(project, tmp_path / "site")
    assert result.code == 0, result.out
    page = main_of(tmp_path / "site" / "objectives" / "grow" / "index.html")
    assert page.find("a", class_="status").text == status
    page_status = main_of(tmp_path / "site" / "status" / "index.html")
    if reason is None:
        assert not page_status.find_all("span", class_="reasons")
        return
    assert page_status.find("span", class_="reasons").text.startswith(reason)
    rule = page_status.find("ul", class_="rule").text
    assert "below 80%, progress is more than 10 points behind pace" in rule
    guide = main_of(tmp_path / "site" / GUIDE).find("ul", class_="rule").text
    assert guide == rule


def test_bad_thresholds_stop_the_build(tmp_path: Path) -> None:
    config = "status:\n  at_risk_confidence: 0.2\n"
    project = write_files(tmp_path / "p", {**RULE_FILES, "okrpub.yaml": config})
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert (
        "okrpub.yaml:2:23: error: status.off_track_confidence (0.3) must not be above "
        "status.at_risk_confidence (0.2) [config]"
    ) in result.out
    assert not (tmp_path / "site").exists()
