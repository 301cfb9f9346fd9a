"""Page size stays linear: a page shows what it is about, not every objective of the site.

The same organisation is built with 50 and with 200 filler objectives. Every
objective, team and person that exists in both builds has the same content
in both, so a page whose size depends on the total number of objectives is
one that lists the whole site. Only pages that are lists by nature may grow:
period pages (the cascade), the status page, the units index, the pages of
the objective and units the fillers belong to, and the non-HTML files that
hold everything (JSON, search index, sitemap, feed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitetools import build, main_of, md, tree_of, write_files

SMALL, LARGE = 50, 200
TEAMS, PEOPLE = 5, 10


def key_results(seed: int) -> str:
    lines = ["key_results:"]
    for number in range(1, 4):
        lines += [
            f"  - id: kr{number}",
            f"    title: Key result {number} of objective {seed:04d}",
            "    start: 0",
            f"    target: {10 * number}",
            "    unit: orders",
            "    checkins:",
            f"      - {{date: 2026-11-16, value: {number * 3}, confidence: 0.7}}",
            f"      - {{date: 2026-11-23, value: {number * 4}, confidence: 0.8, note: Fine}}",
        ]
    return "\n".join(lines)


def objective(seed: int, title: str, owner: str, parent: str | None) -> str:
    header = [f"title: {title}", f"owner: {owner}", "period: 2026-Q4"]
    if parent:
        header.append(f"parent: {parent}")
    body = f"Why objective {seed:04d} matters: " + "we grow the business. " * 10 + "\n"
    return md("\n".join(header) + "\n" + key_results(seed), body)


def organisation(fillers: int) -> dict[str, str]:
    """A company, five teams and ten people; four fixed objectives and ``fillers`` more.

    Fillers owned by a team align to ``hub``; each filler owned by a person
    aligns to the team filler before it. ``team-0``, ``p-0``, ``anchor`` and
    ``anchor-child`` get nothing from the fillers.
    """
    files = {
        "okrpub.yaml": "title: Scale\nbase_url: https://scale.example/\n",
        "content/units/acme.md": md("name: Acme\nkind: company\n", "The company.\n"),
        "content/pages/about.md": md("title: About\n", "About these OKRs.\n"),
    }
    for team in range(TEAMS):
        files[f"content/units/team-{team}.md"] = md(
            f"name: Team {team}\nkind: team\nparent: acme\n", f"Team {team} does things.\n"
        )
    for person in range(PEOPLE):
        files[f"content/units/p-{person}.md"] = md(
            f"name: Person {person}\nkind: person\nparent: team-{person % TEAMS}\n"
        )
    fixed = [
        ("company-goal", "The company goal", "acme", None),
        ("hub", "The hub everyone aligns to", "acme", None),
        ("anchor", "The anchor objective", "team-0", "company-goal#kr1"),
        ("anchor-child", "The anchor's child", "p-0", "anchor"),
    ]
    for seed, (objective_id, title, owner, parent) in enumerate(fixed):
        files[f"content/2026-Q4/{objective_id}.md"] = objective(seed, title, owner, parent)
    for number in range(fillers):
        if number % 2 == 0:
            owner, parent = f"team-{1 + (number // 2) % (TEAMS - 1)}", "hub"
        else:
            owner, parent = f"p-{1 + (number // 2) % (PEOPLE - 1)}", f"f-{number - 1:04d}"
        files[f"content/2026-Q4/fillers/f-{number:04d}.md"] = objective(
            100 + number, f"Filler objective {number:04d}", owner, parent
        )
    return files


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, bytes]]:
    built = {}
    for fillers in (SMALL, LARGE):
        root = tmp_path_factory.mktemp(f"org{fillers}")
        project = write_files(root / "project", organisation(fillers))
        result = build(project, root / "site")
        assert result.code == 0, result.out + result.err
        assert f"{fillers + 4} objectives" in result.out
        built[fillers] = tree_of(root / "site")
    return built


def grows(small: bytes, large: bytes) -> bool:
    """More than a few bytes (numbers such as '54 objectives' differ) or 1% larger."""
    return len(large) - len(small) > max(64, len(small) // 100)


#: Pages that list the objectives of a period, of a unit or aligned to one objective.
GROWING = {
    "periods/2026-q4/index.html",
    "status/index.html",
    "units/index.html",
    "objectives/hub/index.html",
    *(f"units/team-{team}/index.html" for team in range(1, TEAMS)),
    *(f"units/p-{person}/index.html" for person in range(1, PEOPLE)),
    "api/okrs.json",
    "search/index.js",
    "search/titles.js",
    "sitemap.xml",
    "feed.xml",
}


def test_the_larger_build_has_more_pages(sites: dict[int, dict[str, bytes]]) -> None:
    # a page and a badge per objective
    assert len(sites[LARGE]) - len(sites[SMALL]) == 2 * (LARGE - SMALL)
    assert set(sites[SMALL]) <= set(sites[LARGE])


def test_only_list_pages_grow_with_the_number_of_objectives(
    sites: dict[int, dict[str, bytes]],
) -> None:
    small, large = sites[SMALL], sites[LARGE]
    grown = {name for name in small if grows(small[name], large[name])}
    assert grown <= GROWING
    # the test can tell: these do grow
    assert {"periods/2026-q4/index.html", "objectives/hub/index.html", "search/index.js"} <= grown


@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "objectives/anchor/index.html",
        "objectives/anchor-child/index.html",
        "objectives/company-goal/index.html",
        "objectives/f-0000/index.html",
        "objectives/f-0049/index.html",
        "units/acme/index.html",
        "units/team-0/index.html",
        "units/p-0/index.html",
        "pages/about/index.html",
        "search/index.html",
        "404.html",
    ],
)
def test_page_size_does_not_depend_on_the_total(
    sites: dict[int, dict[str, bytes]], name: str
) -> None:
    small, large = sites[SMALL][name], sites[LARGE][name]
    assert not grows(small, large), (name, len(small), len(large))


def test_home_page_does_not_list_every_objective(
    sites: dict[int, dict[str, bytes]], tmp_path: Path
) -> None:
    page = tmp_path / "index.html"
    page.write_bytes(sites[LARGE]["index.html"])
    objective_links = {h for h in main_of(page).hrefs() if h.startswith("objectives/")}
    assert objective_links == {
        "objectives/company-goal/index.html",
        "objectives/hub/index.html",
    }
    assert b"Filler objective" not in sites[LARGE]["index.html"]


def test_navigation_is_the_same_on_every_page(sites: dict[int, dict[str, bytes]]) -> None:
    """No page carries a full navigation: the header does not grow with the site."""
    for name, content in sites[LARGE].items():
        if name.endswith(".html"):
            # the page's header; the head names the page itself (its canonical URL)
            header = content.split(b"<main", 1)[0].split(b"<body", 1)[1]
            assert len(header) < 3000, name
            assert b"objectives/" not in header, name
