"""``--public`` and ``--drafts`` on the example (docs/format.md §13).

The public site has only public objectives of public units, no drafts, no
key result marked internal, and numbers computed without them. Nothing of
what it leaves out appears in any file. ``--drafts`` adds the one draft,
``content/2026-Q4/marketing/christmas-gifts.md``, to the internal site only.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import pytest
from sitetools import REPOSITORY, build, main_of, md, parse_html, tree_of, write_files

PUBLIC_OBJECTIVES = {
    "best-summer-ever-q3",
    "checkout-that-converts",
    "faster-webshop-q3",
    "grow-to-1m-online",
    "summer-campaign-q3",
    "top-3-in-search",
}
PUBLIC_UNITS = {"smokey", "customer-service", "marketing", "webshop"}
#: What the public site must not show: ids, titles and names of internal items.
SECRETS = [
    # internal objectives (own visibility, internal owner, or a person's) and the draft
    "five-star-service",
    "Every customer would recommend us to a friend",
    "newspaper-campaign",
    "Make the 20% newspaper campaign pay for itself",
    "ship-same-day",
    "Ship every order the day it comes in",
    "payments-expert",
    "Become our in-house expert on payments",
    "guides-and-links",
    "Write the barbecue guides everyone links to",
    "summer-peak-q3",
    "webshop-team-q3",
    "christmas-gifts",
    "Own the barbecue gift market this Christmas",
    # the internal key result of a public objective
    "gross-margin",
    "Raise gross margin on online sales to 34%",
    "The newspaper discount costs margin",
    # internal units: the warehouse team and every person
    "Warehouse & Logistics",
    "units/warehouse",
    "Kofi Mensah",
    "Joe Castillo",
    "Maria Jansen",
    "Sam Okafor",
    "Priya Raman",
    "Tom de Vries",
    "Lena Hoffmann",
    "units/tom",
]


def build_example(tmp_path_factory: pytest.TempPathFactory, *flags: str) -> Path:
    out = tmp_path_factory.mktemp("audience") / "site"
    result = build(REPOSITORY, out, *flags)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory, "--public")


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory, "--drafts")


def data_of(site: Path) -> dict[str, Any]:
    return json.loads((site / "api" / "okrs.json").read_text(encoding="utf-8"))


def folders(site: Path, kind: str) -> set[str]:
    return {p.name for p in (site / kind).iterdir() if p.is_dir()}


# --public ----------------------------------------------------------------------


def test_public_site_has_only_public_objectives_and_units(public: Path) -> None:
    assert folders(public, "objectives") == PUBLIC_OBJECTIVES
    assert folders(public, "units") == PUBLIC_UNITS
    data = data_of(public)
    assert {o["id"] for o in data["objectives"]} == PUBLIC_OBJECTIVES
    assert {u["id"] for u in data["units"]} == PUBLIC_UNITS
    assert {o["visibility"] for o in data["objectives"]} == {"public"}


@pytest.mark.parametrize("secret", SECRETS)
def test_public_site_leaks_nothing(public: Path, secret: str) -> None:
    forms = {secret, escape(secret), escape(secret, quote=False)}
    for name, content in tree_of(public).items():
        text = content.decode("utf-8")
        for form in forms:
            assert form not in text, f"{secret!r} in {name}"


def test_public_objective_says_a_key_result_is_not_public(public: Path) -> None:
    page = main_of(public / "objectives" / "grow-to-1m-online" / "index.html")
    assert page.find("p", class_="note").text == "1 key result is not public."
    items = page.find_all("li", class_="key-result")
    assert [i.attrs["id"] for i in items] == [
        "kr-online-sales",
        "kr-top-3",
        "kr-newspapers",
        "kr-new-checkout",
    ]


def test_public_numbers_leave_out_the_internal_key_result(public: Path, example_site: Path) -> None:
    def grow(site: Path) -> dict[str, Any]:
        return next(o for o in data_of(site)["objectives"] if o["id"] == "grow-to-1m-online")

    # docs/format.md §11: (2 x 0.376 + 0.727 + 0.5 + 0) / 5 in public, with 0.367 more internally
    assert round(grow(public)["progress"], 3) == 0.396
    assert round(grow(example_site)["progress"], 3) == 0.391
    assert [kr["id"] for kr in grow(public)["key_results"]] == [
        "online-sales",
        "top-3",
        "newspapers",
        "new-checkout",
    ]


def test_public_rollups_count_public_objectives_only(public: Path) -> None:
    home = main_of(public / "index.html")
    counts = [
        int(li.text.rsplit(" ", 1)[1])
        for li in home.find("ul", class_="status-counts").find_all("li")
    ]
    q4 = [o for o in data_of(public)["objectives"] if o["period"] == "2026-Q4"]
    assert sum(counts) == len(q4) == 3


def test_internal_build_marks_internal_objectives(example_site: Path) -> None:
    page = main_of(example_site / "objectives" / "five-star-service" / "index.html")
    assert "Internal" in page.find("p", class_="lead").text
    page = main_of(example_site / "objectives" / "grow-to-1m-online" / "index.html")
    assert not page.find_all("p", class_="note")
    internal_kr = page.find("li", class_="key-result", id="kr-gross-margin")
    assert "Internal" in [tag.text for tag in internal_kr.find_all("span", class_="tag")]
    public_kr = page.find("li", class_="key-result", id="kr-online-sales")
    assert not public_kr.find_all("span", class_="tag")


def test_free_pages_follow_their_visibility(public: Path, example_site: Path) -> None:
    # the example's one free page is public (docs/format.md §7)
    for site in (public, example_site):
        assert folders(site, "pages") == {"how-we-use-okrs"}


def test_internal_build_says_a_hidden_parent_is_a_draft(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "project",
        {
            "content/units/acme.md": md("name: Acme\nkind: company\n"),
            "content/2026-Q4/idea.md": md(
                """
                title: Half-baked idea
                owner: acme
                period: 2026-Q4
                draft: true
                key_results: [{title: Idea measure, target: 5, start: 0}]
                """
            ),
            "content/2026-Q4/follow.md": md(
                """
                title: Follow the idea
                owner: acme
                period: 2026-Q4
                parent: idea
                key_results: [{title: Follow measure, target: 5, start: 0}]
                """
            ),
        },
    )
    assert build(project, tmp_path / "site").code == 0
    crumbs = main_of(tmp_path / "site" / "objectives" / "follow" / "index.html").find(
        "nav", class_="breadcrumbs"
    )
    assert "aligns to a draft objective that is not shown" in crumbs.text
    assert "Half-baked" not in crumbs.text


# --drafts ----------------------------------------------------------------------


def test_drafts_are_left_out_by_default(example_site: Path) -> None:
    assert "christmas-gifts" not in folders(example_site, "objectives")
    for name, content in tree_of(example_site).items():
        assert b"christmas-gifts" not in content, name


def test_drafts_option_includes_the_draft(drafts: Path) -> None:
    assert "christmas-gifts" in folders(drafts, "objectives")
    page = main_of(drafts / "objectives" / "christmas-gifts" / "index.html")
    assert page.find("h1").text == "Own the barbecue gift market this Christmas"
    assert "Draft" in [
        tag.text for tag in page.find("p", class_="lead").find_all("span", class_="tag")
    ]
    assert "christmas-gifts" in {o["id"] for o in data_of(drafts)["objectives"]}
    assert b"objectives/christmas-gifts/index.html" in (drafts / "search" / "index.js").read_bytes()


def test_draft_takes_part_in_the_cascade(drafts: Path) -> None:
    grow = main_of(drafts / "objectives" / "grow-to-1m-online" / "index.html")
    children = grow.find("section", aria_labelledby="children-heading")
    assert "../../objectives/christmas-gifts/index.html" in children.hrefs()
    period = parse_html(drafts / "periods" / "2026-q4" / "index.html")
    assert any(
        h.endswith("objectives/christmas-gifts/index.html") for h in period.find("main").hrefs()
    )


def test_drafts_stay_out_of_the_public_site(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = build_example(tmp_path_factory, "--public", "--drafts")
    assert folders(out, "objectives") == PUBLIC_OBJECTIVES
    assert not any(b"christmas" in c.lower() and b"gift market" in c for c in tree_of(out).values())


def test_public_objective_with_an_internal_parent_shows_no_link(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "project",
        {
            "content/units/acme.md": md("name: Acme\nkind: company\nvisibility: public\n"),
            "content/2026-Q4/secret-plan.md": md(
                """
                title: The secret plan
                owner: acme
                period: 2026-Q4
                visibility: internal
                key_results: [{id: hidden-kr, title: Hidden number, target: 5, start: 0}]
                """
            ),
            "content/2026-Q4/open-plan.md": md(
                """
                title: The open plan
                owner: acme
                period: 2026-Q4
                visibility: public
                parent: secret-plan#hidden-kr
                key_results: [{title: Open number, target: 5, start: 0}]
                """
            ),
        },
    )
    out = tmp_path / "site"
    assert build(project, out, "--public").code == 0
    page = main_of(out / "objectives" / "open-plan" / "index.html")
    crumbs = page.find("nav", class_="breadcrumbs")
    assert "aligns to an objective that is not public" in crumbs.text
    assert not page.find_all("p", class_="aligns")
    for name, content in tree_of(out).items():
        for secret in (b"secret-plan", b"The secret plan", b"hidden-kr", b"Hidden number"):
            assert secret not in content, (secret, name)
    assert next(o for o in data_of(out)["objectives"] if o["id"] == "open-plan")["parent"] is None
