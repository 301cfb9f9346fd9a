"""Several owners, several parents and qualitative objectives (issue 17, items 5, 6 and 9),
and what a person's or team's page says they own (issue 18, item 4).

Through ``okrpub check`` (diagnostics at the element that is wrong), ``build`` (person
pages, the cascade's "also under"), the JSON export and ``okrpub diff``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gittools import commit, init_repo
from projecttools import BASE
from rebuildtools import Project
from sitetools import TODAY, build, main_of, md, run_okrpub, write_files

GROW = "content/2026-Q4/acme/grow.md"
LEADS = "content/2026-Q4/sales/more-leads.md"
SHARED = "content/2026-Q4/sales/shared.md"

#: Sales and Jo own this together (Sales accountable); it aligns to two objectives.
SHARED_FILE = md(
    """
    title: Win the regional market
    owner: [sales, jo]
    parent: [more-leads, grow#customers]
    key_results:
      - id: region
        title: Five regional customers
        start: 0
        target: 5
        owner: [jo, acme]
        checkins: [{date: 2026-11-24, value: 4, confidence: 0.8}]
    """
)

#: Acme's objective with no key results yet.
QUALITATIVE = "content/2026-Q4/acme/culture.md"
QUALITATIVE_FILE = md(
    """
    title: A place people love to work
    owner: acme
    """,
    "We will find key results for this in December.\n",
)


def error(path: str, line: int, column: int, message: str, rule: str) -> str:
    return f"{path}:{line}:{column}: error: {message} [{rule}]"


def errors_of(result) -> list[str]:
    return [line for line in result.lines if ": error: " in line]


# -- check ----------------------------------------------------------------------------------


def test_owner_and_parent_may_be_lists(check_files) -> None:
    result = check_files({SHARED: SHARED_FILE})
    assert result.code == 0, result.out
    assert errors_of(result) == []


def test_a_bad_id_in_a_list_is_reported_where_it_stands(check_files) -> None:
    front = md(
        """
        title: Shared
        owner: [sales, Sales Team]
        parent: [grow, grow#]
        key_results:
          - {title: A, start: 0, target: 10, owner: [jo, jo]}
          - {title: B, start: 0, target: 10, owner: []}
        """
    )
    result = check_files({SHARED: front})
    assert errors_of(result) == [
        error(
            SHARED,
            3,
            16,
            "owner[1] must be an id of lower-case letters, digits and '-' (such as "
            "'grow-sales'), got 'Sales Team'",
            "bad-id",
        ),
        error(
            SHARED,
            4,
            16,
            "parent[1] must be an objective id or 'objective-id#kr-id', got 'grow#'",
            "bad-id",
        ),
        error(SHARED, 6, 50, "key_results[0].owner[1] repeats 'jo'", "duplicate-id"),
        error(
            SHARED,
            7,
            45,
            "key_results[1].owner must be one unit id or a list of 1 to 20 of them, got []",
            "schema",
        ),
    ]


def test_unknown_owners_and_parents_in_lists_point_at_the_element(check_files) -> None:
    owners = md(
        """
        title: Shared
        owner: [sales, joe]
        key_results:
          - {title: A, start: 0, target: 10, owner: [jo, acm]}
        """
    )
    parents = SHARED_FILE.replace("[more-leads, grow#customers]", "[grow, more-lead, grow#sales]")
    other = "content/2026-Q4/sales/other.md"
    result = check_files({SHARED: parents, other: owners})
    assert errors_of(result) == [
        error(other, 3, 16, "unknown owner 'joe'; did you mean 'jo'?", "unknown-owner"),
        error(other, 5, 50, "unknown owner 'acm'; did you mean 'acme'?", "unknown-owner"),
        error(
            SHARED,
            4,
            16,
            "unknown parent objective 'more-lead'; did you mean 'more-leads'?",
            "unknown-parent",
        ),
        error(
            SHARED,
            4,
            27,
            "objective 'grow' has no key result 'sales' (it has: revenue, customers, launch)",
            "unknown-kr",
        ),
    ]


def test_a_cycle_through_a_second_parent_is_reported_at_that_parent(check_files) -> None:
    leads = BASE[LEADS].replace("parent: grow#revenue\n", "parent: [grow#revenue, shared]\n")
    shared = SHARED_FILE.replace("[more-leads, grow#customers]", "[grow, more-leads]")
    result = check_files({LEADS: leads, SHARED: shared})
    assert errors_of(result) == [
        error(
            LEADS,
            4,
            24,
            "the cascade has a cycle: more-leads → shared → more-leads",
            "cycle",
        )
    ]


@pytest.mark.parametrize("key_results", ["", "key_results: []\n"])
def test_an_objective_without_key_results_is_a_warning(check_files, key_results: str) -> None:
    front = QUALITATIVE_FILE.replace("owner: acme\n", "owner: acme\n" + key_results)
    result = check_files({QUALITATIVE: front})
    where = "1:1" if not key_results else "4:14"
    assert result.lines == [
        f"{QUALITATIVE}:{where}: warning: objective has no key results yet: it is "
        "qualitative, shown without progress; add key results to measure it [no-key-results]"
    ]
    assert result.code == 0


# -- build ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project with the shared objective and the qualitative one, built."""
    root = tmp_path_factory.mktemp("owners")
    project = write_files(
        root / "project", {**BASE, SHARED: SHARED_FILE, QUALITATIVE: QUALITATIVE_FILE}
    )
    result = build(project, root / "site")
    assert result.code == 0, result.out + result.err
    return root / "site"


def test_a_person_page_lists_what_the_person_owns(site: Path) -> None:
    """Jo co-owns an objective and owns a key result in it; Jo leads Sales."""
    page = main_of(site / "units" / "jo" / "index.html")
    assert "Person · part of Sales · leads Sales" in page.find("p", class_="lead").text
    objectives = page.find("section", aria_labelledby="objectives-heading")
    row = objectives.find("li", class_="objective-row")
    assert row.find("a", class_="objective-title").text == "Win the regional market"
    assert "Sales with Jo Smith · co-owner" in row.find("span", class_="meta").text
    owned = page.find("section", aria_labelledby="key-results-heading")
    item = owned.find("li", class_="objective-row")
    assert item.find("a", class_="objective-title").text == "Five regional customers"
    assert "../../objectives/shared/index.html#kr-region" in item.hrefs()
    assert "co-owner" not in item.text  # Jo is its accountable owner
    assert item.find("a", class_="status").text == "On track"


def test_a_co_owner_of_a_key_result_in_another_units_objective(site: Path) -> None:
    page = main_of(site / "units" / "acme" / "index.html")
    owned = page.find("section", aria_labelledby="key-results-heading")
    item = owned.find("li", class_="objective-row")
    assert item.find("a", class_="objective-title").text == "Five regional customers"
    assert "Jo Smith with Acme · co-owner · Objective: Win the regional market" in item.text


def test_a_team_page_lists_co_owned_objectives_and_its_people(site: Path) -> None:
    page = main_of(site / "units" / "sales" / "index.html")
    objectives = page.find("section", aria_labelledby="objectives-heading")
    titles = [a.text for a in objectives.find_all("a", class_="objective-title")]
    assert titles == ["More leads", "Win the regional market"]
    members = page.find("section", aria_labelledby="members-heading")
    assert members.find("ul").text == "Jo Smith · Lead"


def test_the_cascade_shows_an_objective_under_each_parent(site: Path) -> None:
    cascade = main_of(site / "periods" / "2026-q4" / "index.html").find(
        "section", aria_labelledby="cascade-heading"
    )
    places = [
        div
        for div in cascade.find_all("div", class_="tree-item")
        if div.find("a", class_="objective-title").attrs["href"].endswith("shared/index.html")
    ]
    assert len(places) == 2
    home, also = places
    # its own place: under its first parent, more-leads
    parent = home.closest("li").closest("ul").closest("li").find("div", class_="tree-item")
    assert parent.find("a", class_="objective-title").text == "More leads"
    assert "also-under" not in home.attrs["class"]
    # and under grow, by its key result, marked and linked to the first parent
    assert "also-under" in also.attrs["class"].split()
    meta = also.find("span", class_="meta")
    assert "via key result “Go from 10 to 20 customers” · also under More leads" in meta.text
    assert "../../objectives/more-leads/index.html" in meta.hrefs()
    grow = also.closest("li").closest("ul").closest("li").find("div", class_="tree-item")
    assert grow.find("a", class_="objective-title").text == "Grow the business"


def test_the_objective_page_names_every_parent_and_owner(site: Path) -> None:
    page = main_of(site / "objectives" / "shared" / "index.html")
    aligns = [p.text for p in page.find_all("p", class_="aligns")]
    assert aligns == [
        "Aligns to More leads",
        "Also aligns to Grow the business — Key result “Go from 10 to 20 customers”",
    ]
    assert page.find("p", class_="lead").text.startswith("Sales with Jo Smith · ")
    grow = main_of(site / "objectives" / "grow" / "index.html")
    children = grow.find("section", aria_labelledby="children-heading")
    assert "../../objectives/shared/index.html" in children.hrefs()


def test_a_qualitative_objective_has_no_numbers_and_rollups_say_so(site: Path) -> None:
    page = main_of(site / "objectives" / "culture" / "index.html")
    assert "It has no key results yet: a qualitative objective" in page.text
    assert "No key results yet." in page.find("section", aria_labelledby="krs-heading").text
    assert not page.find_all("span", class_="progress")
    period = main_of(site / "periods" / "2026-q4" / "index.html")
    assert "3 of 4 objectives have numbers" in period.find("p", class_="lead").text
    [item] = [
        div
        for div in period.find_all("div", class_="tree-item")
        if div.find("a", class_="objective-title").text == "A place people love to work"
    ]
    assert item.find("span", class_="numbers").text == "no key results yet"


def test_the_export_has_owners_and_parents_and_a_null_progress(site: Path) -> None:
    data = json.loads((site / "api" / "okrs.json").read_text(encoding="utf-8"))
    by_id = {o["id"]: o for o in data["objectives"]}
    shared = by_id["shared"]
    assert (shared["owner"], shared["owners"]) == ("sales", ["sales", "jo"])
    assert (shared["parent"], shared["parents"]) == ("more-leads", ["more-leads", "grow#customers"])
    [region] = shared["key_results"]
    assert (region["owner"], region["owners"]) == ("jo", ["jo", "acme"])
    assert by_id["grow"]["key_results"][0]["owners"] == []  # its objective's owner
    culture = by_id["culture"]
    assert (culture["progress"], culture["score"], culture["status"]) == (None, None, None)
    assert culture["key_results"] == []
    assert (culture["of"], culture["with_data"], culture["graded"]) == (0, 0, 0)


def test_a_public_export_leaves_out_owners_it_does_not_show(tmp_path: Path) -> None:
    """Jo is internal (the default): a public build shows Sales alone."""
    project = write_files(tmp_path / "project", {**BASE, SHARED: SHARED_FILE})
    out = tmp_path / "site"
    assert build(project, out, "--public").code == 0
    data = json.loads((out / "api" / "okrs.json").read_text(encoding="utf-8"))
    shared = next(o for o in data["objectives"] if o["id"] == "shared")
    assert shared["owners"] == ["sales"]
    assert shared["key_results"][0]["owners"] == ["acme"]
    assert shared["key_results"][0]["owner"] is None


# -- diff -----------------------------------------------------------------------------------


def test_diff_reads_owner_and_parent_lists(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    base = commit(repo, BASE, date="2026-11-20T12:00:00+00:00")
    commit(
        repo,
        {
            LEADS: BASE[LEADS]
            .replace("owner: sales\n", "owner: [sales, jo]\n")
            .replace("parent: grow#revenue\n", "parent: [grow#revenue, grow#customers]\n"),
            SHARED: SHARED_FILE,
            QUALITATIVE: QUALITATIVE_FILE,
        },
        date="2026-11-25T12:00:00+00:00",
    )
    run = run_okrpub(repo, "diff", base, "--today", TODAY)
    assert run.code == 0, run.err
    assert "**Win the regional market** (`shared`): owner `sales`, 2026-Q4" in run.out
    assert "**A place people love to work** (`culture`): owner `acme`, 2026-Q4" in run.out
    data = json.loads(run_okrpub(repo, "diff", base, "--format", "json", "--today", TODAY).out)
    assert {o["id"]: o["kind"] for o in data["objectives"]} == {
        "shared": "added",
        "culture": "added",
    }


# -- rebuilds (serve) -----------------------------------------------------------------------

Q4 = "content/2026-Q4"


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        # Maria no longer co-owns the key result: her page drops it
        (f"{Q4}/smokey/grow-to-1m-online.md", "owner: [joe, maria]", "owner: joe"),
        # Sam becomes a co-owner of a team's objective: his page and Marketing's change
        (f"{Q4}/marketing/top-3-in-search.md", "type: aspirational", "owner: [marketing, sam]"),
        # the second parent goes: the cascade and the old parent's page change
        (
            f"{Q4}/warehouse/ship-same-day.md",
            "parent: [grow-to-1m-online#online-sales, five-star-service#review-rating]",
            "parent: grow-to-1m-online#online-sales",
        ),
    ],
)
def test_a_rebuild_after_an_ownership_or_parent_edit_equals_a_clean_build(
    tmp_path: Path, path: str, old: str, new: str
) -> None:
    project = Project(tmp_path / "project")
    before = project.rebuild()
    project.edit(path, old, new)
    after = project.rebuild()
    assert after == project.clean_build()
    assert after != before
