"""Units written before the number (``unit_position``), numbers in the site's language,
and the status reasons in the JSON export (#18 items 1 and 3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sitetools import REPOSITORY, Run, build, md, parse_html, run_okrpub

MakeProject = Callable[..., Path]

RANK = md(
    """
    title: Be found
    owner: acme
    period: 2026-Q4
    key_results:
      - id: rank
        title: Reach the top 3 in search
        start: 14
        target: 3
        unit: rank
        unit_position: before
        checkins:
          - {date: 2026-10-05, value: 14, confidence: 0.6}
          - {date: 2026-11-23, value: 8.5, confidence: 0.45}
      - id: price
        title: Keep the price
        start: 40
        target: 50
        unit: CHF
        unit_position: before
        checkins: [{date: 2026-11-23, value: 45, confidence: 0.9}]
      - id: orders
        title: Take orders
        start: 0
        target: 1000
        unit: orders
        checkins: [{date: 2026-11-23, value: 650, confidence: 0.9}]
      - id: sales
        title: Sell
        start: 0
        target: 1000
        unit: €
        checkins: [{date: 2026-11-23, value: 650, confidence: 0.9}]
    """
)


def built(make_project: MakeProject, out: Path, **files: str) -> Path:
    result = build(make_project({"content/2026-Q4/acme/rank.md": RANK, **files}), out)
    assert result.code == 0, result.out + result.err
    return out


def page_texts(site: Path) -> str:
    """The rank objective's page as text, non-breaking spaces as spaces."""
    return parse_html(site / "objectives" / "rank" / "index.html").text.replace("\xa0", " ")


def export_of(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "api" / "okrs.json").read_text(encoding="utf-8"))
    return data


def key_results_of(site: Path, objective: str) -> dict[str, dict[str, Any]]:
    found = next(o for o in export_of(site)["objectives"] if o["id"] == objective)
    return {kr["id"]: kr for kr in found["key_results"]}


def test_a_unit_before_the_number_is_written_so_everywhere(
    make_project: MakeProject, tmp_path: Path
) -> None:
    site = built(make_project, tmp_path / "site")
    text = page_texts(site)
    # the card's figures, the check-in table, the chart's labels and its caption
    for shown in ("rank 14", "rank 8.5", "rank 3", "target rank 3", "CHF 45", "650 orders"):
        assert shown in text, shown
    assert "14 rank" not in text and "8.5 rank" not in text and "45 CHF" not in text
    svg = (site / "objectives" / "rank" / "index.html").read_text(encoding="utf-8")
    assert "target rank\xa03" in svg.split("<svg", 2)[1]
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "rank\xa08.5" in feed and "8.5\xa0rank" not in feed


def test_a_unit_before_the_number_follows_the_language(
    make_project: MakeProject, tmp_path: Path
) -> None:
    site = built(make_project, tmp_path / "site", **{"okrpub.yaml": "language: nl\n"})
    text = page_texts(site)
    assert "rank 8,5" in text and "650 orders" in text
    assert "8.5" not in text


def test_the_export_says_where_the_unit_goes(make_project: MakeProject, tmp_path: Path) -> None:
    site = built(make_project, tmp_path / "site")
    krs = key_results_of(site, "rank")
    assert [(kr["unit_position"], kr["unit_singular"]) for kr in krs.values()] == [
        ("before", None),
        ("before", None),
        ("after", None),
        ("before", None),
    ]


def test_a_unit_position_needs_a_unit(make_project: MakeProject, check: Callable[..., Run]) -> None:
    objective = md(
        """
        title: Be found
        owner: acme
        period: 2026-Q4
        key_results:
          - {title: A, start: 14, target: 3, unit_position: before}
        """
    )
    result = check(make_project({"content/2026-Q4/acme/rank.md": objective}))
    assert result.code == 1
    assert (
        "content/2026-Q4/acme/rank.md:6:53: error: key_results[0].unit_position needs a unit: "
        "give 'unit' (such as 'orders') too [schema]"
    ) in result.out.splitlines()


