"""Badges: ``badges/<objective>.svg`` and ``badges/units/<unit>.svg`` in every build."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from leaktools import audience_of, find_leaks, public_parts
from sitetools import REPOSITORY, TODAY, build, md, write_files

from okrpub.engine.project import analyse, read_config
from okrpub.site.badges import COLOURS, LABEL_COLOUR, text_width

SVG = "{http://www.w3.org/2000/svg}"

UNITS = {
    "content/units/acme.md": md("name: Acme\nkind: company\nvisibility: public\n"),
    "content/units/idle.md": md("name: Idle Team\nkind: team\nparent: acme\nvisibility: public\n"),
}


def graded(objective_id: str, period: str, scores: list[float | None], title: str = "") -> str:
    """An objective of acme whose key results (from 0 to 10, at 5) have these scores."""
    lines = [
        f"title: {title or objective_id}",
        "owner: acme",
        f"period: {period}",
        "key_results:",
    ]
    for number, score in enumerate(scores, start=1):
        given = f", score: {score}" if score is not None else ""
        lines.append(f"  - {{title: K{number}, start: 0, target: 10, current: 5{given}}}")
    return md("\n".join(lines) + "\n")


FILES = {
    **UNITS,
    "content/q3/red.md": graded("red", "2026-Q3", [0.1, 0.3]),
    "content/q3/yellow.md": graded("yellow", "2026-Q3", [0.4, 0.5]),
    "content/q3/green.md": graded("green", "2026-Q3", [0.7, 1.0]),
    "content/q3/ungraded.md": graded("ungraded", "2026-Q3", [None]),
    "content/q4/running.md": graded("running", "2026-Q4", [None, None]),
    "content/q4/scored.md": graded("scored", "2026-Q4", [0.9, None]),
    "content/q4/fresh.md": graded("fresh", "2026-Q4", [None]).replace(
        "current: 5", "checkins: [{date: 2026-11-25, value: 5, confidence: 0.8}]"
    ),
    "content/q4/low.md": graded("low", "2026-Q4", [None]).replace(
        "current: 5", "current: 5, confidence: 0.1"
    ),
    "content/q4/reached.md": graded("reached", "2026-Q4", [None]).replace(
        "current: 5", "current: 10"
    ),
    "content/q4/waiting.md": graded("waiting", "2026-Q4", [None]).replace(", current: 5", ""),
    "content/q4/hostile.md": md(
        'title: "<script>alert(1)</script> & \\"Q\\" \'s \\x01 ✓"\nowner: acme\n'
        "period: 2026-Q4\nkey_results: [{title: K, target: 10, current: 5, start: 0}]\n"
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_files(tmp_path_factory.mktemp("badges"), FILES)
    out = project.parent / "site"
    result = build(project, out)
    assert result.code == 0, result.out + result.err
    return out


def badge(site: Path, name: str) -> ET.Element:
    """A badge, parsed as XML (so it is well-formed)."""
    return ET.fromstring((site / "badges" / f"{name}.svg").read_bytes())


def words(svg: ET.Element) -> tuple[str, str, str]:
    """The label, value and value background colour."""
    label, value = (t.text or "" for t in svg.iter(f"{SVG}text"))
    return label, value, svg.findall(f"{SVG}rect")[1].attrib["fill"]


def test_every_objective_and_unit_of_the_example_has_a_badge(example_site: Path) -> None:
    objectives = {p.name for p in (example_site / "objectives").iterdir() if p.is_dir()}
    units = {p.name for p in (example_site / "units").iterdir() if p.is_dir()}
    assert {p.stem for p in (example_site / "badges").glob("*.svg")} == objectives
    assert {p.stem for p in (example_site / "badges" / "units").glob("*.svg")} == units


def test_badges_are_accessible_images(example_site: Path) -> None:
    for path in sorted((example_site / "badges").rglob("*.svg")):
        svg = ET.fromstring(path.read_bytes())
        assert svg.attrib["role"] == "img"
        title = svg.find(f"{SVG}title")
        assert title is not None and title.text
        assert svg.attrib["aria-label"] == title.text
    svg = ET.fromstring((example_site / "badges" / "grow-to-1m-online.svg").read_bytes())
    # while it runs: its status and progress (it was "Progress 39% (red)": the progress
    # coloured like a grade)
    assert svg.find(f"{SVG}title").text == (
        "Grow to €1 million in online sales this quarter: Status: At risk · 39%"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("red", ("Grade", "0.20", "red")),
        ("yellow", ("Grade", "0.45", "yellow")),
        ("green", ("Grade", "0.85", "green")),
        # a closed period without scores: not graded, in grey (never the progress)
        ("ungraded", ("Grade", "not graded", None)),
        # a running period: the status and progress in the status's colour; nothing is
        # graded while it runs, scored or not (it was the progress in yellow, a grade colour)
        # (at risk: no check-in since the period began)
        ("running", ("Status", "At risk · 50%", "yellow")),
        ("scored", ("Status", "At risk · 50%", "yellow")),
        ("fresh", ("Status", "On track · 50%", "green")),
        ("low", ("Status", "Off track · 50%", "red")),
        ("reached", ("Status", "Done · 100%", "blue")),
        ("waiting", ("Status", "no data", None)),
    ],
)
def test_the_value_and_colour_follow_the_grade_or_status(
    site: Path, name: str, expected: tuple
) -> None:
    label, value, colour = expected
    assert words(badge(site, name)) == (label, value, COLOURS[colour])


def test_a_unit_badge_shows_its_current_period(site: Path) -> None:
    label, value, colour = words(badge(site, "units/acme"))
    # the period runs, so progress, in a neutral colour: a unit has no status (it was yellow)
    assert (label, value, colour) == ("Progress 2026-Q4", "58%", COLOURS["neutral"])


def test_a_unit_without_objectives_now_has_no_data(site: Path) -> None:
    svg = badge(site, "units/idle")
    # the period runs: "Progress" (it said "Grade")
    assert words(svg) == ("Progress 2026-Q4", "no data", COLOURS[None])
    assert svg.find(f"{SVG}title").text == "Idle Team: Progress 2026-Q4: no data"


def test_hostile_titles_are_escaped(site: Path) -> None:
    raw = (site / "badges" / "hostile.svg").read_text(encoding="utf-8")
    assert "<script>" not in raw
    title = ET.fromstring(raw).find(f"{SVG}title").text
    assert title == '<script>alert(1)</script> & "Q" \'s  ✓: Status: At risk · 50%'


def test_badges_are_wider_for_longer_text() -> None:
    assert text_width("0.5") < text_width("no data") < text_width("geen gegevens")
    assert text_width("iii") < text_width("WWW")
    assert text_width("目標") > text_width("ab")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", [LABEL_COLOUR, *COLOURS.values()])
def test_white_text_has_aa_contrast(colour: str) -> None:
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5


def test_dutch_badges(tmp_path: Path) -> None:
    project = write_files(tmp_path / "nl", {**FILES, "okrpub.yaml": "language: nl\n"})
    assert build(project, tmp_path / "site").code == 0
    assert words(badge(tmp_path / "site", "yellow"))[:2] == ("Cijfer", "0,45")
    assert words(badge(tmp_path / "site", "units/idle"))[1] == "geen gegevens"


def test_a_public_build_has_badges_of_public_items_only(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(REPOSITORY, out, "--public").code == 0
    config, _ = read_config(REPOSITORY)
    resolved = analyse(REPOSITORY, config, dt.date.fromisoformat(TODAY)).resolved
    units, objectives, _, _ = public_parts(resolved)
    assert {p.stem for p in (out / "badges").glob("*.svg")} == objectives
    assert {p.stem for p in (out / "badges" / "units").glob("*.svg")} == units
    assert objectives < set(resolved.objectives) and units < set(resolved.units)
    leaks = find_leaks(out / "badges", audience_of(resolved))
    assert not leaks, "\n".join(map(str, leaks))
