"""``api/okrs.json``: the shape docs/site.md describes, and its numbers computed by hand
for a small project.

On 2026-11-26, 56 of the 91 days of 2026-Q4 (1 October - 31 December) have
gone by, so a key result due at the end of the period is expected at
56 / 91 = 0.615 of the way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitetools import TODAY, build, md, write_files

from okrpub import __version__

PERIOD_KEYS = {"id", "start", "end"}
UNIT_KEYS = {"id", "name", "kind", "parent", "url"}
OBJECTIVE_KEYS = {
    "id", "title", "owner", "owners", "period", "parent", "parents", "type", "visibility",
    "tags", "progress", "score", "of", "with_data", "graded", "status", "url", "key_results",
    "score_given", "key_results_grade", "links",
}  # fmt: skip
#: docs/site.md lists these; okrpub adds the key result's own ``status`` (the status page shows it).
KEY_RESULT_KEYS = {
    "id", "title", "kind", "start", "target", "current", "unit", "owner", "owners", "done",
    "progress", "score", "graded", "cancelled", "confidence", "due", "checkins", "status",
    "health", "health_note", "links", "unit_singular", "unit_position", "reasons",
}  # fmt: skip
CHECKIN_KEYS = {"date", "value", "confidence", "note", "health"}

FILES = {
    "okrpub.yaml": "title: Numbers\nbase_url: https://okr.example.org/\n",
    "content/units/acme.md": md("name: Acme\nkind: company\nvisibility: public\n"),
    "content/units/sales.md": md("name: Sales\nkind: team\nparent: acme\nvisibility: public\n"),
    "content/2026-Q4/calc.md": md(
        """
        title: Numbers we agree on
        owner: acme
        period: 2026-Q4
        type: committed
        visibility: public
        tags: [money, maths]
        key_results:
          - id: numeric
            title: From 0 to 10
            target: 10
            start: 0
            unit: deals
            checkins:
              - {date: 2026-11-20, value: 4, confidence: 0.9}
              - {date: 2026-11-24, value: 8, confidence: 0.8, note: "Two big ones"}
          - id: lower
            title: From 20 down to 10
            start: 20
            target: 10
            current: 14
            weight: 2
            score: 0.5
            due: 2026-12-15
            checkins:
              - {date: 2026-11-25, value: 15, confidence: 0.75}
          - id: binary
            title: Ship it
            done: true
            checkins:
              - {date: 2026-11-10, value: false, confidence: 0.5}
              - {date: 2026-11-24, value: true, confidence: 1.0}
          - id: overshoot
            title: From 100 to 200
            start: 100
            target: 200
            current: 250
        """,
        "Why the numbers matter.\n",
    ),
    "content/2026-Q4/behind.md": md(
        """
        title: Behind on pace
        owner: sales
        period: 2026-Q4
        parent: calc#numeric
        key_results:
          - title: Slow
            target: 100
            start: 0
            checkins: [{date: 2026-11-24, value: 20, confidence: 0.9}]
          - title: Unsure
            target: 100
            start: 0
            weight: 2
            checkins: [{date: 2026-11-24, value: 50, confidence: 0.3}]
          - title: Not started
            done: false
        """
    ),
    "content/2026-Q3/last-quarter.md": md(
        """
        title: Last quarter
        owner: acme
        period: 2026-Q3
        key_results:
          - title: Half way
            target: 10
            start: 0
            current: 5
            score: 0.9
          - title: Done
            done: true
            score: 1
        """
    ),
}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = write_files(tmp_path_factory.mktemp("numbers"), FILES)
    out = project.parent / "site"
    result = build(project, out)
    assert result.code == 0, result.err
    return json.loads((out / "api" / "okrs.json").read_text(encoding="utf-8"))


def objective(document: dict[str, Any], objective_id: str) -> dict[str, Any]:
    return next(o for o in document["objectives"] if o["id"] == objective_id)


def key_result(document: dict[str, Any], objective_id: str, kr_id: str) -> dict[str, Any]:
    return next(kr for kr in objective(document, objective_id)["key_results"] if kr["id"] == kr_id)


def test_top_level_keys(document: dict[str, Any]) -> None:
    assert set(document) == {"version", "generator", "today", "periods", "units", "objectives"}
    assert document["version"] == 3
    assert document["generator"] == f"okrpub {__version__}"
    assert document["today"] == TODAY


def test_every_entry_has_exactly_the_keys_of_the_spec(document: dict[str, Any]) -> None:
    for period in document["periods"]:
        assert set(period) == PERIOD_KEYS
    for unit in document["units"]:
        assert set(unit) == UNIT_KEYS
    for entry in document["objectives"]:
        assert set(entry) == OBJECTIVE_KEYS
        for kr in entry["key_results"]:
            assert set(kr) == KEY_RESULT_KEYS
            for checkin in kr["checkins"]:
                assert set(checkin) == CHECKIN_KEYS


def test_periods_and_units(document: dict[str, Any]) -> None:
    assert document["periods"] == [
        {"id": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"},
        {"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"},
    ]
    assert document["units"] == [
        {"id": "acme", "name": "Acme", "kind": "company", "parent": None, "url": "units/acme/"},
        {"id": "sales", "name": "Sales", "kind": "team", "parent": "acme", "url": "units/sales/"},
    ]


def test_objective_fields(document: dict[str, Any]) -> None:
    calc = objective(document, "calc")
    assert {k: v for k, v in calc.items() if k != "key_results"} == {
        "id": "calc",
        "title": "Numbers we agree on",
        "owner": "acme",
        "owners": ["acme"],
        "period": "2026-Q4",
        "parent": None,
        "parents": [],
        "type": "committed",
        "visibility": "public",
        "tags": ["money", "maths"],
        # (0.8 x 1 + 0.6 x 2 + 1 x 1 + 1 x 1) / 5
        "progress": 0.8,
        # the period runs: nothing is graded yet, not even 'lower' with its given score
        "score": None,
        "score_given": False,
        "key_results_grade": None,
        "of": 4,
        "with_data": 4,
        "graded": 0,
        "links": [],
        "status": "on_track",
        "url": "objectives/calc/",
    }
    assert [kr["id"] for kr in calc["key_results"]] == ["numeric", "lower", "binary", "overshoot"]


def test_defaults_of_an_objective(document: dict[str, Any]) -> None:
    behind = objective(document, "behind")
    assert behind["parent"] == "calc#numeric"
    assert behind["type"] == "aspirational"
    assert behind["visibility"] == "public"  # the owner unit's
    assert behind["tags"] == []
    assert [kr["id"] for kr in behind["key_results"]] == ["kr1", "kr2", "kr3"]


def test_numeric_key_result_takes_current_from_the_latest_checkin(
    document: dict[str, Any],
) -> None:
    assert key_result(document, "calc", "numeric") == {
        "id": "numeric",
        "title": "From 0 to 10",
        "kind": "numeric",
        "start": 0,
        "target": 10,
        "current": 8,
        "unit": "deals",
        "unit_singular": None,
        "unit_position": "after",
        "owner": None,
        "owners": [],
        "done": None,
        "progress": 0.8,
        "score": None,
        "graded": False,
        "cancelled": None,
        "confidence": 0.8,
        "status": "on_track",
        "health": None,
        "health_note": "",
        "due": "2026-12-31",
        "reasons": [],
        "links": [],
        "checkins": [
            {"date": "2026-11-20", "value": 4, "confidence": 0.9, "note": "", "health": None},
            {
                "date": "2026-11-24",
                "value": 8,
                "confidence": 0.8,
                "note": "Two big ones",
                "health": None,
            },
        ],
    }


def test_lower_is_better_with_current_score_and_due_given(document: dict[str, Any]) -> None:
    kr = key_result(document, "calc", "lower")
    # current: 14 wins over the check-in's 15; (14 - 20) / (10 - 20) = 0.6
    assert (kr["start"], kr["target"], kr["current"]) == (20, 10, 14)
    assert kr["progress"] == 0.6
    assert kr["score"] is None  # given, but not a grade while the period runs
    assert kr["due"] == "2026-12-15"
    # expected 56 / 75 = 0.747, gap 0.147, confidence 0.75: on track
    assert kr["status"] == "on_track"


def test_binary_key_result(document: dict[str, Any]) -> None:
    kr = key_result(document, "calc", "binary")
    assert kr["kind"] == "binary"
    assert (kr["start"], kr["target"], kr["current"], kr["done"]) == (None, None, None, True)
    assert (kr["progress"], kr["score"], kr["confidence"]) == (1.0, None, 1.0)
    assert kr["status"] == "done"
    assert [c["value"] for c in kr["checkins"]] == [False, True]


def test_overshooting_is_clamped_and_done(document: dict[str, Any]) -> None:
    kr = key_result(document, "calc", "overshoot")
    assert (kr["current"], kr["progress"], kr["score"]) == (250, 1.0, None)
    assert kr["confidence"] is None
    assert kr["checkins"] == []
    assert kr["status"] == "done"


def test_statuses_from_pace_confidence_and_staleness(document: dict[str, Any]) -> None:
    slow, unsure, not_started = objective(document, "behind")["key_results"]
    # progress 0.2 against an expected 0.615: a gap of 0.415 is more than 0.25
    assert (slow["progress"], slow["status"]) == (0.2, "at_risk")
    # confidence 0.3 is below 0.5, not below 0.3: at risk (the grade band 0.4 made it off
    # track before the status rule had thresholds of its own)
    assert (unsure["progress"], unsure["status"]) == (0.5, "at_risk")
    # no check-in since the period began
    assert (not_started["progress"], not_started["status"]) == (0.0, "at_risk")
    assert not_started["done"] is False
    behind = objective(document, "behind")
    # (0.2 x 1 + 0.5 x 2 + 0 x 1) / 4; all the weight is at risk
    assert (behind["progress"], behind["score"], behind["status"]) == (0.3, None, "at_risk")


def test_closed_period(document: dict[str, Any]) -> None:
    last = objective(document, "last-quarter")
    half, done = last["key_results"]
    assert (half["progress"], half["score"], half["status"]) == (0.5, 0.9, "closed")
    assert (done["progress"], done["score"], done["status"]) == (1.0, 1.0, "done")
    assert half["due"] == "2026-09-30"
    # (0.5 + 1) / 2 and (0.9 + 1) / 2; not every key result is done, so closed
    assert (last["progress"], last["score"], last["status"]) == (0.75, 0.95, "closed")


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_numbers_are_json_numbers_between_0_and_1(document: dict[str, Any]) -> None:
    for entry in document["objectives"]:
        for kr in [entry, *entry["key_results"]]:
            for number in (kr["progress"], kr["score"]):
                assert number is None or (is_number(number) and 0 <= number <= 1)


def test_the_json_is_valid_utf8_and_ends_with_a_newline(tmp_path: Path) -> None:
    project = write_files(tmp_path / "p", FILES)
    result = build(project, tmp_path / "site")
    assert result.code == 0, result.err
    raw = (tmp_path / "site" / "api" / "okrs.json").read_bytes()
    assert raw.endswith(b"\n")
    assert json.loads(raw.decode("utf-8"))["today"] == TODAY
