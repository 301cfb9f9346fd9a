"""An objective graded as a whole (issue #17 item 7): its own ``score`` wins over the mean of
its key results' grades, and both are kept. Through ``check``, ``build`` (pages and
``api/okrs.json``) and ``diff``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gittools import commit, init_repo
from projecttools import BASE
from sitetools import TODAY, build, main_of, md, run_okrpub, write_files

CLOSED = "content/2026-Q3/acme/summer.md"
RUNNING = "content/2026-Q4/acme/grow.md"

#: A closed quarter, graded 0.65 as a whole; its key results' grades: 0.6 and none.
SUMMER = md(
    """
    title: A good summer
    owner: acme
    period: 2026-Q3
    score: 0.65
    key_results:
      - id: grills
        title: Sell 100 grills
        start: 0
        target: 100
        score: 0.6
        checkins: [{date: 2026-09-20, value: 60}]
      - id: smokers
        title: Sell 50 smokers
        start: 0
        target: 50
        checkins: [{date: 2026-09-20, value: 10}]
    """
)

#: The running quarter, with a score given early: not a grade yet.
GROW = md(
    """
    title: Grow the business
    owner: acme
    score: 0.9
    key_results:
      - id: revenue
        title: Reach 100 k revenue
        start: 0
        target: 100
        checkins: [{date: 2026-11-23, value: 80, confidence: 0.8}]
    """
)


def project(root: Path, summer: str = SUMMER) -> Path:
    return write_files(root, {**BASE, CLOSED: summer, RUNNING: GROW})


def exported(site: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((site / "api/okrs.json").read_text(encoding="utf-8"))
    return {o["id"]: o for o in data["objectives"]}


def test_the_objectives_own_score_wins_and_both_are_exported(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "error" not in checked.out, checked.out
    # graded as a whole: no key result is asked for a score of its own
    assert "[ungraded]" not in checked.out, checked.out
    assert build(root, tmp_path / "site").code == 0
    summer = exported(tmp_path / "site")["summer"]
    assert (summer["score"], summer["score_given"], summer["key_results_grade"]) == (
        0.65,
        True,
        0.6,
    )
    # the key results' grade covers 1 of 2 key results
    assert (summer["graded"], summer["of"]) == (1, 2)


def test_without_its_own_score_the_key_results_grade_is_the_grade(tmp_path: Path) -> None:
    root = project(tmp_path / "project", SUMMER.replace("score: 0.65\n", ""))
    assert "[ungraded]" in run_okrpub(root, "check", "--today", TODAY).out
    build(root, tmp_path / "site")
    summer = exported(tmp_path / "site")["summer"]
    assert (summer["score"], summer["score_given"], summer["key_results_grade"]) == (
        0.6,
        False,
        0.6,
    )


def test_a_score_given_while_the_period_runs_is_not_a_grade_yet(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    build(root, tmp_path / "site")
    grow = exported(tmp_path / "site")["grow"]
    assert (grow["score"], grow["score_given"], grow["key_results_grade"]) == (None, False, None)
    figures = main_of(tmp_path / "site/objectives/grow/index.html").find("dl", class_="figures")
    # while the period runs there is no grade, not even "not graded": progress and status
    assert figures.text == "Progress 80% StatusOn track"


def test_the_page_shows_the_given_grade_and_the_key_results(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    build(root, tmp_path / "site")
    page = main_of(tmp_path / "site/objectives/summer/index.html")
    grade = page.find("dd", class_="grade-given")
    assert grade.text == "graded 0.65 (yellow) (key results 0.60 · 1 of 2 graded)"
    # the rollups use the objective's own grade, covering all its key results
    period = main_of(tmp_path / "site/periods/2026-q3/index.html")
    lead = period.find("p", class_="lead").text
    assert "0.65 (yellow)" in lead and "graded" not in lead.split("0.65")[1]


def test_a_score_out_of_range_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path / "project", SUMMER.replace("score: 0.65", "score: 65"))
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert checked.code == 1
    assert f"{CLOSED}:5:8: error: score must be between 0.0 and 1.0, got 65 [range]" in checked.out
    schema = json.loads(run_okrpub(root, "schema", "objective").out)
    assert schema["properties"]["score"]["maximum"] == 1


def test_diff_reports_an_objective_score_given_and_changed(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    ungraded = SUMMER.replace("score: 0.65\n", "")
    first = commit(repo, {**BASE, CLOSED: ungraded})
    second = commit(repo, {CLOSED: SUMMER.replace("score: 0.65", "score: 0.0")})
    third = commit(repo, {CLOSED: SUMMER})
    given = run_okrpub(repo, "diff", first, second, "--today", TODAY)
    assert given.code == 0, given.err
    # given as 0.00: shown, not taken for no change
    assert "- Objective graded as a whole: score 0.00 given" in given.out
    assert "- Grade 0.60 → 0.00" in given.out
    changed = run_okrpub(repo, "diff", second, third, "--today", TODAY)
    assert "- Its own score 0.00 → 0.65" in changed.out
    data = json.loads(
        run_okrpub(repo, "diff", second, third, "--format", "json", "--today", TODAY).out
    )
    (summer,) = data["objectives"]
    assert summer["given_score"] == {"before": 0.0, "after": 0.65}
    removed = run_okrpub(repo, "diff", third, first, "--today", TODAY)
    assert "- Its own score (0.65) taken away: the key results' grades count" in removed.out


def test_diff_reports_a_key_result_score_given_early_even_0(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    first = commit(repo, {**BASE, RUNNING: GROW})
    given = GROW.replace("    start: 0\n", "    start: 0\n    score: 0.0\n")
    assert given != GROW
    second = commit(repo, {RUNNING: given})
    run = run_okrpub(repo, "diff", first, second, "--today", TODAY)
    assert run.code == 0, run.err
    # not a grade yet (the period runs), but the change is shown, 0.00 too
    assert (
        "- **Reach 100 k revenue** (`revenue`): score none → 0.00 "
        "(not a grade while the period runs)"
    ) in run.out
    data = json.loads(
        run_okrpub(repo, "diff", first, second, "--format", "json", "--today", TODAY).out
    )
    ((revenue,),) = [o["key_results"] for o in data["objectives"]]
    assert (revenue["score"], revenue["given_score"]) == (None, {"before": None, "after": 0.0})
