"""More in ``okrpub diff`` (issue #17): a score given is shown even when it is 0.00, a
period's new dates show as the cause of status changes, and a key result's owner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gittools import commit, init_repo
from projecttools import BASE
from sitetools import TODAY, run_okrpub

GROW = "content/2026-Q4/acme/grow.md"
REVENUE = "    title: Reach 100 k revenue\n"


def diff(files: dict[str, str], tmp_path: Path, *args: str) -> str:
    """The diff, as Markdown (or what ``args`` ask for), from ``BASE`` to ``BASE`` + ``files``."""
    repo = init_repo(tmp_path / "repo")
    first = commit(repo, BASE)
    second = commit(repo, files)
    result = run_okrpub(repo, "diff", first, second, "--today", TODAY, *args)
    assert result.code == 0, result.err
    return result.out


def as_json(files: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(diff(files, tmp_path, "--format", "json"))
    return data


def revenue_with(line: str) -> dict[str, str]:
    return {GROW: BASE[GROW].replace(REVENUE, REVENUE + line)}


def test_a_score_of_0_given_while_the_period_runs_is_shown(tmp_path: Path) -> None:
    """It is no grade yet, so the grade does not change; the score written does."""
    out = diff(revenue_with("    score: 0\n"), tmp_path)
    assert (
        "- **Reach 100 k revenue** (`revenue`): score none → 0.00 "
        "(not a grade while the period runs)\n"
    ) in out
    (grow,) = as_json(revenue_with("    score: 0.0\n"), tmp_path / "json")["objectives"]
    (revenue,) = grow["key_results"]
    assert revenue["given_score"] == {"before": None, "after": 0.0}
    assert revenue["score"] is None


def test_a_score_given_once_the_period_closed_is_a_grade(tmp_path: Path) -> None:
    """On a day after the quarter the grade shows it; it is not said twice."""
    repo = init_repo(tmp_path / "repo")
    first = commit(repo, BASE)
    second = commit(repo, revenue_with("    score: 0\n"))
    out = run_okrpub(repo, "diff", first, second, "--today", "2027-01-15").out
    assert "- **Reach 100 k revenue** (`revenue`): grade not graded → 0.00\n" in out
    assert "not a grade while the period runs" not in out


def test_a_key_result_s_owner_change_is_shown(tmp_path: Path) -> None:
    out = diff(revenue_with("    owner: jo\n"), tmp_path)
    assert "- **Reach 100 k revenue** (`revenue`): owner none → `jo`\n" in out
    (grow,) = as_json(revenue_with("    owner: jo\n"), tmp_path / "json")["objectives"]
    assert grow["key_results"][0]["owner"] == {"before": None, "after": "jo"}


def test_new_period_dates_show_as_the_cause_of_a_status_change(tmp_path: Path) -> None:
    """The quarter made to end on 25 November: on the 26th its objectives are closed."""
    config = {"okrpub.yaml": "periods:\n  2026-Q4: {start: 2026-10-01, end: 2026-11-25}\n"}
    out = diff(config, tmp_path)
    # closed without a score: their ungraded warnings are new problems
    assert out.splitlines()[2] == (
        "2 objectives changed, 1 period with new dates, 4 problems introduced."
    )
    assert (
        "#### Periods with new dates\n\n"
        "- 2026-Q4: 2026-10-01 – 2026-12-31 → 2026-10-01 – 2026-11-25\n" in out
    )
    assert (
        "- Status on track → closed (its period's dates changed: "
        "2026-10-01 – 2026-12-31 → 2026-10-01 – 2026-11-25)\n"
    ) in out
    data = as_json(config, tmp_path / "json")
    assert data["periods"] == [
        {
            "id": "2026-Q4",
            "before": {"start": "2026-10-01", "end": "2026-12-31"},
            "after": {"start": "2026-10-01", "end": "2026-11-25"},
        }
    ]
    for objective in data["objectives"]:
        assert objective["period_dates"]["after"] == {"start": "2026-10-01", "end": "2026-11-25"}


def test_period_dates_that_change_no_status_are_listed_once(tmp_path: Path) -> None:
    config = {"okrpub.yaml": "periods:\n  2026-Q4: {start: 2026-09-28, end: 2026-12-27}\n"}
    out = diff(config, tmp_path)
    assert "- 2026-Q4: 2026-10-01 – 2026-12-31 → 2026-09-28 – 2026-12-27\n" in out
    assert "its period's dates changed" not in out