def test_a_unit_position_is_before_or_after(
    make_project: MakeProject, check: Callable[..., Run]
) -> None:
    objective = md(
        """
        title: Be found
        owner: acme
        period: 2026-Q4
        key_results:
          - {title: A, start: 14, target: 3, unit: rank, unit_position: label}
        """
    )
    result = check(make_project({"content/2026-Q4/acme/rank.md": objective}))
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "unit_position" in line)
    assert line.startswith("content/2026-Q4/acme/rank.md:6:")
    assert "'before' or 'after'" in line and line.endswith("[schema]")


def test_the_objective_schema_knows_unit_position() -> None:
    schema = json.loads(run_okrpub(REPOSITORY, "schema", "objective").out)
    text = json.dumps(schema)
    assert '"unit_position"' in text and '"enum": ["before", "after"]' in text


# -- the status reasons in api/okrs.json --------------------------------------------------


def test_the_export_gives_each_key_results_status_reasons_as_data(
    make_project: MakeProject, tmp_path: Path
) -> None:
    site = built(make_project, tmp_path / "site")
    krs = key_results_of(site, "rank")
    # confidence 0.45 is below the default 0.5 for at risk (50% progress, pace 62%: near enough)
    assert krs["rank"]["status"] == "at_risk"
    assert krs["rank"]["reasons"] == [
        {"kind": "confidence", "value": 0.45, "limit": 0.5, "date": None}
    ]
    assert krs["orders"]["status"] == "on_track" and krs["orders"]["reasons"] == []


def test_the_export_gives_dated_reasons_and_validates(
    make_project: MakeProject, tmp_path: Path
) -> None:
    stale = md(
        """
        title: Keep in touch
        owner: acme
        period: 2026-Q4
        key_results:
          - {title: Calls, start: 0, target: 10, checkins: [{date: 2026-10-05, value: 9}]}
          - {title: Visits, start: 0, target: 10}
        """
    )
    site = built(make_project, tmp_path / "site", **{"content/2026-Q4/acme/touch.md": stale})
    krs = list(key_results_of(site, "touch").values())
    assert {"kind": "stale", "value": None, "limit": None, "date": "2026-10-05"} in krs[0][
        "reasons"
    ]
    assert krs[1]["reasons"] == [{"kind": "no_data", "value": None, "limit": None, "date": None}]
    # the schema has no room for keys it does not describe, so this checks "reasons" too
    schema = json.loads(run_okrpub(REPOSITORY, "schema", "okrs").out)
    Draft202012Validator(schema).validate(export_of(site))
    key_result = schema["properties"]["objectives"]["items"]["properties"]["key_results"]
    kinds = key_result["items"]["properties"]["reasons"]["items"]["properties"]["kind"]["enum"]
    assert set(kinds) == {"overdue", "confidence", "behind", "stale", "no_checkin", "no_data"}


def test_the_export_gives_the_pace_a_key_result_is_behind(
    make_project: MakeProject, tmp_path: Path
) -> None:
    slow = md(
        """
        title: Go faster
        owner: acme
        period: 2026-Q4
        key_results:
          - {title: Laps, start: 0, target: 100, checkins: [{date: 2026-11-23, value: 10}]}
        """
    )
    site = built(make_project, tmp_path / "site", **{"content/2026-Q4/acme/slow.md": slow})
    (kr,) = key_results_of(site, "slow").values()
    assert kr["status"] == "off_track"
    (behind,) = kr["reasons"]
    assert behind["kind"] == "behind" and behind["value"] == 0.1 and behind["date"] is None
    assert 0.6 < behind["limit"] < 0.65  # the pace on 2026-11-26


def test_numbers_in_templates_follow_the_language_whichever_was_built_first(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """Compiled templates are kept and shared by every language; a number the template
    gives itself ({{ 0|grade }} on "How to read") is formatted when each page renders."""
    for language, zero in [("en", "0.00"), ("nl", "0,00"), ("en", "0.00")]:
        out = tmp_path / language
        site = built(make_project, out, **{"okrpub.yaml": f"language: {language}\n"})
        page = parse_html(site / "how-to-read" / "index.html")
        red = page.find("span", **{"class": "grade grade-red"})
        assert red.text == zero, language
