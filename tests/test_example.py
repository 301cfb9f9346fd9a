"""The example content in the repository checks clean but for its four deliberate warnings."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sitetools import REPOSITORY, TODAY

from okrpub.engine.project import Analysis, analyse, read_config
from okrpub.model.audience import select_audience
from okrpub.model.compute import compute
from okrpub.model.types import Reason, Status

README = REPOSITORY / "content" / "README.md"


def deliberate_warnings() -> set[tuple[str, str]]:
    """``(rule, path)`` of each row of the table under "Deliberate warnings" in the README."""
    section = README.read_text(encoding="utf-8").split("## Deliberate warnings", 1)[1]
    rows = re.findall(r"^\| `([a-z-]+)` \| `([^`]+)` \|", section, flags=re.MULTILINE)
    return {(rule, f"content/{path}") for rule, path in rows}


def test_the_readme_lists_four_warnings() -> None:
    assert len(deliberate_warnings()) == 4


def test_example_content_gives_exactly_the_deliberate_warnings(check) -> None:
    result = check(REPOSITORY, "--format", "json")
    diagnostics = json.loads(result.out)
    assert {d["severity"] for d in diagnostics} == {"warning"}
    assert {(d["rule"], d["path"]) for d in diagnostics} == deliberate_warnings()
    assert len(diagnostics) == 4
    assert result.code == 0


def test_example_content_in_text(check) -> None:
    result = check(REPOSITORY)
    assert result.lines == [
        "content/2026-Q4/marketing/newspaper-campaign.md:1:1: warning: "
        "objective has 2 key results; aim for 3 to 5 [kr-count]",
        "content/2026-Q4/smokey/love-to-work.md:1:1: warning: objective has no key "
        "results yet: it is qualitative, shown without progress; add key results to measure "
        "it [no-key-results]",
        "content/2026-Q4/tom/payments-expert.md:1:1: warning: "
        "person objective aligns to nothing; set 'parent' to the objective it supports "
        "[unaligned]",
        "content/2026-Q4/warehouse/ship-same-day.md:21:5: warning: "
        "key result 'damaged' has had no check-in since 2026-11-02 (stale after 7 days) [stale]",
    ]
    assert result.err == "checked 15 objectives and 12 units: 0 errors, 4 warnings\n"
    assert result.code == 0


def test_example_content_fails_only_under_strict(check) -> None:
    assert check(REPOSITORY, "--strict").code == 1


@pytest.fixture(scope="module")
def example() -> Analysis:
    config, diagnostics = read_config(REPOSITORY)
    assert not diagnostics.has_errors()
    return analyse(REPOSITORY, config, dt.date.fromisoformat(TODAY))


def test_worked_example_of_the_status_rule(example: Analysis) -> None:
    """The numbers of docs/format.md §12 for ``grow-to-1m-online`` on 2026-11-26."""
    objective = example.model.objectives["grow-to-1m-online"]
    krs = {kr.id: kr for kr in objective.key_results}
    assert {kr_id: kr.progress for kr_id, kr in krs.items()} == {
        "online-sales": round(218_000 / 580_000, 4),
        "top-3": round(8 / 11, 4),
        "newspapers": 0.5,
        "new-checkout": 0.0,
        "gross-margin": round(1.1 / 3, 4),
    }
    assert krs["top-3"].lower_is_better
    assert krs["newspapers"].expected_progress == round(56 / 72, 4)
    # the default status rule (at risk below a confidence of 0.5; it used to be 0.7, which
    # made new-checkout at 0.6 and gross-margin at 0.5 at risk too)
    assert {kr_id: kr.status for kr_id, kr in krs.items()} == {
        "online-sales": Status.AT_RISK,
        "top-3": Status.ON_TRACK,
        "newspapers": Status.AT_RISK,
        "new-checkout": Status.ON_TRACK,
        "gross-margin": Status.ON_TRACK,
    }
    assert krs["online-sales"].reasons == (Reason("confidence", 0.45, 0.5),)
    assert krs["newspapers"].reasons == (Reason("behind", 0.5, round(56 / 72, 4)),)
    assert objective.progress == pytest.approx(0.391, abs=5e-4)  # as the docs round it
    assert objective.colour is None  # no grade while it runs (it was the progress's, red)
    assert objective.status is Status.AT_RISK


def test_worked_example_in_the_public_build(example: Analysis) -> None:
    public = select_audience(example.resolved, public=True, drafts=False)
    model = compute(public, example.config, dt.date.fromisoformat(TODAY))
    objective = model.objectives["grow-to-1m-online"]
    assert [kr.id for kr in objective.key_results] == [
        "online-sales",
        "top-3",
        "newspapers",
        "new-checkout",
    ]
    assert objective.hidden_key_results == 1
    assert objective.progress == pytest.approx(0.396, abs=5e-4)
    assert objective.status is Status.AT_RISK
    assert "newspaper-campaign" not in model.objectives  # internal objective of a public team
    assert "ship-same-day" not in model.objectives  # owned by the internal warehouse team
    assert "christmas-gifts" not in model.objectives  # a draft


def test_worked_example_of_the_weighted_median(example: Analysis) -> None:
    objective = example.model.objectives["ship-same-day"]
    assert [kr.status for kr in objective.key_results] == [
        Status.ON_TRACK,
        Status.AT_RISK,
        Status.OFF_TRACK,
        Status.ON_TRACK,
    ]
    assert objective.status is Status.AT_RISK
